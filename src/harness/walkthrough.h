/* harness walkthrough: one ping followed hop by hop, for a class. */
#ifndef TUNLAB_HARNESS_WALKTHROUGH_H
#define TUNLAB_HARNESS_WALKTHROUGH_H

#include "lab.h"
#include "layers.h"

#include <stdbool.h>
#include <stdio.h>

#define HOPS 6

struct hop_view {
	const char *point; /* "home-router:wan" */
	const char *story; /* what happened to get here */
	uint8_t pkt[2048];
	size_t len;
	bool seen;
	struct layers layers;
	char changes[6][200];
	int nchanges;
};

struct walk {
	struct lab lab;
	bool pause, pi;
	const char *html;
	const char *dir; /* where the hops' captures go */
	struct hop_view hops[HOPS];
	char reply[HOPS][256]; /* the answer, one decoded line per hop on the way back */
};

/* Fills hops[i].changes from what differs between hop i-1 and hop i. */
void walk_changes(struct walk *w);
void walk_print_hop(const struct walk *w, int i, FILE *f);
int walk_html(const struct walk *w, const char *path);

#endif
