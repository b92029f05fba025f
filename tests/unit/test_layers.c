/* Taking packets apart for the walkthrough: layers, offsets, and the inner packet of a datagram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/layers.h"
#include "lib/packet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static size_t ping(uint8_t *buf, size_t cap)
{
	static const uint8_t hello[] = "hello";
	struct pkt_spec s = {
	    .version = 4, .proto = IPPROTO_ICMP, .payload = hello, .payload_len = 5};

	inet_pton(AF_INET, "172.31.255.7", s.src);
	inet_pton(AF_INET, "172.31.9.200", s.dst);
	return (size_t)pkt_build(buf, cap, &s);
}

/* The ping inside a UDP datagram to port 1234, with or without a PI header. */
static size_t datagram(uint8_t *buf, size_t cap, bool pi)
{
	uint8_t inner[128], payload[160];
	size_t n = ping(inner, sizeof(inner)), off = 0;
	struct pkt_spec s = {.version = 4, .proto = IPPROTO_UDP, .sport = 40000, .dport = 1234};

	if (pi) {
		memcpy(payload, "\x00\x00\x08\x00", 4);
		off = 4;
	}
	memcpy(payload + off, inner, n);
	s.payload = payload;
	s.payload_len = n + off;
	inet_pton(AF_INET, "192.168.1.192", s.src);
	inet_pton(AF_INET, "203.0.113.10", s.dst);
	return (size_t)pkt_build(buf, cap, &s);
}

static void plain_ping(void **state)
{
	uint8_t buf[128];
	size_t n = ping(buf, sizeof(buf));
	struct layers l;

	(void)state;
	assert_int_equal(layers_of(buf, n, 1234, &l), 3);
	assert_false(l.tunnel);
	assert_string_equal(l.layer[0].name, "IPv4");
	assert_string_equal(l.layer[1].name, "ICMP");
	assert_string_equal(l.layer[2].name, "payload");
	assert_int_equal(l.layer[2].offset, 28);
	assert_int_equal(l.layer[2].len, 5);
	assert_string_equal(field_value(&l.layer[0], "source"), "172.31.255.7");
	assert_string_equal(field_value(&l.layer[1], "type, code"), "8, 0");
}

static void tunnel_datagram(void **state)
{
	uint8_t buf[256];
	size_t n = datagram(buf, sizeof(buf), false);
	const struct layer *in;
	struct layers l;

	(void)state;
	assert_int_equal(layers_of(buf, n, 1234, &l), 5);
	assert_true(l.tunnel);
	assert_string_equal(l.layer[0].name, "outer IPv4");
	assert_string_equal(l.layer[1].name, "UDP");
	in = layer_find(&l, "inner IPv4");
	assert_non_null(in);
	assert_int_equal(in->offset, 28);
	/* Field offsets count from the start of the outer packet. */
	assert_int_equal(in->fields[7].offset, 40);
	assert_string_equal(in->fields[7].name, "source");
	assert_string_equal(field_value(in, "destination"), "172.31.9.200");
}

static void pi_datagram(void **state)
{
	uint8_t buf[256];
	size_t n = datagram(buf, sizeof(buf), true);
	const struct layer *pi;
	struct layers l;

	(void)state;
	assert_int_equal(layers_of(buf, n, 1234, &l), 6);
	pi = layer_find(&l, "PI header");
	assert_non_null(pi);
	assert_int_equal(pi->offset, 28);
	assert_string_equal(field_value(pi, "protocol"), "0x0800");
	assert_int_equal(layer_find(&l, "inner IPv4")->offset, 32);
}

/* Every layer and every field of l lies inside the len bytes it was taken from. */
static void assert_within(const struct layers *l, size_t len)
{
	for (int i = 0; i < l->n; i++) {
		const struct layer *y = &l->layer[i];

		assert_true(y->offset + y->len <= len);
		for (int j = 0; j < y->nfields; j++)
			assert_true(y->fields[j].offset + y->fields[j].len <= len);
	}
}

static void other_ports_and_garbage(void **state)
{
	uint8_t buf[256];
	size_t n = datagram(buf, sizeof(buf), false);
	struct layers l;

	(void)state;
	/* Not the tunnel's port: a UDP packet with a payload, nothing inside. */
	assert_int_equal(layers_of(buf, n, 9999, &l), 3);
	assert_false(l.tunnel);
	assert_int_equal(layers_of(buf, 10, 1234, &l), 0);
	assert_int_equal(layers_of((const uint8_t *)"\x60", 1, 1234, &l), 0);
	/* Every truncation is either refused or taken apart within bounds. */
	for (size_t len = 0; len < n; len++) {
		layers_of(buf, len, 1234, &l);
		assert_within(&l, len);
	}
	/* The same, with the outer total length cut to match, so the outer
	 * header parses and what it carries is the part cut short. */
	for (size_t len = 20; len < n; len++) {
		uint8_t cut[256];

		memcpy(cut, buf, len);
		cut[2] = (uint8_t)(len >> 8);
		cut[3] = (uint8_t)len;
		assert_true(layers_of(cut, len, 1234, &l) >= 1);
		assert_within(&l, len);
	}
}

/* Found by fuzz_packet: an IPv6 TCP header whose data offset (60) runs past the packet. */
static void tcp_data_offset_past_the_end(void **state)
{
	uint8_t buf[128] = {0};
	struct layers l;

	(void)state;
	buf[0] = 0x60;
	buf[5] = 24; /* payload: a 20-byte TCP header and 4 bytes */
	buf[6] = IPPROTO_TCP;
	buf[40 + 12] = 0xf0; /* data offset 15: 60 bytes */
	assert_int_equal(layers_of(buf, 64, 1234, &l), 2);
	for (int i = 0; i < l.n; i++)
		assert_true(l.layer[i].offset + l.layer[i].len <= 64);
	assert_int_equal(l.layer[1].len, 24);
}

/* A WireGuard message of len bytes (type byte first) as a datagram to port 1234. */
static size_t wg_datagram(uint8_t *buf, size_t cap, uint8_t type, size_t len)
{
	uint8_t msg[256] = {0};
	struct pkt_spec s = {.version = 4, .proto = IPPROTO_UDP, .sport = 40000, .dport = 1234};

	msg[0] = type;
	for (size_t i = 4; i < len; i++)
		msg[i] = (uint8_t)i;
	s.payload = msg;
	s.payload_len = len;
	inet_pton(AF_INET, "192.168.1.192", s.src);
	inet_pton(AF_INET, "203.0.113.10", s.dst);
	return (size_t)pkt_build(buf, cap, &s);
}

static void wireguard_transport(void **state)
{
	uint8_t buf[256];
	/* An 84-byte ping padded to 96, with the 16-byte header and the 16-byte tag. */
	size_t n = wg_datagram(buf, sizeof(buf), 4, 128);
	const struct layer *wg;
	struct layers l;

	(void)state;
	assert_int_equal(n, 156);
	assert_int_equal(layers_of_sealed(buf, n, 1234, 84, &l), 6);
	assert_true(l.tunnel);
	assert_true(l.wireguard);
	assert_string_equal(l.layer[0].name, "outer IPv4");
	wg = layer_find(&l, "WireGuard transport");
	assert_non_null(wg);
	assert_int_equal(wg->offset, 28);
	assert_int_equal(wg->len, 16);
	assert_string_equal(field_value(wg, "type"), "4 (transport data)");
	assert_string_equal(field_value(wg, "reserved"), "00 00 00");
	/* Little-endian on the wire: bytes 4..7 and 8..15 of the message. */
	assert_string_equal(field_value(wg, "receiver index"), "0x07060504");
	assert_string_equal(field_value(wg, "counter"), "1084818905618843912");
	assert_int_equal(layer_find(&l, "encrypted packet")->offset, 44);
	assert_int_equal(layer_find(&l, "encrypted packet")->len, 84);
	assert_int_equal(layer_find(&l, "padding")->len, 12);
	assert_int_equal(layer_find(&l, "tag")->offset, 140);
	assert_int_equal(layer_find(&l, "tag")->len, 16);
	/* Without the inner length, packet and padding stay one layer. */
	assert_int_equal(layers_of(buf, n, 1234, &l), 5);
	assert_int_equal(layer_find(&l, "encrypted packet")->len, 96);
	assert_null(layer_find(&l, "padding"));
	/* An inner length the message cannot hold is not believed. */
	assert_int_equal(layers_of_sealed(buf, n, 1234, 97, &l), 5);
}

static void wireguard_handshake(void **state)
{
	uint8_t buf[256];
	size_t n = wg_datagram(buf, sizeof(buf), 1, 148);
	const struct layer *m;
	struct layers l;

	(void)state;
	assert_int_equal(layers_of(buf, n, 1234, &l), 3);
	m = layer_find(&l, "WireGuard initiation");
	assert_non_null(m);
	assert_int_equal(m->len, 148);
	assert_int_equal(m->fields[6].offset, 28 + 116); /* mac1 */
	assert_string_equal(m->fields[6].name, "mac1");
	assert_non_null(m->fields[6].why);
	n = wg_datagram(buf, sizeof(buf), 2, 92);
	assert_int_equal(layers_of(buf, n, 1234, &l), 3);
	m = layer_find(&l, "WireGuard response");
	assert_non_null(m);
	assert_int_equal(m->len, 92);
	assert_string_equal(m->fields[5].name, "encrypted nothing");
	assert_int_equal(m->fields[5].offset, 28 + 44);
	/* One byte off the length: not a WireGuard message, just a UDP payload. */
	n = wg_datagram(buf, sizeof(buf), 1, 147);
	assert_int_equal(layers_of(buf, n, 1234, &l), 3);
	assert_false(l.wireguard);
	assert_non_null(layer_find(&l, "payload"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_ping),
	    cmocka_unit_test(tunnel_datagram),
	    cmocka_unit_test(pi_datagram),
	    cmocka_unit_test(other_ports_and_garbage),
	    cmocka_unit_test(tcp_data_offset_past_the_end),
	    cmocka_unit_test(wireguard_transport),
	    cmocka_unit_test(wireguard_handshake),
	};
	return cmocka_run_group_tests_name("layers", tests, NULL, NULL);
}
