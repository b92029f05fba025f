#include "timers.h"

#include <string.h>

void timers_init(struct timers *t)
{
	int interval = t->persistent_interval;

	memset(t, 0, sizeof(*t));
	t->persistent_interval = interval;
}

void timers_data_sent(struct timers *t, double now, double jitter)
{
	if (!t->new_handshake)
		t->new_handshake = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter;
}

void timers_data_received(struct timers *t, double now)
{
	if (!t->keepalive)
		t->keepalive = now + KEEPALIVE_TIMEOUT;
	else
		t->another_keepalive = true;
}

/* Anything we send carries the news a keepalive would have. */
void timers_authenticated_sent(struct timers *t)
{
	t->keepalive = 0;
}

/* The peer answered, so no new handshake is needed for silence. */
void timers_authenticated_received(struct timers *t)
{
	t->new_handshake = 0;
}

void timers_authenticated_traversal(struct timers *t, double now)
{
	if (t->persistent_interval)
		t->persistent = now + t->persistent_interval;
}

void timers_handshake_initiated(struct timers *t, double now, double jitter)
{
	t->retransmit = now + REKEY_TIMEOUT + jitter;
}

void timers_handshake_complete(struct timers *t)
{
	t->retransmit = 0;
	t->attempts = 0;
	t->lastminute_handshake = false;
}

void timers_handshake_wanted(struct timers *t)
{
	t->attempts = 0;
}

void timers_session_derived(struct timers *t, double now)
{
	t->zero_keys = now + REJECT_AFTER_TIME * 3;
}

static bool passed(double deadline, double now)
{
	return deadline && now >= deadline;
}

static unsigned int retransmit_due(struct timers *t, double now)
{
	t->retransmit = 0;
	if (t->attempts >= MAX_HANDSHAKE_RETRIES) {
		t->keepalive = 0;
		if (!t->zero_keys)
			t->zero_keys = now + REJECT_AFTER_TIME * 3;
		return TIMER_GIVE_UP;
	}
	t->attempts++;
	return TIMER_RETRANSMIT;
}

unsigned int timers_due(struct timers *t, double now)
{
	unsigned int due = 0;

	if (passed(t->retransmit, now))
		due |= retransmit_due(t, now);
	if (passed(t->keepalive, now)) {
		t->keepalive = 0;
		due |= TIMER_KEEPALIVE;
		if (t->another_keepalive) {
			t->another_keepalive = false;
			t->keepalive = now + KEEPALIVE_TIMEOUT;
		}
	}
	if (passed(t->new_handshake, now)) {
		t->new_handshake = 0;
		due |= TIMER_NEW_HANDSHAKE;
	}
	if (passed(t->zero_keys, now)) {
		t->zero_keys = 0;
		due |= TIMER_ZERO_KEYS;
	}
	if (passed(t->persistent, now)) {
		t->persistent = 0;
		if (t->persistent_interval)
			due |= TIMER_PERSISTENT;
	}
	return due;
}

double timers_next(const struct timers *t)
{
	const double all[] = {t->retransmit, t->keepalive, t->new_handshake, t->zero_keys,
			      t->persistent};
	double next = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] && (!next || all[i] < next))
			next = all[i];
	return next;
}
