/*
 * The primitives of the WireGuard protocol, as thin calls into the
 * libraries that implement them: BLAKE2s (plain, keyed and in HMAC) from
 * libcrypto, X25519 and the two ChaCha20-Poly1305 AEADs from libsodium.
 * Transport data is sealed with a session's own key context instead
 * (aead.h, OpenSSL's cipher).  Nothing here is cryptography of our own;
 * it only fixes the sizes, nonces and orders the protocol uses.
 */
#ifndef TUNLAB_LIB_CRYPTO_H
#define TUNLAB_LIB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_LEN       32
#define MAC_LEN	       16 /* keyed BLAKE2s, truncated as mac1, mac2 and cookies are */
#define AEAD_TAG_LEN   16
#define AEAD_NONCE_LEN 12
#define XNONCE_LEN     24
#define DH_LEN	       32

/* HASH(a || b); b may be NULL. */
int hash2(uint8_t out[HASH_LEN], const void *a, size_t alen, const void *b, size_t blen);
/* Keyed BLAKE2s with a 16-byte output: MAC(key, data). */
int mac(uint8_t out[MAC_LEN], const uint8_t *key, size_t keylen, const void *data, size_t len);
/*
 * A keyed BLAKE2s whose algorithm is looked up once, then keyed afresh for
 * each message.  mac() looks it up by name on every call, and OpenSSL 3
 * takes a lock and compares names each time: under a handshake flood that
 * was most of the server's CPU, for the mac1 on every message.  A context
 * that could not be opened (ctx NULL) falls back to mac().
 */
struct evp_mac_ctx_st;
struct mac_ctx {
	struct evp_mac_ctx_st *ctx;
};
void mac_ctx_open(struct mac_ctx *m);
int mac_with(struct mac_ctx *m, uint8_t out[MAC_LEN], const uint8_t *key, size_t keylen,
	     const void *data, size_t len);
void mac_ctx_close(struct mac_ctx *m);
/* HMAC-BLAKE2s. */
int hmac(uint8_t out[HASH_LEN], const uint8_t key[HASH_LEN], const void *data, size_t len);
/*
 * The protocol's KDF_n: n outputs (1 to 3) derived from a chaining key
 * and an input; unused outputs may be NULL.
 */
int kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[HASH_LEN], const void *in,
	size_t inlen);

/* The protocol's nonce: 4 zero bytes, then the 64-bit counter, little-endian. */
void aead_nonce(uint8_t nonce[AEAD_NONCE_LEN], uint64_t counter);
/* ChaCha20-Poly1305 with the 64-bit little-endian counter as nonce; out gets len + 16. */
void aead_seal(uint8_t *out, const uint8_t *in, size_t len, uint64_t counter, const uint8_t key[32],
	       const uint8_t *ad, size_t adlen);
/* Returns false if the tag does not verify; out gets len - 16. */
bool aead_open(uint8_t *out, const uint8_t *in, size_t len, uint64_t counter, const uint8_t key[32],
	       const uint8_t *ad, size_t adlen);
void xaead_seal(uint8_t *out, const uint8_t *in, size_t len, const uint8_t nonce[XNONCE_LEN],
		const uint8_t key[32], const uint8_t *ad, size_t adlen);
bool xaead_open(uint8_t *out, const uint8_t *in, size_t len, const uint8_t nonce[XNONCE_LEN],
		const uint8_t key[32], const uint8_t *ad, size_t adlen);

/* X25519; false when the result is all zero (a low-order point). */
bool dh(uint8_t out[DH_LEN], const uint8_t priv[DH_LEN], const uint8_t pub[DH_LEN]);
void random_bytes(void *buf, size_t len);
/* Constant time, for tags and macs. */
bool equal_ct(const void *a, const void *b, size_t len);

/* TAI64N for a wall-clock time, its nanoseconds blurred to hide timing. */
void tai64n(uint8_t out[12], int64_t sec, long nsec);
void tai64n_now(uint8_t out[12]);

#endif
