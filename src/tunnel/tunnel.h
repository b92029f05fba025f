/*
 * One running tunnel: its device, socket, peer and counters, and the
 * event loop that moves batches between the TUN device and the socket.
 * Everything the tunnel owns lives here; there is no other state.
 */
#ifndef TUNLAB_TUNNEL_TUNNEL_H
#define TUNLAB_TUNNEL_TUNNEL_H

#include "batch.h"
#include "config.h"
#include "control.h"
#include "device.h"
#include "endpoint.h"
#include "pmtu.h"
#include "socket.h"
#include "stats.h"
#include "uapi.h"
#include "wgconfig.h"
#include "wire.h"
#include "lib/term.h"

#include <stdint.h>
#include <stdio.h>

/* Batches drained per wakeup before the other direction gets its turn. */
#define ROUNDS_PER_WAKEUP 8

/* Breakage on purpose, for "harness check --inject-fault": each one must be caught. */
enum fault { FAULT_NONE, FAULT_DROP, FAULT_DUP, FAULT_TRUNCATE, FAULT_FRAGMENT };

struct wg;

struct tunnel {
	const struct config *cfg;
	struct config
	    own; /* encrypted mode: the command line plus the file's addresses and routes */
	enum wire_mode mode; /* plaintext, pi or encrypted */
	double batch_now;    /* the clock when the batch being handled arrived */
	struct device dev;
	struct udp udp;
	struct endpoint peer;
	struct pmtu pmtu;
	struct stats stats;
	struct control ctl;
	struct batch out; /* TUN to socket */
	struct batch in;  /* socket to TUN */
	int epfd;
	int sigfd;
	struct term term;
	FILE *log;
	double started; /* clock_seconds() at start */
	enum fault fault;
	uint64_t faults; /* datagrams the fault touched */
	/* Encrypted mode */
	struct wg *wg;
	struct wg_config wgc;
	struct uapi uapi;
	int timerfd;
	FILE *keylog;
	/* Multi-queue (queues.h): the first queue holds q, every queue sh. */
	struct queues *q;
	struct shared *sh;
	unsigned int seen; /* the generation of sh this queue's copies are from */
	int q_stopfd;	   /* a queue thread's: stop when it is readable */
	int nqueues;
};

/* Sets up everything or nothing; err says what failed. */
int tunnel_start(struct tunnel *t, const struct config *cfg, char *err, size_t errlen);
/* Runs until SIGINT or SIGTERM; returns 0, or -1 if the loop itself failed. */
int tunnel_run(struct tunnel *t);
void tunnel_stop(struct tunnel *t);
/* One ready descriptor of the data path (the TUN queue or the socket). */
void tunnel_event(struct tunnel *t, int fd, uint32_t events);
/*
 * The fault, if any, on a batch about to be sent, in either mode: every
 * other datagram dropped, each cut by 8 bytes (when longer than min_len),
 * or sent without DF to be split on the way.  FAULT_DUP is the caller's:
 * it sends the batch twice.
 */
void tunnel_inject(struct tunnel *t, struct batch *b, size_t min_len);
/* The batch size (--batch) on a tunnel's two batches, once they are made. */
void tunnel_set_batch(struct tunnel *t);
/* Adds fd to the event loop (nothing for -1); 0 or -1 with errno. */
int tunnel_watch(struct tunnel *t, int fd);
/* The counters, printed once at exit. */
void tunnel_summary(struct tunnel *t);

#endif
