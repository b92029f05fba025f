/*
 * The wg configuration format ([Interface] and [Peer] sections of
 * "Key = Value" lines), parsed and checked, nothing acted on.  Every
 * refusal is one line, "file:line: what is wrong".
 */
#ifndef TUNLAB_TUNNEL_WGCONFIG_H
#define TUNLAB_TUNNEL_WGCONFIG_H

#include "lib/keys.h"
#include "lib/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_MAX_ADDRS   8
#define WG_MAX_ALLOWED 64
#define WG_MAX_PEERS   256

struct wg_peer_conf {
	int line; /* of its [Peer] header */
	uint8_t public_key[KEY_LEN];
	bool has_public_key;
	uint8_t preshared_key[KEY_LEN];
	bool has_preshared_key;
	char endpoint[256]; /* HOST:PORT as written; resolved when the tunnel starts */
	struct prefix allowed[WG_MAX_ALLOWED];
	int nallowed;
	int keepalive; /* seconds; 0 is off */
};

struct wg_config {
	uint8_t private_key[KEY_LEN];
	bool has_private_key;
	int listen_port; /* 0: any */
	struct prefix addrs[WG_MAX_ADDRS];
	int naddrs;
	int mtu; /* 0: computed */
	struct wg_peer_conf *peers;
	int npeers;
};

int wg_config_parse(const char *text, size_t len, const char *file, struct wg_config *c, char *err,
		    size_t errlen);
int wg_config_load(const char *path, struct wg_config *c, char *err, size_t errlen);
/* Frees the peers and wipes every key. */
void wg_config_free(struct wg_config *c);

#endif
