#include "aead.h"
#include "crypto.h"
#include "keys.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

const char *aead_backend_name(enum aead_backend b)
{
	return b == AEAD_OPENSSL ? "openssl" : "libsodium";
}

int aead_key_init(struct aead_key *k, enum aead_backend b, const uint8_t key[32])
{
	memset(k, 0, sizeof(*k));
	k->backend = b;
	if (b == AEAD_SODIUM) {
		memcpy(k->key, key, sizeof(k->key));
		return 0;
	}
	/* Keyed once, with no nonce yet: each packet sets its own. */
	k->ctx = EVP_CIPHER_CTX_new();
	if (!k->ctx || EVP_EncryptInit_ex(k->ctx, EVP_chacha20_poly1305(), NULL, key, NULL) != 1) {
		ERR_clear_error();
		aead_key_wipe(k);
		return -1;
	}
	return 0;
}

void aead_key_wipe(struct aead_key *k)
{
	EVP_CIPHER_CTX_free(k->ctx); /* cleanses the key schedule it holds */
	key_wipe(k, sizeof(*k));
}

/* An EVP call failed: what it left on the thread's error queue goes with the packet. */
static bool failed(void)
{
	ERR_clear_error();
	return false;
}

static bool evp_seal(EVP_CIPHER_CTX *c, uint8_t *out, const uint8_t *in, size_t len,
		     const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *ad, size_t adlen)
{
	int n = 0;

	if (len > INT_MAX || adlen > INT_MAX)
		return false;
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
	    (adlen && EVP_EncryptUpdate(c, NULL, &n, ad, (int)adlen) != 1))
		return failed();
	/* A stream cipher: every byte in comes out at once, and Final adds none. */
	if (len && (EVP_EncryptUpdate(c, out, &n, in, (int)len) != 1 || n != (int)len))
		return failed();
	if (EVP_EncryptFinal_ex(c, out + len, &n) != 1 || n != 0 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, out + len) != 1)
		return failed();
	return true;
}

static enum aead_verdict evp_open(EVP_CIPHER_CTX *c, uint8_t *out, const uint8_t *in, size_t len,
				  const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *ad,
				  size_t adlen)
{
	size_t plain = len - AEAD_TAG_LEN;
	int n = 0;

	if (plain > INT_MAX || adlen > INT_MAX)
		return AEAD_FAILED;
	/* The tag is copied in before any plaintext can overwrite it. */
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, (void *)(in + plain)) !=
		1 ||
	    (adlen && EVP_DecryptUpdate(c, NULL, &n, ad, (int)adlen) != 1) ||
	    (plain && (EVP_DecryptUpdate(c, out, &n, in, (int)plain) != 1 || n != (int)plain))) {
		failed();
		return AEAD_FAILED;
	}
	/* Final is where the tag is checked, after the bytes were written. */
	if (EVP_DecryptFinal_ex(c, out + plain, &n) != 1) {
		failed();
		return AEAD_FORGED;
	}
	return AEAD_OK;
}

bool aead_key_seal_nonce(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
			 const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *ad, size_t adlen)
{
	if (k->backend == AEAD_SODIUM)
		return crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, adlen,
								 NULL, nonce, k->key) == 0;
	return k->ctx && evp_seal(k->ctx, out, in, len, nonce, ad, adlen);
}

enum aead_verdict aead_key_open_nonce(struct aead_key *k, uint8_t *out, const uint8_t *in,
				      size_t len, const uint8_t nonce[AEAD_NONCE_LEN],
				      const uint8_t *ad, size_t adlen)
{
	enum aead_verdict v;

	if (len < AEAD_TAG_LEN)
		return AEAD_FORGED;
	/* libsodium checks the tag first, and zeroes out when it fails. */
	if (k->backend == AEAD_SODIUM)
		return crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len, ad,
								 adlen, nonce, k->key) == 0
			   ? AEAD_OK
			   : AEAD_FORGED;
	v = k->ctx ? evp_open(k->ctx, out, in, len, nonce, ad, adlen) : AEAD_FAILED;
	/* OpenSSL writes before it verifies: zeroed, as libsodium leaves it. */
	if (v != AEAD_OK && len > AEAD_TAG_LEN)
		memset(out, 0, len - AEAD_TAG_LEN);
	return v;
}

bool aead_key_seal(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
		   uint64_t counter, const uint8_t *ad, size_t adlen)
{
	uint8_t nonce[AEAD_NONCE_LEN];

	aead_nonce(nonce, counter);
	return aead_key_seal_nonce(k, out, in, len, nonce, ad, adlen);
}

enum aead_verdict aead_key_open(struct aead_key *k, uint8_t *out, const uint8_t *in, size_t len,
				uint64_t counter, const uint8_t *ad, size_t adlen)
{
	uint8_t nonce[AEAD_NONCE_LEN];

	aead_nonce(nonce, counter);
	return aead_key_open_nonce(k, out, in, len, nonce, ad, adlen);
}
