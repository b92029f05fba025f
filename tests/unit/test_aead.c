/*
 * The transport AEAD's two backends (lib/aead.h): RFC 8439's test vector
 * through each, each opening what the other sealed over random keys,
 * nonces and lengths, a flipped bit refused, and a session made by the
 * handshake sealing with one side's key and opening with the other's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/aead.h"
#include "lib/crypto.h"
#include "lib/keys.h"
#include "tunnel/noise.h"

#include <stdio.h>
#include <string.h>

static const enum aead_backend backends[] = {AEAD_OPENSSL, AEAD_SODIUM};

static void unhex(uint8_t *out, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* RFC 8439, section 2.8.2: the AEAD's own example. */
static const char rfc_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				"only one tip for the future, sunscreen would be it.";
static const char rfc_sealed[] = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
				 "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
				 "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
				 "3ff4def08e4b7a9de576d26586cec64b6116"
				 "1ae10b594f09e26a7e902ecbd0600691"; /* the tag */

static void rfc8439_vector(enum aead_backend b)
{
	uint8_t key[32], nonce[12], ad[12], want[114 + 16], out[114 + 16], back[114];
	struct aead_key k;

	assert_int_equal(strlen(rfc_plain), 114);
	unhex(key, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	unhex(nonce, "070000004041424344454647");
	unhex(ad, "50515253c0c1c2c3c4c5c6c7");
	unhex(want, rfc_sealed);
	assert_int_equal(aead_key_init(&k, b, key), 0);
	assert_true(aead_key_seal_nonce(&k, out, (const uint8_t *)rfc_plain, 114, nonce, ad, 12));
	assert_memory_equal(out, want, sizeof(want));
	/* Twice with one key: each message starts afresh from its nonce. */
	assert_true(aead_key_seal_nonce(&k, out, (const uint8_t *)rfc_plain, 114, nonce, ad, 12));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(aead_key_open_nonce(&k, back, want, sizeof(want), nonce, ad, 12), AEAD_OK);
	assert_memory_equal(back, rfc_plain, 114);
	/* In place, as the tunnel seals and opens. */
	memcpy(out, rfc_plain, 114);
	assert_true(aead_key_seal_nonce(&k, out, out, 114, nonce, ad, 12));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(aead_key_open_nonce(&k, out, out, sizeof(want), nonce, ad, 12), AEAD_OK);
	assert_memory_equal(out, rfc_plain, 114);
	/* Another AD, or none, does not verify. */
	assert_int_equal(aead_key_open_nonce(&k, back, want, sizeof(want), nonce, NULL, 0),
			 AEAD_FORGED);
	aead_key_wipe(&k);
	/* The wipe forgets the key and frees the context. */
	assert_null(k.ctx);
	for (size_t i = 0; i < sizeof(k.key); i++)
		assert_int_equal(k.key[i], 0);
}

static void rfc8439_openssl(void **state)
{
	(void)state;
	rfc8439_vector(AEAD_OPENSSL);
}

static void rfc8439_libsodium(void **state)
{
	(void)state;
	rfc8439_vector(AEAD_SODIUM);
}

/* The counter is WireGuard's nonce: 4 zero bytes, then 8 little-endian. */
static void counter_is_the_nonce(void **state)
{
	uint8_t key[32], nonce[12] = {0}, a[64 + 16], b[64 + 16], msg[64];
	uint64_t counter = 0x0102030405060708ULL;

	(void)state;
	memset(key, 7, sizeof(key));
	memset(msg, 'x', sizeof(msg));
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
	for (size_t i = 0; i < 2; i++) {
		struct aead_key k;

		assert_int_equal(aead_key_init(&k, backends[i], key), 0);
		assert_true(aead_key_seal(&k, a, msg, 64, counter, NULL, 0));
		assert_true(aead_key_seal_nonce(&k, b, msg, 64, nonce, NULL, 0));
		assert_memory_equal(a, b, sizeof(a));
		/* The handshake's libsodium call with a raw key gives the same. */
		aead_seal(b, msg, 64, counter, key, NULL, 0);
		assert_memory_equal(a, b, sizeof(a));
		assert_int_equal(aead_key_open(&k, b, a, sizeof(a), counter + 1, NULL, 0),
				 AEAD_FORGED);
		assert_int_equal(aead_key_open(&k, b, a, 15, counter, NULL, 0), AEAD_FORGED);
		aead_key_wipe(&k);
	}
}

/*
 * Random keys, counters and lengths from 0 to 1500 bytes, with and
 * without AD: what either backend seals, both open, and a single flipped
 * bit anywhere (ciphertext, tag or AD) makes both refuse it.
 */
static void backends_agree(void **state)
{
	static uint8_t msg[1500], a[1500 + 16], b[1500 + 16], back[1500], ad[32];

	(void)state;
	for (int round = 0; round < 400; round++) {
		struct aead_key k[2];
		uint8_t key[32];
		uint64_t counter;
		size_t len, adlen, bit;

		random_bytes(key, sizeof(key));
		random_bytes(&counter, sizeof(counter));
		random_bytes(&len, sizeof(len));
		random_bytes(&bit, sizeof(bit));
		/* The edges every time round: empty, one byte, one block, the most. */
		len = round < 4 ? (size_t[]){0, 1, 64, 1500}[round] : len % 1501;
		adlen = round % 2 ? (size_t)round % 33 : 0; /* WireGuard's transport has none */
		random_bytes(msg, len);
		random_bytes(ad, adlen);
		for (int i = 0; i < 2; i++)
			assert_int_equal(aead_key_init(&k[i], backends[i], key), 0);
		assert_true(aead_key_seal(&k[0], a, msg, len, counter, ad, adlen));
		assert_true(aead_key_seal(&k[1], b, msg, len, counter, ad, adlen));
		assert_memory_equal(a, b, len + 16);
		for (int i = 0; i < 2; i++) {
			/* Sealed by one, opened by the other, and by itself. */
			memset(back, 0, sizeof(back));
			assert_int_equal(
			    aead_key_open(&k[i], back, i ? a : b, len + 16, counter, ad, adlen),
			    AEAD_OK);
			assert_memory_equal(back, msg, len);
			assert_int_equal(
			    aead_key_open(&k[i], back, a, len + 16, counter, ad, adlen), AEAD_OK);
		}
		/* One bit flipped, in the sealed bytes or (when there is one) the AD. */
		bit %= 8 * (len + 16 + adlen);
		if (bit < 8 * (len + 16))
			a[bit / 8] ^= (uint8_t)(1u << bit % 8);
		else
			ad[bit / 8 - (len + 16)] ^= (uint8_t)(1u << bit % 8);
		for (int i = 0; i < 2; i++) {
			memset(back, 0xaa, sizeof(back));
			assert_int_equal(
			    aead_key_open(&k[i], back, a, len + 16, counter, ad, adlen),
			    AEAD_FORGED);
			/* No plaintext is left to read: both zero what they would have written. */
			for (size_t j = 0; j < len; j++)
				assert_int_equal(back[j], 0);
			aead_key_wipe(&k[i]);
		}
	}
}

/* A session from a real handshake: each side's sender opens at the other's receiver. */
static void session_keys_pair_up(void **state)
{
	struct noise_static a, b;
	struct handshake ha, hb;
	struct msg_initiation init;
	struct msg_response resp;
	struct initiation_scratch x;
	struct keypair ka, kb;
	uint8_t pa[32], pb[32], ts[12], buf[100 + 16], msg[100];

	(void)state;
	key_generate_private(pa);
	key_generate_private(pb);
	assert_true(noise_static_set(&a, pa));
	assert_true(noise_static_set(&b, pb));
	noise_handshake_init(&ha, &a, b.public_key, NULL);
	noise_handshake_init(&hb, &b, a.public_key, NULL);
	ha.local_index = 1;
	hb.local_index = 2;
	tai64n(ts, 5000, 0);
	assert_true(noise_create_initiation(&a, &ha, &init, ts));
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.0), NOISE_OK);
	assert_true(noise_create_response(&hb, &resp));
	assert_true(noise_consume_response(&a, &ha, &resp));
	assert_true(noise_begin_session(&ha, &ka, 1.0));
	assert_true(noise_begin_session(&hb, &kb, 1.0));
	/* The transport runs on OpenSSL's contexts, one per direction. */
	assert_int_equal(ka.sender.backend, AEAD_OPENSSL);
	assert_non_null(ka.sender.ctx);
	assert_non_null(ka.receiver.ctx);
	assert_ptr_not_equal(ka.sender.ctx, ka.receiver.ctx);
	memset(msg, 'm', sizeof(msg));
	for (uint64_t n = 0; n < 3; n++) {
		assert_true(aead_key_seal(&ka.sender, buf, msg, sizeof(msg), n, NULL, 0));
		/* What the raw key makes with libsodium is what goes out. */
		assert_true(aead_open(buf, buf, sizeof(buf), n, ka.send_key, NULL, 0));
		assert_true(aead_key_seal(&ka.sender, buf, msg, sizeof(msg), n, NULL, 0));
		assert_int_equal(aead_key_open(&kb.receiver, buf, buf, sizeof(buf), n, NULL, 0),
				 AEAD_OK);
		assert_memory_equal(buf, msg, sizeof(msg));
		assert_true(aead_key_seal(&kb.sender, buf, msg, sizeof(msg), n, NULL, 0));
		assert_int_equal(aead_key_open(&ka.receiver, buf, buf, sizeof(buf), n, NULL, 0),
				 AEAD_OK);
		/* A side cannot open what it sent itself: the directions have their own keys. */
		assert_true(aead_key_seal(&ka.sender, buf, msg, sizeof(msg), n, NULL, 0));
		assert_int_equal(aead_key_open(&ka.receiver, buf, buf, sizeof(buf), n, NULL, 0),
				 AEAD_FORGED);
	}
	keypair_wipe(&ka);
	keypair_wipe(&kb);
	assert_null(ka.sender.ctx);
	assert_null(kb.receiver.ctx);
}

/* A key that was never set, or was wiped, fails cleanly instead of crashing. */
static void unset_key_fails(void **state)
{
	struct aead_key k;
	uint8_t buf[32 + 16] = {0};

	(void)state;
	memset(&k, 0, sizeof(k));
	k.backend = AEAD_OPENSSL;
	assert_false(aead_key_seal(&k, buf, buf, 32, 0, NULL, 0));
	assert_int_equal(aead_key_open(&k, buf, buf, sizeof(buf), 0, NULL, 0), AEAD_FAILED);
	aead_key_wipe(&k);
	aead_key_wipe(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc8439_openssl),	    cmocka_unit_test(rfc8439_libsodium),
	    cmocka_unit_test(counter_is_the_nonce), cmocka_unit_test(backends_agree),
	    cmocka_unit_test(session_keys_pair_up), cmocka_unit_test(unset_key_fails),
	};

	if (keys_init())
		return 1;
	return cmocka_run_group_tests_name("aead", tests, NULL, NULL);
}
