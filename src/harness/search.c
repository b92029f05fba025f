#include "search.h"

#include <stdio.h>
#include <string.h>

const char *method_name(enum method m)
{
	switch (m) {
	case BY_REPLY:
		return "reply";
	case BY_ICMP:
		return "icmp";
	case BY_SILENCE:
		return "silence";
	case BY_LOCAL:
		return "local";
	case BY_NOTHING:
		return "none";
	}
	return "?";
}

/* One size, tried again while it meets silence: a lost packet is not a limit. */
static enum answer attempt(struct search *s, probe_fn probe, void *ctx, int size,
			   struct probe_answer *a)
{
	enum answer r = ANS_SILENCE;

	for (int i = 0; i <= s->retries && r == ANS_SILENCE; i++) {
		memset(a, 0, sizeof(*a));
		r = probe(ctx, size, a);
		s->probes++;
	}
	return r;
}

static void passed(struct search *s, int size, const struct probe_answer *a)
{
	if (size <= s->largest)
		return;
	s->largest = size;
	s->reached = a->kind == ANS_REPLY;
	snprintf(s->answered_by, sizeof(s->answered_by), "%s", a->from);
}

/*
 * lo: the largest size known to pass (floor - 1 before anything has);
 * hi: the largest size still worth trying.  Each answer narrows the two.
 */
int search_run(struct search *s, probe_fn probe, void *ctx)
{
	int lo = s->floor - 1, hi = s->ceiling, size = s->ceiling;
	struct probe_answer a;
	bool local = false;

	s->largest = s->probes = 0;
	s->icmp = s->silence = s->reached = false;
	while (lo < hi) {
		switch (attempt(s, probe, ctx, size, &a)) {
		case ANS_REPLY:
		case ANS_HOP:
			passed(s, size, &a);
			lo = size;
			break;
		case ANS_TOO_BIG:
			s->icmp = true;
			s->icmp_mtu = a.mtu;
			snprintf(s->icmp_from, sizeof(s->icmp_from), "%s", a.from);
			/* Believe a plausible report and try exactly that size next. */
			if (a.mtu > lo && a.mtu < size) {
				hi = size = a.mtu;
				continue;
			}
			hi = size - 1;
			break;
		case ANS_LOCAL:
			local = true;
			hi = size - 1;
			break;
		case ANS_SILENCE:
			s->silence = true;
			hi = size - 1;
			break;
		case ANS_UNREACH:
			return -1;
		}
		size = lo + (hi - lo + 1) / 2;
	}
	if (!s->largest)
		s->method = BY_NOTHING;
	else if (s->largest == s->ceiling)
		s->method = BY_REPLY;
	else if (s->icmp && s->largest == s->icmp_mtu)
		s->method = BY_ICMP;
	else if (s->silence)
		s->method = BY_SILENCE;
	else if (local)
		s->method = BY_LOCAL;
	else
		s->method = s->icmp ? BY_ICMP : BY_REPLY;
	return 0;
}
