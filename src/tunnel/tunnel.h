/*
 * One running tunnel: its configuration, control socket, signals and,
 * in encrypted mode, the protocol and the wg socket; and its queues, the
 * first run by the main thread (datapath.h moves the packets).
 */
#ifndef TUNLAB_TUNNEL_TUNNEL_H
#define TUNLAB_TUNNEL_TUNNEL_H

#include "config.h"
#include "control.h"
#include "datapath.h"
#include "uapi.h"
#include "wgconfig.h"
#include "lib/mode.h"
#include "lib/netlink.h"

#include <stdint.h>
#include <stdio.h>

struct wg;
struct queues;

struct tunnel {
	const struct config *cfg;
	struct config
	    own; /* encrypted mode: the command line plus the file's addresses and routes */
	enum wire_mode mode; /* plaintext, pi or encrypted */
	struct queue q;	     /* the first queue; its epoll set is the tunnel's loop */
	struct queues *more; /* the other queues, with a thread each; NULL if none */
	int nqueues;
	struct control ctl;
	int sigfd;
	/* Encrypted mode */
	struct wg *wg;
	struct wg_config wgc;
	struct uapi uapi;
	int timerfd;
	double timer_armed;    /* when timerfd fires next (CLOCK_MONOTONIC seconds), 0 if not */
	struct nl link_events; /* the device's MTU, followed as it changes */
	FILE *keylog;
};

/* Sets up everything or nothing; err says what failed. */
int tunnel_start(struct tunnel *t, const struct config *cfg, char *err, size_t errlen);
/* Runs until SIGINT or SIGTERM; returns 0, or -1 if the loop itself failed. */
int tunnel_run(struct tunnel *t);
void tunnel_stop(struct tunnel *t);
/* The counters, printed once at exit. */
void tunnel_summary(struct tunnel *t);

#endif
