#include "wgdecode.h"

#include <stdio.h>
#include <string.h>

/* Placeholder until the decoder lands: parses nothing, opens nothing. */
int wg_msg_parse(const uint8_t *buf, size_t len, struct wg_msg *m)
{
	(void)buf;
	(void)len;
	memset(m, 0, sizeof(*m));
	return -1;
}

size_t wg_msg_describe(const struct wg_msg *m, char *out, size_t cap)
{
	(void)m;
	return (size_t)snprintf(out, cap, "WireGuard");
}

int wg_keyring_add_reply(struct wg_keyring *k, const char *reply)
{
	(void)k;
	(void)reply;
	return 0;
}

void wg_keyring_wipe(struct wg_keyring *k)
{
	memset(k, 0, sizeof(*k));
}

ssize_t wg_open_transport(const struct wg_keyring *k, const uint8_t *buf, size_t len,
			  uint8_t *out, size_t cap, size_t *padded)
{
	(void)k;
	(void)buf;
	(void)len;
	(void)out;
	(void)cap;
	*padded = 0;
	return -1;
}
