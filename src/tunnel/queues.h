/*
 * Multi-queue: one thread per TUN queue (IFF_MULTI_QUEUE), each with its
 * own batches and its own counters, so that the hot path takes no lock.
 * The kernel spreads flows over the TUN queues by their hash; each thread
 * seals and sends what its queue reads, on the one UDP socket they share.
 * The first queue alone receives: all of one peer's datagrams arrive on
 * one socket whatever we do, and a second socket on the port
 * (SO_REUSEPORT) would let another program join it unnoticed.
 *
 * What the queues must agree on, the client's endpoint and the path MTU,
 * lives once in struct shared.  A queue keeps copies and refreshes them
 * only when the generation has moved, and takes the lock only to change
 * them, which happens when a client appears or moves, or an ICMP arrives.
 *
 * The first queue is the tunnel's own, run by the main thread, which
 * also serves signals and the control socket.
 */
#ifndef TUNLAB_TUNNEL_QUEUES_H
#define TUNLAB_TUNNEL_QUEUES_H

#include "datapath.h"
#include "endpoint.h"
#include "pmtu.h"
#include "stats.h"
#include "lib/netlink.h"

#include <pthread.h>
#include <stdbool.h>

struct config;

struct shared {
	pthread_mutex_t lock;
	unsigned int gen; /* atomic; bumped under the lock on every change */
	struct endpoint peer;
	struct pmtu pmtu;
	struct nl *nl; /* the first queue's; for path MTU lookups, under the lock */
	int fault;     /* atomic: enum fault, set over the control socket */
	bool gso_off;  /* atomic: "gso=off" over the control socket */
};

struct queues {
	struct shared sh;
	int n;		   /* threads besides the main one */
	struct queue *q;   /* their queues */
	pthread_t *thread; /* their threads; started[i] says which exist */
	bool *started;
	int stopfd; /* an eventfd every thread watches */
};

/* How many queues to ask for: --queues, or one per online core (at most QUEUES_MAX). */
int queues_wanted(const struct config *c);

/*
 * Adds n - 1 queues beside the first (its device opened multi-queue, its
 * socket with reuse), in *qs.  All or nothing: on failure err says why.
 */
int queues_start(struct queues **qs, struct queue *first, int n, char *err, size_t errlen);
/*
 * Starts a thread on each added queue: after privileges are dropped,
 * since capabilities belong to a thread.  On failure, no thread runs.
 */
int queues_run(struct queues **qs, struct queue *first, char *err, size_t errlen);
/* Stops and joins the threads, then frees their queues and sockets; *qs is NULL after. */
void queues_stop(struct queues **qs, struct queue *first);

/* Refreshes a queue's copies of what is shared, if it moved; cheap when not. */
void queues_sync(struct queue *q);
/* endpoint_receive against the shared peer, under the lock only when the endpoint is new. */
enum endpoint_verdict queues_learn(struct queue *q, const struct sockaddr_storage *from,
				   const struct source *local);
/* pmtu_apply against the shared path MTU; true if it changed. */
bool queues_pmtu(struct queue *q, const struct pmtu_report *r);
/* Control-socket changes, seen by every queue at its next batch. */
void queues_set_fault(struct queue *first, int fault);
/* Forgets the learned path MTU: the route's figure again, for every queue. */
void queues_forget_pmtu(struct queue *first);
void queues_set_gso(struct queue *first, bool on);

/* Calls fn for the first queue and every other, in order. */
void queues_each(const struct queue *first, const struct queues *qs,
		 void (*fn)(const struct queue *q, void *arg), void *arg);
/* Adds a queue's counters into sum; safe while the queue runs. */
void queues_add_stats(struct stats *sum, const struct stats *one);
/* A counter another thread may be writing. */
uint64_t queues_read(const uint64_t *counter);

#endif
