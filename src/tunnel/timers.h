/*
 * The protocol's timers, as deadlines on a peer (0: not armed).  Events
 * arm and disarm them; timers_due() reports the ones that have passed.
 * Nothing here sends: the caller acts on what is due, so the rules can be
 * tested against a clock the test controls.
 */
#ifndef TUNLAB_TUNNEL_TIMERS_H
#define TUNLAB_TUNNEL_TIMERS_H

#include <stdbool.h>

#define REKEY_AFTER_TIME      120.0
#define REJECT_AFTER_TIME     180.0
#define REKEY_ATTEMPT_TIME    90.0
#define REKEY_TIMEOUT	      5.0
#define KEEPALIVE_TIMEOUT     10.0
#define REKEY_JITTER_MAX      (1.0 / 3)
#define MAX_HANDSHAKE_RETRIES ((int)(REKEY_ATTEMPT_TIME / REKEY_TIMEOUT))

enum timer {
	TIMER_RETRANSMIT = 1 << 0,    /* no response to our initiation: send another */
	TIMER_GIVE_UP = 1 << 1,	      /* 90 s of retries: stop, drop the queue */
	TIMER_KEEPALIVE = 1 << 2,     /* we received data and sent nothing back */
	TIMER_NEW_HANDSHAKE = 1 << 3, /* we sent data and heard nothing back */
	TIMER_ZERO_KEYS = 1 << 4,     /* no new session for 540 s: forget the keys */
	TIMER_PERSISTENT = 1 << 5,    /* PersistentKeepalive */
};

struct timers {
	double retransmit;
	double keepalive;
	double new_handshake;
	double zero_keys;
	double persistent;
	int attempts;
	bool another_keepalive;
	bool lastminute_handshake; /* the receive-side rekey was already asked for */
	int persistent_interval;   /* seconds, 0 off */
};

void timers_init(struct timers *t);
/* The events, named as in the protocol's description. jitter is 0 to REKEY_JITTER_MAX. */
void timers_data_sent(struct timers *t, double now, double jitter);
void timers_data_received(struct timers *t, double now);
void timers_authenticated_sent(struct timers *t);
void timers_authenticated_received(struct timers *t);
void timers_authenticated_traversal(struct timers *t, double now);
void timers_handshake_initiated(struct timers *t, double now, double jitter);
void timers_handshake_complete(struct timers *t);
/* A handshake started for new data or a rekey, not a retry: it gets a full set of retries. */
void timers_handshake_wanted(struct timers *t);
void timers_session_derived(struct timers *t, double now);
/* Which timers have passed (a mask of enum timer); they are disarmed, or rearmed. */
unsigned int timers_due(struct timers *t, double now);
/* The earliest armed deadline, or 0 if none. */
double timers_next(const struct timers *t);

#endif
