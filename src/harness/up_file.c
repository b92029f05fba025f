/*
 * harness up FILE: the lab file is read once, checked whole before
 * anything is made, and kept in the lab's directory, so every later
 * command of that lab (status, capture, down...) works from the very
 * text it was built from.  Also what a file asks of up beyond nodes,
 * links, addresses, routes and NAT: link impairments and exec lines.
 */
#include "up_file.h"
#include "firewall.h"
#include "labfile.h"
#include "lib/qdisc.h"
#include "reorder.h"
#include "spawn.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The loader bounds a tunnel's clients; up must have a place for each. */
_Static_assert(LABFILE_MAX_CLIENTS <= MAX_CLIENTS, "up holds every client a lab file may have");

int up_file_load(struct lab *lab, const char *path, char **text, size_t *len, char *err,
		 size_t errlen)
{
	struct topo_errors e;
	int rc = -1;

	/* Read once: what is checked is what is kept. */
	topo_free(&lab->topo);
	topo_errors_init(&e);
	*text = labfile_text(path, len, &e);
	if (*text)
		rc = labfile_load_text(path, *text, *len, &lab->topo, &e);
	/* Every fault on its own line, as validate gives them; the caller adds none. */
	if (rc)
		topo_errors_print(&e, path, stderr);
	topo_errors_free(&e);
	(void)errlen;
	if (rc) {
		err[0] = '\0';
		return -1;
	}
	lab_path_find(lab);
	lab_where_find(lab);
	return 0;
}

int up_file_keep(struct up *u, const char *text, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", u->lab.dir, LAB_FILE_KEPT);
	if (up_record_file(u, path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(u->err, sizeof(u->err), "cannot keep the lab file in %s: %s", path,
			 strerror(errno));
		return -1;
	}
	n = write(fd, text, len);
	close(fd);
	if (n != (ssize_t)len) {
		snprintf(u->err, sizeof(u->err), "cannot keep the lab file in %s", path);
		return -1;
	}
	return 0;
}

/*
 * delay, loss and rate on each end of a link: the same netem as harness
 * set.  A kernel without netem still limits rate with TBF, as harness set
 * does, and says so in *fallback: delay and loss are then diverted.
 */
static int netem_link(struct up *u, const struct topo_link *l, const struct netem *n,
		      bool *fallback)
{
	const struct topo *t = &u->lab.topo;
	const struct topo_end *ends[2] = {&l->a, &l->b};

	for (int k = 0; k < 2; k++) {
		const struct topo_node *node = &t->nodes[ends[k]->node];
		const char *ifname = node->ifaces[ends[k]->iface].name;
		int index = link_index(u, ends[k]->node, ifname), rc;

		if (index < 0)
			return -1;
		lab_explain(&u->lab, "ip -n %s-%s link ... tc qdisc replace dev %s root netem",
			    u->lab.name, node->name, ifname);
		rc = qdisc_netem(&u->nl[ends[k]->node], index, n);
		if (rc == -ENOENT) {
			*fallback = true;
			rc = n->rate ? qdisc_tbf(&u->nl[ends[k]->node], index, n->rate) : 0;
		}
		if (rc) {
			snprintf(u->err, sizeof(u->err), "cannot impair %s:%s: %s%s", node->name,
				 ifname, strerror(-rc),
				 rc == -ENOENT ? " (rate on a link needs the netem or tbf qdisc)"
					       : "");
			return -1;
		}
	}
	return 0;
}

/*
 * Without netem, at each end's ingress: loss percent dropped by nftables,
 * then share percent sent to that end's own delay line, which holds each
 * packet hold_ns.  Names carry the link's number and end, so no two links
 * of a node meet, nor meet harness set's tables and device.
 */
static int divert_link(struct up *u, size_t i, double loss, double share, uint64_t hold_ns)
{
	const struct topo *t = &u->lab.topo;
	const struct topo_end *ends[2] = {&t->links[i].a, &t->links[i].b};

	for (int k = 0; k < 2; k++) {
		int node = ends[k]->node;
		const char *ifname = t->nodes[node].ifaces[ends[k]->iface].name;
		char dev[16], what[32], table[32];
		struct delay_line d = {.node = node, .dev = dev, .what = what, .hold_ns = hold_ns};
		struct divert v = {.table = table,
				   .ifaces = &ifname,
				   .nifaces = 1,
				   .loss = loss,
				   .share = share,
				   .dev = dev};

		/* '_' is in no lab interface name: no other device of the node has it. */
		snprintf(dev, sizeof(dev), "delay_%zu%c", i + 1, 'a' + k);
		snprintf(what, sizeof(what), "delay-line-%zu%c", i + 1, 'a' + k);
		snprintf(table, sizeof(table), "tunlab_link%zu%c", i + 1, 'a' + k);
		/* The device before the rules: a rule sending to no device swallows packets. */
		if (share > 0 &&
		    delay_line_start(&u->lab, &u->nl[node], &d, u->err, sizeof(u->err)))
			return -1;
		if (firewall_divert(&u->lab, node, &v, u->err, sizeof(u->err)))
			return -1;
	}
	return 0;
}

/*
 * netem where the kernel has it.  reorder is always a delay line, with
 * netem's meaning: reorder percent go at once and the rest wait the
 * delay, so the ones that went at once overtake them; a link without
 * delay holds reorder percent for harness set --reorder's default time.
 */
static int impair_link(struct up *u, size_t i, bool *fallback)
{
	const struct topo *t = &u->lab.topo;
	const struct topo_link *l = &t->links[i];
	bool reorder = l->im.reorder > 0, none = false; /* no netem in this kernel */
	struct netem n = {
	    .delay_ns = reorder ? 0 : l->im.delay_ns, .loss = l->im.loss, .rate = l->im.rate};
	double loss = 0, share = 0;
	uint64_t hold_ns = l->im.delay_ns;

	if ((n.delay_ns || n.loss > 0 || n.rate) && netem_link(u, l, &n, &none))
		return -1;
	*fallback |= none;
	if (none)
		loss = l->im.loss;
	if (reorder && l->im.delay_ns)
		share = 100 - l->im.reorder;
	else if (reorder)
		share = l->im.reorder, hold_ns = REORDER_DEFAULT_HOLD;
	else if (none && l->im.delay_ns)
		share = 100;
	if (share > 0 && hold_ns > 1000000000ull) {
		/* Over 1s with reorder was refused as the file was loaded. */
		snprintf(u->err, sizeof(u->err),
			 "link %s:%s - %s:%s: delay over 1s needs the netem qdisc, which this "
			 "kernel lacks; a delay line holds 1s at most",
			 t->nodes[l->a.node].name, t->nodes[l->a.node].ifaces[l->a.iface].name,
			 t->nodes[l->b.node].name, t->nodes[l->b.node].ifaces[l->b.iface].name);
		return -1;
	}
	return (loss > 0 || share > 0) ? divert_link(u, i, loss, share, hold_ns) : 0;
}

/* block-icmp: the routers at either end drop "too big" as they forward it. */
static int block_icmp(struct up *u, const struct topo_link *l)
{
	const struct topo *t = &u->lab.topo;
	int nodes[2] = {l->a.node, l->b.node};

	for (int k = 0; k < 2; k++)
		if (t->nodes[nodes[k]].forward &&
		    firewall_block_icmp(&u->lab, nodes[k], true, u->err, sizeof(u->err)))
			return -1;
	return 0;
}

int up_file_impair(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	size_t count = 0;
	bool fallback = false;

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		bool any = l->im.delay_ns || l->im.loss > 0 || l->im.rate || l->im.reorder > 0;

		if ((any && impair_link(u, i, &fallback)) || (l->im.block_icmp && block_icmp(u, l)))
			return -1;
		count += any || l->im.block_icmp;
	}
	if (count)
		step(u, "%zu impaired link%s%s", count, count == 1 ? "" : "s",
		     fallback ? " (no netem in this kernel: loss by nftables, delay by delay "
				"lines, rate by tbf)"
			      : "");
	return 0;
}

/* Each exec line runs in its node once everything is built, recorded like the tunnels. */
int up_file_exec(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	size_t count = 0;

	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t i = 0; i < t->nodes[n].nexec; i++, count++) {
			char *argv[] = {"/bin/sh", "-c", t->nodes[n].exec[i], NULL};
			char log[PATH_MAX], what[32];

			snprintf(log, sizeof(log), "%s/%s.exec%zu.log", u->lab.dir,
				 t->nodes[n].name, i + 1);
			snprintf(what, sizeof(what), "exec %zu", i + 1);
			if (up_record_file(u, log) ||
			    spawn_in_node(&u->lab, (int)n, what, argv, log, u->err,
					  sizeof(u->err)) < 0)
				return -1;
		}
	if (count)
		step(u, "%zu exec line%s started", count, count == 1 ? "" : "s");
	return 0;
}
