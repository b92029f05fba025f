#include "topo_default.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The default lab, labs/home-office.yml, built in C.  It says exactly
 * what the file says, node for node and line for line, so that the
 * harness runs from a struct topo before it can read one.
 */

struct build {
	struct topo *t;
	bool oom;
};

static char *copy(struct build *b, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		b->oom = true;
	return d;
}

/* Grows an array by one zeroed element; NULL when memory ran out. */
static void *grow(struct build *b, void **v, size_t *n, size_t size)
{
	char *p = b->oom ? NULL : realloc(*v, (*n + 1) * size);

	if (!p) {
		b->oom = true;
		return NULL;
	}
	*v = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

static struct topo_node *node(struct build *b, const char *name, const char *label, bool forward,
			      const char *masquerade)
{
	struct topo_node *n = grow(b, (void **)&b->t->nodes, &b->t->nnodes, sizeof(*n));

	if (n) {
		n->name = copy(b, name);
		n->label = copy(b, label);
		n->forward = forward;
		n->masquerade = copy(b, masquerade);
	}
	return n;
}

static void iface(struct build *b, struct topo_node *n, const char *name, const char *a4,
		  const char *a6)
{
	struct topo_iface *i = n ? grow(b, (void **)&n->ifaces, &n->nifaces, sizeof(*i)) : NULL;
	const char *cidr[2] = {a4, a6};

	if (!i)
		return;
	i->name = copy(b, name);
	for (int k = 0; k < 2; k++) {
		struct topo_addr *a = grow(b, (void **)&i->addrs, &i->naddrs, sizeof(*a));

		if (a)
			a->cidr = copy(b, cidr[k]);
	}
}

static void route(struct build *b, struct topo_node *n, const char *dst, const char *via)
{
	struct topo_route *r = n ? grow(b, (void **)&n->routes, &n->nroutes, sizeof(*r)) : NULL;

	if (r) {
		r->dst = copy(b, dst);
		r->via = copy(b, via);
	}
}

static void end(struct build *b, struct topo_end *e, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
	e->spec = copy(b, spec);
	e->node = e->iface = -1;
	if (b->oom)
		return;
	e->node = topo_node(b->t, name);
	e->iface = e->node < 0 ? -1 : topo_iface(&b->t->nodes[e->node], colon + 1);
}

static void add_link(struct build *b, const char *a, const char *z)
{
	struct topo_link *l = grow(b, (void **)&b->t->links, &b->t->nlinks, sizeof(*l));

	if (l) {
		end(b, &l->a, a);
		end(b, &l->b, z);
	}
}

static void strings(struct build *b, char ***v, size_t *n, const char *x, const char *y)
{
	const char *s[2] = {x, y};

	for (int k = 0; k < 2; k++) {
		char **p = grow(b, (void **)v, n, sizeof(*p));

		if (p)
			*p = copy(b, s[k]);
	}
}

static void member(struct build *b, struct topo_member *m, const char *name, const char *a4,
		   const char *a6)
{
	m->node_name = copy(b, name);
	m->node = b->oom ? -1 : topo_node(b->t, name);
	strings(b, &m->addrs, &m->naddrs, a4, a6);
}

static void tunnel(struct build *b)
{
	struct topo_tunnel *tu = grow(b, (void **)&b->t->tunnels, &b->t->ntunnels, sizeof(*tu));
	struct topo_member *c;

	if (!tu)
		return;
	tu->name = copy(b, "vpn");
	tu->mode = MODE_ENCRYPTED;
	tu->port = 1234;
	member(b, &tu->server, "office-server", "172.31.255.13/24", "fd00:172:31:255::13/64");
	c = grow(b, (void **)&tu->clients, &tu->nclients, sizeof(*c));
	if (!c)
		return;
	member(b, c, "home-laptop", "172.31.255.7/24", "fd00:172:31:255::7/64");
	strings(b, &c->routes, &c->nroutes, "172.16.0.0/12", "fd00:172:31::/48");
}

static void nodes(struct build *b)
{
	struct topo_node *n;

	n = node(b, "home-laptop", "VPN client", false, NULL);
	iface(b, n, "eth0", "192.168.1.192/24", "fd00:192:168:1::192/64");
	route(b, n, "default", "192.168.1.1");
	route(b, n, "default", "fd00:192:168:1::1");

	n = node(b, "home-router", "NAT router", true, "wan");
	iface(b, n, "lan", "192.168.1.1/24", "fd00:192:168:1::1/64");
	iface(b, n, "wan", "198.51.100.2/24", "2001:db8:198::2/64");
	route(b, n, "default", "198.51.100.1");
	route(b, n, "default", "2001:db8:198::1");

	n = node(b, "internet", "router between the two sides", true, NULL);
	iface(b, n, "home", "198.51.100.1/24", "2001:db8:198::1/64");
	iface(b, n, "office", "203.0.113.1/24", "2001:db8:203::1/64");

	n = node(b, "office-server", "VPN server, office gateway", true, NULL);
	iface(b, n, "wan", "203.0.113.10/24", "2001:db8:203::10/64");
	iface(b, n, "lan", "172.31.9.116/20", "fd00:172:31::116/64");
	route(b, n, "default", "203.0.113.1");
	route(b, n, "default", "2001:db8:203::1");

	n = node(b, "office-host", "office LAN machine", false, NULL);
	iface(b, n, "eth0", "172.31.9.200/20", "fd00:172:31::200/64");
	/* The office LAN reaches VPN clients through the VPN server. */
	route(b, n, "172.31.255.0/24", "172.31.9.116");
	route(b, n, "fd00:172:31:255::/64", "fd00:172:31::116");
}

int topo_home_office(struct topo *t)
{
	static const char *const roles[ROLE_COUNT] = {
	    [ROLE_CLIENT] = "home-laptop", [ROLE_NAT] = "home-router",
	    [ROLE_INTERNET] = "internet",  [ROLE_SERVER] = "office-server",
	    [ROLE_TARGET] = "office-host",
	};
	struct build b = {t, false};

	topo_init(t);
	t->name = copy(&b, "home-office");
	nodes(&b);
	add_link(&b, "home-laptop:eth0", "home-router:lan");
	add_link(&b, "home-router:wan", "internet:home");
	add_link(&b, "internet:office", "office-server:wan");
	add_link(&b, "office-server:lan", "office-host:eth0");
	tunnel(&b);
	for (int r = 0; r < ROLE_COUNT && !b.oom; r++)
		t->roles[r] = topo_node(t, roles[r]);
	if (b.oom) {
		topo_free(t);
		return -1;
	}
	return 0;
}
