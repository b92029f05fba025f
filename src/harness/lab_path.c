#include "lab.h"

#include <stdio.h>
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

const char *lab_uplink(const struct lab *lab, int from, int to)
{
	const struct topo *t = &lab->topo;
	int i = lab_iface_toward(t, from, to);

	if (from < 0 || (size_t)from >= t->nnodes)
		return "?";
	if (i < 0)
		i = 0;
	return (size_t)i < t->nodes[from].nifaces ? t->nodes[from].ifaces[i].name : "?";
}

static void point(struct lab *lab, int k, int node, const char *ifname)
{
	struct path_point *p = &lab->path[k];

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
