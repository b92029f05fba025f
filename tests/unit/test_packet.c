/* Packet building, parsing and decoding, including every way a packet can be short or wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/checksum.h"
#include "lib/packet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static struct pkt_spec v4(uint8_t proto)
{
	struct pkt_spec s = {.version = 4, .proto = proto, .df = true, .id = 7};

	inet_pton(AF_INET, "172.31.255.7", s.src);
	inet_pton(AF_INET, "172.31.9.200", s.dst);
	return s;
}

static struct pkt_spec v6(uint8_t proto)
{
	struct pkt_spec s = {.version = 6, .proto = proto};

	inet_pton(AF_INET6, "fd00:172:31:255::7", s.src);
	inet_pton(AF_INET6, "fd00:172:31::200", s.dst);
	return s;
}

/* The upper-layer checksum of a built packet must verify. */
static void assert_l4_checksum(const uint8_t *buf, const struct pkt *p)
{
	uint32_t sum = 0;

	if (p->proto != IPPROTO_ICMP)
		sum = csum_pseudo(p->version, p->src, p->dst, p->proto, (uint32_t)p->payload_len);
	assert_int_equal(csum_fold(csum_add(sum, p->payload, p->payload_len)), 0);
	(void)buf;
}

static void icmp_echo_v4(void **state)
{
	uint8_t payload[56] = {0}, buf[2048];
	struct pkt_spec s = v4(IPPROTO_ICMP);
	struct pkt p;
	ssize_t n;

	(void)state;
	s.icmp_id = 0x1234;
	s.icmp_seq = 3;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	n = pkt_build(buf, sizeof(buf), &s);
	assert_int_equal(n, 84); /* ping's default 56 bytes: 20 + 8 + 56 */
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.len, 84);
	assert_int_equal(p.proto, IPPROTO_ICMP);
	assert_true(p.df);
	assert_false(p.fragment);
	assert_true(p.l4);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_id, 0x1234);
	assert_int_equal(p.icmp_seq, 3);
	assert_int_equal(p.ttl, 64);
	assert_memory_equal(p.src, s.src, 4);
	assert_int_equal(csum(buf, 20), 0);
	assert_l4_checksum(buf, &p);
}

static void udp_tcp_v4(void **state)
{
	uint8_t buf[256], data[] = "marker";
	struct pkt_spec s = v4(IPPROTO_UDP);
	struct pkt p;
	ssize_t n;

	(void)state;
	s.sport = 40000;
	s.dport = 1234;
	s.payload = data;
	s.payload_len = 6;
	n = pkt_build(buf, sizeof(buf), &s);
	assert_int_equal(n, 20 + 8 + 6);
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 1234);
	assert_l4_checksum(buf, &p);

	s = v4(IPPROTO_TCP);
	s.sport = 5001;
	s.dport = 80;
	s.tcp_flags = 0x12; /* SYN ACK */
	n = pkt_build(buf, sizeof(buf), &s);
	assert_int_equal(n, 40);
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.tcp_flags, 0x12);
	assert_l4_checksum(buf, &p);
}

static void all_v6(void **state)
{
	const uint8_t protos[] = {IPPROTO_ICMPV6, IPPROTO_UDP, IPPROTO_TCP};
	uint8_t buf[256];
	struct pkt p;

	(void)state;
	for (size_t i = 0; i < sizeof(protos); i++) {
		struct pkt_spec s = v6(protos[i]);
		ssize_t n = pkt_build(buf, sizeof(buf), &s);

		assert_true(n > 40);
		assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
		assert_int_equal(p.version, 6);
		assert_int_equal(p.proto, protos[i]);
		assert_int_equal(p.ip_hlen, 40);
		assert_l4_checksum(buf, &p);
	}
}

static void icmp_on_v6_becomes_icmpv6(void **state)
{
	struct pkt_spec s = v6(IPPROTO_ICMP);
	uint8_t buf[128];
	struct pkt p;

	(void)state;
	assert_true(pkt_build(buf, sizeof(buf), &s) > 0);
	assert_int_equal(pkt_parse(buf, 48, &p), PKT_OK);
	assert_int_equal(p.proto, IPPROTO_ICMPV6);
	assert_int_equal(p.icmp_type, 128);
}

static void build_refuses_small_buffer(void **state)
{
	struct pkt_spec s = v4(IPPROTO_ICMP);
	uint8_t buf[27];

	(void)state;
	assert_int_equal(pkt_build(buf, sizeof(buf), &s), -1);
	s.version = 5;
	assert_int_equal(pkt_build(buf, sizeof(buf), &s), -1);
}

/* Every prefix of a valid packet shorter than its total length is truncated, never read past. */
static void every_truncation(void **state)
{
	uint8_t buf[128];
	struct pkt_spec s4 = v4(IPPROTO_UDP), s6 = v6(IPPROTO_TCP);
	ssize_t n4 = pkt_build(buf, sizeof(buf), &s4);
	struct pkt p;

	(void)state;
	for (ssize_t len = 0; len < n4; len++)
		assert_int_equal(pkt_parse(buf, (size_t)len, &p), PKT_TRUNCATED);
	ssize_t n6 = pkt_build(buf, sizeof(buf), &s6);
	for (ssize_t len = 0; len < n6; len++)
		assert_int_equal(pkt_parse(buf, (size_t)len, &p), PKT_TRUNCATED);
	assert_int_equal(pkt_parse(buf, (size_t)n6, &p), PKT_OK);
}

static void not_ip(void **state)
{
	uint8_t buf[64] = {0};
	struct pkt p;

	(void)state;
	for (int v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		buf[0] = (uint8_t)(v << 4 | 5);
		assert_int_equal(pkt_parse(buf, sizeof(buf), &p), PKT_NOT_IP);
	}
}

static void bad_ipv4_header(void **state)
{
	struct pkt_spec s = v4(IPPROTO_ICMP);
	uint8_t buf[128];
	struct pkt p;
	ssize_t n = pkt_build(buf, sizeof(buf), &s);

	(void)state;
	buf[0] = 0x44; /* IHL 4: 16 bytes, below the minimum */
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_BAD_HEADER);
	buf[0] = 0x45;
	buf[2] = 0;
	buf[3] = 10; /* total length shorter than the header */
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_BAD_HEADER);
	buf[0] = 0x4f; /* IHL 15: 60 bytes, past the 28 we have */
	buf[3] = 60;
	assert_int_equal(pkt_parse(buf, 28, &p), PKT_TRUNCATED);
}

static void trailing_bytes_are_not_the_packet(void **state)
{
	struct pkt_spec s = v4(IPPROTO_ICMP);
	uint8_t buf[128];
	struct pkt p;
	ssize_t n = pkt_build(buf, sizeof(buf), &s);

	(void)state;
	assert_int_equal(pkt_parse(buf, (size_t)n + 10, &p), PKT_OK);
	assert_int_equal(p.len, (size_t)n);
}

static void fragments_v4(void **state)
{
	struct pkt_spec s = v4(IPPROTO_UDP);
	uint8_t buf[128];
	struct pkt p;
	ssize_t n = pkt_build(buf, sizeof(buf), &s);

	(void)state;
	buf[6] = 0x20; /* more fragments, offset 0 */
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
	assert_true(p.fragment);
	assert_int_equal(p.frag_off, 0);
	assert_true(p.l4);
	buf[6] = 0x00;
	buf[7] = 185; /* offset 185 * 8 = 1480, last fragment */
	assert_int_equal(pkt_parse(buf, (size_t)n, &p), PKT_OK);
	assert_true(p.fragment);
	assert_int_equal(p.frag_off, 1480);
	assert_false(p.l4); /* a later fragment has no UDP header to read */
}

static void ipv6_extension_headers(void **state)
{
	uint8_t buf[128] = {0};
	struct pkt p;

	(void)state;
	/* IPv6, hop-by-hop (8 bytes), fragment header (8 bytes), then UDP (8 bytes). */
	buf[0] = 0x60;
	buf[5] = 24;
	buf[6] = 0; /* hop-by-hop */
	buf[7] = 64;
	buf[40] = 44; /* next: fragment */
	buf[41] = 0;  /* length 0: 8 bytes */
	buf[48] = IPPROTO_UDP;
	buf[50] = 0x00;
	buf[51] = 0x01; /* offset 0, more fragments */
	buf[55] = 9;	/* id */
	buf[56] = 0x13;
	buf[57] = 0x88; /* sport 5000 */
	assert_int_equal(pkt_parse(buf, 64, &p), PKT_OK);
	assert_int_equal(p.proto, IPPROTO_UDP);
	assert_int_equal(p.ip_hlen, 56);
	assert_true(p.fragment);
	assert_int_equal(p.id, 9);
	assert_int_equal(p.sport, 5000);
	/* An extension header that runs past the payload is truncated. */
	buf[5] = 12;
	assert_int_equal(pkt_parse(buf, 52, &p), PKT_TRUNCATED);
	/* An extension header that claims more than the payload holds is truncated. */
	buf[5] = 24;
	buf[6] = 60;   /* destination options */
	buf[41] = 100; /* (100 + 1) * 8 = 808 bytes */
	assert_int_equal(pkt_parse(buf, 64, &p), PKT_TRUNCATED);
}

static void decode_lines(void **state)
{
	uint8_t buf[256], payload[56] = {0};
	struct pkt_spec s = v4(IPPROTO_ICMP);
	char line[256];
	ssize_t n;

	(void)state;
	s.icmp_id = 1;
	s.icmp_seq = 2;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	n = pkt_build(buf, sizeof(buf), &s);
	pkt_decode(buf, (size_t)n, line, sizeof(line));
	assert_string_equal(line, "IPv4 84 ICMP 172.31.255.7 → 172.31.9.200 echo-request id=1 "
				  "seq=2 ttl=64");

	s = v6(IPPROTO_UDP);
	s.sport = 53;
	s.dport = 4000;
	n = pkt_build(buf, sizeof(buf), &s);
	pkt_decode(buf, (size_t)n, line, sizeof(line));
	assert_string_equal(line, "IPv6 48 UDP fd00:172:31:255::7 → fd00:172:31::200 53 → 4000 "
				  "ttl=64");

	s = v4(IPPROTO_TCP);
	s.sport = 40000;
	s.dport = 5001;
	s.tcp_flags = 0x02;
	n = pkt_build(buf, sizeof(buf), &s);
	pkt_decode(buf, (size_t)n, line, sizeof(line));
	assert_string_equal(line, "IPv4 40 TCP 172.31.255.7 → 172.31.9.200 40000 → 5001 [S] "
				  "ttl=64");

	pkt_decode(buf, 10, line, sizeof(line));
	assert_string_equal(line, "10 bytes, truncated");
	buf[0] = 0x00;
	pkt_decode(buf, 40, line, sizeof(line));
	assert_string_equal(line, "40 bytes, not IP");
}

static void decode_never_overflows(void **state)
{
	uint8_t buf[128];
	struct pkt_spec s = v6(IPPROTO_TCP);
	char line[256];
	ssize_t n = pkt_build(buf, sizeof(buf), &s);

	(void)state;
	for (size_t cap = 1; cap < 80; cap++) {
		memset(line, 'x', sizeof(line));
		size_t used = pkt_decode(buf, (size_t)n, line, cap);
		assert_true(used < cap);
		assert_int_equal(line[used], '\0');
		assert_int_equal(line[cap], 'x');
	}
}

/* The same packet bare and in an Ethernet frame: 0 and 14; junk, 0. */
static void link_header_found_only_around_ip(void **state)
{
	uint8_t ip[128], frame[160] = {0};
	struct pkt_spec s4 = v4(IPPROTO_UDP), s6 = v6(IPPROTO_TCP);
	ssize_t n;

	(void)state;
	for (int k = 0; k < 2; k++) {
		n = pkt_build(ip, sizeof(ip), k ? &s6 : &s4);
		assert_true(n > 0);
		assert_int_equal(pkt_link_header(ip, (size_t)n), 0);
		frame[12] = k ? 0x86 : 0x08;
		frame[13] = k ? 0xdd : 0x00;
		memcpy(frame + 14, ip, (size_t)n);
		assert_int_equal(pkt_link_header(frame, (size_t)n + 14), 14);
		/* A frame padded past the packet is still one. */
		assert_int_equal(pkt_link_header(frame, (size_t)n + 20), 14);
		/* Cut short, the IP header's length no longer fits: not a frame. */
		assert_int_equal(pkt_link_header(frame, (size_t)n + 13), 0);
		/* The type says IPv4 but the header is IPv6, or the reverse. */
		frame[12] = k ? 0x08 : 0x86;
		frame[13] = k ? 0x00 : 0xdd;
		assert_int_equal(pkt_link_header(frame, (size_t)n + 14), 0);
	}
	assert_int_equal(pkt_link_header(frame, 13), 0);
	assert_int_equal(pkt_link_header(frame, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(icmp_echo_v4),
	    cmocka_unit_test(udp_tcp_v4),
	    cmocka_unit_test(all_v6),
	    cmocka_unit_test(icmp_on_v6_becomes_icmpv6),
	    cmocka_unit_test(build_refuses_small_buffer),
	    cmocka_unit_test(link_header_found_only_around_ip),
	    cmocka_unit_test(every_truncation),
	    cmocka_unit_test(not_ip),
	    cmocka_unit_test(bad_ipv4_header),
	    cmocka_unit_test(trailing_bytes_are_not_the_packet),
	    cmocka_unit_test(fragments_v4),
	    cmocka_unit_test(ipv6_extension_headers),
	    cmocka_unit_test(decode_lines),
	    cmocka_unit_test(decode_never_overflows),
	};
	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
