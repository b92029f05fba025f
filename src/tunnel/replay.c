#include "replay.h"

#include <string.h>

void replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

/* Moving the top forward clears the words between the old top and the new. */
static void advance(struct replay *r, uint64_t next)
{
	uint64_t from = r->top / 64, to = next / 64;
	uint64_t words = to - from;

	if (words > REPLAY_WORDS)
		words = REPLAY_WORDS;
	for (uint64_t i = 1; i <= words; i++)
		r->ring[(from + i) % REPLAY_WORDS] = 0;
	r->top = next;
}

bool replay_check(struct replay *r, uint64_t counter)
{
	uint64_t n, bit, *word;

	if (counter >= REJECT_AFTER_MESSAGES || r->top > REJECT_AFTER_MESSAGES)
		return false;
	/* Shifted by one so that top == 0 means "nothing yet" and counter 0 still counts. */
	n = counter + 1;
	if (n + REPLAY_WINDOW < r->top)
		return false;
	if (n > r->top)
		advance(r, n);
	word = &r->ring[(n / 64) % REPLAY_WORDS];
	bit = 1ULL << (n % 64);
	if (*word & bit)
		return false;
	*word |= bit;
	return true;
}
