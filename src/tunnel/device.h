/*
 * The tunnel's TUN device: created, addressed, sized and routed over
 * rtnetlink, and taken down again.  Closing the device's fd deletes the
 * device, and the kernel drops its addresses and routes with it.
 */
#ifndef TUNLAB_TUNNEL_DEVICE_H
#define TUNLAB_TUNNEL_DEVICE_H

#include "config.h"
#include "offload.h"
#include "lib/mtu.h"
#include "lib/netlink.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct device {
	int fd;
	int index;
	int mtu;
	int routes_added;
	struct nl nl;
	bool multi;	      /* asked for before device_up: a multi-queue device */
	bool offload;	      /* packets come and go behind a virtio-net header; TSO is on */
	bool uso;	      /* and UDP super-packets too, so UDP runs are glued */
	uint8_t *super;	      /* one read from the device, up to 64 KB, when offload is on */
	uint64_t super_reads; /* reads that held more than one packet */
	uint64_t cut_errors;  /* super-packets that could not be cut, dropped */
	struct gro gro;	      /* segments on their way in, glued where they may be */
	uint8_t *gro_buf;
	uint64_t write_errors; /* packets the device refused */
	bool gone;	       /* deleted from outside: every read fails from now on */
	int lone;	       /* wakeups in a row that found one packet, then nothing */
	double last_wakeup;    /* clock_seconds() of the last device_read */
};

struct batch;

/* A read from the device with offload: a 64 KB super-packet and its header. */
#define DEVICE_SUPER_MAX (65536 + 64)

/*
 * Reads what waits on the device, up to budget packets, into b: each at
 * slot data + off, at most cap bytes.  Super-packets are cut on the way.
 * Sparse traffic (a ping) is read one packet per wakeup, without the read
 * that would only say EAGAIN: epoll is level-triggered, so anything left
 * wakes it again.
 * Each time b fills, and once at the end, flush(arg, b) takes it.  Returns
 * how many packets were read.
 */
int device_read(struct device *d, struct batch *b, size_t off, size_t cap, int budget,
		void (*flush)(void *arg, struct batch *b), void *arg);
/*
 * Writes one packet.  With offload on, the TUN_VNET_HDR_LEN bytes before
 * pkt must be writable: the header goes there.
 */
ssize_t device_write(struct device *d, uint8_t *pkt, size_t len);
/*
 * Hands a packet from the network to the device: with offload on it may
 * wait to be glued to the next (see gro in offload.h) until device_flush,
 * which the caller runs after each batch.
 */
void device_deliver(struct device *d, uint8_t *pkt, size_t len);
void device_flush(struct device *d);

/* Everything, or nothing: on failure the device is gone again and err says why. */
int device_up(struct device *d, const struct config *c, int mtu, char *err, size_t errlen);
void device_down(struct device *d, const struct config *c);

/*
 * Another queue of a multi-queue device that is up: its own fd, buffers
 * and GRO, so that a thread can own it.  It shares no netlink socket.
 */
int device_add_queue(const struct device *first, struct device *q, char *err, size_t errlen);
void device_close_queue(struct device *q);

#endif
