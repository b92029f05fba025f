/*
 * The data path every wire mode shares: batches read from the TUN device,
 * sealed and sent; datagrams received, opened and written to the device.
 * Around that the mechanics no mode should have to repeat: the socket's
 * error queue, ICMP "too big" back into the tunnel, inner packets that
 * may be fragmented, the breakage --inject-fault asks for, the counters
 * and the -v packet log.
 *
 * A mode is a table of operations (struct mode_ops): what it adds to a
 * packet, how it seals one and opens one, and whom a path MTU report is
 * about.  Plaintext and pi are mode_plain.c, encrypted is mode_wg.c.
 *
 * Each queue (struct queue) is what one thread owns: its device queue,
 * its socket, its two batches, its counters and its epoll set.  A queue
 * knows nothing of the tunnel around it.
 */
#ifndef TUNLAB_TUNNEL_DATAPATH_H
#define TUNLAB_TUNNEL_DATAPATH_H

#include "batch.h"
#include "config.h"
#include "device.h"
#include "endpoint.h"
#include "pmtu.h"
#include "socket.h"
#include "stats.h"
#include "lib/packet.h"
#include "lib/term.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Batches drained per wakeup before the other direction gets its turn. */
#define ROUNDS_PER_WAKEUP 8

/* Breakage on purpose, for "harness check --inject-fault": each one must be caught. */
enum fault { FAULT_NONE, FAULT_DROP, FAULT_DUP, FAULT_TRUNCATE, FAULT_FRAGMENT };

struct queue;
struct shared;

struct mode_ops {
	enum wire_mode mode;
	/* Where a packet read from the device starts in its slot: room for the mode's header. */
	size_t headroom;
	/* The longest packet read from the device: what the sealed datagram can hold. */
	size_t read_max;
	/* Bytes in front of the inner packet in what the device reads and writes (PI). */
	size_t dev_hdr;
	/* A datagram shorter than this is never cut by FAULT_TRUNCATE. */
	size_t min_len;
	/* Sealed in place: after sealing, nothing of the inner packet is left to log. */
	bool sealed;
	/*
	 * Before a batch is sealed: where every datagram of it goes (*to, *src),
	 * or NULL when each slot names its own (s->addr, s->src).
	 */
	void (*begin)(struct queue *q, const struct sockaddr_storage **to, struct source **src);
	/*
	 * One packet from the device into a datagram: sets s->out_len and
	 * keeps it, or marks it s->fragment, or drops it (counted).
	 */
	void (*seal)(struct queue *q, struct slot *s, double now);
	/*
	 * The kernel refused a sealed datagram as too big (EMSGSIZE), after the
	 * errors were read: the path MTU they told is known.
	 */
	void (*refused)(struct queue *q, struct slot *s);
	/*
	 * One datagram from the network: true with what to write to the device
	 * at s->data + *off, *len bytes; false when it was dropped (counted)
	 * or handled (a handshake).
	 */
	bool (*open)(struct queue *q, struct slot *s, double now, size_t *off, size_t *len);
	/* A new path MTU from the error queue, for the peer whose endpoint r->dest is. */
	void (*path_mtu)(struct queue *q, const struct pmtu_report *r);
};

extern const struct mode_ops mode_plain_ops, mode_pi_ops, mode_wg_ops;

/* The operations of a mode. */
const struct mode_ops *mode_ops_of(enum wire_mode m);

struct queue {
	const struct config *cfg;
	const struct mode_ops *ops;
	void *ctx; /* the mode's state beyond the queue: struct wg for encrypted */
	struct device dev;
	struct udp udp;
	struct batch out; /* TUN to socket */
	struct batch in;  /* socket to TUN */
	struct stats stats;
	int epfd;	  /* the queue's epoll set; the first queue's is the tunnel's too */
	bool receives;	  /* reads the socket (the first queue) */
	double batch_now; /* the clock when the batch being handled arrived */
	enum fault fault;
	uint64_t faults; /* datagrams the fault touched */
	/* Plaintext: the peer and the path to it, as this queue last saw them. */
	struct endpoint peer;
	struct pmtu pmtu;
	struct shared *sh; /* with several queues, what they agree on (queues.h) */
	unsigned int seen; /* the generation of sh this queue's copies are from */
	FILE *log;
	struct term term;
	double started; /* clock_seconds() at start */
};

/* A queue with nothing open yet: every descriptor -1. */
void datapath_init(struct queue *q, const struct config *cfg, const struct mode_ops *ops);
/*
 * Batches and the epoll set, watching the device (opened already) and,
 * for the queue that receives, the socket.  0, or -1 with err.
 */
int datapath_open(struct queue *q, bool receives, char *err, size_t errlen);
/* Closes the epoll set and frees the batches; the device and socket are their owners'. */
void datapath_close(struct queue *q);
/* Adds fd to the queue's epoll set (nothing for -1); 0 or -1 with errno. */
int datapath_watch(struct queue *q, int fd);
/* The batch size (--batch) on the queue's two batches. */
void datapath_set_batch(struct queue *q);
/* One ready descriptor of the data path: the device or the socket. */
void datapath_event(struct queue *q, int fd, uint32_t events);
/*
 * One packet read from the device into a datagram, by the mode: kept
 * (s->keep), to be sent in fragments (s->fragment) or dropped.  In a mode
 * that seals in place, its first bytes are kept in s->quote first.
 */
void datapath_seal(struct queue *q, struct slot *s, double now);
/* Drains the socket's error queue; each new path MTU goes to the mode. */
void datapath_read_errors(struct queue *q);

/* For the modes. */
/* Counts a dropped packet, and logs it at -v (inner: the inner packet, if readable). */
void datapath_drop(struct queue *q, struct slot *s, enum drop why, const char *dir,
		   const struct sockaddr_storage *ep, const uint8_t *inner, size_t len);
/* -v: one decoded line per packet (ep may be NULL), or the reason it was dropped. */
void datapath_log(struct queue *q, const char *dir, const struct sockaddr_storage *ep,
		  const uint8_t *inner, size_t len, const char *drop);
/*
 * Tells the inner sender of p, through the device, that only mtu bytes
 * fit; inner may be the packet's first len bytes only (a slot's quote).
 */
void datapath_too_big(struct queue *q, const struct pkt *p, const uint8_t *inner, size_t len,
		      int mtu);
/* Seconds since the tunnel started, for log lines. */
double datapath_uptime(const struct queue *q);

#endif
