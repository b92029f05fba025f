/*
 * Where harness graph gets the topology it draws.
 *
 * THE ONE PLACE TO SWAP: lab files are not read yet, so graph_load draws
 * only the default lab, built here in code as labs/home-office.yml
 * describes it.  Once the lab file reader is in, graph_load becomes a call
 * to it (with labs/home-office.yml for file NULL) and this table goes.
 */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iface_spec {
	const char *name, *v4, *v6;
};

struct node_spec {
	const char *name, *label, *masquerade;
	bool forward;
	struct iface_spec ifaces[2];
	const char *routes[2][2]; /* dst, via */
};

static const struct node_spec home_office[] = {
    {"home-laptop",
     "VPN client",
     NULL,
     false,
     {{"eth0", "192.168.1.192/24", "fd00:192:168:1::192/64"}},
     {{"default", "192.168.1.1"}, {"default", "fd00:192:168:1::1"}}},
    {"home-router",
     "NAT router",
     "wan",
     true,
     {{"lan", "192.168.1.1/24", "fd00:192:168:1::1/64"},
      {"wan", "198.51.100.2/24", "2001:db8:198::2/64"}},
     {{"default", "198.51.100.1"}, {"default", "2001:db8:198::1"}}},
    {"internet",
     "router between the two sides",
     NULL,
     true,
     {{"home", "198.51.100.1/24", "2001:db8:198::1/64"},
      {"office", "203.0.113.1/24", "2001:db8:203::1/64"}},
     {{NULL, NULL}}},
    {"office-server",
     "VPN server, office gateway",
     NULL,
     true,
     {{"wan", "203.0.113.10/24", "2001:db8:203::10/64"},
      {"lan", "172.31.9.116/20", "fd00:172:31::116/64"}},
     {{"default", "203.0.113.1"}, {"default", "2001:db8:203::1"}}},
    {"office-host",
     "office LAN machine",
     NULL,
     false,
     {{"eth0", "172.31.9.200/20", "fd00:172:31::200/64"}},
     {{"172.31.255.0/24", "172.31.9.116"}, {"fd00:172:31:255::/64", "fd00:172:31::116"}}},
};

static const char *const home_office_links[][2] = {
    {"home-laptop:eth0", "home-router:lan"},
    {"home-router:wan", "internet:home"},
    {"internet:office", "office-server:wan"},
    {"office-server:lan", "office-host:eth0"},
};

/* Copies that remember a failure, so the builder checks once at the end. */
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

static void *array(struct build *b, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		b->oom = true;
	return p;
}

static void build_iface(struct build *b, struct topo_iface *ifc, const struct iface_spec *s)
{
	ifc->name = copy(b, s->name);
	ifc->addrs = array(b, 2, sizeof(*ifc->addrs));
	if (!ifc->addrs)
		return;
	ifc->addrs[0].cidr = copy(b, s->v4);
	ifc->addrs[1].cidr = copy(b, s->v6);
	ifc->naddrs = 2;
}

static void build_node(struct build *b, struct topo_node *n, const struct node_spec *s)
{
	n->name = copy(b, s->name);
	n->label = copy(b, s->label);
	n->masquerade = copy(b, s->masquerade);
	n->forward = s->forward;
	n->ifaces = array(b, 2, sizeof(*n->ifaces));
	n->routes = array(b, 2, sizeof(*n->routes));
	if (!n->ifaces || !n->routes)
		return;
	for (size_t k = 0; k < 2 && s->ifaces[k].name; k++, n->nifaces++)
		build_iface(b, &n->ifaces[k], &s->ifaces[k]);
	for (size_t k = 0; k < 2 && s->routes[k][0]; k++, n->nroutes++) {
		n->routes[k].dst = copy(b, s->routes[k][0]);
		n->routes[k].via = copy(b, s->routes[k][1]);
	}
}

static void build_end(struct build *b, struct topo_end *e, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char node[64];

	e->spec = copy(b, spec);
	snprintf(node, sizeof(node), "%.*s", (int)(colon - spec), spec);
	e->node = topo_node(b->t, node);
	e->iface = topo_iface(&b->t->nodes[e->node], colon + 1);
}

static void build_member(struct build *b, struct topo_member *m, const char *node, const char *v4,
			 const char *v6)
{
	m->node_name = copy(b, node);
	m->node = topo_node(b->t, node);
	m->addrs = array(b, 2, sizeof(char *));
	if (!m->addrs)
		return;
	m->addrs[0] = copy(b, v4);
	m->addrs[1] = copy(b, v6);
	m->naddrs = 2;
}

static void build_tunnel(struct build *b, struct topo_tunnel *tu)
{
	tu->name = copy(b, "vpn");
	tu->mode = MODE_ENCRYPTED;
	tu->port = 1234;
	build_member(b, &tu->server, "office-server", "172.31.255.13/24", "fd00:172:31:255::13/64");
	tu->clients = array(b, 1, sizeof(*tu->clients));
	if (!tu->clients)
		return;
	tu->nclients = 1;
	build_member(b, &tu->clients[0], "home-laptop", "172.31.255.7/24", "fd00:172:31:255::7/64");
	tu->clients[0].routes = array(b, 2, sizeof(char *));
	if (!tu->clients[0].routes)
		return;
	tu->clients[0].routes[0] = copy(b, "172.16.0.0/12");
	tu->clients[0].routes[1] = copy(b, "fd00:172:31::/48");
	tu->clients[0].nroutes = 2;
}

static int home_office_topo(struct topo *t)
{
	const size_t nn = sizeof(home_office) / sizeof(home_office[0]);
	const size_t nl = sizeof(home_office_links) / sizeof(home_office_links[0]);
	struct build b = {.t = t};

	t->name = copy(&b, "home-office");
	t->nodes = array(&b, nn, sizeof(*t->nodes));
	t->links = array(&b, nl, sizeof(*t->links));
	t->tunnels = array(&b, 1, sizeof(*t->tunnels));
	if (b.oom)
		return -1;
	for (size_t i = 0; i < nn; i++, t->nnodes++)
		build_node(&b, &t->nodes[i], &home_office[i]);
	if (b.oom)
		return -1;
	for (size_t i = 0; i < nl; i++, t->nlinks++) {
		build_end(&b, &t->links[i].a, home_office_links[i][0]);
		build_end(&b, &t->links[i].b, home_office_links[i][1]);
	}
	t->ntunnels = 1;
	build_tunnel(&b, &t->tunnels[0]);
	t->roles[ROLE_CLIENT] = topo_node(t, "home-laptop");
	t->roles[ROLE_NAT] = topo_node(t, "home-router");
	t->roles[ROLE_INTERNET] = topo_node(t, "internet");
	t->roles[ROLE_SERVER] = topo_node(t, "office-server");
	t->roles[ROLE_TARGET] = topo_node(t, "office-host");
	return b.oom ? -1 : 0;
}

int graph_load(const char *file, struct topo *t, char *err, size_t errlen)
{
	topo_init(t);
	if (file) {
		snprintf(err, errlen, "%s: lab files are not read yet", file);
		return -1;
	}
	if (home_office_topo(t)) {
		snprintf(err, errlen, "out of memory building the default lab");
		return -1;
	}
	return 0;
}
