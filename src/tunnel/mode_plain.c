/*
 * Plaintext and pi modes as datapath operations: the datagram is the IP
 * packet (behind the TUN packet-info header with --pi), to and from the
 * one peer (endpoint.h).  With several queues, the peer and the path MTU
 * are what the queues share (queues.h).
 */
#include "datapath.h"
#include "queues.h"
#include "wire.h"
#include "lib/addr.h"
#include "lib/mode.h"
#include "lib/mtu.h"
#include "lib/tun.h"

#include <stdarg.h>
#include <stdio.h>

static void say(struct queue *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct queue *q, const char *fmt, ...)
{
	va_list ap;

	if (q->cfg->verbosity < 1)
		return;
	va_start(ap, fmt);
	vfprintf(q->log, fmt, ap);
	va_end(ap);
}

static int outer_version(const struct queue *q)
{
	return q->peer.endpoint.ss_family == AF_INET6 ? 6 : 4;
}

/* Outer IP header, UDP header and the mode's own header. */
static size_t overhead(const struct queue *q)
{
	return (size_t)mtu_overhead(outer_version(q), wire_mode_mtu(q->ops->mode)->overhead);
}

static void drop(struct queue *q, struct slot *s, enum drop why, const char *dir,
		 const struct sockaddr_storage *ep)
{
	size_t hdr = q->ops->dev_hdr;

	if (s->len > hdr)
		datapath_drop(q, s, why, dir, ep, s->data + hdr, s->len - hdr);
	else
		datapath_drop(q, s, why, dir, ep, s->data, 0);
}

/* A packet that is larger than the path: ICMP back if it may not be fragmented. */
static void too_big(struct queue *q, struct slot *s)
{
	size_t hdr = q->ops->dev_hdr;
	struct pkt p;

	s->keep = false;
	if (pkt_parse(s->data + hdr, s->out_len - hdr, &p) != PKT_OK)
		return;
	switch (q->cfg->no_pmtu ? PMTU_TOO_BIG
				: pmtu_fate(&q->pmtu, p.len, overhead(q), p.version, p.df)) {
	case PMTU_FRAGMENT:
		s->fragment = true;
		return;
	case PMTU_TOO_BIG:
		if (!q->cfg->no_pmtu)
			datapath_too_big(q, &p, s->data + hdr, p.len,
					 pmtu_inner(&q->pmtu, overhead(q)));
		/* fall through */
	case PMTU_FITS:
		drop(q, s, DROP_TOO_BIG, "send", &q->peer.endpoint);
	}
}

/* Every datagram of a batch goes to the one peer, from the address it writes to. */
static void begin(struct queue *q, const struct sockaddr_storage **to, struct source **src)
{
	if (q->sh)
		queues_sync(q);
	*to = &q->peer.endpoint;
	*src = &q->peer.src;
}

static void seal(struct queue *q, struct slot *s, double now)
{
	struct pkt p;
	enum drop why;

	(void)now;
	if (!wire_encap(q->ops->mode, s->data, s->len, outer_version(q), &p, &s->out_len, &why))
		drop(q, s, why, "send", &q->peer.endpoint);
	else if (!q->peer.has_endpoint)
		drop(q, s, DROP_NO_PEER, "send", &q->peer.endpoint);
	else if (!q->cfg->no_pmtu && q->fault != FAULT_FRAGMENT &&
		 pmtu_fate(&q->pmtu, p.len, overhead(q), p.version, p.df) != PMTU_FITS)
		too_big(q, s);
}

static void note_endpoint(struct queue *q, enum endpoint_verdict v)
{
	char ep[64];

	/* Every datagram comes through here: format only when there is news. */
	if (v != ENDPOINT_LEARNED && v != ENDPOINT_MOVED)
		return;
	/* With several queues, queues_learn looked it up under the lock. */
	if (!q->sh)
		q->pmtu.mtu = pmtu_route_mtu(&q->dev.nl, &q->peer.endpoint);
	sockaddr_str(&q->peer.endpoint, ep, sizeof(ep));
	if (v == ENDPOINT_LEARNED)
		say(q, "peer: learned client endpoint %s\n", ep);
	else if (v == ENDPOINT_MOVED)
		say(q, "peer: client endpoint moved to %s\n", ep);
}

/* Judges one datagram: parse first, then check who sent it. */
static bool open_one(struct queue *q, struct slot *s, double now, size_t *off, size_t *len)
{
	enum endpoint_verdict v;
	struct pkt p;
	enum drop why;

	(void)now;
	if (!wire_decap(q->ops->mode, s->data, s->len, &p, &s->out_len, &why)) {
		drop(q, s, why, "recv", &s->addr);
		return false;
	}
	v = q->sh ? queues_learn(q, &s->addr, &s->local)
		  : endpoint_receive(&q->peer, &s->addr, &s->local);
	if (v == ENDPOINT_STRANGER) {
		drop(q, s, DROP_STRANGER, "recv", &s->addr);
		return false;
	}
	note_endpoint(q, v);
	*off = 0;
	*len = s->out_len;
	return true;
}

/* Reports about datagrams to anyone but our peer are not ours to act on. */
static void path_mtu(struct queue *q, const struct pmtu_report *r)
{
	char ep[64], hop[64];

	if (!q->peer.has_endpoint || !sockaddr_same(&r->dest, &q->peer.endpoint))
		return;
	if (!(q->sh ? queues_pmtu(q, r) : pmtu_apply(&q->pmtu, r)))
		return;
	sockaddr_str(&q->peer.endpoint, ep, sizeof(ep));
	if (r->from_icmp)
		sockaddr_addr_str(&r->offender, hop, sizeof(hop));
	say(q, "pmtu: the path to %s carries %d bytes (%s%s); inner packets up to %d\n", ep,
	    q->pmtu.mtu, r->from_icmp ? "ICMP from " : "the local route", r->from_icmp ? hop : "",
	    pmtu_inner(&q->pmtu, overhead(q)));
}

/* Plaintext and pi differ only in the 4-byte header the device gives each packet. */
#define PLAIN_OPS(m, hdr)                                                                          \
	{                                                                                          \
		.mode = (m), .headroom = 0, .read_max = SLOT_DATA, .dev_hdr = (hdr), .min_len = 8, \
		.sealed = false, .begin = begin, .seal = seal, .refused = too_big,                 \
		.open = open_one, .path_mtu = path_mtu,                                            \
	}

const struct mode_ops mode_plain_ops = PLAIN_OPS(MODE_PLAINTEXT, 0);
const struct mode_ops mode_pi_ops = PLAIN_OPS(MODE_PI, TUN_PI_LEN);
