/*
 * The receive counter window of a session (RFC 6479's design): a ring of
 * 64-bit words, one bit per counter, 8128 counters wide.  A counter is
 * accepted once; one too old for the window, or past the protocol's
 * limit, is refused.  Only call it for an authenticated packet, or a
 * forger could slide the window.
 */
#ifndef TUNLAB_TUNNEL_REPLAY_H
#define TUNLAB_TUNNEL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_BITS  8192
#define REPLAY_WORDS (REPLAY_BITS / 64)
/* One word of the ring is always being recycled, so it does not count. */
#define REPLAY_WINDOW	      (REPLAY_BITS - 64)
#define REKEY_AFTER_MESSAGES  (1ULL << 60)
#define REJECT_AFTER_MESSAGES (UINT64_MAX - REPLAY_WINDOW - 1)

struct replay {
	uint64_t top; /* one more than the highest counter accepted */
	uint64_t ring[REPLAY_WORDS];
};

void replay_init(struct replay *r);
/* True the first time a counter inside the window is seen. */
bool replay_check(struct replay *r, uint64_t counter);

#endif
