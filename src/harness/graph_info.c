/*
 * The words both maps put on a link or a tunnel, the subnet an address
 * lies in, the check that a topology's indexes hold together, and the
 * topology as JSON for scripts.
 */
#include "graph.h"
#include "json_out.h"
#include "lib/addr.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool end_ok(const struct topo *t, const struct topo_end *e)
{
	return e->node >= 0 && (size_t)e->node < t->nnodes && e->iface >= 0 &&
	       (size_t)e->iface < t->nodes[e->node].nifaces;
}

static bool member_ok(const struct topo *t, const struct topo_member *m)
{
	for (size_t a = 0; a < m->naddrs; a++)
		if (!m->addrs[a])
			return false;
	return m->node >= 0 && (size_t)m->node < t->nnodes;
}

static bool node_ok(const struct topo_node *n)
{
	if (!n->name)
		return false;
	for (size_t k = 0; k < n->nifaces; k++) {
		if (!n->ifaces[k].name)
			return false;
		for (size_t a = 0; a < n->ifaces[k].naddrs; a++)
			if (!n->ifaces[k].addrs[a].cidr)
				return false;
	}
	return true;
}

bool graph_sane(const struct topo *t)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!node_ok(&t->nodes[i]))
			return false;
	for (size_t i = 0; i < t->nlinks; i++)
		if (!end_ok(t, &t->links[i].a) || !end_ok(t, &t->links[i].b))
			return false;
	for (size_t i = 0; i < t->ntunnels; i++) {
		if (!member_ok(t, &t->tunnels[i].server))
			return false;
		for (size_t j = 0; j < t->tunnels[i].nclients; j++)
			if (!member_ok(t, &t->tunnels[i].clients[j]))
				return false;
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		if (t->roles[r] < -1 || t->roles[r] >= (int)t->nnodes)
			return false;
	return true;
}

static void delay_text(uint64_t ns, char *out, size_t cap)
{
	if (ns % 1000000 == 0)
		snprintf(out, cap, "delay %" PRIu64 "ms", ns / 1000000);
	else if (ns % 1000 == 0)
		snprintf(out, cap, "delay %" PRIu64 "us", ns / 1000);
	else
		snprintf(out, cap, "delay %" PRIu64 "ns", ns);
}

/* Rates as tc writes them, in bits: 10mbit. */
static void rate_text(uint64_t bytes, char *out, size_t cap)
{
	static const char *const units[] = {"bit", "kbit", "mbit", "gbit"};
	uint64_t bits = bytes * 8;
	int u = 0;

	while (u < 3 && bits >= 1000 && bits % 1000 == 0)
		bits /= 1000, u++;
	snprintf(out, cap, "rate %" PRIu64 "%s", bits, units[u]);
}

int graph_link_notes(const struct topo_link *l, char (*notes)[32], int max)
{
	const struct topo_impair *im = &l->im;
	int n = 0;

	if (im->mtu && n < max)
		snprintf(notes[n++], 32, "mtu %d", im->mtu);
	if (im->delay_ns && n < max)
		delay_text(im->delay_ns, notes[n++], 32);
	if (im->loss > 0 && n < max)
		snprintf(notes[n++], 32, "loss %g%%", im->loss);
	if (im->rate && n < max)
		rate_text(im->rate, notes[n++], 32);
	if (im->reorder > 0 && n < max)
		snprintf(notes[n++], 32, "reorder %g%%", im->reorder);
	if (im->block_icmp && n < max)
		snprintf(notes[n++], 32, "block-icmp");
	return n;
}

int graph_subnet(const char *cidr, char *out, size_t cap)
{
	struct prefix p;
	char err[64], ip[INET6_ADDRSTRLEN];
	size_t bytes;

	if (!cidr || prefix_parse(cidr, true, &p, err, sizeof(err)))
		return -1;
	bytes = p.family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < bytes; i++) {
		int keep = (int)p.len - (int)(i * 8);

		if (keep <= 0)
			p.addr[i] = 0;
		else if (keep < 8)
			p.addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	if (!inet_ntop(p.family, p.addr, ip, sizeof(ip)))
		return -1;
	snprintf(out, cap, "%s/%u", ip, p.len);
	return 0;
}

static const char *mode_name(enum wire_mode m)
{
	switch (m) {
	case MODE_PLAINTEXT:
		return "plaintext";
	case MODE_PI:
		return "pi";
	case MODE_ENCRYPTED:
		return "encrypted";
	}
	return "?";
}

void graph_tunnel_text(const struct topo_tunnel *tu, char *out, size_t cap)
{
	snprintf(out, cap, "%s: UDP %d, %s", tu->name ? tu->name : "tunnel", tu->port,
		 mode_name(tu->mode));
}

static json_t *json_strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jout_text(v[i]));
	return a;
}

static json_t *json_node(const struct topo *t, size_t i)
{
	const struct topo_node *n = &t->nodes[i];
	json_t *roles = json_array(), *ifaces = json_array();

	for (int r = 0; r < ROLE_COUNT; r++)
		if (t->roles[r] == (int)i)
			json_array_append_new(roles, jout_text(topo_role_name(r)));
	for (size_t k = 0; k < n->nifaces; k++) {
		json_t *addrs = json_array();

		for (size_t a = 0; a < n->ifaces[k].naddrs; a++)
			json_array_append_new(addrs, jout_text(n->ifaces[k].addrs[a].cidr));
		json_array_append_new(ifaces,
				      json_pack("{s:o, s:o}", "name", jout_text(n->ifaces[k].name),
						"addresses", addrs));
	}
	return json_pack("{s:o, s:o, s:o, s:b, s:o, s:o}", "name", jout_text(n->name), "label",
			 jout_text(n->label), "roles", roles, "forward", n->forward, "masquerade",
			 jout_text(n->masquerade), "interfaces", ifaces);
}

static json_t *json_end(const struct topo *t, const struct topo_end *e)
{
	return json_pack("{s:o, s:o}", "node", jout_text(t->nodes[e->node].name), "interface",
			 jout_text(t->nodes[e->node].ifaces[e->iface].name));
}

static json_t *json_link(const struct topo *t, const struct topo_link *l)
{
	const struct topo_impair *im = &l->im;

	return json_pack("{s:o, s:o, s:i, s:I, s:o, s:I, s:o, s:b}", "a", json_end(t, &l->a), "b",
			 json_end(t, &l->b), "mtu", im->mtu, "delay_ns", (json_int_t)im->delay_ns,
			 "loss", jout_num(im->loss), "rate", (json_int_t)im->rate, "reorder",
			 jout_num(im->reorder), "block_icmp", im->block_icmp);
}

static json_t *json_member(const struct topo *t, const struct topo_member *m)
{
	return json_pack("{s:o, s:o, s:o}", "node", jout_text(t->nodes[m->node].name), "addresses",
			 json_strings(m->addrs, m->naddrs), "routes",
			 json_strings(m->routes, m->nroutes));
}

static json_t *json_tunnel(const struct topo *t, const struct topo_tunnel *tu)
{
	json_t *clients = json_array();

	for (size_t j = 0; j < tu->nclients; j++)
		json_array_append_new(clients, json_member(t, &tu->clients[j]));
	return json_pack("{s:o, s:o, s:i, s:o, s:o}", "name", jout_text(tu->name), "mode",
			 jout_text(mode_name(tu->mode)), "port", tu->port, "server",
			 json_member(t, &tu->server), "clients", clients);
}

void graph_json(const struct topo *t, FILE *out)
{
	json_t *nodes = json_array(), *links = json_array(), *tunnels = json_array();

	for (size_t i = 0; i < t->nnodes; i++)
		json_array_append_new(nodes, json_node(t, i));
	for (size_t i = 0; i < t->nlinks; i++)
		json_array_append_new(links, json_link(t, &t->links[i]));
	for (size_t i = 0; i < t->ntunnels; i++)
		json_array_append_new(tunnels, json_tunnel(t, &t->tunnels[i]));
	jout_print(json_pack("{s:o, s:o, s:o, s:o}", "name", jout_text(t->name), "nodes", nodes,
			     "links", links, "tunnels", tunnels),
		   out);
}
