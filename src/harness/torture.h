/*
 * harness torture: a hostile network, one scenario at a time, each in a
 * lab of its own making.  torture.c is the command (its options, the
 * table of scenarios, the run and the report); each scenario is a file of
 * its own, torture_NAME.c, that exposes one struct torture_scenario; what
 * they share is torture_util.h.
 */
#ifndef TUNLAB_HARNESS_TORTURE_H
#define TUNLAB_HARNESS_TORTURE_H

#include "lab.h"

#include <stdbool.h>
#include <stdint.h>

#define TORTURE_RSS_MAX 700 /* samples */

/* What one scenario did, what survived, and the bytes that did not arrive intact. */
struct torture_result {
	bool ran, survived;
	uint64_t lost;
	char did[512], kept[512];
};

/* What every scenario works with. */
struct torture {
	struct lab lab; /* LAB-x, the scenarios' lab */
	char prefix[LAB_NAME_MAX + 1];
	const char *file; /* --file: the labs come up from this lab file */
	bool quick;
	uint64_t bytes; /* per transfer */
	int soak_s, kills;
	double rss[TORTURE_RSS_MAX]; /* the soak's samples of the server's RSS, bytes */
	int nrss;
	char err[256];
};

struct torture_scenario {
	const char *name; /* as --scenarios takes it */
	const char *about;
	/* 0 with r filled in (survived or not), -1 with t->err when it could not run. */
	int (*run)(struct torture *t, struct torture_result *r);
	unsigned int roles; /* a bit per role (topo.h) it reaches for, checked by --file */
	bool tunnel;	    /* moves data through the lab's tunnel */
	bool every_mode;    /* plaintext and pi too, which take a tunnel with one client */
};

extern const struct torture_scenario torture_lossy, torture_restart, torture_rebind, torture_flood,
    torture_soak, torture_killed;

#endif
