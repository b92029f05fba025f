/*
 * Cutting TSO/USO super-packets from the TUN device: every segment a valid
 * packet of its own, with checksums recomputed, lengths, IDs and sequence
 * numbers moved on, flags where they belong, and the payload intact when
 * put back together.  On hand-made packets and on random ones.
 */
#include "tunnel/offload.h"
#include "lib/checksum.h"
#include "lib/packet.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BIG 70000

struct collected {
	uint8_t payload[BIG];
	size_t payload_len;
	int n;
	size_t longest;
	uint8_t flags[OFFLOAD_MAX_SEGMENTS];
	uint32_t seq[OFFLOAD_MAX_SEGMENTS];
	uint16_t ip_id[OFFLOAD_MAX_SEGMENTS];
	int stop_after;
};

static size_t l4_offset(const uint8_t *p)
{
	return p[0] >> 4 == 4 ? (size_t)(p[0] & 15) * 4 : 40;
}

/* Checks one segment as a receiver would, and keeps its payload. */
static int collect(void *arg, const uint8_t *p, size_t len)
{
	struct collected *c = arg;
	int version = p[0] >> 4;
	size_t l4 = l4_offset(p);
	uint8_t proto = version == 4 ? p[9] : p[6];
	size_t hdrs = l4 + (proto == IPPROTO_TCP ? (size_t)(p[l4 + 12] >> 4) * 4 : 8);
	const uint8_t *src = p + (version == 4 ? 12 : 8), *dst = p + (version == 4 ? 16 : 24);
	struct pkt parsed;

	assert_int_equal(pkt_parse(p, len, &parsed), PKT_OK);
	if (version == 4) {
		assert_int_equal(csum(p, l4), 0); /* the header checksum holds */
		assert_int_equal((size_t)(p[2] << 8 | p[3]), len);
		c->ip_id[c->n] = (uint16_t)(p[4] << 8 | p[5]);
	} else {
		assert_int_equal((size_t)(p[4] << 8 | p[5]) + 40, len);
	}
	/* Pseudo-header plus segment, checksum included, sums to all ones. */
	assert_int_equal(
	    csum_fold(csum_add(csum_pseudo(version, src, dst, proto, (uint32_t)(len - l4)), p + l4,
			       len - l4)),
	    0);
	if (proto == IPPROTO_UDP)
		assert_int_equal((size_t)(p[l4 + 4] << 8 | p[l4 + 5]), len - l4);
	else {
		c->flags[c->n] = p[l4 + 13];
		c->seq[c->n] = (uint32_t)p[l4 + 4] << 24 | (uint32_t)p[l4 + 5] << 16 |
			       (uint32_t)p[l4 + 6] << 8 | p[l4 + 7];
	}
	memcpy(c->payload + c->payload_len, p + hdrs, len - hdrs);
	c->payload_len += len - hdrs;
	if (len > c->longest)
		c->longest = len;
	c->n++;
	return c->stop_after && c->n == c->stop_after;
}

static size_t build(uint8_t *buf, int version, uint8_t proto, const uint8_t *payload, size_t len,
		    uint8_t flags)
{
	struct pkt_spec s = {.version = version,
			     .proto = proto,
			     .df = true,
			     .id = 0x1234,
			     .sport = 40000,
			     .dport = 5201,
			     .tcp_flags = flags,
			     .tcp_seq = 0xfffff000u, /* wraps during the cut */
			     .tcp_ack = 7,
			     .payload = payload,
			     .payload_len = len};

	inet_pton(version == 4 ? AF_INET : AF_INET6, version == 4 ? "172.31.255.7" : "fd00::7",
		  s.src);
	inet_pton(version == 4 ? AF_INET : AF_INET6, version == 4 ? "172.31.9.200" : "fd00::200",
		  s.dst);
	return (size_t)pkt_build(buf, BIG, &s);
}

static struct virtio_net_hdr gso_hdr(int version, uint8_t proto, uint16_t gso)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_size = gso};

	h.gso_type = proto == IPPROTO_UDP ? VIRTIO_NET_HDR_GSO_UDP_L4
		     : version == 4	  ? VIRTIO_NET_HDR_GSO_TCPV4
					  : VIRTIO_NET_HDR_GSO_TCPV6;
	return h;
}

static void tso_v4_three_segments(void **state)
{
	static uint8_t payload[3000], pkt[BIG], scratch[BIG];
	static struct collected c;
	struct virtio_net_hdr h = gso_hdr(4, IPPROTO_TCP, 1000);
	size_t len;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	len = build(pkt, 4, IPPROTO_TCP, payload, 2500, 0x80 | 0x10 | 0x08 | 0x01);
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c), 3);
	assert_int_equal(c.payload_len, 2500);
	assert_memory_equal(c.payload, payload, 2500);
	assert_int_equal(c.longest, 20 + 20 + 1000);
	/* Sequence numbers move on by the payload before, across the wrap. */
	assert_int_equal(c.seq[1], 0xfffff000u + 1000);
	assert_int_equal(c.seq[2], (uint32_t)(0xfffff000u + 2000));
	/* CWR on the first only; FIN and PSH on the last only; ACK on all. */
	assert_int_equal(c.flags[0], 0x80 | 0x10);
	assert_int_equal(c.flags[1], 0x10);
	assert_int_equal(c.flags[2], 0x10 | 0x08 | 0x01);
	/* Each segment its own IP ID. */
	assert_int_equal(c.ip_id[0], 0x1234);
	assert_int_equal(c.ip_id[2], 0x1236);
}

static void tso_v6_and_uso(void **state)
{
	static uint8_t payload[9000], pkt[BIG], scratch[BIG];
	static struct collected c;
	const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP};

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 1);
	for (int version = 4; version <= 6; version += 2)
		for (int k = 0; k < 2; k++) {
			struct virtio_net_hdr h = gso_hdr(version, protos[k], 1380);
			size_t len = build(pkt, version, protos[k], payload, 9000, 0x10);

			memset(&c, 0, sizeof(c));
			assert_int_equal(
			    offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c), 7);
			assert_int_equal(c.payload_len, 9000);
			assert_memory_equal(c.payload, payload, 9000);
		}
}

/* A packet that is not cut but whose checksum the kernel left to us. */
static void finishes_a_partial_checksum(void **state)
{
	static uint8_t payload[333], pkt[BIG], scratch[BIG];
	static struct collected c;
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_NONE,
				   .csum_start = 20,
				   .csum_offset = 6};
	size_t len = build(pkt, 4, IPPROTO_UDP, payload, sizeof(payload), 0);
	uint16_t partial;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* As the kernel leaves it: the pseudo-header's sum, folded, not inverted. */
	partial = (uint16_t)~csum_fold(
	    csum_pseudo(4, pkt + 12, pkt + 16, IPPROTO_UDP, (uint32_t)(len - 20)));
	pkt[26] = (uint8_t)(partial >> 8);
	pkt[27] = (uint8_t)partial;
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c), 1);
	/* Without NEEDS_CSUM, the packet goes as it is. */
	h.flags = 0;
	len = build(pkt, 4, IPPROTO_UDP, payload, sizeof(payload), 0);
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c), 1);
}

/* A batch of slots, as the device gives offload_split_into: each packet in the next one. */
struct slots {
	uint8_t buf[8][1600];
	size_t cap;
	int next;
	struct collected *c;
	int in_place; /* packets emitted where room pointed */
};

static uint8_t *next_slot(void *arg, size_t *cap)
{
	struct slots *s = arg;

	*cap = s->cap;
	return s->buf[s->next % 8];
}

static int slot_taken(void *arg, const uint8_t *p, size_t len)
{
	struct slots *s = arg;

	s->in_place += p == s->buf[s->next % 8];
	s->next++;
	return collect(s->c, p, len);
}

static void builds_in_the_callers_slots(void **state)
{
	static uint8_t payload[9000], pkt[BIG];
	static struct collected c;
	static struct slots s;
	struct virtio_net_hdr h = gso_hdr(6, IPPROTO_TCP, 1440);
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 1);
	len = build(pkt, 6, IPPROTO_TCP, payload, sizeof(payload), 0x10);
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	s.c = &c;
	s.cap = 40 + 20 + 1440;
	assert_int_equal(offload_split_into(&h, pkt, len, next_slot, slot_taken, &s), 7);
	assert_int_equal(s.in_place, 7);
	assert_int_equal(c.payload_len, sizeof(payload));
	assert_memory_equal(c.payload, payload, sizeof(payload));
	/* A slot one byte short of a segment: refused before anything is written past it. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	s.c = &c;
	s.cap = 40 + 20 + 1440 - 1;
	assert_int_equal(offload_split_into(&h, pkt, len, next_slot, slot_taken, &s),
			 OFFLOAD_MALFORMED);
	assert_int_equal(c.n, 0);
	/* The same for a packet the kernel did not cut. */
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.flags = 0;
	len = build(pkt, 6, IPPROTO_TCP, payload, 1500, 0x10);
	assert_int_equal(offload_split_into(&h, pkt, len, next_slot, slot_taken, &s),
			 OFFLOAD_MALFORMED);
	s.cap = 1600;
	assert_int_equal(offload_split_into(&h, pkt, len, next_slot, slot_taken, &s), 1);
	assert_int_equal(s.in_place, 1);
}

static void refuses_what_does_not_hold(void **state)
{
	static uint8_t payload[5000], pkt[BIG], scratch[BIG];
	static struct collected c;
	struct virtio_net_hdr h = gso_hdr(4, IPPROTO_TCP, 1000);
	size_t len = build(pkt, 4, IPPROTO_TCP, payload, sizeof(payload), 0x10);

	(void)state;
	memset(&c, 0, sizeof(c));
	h.gso_size = 0;
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_MALFORMED);
	h.gso_size = 10; /* 500 segments */
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_MALFORMED);
	h = gso_hdr(6, IPPROTO_TCP, 1000); /* says IPv6, is IPv4 */
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_UNSUPPORTED);
	h = gso_hdr(4, IPPROTO_TCP, 1000);
	assert_int_equal(offload_split(&h, pkt, 30, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_MALFORMED); /* cut short: the IP length disagrees */
	h.gso_type = 0x42;
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_UNSUPPORTED);
	h = gso_hdr(4, IPPROTO_TCP, 1000);
	c.stop_after = 2;
	assert_int_equal(offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c),
			 OFFLOAD_STOPPED);
	assert_int_equal(c.n, 2);
}

/* Random sizes, families and protocols: the properties hold for all. */
static void random_super_packets(void **state)
{
	static uint8_t payload[60000], pkt[BIG], scratch[BIG];
	static struct collected c;

	(void)state;
	srand(11);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rand();
	for (int round = 0; round < 300; round++) {
		int version = rand() % 2 ? 4 : 6;
		uint8_t proto = rand() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		size_t plen = 1 + (size_t)rand() % 60000;
		uint16_t gso = (uint16_t)(500 + rand() % 1000);
		size_t want = (plen + gso - 1) / gso;
		struct virtio_net_hdr h = gso_hdr(version, proto, gso);
		size_t len = build(pkt, version, proto, payload, plen, 0x10);
		int n;

		memset(&c, 0, sizeof(c));
		n = offload_split(&h, pkt, len, scratch, sizeof(scratch), collect, &c);
		if (want > OFFLOAD_MAX_SEGMENTS) {
			assert_int_equal(n, OFFLOAD_MALFORMED);
			continue;
		}
		assert_int_equal(n, (int)want);
		assert_int_equal(c.payload_len, plen);
		assert_memory_equal(c.payload, payload, plen);
		assert_true(c.longest <= len - plen + gso);
	}
}

/* ---- coalescing ---- */

struct segs {
	uint8_t pkt[OFFLOAD_MAX_SEGMENTS][2048];
	size_t len[OFFLOAD_MAX_SEGMENTS];
	int n;
};

static int keep_seg(void *arg, const uint8_t *p, size_t len)
{
	struct segs *s = arg;

	assert_true(s->n < OFFLOAD_MAX_SEGMENTS && len <= 2048);
	memcpy(s->pkt[s->n], p, len);
	s->len[s->n++] = len;
	return 0;
}

struct outputs {
	uint8_t pkt[8][BIG];
	size_t len[8];
	int n;
};

static int keep_out(void *arg, uint8_t *p, size_t len)
{
	struct outputs *o = arg;

	assert_true(o->n < 8);
	memcpy(o->pkt[o->n], p, len);
	o->len[o->n++] = len;
	return 0;
}

static void cut_proto(struct segs *s, int version, uint8_t proto, const uint8_t *payload,
		      size_t plen, uint16_t gso, uint8_t flags)
{
	static uint8_t pkt[BIG], scratch[BIG];
	struct virtio_net_hdr h = gso_hdr(version, proto, gso);
	size_t len = build(pkt, version, proto, payload, plen, flags);

	memset(s, 0, sizeof(*s));
	assert_true(offload_split(&h, pkt, len, scratch, sizeof(scratch), keep_seg, s) > 0);
}

static void cut(struct segs *s, int version, const uint8_t *payload, size_t plen, uint16_t gso,
		uint8_t flags)
{
	cut_proto(s, version, IPPROTO_TCP, payload, plen, gso, flags);
}

/* Every segment of s through a fresh gro, then flushed; o gets what came out. */
static void glue_all(struct gro *g, uint8_t *buf, size_t cap, struct outputs *o,
		     const struct segs *s)
{
	memset(o, 0, sizeof(*o));
	gro_init(g, buf, cap, true, keep_out, o);
	for (int i = 0; i < s->n; i++)
		gro_add(g, s->pkt[i], s->len[i]);
	gro_flush(g);
}

/*
 * The one packet glued (o's first), cut again as the kernel would: a's
 * segments, byte for byte (the IPv4 ID the first's plus i, as the cut
 * made it).
 */
static void cut_again_same(const struct virtio_net_hdr *h, const struct outputs *o,
			   const struct segs *a)
{
	static uint8_t scratch[BIG];
	static struct segs b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(offload_split(h, o->pkt[0] + GRO_HDR, o->len[0] - GRO_HDR, scratch,
				       sizeof(scratch), keep_seg, &b),
			 a->n);
	for (int i = 0; i < a->n; i++) {
		assert_int_equal(b.len[i], a->len[i]);
		assert_memory_equal(b.pkt[i], a->pkt[i], a->len[i]);
	}
}

/* Cut, glued back, and cut again: the same segments, byte for byte. */
static void gro_round_trip(void **state)
{
	static uint8_t payload[20000], buf[BIG];
	static struct segs a;
	static struct outputs o;
	struct gro g;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31);
	for (int version = 4; version <= 6; version += 2) {
		struct virtio_net_hdr h;

		cut(&a, version, payload, 20000, 1400, 0x10 | 0x08);
		glue_all(&g, buf, sizeof(buf), &o, &a);
		assert_int_equal(o.n, 1);
		memcpy(&h, o.pkt[0], sizeof(h));
		assert_int_equal(h.gso_type, version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
							  : VIRTIO_NET_HDR_GSO_TCPV6);
		assert_int_equal(h.gso_size, 1400);
		assert_true(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
		cut_again_same(&h, &o, &a);
		assert_int_equal(g.merged, (uint64_t)a.n - 1);
	}
}

/* Sets a byte of an IPv4 header, and makes the header's checksum good again. */
static void ipv4_set(uint8_t *p, size_t at, uint8_t v)
{
	uint16_t sum;

	p[at] = v;
	p[10] = p[11] = 0;
	sum = csum(p, l4_offset(p));
	memcpy(p + 10, &sum, 2);
}

/* What must not be glued: another flow, a gap, a FIN, other headers, a short one. */
static void gro_keeps_apart(void **state)
{
	static uint8_t payload[8000], buf[BIG];
	static struct segs a, other;
	static struct outputs o;
	struct gro g;

	(void)state;
	cut(&a, 4, payload, 7000, 1000, 0x10);
	cut(&other, 6, payload, 2000, 1000, 0x10);
	memset(&o, 0, sizeof(o));
	gro_init(&g, buf, sizeof(buf), true, keep_out, &o);
	gro_add(&g, a.pkt[0], a.len[0]);
	gro_add(&g, other.pkt[0], other.len[0]); /* another flow: the first goes out */
	gro_add(&g, a.pkt[2], a.len[2]);	 /* a gap in the sequence */
	gro_add(&g, a.pkt[3], a.len[3]);	 /* follows: joins */
	/* A different TTL, then besides it a different TOS: each ends a run
	 * on its own, since the header checksum is made good after each edit. */
	ipv4_set(a.pkt[4], 8, (uint8_t)(a.pkt[4][8] - 1));
	gro_add(&g, a.pkt[4], a.len[4]);
	ipv4_set(a.pkt[5], 8, a.pkt[4][8]);
	ipv4_set(a.pkt[5], 1, a.pkt[5][1] ^ 0x04);
	gro_add(&g, a.pkt[5], a.len[5]);
	gro_flush(&g);
	assert_int_equal(o.n, 5);
	assert_int_equal(o.len[2], GRO_HDR + 40 + 2000); /* segments 2 and 3 */
	assert_int_equal(o.len[3], GRO_HDR + 40 + 1000); /* 4 alone: its TTL */
	assert_int_equal(o.len[4], GRO_HDR + 40 + 1000); /* 5 alone: its TOS */
	/* A FIN passes on its own; a shorter segment ends a run. */
	cut(&a, 4, payload, 2500, 1000, 0x10 | 0x01);
	memset(&o, 0, sizeof(o));
	gro_add(&g, a.pkt[0], a.len[0]);
	gro_add(&g, a.pkt[1], a.len[1]);
	gro_add(&g, a.pkt[2], a.len[2]); /* 500 bytes, with the FIN */
	gro_flush(&g);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.len[0], GRO_HDR + 40 + 2000);
	assert_int_equal(o.len[1], GRO_HDR + 40 + 500);
}

/* A damaged segment is never glued (gluing makes new checksums): it goes out alone, as it came. */
static void gro_refuses_damage(void **state)
{
	static uint8_t payload[6000], buf[BIG], copy[2048];
	static struct segs a;
	static struct outputs o;
	struct virtio_net_hdr zero = {0};
	struct gro g;

	(void)state;
	for (int version = 4; version <= 6; version += 2) {
		cut(&a, version, payload, 5000, 1000, 0x10);
		a.pkt[2][a.len[2] - 7] ^= 0x5a; /* a payload byte, checksum untouched */
		memcpy(copy, a.pkt[2], a.len[2]);
		glue_all(&g, buf, sizeof(buf), &o, &a);
		/* 0+1 glued, 2 alone and unchanged, 3+4 glued */
		assert_int_equal(o.n, 3);
		assert_int_equal(o.len[1], GRO_HDR + a.len[2]);
		assert_memory_equal(o.pkt[1], &zero, GRO_HDR);
		assert_memory_equal(o.pkt[1] + GRO_HDR, copy, a.len[2]);
		assert_int_equal(g.merged, 2);
	}
	/* A damaged first segment goes alone, unchanged; the rest still glue. */
	for (int version = 4; version <= 6; version += 2) {
		cut(&a, version, payload, 5000, 1000, 0x10);
		a.pkt[0][a.len[0] - 1] ^= 0x01;
		memcpy(copy, a.pkt[0], a.len[0]);
		glue_all(&g, buf, sizeof(buf), &o, &a);
		assert_int_equal(o.n, 2);
		assert_memory_equal(o.pkt[0], &zero, GRO_HDR);
		assert_memory_equal(o.pkt[0] + GRO_HDR, copy, a.len[0]);
		assert_int_equal(g.merged, 3);
	}
	/* Damage in the TCP header (the urgent pointer) is caught as well. */
	cut(&a, 6, payload, 3000, 1000, 0x10);
	a.pkt[1][40 + 19] ^= 0x10;
	glue_all(&g, buf, sizeof(buf), &o, &a);
	assert_int_equal(o.n, 3);
	assert_int_equal(g.merged, 0);
	/* The IPv4 header's own checksum counts too: only that field is wrong. */
	cut(&a, 4, payload, 2000, 1000, 0x10);
	a.pkt[1][11] ^= 0x04;
	memset(&o, 0, sizeof(o));
	gro_init(&g, buf, sizeof(buf), true, keep_out, &o);
	gro_add(&g, a.pkt[0], a.len[0]);
	gro_add(&g, a.pkt[1], a.len[1]);
	gro_flush(&g);
	assert_int_equal(o.n, 2);
	assert_int_equal(g.merged, 0);
}

/* UDP: cut, glued back where the device takes USO, and cut again: the same datagrams. */
static void gro_udp_round_trip(void **state)
{
	static uint8_t payload[20000], buf[BIG];
	static struct segs a;
	static struct outputs o;
	struct virtio_net_hdr h, zero = {0};
	struct gro g;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 17 + 3);
	for (int version = 4; version <= 6; version += 2) {
		cut_proto(&a, version, IPPROTO_UDP, payload, 19500, 1000, 0);
		assert_int_equal(a.n, 20); /* the last one 500 bytes */
		glue_all(&g, buf, sizeof(buf), &o, &a);
		assert_int_equal(o.n, 1);
		memcpy(&h, o.pkt[0], sizeof(h));
		assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
		assert_int_equal(h.gso_size, 1000);
		assert_int_equal(h.csum_start, version == 4 ? 20 : 40);
		assert_int_equal(h.csum_offset, 6);
		assert_int_equal(h.hdr_len, h.csum_start + 8);
		cut_again_same(&h, &o, &a);
		assert_int_equal(g.merged, (uint64_t)a.n - 1);
		/* Where the device has no USO, each datagram goes as it came. */
		memset(&o, 0, sizeof(o));
		gro_init(&g, buf, sizeof(buf), false, keep_out, &o);
		for (int i = 0; i < 8; i++)
			gro_add(&g, a.pkt[i], a.len[i]);
		gro_flush(&g);
		assert_int_equal(o.n, 8);
		for (int i = 0; i < 8; i++) {
			assert_int_equal(o.len[i], GRO_HDR + a.len[i]);
			assert_memory_equal(o.pkt[i], &zero, GRO_HDR);
			assert_memory_equal(o.pkt[i] + GRO_HDR, a.pkt[i], a.len[i]);
		}
		assert_int_equal(g.merged, 0);
	}
}

/* Sets a UDP port of an IPv4 datagram, and makes its checksum good again. */
static void udp4_set_port(uint8_t *p, size_t len, uint16_t port)
{
	uint16_t sum;

	p[20] = (uint8_t)(port >> 8);
	p[21] = (uint8_t)port;
	p[26] = p[27] = 0;
	sum = (uint16_t)~csum_fold(csum_add(
	    csum_pseudo(4, p + 12, p + 16, IPPROTO_UDP, (uint32_t)(len - 20)), p + 20, len - 20));
	p[26] = (uint8_t)(sum >> 8);
	p[27] = (uint8_t)sum;
}

/*
 * What a UDP run must not take: another port, a datagram without a
 * checksum, a damaged one, a TCP segment, a longer one; and no run
 * outgrows the 64 segments the kernel takes.
 */
static void gro_udp_keeps_apart(void **state)
{
	static uint8_t payload[20000], buf[BIG];
	static struct segs a;
	static struct outputs o;
	static struct segs t;
	struct virtio_net_hdr h;
	struct gro g;

	(void)state;
	cut_proto(&a, 4, IPPROTO_UDP, payload, 12000, 1000, 0);
	cut(&t, 4, payload, 2000, 1000, 0x10);
	udp4_set_port(a.pkt[2], a.len[2], 40001); /* another flow */
	a.pkt[4][26] = a.pkt[4][27] = 0;	  /* sent without a checksum */
	a.pkt[6][a.len[6] - 1] ^= 0x20;		  /* damaged */
	memset(&o, 0, sizeof(o));
	gro_init(&g, buf, sizeof(buf), true, keep_out, &o);
	gro_add(&g, a.pkt[0], a.len[0]);
	gro_add(&g, a.pkt[1], a.len[1]); /* joins 0 */
	gro_add(&g, a.pkt[2], a.len[2]); /* alone: its port */
	gro_add(&g, a.pkt[3], a.len[3]); /* starts a run */
	gro_add(&g, a.pkt[4], a.len[4]); /* alone: no checksum */
	gro_add(&g, a.pkt[5], a.len[5]); /* starts a run */
	gro_add(&g, a.pkt[6], a.len[6]); /* alone: damaged */
	gro_add(&g, a.pkt[7], a.len[7]); /* starts a run */
	gro_add(&g, t.pkt[0], t.len[0]); /* TCP: its own run */
	gro_flush(&g);
	assert_int_equal(o.n, 8);
	assert_int_equal(o.len[0], GRO_HDR + 28 + 2000);
	for (int i = 1; i < 8; i++)
		assert_int_equal(o.len[i], GRO_HDR + (i == 7 ? 40 : 28) + 1000);
	assert_int_equal(g.merged, 1);
	/* Small datagrams: 100 of 100 bytes go as runs of 64 and 36. */
	cut_proto(&a, 6, IPPROTO_UDP, payload, 10000, 100, 0);
	assert_int_equal(a.n, 100);
	glue_all(&g, buf, sizeof(buf), &o, &a);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.len[0], GRO_HDR + 48 + 64 * 100);
	assert_int_equal(o.len[1], GRO_HDR + 48 + 36 * 100);
	/* A longer datagram after a run does not join it. */
	cut_proto(&a, 4, IPPROTO_UDP, payload, 3000, 1000, 0);
	cut_proto(&t, 4, IPPROTO_UDP, payload, 2400, 1200, 0);
	memset(&o, 0, sizeof(o));
	gro_init(&g, buf, sizeof(buf), true, keep_out, &o);
	gro_add(&g, a.pkt[0], a.len[0]);
	gro_add(&g, a.pkt[1], a.len[1]);
	gro_add(&g, t.pkt[0], t.len[0]);
	gro_flush(&g);
	assert_int_equal(o.n, 2);
	memcpy(&h, o.pkt[1], sizeof(h));
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tso_v4_three_segments),
	    cmocka_unit_test(tso_v6_and_uso),
	    cmocka_unit_test(finishes_a_partial_checksum),
	    cmocka_unit_test(refuses_what_does_not_hold),
	    cmocka_unit_test(builds_in_the_callers_slots),
	    cmocka_unit_test(random_super_packets),
	    cmocka_unit_test(gro_round_trip),
	    cmocka_unit_test(gro_keeps_apart),
	    cmocka_unit_test(gro_refuses_damage),
	    cmocka_unit_test(gro_udp_round_trip),
	    cmocka_unit_test(gro_udp_keeps_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
