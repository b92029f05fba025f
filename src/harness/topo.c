#include "topo.h"

#include <stdlib.h>
#include <string.h>

void topo_init(struct topo *t)
{
	memset(t, 0, sizeof(*t));
	for (int r = 0; r < ROLE_COUNT; r++)
		t->roles[r] = -1;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_member(struct topo_member *m)
{
	free(m->node_name);
	free_strings(m->addrs, m->naddrs);
	free_strings(m->routes, m->nroutes);
	free(m->endpoint);
	free(m->addr_pos);
	free(m->route_pos);
}

static void free_node(struct topo_node *n)
{
	for (size_t i = 0; i < n->nifaces; i++) {
		for (size_t j = 0; j < n->ifaces[i].naddrs; j++)
			free(n->ifaces[i].addrs[j].cidr);
		free(n->ifaces[i].addrs);
		free(n->ifaces[i].name);
	}
	free(n->ifaces);
	for (size_t i = 0; i < n->nroutes; i++) {
		free(n->routes[i].dst);
		free(n->routes[i].via);
	}
	free(n->routes);
	free_strings(n->exec, n->nexec);
	free(n->name);
	free(n->label);
	free(n->masquerade);
}

static void free_expect(struct topo_expect *e)
{
	free(e->from);
	free(e->to);
	free(e->verdict);
	free(e->at);
	free(e->filter);
}

void topo_free(struct topo *t)
{
	for (size_t i = 0; i < t->nnodes; i++)
		free_node(&t->nodes[i]);
	free(t->nodes);
	for (size_t i = 0; i < t->nlinks; i++) {
		free(t->links[i].a.spec);
		free(t->links[i].b.spec);
	}
	free(t->links);
	for (size_t i = 0; i < t->ntunnels; i++) {
		struct topo_tunnel *tu = &t->tunnels[i];

		free(tu->name);
		free(tu->endpoint);
		free_member(&tu->server);
		for (size_t j = 0; j < tu->nclients; j++)
			free_member(&tu->clients[j]);
		free(tu->clients);
	}
	free(t->tunnels);
	for (size_t i = 0; i < t->nexpects; i++)
		free_expect(&t->expects[i]);
	free(t->expects);
	for (int r = 0; r < ROLE_COUNT; r++)
		free(t->role_node[r]);
	free(t->name);
	free(t->file);
	topo_init(t);
}

int topo_node(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (int)i;
	return -1;
}

int topo_iface(const struct topo_node *n, const char *name)
{
	for (size_t i = 0; i < n->nifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return (int)i;
	return -1;
}

const char *topo_role_name(enum topo_role r)
{
	static const char *const names[ROLE_COUNT] = {
	    [ROLE_CLIENT] = "client", [ROLE_NAT] = "nat",	[ROLE_INTERNET] = "internet",
	    [ROLE_SERVER] = "server", [ROLE_TARGET] = "target",
	};

	return r < ROLE_COUNT ? names[r] : "?";
}
