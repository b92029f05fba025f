/*
 * A token bucket per source: 20 handshakes a second, in bursts of 5, per
 * IPv4 address or IPv6 /64.  The table has a fixed size, so a flood from
 * many addresses costs no memory; a source that cannot get a slot is
 * refused, since a table that full means the machine is under attack.
 */
#ifndef TUNLAB_TUNNEL_RATELIMITER_H
#define TUNLAB_TUNNEL_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RATELIMIT_PER_SECOND 20
#define RATELIMIT_BURST	     5
#define RATELIMIT_SLOTS	     4096
#define RATELIMIT_PROBES     16

struct ratelimit_slot {
	uint8_t who[16]; /* the address, or the /64 for IPv6 */
	uint8_t family;
	bool used;
	double last; /* when tokens were last counted */
	double tokens;
};

struct ratelimiter {
	uint8_t hash_key[16]; /* random, so no one can aim at one chain */
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
	uint64_t refused;
};

void ratelimiter_init(struct ratelimiter *r);
/* A zeroed, keyed limiter of its own (free it with free), or NULL. */
struct ratelimiter *ratelimiter_new(void);
bool ratelimiter_allow(struct ratelimiter *r, const struct sockaddr_storage *src, double now);

#endif
