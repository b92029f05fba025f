#include "lab.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The six points the walkthrough and check watch, found from the roles
 * rather than named: the client's tunnel, the client's uplink, the NAT's
 * side toward the internet, the server's side toward the internet, the
 * server's tunnel, and the target's side toward the server.
 */

int lab_iface_toward(const struct topo *t, int from, int to)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.node == from && l->b.node == to)
			return l->a.iface;
		if (l->b.node == from && l->a.node == to)
			return l->b.iface;
	}
	return -1;
}

int lab_iface_peer(const struct topo *t, int node, int iface, int *peer)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.node == node && l->a.iface == iface) {
			*peer = l->b.node;
			return l->b.iface;
		}
		if (l->b.node == node && l->b.iface == iface) {
			*peer = l->a.node;
			return l->a.iface;
		}
	}
	return -1;
}

/* Hops from every node to node to over the links, -1 where no path goes; into dist. */
static void hops_to(const struct topo *t, int to, int *dist)
{
	bool more = true;

	for (size_t n = 0; n < t->nnodes; n++)
		dist[n] = (int)n == to ? 0 : -1;
	for (int d = 0; more; d++) {
		more = false;
		for (size_t i = 0; i < t->nlinks; i++) {
			int a = t->links[i].a.node, b = t->links[i].b.node;

			if (a < 0 || b < 0)
				continue;
			if (dist[a] == d && dist[b] < 0)
				dist[b] = d + 1, more = true;
			if (dist[b] == d && dist[a] < 0)
				dist[a] = d + 1, more = true;
		}
	}
}

/*
 * The first hop of a shortest path over the links: on cgnat the internet's
 * side toward the home router is the one toward the carrier, which no link
 * joins to the home router itself.  Never some other interface of the node.
 */
int lab_iface_route(const struct topo *t, int from, int to)
{
	int *dist, found = -1;

	if (from < 0 || to < 0 || (size_t)from >= t->nnodes || (size_t)to >= t->nnodes ||
	    from == to)
		return -1;
	dist = calloc(t->nnodes, sizeof(*dist));
	if (!dist)
		return -1;
	hops_to(t, to, dist);
	for (size_t i = 0; i < t->nlinks && found < 0 && dist[from] > 0; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.node == from && l->b.node >= 0 && dist[l->b.node] == dist[from] - 1)
			found = l->a.iface;
		else if (l->b.node == from && l->a.node >= 0 && dist[l->a.node] == dist[from] - 1)
			found = l->b.iface;
	}
	free(dist);
	return found;
}

const char *lab_uplink(const struct lab *lab, int from, int to)
{
	const struct topo *t = &lab->topo;
	int i = lab_iface_route(t, from, to);

	return i >= 0 && (size_t)i < t->nodes[from].nifaces ? t->nodes[from].ifaces[i].name : NULL;
}

static void point(struct lab *lab, int k, int node, const char *ifname)
{
	struct path_point *p = &lab->path[k];

	/* Without a path between the roles' nodes there is no such point to watch. */
	if (!ifname)
		return;
	p->node = node;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	snprintf(p->name, sizeof(p->name), "%s:%s", lab_name(lab, node), ifname);
}

void lab_path_find(struct lab *lab)
{
	int client = lab_role(lab, ROLE_CLIENT), nat = lab_role(lab, ROLE_NAT),
	    net = lab_role(lab, ROLE_INTERNET), server = lab_role(lab, ROLE_SERVER),
	    target = lab_role(lab, ROLE_TARGET);

	for (int k = 0; k < PATH_POINTS; k++)
		lab->path[k].node = -1;
	if (client < 0 || nat < 0 || net < 0 || server < 0 || target < 0)
		return;
	point(lab, 0, client, "tun0");
	point(lab, 1, client, lab_uplink(lab, client, nat));
	/* The NAT's outside is the interface it masquerades out of, wherever the internet is. */
	point(lab, 2, nat,
	      lab->topo.nodes[nat].masquerade ? lab->topo.nodes[nat].masquerade
					      : lab_uplink(lab, nat, net));
	point(lab, 3, server, lab_uplink(lab, server, net));
	point(lab, 4, server, "tun0");
	point(lab, 5, target, lab_uplink(lab, target, server));
}
