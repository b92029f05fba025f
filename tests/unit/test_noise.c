/*
 * The WireGuard protocol as our code calls it: primitives with known
 * answers, a whole handshake between two in-process peers, the replay
 * window, mac1/mac2 and cookies, the rate limiter and the timers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/keys.h"
#include "lib/packet.h"
#include "lib/cookie.h"
#include "lib/crypto.h"
#include "tunnel/noise.h"
#include "tunnel/ratelimiter.h"
#include "tunnel/replay.h"
#include "tunnel/timers.h"
#include "tunnel/wg.h"
#include "../support/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unhex(uint8_t *out, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void blake2s_known_answer(void **state)
{
	uint8_t want[32], got[32];

	(void)state;
	/* RFC 7693, appendix B: BLAKE2s-256("abc"). */
	unhex(want, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	assert_int_equal(hash2(got, "abc", 3, NULL, 0), 0);
	assert_memory_equal(got, want, 32);
	/* HASH(a || b) is the hash of the concatenation, however it is split. */
	assert_int_equal(hash2(got, "a", 1, "bc", 2), 0);
	assert_memory_equal(got, want, 32);
}

/* HMAC by its definition, on our BLAKE2s: the library's HMAC must agree. */
static void hmac_by_definition(const uint8_t key[32], const uint8_t *in, size_t len,
			       uint8_t out[32])
{
	uint8_t pad[64], inner[32];

	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	uint8_t *buf = malloc(64 + len);
	memcpy(buf, pad, 64);
	memcpy(buf + 64, in, len);
	hash2(inner, buf, 64 + len, NULL, 0);
	free(buf);
	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	hash2(out, pad, 64, inner, 32);
}

/* A MAC context kept and rekeyed gives what a fresh lookup gives, key after key. */
static void mac_context_matches_mac(void **state)
{
	struct mac_ctx m = {0}, none = {0};
	uint8_t key[2][32], data[148], a[MAC_LEN], b[MAC_LEN];

	(void)state;
	mac_ctx_open(&m);
	assert_non_null(m.ctx);
	for (int round = 0; round < 40; round++) {
		size_t keylen = round % 2 ? MAC_LEN : HASH_LEN, len = (size_t)round * 3 + 1;

		random_bytes(key[round % 2], sizeof(key[0]));
		random_bytes(data, sizeof(data));
		assert_int_equal(mac(a, key[round % 2], keylen, data, len), 0);
		assert_int_equal(mac_with(&m, b, key[round % 2], keylen, data, len), 0);
		assert_memory_equal(a, b, MAC_LEN);
		/* A context that could not be opened falls back to the lookup. */
		assert_int_equal(mac_with(&none, b, key[round % 2], keylen, data, len), 0);
		assert_memory_equal(a, b, MAC_LEN);
	}
	mac_ctx_close(&m);
	assert_null(m.ctx);
}

static void hmac_and_kdf(void **state)
{
	uint8_t key[32], want[32], got[32], t1[32], t2[32], t3[32], prk[32], x[33];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	hmac_by_definition(key, (const uint8_t *)"tunlab", 6, want);
	assert_int_equal(hmac(got, key, "tunlab", 6), 0);
	assert_memory_equal(got, want, 32);
	/* KDF3: T1 = HMAC(prk, 1), T2 = HMAC(prk, T1 || 2), T3 = HMAC(prk, T2 || 3). */
	assert_int_equal(kdf(t1, t2, t3, key, "in", 2), 0);
	hmac_by_definition(key, (const uint8_t *)"in", 2, prk);
	x[0] = 1;
	hmac_by_definition(prk, x, 1, want);
	assert_memory_equal(t1, want, 32);
	memcpy(x, want, 32);
	x[32] = 2;
	hmac_by_definition(prk, x, 33, want);
	assert_memory_equal(t2, want, 32);
	memcpy(x, want, 32);
	x[32] = 3;
	hmac_by_definition(prk, x, 33, want);
	assert_memory_equal(t3, want, 32);
}

static void x25519_known_answer(void **state)
{
	uint8_t a[32], b_pub[32], k[32], want[32], zero[32] = {0};

	(void)state;
	/* RFC 7748, section 6.1: Alice's private key, Bob's public key, their secret. */
	unhex(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(b_pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	unhex(want, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_true(dh(k, a, b_pub));
	assert_memory_equal(k, want, 32);
	/* A low-order point gives all zero, which the protocol refuses. */
	assert_false(dh(k, a, zero));
}

static void aead_nonce_and_tamper(void **state)
{
	uint8_t key[32], nonce[12] = {0}, sealed[64 + 16], direct[64 + 16], plain[64], msg[64];

	(void)state;
	memset(key, 7, sizeof(key));
	memset(msg, 'x', sizeof(msg));
	/* The nonce is 4 zero bytes then the counter, little-endian. */
	aead_seal(sealed, msg, 64, 0x0102030405060708ULL, key, NULL, 0);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(0x08 - i);
	crypto_aead_chacha20poly1305_ietf_encrypt(direct, NULL, msg, 64, NULL, 0, NULL, nonce, key);
	assert_memory_equal(sealed, direct, sizeof(sealed));
	assert_true(aead_open(plain, sealed, sizeof(sealed), 0x0102030405060708ULL, key, NULL, 0));
	assert_memory_equal(plain, msg, 64);
	assert_false(aead_open(plain, sealed, sizeof(sealed), 0x0102030405060709ULL, key, NULL, 0));
	sealed[3] ^= 1;
	assert_false(aead_open(plain, sealed, sizeof(sealed), 0x0102030405060708ULL, key, NULL, 0));
	assert_false(aead_open(plain, sealed, 15, 0, key, NULL, 0));
}

static void tai64n_orders_and_blurs(void **state)
{
	uint8_t a[12], b[12], c[12];

	(void)state;
	tai64n(a, 1000, 0);
	tai64n(b, 1000, 999999999);
	tai64n(c, 1001, 0);
	assert_true(memcmp(a, b, 12) < 0);
	assert_true(memcmp(b, c, 12) < 0);
	/* 2^62 + 10 + seconds, big-endian. */
	assert_int_equal(a[0], 0x40);
	assert_int_equal(a[7], (uint8_t)(10 + 1000));
	assert_int_equal(a[6], (uint8_t)((10 + 1000) >> 8));
	/* Nanoseconds below 2^24 are not told. */
	tai64n(b, 1000, 0xffffff);
	assert_memory_equal(a, b, 12);
}

static void message_sizes_and_types(void **state)
{
	uint8_t buf[200] = {0};

	(void)state;
	buf[0] = 1;
	assert_int_equal(msg_classify(buf, 148), MSG_INITIATION);
	assert_int_equal(msg_classify(buf, 147), MSG_INVALID);
	assert_int_equal(msg_classify(buf, 149), MSG_INVALID);
	buf[0] = 2;
	assert_int_equal(msg_classify(buf, 92), MSG_RESPONSE);
	buf[0] = 3;
	assert_int_equal(msg_classify(buf, 64), MSG_COOKIE);
	buf[0] = 4;
	assert_int_equal(msg_classify(buf, 32), MSG_DATA);
	assert_int_equal(msg_classify(buf, 31), MSG_INVALID);
	buf[1] = 1; /* reserved bytes must be zero */
	assert_int_equal(msg_classify(buf, 32), MSG_INVALID);
	buf[1] = 0;
	buf[0] = 5;
	assert_int_equal(msg_classify(buf, 32), MSG_INVALID);
	assert_int_equal(msg_classify(buf, 3), MSG_INVALID);
	/* Padding: a multiple of 16, not past the MTU. */
	assert_int_equal(msg_padded_len(0, 1420), 0);
	assert_int_equal(msg_padded_len(1, 1420), 16);
	assert_int_equal(msg_padded_len(84, 1420), 96);
	assert_int_equal(msg_padded_len(1419, 1420), 1420);
	assert_int_equal(msg_padded_len(1420, 1420), 1420);
}

/* ---- a whole handshake, noise level ---- */

static void handshake_in_process(void **state)
{
	struct noise_static a, b;
	struct handshake ha, hb;
	struct msg_initiation init;
	struct msg_response resp;
	struct initiation_scratch x;
	struct keypair ka, kb;
	uint8_t pa[32], pb[32], ts[12], psk[32];

	(void)state;
	key_generate_private(pa);
	key_generate_private(pb);
	memset(psk, 9, sizeof(psk));
	assert_true(noise_static_set(&a, pa));
	assert_true(noise_static_set(&b, pb));
	noise_handshake_init(&ha, &a, b.public_key, psk);
	noise_handshake_init(&hb, &b, a.public_key, psk);
	ha.local_index = 11;
	hb.local_index = 22;
	tai64n(ts, 5000, 0);
	assert_true(noise_create_initiation(&a, &ha, &init, ts));
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_memory_equal(x.remote_static, a.public_key, 32);
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.0), NOISE_OK);
	assert_int_equal(hb.remote_index, 11);
	/* The same initiation again is a replay. */
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 200.0), NOISE_REPLAY);
	assert_true(noise_create_response(&hb, &resp));
	assert_int_equal(get_le32(resp.receiver), 11);
	assert_true(noise_consume_response(&a, &ha, &resp));
	assert_int_equal(ha.remote_index, 22);
	assert_true(noise_begin_session(&ha, &ka, 1.0));
	assert_true(noise_begin_session(&hb, &kb, 1.0));
	assert_true(ka.initiator);
	assert_false(kb.initiator);
	assert_memory_equal(ka.send_key, kb.recv_key, 32);
	assert_memory_equal(ka.recv_key, kb.send_key, 32);
	assert_memory_not_equal(ka.send_key, ka.recv_key, 32);
	assert_int_equal(ka.remote_index, 22);
	assert_int_equal(kb.remote_index, 11);
	/* The handshakes are wiped once the session exists. */
	assert_int_equal(ha.state, HS_ZEROED);
	assert_int_equal(hb.state, HS_ZEROED);
	keypair_wipe(&ka);
	keypair_wipe(&kb);
}

static void handshake_refuses_wrong_keys(void **state)
{
	struct noise_static a, b, c;
	struct handshake ha, hb;
	struct msg_initiation init;
	struct msg_response resp;
	struct initiation_scratch x;
	uint8_t k[32], ts[12], psk_a[32] = {1}, psk_b[32] = {2};

	(void)state;
	key_generate_private(k);
	noise_static_set(&a, k);
	key_generate_private(k);
	noise_static_set(&b, k);
	key_generate_private(k);
	noise_static_set(&c, k);
	tai64n(ts, 5000, 0);
	/* An initiation for b cannot be opened by c. */
	noise_handshake_init(&ha, &a, b.public_key, NULL);
	assert_true(noise_create_initiation(&a, &ha, &init, ts));
	assert_false(noise_open_initiation(&c, &init, &x));
	/* Different preshared keys: the response does not verify. */
	noise_handshake_init(&ha, &a, b.public_key, psk_a);
	noise_handshake_init(&hb, &b, a.public_key, psk_b);
	assert_true(noise_create_initiation(&a, &ha, &init, ts));
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100), NOISE_OK);
	assert_true(noise_create_response(&hb, &resp));
	assert_false(noise_consume_response(&a, &ha, &resp));
	/* ...and the handshake in flight is untouched by the failure. */
	assert_int_equal(ha.state, HS_CREATED_INITIATION);
	/* A flipped byte in the initiation is refused. */
	noise_handshake_init(&hb, &b, a.public_key, NULL);
	init.encrypted_timestamp[0] ^= 1;
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 300), NOISE_BAD);
}

static void initiation_flood_refused(void **state)
{
	struct noise_static a, b;
	struct handshake ha, hb;
	struct msg_initiation init;
	struct initiation_scratch x;
	uint8_t k[32], ts[12];

	(void)state;
	key_generate_private(k);
	noise_static_set(&a, k);
	key_generate_private(k);
	noise_static_set(&b, k);
	noise_handshake_init(&ha, &a, b.public_key, NULL);
	noise_handshake_init(&hb, &b, a.public_key, NULL);
	tai64n(ts, 5000, 0);
	noise_create_initiation(&a, &ha, &init, ts);
	noise_open_initiation(&b, &init, &x);
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.0), NOISE_OK);
	/* A newer timestamp 10 ms later is still a flood (over 50 a second). */
	tai64n(ts, 5001, 0);
	noise_create_initiation(&a, &ha, &init, ts);
	noise_open_initiation(&b, &init, &x);
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.01), NOISE_FLOOD);
	noise_open_initiation(&b, &init, &x);
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.03), NOISE_OK);
}

/* ---- the replay window ---- */

static void replay_in_order_and_duplicates(void **state)
{
	struct replay r;

	(void)state;
	replay_init(&r);
	for (uint64_t i = 0; i < 20000; i++)
		assert_true(replay_check(&r, i));
	for (uint64_t i = 20000 - REPLAY_WINDOW; i < 20000; i++)
		assert_false(replay_check(&r, i));
	assert_false(replay_check(&r, 0));
}

static void replay_table(void **state)
{
	/* The kernel selftest's shape: each step a counter and whether it is taken. */
	static const struct {
		uint64_t n;
		bool ok;
	} steps[] = {
	    {0, true},
	    {1, true},
	    {1, false},
	    {9, true},
	    {8, true},
	    {7, true},
	    {7, false},
	    {REPLAY_WINDOW + 6, true},
	    {6, true}, /* the oldest counter the window still holds */
	    {REPLAY_WINDOW + 7, true},
	    {5, false}, /* fell out of the window: too old */
	    {6, false}, /* seen, and out of the window now */
	    {10, true}, /* inside, never seen */
	    {REPLAY_WINDOW * 3, true},
	    {REPLAY_WINDOW * 2, true}, /* exactly at the window's edge */
	    {REPLAY_WINDOW * 2 - 1, false},
	    {REPLAY_WINDOW * 3 - 1, true},
	    {REPLAY_WINDOW * 3, false},
	    {REJECT_AFTER_MESSAGES, false},
	    {REJECT_AFTER_MESSAGES - 1, true},
	    {REJECT_AFTER_MESSAGES - 1, false},
	    {REJECT_AFTER_MESSAGES - 2, true},
	    {UINT64_MAX, false},
	};
	struct replay r;

	(void)state;
	replay_init(&r);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (replay_check(&r, steps[i].n) != steps[i].ok)
			fail_msg("step %zu: counter %llu should be %s", i,
				 (unsigned long long)steps[i].n, steps[i].ok ? "taken" : "refused");
	}
}

static void replay_wraps_the_ring(void **state)
{
	struct replay r;

	(void)state;
	replay_init(&r);
	/* Jumps of all sizes across the ring's words: every counter once, out of order. */
	for (uint64_t base = 0; base < 100000; base += 997) {
		for (uint64_t i = 0; i < 64; i++)
			assert_true(replay_check(&r, base + 63 - i));
		for (uint64_t i = 0; i < 64; i++)
			assert_false(replay_check(&r, base + i));
	}
}

/* ---- cookies ---- */

static void cookie_flow(void **state)
{
	struct cookie_checker checker = {0};
	struct cookie_maker maker;
	struct msg_cookie reply;
	struct sockaddr_storage from, other;
	uint8_t responder_pub[32], msg[148];

	(void)state;
	random_bytes(responder_pub, 32);
	cookie_checker_init(&checker, responder_pub);
	cookie_maker_init(&maker, responder_pub);
	sockaddr4(&from, "198.51.100.2", 40000);
	sockaddr4(&other, "198.51.100.3", 40000);
	memset(msg, 0xab, sizeof(msg));
	cookie_add_macs(&maker, msg, sizeof(msg), 10);
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &from, false, 10),
			 COOKIE_NO_MAC2);
	/* Under load, mac1 alone earns a cookie reply, not the handshake. */
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &from, true, 10),
			 COOKIE_NO_MAC2);
	cookie_reply_create(&checker, &reply, msg, sizeof(msg), 1234, &from, 10);
	assert_int_equal(get_le32(reply.receiver), 1234);
	assert_true(cookie_consume_reply(&maker, &reply, 11));
	/* A reply is taken once. */
	assert_false(cookie_consume_reply(&maker, &reply, 11));
	cookie_add_macs(&maker, msg, sizeof(msg), 12);
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &from, true, 12),
			 COOKIE_MAC2_OK);
	/* The cookie is bound to the source address. */
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &other, true, 12),
			 COOKIE_NO_MAC2);
	/* After two minutes the secret changes and the cookie is stale. */
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &from, true, 200),
			 COOKIE_NO_MAC2);
	/* A flipped byte breaks mac1. */
	msg[5] ^= 1;
	assert_int_equal(cookie_validate(&checker, msg, sizeof(msg), &from, false, 12),
			 COOKIE_BAD_MAC1);
	cookie_checker_free(&checker);
}

static void cookie_reply_for_someone_else(void **state)
{
	struct cookie_checker checker = {0};
	struct cookie_maker maker;
	struct msg_cookie reply;
	struct sockaddr_storage from;
	uint8_t pub[32], msg[148], other[148];

	(void)state;
	random_bytes(pub, 32);
	cookie_checker_init(&checker, pub);
	cookie_maker_init(&maker, pub);
	sockaddr4(&from, "198.51.100.2", 40000);
	memset(msg, 1, sizeof(msg));
	memset(other, 2, sizeof(other));
	cookie_add_macs(&maker, msg, sizeof(msg), 10);
	cookie_add_macs(&maker, other, sizeof(other), 10);
	/* Bound to the first message's mac1, while we last sent the second. */
	cookie_reply_create(&checker, &reply, msg, sizeof(msg), 1, &from, 10);
	assert_false(cookie_consume_reply(&maker, &reply, 10));
	cookie_checker_free(&checker);
}

/* ---- the rate limiter ---- */

static void ratelimiter_bursts_and_refills(void **state)
{
	struct ratelimiter *r = malloc(sizeof(*r));
	struct sockaddr_storage a, b;

	(void)state;
	ratelimiter_init(r);
	sockaddr4(&a, "198.51.100.2", 1);
	sockaddr4(&b, "198.51.100.9", 1);
	for (int i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimiter_allow(r, &a, 100.0));
	assert_false(ratelimiter_allow(r, &a, 100.0));
	/* Another source has its own bucket; another port of the same one does not. */
	assert_true(ratelimiter_allow(r, &b, 100.0));
	sockaddr4(&b, "198.51.100.2", 2);
	assert_false(ratelimiter_allow(r, &b, 100.0));
	/* One token comes back every 1/20 s. */
	assert_false(ratelimiter_allow(r, &a, 100.0 + 0.5 / RATELIMIT_PER_SECOND));
	assert_true(ratelimiter_allow(r, &a, 100.0 + 1.5 / RATELIMIT_PER_SECOND));
	assert_false(ratelimiter_allow(r, &a, 100.0 + 1.5 / RATELIMIT_PER_SECOND));
	/* A second's rest refills the burst, not more. */
	for (int i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimiter_allow(r, &a, 110.0));
	assert_false(ratelimiter_allow(r, &a, 110.0));
	assert_true(r->refused >= 5);
	free(r);
}

static void ratelimiter_ipv6_by_64(void **state)
{
	struct ratelimiter *r = malloc(sizeof(*r));
	struct sockaddr_storage a = {0}, b = {0};
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a, *b6 = (struct sockaddr_in6 *)&b;

	(void)state;
	ratelimiter_init(r);
	a6->sin6_family = b6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:198::1", &a6->sin6_addr);
	inet_pton(AF_INET6, "2001:db8:198::ffff", &b6->sin6_addr);
	for (int i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimiter_allow(r, &a, 1.0));
	/* Same /64: the same bucket. */
	assert_false(ratelimiter_allow(r, &b, 1.0));
	inet_pton(AF_INET6, "2001:db8:199::1", &b6->sin6_addr);
	assert_true(ratelimiter_allow(r, &b, 1.0));
	free(r);
}

static void ratelimiter_table_is_bounded(void **state)
{
	struct ratelimiter *r = malloc(sizeof(*r));
	struct sockaddr_storage a;
	int allowed = 0;

	(void)state;
	ratelimiter_init(r);
	/* A flood from 100000 sources uses no memory beyond the table. */
	for (uint32_t i = 0; i < 100000; i++) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a;

		memset(&a, 0, sizeof(a));
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(0x0a000000 + i);
		allowed += ratelimiter_allow(r, &a, 5.0);
	}
	assert_true(allowed <= RATELIMIT_SLOTS);
	assert_true(allowed > RATELIMIT_SLOTS / 2);
	free(r);
}

/* ---- timers ---- */

static void timers_retry_and_give_up(void **state)
{
	struct timers t = {0};
	double now = 1000;
	int retries = 0;

	(void)state;
	timers_init(&t);
	timers_handshake_initiated(&t, now, 0);
	for (int i = 0; i < 40; i++) {
		unsigned int due;

		now += REKEY_TIMEOUT;
		due = timers_due(&t, now);
		if (due & TIMER_GIVE_UP)
			break;
		assert_true(due & TIMER_RETRANSMIT);
		retries++;
		timers_handshake_initiated(&t, now, 0);
	}
	/* 5 s apart, for 90 s: 18 retries, then give up. */
	assert_int_equal(retries, MAX_HANDSHAKE_RETRIES);
	assert_int_equal(MAX_HANDSHAKE_RETRIES, 18);
}

static void timers_keepalive_and_new_handshake(void **state)
{
	struct timers t = {0};

	(void)state;
	timers_init(&t);
	timers_data_received(&t, 100);
	assert_int_equal(timers_due(&t, 109.9), 0);
	assert_int_equal(timers_due(&t, 110), TIMER_KEEPALIVE);
	/* Sending anything cancels the passive keepalive. */
	timers_data_received(&t, 200);
	timers_authenticated_sent(&t);
	assert_int_equal(timers_due(&t, 300), 0);
	/* Data sent and nothing heard for 15 s: a new handshake. */
	timers_data_sent(&t, 400, 0);
	assert_int_equal(timers_due(&t, 414.9), 0);
	assert_int_equal(timers_due(&t, 415), TIMER_NEW_HANDSHAKE);
	timers_data_sent(&t, 500, 0);
	timers_authenticated_received(&t);
	assert_int_equal(timers_due(&t, 600), 0);
	/* PersistentKeepalive after every packet either way. */
	t.persistent_interval = 1;
	timers_authenticated_traversal(&t, 700);
	assert_int_equal(timers_due(&t, 701), TIMER_PERSISTENT);
	/* Keys are forgotten 540 s after the last session. */
	timers_session_derived(&t, 800);
	assert_int_equal(timers_due(&t, 800 + 3 * REJECT_AFTER_TIME), TIMER_ZERO_KEYS);
}

/* ---- two devices, through the data path ---- */

/* Delivers everything on a wire to a device; returns how many inner packets came out. */
static int deliver(struct wire *w, struct wg *to, double now, uint8_t *last, size_t *last_len)
{
	int packets = 0;

	assert_int_equal(w->lost, 0);
	while (w->n) {
		uint8_t dg[2048];
		size_t len = w->len[0], inner = 0;
		struct wg_peer *p;

		memcpy(dg, w->buf[0], len);
		memmove(w->buf[0], w->buf[1], sizeof(w->buf[0]) * (size_t)(w->n - 1));
		memmove(w->len, w->len + 1, sizeof(w->len[0]) * (size_t)(w->n - 1));
		w->n--;
		if (wg_receive(to, dg, len, &w->from, now, &inner, &p) == WG_DELIVER) {
			packets++;
			memcpy(last, dg + MSG_DATA_HDR_LEN, inner);
			*last_len = inner;
		}
	}
	return packets;
}

static size_t ping(uint8_t *buf, const char *src, const char *dst)
{
	struct pkt_spec s = {.version = 4, .proto = IPPROTO_ICMP, .icmp_id = 1, .icmp_seq = 1};

	inet_pton(AF_INET, src, s.src);
	inet_pton(AF_INET, dst, s.dst);
	return (size_t)pkt_build(buf, 2048, &s);
}

static void two_devices(void **state)
{
	struct stats sa = {0}, sb = {0};
	struct wg a, b;
	struct wire to_b = {0}, to_a = {0};
	struct wg_peer *pa, *pb, *peer;
	struct prefix p;
	uint8_t ka[32], kb[32], dg[4096], got[2048];
	size_t len, out, got_len = 0;
	char err[64];

	(void)state;
	assert_int_equal(wg_init(&a, &sa, wire_send, &to_b), 0);
	assert_int_equal(wg_init(&b, &sb, wire_send, &to_a), 0);
	key_generate_private(ka);
	key_generate_private(kb);
	assert_true(wg_set_private_key(&a, ka));
	assert_true(wg_set_private_key(&b, kb));
	pb = wg_peer_add(&a, b.id.public_key);
	pa = wg_peer_add(&b, a.id.public_key);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_null(wg_peer_add(&a, a.id.public_key)); /* our own key is no peer */
	prefix_parse("10.0.0.2/32", true, &p, err, sizeof(err));
	allowedips_insert(&a.allowed, &p, pb);
	prefix_parse("10.0.0.1/32", true, &p, err, sizeof(err));
	allowedips_insert(&b.allowed, &p, pa);
	sockaddr4(&to_a.from, "192.0.2.2", 2); /* what a sees as b's address */
	sockaddr4(&to_b.from, "192.0.2.1", 1);
	wg_peer_set_endpoint(pb, &to_a.from);
	/* a's first packet waits for a session and starts a handshake. */
	len = ping(dg + MSG_DATA_HDR_LEN, "10.0.0.1", "10.0.0.2");
	assert_int_equal(wg_encrypt(&a, dg, len, sizeof(dg), 10, &out, &peer), WG_DONE);
	assert_int_equal(to_b.n, 1);
	assert_int_equal(to_b.len[0], MSG_INITIATION_LEN);
	assert_int_equal(deliver(&to_b, &b, 10, got, &got_len), 0);
	assert_int_equal(to_a.n, 1);
	assert_int_equal(to_a.len[0], MSG_RESPONSE_LEN);
	/* The response completes it; the waiting packet goes out at once. */
	assert_int_equal(deliver(&to_a, &a, 10, got, &got_len), 0);
	assert_int_equal(to_b.n, 1);
	assert_int_equal(len, 28);
	assert_int_equal(to_b.len[0], MSG_DATA_MIN_LEN + 32); /* 28 bytes padded to 32 */
	assert_int_equal(deliver(&to_b, &b, 10, got, &got_len), 1);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, dg + MSG_DATA_HDR_LEN, len);
	/* b learned a's endpoint from the handshake and answers with its confirmed session. */
	assert_true(pa->has_endpoint);
	len = ping(dg + MSG_DATA_HDR_LEN, "10.0.0.2", "10.0.0.1");
	assert_int_equal(wg_encrypt(&b, dg, len, sizeof(dg), 11, &out, &peer), WG_SEND);
	wire_send(&to_a, NULL, dg, out);
	assert_int_equal(deliver(&to_a, &a, 11, got, &got_len), 1);
	/* The same datagram again is a replay. */
	wire_send(&to_a, NULL, dg, out);
	assert_int_equal(deliver(&to_a, &a, 11, got, &got_len), 0);
	assert_int_equal(sa.drops[DROP_REPLAY], 1);
	/* A source b does not own is refused, even inside a good session. */
	len = ping(dg + MSG_DATA_HDR_LEN, "10.0.0.9", "10.0.0.1");
	assert_int_equal(wg_encrypt(&b, dg, len, sizeof(dg), 12, &out, &peer), WG_SEND);
	wire_send(&to_a, NULL, dg, out);
	assert_int_equal(deliver(&to_a, &a, 12, got, &got_len), 0);
	assert_int_equal(sa.drops[DROP_NOT_ALLOWED], 1);
	/* No peer owns 10.0.0.77. */
	len = ping(dg + MSG_DATA_HDR_LEN, "10.0.0.1", "10.0.0.77");
	assert_int_equal(wg_encrypt(&a, dg, len, sizeof(dg), 12, &out, &peer), WG_DROP);
	assert_int_equal(sa.drops[DROP_NO_ROUTE], 1);
	wg_free(&a);
	wg_free(&b);
}

/* A path MTU learned for a peer: DF packets that would not fit are refused
 * before sealing, others go out to be fragmented, and the figure told back
 * is a multiple of 16 that fits once padded. */
static void path_mtu_per_peer(void **state)
{
	struct stats sa = {0};
	struct wire to_b = {0};
	struct wg a;
	struct wg_peer *pb, *peer;
	struct prefix p;
	struct pkt_spec spec = {.version = 4, .proto = IPPROTO_UDP, .df = true};
	static const uint8_t zeros[1500];
	uint8_t k[32], other[32], dg[4096];
	size_t len, out;
	char err[64];

	(void)state;
	spec.payload = zeros;
	assert_int_equal(wg_init(&a, &sa, wire_send, &to_b), 0);
	a.mtu = 1440;
	key_generate_private(k);
	key_generate_private(other);
	assert_true(wg_set_private_key(&a, k));
	assert_int_equal(key_public(other, other), 0);
	pb = wg_peer_add(&a, other);
	prefix_parse("10.0.0.2/32", true, &p, err, sizeof(err));
	allowedips_insert(&a.allowed, &p, pb);
	sockaddr4(&to_b.from, "192.0.2.2", 2);
	wg_peer_set_endpoint(pb, &to_b.from);
	pb->pmtu.mtu = 1400;
	/* 1400 - 20 - 8 - 32 = 1340, down to a multiple of 16. */
	assert_int_equal(wg_inner_mtu(&a, pb), 1328);
	inet_pton(AF_INET, "10.0.0.1", spec.src);
	inet_pton(AF_INET, "10.0.0.2", spec.dst);
	spec.payload_len = 1328 - 28;
	len = (size_t)pkt_build(dg + MSG_DATA_HDR_LEN, 2048, &spec);
	assert_int_equal(len, 1328);
	assert_int_not_equal(wg_encrypt(&a, dg, len, sizeof(dg), 10, &out, &peer), WG_TOO_BIG);
	spec.payload_len = 1329 - 28; /* padded to 1344: 1404 on the wire */
	len = (size_t)pkt_build(dg + MSG_DATA_HDR_LEN, 2048, &spec);
	assert_int_equal(wg_encrypt(&a, dg, len, sizeof(dg), 10, &out, &peer), WG_TOO_BIG);
	assert_ptr_equal(peer, pb);
	assert_int_equal(sa.drops[DROP_TOO_BIG], 1);
	/* A new endpoint is a new path: nothing is known of it. */
	sockaddr4(&to_b.from, "192.0.2.3", 2);
	wg_peer_set_endpoint(pb, &to_b.from);
	assert_int_equal(pb->pmtu.mtu, 0);
	assert_int_not_equal(wg_encrypt(&a, dg, len, sizeof(dg), 10, &out, &peer), WG_TOO_BIG);
	wg_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(blake2s_known_answer),
	    cmocka_unit_test(path_mtu_per_peer),
	    cmocka_unit_test(mac_context_matches_mac),
	    cmocka_unit_test(hmac_and_kdf),
	    cmocka_unit_test(x25519_known_answer),
	    cmocka_unit_test(aead_nonce_and_tamper),
	    cmocka_unit_test(tai64n_orders_and_blurs),
	    cmocka_unit_test(message_sizes_and_types),
	    cmocka_unit_test(handshake_in_process),
	    cmocka_unit_test(handshake_refuses_wrong_keys),
	    cmocka_unit_test(initiation_flood_refused),
	    cmocka_unit_test(replay_in_order_and_duplicates),
	    cmocka_unit_test(replay_table),
	    cmocka_unit_test(replay_wraps_the_ring),
	    cmocka_unit_test(cookie_flow),
	    cmocka_unit_test(cookie_reply_for_someone_else),
	    cmocka_unit_test(ratelimiter_bursts_and_refills),
	    cmocka_unit_test(ratelimiter_ipv6_by_64),
	    cmocka_unit_test(ratelimiter_table_is_bounded),
	    cmocka_unit_test(timers_retry_and_give_up),
	    cmocka_unit_test(timers_keepalive_and_new_handshake),
	    cmocka_unit_test(two_devices),
	};

	if (keys_init())
		return 1;
	return cmocka_run_group_tests_name("noise", tests, NULL, NULL);
}
