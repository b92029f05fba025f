/*
 * WireGuard messages taken apart for people (capture, check, walkthrough),
 * and transport data opened with the session keys a lab tunnel exports
 * over its control socket ("keys", only when started with --export-keys).
 * Only reads; every length is checked before a byte is looked at.
 */
#ifndef TUNLAB_LIB_WGDECODE_H
#define TUNLAB_LIB_WGDECODE_H

#include "messages.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wg_msg {
	enum msg_type type; /* MSG_INVALID when the datagram is not one */
	uint32_t sender;    /* initiation, response */
	uint32_t receiver;  /* response, cookie reply, transport */
	uint64_t counter;   /* transport */
	size_t sealed_len;  /* transport: encrypted packet, padding and tag */
};

/* 0 when buf is a WireGuard message of a known type and exact length, else -1. */
int wg_msg_parse(const uint8_t *buf, size_t len, struct wg_msg *m);
/*
 * One line for people, e.g. "WireGuard initiation sender 0x1a2b3c4d" or
 * "WireGuard transport receiver 0x1a2b3c4d counter 7, 112 sealed".
 */
size_t wg_msg_describe(const struct wg_msg *m, char *out, size_t cap);

#define WG_KEYRING_MAX 32
struct wg_key {
	uint32_t receiver; /* the index a transport message names */
	uint8_t key[32];   /* the key that opens it */
};
struct wg_keyring {
	struct wg_key entry[WG_KEYRING_MAX];
	int n;
};

/*
 * Adds the keys in a tunnel's reply to "keys": lines
 * "keypair=LOCAL_INDEX REMOTE_INDEX SEND_KEY RECV_KEY" (indexes as 8 hex
 * digits, keys as 64).  Data to LOCAL_INDEX opens with RECV_KEY, data to
 * REMOTE_INDEX with SEND_KEY.  Returns how many keys were added.
 */
int wg_keyring_add_reply(struct wg_keyring *k, const char *reply);
void wg_keyring_wipe(struct wg_keyring *k);

/*
 * Opens a transport message into out.  Returns the inner packet's length
 * (the padding cut off by the inner IP header's length) and sets *padded
 * to the length before that cut; -1 when no key matches, the tag fails,
 * or out is too small.
 */
ssize_t wg_open_transport(const struct wg_keyring *k, const uint8_t *buf, size_t len, uint8_t *out,
			  size_t cap, size_t *padded);

#endif
