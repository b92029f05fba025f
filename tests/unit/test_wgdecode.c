/*
 * The WireGuard decoder: messages named only at their exact lengths, the
 * keyring read from a tunnel's "keys" reply, and transport data opened
 * and cut back to the inner packet by its own IP header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/addr.h"
#include "lib/crypto.h"
#include "lib/packet.h"
#include "lib/wgdecode.h"
#include "tunnel/encrypted.h"
#include "tunnel/tunnel.h"
#include "tunnel/wg.h"
#include "../support/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A message of type t and length len, with indexes a and b where the type has them. */
static void message(uint8_t *buf, size_t len, uint32_t type, uint32_t a, uint32_t b)
{
	memset(buf, 0xee, len);
	put_le32(buf, type);
	if (len >= 12) {
		put_le32(buf + 4, a);
		put_le32(buf + 8, b);
	}
}

static void parses_each_type_at_its_length(void **state)
{
	uint8_t buf[256];
	struct wg_msg m;

	(void)state;
	message(buf, 148, 1, 0x11223344, 0);
	assert_int_equal(wg_msg_parse(buf, 148, &m), 0);
	assert_int_equal(m.type, MSG_INITIATION);
	assert_int_equal(m.sender, 0x11223344);

	message(buf, 92, 2, 0xa1a2a3a4, 0xb1b2b3b4);
	assert_int_equal(wg_msg_parse(buf, 92, &m), 0);
	assert_int_equal(m.type, MSG_RESPONSE);
	assert_int_equal(m.sender, 0xa1a2a3a4);
	assert_int_equal(m.receiver, 0xb1b2b3b4);

	message(buf, 64, 3, 0x0000beef, 0);
	assert_int_equal(wg_msg_parse(buf, 64, &m), 0);
	assert_int_equal(m.type, MSG_COOKIE);
	assert_int_equal(m.receiver, 0xbeef);

	message(buf, 128, 4, 0xcafef00d, 0);
	put_le64(buf + 8, 3);
	assert_int_equal(wg_msg_parse(buf, 128, &m), 0);
	assert_int_equal(m.type, MSG_DATA);
	assert_int_equal(m.receiver, 0xcafef00d);
	assert_int_equal(m.counter, 3);
	assert_int_equal(m.sealed_len, 112);

	/* A keepalive: header and tag, nothing sealed but the tag. */
	message(buf, 32, 4, 1, 0);
	put_le64(buf + 8, UINT64_C(0x0102030405060708));
	assert_int_equal(wg_msg_parse(buf, 32, &m), 0);
	assert_int_equal(m.counter, UINT64_C(0x0102030405060708));
	assert_int_equal(m.sealed_len, 16);
}

static void rejects_other_lengths_and_types(void **state)
{
	static const struct {
		uint32_t type;
		size_t len;
	} exact[] = {{1, 148}, {2, 92}, {3, 64}};
	uint8_t buf[256];
	struct wg_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		for (size_t len = 0; len <= sizeof(buf); len++) {
			message(buf, sizeof(buf), exact[i].type, 7, 8);
			assert_int_equal(wg_msg_parse(buf, len, &m), len == exact[i].len ? 0 : -1);
			if (len != exact[i].len)
				assert_int_equal(m.type, MSG_INVALID);
		}
	for (size_t len = 0; len <= sizeof(buf); len++) {
		message(buf, sizeof(buf), 4, 7, 8);
		assert_int_equal(wg_msg_parse(buf, len, &m), len >= 32 ? 0 : -1);
	}
	/* Unknown types, and known ones with a reserved byte set. */
	for (uint32_t t = 0; t < 16; t++) {
		message(buf, 148, t, 1, 2);
		if (t == 1)
			continue;
		assert_int_equal(wg_msg_parse(buf, 148, &m), t == 4 ? 0 : -1);
	}
	static const uint32_t reserved[] = {0x101, 0x10002, 0x1000003, 0xff000004};
	static const size_t rlen[] = {148, 92, 64, 128};
	for (size_t i = 0; i < 4; i++) {
		message(buf, rlen[i], reserved[i], 1, 2);
		assert_int_equal(wg_msg_parse(buf, rlen[i], &m), -1);
	}
}

static void describes_each_type(void **state)
{
	struct wg_msg m = {.type = MSG_INITIATION, .sender = 0x1a2b3c4d};
	char out[128];

	(void)state;
	wg_msg_describe(&m, out, sizeof(out));
	assert_string_equal(out, "WireGuard initiation sender 0x1a2b3c4d");
	m = (struct wg_msg){.type = MSG_RESPONSE, .sender = 0xa, .receiver = 0x1a2b3c4d};
	wg_msg_describe(&m, out, sizeof(out));
	assert_string_equal(out, "WireGuard response sender 0x0000000a receiver 0x1a2b3c4d");
	m = (struct wg_msg){.type = MSG_COOKIE, .receiver = 0xffffffff};
	wg_msg_describe(&m, out, sizeof(out));
	assert_string_equal(out, "WireGuard cookie reply receiver 0xffffffff");
	m = (struct wg_msg){
	    .type = MSG_DATA, .receiver = 0x1a2b3c4d, .counter = 7, .sealed_len = 112};
	wg_msg_describe(&m, out, sizeof(out));
	assert_string_equal(out, "WireGuard transport receiver 0x1a2b3c4d counter 7, 112 sealed");
	/* Cut short, still terminated; the length says what was written. */
	assert_int_equal(wg_msg_describe(&m, out, 10), 9);
	assert_string_equal(out, "WireGuard");
	m = (struct wg_msg){.type = MSG_INVALID};
	wg_msg_describe(&m, out, sizeof(out));
	assert_string_equal(out, "not a WireGuard message");
}

#define K1 "0101010101010101010101010101010101010101010101010101010101010101"
#define K2 "0202020202020202020202020202020202020202020202020202020202020202"
#define KA "abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefABCDEF01234567"

static const uint8_t *key_of(const struct wg_keyring *k, uint32_t receiver)
{
	for (int i = 0; i < k->n; i++)
		if (k->entry[i].receiver == receiver)
			return k->entry[i].key;
	return NULL;
}

static void keyring_reads_a_reply(void **state)
{
	struct wg_keyring k = {0};
	uint8_t one[32], two[32];

	(void)state;
	memset(one, 1, 32);
	memset(two, 2, 32);
	assert_int_equal(wg_keyring_add_reply(&k, "keypair=0000abcd 12345678 " K1 " " K2 "\n"
						  "keypair=000000aa 000000bb " K2 " " K1 "\n"),
			 4);
	assert_int_equal(k.n, 4);
	/* Data to the local index opens with the receive key, to the remote with the send key. */
	assert_memory_equal(key_of(&k, 0xabcd), two, 32);
	assert_memory_equal(key_of(&k, 0x12345678), one, 32);
	assert_memory_equal(key_of(&k, 0xaa), one, 32);
	assert_memory_equal(key_of(&k, 0xbb), two, 32);
	/* A new session on an old index replaces its key; the last line needs no newline. */
	assert_int_equal(wg_keyring_add_reply(&k, "keypair=0000abcd 00000001 " K1 " " K1), 2);
	assert_int_equal(k.n, 5);
	assert_memory_equal(key_of(&k, 0xabcd), one, 32);
	wg_keyring_wipe(&k);
	assert_int_equal(k.n, 0);
	assert_null(key_of(&k, 0xabcd));
}

static void keyring_skips_malformed_lines(void **state)
{
	static const char *const bad[] = {
	    "keypair=abcd 12345678 " K1 " " K2,		     /* short index */
	    "keypair=0000abcd0 12345678 " K1 " " K2,	     /* long index */
	    "keypair=0000abcg 12345678 " K1 " " K2,	     /* not hex */
	    "keypair=0000abcd 12345678 " K1,		     /* one key */
	    "keypair=0000abcd 12345678 " K1 " " K2 "00",     /* a key too long */
	    "keypair=0000abcd 12345678 " K1 " " K2 " extra", /* a word too many */
	    "keypair=0000abcd  12345678 " K1 " " K2,	     /* two spaces */
	    "keypair=0000abcd 12345678 " K1 " 0202",	     /* a key too short */
	    "keypair 0000abcd 12345678 " K1 " " K2,	     /* no '=' */
	    " keypair=0000abcd 12345678 " K1 " " K2,	     /* not at the line's start */
	    "error=keys are not exported",		     /* the refusal */
	    "keypair=",					     /* empty */
	    "",
	};
	struct wg_keyring k = {0};
	uint8_t ka[32] = {0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
			  0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
			  0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(wg_keyring_add_reply(&k, bad[i]), 0);
		assert_int_equal(k.n, 0);
	}
	/* Good lines among bad ones still count; a CRLF is fine; either case of hex. */
	assert_int_equal(wg_keyring_add_reply(&k, "uptime=3.0\nkeypair=0000abcd\n"
						  "keypair=00000010 00000020 " KA " " KA "\r\n"
						  "keypair=zz\n"),
			 2);
	assert_memory_equal(key_of(&k, 0x10), ka, 32);
	assert_memory_equal(key_of(&k, 0x20), ka, 32);
}

static void keyring_stops_when_full(void **state)
{
	struct wg_keyring k = {0};
	char line[256];

	(void)state;
	for (int i = 0; i < WG_KEYRING_MAX; i++) {
		snprintf(line, sizeof(line), "keypair=%08x %08x " K1 " " K2 "\n", 2 * i + 1,
			 2 * i + 2);
		wg_keyring_add_reply(&k, line);
	}
	assert_int_equal(k.n, WG_KEYRING_MAX);
	assert_non_null(key_of(&k, 1));
	assert_non_null(key_of(&k, WG_KEYRING_MAX));
	assert_null(key_of(&k, WG_KEYRING_MAX + 1));
}

/* A ping of payload bytes (IPv4 or IPv6) at buf; its length. */
static size_t ping(uint8_t *buf, size_t cap, int version, size_t payload)
{
	static const uint8_t data[1500];
	struct pkt_spec s = {.version = version,
			     .proto = version == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			     .payload = data,
			     .payload_len = payload};
	ssize_t n;

	s.src[0] = s.dst[0] = version == 6 ? 0xfd : 172;
	s.dst[3] = 7;
	n = pkt_build(buf, cap, &s);
	assert_true(n > 0);
	return (size_t)n;
}

/*
 * A transport message as a sender makes it: inner packet of len bytes,
 * zero padding up to padded, sealed with key under counter.
 */
static size_t seal_transport(uint8_t *msg, const uint8_t *inner, size_t len, size_t padded,
			     const uint8_t key[32], uint32_t receiver, uint64_t counter)
{
	uint8_t plain[2048] = {0};

	memcpy(plain, inner, len);
	put_le32(msg, MSG_DATA);
	put_le32(msg + 4, receiver);
	put_le64(msg + 8, counter);
	aead_seal(msg + MSG_DATA_HDR_LEN, plain, padded, counter, key, NULL, 0);
	return MSG_DATA_HDR_LEN + padded + AEAD_TAG_LEN;
}

static void ring_with(struct wg_keyring *k, uint32_t receiver, uint8_t fill)
{
	memset(k, 0, sizeof(*k));
	k->entry[0].receiver = receiver;
	memset(k->entry[0].key, fill, 32);
	k->n = 1;
}

static void opens_what_it_seals(void **state)
{
	uint8_t inner[2048], msg[2048], out[2048], key[32];
	struct wg_keyring k;
	size_t len = ping(inner, sizeof(inner), 4, 56), n, padded;

	(void)state;
	assert_int_equal(len, 84);
	memset(key, 0x5a, sizeof(key));
	ring_with(&k, 0x1234, 0x5a);
	/* 84 bytes padded to 96, + 16 header + 16 tag: 128 on the wire. */
	n = seal_transport(msg, inner, len, 96, key, 0x1234, 3);
	assert_int_equal(n, 128);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), 84);
	assert_int_equal(padded, 96);
	assert_memory_equal(out, inner, 84);
	/* Exactly the room it needs is enough; a byte less is not. */
	assert_int_equal(wg_open_transport(&k, msg, n, out, 96, &padded), 84);
	assert_int_equal(wg_open_transport(&k, msg, n, out, 95, &padded), -1);

	/* Padded only up to an MTU that is not a multiple of 16: 1420 stays 1420. */
	len = ping(inner, sizeof(inner), 4, 1420 - 28);
	n = seal_transport(msg, inner, len, 1420, key, 0x1234, 9);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), 1420);
	assert_int_equal(padded, 1420);

	/* IPv6: 40 + payload length, padded. */
	len = ping(inner, sizeof(inner), 6, 100);
	assert_int_equal(len, 148);
	n = seal_transport(msg, inner, len, 160, key, 0x1234, 4);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), 148);
	assert_int_equal(padded, 160);
	assert_memory_equal(out, inner, 148);

	/* A keepalive opens to nothing. */
	n = seal_transport(msg, inner, 0, 0, key, 0x1234, 5);
	assert_int_equal(n, 32);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), 0);
	assert_int_equal(padded, 0);
}

static void refuses_what_does_not_open(void **state)
{
	uint8_t inner[2048], msg[2048], out[2048], key[32];
	struct wg_keyring k;
	size_t len = ping(inner, sizeof(inner), 4, 56), n, padded = 99;

	(void)state;
	memset(key, 0x5a, sizeof(key));
	ring_with(&k, 0x1234, 0x5a);
	n = seal_transport(msg, inner, len, 96, key, 0x1234, 3);

	/* A flipped bit in the tag, and in the ciphertext. */
	msg[n - 1] ^= 1;
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	assert_int_equal(padded, 0);
	msg[n - 1] ^= 1;
	msg[20] ^= 0x80;
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	msg[20] ^= 0x80;
	/* Another counter is another nonce. */
	put_le64(msg + 8, 4);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	put_le64(msg + 8, 3);
	/* The wrong key; no key for the receiver. */
	ring_with(&k, 0x1234, 0x5b);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	ring_with(&k, 0x1235, 0x5a);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	ring_with(&k, 0x1234, 0x5a);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), 84);
	/* Not a transport message. */
	assert_int_equal(wg_open_transport(&k, msg, 31, out, sizeof(out), &padded), -1);
	put_le32(msg, MSG_COOKIE);
	assert_int_equal(wg_open_transport(&k, msg, 64, out, sizeof(out), &padded), -1);
	put_le32(msg, MSG_DATA);

	/* Padding of 16 or more is not WireGuard's: 84 bytes in 112. */
	n = seal_transport(msg, inner, len, 112, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	/* An inner length past what was sealed. */
	inner[3] = 100; /* total length 100 in 96 */
	n = seal_transport(msg, inner, len, 96, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	/* A header shorter than its own minimum. */
	inner[3] = 84;
	inner[0] = 0x44;
	n = seal_transport(msg, inner, len, 96, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	/* Neither IPv4 nor IPv6. */
	inner[0] = 0x55;
	n = seal_transport(msg, inner, len, 96, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	/* Too short for the IPv4 header it claims. */
	inner[0] = 0x45;
	n = seal_transport(msg, inner, 16, 16, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
	/* IPv6 with a payload length past the padding. */
	len = ping(inner, sizeof(inner), 6, 100);
	inner[5] = 200;
	n = seal_transport(msg, inner, len, 160, key, 0x1234, 3);
	assert_int_equal(wg_open_transport(&k, msg, n, out, sizeof(out), &padded), -1);
}

/* ---- the tunnel's own sessions, through its "keys" reply ---- */

static void pass(struct wire *w, struct wg *to)
{
	struct sockaddr_storage from = {.ss_family = AF_INET};
	struct wg_peer *p;
	size_t inner;

	for (int i = 0; i < w->n; i++)
		wg_receive(to, w->buf[i], w->len[i], &from, 10, &inner, &p);
	w->n = 0;
}

/* The "keys" reply of a tunnel around w. */
static char *keys_reply(struct wg *w)
{
	struct tunnel t = {0};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	t.wg = w;
	encrypted_write_keys(&t, f);
	fclose(f);
	return text;
}

static void opens_a_real_session(void **state)
{
	static uint8_t dg[2048], out[2048];
	struct wg client, server;
	struct stats cs = {0}, ss = {0};
	struct wire to_server = {0}, to_client = {0};
	struct wg_peer *on_client, *on_server, *peer;
	struct sockaddr_storage ep = {.ss_family = AF_INET};
	uint8_t ck[32], sk[32];
	struct wg_keyring k = {0};
	struct prefix pre;
	char err[64], *reply;
	size_t len, out_len, padded;

	(void)state;
	memset(ck, 0x11, sizeof(ck));
	memset(sk, 0x22, sizeof(sk));
	assert_int_equal(wg_init(&client, &cs, wire_send, &to_server), 0);
	assert_int_equal(wg_init(&server, &ss, wire_send, &to_client), 0);
	wg_set_private_key(&client, ck);
	wg_set_private_key(&server, sk);
	client.mtu = server.mtu = 1420;
	on_client = wg_peer_add(&client, server.id.public_key);
	on_server = wg_peer_add(&server, client.id.public_key);
	prefix_parse("0.0.0.0/0", true, &pre, err, sizeof(err));
	allowedips_insert(&client.allowed, &pre, on_client);
	allowedips_insert(&server.allowed, &pre, on_server);
	wg_peer_set_endpoint(on_client, &ep);
	/* Before any handshake there are no keys to tell. */
	reply = keys_reply(&client);
	assert_string_equal(reply, "");
	free(reply);
	/* The first packet waits for the handshake; then it and the next go out sealed. */
	len = ping(dg + MSG_DATA_HDR_LEN, sizeof(dg) - MSG_DATA_HDR_LEN, 4, 56);
	wg_encrypt(&client, dg, len, sizeof(dg), 10, &out_len, &peer);
	pass(&to_server, &server);
	pass(&to_client, &client);
	to_server.n = 0;
	len = ping(dg + MSG_DATA_HDR_LEN, sizeof(dg) - MSG_DATA_HDR_LEN, 4, 56);
	memcpy(out, dg + MSG_DATA_HDR_LEN, len);
	assert_int_equal(wg_encrypt(&client, dg, len, sizeof(dg), 10, &out_len, &peer), WG_SEND);
	assert_int_equal(out_len, 128);

	/* The client's own line opens it (the remote index, with the send key)... */
	reply = keys_reply(&client);
	assert_int_equal(strncmp(reply, "keypair=", 8), 0);
	assert_int_equal(wg_keyring_add_reply(&k, reply), 2);
	free(reply);
	assert_int_equal(wg_open_transport(&k, dg, out_len, out + 1024, 1024, &padded), 84);
	assert_int_equal(padded, 96);
	assert_memory_equal(out + 1024, out, 84);
	/* ...and so does the server's (its local index, with the receive key). */
	wg_keyring_wipe(&k);
	pass(&to_server, &server);
	reply = keys_reply(&server);
	assert_true(wg_keyring_add_reply(&k, reply) >= 2);
	free(reply);
	assert_int_equal(wg_open_transport(&k, dg, out_len, out + 1024, 1024, &padded), 84);
	wg_keyring_wipe(&k);
	wg_free(&client);
	wg_free(&server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_each_type_at_its_length),
	    cmocka_unit_test(rejects_other_lengths_and_types),
	    cmocka_unit_test(describes_each_type),
	    cmocka_unit_test(keyring_reads_a_reply),
	    cmocka_unit_test(keyring_skips_malformed_lines),
	    cmocka_unit_test(keyring_stops_when_full),
	    cmocka_unit_test(opens_what_it_seals),
	    cmocka_unit_test(refuses_what_does_not_open),
	    cmocka_unit_test(opens_a_real_session),
	};
	return cmocka_run_group_tests_name("wgdecode", tests, NULL, NULL);
}
