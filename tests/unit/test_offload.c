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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tso_v4_three_segments),
	    cmocka_unit_test(tso_v6_and_uso),
	    cmocka_unit_test(finishes_a_partial_checksum),
	    cmocka_unit_test(refuses_what_does_not_hold),
	    cmocka_unit_test(random_super_packets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
