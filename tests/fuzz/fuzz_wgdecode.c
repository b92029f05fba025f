/*
 * The WireGuard decoder a capture runs on every datagram it sees, and the
 * keyring it reads from a tunnel's "keys" reply.  The first byte picks:
 *
 *   0  the rest is a datagram: parsed, described, and opened with a fixed
 *      keyring (so only a forged tag could get in, and none does);
 *   1  the rest is a "keys" reply, read into a keyring;
 *   2  the rest is a plaintext: sealed with the keyring's key, so that
 *      opening reaches the inner header and its length check.
 *
 * Whatever opens must fit in what was sealed, with under 16 bytes of padding.
 */
#include "lib/crypto.h"
#include "lib/wgdecode.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_parse(const uint8_t *buf, size_t len)
{
	struct wg_msg m;
	char line[128];

	if (wg_msg_parse(buf, len, &m))
		return;
	if ((m.type == MSG_INITIATION && len != MSG_INITIATION_LEN) ||
	    (m.type == MSG_RESPONSE && len != MSG_RESPONSE_LEN) ||
	    (m.type == MSG_COOKIE && len != MSG_COOKIE_LEN) ||
	    (m.type == MSG_DATA && m.sealed_len + MSG_DATA_HDR_LEN != len))
		__builtin_trap();
	if (wg_msg_describe(&m, line, sizeof(line)) >= sizeof(line) || strlen(line) >= sizeof(line))
		__builtin_trap();
}

static void check_open(const struct wg_keyring *k, const uint8_t *buf, size_t len)
{
	static uint8_t out[65536];
	size_t padded = 0;
	ssize_t n = wg_open_transport(k, buf, len, out, sizeof(out), &padded);

	if (n >= 0 && ((size_t)n > padded || padded - (size_t)n >= MSG_PADDING ||
		       padded + MSG_DATA_MIN_LEN != len))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[65536];
	struct wg_keyring k = {.n = 1};
	char *text;

	memset(k.entry[0].key, 0x42, 32);
	k.entry[0].receiver = 7;
	if (size < 1 || size - 1 + MSG_DATA_MIN_LEN > sizeof(msg))
		return 0;
	switch (data[0]) {
	case 0:
		check_parse(data + 1, size - 1);
		check_open(&k, data + 1, size - 1);
		break;
	case 1:
		text = malloc(size);
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (wg_keyring_add_reply(&k, text) < 0 || k.n < 1 || k.n > WG_KEYRING_MAX)
			__builtin_trap();
		free(text);
		break;
	case 2:
		put_le32(msg, MSG_DATA);
		put_le32(msg + 4, 7);
		put_le64(msg + 8, size);
		aead_seal(msg + MSG_DATA_HDR_LEN, data + 1, size - 1, size, k.entry[0].key, NULL,
			  0);
		check_open(&k, msg, size - 1 + MSG_DATA_MIN_LEN);
		break;
	}
	return 0;
}
