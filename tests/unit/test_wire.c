/* Plaintext and PI wire formats: what a datagram must be to reach the TUN device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/packet.h"
#include "tunnel/wire.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

static size_t ping(uint8_t *buf, size_t cap, int version, size_t payload)
{
	static uint8_t zeros[65536];
	struct pkt_spec s = {.version = version, .proto = IPPROTO_ICMP};

	s.payload = zeros;
	s.payload_len = payload;
	s.src[0] = s.dst[0] = version == 6 ? 0xfd : 172;
	ssize_t n = pkt_build(buf, cap, &s);
	assert_true(n > 0);
	return (size_t)n;
}

static void plain_roundtrip(void **state)
{
	uint8_t buf[2048];
	size_t n = ping(buf, sizeof(buf), 4, 56), out;
	struct pkt p;
	enum drop why;

	(void)state;
	assert_true(wire_encap(MODE_PLAINTEXT, buf, n, 4, &p, &out, &why));
	assert_int_equal(out, n);
	assert_true(wire_decap(MODE_PLAINTEXT, buf, n, &p, &out, &why));
	assert_int_equal(out, 84);
	/* Junk after the packet is not written to the device. */
	assert_true(wire_decap(MODE_PLAINTEXT, buf, n + 7, &p, &out, &why));
	assert_int_equal(out, 84);
}

static void pi_roundtrip(void **state)
{
	uint8_t buf[2048];
	size_t n = ping(buf + 4, sizeof(buf) - 4, 6, 8), out;
	uint16_t proto = htons(ETH_P_IPV6);
	struct pkt p;
	enum drop why;

	(void)state;
	memset(buf, 0, 4);
	memcpy(buf + 2, &proto, 2);
	assert_true(wire_decap(MODE_PI, buf, n + 4, &p, &out, &why));
	assert_int_equal(out, n + 4);
	assert_int_equal(p.version, 6);
	/* The header must name the packet it carries. */
	proto = htons(ETH_P_IP);
	memcpy(buf + 2, &proto, 2);
	assert_false(wire_decap(MODE_PI, buf, n + 4, &p, &out, &why));
	assert_int_equal(why, DROP_NOT_IP);
	/* A plaintext tunnel reading a PI datagram sees garbage, not IP. */
	assert_false(wire_decap(MODE_PLAINTEXT, buf, n + 4, &p, &out, &why));
	assert_int_equal(why, DROP_NOT_IP);
}

static void short_datagrams(void **state)
{
	uint8_t buf[2048] = {0};
	size_t n = ping(buf + 4, sizeof(buf) - 4, 4, 56), out;
	uint16_t proto = htons(ETH_P_IP);
	struct pkt p;
	enum drop why;

	(void)state;
	memcpy(buf + 2, &proto, 2);
	for (size_t len = 0; len < n + 4; len++) {
		assert_false(wire_decap(MODE_PI, buf, len, &p, &out, &why));
		assert_int_equal(why, DROP_TRUNCATED);
	}
	for (size_t len = 0; len < n; len++) {
		assert_false(wire_decap(MODE_PLAINTEXT, buf + 4, len, &p, &out, &why));
		assert_int_equal(why, DROP_TRUNCATED);
	}
}

static void garbage(void **state)
{
	struct pkt p;
	size_t out;
	enum drop why;

	(void)state;
	/* 'X' is 0x58: IP version 5, which does not exist. */
	assert_false(wire_decap(MODE_PLAINTEXT, (const uint8_t *)"Xello", 5, &p, &out, &why));
	assert_int_equal(why, DROP_NOT_IP);
	/* 'h' is 0x68: version 6, but far shorter than an IPv6 header. */
	assert_false(wire_decap(MODE_PLAINTEXT, (const uint8_t *)"hello", 5, &p, &out, &why));
	assert_int_equal(why, DROP_TRUNCATED);
	assert_false(wire_decap(MODE_PLAINTEXT, (const uint8_t *)"", 0, &p, &out, &why));
	assert_int_equal(why, DROP_TRUNCATED);
}

static void too_big_for_one_datagram(void **state)
{
	static uint8_t buf[65536];
	size_t n = ping(buf, sizeof(buf), 4, 65535 - 28), out;
	struct pkt p;
	enum drop why;

	(void)state;
	assert_int_equal(n, 65535);
	/* 65535 bytes cannot ride in a UDP payload over IPv4 (at most 65507). */
	assert_false(wire_encap(MODE_PLAINTEXT, buf, n, 4, &p, &out, &why));
	assert_int_equal(why, DROP_TOO_BIG);
	/* 65507 can. */
	n = ping(buf, sizeof(buf), 4, 65507 - 28);
	assert_true(wire_encap(MODE_PLAINTEXT, buf, n, 4, &p, &out, &why));
	/* Over IPv6 there is room for 65527. */
	n = ping(buf, sizeof(buf), 4, 65527 - 28);
	assert_true(wire_encap(MODE_PLAINTEXT, buf, n, 6, &p, &out, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_roundtrip),		cmocka_unit_test(pi_roundtrip),
	    cmocka_unit_test(short_datagrams),		cmocka_unit_test(garbage),
	    cmocka_unit_test(too_big_for_one_datagram),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
