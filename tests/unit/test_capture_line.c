/*
 * What harness capture prints for a packet: the WireGuard message a tunnel
 * datagram carries, named by pkt_decode_encap, the inner packet opened with
 * a keyring, and the IPv6 chatter it leaves out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/capture_line.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/packet.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* A UDP datagram 198.51.100.2:40000 -> 203.0.113.10:1234 around payload. */
static size_t datagram(uint8_t *buf, size_t cap, const uint8_t *payload, size_t len)
{
	struct pkt_spec s = {.version = 4,
			     .proto = IPPROTO_UDP,
			     .sport = 40000,
			     .dport = 1234,
			     .payload = payload,
			     .payload_len = len};
	ssize_t n;

	memcpy(s.src, (uint8_t[]){198, 51, 100, 2}, 4);
	memcpy(s.dst, (uint8_t[]){203, 0, 113, 10}, 4);
	n = pkt_build(buf, cap, &s);
	assert_true(n > 0);
	return (size_t)n;
}

static size_t ping(uint8_t *buf, size_t cap, int version, uint8_t icmp_type, size_t payload)
{
	static const uint8_t zeros[256];
	struct pkt_spec s = {.version = version,
			     .proto = version == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			     .icmp_type = icmp_type,
			     .payload = zeros,
			     .payload_len = payload};
	ssize_t n;

	if (version == 4) {
		memcpy(s.src, (uint8_t[]){172, 31, 255, 7}, 4);
		memcpy(s.dst, (uint8_t[]){172, 31, 9, 200}, 4);
	} else {
		s.src[0] = 0xfe, s.src[1] = 0x80, s.src[15] = 1;
		s.dst[0] = 0xff, s.dst[1] = 0x02, s.dst[15] = 0x16;
	}
	n = pkt_build(buf, cap, &s);
	assert_true(n > 0);
	return (size_t)n;
}

static void names_handshake_messages(void **state)
{
	uint8_t msg[148] = {0}, dg[512];
	char line[512];
	size_t n;

	(void)state;
	put_le32(msg, MSG_INITIATION);
	put_le32(msg + 4, 0x1a2b3c4d);
	n = datagram(dg, sizeof(dg), msg, 148);
	pkt_decode_encap(dg, n, 1234, line, sizeof(line));
	assert_non_null(strstr(line, "40000 → 1234"));
	assert_non_null(strstr(line, " | WireGuard initiation sender 0x1a2b3c4d"));
	/* Not at its exact length: not named. */
	n = datagram(dg, sizeof(dg), msg, 147);
	pkt_decode_encap(dg, n, 1234, line, sizeof(line));
	assert_null(strstr(line, "WireGuard"));
	/* Nor to another port. */
	n = datagram(dg, sizeof(dg), msg, 148);
	pkt_decode_encap(dg, n, 4321, line, sizeof(line));
	assert_null(strstr(line, "WireGuard"));
	put_le32(msg, MSG_RESPONSE);
	put_le32(msg + 8, 7);
	n = datagram(dg, sizeof(dg), msg, 92);
	pkt_decode_encap(dg, n, 1234, line, sizeof(line));
	assert_non_null(
	    strstr(line, " | WireGuard response sender 0x1a2b3c4d receiver 0x00000007"));
	put_le32(msg, MSG_COOKIE);
	n = datagram(dg, sizeof(dg), msg, 64);
	pkt_decode_encap(dg, n, 1234, line, sizeof(line));
	assert_non_null(strstr(line, " | WireGuard cookie reply receiver 0x1a2b3c4d"));
}

/* A transport message of inner, padded to 16, sealed with key 0x5a under counter 3. */
static size_t transport(uint8_t *msg, const uint8_t *inner, size_t len, uint32_t receiver)
{
	uint8_t plain[512] = {0}, key[32];
	size_t padded = (len + 15) & ~(size_t)15;

	memset(key, 0x5a, sizeof(key));
	memcpy(plain, inner, len);
	put_le32(msg, MSG_DATA);
	put_le32(msg + 4, receiver);
	put_le64(msg + 8, 3);
	aead_seal(msg + 16, plain, padded, 3, key, NULL, 0);
	return 32 + padded;
}

static void opens_transport_on_the_same_line(void **state)
{
	struct capture_keys *k = calloc(1, sizeof(*k));
	uint8_t inner[256], msg[512], dg[1024];
	size_t len = ping(inner, sizeof(inner), 4, 0, 56), n;
	char line[512];

	(void)state;
	assert_non_null(k);
	k->ring.entry[0].receiver = 0xcafe;
	memset(k->ring.entry[0].key, 0x5a, 32);
	k->ring.n = 1;
	k->loaded_at = clock_seconds(); /* no lab to ask: the keys are these */
	n = datagram(dg, sizeof(dg), msg, transport(msg, inner, len, 0xcafe));
	capture_line(k, dg, n, line, sizeof(line));
	assert_non_null(strstr(line, " | WireGuard transport receiver 0x0000cafe counter 3, "
				     "112 sealed | inner IPv4 84 ICMP 172.31.255.7 → 172.31.9.200 "
				     "echo-request"));
	/* Another receiver: not opened, and said so. */
	n = datagram(dg, sizeof(dg), msg, transport(msg, inner, len, 0xbeef));
	capture_line(k, dg, n, line, sizeof(line));
	assert_non_null(strstr(line, "| no key for this receiver"));
	assert_null(strstr(line, "inner"));
	/* A wrong key for the receiver. */
	k->ring.entry[0].key[0] ^= 1;
	n = datagram(dg, sizeof(dg), msg, transport(msg, inner, len, 0xcafe));
	capture_line(k, dg, n, line, sizeof(line));
	assert_non_null(strstr(line, "| does not open with the lab's key"));
	k->ring.entry[0].key[0] ^= 1;
	/* A keepalive. */
	n = datagram(dg, sizeof(dg), msg, transport(msg, inner, 0, 0xcafe));
	capture_line(k, dg, n, line, sizeof(line));
	assert_non_null(strstr(line, "counter 3, 16 sealed | keepalive"));
	capture_keys_wipe(k);
	assert_int_equal(k->ring.n, 0);
	free(k);
}

static void leaves_out_chatter(void **state)
{
	uint8_t pkt[256], dg[512];
	size_t n;

	(void)state;
	/* MLD reports and queries, and a router solicitation. */
	for (int type = 130; type <= 143; type++) {
		n = ping(pkt, sizeof(pkt), 6, (uint8_t)type, 20);
		assert_int_equal(capture_is_chatter(pkt, n), type == 130 || type == 131 ||
								 type == 132 || type == 133 ||
								 type == 143);
	}
	/* A ping, a neighbour solicitation: wanted. */
	n = ping(pkt, sizeof(pkt), 6, 128, 20);
	assert_false(capture_is_chatter(pkt, n));
	n = ping(pkt, sizeof(pkt), 6, 135, 20);
	assert_false(capture_is_chatter(pkt, n));
	n = ping(pkt, sizeof(pkt), 4, 8, 20);
	assert_false(capture_is_chatter(pkt, n));
	/* An MLD report inside a plaintext datagram, bare or behind a PI header. */
	n = ping(pkt + 4, sizeof(pkt) - 4, 6, 143, 20);
	assert_true(capture_is_chatter(dg, datagram(dg, sizeof(dg), pkt + 4, n)));
	memcpy(pkt, (uint8_t[]){0, 0, 0x86, 0xdd}, 4);
	assert_true(capture_is_chatter(dg, datagram(dg, sizeof(dg), pkt, n + 4)));
	n = ping(pkt, sizeof(pkt), 6, 128, 20);
	assert_false(capture_is_chatter(dg, datagram(dg, sizeof(dg), pkt, n)));
	/* Too short to say: not chatter. */
	assert_false(capture_is_chatter(pkt, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_handshake_messages),
	    cmocka_unit_test(opens_transport_on_the_same_line),
	    cmocka_unit_test(leaves_out_chatter),
	};
	return cmocka_run_group_tests_name("capture_line", tests, NULL, NULL);
}
