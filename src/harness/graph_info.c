/*
 * The words both maps put on a link or a tunnel, the subnet an address
 * lies in, the check that a topology's indexes hold together, and the
 * topology as JSON for scripts.
 */
#include "graph.h"
#include "lib/addr.h"
#include "lib/json.h"

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

static void json_strings(FILE *f, char *const *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_str(f, v[i]);
	}
	fputc(']', f);
}

static void json_node(FILE *f, const struct topo *t, size_t i)
{
	const struct topo_node *n = &t->nodes[i];
	bool first = true;

	fputs("{\"name\":", f);
	json_str(f, n->name);
	fputs(",\"label\":", f);
	n->label ? json_str(f, n->label) : (void)fputs("null", f);
	fputs(",\"roles\":[", f);
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (t->roles[r] != (int)i)
			continue;
		if (!first)
			fputc(',', f);
		json_str(f, topo_role_name(r));
		first = false;
	}
	fprintf(f, "],\"forward\":%s,\"masquerade\":", n->forward ? "true" : "false");
	n->masquerade ? json_str(f, n->masquerade) : (void)fputs("null", f);
	fputs(",\"interfaces\":[", f);
	for (size_t k = 0; k < n->nifaces; k++) {
		fputs(k ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, n->ifaces[k].name);
		fputs(",\"addresses\":[", f);
		for (size_t a = 0; a < n->ifaces[k].naddrs; a++) {
			if (a)
				fputc(',', f);
			json_str(f, n->ifaces[k].addrs[a].cidr);
		}
		fputs("]}", f);
	}
	fputs("]}", f);
}

static void json_end(FILE *f, const struct topo *t, const struct topo_end *e)
{
	fputs("{\"node\":", f);
	json_str(f, t->nodes[e->node].name);
	fputs(",\"interface\":", f);
	json_str(f, t->nodes[e->node].ifaces[e->iface].name);
	fputc('}', f);
}

static void json_link(FILE *f, const struct topo *t, const struct topo_link *l)
{
	const struct topo_impair *im = &l->im;

	fputs("{\"a\":", f);
	json_end(f, t, &l->a);
	fputs(",\"b\":", f);
	json_end(f, t, &l->b);
	fprintf(f,
		",\"mtu\":%d,\"delay_ns\":%" PRIu64 ",\"loss\":%g,\"rate\":%" PRIu64
		",\"reorder\":%g,\"block_icmp\":%s}",
		im->mtu, im->delay_ns, im->loss, im->rate, im->reorder,
		im->block_icmp ? "true" : "false");
}

static void json_member(FILE *f, const struct topo *t, const struct topo_member *m)
{
	fputs("{\"node\":", f);
	json_str(f, t->nodes[m->node].name);
	fputs(",\"addresses\":", f);
	json_strings(f, m->addrs, m->naddrs);
	fputs(",\"routes\":", f);
	json_strings(f, m->routes, m->nroutes);
	fputc('}', f);
}

static void json_tunnel(FILE *f, const struct topo *t, const struct topo_tunnel *tu)
{
	fputs("{\"name\":", f);
	tu->name ? json_str(f, tu->name) : (void)fputs("null", f);
	fputs(",\"mode\":", f);
	json_str(f, mode_name(tu->mode));
	fprintf(f, ",\"port\":%d,\"server\":", tu->port);
	json_member(f, t, &tu->server);
	fputs(",\"clients\":[", f);
	for (size_t j = 0; j < tu->nclients; j++) {
		if (j)
			fputc(',', f);
		json_member(f, t, &tu->clients[j]);
	}
	fputs("]}", f);
}

void graph_json(const struct topo *t, FILE *out)
{
	fputs("{\"name\":", out);
	t->name ? json_str(out, t->name) : (void)fputs("null", out);
	fputs(",\"nodes\":[", out);
	for (size_t i = 0; i < t->nnodes; i++) {
		if (i)
			fputc(',', out);
		json_node(out, t, i);
	}
	fputs("],\"links\":[", out);
	for (size_t i = 0; i < t->nlinks; i++) {
		if (i)
			fputc(',', out);
		json_link(out, t, &t->links[i]);
	}
	fputs("],\"tunnels\":[", out);
	for (size_t i = 0; i < t->ntunnels; i++) {
		if (i)
			fputc(',', out);
		json_tunnel(out, t, &t->tunnels[i]);
	}
	fputs("]}\n", out);
}
