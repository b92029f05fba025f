/* harness down: undo everything a lab recorded, whatever state it was left in. */
#include "commands.h"
#include "spawn.h"
#include "state.h"
#include "lib/netns.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness down [options]\n"
	      "\n"
	      "Stops the lab's processes (only the PIDs it recorded) and removes its\n"
	      "namespaces, links and files. Safe to run twice, and after a crash.\n"
	      "\n" COMMON_HELP,
	      f);
}

int lab_teardown(struct lab *lab, bool quiet)
{
	struct record *recs;
	int n = state_load(lab, &recs), procs = 0, nss = 0, failed = 0;

	if (n < 0) {
		fprintf(stderr, "harness down: cannot read the records in %s\n", lab->dir);
		return -1;
	}
	/* Processes first: a namespace lives on while a process is inside it. */
	for (int i = n - 1; i >= 0; i--) {
		if (recs[i].kind != REC_PROC)
			continue;
		if (proc_running(recs[i].pid, recs[i].start)) {
			lab_explain(lab, "kill %d   # %s on %s", recs[i].pid, recs[i].what,
				    recs[i].name);
			procs++;
		}
		proc_stop(recs[i].pid, recs[i].start, 3000);
	}
	for (int i = n - 1; i >= 0; i--) {
		if (recs[i].kind == REC_NETNS && netns_exists(recs[i].name)) {
			lab_explain(lab, "ip netns del %s", recs[i].name);
			if (netns_delete(recs[i].name)) {
				fprintf(stderr, "harness down: cannot remove namespace %s\n",
					recs[i].name);
				failed++;
				continue;
			}
			nss++;
		} else if (recs[i].kind == REC_FILE) {
			unlink(recs[i].name);
		}
	}
	free(recs);
	if (failed)
		return -1;
	state_remove(lab);
	if (!quiet)
		printf("Lab '%s' is down: stopped %d process%s, removed %d namespace%s.\n",
		       lab->name, procs, procs == 1 ? "" : "es", nss, nss == 1 ? "" : "s");
	return 0;
}

int cmd_down(int argc, char **argv)
{
	struct common c = {0};
	struct lab lab;
	char err[256];
	int rc;

	rc = parse_common("down", argc, argv, &c, usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (lab_init(&lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness down: %s\n", err);
		return 2;
	}
	lab.explain = c.explain;
	if (geteuid() != 0) {
		fprintf(stderr, "harness down: must run as root: it removes network namespaces\n");
		return 1;
	}
	rc = state_lock(&lab, false, err, sizeof(err));
	if (rc > 0) {
		printf("Lab '%s' is not up: nothing to remove.\n", lab.name);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "harness down: %s\n", err);
		return 1;
	}
	rc = lab_teardown(&lab, false);
	lab_fini(&lab);
	return rc ? 1 : 0;
}
