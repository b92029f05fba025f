/*
 * Curve25519 keys as WireGuard and its tools write them: 32 bytes, in
 * standard base64 (44 characters).  The arithmetic is libsodium's.
 */
#ifndef TUNLAB_KEYS_H
#define TUNLAB_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KEY_LEN	    32
#define KEY_B64_LEN 44 /* without the terminating NUL */

int keys_init(void);
/* A new private key, clamped the way X25519 uses it. */
void key_generate_private(uint8_t key[KEY_LEN]);
/* A new preshared key: 32 random bytes. */
void key_generate_preshared(uint8_t key[KEY_LEN]);
/* The public key of a private key; -1 if the result would be all zero. */
int key_public(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN]);

void key_to_base64(char out[KEY_B64_LEN + 1], const uint8_t key[KEY_LEN]);
/* Exactly 44 characters of standard base64 that decode to 32 bytes; -1 otherwise. */
int key_from_base64(uint8_t key[KEY_LEN], const char *b64);
/* A key as 64 lowercase hex digits, the wg socket's form, written to f. */
void key_write_hex(FILE *f, const uint8_t key[KEY_LEN]);
/* Forget a key: sodium_memzero, which the compiler may not optimise away. */
void key_wipe(void *key, size_t len);

#endif
