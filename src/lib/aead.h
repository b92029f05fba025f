/*
 * ChaCha20-Poly1305 (RFC 8439) for WireGuard's transport data: one key per
 * session and direction, keyed once, each packet naming only its counter.
 *
 * Two backends compute the same thing.  OpenSSL's EVP cipher runs
 * assembly that seals a full-sized packet about twice as fast as
 * libsodium 1.0.18 on the machines measured (`harness bench --aead`); its
 * context is keyed when the session is made, and each packet sets only
 * the nonce, which is cheaper than keying it again.  libsodium's is kept
 * beside it so that the tests and the benchmark can hold one against the
 * other; the handshake and cookie AEADs stay libsodium's (crypto.h).
 *
 * An OpenSSL context holds the state of the message in hand: one key
 * serves one thread at a time.  Encrypted mode runs one queue (queues.h),
 * so the thread that owns the sessions is the only one that uses them.
 */
#ifndef TUNLAB_LIB_AEAD_H
#define TUNLAB_LIB_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aead_backend {
	AEAD_OPENSSL,
	AEAD_SODIUM,
};

enum aead_verdict {
	AEAD_OK,
	AEAD_FORGED, /* the tag does not verify, or there is no room for one */
	AEAD_FAILED, /* the library could not do it: nothing said about the packet */
};

struct evp_cipher_ctx_st;
struct aead_key {
	enum aead_backend backend;
	struct evp_cipher_ctx_st *ctx; /* OpenSSL: keyed once, freed (and cleansed) by the wipe */
	uint8_t key[32];	       /* libsodium: the key itself; zero for OpenSSL */
};

const char *aead_backend_name(enum aead_backend b);
/* Keys k; -1 if OpenSSL could not make or key a context (k is then wiped). */
int aead_key_init(struct aead_key *k, enum aead_backend b, const uint8_t key[32]);
/* Frees and forgets the key; a key that was never set (all zero) is fine too. */
void aead_key_wipe(struct aead_key *k);

/*
 * out gets len + 16 bytes: the ciphertext, then the tag; out may be in.
 * The nonce is WireGuard's: 4 zero bytes and the 64-bit little-endian
 * counter.  False if the library failed: out holds nothing to send.
 */
bool aead_key_seal(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
		   uint64_t counter, const uint8_t *ad, size_t adlen);
/*
 * in holds len bytes, the tag last; out gets len - 16 and may be in.  On
 * anything but AEAD_OK, out holds no plaintext: its len - 16 bytes are zero.
 */
enum aead_verdict aead_key_open(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
				uint64_t counter, const uint8_t *ad, size_t adlen);
/* The same with any 12-byte nonce, as RFC 8439's test vectors give them. */
bool aead_key_seal_nonce(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
			 const uint8_t nonce[12], const uint8_t *ad, size_t adlen);
enum aead_verdict aead_key_open_nonce(struct aead_key *k, uint8_t *out, const uint8_t *in,
				      size_t len, const uint8_t nonce[12], const uint8_t *ad,
				      size_t adlen);

#endif
