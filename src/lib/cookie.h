/*
 * mac1, mac2 and cookie replies.  mac1 proves that a handshake message
 * was made by someone who knows our public key, and is always checked.
 * Under load, a responder answers handshakes with a cookie reply instead,
 * and only handshakes whose mac2 proves they can receive at their source
 * address (they echo the cookie) get the expensive work.
 */
#ifndef TUNLAB_LIB_COOKIE_H
#define TUNLAB_LIB_COOKIE_H

#include "messages.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_SECRET_MAX_AGE 120.0
/* A cookie is used for a little less than its lifetime, for the round trip. */
#define COOKIE_LATENCY 5.0

/* The responder's side: keys from our public key, and a secret that changes. */
struct cookie_checker {
	struct mac_ctx mac; /* checks every handshake message's mac1: looked up once */
	uint8_t mac1_key[HASH_LEN];
	uint8_t cookie_key[HASH_LEN];
	uint8_t secret[HASH_LEN];
	double secret_birth;
};

/* The initiator's side, one per peer: keys from the peer's public key. */
struct cookie_maker {
	uint8_t mac1_key[HASH_LEN];
	uint8_t cookie_key[HASH_LEN];
	uint8_t cookie[MAC_LEN];
	double cookie_birth;
	bool has_cookie;
	uint8_t last_mac1[MAC_LEN]; /* the cookie reply is bound to it */
	bool sent_mac1;
};

enum cookie_verdict {
	COOKIE_BAD_MAC1,
	COOKIE_NO_MAC2, /* mac1 fine; mac2 missing or not from a cookie of ours */
	COOKIE_MAC2_OK,
};

/* c is zeroed, or was initialised before: its MAC context is reused. */
void cookie_checker_init(struct cookie_checker *c, const uint8_t our_public[32]);
void cookie_checker_free(struct cookie_checker *c);
/* msg is a whole handshake message (its macs are its last 32 bytes). */
enum cookie_verdict cookie_validate(struct cookie_checker *c, const uint8_t *msg, size_t len,
				    const struct sockaddr_storage *src, bool check_mac2,
				    double now);
/* A cookie reply to the handshake message msg from src, whose sender index is given. */
void cookie_reply_create(struct cookie_checker *c, struct msg_cookie *out, const uint8_t *msg,
			 size_t len, uint32_t sender, const struct sockaddr_storage *src,
			 double now);

void cookie_maker_init(struct cookie_maker *m, const uint8_t peer_public[32]);
/* Fills the last 32 bytes of a handshake message: mac1, and mac2 with a fresh cookie. */
void cookie_add_macs(struct cookie_maker *m, uint8_t *msg, size_t len, double now);
bool cookie_consume_reply(struct cookie_maker *m, const struct msg_cookie *r, double now);

#endif
