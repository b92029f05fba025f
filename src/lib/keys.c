#include "lib/keys.h"

#include <sodium.h>
#include <string.h>

int keys_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void key_generate_private(uint8_t key[KEY_LEN])
{
	randombytes_buf(key, KEY_LEN);
	/* As wg genkey does: X25519 ignores these bits, so fix them once for all. */
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

void key_generate_preshared(uint8_t key[KEY_LEN])
{
	randombytes_buf(key, KEY_LEN);
}

int key_public(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv) == 0 ? 0 : -1;
}

void key_to_base64(char out[KEY_B64_LEN + 1], const uint8_t key[KEY_LEN])
{
	sodium_bin2base64(out, KEY_B64_LEN + 1, key, KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

int key_from_base64(uint8_t key[KEY_LEN], const char *b64)
{
	size_t len;
	const char *end;

	if (strlen(b64) != KEY_B64_LEN || b64[KEY_B64_LEN - 1] != '=')
		return -1;
	if (sodium_base642bin(key, KEY_LEN, b64, KEY_B64_LEN, NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    len != KEY_LEN || *end)
		return -1;
	return 0;
}

void key_wipe(void *key, size_t len)
{
	sodium_memzero(key, len);
}

void key_write_hex(FILE *f, const uint8_t key[KEY_LEN])
{
	char hex[2 * KEY_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), key, KEY_LEN);
	fputs(hex, f);
	key_wipe(hex, sizeof(hex));
}
