#include "device.h"
#include "lib/clock.h"
#include "batch.h"
#include "offload.h"
#include "lib/tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int configure(struct device *d, const struct config *c, int mtu, char *err, size_t errlen)
{
	char p[64];
	int rc;

	rc = nl_link_set(&d->nl, d->index, true, mtu);
	if (rc) {
		snprintf(err, errlen, "cannot set %s up with MTU %d: %s", c->dev, mtu,
			 strerror(-rc));
		return -1;
	}
	for (int i = 0; i < c->naddrs; i++) {
		rc = nl_addr_add(&d->nl, d->index, &c->addrs[i]);
		if (rc) {
			snprintf(err, errlen, "cannot add address %s to %s: %s",
				 prefix_str(&c->addrs[i], p, sizeof(p)), c->dev, strerror(-rc));
			return -1;
		}
	}
	for (int i = 0; i < c->nroutes; i++) {
		rc = nl_route_add(&d->nl, &c->routes[i], NULL, d->index);
		if (rc == -EEXIST) {
			snprintf(err, errlen,
				 "cannot route %s through %s: a route to it exists already",
				 prefix_str(&c->routes[i], p, sizeof(p)), c->dev);
			return -1;
		}
		if (rc) {
			snprintf(err, errlen, "cannot route %s through %s: %s",
				 prefix_str(&c->routes[i], p, sizeof(p)), c->dev, strerror(-rc));
			return -1;
		}
		d->routes_added++;
	}
	return 0;
}

/* A glued packet, or one that passed through, with its header in front. */
static int emit(void *arg, uint8_t *hdr_and_pkt, size_t len)
{
	struct device *d = arg;

	if (write(d->fd, hdr_and_pkt, len) != (ssize_t)len)
		d->write_errors++;
	return 0;
}

int device_up(struct device *d, const struct config *c, int mtu, char *err, size_t errlen)
{
	struct nl_link l;
	int rc;

	d->index = 0;
	d->routes_added = 0;
	d->mtu = mtu;
	d->offload = d->uso = false;
	if (!c->pi && !c->no_offload) {
		struct tun_offloads got;

		d->super = malloc(DEVICE_SUPER_MAX);
		d->gro_buf = malloc(DEVICE_SUPER_MAX);
		if (!d->super || !d->gro_buf) {
			snprintf(err, errlen, "out of memory for the device's buffers");
			device_down(d, c);
			return -1;
		}
		d->fd = tun_open_offload_flags(c->dev, d->multi ? TUN_MULTI : 0, &got, err, errlen);
		d->offload = got.on;
		d->uso = got.uso;
	} else {
		d->fd = tun_open_flags(c->dev, (d->multi ? TUN_MULTI : 0) | (c->pi ? TUN_PI : 0),
				       err, errlen);
	}
	if (d->fd < 0) {
		device_down(d, c);
		return -1;
	}
	if (d->offload)
		gro_init(&d->gro, d->gro_buf, DEVICE_SUPER_MAX, d->uso, emit, d);
	rc = nl_link_get(&d->nl, c->dev, 0, &l);
	if (rc) {
		snprintf(err, errlen, "cannot find %s after creating it: %s", c->dev,
			 strerror(-rc));
		device_down(d, c);
		return -1;
	}
	d->index = l.index;
	if (configure(d, c, mtu, err, errlen)) {
		device_down(d, c);
		return -1;
	}
	return 0;
}

int device_add_queue(const struct device *first, struct device *q, char *err, size_t errlen)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->index = first->index;
	q->mtu = first->mtu;
	q->multi = true;
	q->offload = first->offload;
	q->uso = first->uso;
	/* q->nl stays empty: rtnetlink belongs to the first queue */
	if (q->offload) {
		q->super = malloc(DEVICE_SUPER_MAX);
		q->gro_buf = malloc(DEVICE_SUPER_MAX);
		if (!q->super || !q->gro_buf) {
			snprintf(err, errlen, "out of memory for a queue's buffers");
			device_close_queue(q);
			return -1;
		}
		gro_init(&q->gro, q->gro_buf, DEVICE_SUPER_MAX, q->uso, emit, q);
	}
	q->fd = tun_add_queue(first->fd, err, errlen);
	if (q->fd < 0) {
		device_close_queue(q);
		return -1;
	}
	return 0;
}

void device_close_queue(struct device *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->super);
	free(q->gro_buf);
	q->super = q->gro_buf = NULL;
}

void device_down(struct device *d, const struct config *c)
{
	/* Routes go with the device, but removing ours first keeps the order obvious. */
	for (int i = d->routes_added - 1; i >= 0; i--)
		nl_route_del(&d->nl, &c->routes[i], NULL, d->index);
	d->routes_added = 0;
	device_close_queue(d);
}

/* ---- packets ---- */

struct reader {
	struct batch *b;
	size_t off, cap;
	int got;
	void (*flush)(void *arg, struct batch *b);
	void *arg;
};

/* The next slot of the batch, where offload builds the next packet. */
static uint8_t *room(void *arg, size_t *cap)
{
	struct reader *r = arg;

	*cap = r->cap;
	return r->b->slot[r->b->n].data + r->off;
}

static int take(void *arg, const uint8_t *pkt, size_t len)
{
	struct reader *r = arg;
	struct slot *s = &r->b->slot[r->b->n];

	if (len > r->cap)
		return 0; /* larger than the MTU allows: the sender did not ask for that */
	if (pkt != s->data + r->off) /* read or cut straight into the slot already */
		memcpy(s->data + r->off, pkt, len);
	s->len = len;
	r->got++;
	if (++r->b->n >= r->b->max) {
		r->flush(r->arg, r->b);
		r->b->n = 0;
	}
	return 0;
}

/*
 * A read that failed for good: the device was deleted under us (the
 * kernel answers EBADFD, or EIO/ENXIO on older paths).  It stays ready
 * for epoll, so without this the loop would spin on it forever.
 */
static void note_read_error(struct device *d)
{
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		d->gone = true;
}

/* One read with offload: a packet or a super-packet, cut into the batch. */
static ssize_t read_cut(struct device *d, struct reader *r)
{
	struct virtio_net_hdr h;
	ssize_t n = read(d->fd, d->super, DEVICE_SUPER_MAX);
	int rc;

	if (n < 0)
		note_read_error(d);
	if (n < (ssize_t)TUN_VNET_HDR_LEN)
		return n < 0 ? -1 : 0;
	memcpy(&h, d->super, sizeof(h));
	rc = offload_split_into(&h, d->super + TUN_VNET_HDR_LEN, (size_t)n - TUN_VNET_HDR_LEN, room,
				take, r);
	if (rc < 0)
		d->cut_errors++;
	else if (rc > 1)
		d->super_reads++;
	return n;
}

/*
 * Whether this wakeup reads one packet and stops: after LONE_AFTER wakeups
 * in a row that found one packet and then nothing, as long as wakeups come
 * at least DENSE_GAP apart.  Closer than that, the traffic is dense and is
 * read to EAGAIN again, in batches.  A ping saves a system call per packet
 * on each side; a flood loses nothing.
 */
#define LONE_AFTER 2
#define DENSE_GAP  0.001 /* s */

static bool read_one(struct device *d)
{
	double now = clock_seconds();
	bool one = d->lone >= LONE_AFTER && now - d->last_wakeup >= DENSE_GAP;

	d->last_wakeup = now;
	return one;
}

int device_read(struct device *d, struct batch *b, size_t off, size_t cap, int budget,
		void (*flush)(void *arg, struct batch *b), void *arg)
{
	struct reader r = {b, off, cap, 0, flush, arg};
	bool one = read_one(d), drained = false;
	int reads = 0;

	b->n = 0;
	while (r.got < budget && !(one && reads)) {
		ssize_t n;

		if (d->offload) {
			n = read_cut(d, &r);
		} else {
			n = read(d->fd, b->slot[b->n].data + off, cap);
			if (n < 0)
				note_read_error(d);
			else
				take(&r, b->slot[b->n].data + off, (size_t)n);
		}
		if (n < 0) {
			drained = errno == EAGAIN || errno == EWOULDBLOCK;
			break;
		}
		reads++;
	}
	if (!one)
		d->lone = reads == 1 && drained ? d->lone + 1 : 0;
	if (b->n)
		flush(arg, b);
	b->n = 0;
	return r.got;
}

ssize_t device_write(struct device *d, uint8_t *pkt, size_t len)
{
	ssize_t n;

	if (!d->offload)
		return write(d->fd, pkt, len);
	/* A zero header: one whole packet, its checksums already done. */
	memset(pkt - TUN_VNET_HDR_LEN, 0, TUN_VNET_HDR_LEN);
	n = write(d->fd, pkt - TUN_VNET_HDR_LEN, len + TUN_VNET_HDR_LEN);
	return n < 0 ? n : n - TUN_VNET_HDR_LEN;
}

void device_deliver(struct device *d, uint8_t *pkt, size_t len)
{
	if (d->offload)
		gro_add(&d->gro, pkt, len);
	else if (write(d->fd, pkt, len) != (ssize_t)len)
		d->write_errors++;
}

void device_flush(struct device *d)
{
	if (d->offload)
		gro_flush(&d->gro);
}
