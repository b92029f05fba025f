#include "lab.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The addresses the subcommands name (where the client dials, the two
 * ends of the tunnel, the target, the NAT's public face), taken from the
 * topology's roles and its first tunnel.
 */

static bool is_v6(const char *cidr)
{
	return strchr(cidr, ':') != NULL;
}

/* The address of a CIDR, without its length. */
static void bare(char out[LAB_ADDR_MAX], const char *cidr)
{
	snprintf(out, LAB_ADDR_MAX, "%.*s", (int)strcspn(cidr, "/"), cidr);
}

static void of_iface(const struct topo_iface *i, char v4[LAB_ADDR_MAX], char v6[LAB_ADDR_MAX])
{
	for (size_t k = 0; k < i->naddrs; k++) {
		char *out = is_v6(i->addrs[k].cidr) ? v6 : v4;

		if (out && !*out)
			bare(out, i->addrs[k].cidr);
	}
}

/* A node's first addresses, its interface toward another node first. */
static void of_node(const struct topo *t, int n, int toward, char v4[LAB_ADDR_MAX],
		    char v6[LAB_ADDR_MAX])
{
	int i = toward >= 0 ? lab_iface_toward(t, n, toward) : -1;

	if (n < 0)
		return;
	if (i >= 0)
		of_iface(&t->nodes[n].ifaces[i], v4, v6);
	for (size_t k = 0; k < t->nodes[n].nifaces; k++)
		of_iface(&t->nodes[n].ifaces[k], v4, v6);
}

static void of_member(const struct topo_member *m, char v4[LAB_ADDR_MAX], char v6[LAB_ADDR_MAX])
{
	for (size_t k = 0; k < m->naddrs; k++)
		if (!*(is_v6(m->addrs[k]) ? v6 : v4))
			bare(is_v6(m->addrs[k]) ? v6 : v4, m->addrs[k]);
}

static void of_nat(const struct lab *lab, struct lab_where *w)
{
	int nat = lab_role(lab, ROLE_NAT);
	const struct topo_node *n = nat >= 0 ? &lab->topo.nodes[nat] : NULL;
	int i = n && n->masquerade ? topo_iface(n, n->masquerade) : -1;

	if (i >= 0)
		of_iface(&n->ifaces[i], w->nat_wan4, NULL);
}

void lab_where_find(struct lab *lab)
{
	const struct topo *t = &lab->topo;
	const struct topo_tunnel *tu = t->ntunnels ? &t->tunnels[0] : NULL;
	struct lab_where *w = &lab->at;

	memset(w, 0, sizeof(*w));
	w->port = tu ? tu->port : TUNNEL_PORT;
	of_node(t, lab_role(lab, ROLE_SERVER), lab_role(lab, ROLE_INTERNET), w->server_public4,
		w->server_public6);
	if (tu && tu->endpoint)
		bare(is_v6(tu->endpoint) ? w->server_public6 : w->server_public4, tu->endpoint);
	if (tu) {
		of_member(&tu->server, w->server_vpn4, w->server_vpn6);
		if (tu->nclients)
			of_member(&tu->clients[0], w->client_vpn4, w->client_vpn6);
	}
	of_node(t, lab_role(lab, ROLE_TARGET), lab_role(lab, ROLE_SERVER), w->target4, w->target6);
	of_nat(lab, w);
	of_node(t, lab_role(lab, ROLE_INTERNET), lab_role(lab, ROLE_SERVER), w->internet4, NULL);
}

/* Host number host in an IPv4 CIDR's network, with the CIDR's length: 192.168.1.102/24. */
int lab_host_in(const char *cidr, unsigned host, bool with_len, char *out, size_t cap)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in;
	unsigned len = 32;
	const char *slash = strchr(cidr, '/');
	uint32_t mask;

	snprintf(a, sizeof(a), "%.*s", (int)strcspn(cidr, "/"), cidr);
	if (slash)
		len = (unsigned)atoi(slash + 1);
	if (inet_pton(AF_INET, a, &in) != 1 || len > 32)
		return -1;
	mask = len ? 0xffffffffu << (32 - len) : 0;
	in.s_addr = htonl((ntohl(in.s_addr) & mask) | (host & ~mask));
	inet_ntop(AF_INET, &in, a, sizeof(a));
	if (with_len)
		snprintf(out, cap, "%s/%u", a, len);
	else
		snprintf(out, cap, "%s", a);
	return 0;
}
