#include "datapath.h"
#include "lib/clock.h"
#include "lib/addr.h"
#include "lib/tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

const struct mode_ops *mode_ops_of(enum wire_mode m)
{
	return m == MODE_ENCRYPTED ? &mode_wg_ops : m == MODE_PI ? &mode_pi_ops : &mode_plain_ops;
}

void datapath_init(struct queue *q, const struct config *cfg, const struct mode_ops *ops)
{
	memset(q, 0, sizeof(*q));
	q->cfg = cfg;
	q->ops = ops;
	q->dev.fd = q->udp.fd = q->epfd = -1;
	q->log = stdout;
}

void datapath_set_batch(struct queue *q)
{
	q->out.max = q->in.max = q->cfg->batch ? (unsigned int)q->cfg->batch : BATCH_MAX;
}

int datapath_watch(struct queue *q, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return fd < 0 ? 0 : epoll_ctl(q->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int datapath_open(struct queue *q, bool receives, char *err, size_t errlen)
{
	q->receives = receives;
	if (!q->out.mem && (batch_init(&q->out) || batch_init(&q->in))) {
		snprintf(err, errlen, "out of memory for packet buffers");
		return -1;
	}
	datapath_set_batch(q);
	q->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (q->epfd < 0 || datapath_watch(q, q->dev.fd) ||
	    (receives && datapath_watch(q, q->udp.fd))) {
		snprintf(err, errlen, "cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void datapath_close(struct queue *q)
{
	if (q->epfd >= 0)
		close(q->epfd);
	q->epfd = -1;
	batch_free(&q->out);
	batch_free(&q->in);
}

double datapath_uptime(const struct queue *q)
{
	return clock_seconds() - q->started;
}

void datapath_log(struct queue *q, const char *dir, const struct sockaddr_storage *ep,
		  const uint8_t *inner, size_t len, const char *drop)
{
	char line[256], who[64] = "";

	if (q->cfg->verbosity < 2)
		return;
	pkt_decode(inner, len, line, sizeof(line));
	if (ep)
		sockaddr_str(ep, who, sizeof(who));
	fprintf(q->log, "%10.6f %s%-4s%s %-22s %s%s%s\n", datapath_uptime(q),
		term_c(&q->term, drop		 ? C_RED
				 : dir[0] == 's' ? C_CYAN
						 : C_GREEN),
		dir, term_c(&q->term, C_RESET), who, line, drop ? "  DROP " : "", drop ? drop : "");
}

void datapath_drop(struct queue *q, struct slot *s, enum drop why, const char *dir,
		   const struct sockaddr_storage *ep, const uint8_t *inner, size_t len)
{
	s->keep = false;
	q->stats.drops[why]++;
	if (inner)
		datapath_log(q, dir, ep, inner, len, drop_name(why));
}

/* What a slot holds of its inner packet, for the log: nothing once it is sealed. */
static const uint8_t *inner_of(const struct queue *q, const struct slot *s, size_t *len)
{
	size_t hdr = q->ops->dev_hdr;

	if (q->ops->sealed)
		return NULL;
	*len = s->len > hdr ? s->len - hdr : 0;
	return s->len > hdr ? s->data + hdr : s->data;
}

void datapath_too_big(struct queue *q, const struct pkt *p, const uint8_t *inner, size_t len,
		      int mtu)
{
	uint8_t room[TUN_VNET_HDR_LEN + TUN_PI_LEN + 1280], *icmp = room + TUN_VNET_HDR_LEN;
	size_t hdr = q->ops->dev_hdr;
	ssize_t n;

	/* From the packet's destination: an address of our own would be a martian. */
	n = pkt_build_too_big(icmp + hdr, sizeof(room) - TUN_VNET_HDR_LEN - hdr, inner, len, p->dst,
			      mtu);
	if (n < 0)
		return;
	if (hdr) {
		uint16_t proto = htons(tun_pi_proto(p->version));

		memset(icmp, 0, hdr);
		memcpy(icmp + 2, &proto, 2);
	}
	if (device_write(&q->dev, icmp, hdr + (size_t)n) == (ssize_t)(hdr + (size_t)n))
		q->stats.icmp_too_big++;
}

void datapath_read_errors(struct queue *q)
{
	struct pmtu_report r;
	int rc;

	while ((rc = pmtu_read_error(q->udp.fd, &r)) >= 0)
		if (rc > 0 && !q->cfg->no_pmtu)
			q->ops->path_mtu(q, &r);
}

/* Breaks what is about to be sent, the way the fault says; before the kernel sees it. */
static void inject(struct queue *q, struct batch *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		if (!s->keep && !s->fragment)
			continue;
		q->faults++;
		if (q->fault == FAULT_DROP && q->faults % 2) {
			s->keep = s->fragment = false; /* every other datagram vanishes */
		} else if (q->fault == FAULT_TRUNCATE && s->out_len > q->ops->min_len) {
			s->out_len -= 8;
		} else if (q->fault == FAULT_FRAGMENT) {
			s->keep = false;
			s->fragment = true; /* sent without DF, for a smaller link to split */
		}
	}
}

/* What the kernel refused, after the send: too big (the mode judges again), or an error. */
static void refused(struct queue *q, struct batch *b, const struct sockaddr_storage *to)
{
	bool learned = false;

	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];
		const uint8_t *inner;
		size_t len = 0;

		if (s->err == EMSGSIZE) {
			/* The kernel knew a smaller path MTU than we did: learn it first. */
			if (!learned)
				datapath_read_errors(q);
			learned = true;
			q->ops->refused(q, s);
		} else if (s->err) {
			inner = inner_of(q, s, &len);
			datapath_drop(q, s, DROP_IO, "send", to ? to : &s->addr, inner, len);
		}
	}
}

/* Inner packets that allow it go out in fragmented datagrams, one by one: they are rare. */
static void send_fragmented(struct queue *q, struct batch *b, const struct sockaddr_storage *to,
			    struct source *src)
{
	bool any = false;

	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];
		const uint8_t *inner;
		size_t len = 0;

		if (!s->fragment)
			continue;
		if (!any)
			udp_allow_fragments(&q->udp, true);
		any = true;
		if (udp_send_one(&q->udp, s->data, s->out_len, to ? to : &s->addr,
				 to ? src : s->src) == 0) {
			s->keep = true;
			continue;
		}
		inner = inner_of(q, s, &len);
		datapath_drop(q, s, DROP_IO, "send", to ? to : &s->addr, inner, len);
	}
	if (any)
		udp_allow_fragments(&q->udp, false);
}

void datapath_seal(struct queue *q, struct slot *s, double now)
{
	s->keep = true;
	s->fragment = false;
	s->err = 0;
	/*
	 * Sealed in place, the packet is gone by the time the kernel may
	 * refuse the datagram as too big: keep what an ICMP about it quotes.
	 */
	s->quote_len = 0;
	if (q->ops->sealed) {
		size_t at = q->ops->headroom + q->ops->dev_hdr;
		size_t len = s->len > q->ops->dev_hdr ? s->len - q->ops->dev_hdr : 0;

		s->quote_len = len < SLOT_QUOTE ? len : SLOT_QUOTE;
		memcpy(s->quote, s->data + at, s->quote_len);
	}
	q->ops->seal(q, s, now);
}

/*
 * TUN to socket, one batch: sealed by the mode, broken by the fault if
 * any, sent in one go; then what the kernel refused, what may be
 * fragmented, and the counters.
 */
static void send_batch(void *arg, struct batch *b)
{
	struct queue *q = arg;
	const struct sockaddr_storage *to = NULL;
	struct source *src = NULL;
	double now = clock_seconds();

	q->ops->begin(q, &to, &src);
	for (unsigned int i = 0; i < b->n; i++)
		datapath_seal(q, &b->slot[i], now);
	if (q->fault)
		inject(q, b);
	udp_send_batch(&q->udp, b, to, src);
	if (q->fault == FAULT_DUP)
		udp_send_batch(&q->udp, b, to, src); /* the same datagrams again: replays */
	refused(q, b, to);
	send_fragmented(q, b, to, src);
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];
		size_t hdr = q->ops->dev_hdr;

		if (!s->keep)
			continue;
		q->stats.tx_packets++;
		if (q->ops->sealed) {
			q->stats.tx_bytes += s->len; /* the seal left the inner length there */
			continue;
		}
		q->stats.tx_bytes += s->out_len - hdr;
		datapath_log(q, "send", to, s->data + hdr, s->out_len - hdr, NULL);
	}
}

static void tun_to_udp(struct queue *q)
{
	device_read(&q->dev, &q->out, q->ops->headroom, q->ops->read_max,
		    ROUNDS_PER_WAKEUP * BATCH_MAX, send_batch, q);
}

/* One datagram from the network, opened by the mode and written to the TUN device. */
static void deliver(void *arg, struct slot *s)
{
	struct queue *q = arg;
	size_t off = 0, len = 0, hdr = q->ops->dev_hdr;

	s->keep = true;
	if (s->truncated) {
		const uint8_t *inner = inner_of(q, s, &len);

		datapath_drop(q, s, DROP_TOO_BIG, "recv", &s->addr, inner, len);
		return;
	}
	if (!q->ops->open(q, s, q->batch_now, &off, &len))
		return;
	device_deliver(&q->dev, s->data + off, len);
	q->stats.rx_packets++;
	q->stats.rx_bytes += len - hdr;
	datapath_log(q, "recv", &s->addr, s->data + off + hdr, len - hdr, NULL);
}

static void udp_to_tun(struct queue *q)
{
	struct batch *b = &q->in;

	for (int round = 0; round < ROUNDS_PER_WAKEUP; round++) {
		int n = udp_recv_batch(&q->udp, b);

		if (n < 0) {
			datapath_read_errors(q); /* an ICMP error surfaced instead of data */
			continue;
		}
		if (n == 0)
			return;
		q->batch_now = clock_seconds();
		for (unsigned int i = 0; i < b->n; i++)
			udp_each_datagram(&b->slot[i], deliver, q);
		device_flush(&q->dev);
		if (b->n < b->max)
			return;
	}
}

void datapath_event(struct queue *q, int fd, uint32_t events)
{
	if (fd == q->dev.fd)
		tun_to_udp(q);
	else if (fd == q->udp.fd && (events & EPOLLERR))
		datapath_read_errors(
		    q); /* an unread error keeps the socket ready: read it, or spin */
	if (fd == q->udp.fd && (events & EPOLLIN))
		udp_to_tun(q);
}
