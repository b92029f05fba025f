/*
 * Cryptokey routing: which peer owns an inner address.  A binary trie per
 * family, one bit per level, longest prefix wins.  The same table picks
 * the peer for an outgoing packet (by destination) and checks an incoming
 * one (its source must belong to the peer that sent it).
 */
#ifndef TUNLAB_TUNNEL_ALLOWEDIPS_H
#define TUNLAB_TUNNEL_ALLOWEDIPS_H

#include "lib/addr.h"

#include <stddef.h>
#include <stdint.h>

struct allowedips_node {
	struct allowedips_node *child[2];
	void *peer; /* NULL: no prefix ends here */
};

struct allowedips {
	struct allowedips_node *root[2]; /* IPv4, IPv6 */
	size_t nodes;
};

void allowedips_init(struct allowedips *a);
void allowedips_free(struct allowedips *a);
/* Gives the prefix (host bits cleared) to peer, taking it from any other; -1 if out of memory. */
int allowedips_insert(struct allowedips *a, const struct prefix *p, void *peer);
/* Takes one prefix away from peer; 0 if it was peer's, -1 if not. */
int allowedips_remove(struct allowedips *a, const struct prefix *p, const void *peer);
void allowedips_remove_peer(struct allowedips *a, const void *peer);
/* The peer owning the longest prefix that holds addr (4 or 16 bytes), or NULL. */
void *allowedips_lookup(const struct allowedips *a, int family, const uint8_t *addr);
/* Calls fn for every prefix that peer owns, IPv4 first, shortest first. */
void allowedips_walk(const struct allowedips *a, const void *peer,
		     void (*fn)(const struct prefix *p, void *arg), void *arg);

#endif
