/* harness walkthrough: one ping followed hop by hop, for a class. */
#ifndef TUNLAB_HARNESS_WALKTHROUGH_H
#define TUNLAB_HARNESS_WALKTHROUGH_H

#include "lab.h"
#include "layers.h"
#include "lib/wgdecode.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#define HOPS	 6
#define WALK_PKT 2048

struct hop_view {
	const char *point; /* "home-router:wan" */
	const char *story; /* what happened to get here */
	uint8_t pkt[WALK_PKT];
	size_t len;
	bool seen;
	struct layers layers;
	/* Encrypted mode: the packet inside, opened with the session keys. */
	uint8_t inner[WALK_PKT];
	size_t inner_len; /* 0: not opened */
	struct layers inner_layers;
	char changes[6][200];
	int nchanges;
};

struct walk {
	struct lab lab;
	bool pause, pi, encrypted, handshake;
	size_t size; /* of the ping, its IP header included */
	const char *html;
	const char *dir;     /* where the hops' captures go */
	char made[PATH_MAX]; /* the directory the walk made for them, when not told */
	struct hop_view hops[HOPS];
	/* --handshake: the initiation and the response, at home-laptop:eth0 */
	struct hop_view hs[2];
	char reply[HOPS][320]; /* the answer, one decoded line per hop on the way back */
	struct wg_keyring keys;
	char sealed_why[200]; /* why the inner packet cannot be shown, or "" */
};

/* Fills hops[i].changes from what differs between hop i-1 and hop i. */
void walk_changes(struct walk *w);
void walk_print_hop(const struct walk *w, int i, FILE *f);
void walk_print_handshake(const struct walk *w, FILE *f);
int walk_html(const struct walk *w, const char *path);
const char *walk_mode(const struct walk *w);

#endif
