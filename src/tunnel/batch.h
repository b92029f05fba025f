/*
 * A batch of packet buffers, allocated once.  Each direction of the
 * tunnel moves a batch at a time, so that recvmmsg/sendmmsg, worker
 * threads (one batch pair each) and encryption (which needs the headroom
 * and tailroom around each packet) slot in without changing the path.
 */
#ifndef TUNLAB_TUNNEL_BATCH_H
#define TUNLAB_TUNNEL_BATCH_H

#include "lib/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define BATCH_MAX     32
#define SLOT_HEADROOM 64 /* for outer headers a mode prepends */
#define SLOT_DATA     65536
#define SLOT_SIZE     (SLOT_HEADROOM + SLOT_DATA + 64)
/* What an ICMP "too big" quotes of a packet sealed before the kernel refused it. */
#define SLOT_QUOTE 128

struct slot {
	uint8_t *data; /* SLOT_HEADROOM bytes into the slot's memory */
	size_t len;
	size_t out_len; /* what to send or write after the mode judged it */
	bool keep;	/* false: dropped, already counted */
	bool truncated;
	int err;	   /* why the kernel refused it, or 0 */
	bool fragment;	   /* too big for the path, but the inner packet allows fragments */
	uint16_t gso_size; /* received: several datagrams of this size back to back (UDP GRO) */
	struct sockaddr_storage addr;
	struct source local; /* received: the local address it arrived on */
	struct source *src;  /* sending to addr: the peer's sticky source, or NULL */
	/*
	 * Sending in a mode that seals in place: the inner packet's first
	 * bytes, kept before the seal, for an ICMP "too big" if the kernel
	 * refuses the datagram.
	 */
	uint8_t quote[SLOT_QUOTE];
	size_t quote_len;
};

/* Room for a UDP_SEGMENT or UDP_GRO control message and a packet-info one. */
#define SLOT_CTRL 80

struct batch {
	uint8_t *mem;
	unsigned int n;
	unsigned int max; /* at most this many a system call: BATCH_MAX, or --batch */
	struct slot slot[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr msg[BATCH_MAX];
	uint8_t ctrl[BATCH_MAX][SLOT_CTRL] __attribute__((aligned(8)));
	unsigned int which[BATCH_MAX]; /* sending: the slots behind each message, in order */
	unsigned int first[BATCH_MAX], count[BATCH_MAX];
	struct source *src[BATCH_MAX]; /* sending: each message's source, or NULL */
};

int batch_init(struct batch *b);
void batch_free(struct batch *b);

#endif
