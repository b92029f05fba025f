#include "crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

int hash2(uint8_t out[HASH_LEN], const void *a, size_t alen, const void *b, size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_blake2s256(), NULL) &&
		 EVP_DigestUpdate(ctx, a, alen) && (!b || EVP_DigestUpdate(ctx, b, blen)) &&
		 EVP_DigestFinal_ex(ctx, out, NULL);

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int mac(uint8_t out[MAC_LEN], const uint8_t *key, size_t keylen, const void *data, size_t len)
{
	size_t size = MAC_LEN, got = 0;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
			       OSSL_PARAM_construct_end()};

	if (!EVP_Q_mac(NULL, "BLAKE2SMAC", NULL, NULL, params, key, keylen, data, len, out, MAC_LEN,
		       &got))
		return -1;
	return got == MAC_LEN ? 0 : -1;
}

void mac_ctx_open(struct mac_ctx *m)
{
	EVP_MAC *alg = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);

	/* The context holds its own reference to the algorithm. */
	m->ctx = alg ? EVP_MAC_CTX_new(alg) : NULL;
	EVP_MAC_free(alg);
}

int mac_with(struct mac_ctx *m, uint8_t out[MAC_LEN], const uint8_t *key, size_t keylen,
	     const void *data, size_t len)
{
	size_t size = MAC_LEN, got = 0;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
			       OSSL_PARAM_construct_end()};

	if (!m->ctx)
		return mac(out, key, keylen, data, len);
	/* A new key starts the context over, as a fresh one would. */
	if (!EVP_MAC_init(m->ctx, key, keylen, params) || !EVP_MAC_update(m->ctx, data, len) ||
	    !EVP_MAC_final(m->ctx, out, &got, MAC_LEN))
		return -1;
	return got == MAC_LEN ? 0 : -1;
}

void mac_ctx_close(struct mac_ctx *m)
{
	EVP_MAC_CTX_free(m->ctx); /* its copy of the last key is cleansed with it */
	m->ctx = NULL;
}

int hmac(uint8_t out[HASH_LEN], const uint8_t key[HASH_LEN], const void *data, size_t len)
{
	size_t got = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "BLAKE2S-256", NULL, key, HASH_LEN, data, len, out,
		       HASH_LEN, &got))
		return -1;
	return got == HASH_LEN ? 0 : -1;
}

int kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[HASH_LEN], const void *in,
	size_t inlen)
{
	uint8_t prk[HASH_LEN], t[HASH_LEN + 1];
	uint8_t *outs[3] = {t1, t2, t3};
	int rc = hmac(prk, key, in, inlen);

	/* T1 = HMAC(prk, 0x1); Tn = HMAC(prk, Tn-1 || n). */
	for (int i = 0; rc == 0 && i < 3 && outs[i]; i++) {
		size_t len = i == 0 ? 0 : HASH_LEN;

		t[len] = (uint8_t)(i + 1);
		rc = hmac(t, prk, t, len + 1);
		if (rc == 0)
			memcpy(outs[i], t, HASH_LEN);
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return rc;
}

void aead_nonce(uint8_t nonce[AEAD_NONCE_LEN], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void aead_seal(uint8_t *out, const uint8_t *in, size_t len, uint64_t counter, const uint8_t key[32],
	       const uint8_t *ad, size_t adlen)
{
	uint8_t nonce[AEAD_NONCE_LEN];

	aead_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, adlen, NULL, nonce, key);
}

bool aead_open(uint8_t *out, const uint8_t *in, size_t len, uint64_t counter, const uint8_t key[32],
	       const uint8_t *ad, size_t adlen)
{
	uint8_t nonce[AEAD_NONCE_LEN];

	if (len < AEAD_TAG_LEN)
		return false;
	aead_nonce(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len, ad, adlen, nonce,
							 key) == 0;
}

void xaead_seal(uint8_t *out, const uint8_t *in, size_t len, const uint8_t nonce[XNONCE_LEN],
		const uint8_t key[32], const uint8_t *ad, size_t adlen)
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, adlen, NULL, nonce, key);
}

bool xaead_open(uint8_t *out, const uint8_t *in, size_t len, const uint8_t nonce[XNONCE_LEN],
		const uint8_t key[32], const uint8_t *ad, size_t adlen)
{
	if (len < AEAD_TAG_LEN)
		return false;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len, ad, adlen,
							  nonce, key) == 0;
}

bool dh(uint8_t out[DH_LEN], const uint8_t priv[DH_LEN], const uint8_t pub[DH_LEN])
{
	/* libsodium refuses an all-zero result itself, which the protocol requires. */
	return crypto_scalarmult_curve25519(out, priv, pub) == 0;
}

void random_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

bool equal_ct(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void tai64n(uint8_t out[12], int64_t sec, long nsec)
{
	/* TAI64 labels start at 2^62; the 10 s is TAI's offset from 1970 UTC. */
	uint64_t label = 0x400000000000000aULL + (uint64_t)sec;
	/* Whole multiples of 2^24 ns (about 17 ms): a peer learns no finer clock. */
	uint32_t ns = (uint32_t)nsec & ~0xffffffu;

	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(label >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(ns >> (24 - 8 * i));
}

void tai64n_now(uint8_t out[12])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	tai64n(out, ts.tv_sec, ts.tv_nsec);
}
