#include "reorder.h"
#include "firewall.h"
#include "lib/netns.h"
#include "lib/tun.h"
#include "spawn.h"
#include "state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_tun(void *arg)
{
	char err[256];
	int fd = tun_open(arg, false, err, sizeof(err));

	return fd < 0 ? -EIO : fd;
}

/* A delay line from an earlier start in the same place gives way to the new one. */
void delay_line_stop(const struct lab *lab, const struct delay_line *d)
{
	struct record *recs = NULL;
	int n = state_load(lab, &recs);

	for (int i = 0; i < n; i++)
		if (recs[i].kind == REC_PROC && !strcmp(recs[i].what, d->what) &&
		    !strcmp(recs[i].name, lab_name(lab, d->node)))
			proc_stop(recs[i].pid, recs[i].start, 500);
	free(recs);
}

/* The device up, and the node's reverse-path check off for it: what comes
 * back out of it has a source routed via the link it came in on, not via it. */
static int ready_device(const struct lab *lab, struct nl *nl, const struct delay_line *d, char *err,
			size_t errlen)
{
	struct nl_link link;
	char ns[64], key[64];
	int fd, rc;

	rc = nl_link_get(nl, d->dev, 0, &link);
	if (!rc)
		rc = nl_link_set(nl, link.index, true, 0);
	fd = netns_open(lab_ns(lab, d->node, ns, sizeof(ns)));
	snprintf(key, sizeof(key), "net.ipv4.conf.%s.rp_filter", d->dev);
	if (!rc && fd >= 0) {
		rc = netns_sysctl(fd, "net.ipv4.conf.all.rp_filter", "0");
		if (!rc)
			rc = netns_sysctl(fd, key, "0");
	}
	if (fd >= 0)
		close(fd);
	if (rc || fd < 0)
		snprintf(err, errlen, "cannot bring up %s in %s: %s", d->dev, ns,
			 netns_error(rc ? rc : fd));
	return rc || fd < 0 ? -1 : 0;
}

int delay_line_start(const struct lab *lab, struct nl *nl, const struct delay_line *d, char *err,
		     size_t errlen)
{
	char self[PATH_MAX], hold[32], log[PATH_MAX], ns[64];
	char *argv[] = {self, "delay-line", "--hold", hold, NULL};
	int fd;
	pid_t pid;

	delay_line_stop(lab, d);
	if (sibling_path("harness", self, sizeof(self))) {
		snprintf(err, errlen, "cannot find the harness binary to run the delay line");
		return -1;
	}
	snprintf(hold, sizeof(hold), "%lluus", (unsigned long long)(d->hold_ns / 1000));
	snprintf(log, sizeof(log), "%s/%s.%s.log", lab->dir, lab_name(lab, d->node), d->what);
	lab_ns(lab, d->node, ns, sizeof(ns));
	lab_explain(lab, "ip netns exec %s harness delay-line --hold %s &   # on TUN %s", ns, hold,
		    d->dev);
	fd = netns_call_name(ns, open_tun, (void *)d->dev);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open TUN device %s in %s: %s", d->dev, ns,
			 netns_error(fd));
		return -1;
	}
	if (ready_device(lab, nl, d, err, errlen)) {
		close(fd);
		return -1;
	}
	/* The device lives as long as the process holding fd: down's kill removes it. */
	pid = spawn_in_ns(lab, ns, lab_name(lab, d->node), d->what, argv, log, &fd, 1, err, errlen);
	close(fd);
	return pid < 0 ? -1 : 0;
}

int reorder_apply(const struct lab *lab, struct nl *nl, double percent, uint64_t hold_ns, char *err,
		  size_t errlen)
{
	struct delay_line d = {.node = lab_role(lab, ROLE_INTERNET),
			       .dev = REORDER_DEV,
			       .what = "delay-line",
			       .hold_ns = hold_ns};

	/* Rules first: while they stand, a missing device would swallow packets. */
	if (firewall_reorder(lab, 0, err, errlen))
		return -1;
	delay_line_stop(lab, &d);
	if (percent <= 0)
		return 0;
	if (delay_line_start(lab, nl, &d, err, errlen))
		return -1;
	return firewall_reorder(lab, percent, err, errlen);
}

unsigned long long reorder_count(const struct lab *lab)
{
	unsigned long long n = 0;
	char err[128];

	if (firewall_reordered(lab, &n, err, sizeof(err)))
		return 0;
	return n;
}
