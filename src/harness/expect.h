/*
 * A lab's expectations, observed on the running lab: each is one
 * observation (a ping answered or not, a path MTU, a verdict, a capture)
 * made by running the harness's own subcommands against the lab, so a
 * lab test sees exactly what a person typing them would see.
 */
#ifndef TUNLAB_HARNESS_EXPECT_H
#define TUNLAB_HARNESS_EXPECT_H

#include "topo.h"

#include <stdbool.h>
#include <stddef.h>

struct expect_ctx {
	const struct topo *topo;
	const char *lab;  /* the running lab's name */
	const char *self; /* the harness binary, to run its subcommands */
};

struct expect_result {
	bool pass;
	char title[160];  /* "reach home-laptop -> 172.31.9.200" */
	char detail[256]; /* what was seen: "3 of 3 answered" */
	double seconds;
};

/* A one-line name for an expectation, as the report shows it. */
void expect_title(const struct topo *t, const struct topo_expect *e, char *out, size_t cap);
/* Observes one expectation on the running lab. */
void expect_run(const struct expect_ctx *c, const struct topo_expect *e, struct expect_result *r);
/*
 * Runs the harness (self) with argv, stdin from /dev/null, and keeps what
 * it printed (stdout and stderr, cut to cap); returns its exit status, or
 * -1 if it could not run or took longer than timeout_s (it is then killed).
 */
int run_self(const char *self, char *const argv[], char *out, size_t cap, int timeout_s);

#endif
