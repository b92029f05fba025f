/*
 * The lab's semantic check.  The reader has made sure every value has the
 * right shape; this makes sure the values fit together: names point at
 * things the file defines, addresses sit on their link's subnet, every
 * gateway is a neighbour's address, and each tunnel client can route to
 * the server it dials.  It also keeps the lab inside itself: names are
 * plain, so a node's namespace is always "<lab>-<node>" and nothing in
 * the file can name the host's interfaces or another namespace.
 */
#include "topo_check.h"

#include "lab.h"
#include "lib/addr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- the list of errors ---- */

void topo_errors_init(struct topo_errors *e)
{
	memset(e, 0, sizeof(*e));
}

void topo_errors_free(struct topo_errors *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].line);
		free(e->v[i].where);
		free(e->v[i].msg);
	}
	free(e->v);
	topo_errors_init(e);
}

void topo_error(struct topo_errors *e, const char *file, struct topo_pos pos, const char *fmt, ...)
{
	char msg[1200], line[1600];
	struct topo_error *x;
	va_list ap;

	if (e->n >= TOPO_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct topo_error *v = realloc(e->v, cap * sizeof(*v));

		if (!v) {
			e->dropped++;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos.line)
		snprintf(line, sizeof(line), "%s:%u:%u: %s", file, pos.line, pos.col, msg);
	else
		snprintf(line, sizeof(line), "%s: %s", file, msg);
	x = &e->v[e->n];
	x->pos = pos;
	x->seq = e->n;
	x->line = strdup(line);
	x->where = strdup(file);
	x->msg = strdup(msg);
	if (!x->line || !x->where || !x->msg) {
		free(x->line);
		free(x->where);
		free(x->msg);
		e->dropped++;
		return;
	}
	e->n++;
}

static int by_place(const void *a, const void *b)
{
	const struct topo_error *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void topo_errors_sort(struct topo_errors *e)
{
	if (e->n > 1)
		qsort(e->v, e->n, sizeof(*e->v), by_place);
}

size_t topo_errors_count(const struct topo_errors *e)
{
	return e->n + e->dropped;
}

void topo_errors_print(const struct topo_errors *e, const char *path, FILE *f)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(f, "%s\n", e->v[i].line);
	if (e->dropped)
		fprintf(f, "%s: %zu more %s not shown\n", path, e->dropped,
			e->dropped == 1 ? "error" : "errors");
}

bool topo_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

size_t topo_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* ---- the check ---- */

/* An interface address, parsed. */
struct ent {
	int node, iface;
	const struct topo_addr *a;
	struct prefix p;
};

/* A node's route, parsed; ok false if it did not parse. */
struct proute {
	bool ok;
	struct prefix dst, gw;
};

struct ck {
	struct topo *t;
	struct topo_errors *e;
	size_t found;
	struct ent *ents;
	size_t nents;
	struct proute **routes; /* [node][route] */
	int *link_of;		/* [node * stride + iface]: link index or -1 */
	size_t stride;
	/*
	 * A link end that named nothing: what hangs on links (unlinked
	 * interfaces, gateways across a link, the tunnels' routing) is not
	 * judged then, as it would only repeat that fault in other words.
	 */
	bool loose;
	/* An address that did not parse or clashed: subnets of links are not compared then. */
	bool bad_addrs;
};

#define ERR(c, pos, ...)                                                                           \
	do {                                                                                       \
		topo_error((c)->e, (c)->t->file ? (c)->t->file : "?", (pos), __VA_ARGS__);         \
		(c)->found++;                                                                      \
	} while (0)

static bool same_subnet(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->len == b->len && prefix_contains(a, b->addr);
}

static bool overlap(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return false;
	return a->len <= b->len ? prefix_contains(a, b->addr) : prefix_contains(b, a->addr);
}

static bool same_addr(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

static void names(struct ck *c)
{
	struct topo *t = c->t;

	if (t->name && !topo_name_ok(t->name, LAB_NAME_MAX))
		ERR(c, t->name_pos,
		    "lab name '%s' is not valid: 1 to %d of a-z, 0-9 and '-', not starting with "
		    "'-'",
		    t->name, LAB_NAME_MAX);
	if (!t->nnodes)
		ERR(c, ((struct topo_pos){0, 0}), "the lab has no nodes");
	for (size_t i = 0; i < t->nnodes; i++) {
		struct topo_node *n = &t->nodes[i];

		if (!topo_name_ok(n->name, TOPO_NAME_MAX))
			ERR(c, n->pos,
			    "node name '%s' is not valid: 1 to %d of a-z, 0-9 and '-', not "
			    "starting "
			    "with '-'",
			    n->name, TOPO_NAME_MAX);
		for (size_t j = 0; j < n->nifaces; j++) {
			const char *f = n->ifaces[j].name;

			if (!strcmp(f, "lo"))
				ERR(c, n->ifaces[j].pos,
				    "'lo' is the node's own loopback, not an interface a link can "
				    "make");
			else if (!topo_name_ok(f, TOPO_NAME_MAX))
				ERR(c, n->ifaces[j].pos,
				    "interface name '%s' is not valid: 1 to %d of a-z, 0-9 and "
				    "'-', "
				    "not starting with '-'",
				    f, TOPO_NAME_MAX);
		}
	}
}

/* Parses every interface address; duplicates and overlaps on one node are faults. */
static void addresses(struct ck *c)
{
	struct topo *t = c->t;
	size_t total = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t j = 0; j < t->nodes[i].nifaces; j++)
			total += t->nodes[i].ifaces[j].naddrs;
	c->ents = calloc(total ? total : 1, sizeof(*c->ents));
	if (!c->ents)
		return;
	for (size_t i = 0; i < t->nnodes; i++) {
		for (size_t j = 0; j < t->nodes[i].nifaces; j++) {
			const struct topo_iface *f = &t->nodes[i].ifaces[j];

			for (size_t k = 0; k < f->naddrs; k++) {
				struct ent x = {(int)i, (int)j, &f->addrs[k], {0}};
				char err[160];

				if (prefix_parse(f->addrs[k].cidr, true, &x.p, err, sizeof(err))) {
					ERR(c, f->addrs[k].pos, "%s", err);
					c->bad_addrs = true;
					continue;
				}
				for (size_t m = 0; m < c->nents; m++) {
					const struct ent *y = &c->ents[m];
					const struct topo_node *yn = &t->nodes[y->node];

					if (same_addr(&x.p, &y->p)) {
						ERR(c, f->addrs[k].pos,
						    "address %s is also on %s:%s (%u:%u)",
						    f->addrs[k].cidr, yn->name,
						    yn->ifaces[y->iface].name, y->a->pos.line,
						    y->a->pos.col);
						goto next;
					}
					if (y->node == x.node && y->iface != x.iface &&
					    overlap(&x.p, &y->p)) {
						ERR(c, f->addrs[k].pos,
						    "%s on %s:%s overlaps %s on %s:%s (%u:%u)",
						    f->addrs[k].cidr, yn->name, f->name, y->a->cidr,
						    yn->name, yn->ifaces[y->iface].name,
						    y->a->pos.line, y->a->pos.col);
						goto next;
					}
				}
				c->ents[c->nents++] = x;
				continue;
			next:
				c->bad_addrs = true;
			}
		}
	}
}

/* Which node owns an address; -1 if none. */
static int owner(const struct ck *c, const struct prefix *addr)
{
	for (size_t i = 0; i < c->nents; i++)
		if (same_addr(&c->ents[i].p, addr))
			return c->ents[i].node;
	return -1;
}

/* ", did you mean 'home-router'?" for a node name that is a slip, else "". */
static const char *nearest_node(const struct topo *t, const char *name, char *out, size_t cap)
{
	size_t best = (size_t)-1;

	*out = '\0';
	for (size_t i = 0; i < t->nnodes; i++) {
		size_t d = topo_distance(name, t->nodes[i].name);

		if (d <= (strlen(t->nodes[i].name) + 2) / 3 && d < strlen(t->nodes[i].name) &&
		    d < best) {
			best = d;
			snprintf(out, cap, ", did you mean '%s'?", t->nodes[i].name);
		}
	}
	return out;
}

static int node_named(struct ck *c, const char *name, struct topo_pos pos, const char *what)
{
	char hint[64];
	int n = topo_node(c->t, name);

	if (n < 0)
		ERR(c, pos, "no node '%s'%s in this lab%s", name, what,
		    nearest_node(c->t, name, hint, sizeof(hint)));
	return n;
}

/* "node:iface" into indexes; a fault otherwise. */
static bool resolve_end(struct ck *c, const char *spec, struct topo_pos pos, int *node, int *iface)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;
	char name[LAB_NAME_MAX + TOPO_NAME_MAX + 64];
	int n, f;

	*node = *iface = -1;
	if (!spec)
		return false;
	if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof(name)) {
		ERR(c, pos, "'%s' is not NODE:INTERFACE", spec);
		return false;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
	n = node_named(c, name, pos, "");
	if (n < 0)
		return false;
	f = topo_iface(&c->t->nodes[n], colon + 1);
	if (f < 0) {
		ERR(c, pos, "node '%s' has no interface '%s'", name, colon + 1);
		return false;
	}
	*node = n;
	*iface = f;
	return true;
}

static int *slot(struct ck *c, int node, int iface)
{
	return &c->link_of[(size_t)node * c->stride + (size_t)iface];
}

/* The other end of the link on node:iface: its node, or -1. */
static int peer(const struct ck *c, int node, int iface, int *peer_iface)
{
	int l = c->link_of[(size_t)node * c->stride + (size_t)iface];
	const struct topo_link *k;

	if (l < 0)
		return -1;
	k = &c->t->links[l];
	if (k->a.node == node && k->a.iface == iface) {
		*peer_iface = k->b.iface;
		return k->b.node;
	}
	*peer_iface = k->a.iface;
	return k->a.node;
}

/* Each address of one end shares a subnet with an address of the other end. */
static void link_subnets(struct ck *c, const struct topo_end *x, const struct topo_end *y)
{
	const struct topo_node *xn = &c->t->nodes[x->node];

	for (size_t i = 0; i < c->nents; i++) {
		const struct ent *a = &c->ents[i];
		bool shared = false;

		if (a->node != x->node || a->iface != x->iface)
			continue;
		for (size_t j = 0; j < c->nents && !shared; j++)
			shared = c->ents[j].node == y->node && c->ents[j].iface == y->iface &&
				 same_subnet(&a->p, &c->ents[j].p);
		if (!shared)
			ERR(c, a->a->pos,
			    "%s on %s:%s shares no subnet with the other end of its link, %s",
			    a->a->cidr, xn->name, xn->ifaces[x->iface].name, y->spec);
	}
}

static void links(struct ck *c)
{
	struct topo *t = c->t;

	for (size_t i = 0; i < t->nlinks; i++) {
		struct topo_link *l = &t->links[i];
		bool ok = resolve_end(c, l->a.spec, l->a.pos, &l->a.node, &l->a.iface);

		ok = resolve_end(c, l->b.spec, l->b.pos, &l->b.node, &l->b.iface) && ok;
		if (!ok) {
			c->loose = true;
			continue;
		}
		if (l->a.node == l->b.node) {
			ERR(c, l->b.pos, "a link joins two nodes, but both ends are on '%s'",
			    t->nodes[l->a.node].name);
			l->a.node = l->b.node = -1;
			c->loose = true;
			continue;
		}
		for (int e = 0; e < 2; e++) {
			struct topo_end *end = e ? &l->b : &l->a;
			int *s = slot(c, end->node, end->iface);

			if (*s >= 0) {
				ERR(c, end->pos, "%s is already an end of the link at %u:%u",
				    end->spec, t->links[*s].pos.line, t->links[*s].pos.col);
				ok = false;
				c->loose = true;
			} else {
				*s = (int)i;
			}
		}
		if (!ok || c->bad_addrs)
			continue;
		link_subnets(c, &l->a, &l->b);
		link_subnets(c, &l->b, &l->a);
	}
	/* The builder makes an interface only as a link's end: one in no link would not exist. */
	for (size_t i = 0; i < t->nnodes && !c->loose; i++)
		for (size_t j = 0; j < t->nodes[i].nifaces; j++)
			if (*slot(c, (int)i, (int)j) < 0)
				ERR(c, t->nodes[i].ifaces[j].pos,
				    "interface %s:%s is in no link (every interface is one end "
				    "of a link)",
				    t->nodes[i].name, t->nodes[i].ifaces[j].name);
}

/* The interface of node n whose subnet holds addr, longest prefix first; -1 if none. */
static int connected(const struct ck *c, int n, const struct prefix *addr, int *len)
{
	int best = -1;

	*len = -1;
	for (size_t i = 0; i < c->nents; i++) {
		const struct ent *x = &c->ents[i];

		if (x->node == n && x->p.family == addr->family && x->p.len > *len &&
		    prefix_contains(&x->p, addr->addr)) {
			best = x->iface;
			*len = x->p.len;
		}
	}
	return best;
}

static bool host_bits(const struct prefix *p)
{
	int max = p->family == AF_INET ? 32 : 128;

	for (int b = p->len; b < max; b++)
		if (p->addr[b / 8] & (0x80 >> (b % 8)))
			return true;
	return false;
}

static void node_routes(struct ck *c, size_t i)
{
	struct topo_node *n = &c->t->nodes[i];

	c->routes[i] = calloc(n->nroutes ? n->nroutes : 1, sizeof(**c->routes));
	if (!c->routes[i])
		return;
	if (n->masquerade && topo_iface(n, n->masquerade) < 0)
		ERR(c, n->masquerade_pos, "node '%s' has no interface '%s' to masquerade out of",
		    n->name, n->masquerade);
	for (size_t j = 0; j < n->nroutes; j++) {
		struct topo_route *r = &n->routes[j];
		struct proute *p = &c->routes[i][j];
		char err[160];
		int len, f, pf;

		if (prefix_parse(r->via, false, &p->gw, err, sizeof(err))) {
			ERR(c, r->pos, "gateway %s", err);
			continue;
		}
		if (!strcmp(r->dst, "default")) {
			p->dst.family = p->gw.family;
		} else if (prefix_parse(r->dst, true, &p->dst, err, sizeof(err))) {
			ERR(c, r->pos, "destination %s", err);
			continue;
		} else if (host_bits(&p->dst)) {
			ERR(c, r->pos, "destination %s has bits set past its prefix length",
			    r->dst);
			continue;
		}
		if (p->dst.family != p->gw.family) {
			ERR(c, r->pos, "route to %s via %s mixes IPv4 and IPv6", r->dst, r->via);
			continue;
		}
		f = connected(c, (int)i, &p->gw, &len);
		if (f < 0) {
			ERR(c, r->pos, "gateway %s is on no subnet of node '%s'", r->via, n->name);
			continue;
		}
		if (owner(c, &p->gw) == (int)i) {
			ERR(c, r->pos, "gateway %s is node '%s''s own address", r->via, n->name);
			continue;
		}
		if (c->loose)
			continue;
		if (peer(c, (int)i, f, &pf) < 0 || owner(c, &p->gw) != peer(c, (int)i, f, &pf)) {
			ERR(c, r->pos, "gateway %s is no address of the node across %s:%s", r->via,
			    n->name, n->ifaces[f].name);
			continue;
		}
		p->ok = true;
	}
}

/*
 * Follows the file's own routing from node n towards addr, as the kernel
 * would: the longest prefix among the node's subnets and routes, then the
 * gateway's node, and so on.  NAT rewrites sources, so it never stops a
 * packet going out.  0 when addr's node is reached; -1 with why.
 */
static int route_to(const struct ck *c, int n, const struct prefix *addr, char *why, size_t cap)
{
	const struct topo *t = c->t;

	for (int hop = 0; hop < 32; hop++) {
		const struct topo_node *node = &t->nodes[n];
		int len, f = connected(c, n, addr, &len), pf, next;
		const struct proute *via = NULL;

		if (owner(c, addr) == n)
			return 0;
		if (hop > 0 && !node->forward) {
			snprintf(why, cap, "'%s' does not forward", node->name);
			return -1;
		}
		for (size_t j = 0; c->routes[n] && j < node->nroutes; j++) {
			const struct proute *r = &c->routes[n][j];

			if (r->ok && r->dst.family == addr->family && (int)r->dst.len > len &&
			    prefix_contains(&r->dst, addr->addr)) {
				via = r;
				len = r->dst.len;
			}
		}
		if (via) {
			int gl;

			f = connected(c, n, &via->gw, &gl);
			next = f < 0 ? -1 : peer(c, n, f, &pf);
		} else if (f >= 0) {
			next = peer(c, n, f, &pf);
			if (next < 0 || owner(c, addr) != next) {
				snprintf(why, cap, "no node across %s:%s has it", node->name,
					 node->ifaces[f].name);
				return -1;
			}
		} else {
			snprintf(why, cap, "'%s' has no route to it", node->name);
			return -1;
		}
		if (next < 0) {
			snprintf(why, cap, "'%s' has no way to its gateway", node->name);
			return -1;
		}
		n = next;
	}
	snprintf(why, cap, "a routing loop (more than 32 hops)");
	return -1;
}

static bool is_private(const struct prefix *p)
{
	static const char *const ranges[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",
					     "100.64.0.0/10", "127.0.0.0/8",   "169.254.0.0/16",
					     "fc00::/7",      "fe80::/10",     NULL};

	for (int i = 0; ranges[i]; i++) {
		struct prefix r;
		char err[64];

		if (!prefix_parse(ranges[i], true, &r, err, sizeof(err)) && r.family == p->family &&
		    prefix_contains(&r, p->addr))
			return true;
	}
	return false;
}

const char *topo_endpoint(const struct topo *t, size_t k, const struct topo_member *client,
			  char *out, size_t cap)
{
	const struct topo_tunnel *tu = &t->tunnels[k];
	int s = topo_node(t, tu->server.node_name ? tu->server.node_name : "");

	if (client && client->endpoint)
		return snprintf(out, cap, "%s", client->endpoint), out;
	if (tu->endpoint)
		return snprintf(out, cap, "%s", tu->endpoint), out;
	if (s < 0)
		return NULL;
	for (size_t j = 0; j < t->nodes[s].nifaces; j++) {
		const struct topo_iface *f = &t->nodes[s].ifaces[j];

		for (size_t a = 0; a < f->naddrs; a++) {
			struct prefix p;
			char err[160];

			if (prefix_parse(f->addrs[a].cidr, true, &p, err, sizeof(err)) ||
			    is_private(&p))
				continue;
			p.len = p.family == AF_INET ? 32 : 128;
			prefix_str(&p, out, cap);
			/* prefix_str writes ADDR/LEN; the endpoint is the address alone. */
			if (strchr(out, '/'))
				*strchr(out, '/') = '\0';
			return out;
		}
	}
	return NULL;
}

static int member_node(struct ck *c, struct topo_member *m, const char *what, const char *tunnel)
{
	if (!m->node_name)
		return -1;
	char role[80];

	snprintf(role, sizeof(role), " (the %s of tunnel '%s')", what, tunnel);
	m->node = node_named(c, m->node_name, m->pos, role);
	return m->node;
}

/*
 * The kernel keeps one route to a prefix: a tunnel route to a subnet the
 * node is on, or to a destination it routes already, would be refused
 * when the tunnel starts ("a route to it exists already").
 */
static void route_clash(struct ck *c, const struct topo_member *m, const struct prefix *p,
			const char *text, struct topo_pos pos)
{
	const struct topo_node *n = &c->t->nodes[m->node];

	for (size_t i = 0; i < c->nents; i++) {
		const struct ent *x = &c->ents[i];

		if (x->node == m->node && same_subnet(&x->p, p)) {
			ERR(c, pos,
			    "tunnel route %s is the subnet of %s:%s (%u:%u): the node has a "
			    "route to it already",
			    text, n->name, n->ifaces[x->iface].name, x->a->pos.line, x->a->pos.col);
			return;
		}
	}
	for (size_t j = 0; c->routes[m->node] && j < n->nroutes; j++) {
		const struct proute *r = &c->routes[m->node][j];

		if (r->ok && same_subnet(&r->dst, p)) {
			ERR(c, pos, "tunnel route %s is also a route of node '%s' (%u:%u)", text,
			    n->name, n->routes[j].pos.line, n->routes[j].pos.col);
			return;
		}
	}
}

/* A member's inner addresses and routes parse; clients' inner addresses lie in the server's. */
static void member_addrs(struct ck *c, const struct topo_member *m, const struct topo_member *srv)
{
	for (size_t i = 0; i < m->naddrs; i++) {
		struct prefix p, q;
		char err[160];
		bool in = false;

		if (prefix_parse(m->addrs[i], true, &p, err, sizeof(err))) {
			ERR(c, m->addr_pos[i], "%s", err);
			continue;
		}
		if (!srv)
			continue;
		for (size_t j = 0; j < srv->naddrs && !in; j++)
			in = !prefix_parse(srv->addrs[j], true, &q, err, sizeof(err)) &&
			     same_subnet(&p, &q);
		if (!in)
			ERR(c, m->addr_pos[i], "%s shares no subnet with the server's addresses",
			    m->addrs[i]);
	}
	for (size_t i = 0; i < m->nroutes; i++) {
		struct prefix p;
		char err[160];

		if (prefix_parse(m->routes[i], true, &p, err, sizeof(err)))
			ERR(c, m->route_pos[i], "%s", err);
		else if (m->node >= 0)
			route_clash(c, m, &p, m->routes[i], m->route_pos[i]);
	}
}

static void endpoint_reach(struct ck *c, size_t k, const struct topo_member *m)
{
	const struct topo_tunnel *tu = &c->t->tunnels[k];
	struct topo_pos pos = m->endpoint    ? m->endpoint_pos
			      : tu->endpoint ? tu->endpoint_pos
					     : m->pos;
	char ep[64], err[160], why[160];
	struct prefix p;

	if (!topo_endpoint(c->t, k, m, ep, sizeof(ep))) {
		ERR(c, tu->server.pos,
		    "the server '%s' has no public address for clients to dial; give 'endpoint'",
		    tu->server.node_name);
		return;
	}
	if (prefix_parse(ep, false, &p, err, sizeof(err)) ||
	    p.len != (p.family == AF_INET ? 32 : 128)) {
		ERR(c, pos, "endpoint '%s' is not an address", ep);
		return;
	}
	if (owner(c, &p) != tu->server.node) {
		ERR(c, pos, "endpoint %s is no address of the server '%s'", ep,
		    tu->server.node_name);
		return;
	}
	if (route_to(c, m->node, &p, why, sizeof(why)))
		ERR(c, m->pos, "client '%s' cannot reach the server's endpoint %s: %s",
		    m->node_name, ep, why);
}

static void tunnels(struct ck *c)
{
	struct topo *t = c->t;

	for (size_t k = 0; k < t->ntunnels; k++) {
		struct topo_tunnel *tu = &t->tunnels[k];
		int s = member_node(c, &tu->server, "server", tu->name);

		if (!tu->server.node_name)
			continue;
		member_addrs(c, &tu->server, NULL);
		if (!tu->nclients)
			ERR(c, tu->pos, "tunnel '%s' has no clients", tu->name);
		for (size_t i = 0; i < tu->nclients; i++) {
			struct topo_member *m = &tu->clients[i];

			if (member_node(c, m, "client", tu->name) < 0)
				continue;
			if (m->node == s) {
				ERR(c, m->pos,
				    "node '%s' is the server of tunnel '%s', not a client",
				    m->node_name, tu->name);
				continue;
			}
			for (size_t j = 0; j < i; j++)
				if (tu->clients[j].node == m->node) {
					ERR(c, m->pos, "node '%s' is a client of tunnel '%s' twice",
					    m->node_name, tu->name);
					break;
				}
			member_addrs(c, m, &tu->server);
			if (s >= 0 && !c->loose)
				endpoint_reach(c, k, m);
		}
	}
}

/* Two tunnels served by one node cannot listen on one port. */
static void ports(struct ck *c)
{
	const struct topo *t = c->t;

	for (size_t k = 0; k < t->ntunnels; k++)
		for (size_t j = 0; j < k; j++) {
			const struct topo_tunnel *a = &t->tunnels[j], *b = &t->tunnels[k];

			if (a->server.node >= 0 && a->server.node == b->server.node &&
			    a->port == b->port) {
				ERR(c, b->pos,
				    "tunnel '%s' listens on UDP %d of '%s', as tunnel '%s' does "
				    "(%u:%u)",
				    b->name, b->port, b->server.node_name, a->name, a->pos.line,
				    a->pos.col);
				break;
			}
		}
}

static void roles(struct ck *c)
{
	struct topo *t = c->t;

	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!t->role_node[r])
			continue;
		char what[40];

		snprintf(what, sizeof(what), " (role '%s')", topo_role_name((enum topo_role)r));
		t->roles[r] = node_named(c, t->role_node[r], t->role_pos[r], what);
	}
}

/*
 * What up cannot build yet, said here so validate says it too: up runs the
 * same checks when it loads the file, and refuses with the same lines.
 */
static void buildable(struct ck *c)
{
	const struct topo *t = c->t;

	/* At the second, where the file goes past what up starts. */
	if (t->ntunnels > 1)
		ERR(c, t->tunnels[1].pos, "%zu tunnels; up starts one tunnel a lab so far",
		    t->ntunnels);
	/* reorder is always a delay line, which holds a packet 1s at most. */
	for (size_t i = 0; i < t->nlinks; i++)
		if (t->links[i].im.reorder > 0 && t->links[i].im.delay_ns > 1000000000ull)
			ERR(c, t->links[i].pos,
			    "delay over 1s with reorder; the delay line that reorders holds a "
			    "packet 1s at most");
}

/* Whether addr is on a lab interface or inside a tunnel: the lab only sends to its own. */
static bool lab_address(const struct ck *c, const struct prefix *addr)
{
	const struct topo *t = c->t;

	if (owner(c, addr) >= 0)
		return true;
	for (size_t k = 0; k < t->ntunnels; k++) {
		const struct topo_tunnel *tu = &t->tunnels[k];

		for (size_t i = 0; i <= tu->nclients; i++) {
			const struct topo_member *m = i ? &tu->clients[i - 1] : &tu->server;

			for (size_t j = 0; j < m->naddrs; j++) {
				struct prefix p;
				char err[160];

				if (!prefix_parse(m->addrs[j], true, &p, err, sizeof(err)) &&
				    same_addr(&p, addr))
					return true;
			}
		}
	}
	return false;
}

static void target(struct ck *c, const char *to, struct topo_pos pos)
{
	struct prefix p;
	char err[160];

	if (!to || topo_node(c->t, to) >= 0)
		return;
	if (prefix_parse(to, false, &p, err, sizeof(err)) ||
	    p.len != (p.family == AF_INET ? 32 : 128)) {
		ERR(c, pos, "'%s' is neither a node of this lab nor an address", to);
		return;
	}
	if (!lab_address(c, &p))
		ERR(c, pos, "%s is no address in this lab (the lab only sends to its own)", to);
}

/* A lab with a tunnel plays the client and server roles from it, where it names none. */
static void roles_from_tunnel(struct topo *t)
{
	if (!t->ntunnels || !t->tunnels[0].nclients)
		return;
	if (t->roles[ROLE_CLIENT] < 0)
		t->roles[ROLE_CLIENT] = t->tunnels[0].clients[0].node;
	if (t->roles[ROLE_SERVER] < 0)
		t->roles[ROLE_SERVER] = t->tunnels[0].server.node;
}

/* An expectation observed by a command that needs roles: the lab must have them, each
 * missing one its own line, as every fault of a file is reported at once. */
static void needs_roles(struct ck *c, const struct topo_expect *x, const char *what,
			unsigned int roles)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if ((roles & (1u << r)) && c->t->roles[r] < 0)
			ERR(c, x->pos, "'%s' needs the lab's '%s' role, which it does not name",
			    what, topo_role_name((enum topo_role)r));
}

static void expects(struct ck *c)
{
	struct topo *t = c->t;

	roles_from_tunnel(t);
	for (size_t i = 0; i < t->nexpects; i++) {
		struct topo_expect *x = &t->expects[i];
		int n, f;

		/* check follows the ping client, NAT, internet, server, target; mtu-probe
		 * goes from the client to the server's two sides. */
		if (x->kind == EXPECT_CHECK)
			needs_roles(c, x, "check", (1u << ROLE_COUNT) - 1);
		if (x->kind == EXPECT_MTU_PROBE)
			needs_roles(c, x, "mtu-probe", 1u << ROLE_CLIENT | 1u << ROLE_SERVER);

		if (x->from)
			node_named(c, x->from, x->from_pos, "");
		target(c, x->to, x->to_pos);
		if (x->kind == EXPECT_PATH_MTU && x->largest && x->largest >= x->mtu)
			ERR(c, x->pos, "'largest' (%d) must be below 'mtu' (%d)", x->largest,
			    x->mtu);
		if (x->kind == EXPECT_CAPTURE && x->at)
			resolve_end(c, x->at, x->at_pos, &n, &f);
	}
}

size_t topo_check(struct topo *t, struct topo_errors *e)
{
	struct ck c = {.t = t, .e = e};

	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].nifaces > c.stride)
			c.stride = t->nodes[i].nifaces;
	size_t slots = t->nnodes * c.stride;

	c.link_of = malloc((slots ? slots : 1) * sizeof(int));
	c.routes = calloc(t->nnodes ? t->nnodes : 1, sizeof(*c.routes));
	if (!c.link_of || !c.routes) {
		free(c.link_of);
		free(c.routes);
		topo_error(e, t->file ? t->file : "?", (struct topo_pos){0, 0}, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < slots; i++)
		c.link_of[i] = -1;
	names(&c);
	addresses(&c);
	if (c.ents) {
		links(&c);
		for (size_t i = 0; i < t->nnodes; i++)
			node_routes(&c, i);
		roles(&c);
		tunnels(&c);
		buildable(&c);
		ports(&c);
		expects(&c);
	} else {
		ERR(&c, ((struct topo_pos){0, 0}), "out of memory");
	}
	for (size_t i = 0; i < t->nnodes; i++)
		free(c.routes[i]);
	free(c.routes);
	free(c.link_of);
	free(c.ents);
	return c.found;
}
