#include "ratelimiter.h"
#include "lib/crypto.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void ratelimiter_init(struct ratelimiter *r)
{
	memset(r, 0, sizeof(*r));
	random_bytes(r->hash_key, sizeof(r->hash_key));
}

/*
 * calloc rather than malloc and a clear: a block fresh from the system is
 * not cleared again, so the table's pages are first touched as sources
 * arrive.  Under ASan every block this large is fresh, and the wgmsg fuzz
 * target makes two devices per input.
 */
struct ratelimiter *ratelimiter_new(void)
{
	struct ratelimiter *r = calloc(1, sizeof(*r));

	if (r)
		random_bytes(r->hash_key, sizeof(r->hash_key));
	return r;
}

/* Who a source is for the limit: an IPv4 address, or the /64 of an IPv6 one. */
static void identity(const struct sockaddr_storage *src, uint8_t who[16], uint8_t *family)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;

	memset(who, 0, 16);
	if (src->ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(who, &s6->sin6_addr, 8);
		*family = 6;
	} else if (src->ss_family == AF_INET6) {
		memcpy(who, &s6->sin6_addr.s6_addr[12], 4);
		*family = 4;
	} else {
		memcpy(who, &s4->sin_addr, 4);
		*family = 4;
	}
}

/* A slot whose bucket has been full for a second holds nothing worth keeping. */
static bool stale(const struct ratelimit_slot *s, double now)
{
	return !s->used || now - s->last > 1.0;
}

static struct ratelimit_slot *find(struct ratelimiter *r, const uint8_t who[16], uint8_t family,
				   double now)
{
	uint8_t h[crypto_shorthash_BYTES];
	struct ratelimit_slot *free_slot = NULL;
	uint64_t start;

	crypto_shorthash(h, who, 16, r->hash_key);
	memcpy(&start, h, sizeof(start));
	for (unsigned int i = 0; i < RATELIMIT_PROBES; i++) {
		struct ratelimit_slot *s = &r->slot[(start + i) % RATELIMIT_SLOTS];

		if (s->used && s->family == family && !memcmp(s->who, who, 16))
			return s;
		if (!free_slot && stale(s, now))
			free_slot = s;
	}
	if (!free_slot)
		return NULL;
	memcpy(free_slot->who, who, 16);
	free_slot->family = family;
	free_slot->used = true;
	free_slot->last = now;
	free_slot->tokens = RATELIMIT_BURST;
	return free_slot;
}

bool ratelimiter_allow(struct ratelimiter *r, const struct sockaddr_storage *src, double now)
{
	struct ratelimit_slot *s;
	uint8_t who[16], family;

	identity(src, who, &family);
	s = find(r, who, family, now);
	if (s) {
		s->tokens += (now - s->last) * RATELIMIT_PER_SECOND;
		if (s->tokens > RATELIMIT_BURST)
			s->tokens = RATELIMIT_BURST;
		s->last = now;
		if (s->tokens >= 1.0) {
			s->tokens -= 1.0;
			return true;
		}
	}
	r->refused++;
	return false;
}
