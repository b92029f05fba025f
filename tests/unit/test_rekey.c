/*
 * When a handshake starts and what it leaves behind: retries for new
 * data, the key that is already set, the responder's rekey after too many
 * messages, and the initiation scratch, on two in-process devices and the
 * timers' own clock.  And what a live session does when its cipher fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/keys.h"
#include "lib/packet.h"
#include "tunnel/noise.h"
#include "tunnel/replay.h"
#include "tunnel/timers.h"
#include "tunnel/uapi.h"
#include "tunnel/wg.h"
#include "../support/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void deliver(struct wire *w, struct wg *to, double now)
{
	assert_int_equal(w->lost, 0);
	for (int i = 0; i < w->n; i++) {
		size_t inner = 0;
		struct wg_peer *p;

		wg_receive(to, w->buf[i], w->len[i], &w->from, now, &inner, &p);
	}
	w->n = 0;
}

struct pair {
	struct stats sa, sb;
	struct wg a, b;
	struct wire to_a, to_b;
	struct wg_peer *pa, *pb; /* pb: b as a's peer */
	uint8_t ka[32], kb[32];
};

static void pair_init(struct pair *x)
{
	struct prefix p;
	char err[64];

	memset(x, 0, sizeof(*x));
	assert_int_equal(wg_init(&x->a, &x->sa, wire_send, &x->to_b), 0);
	assert_int_equal(wg_init(&x->b, &x->sb, wire_send, &x->to_a), 0);
	key_generate_private(x->ka);
	key_generate_private(x->kb);
	assert_true(wg_set_private_key(&x->a, x->ka));
	assert_true(wg_set_private_key(&x->b, x->kb));
	x->pb = wg_peer_add(&x->a, x->b.id.public_key);
	x->pa = wg_peer_add(&x->b, x->a.id.public_key);
	assert_non_null(x->pa);
	assert_non_null(x->pb);
	prefix_parse("10.0.0.2/32", true, &p, err, sizeof(err));
	allowedips_insert(&x->a.allowed, &p, x->pb);
	prefix_parse("10.0.0.1/32", true, &p, err, sizeof(err));
	allowedips_insert(&x->b.allowed, &p, x->pa);
	sockaddr4(&x->to_a.from, "192.0.2.2", 2);
	sockaddr4(&x->to_b.from, "192.0.2.1", 1);
	wg_peer_set_endpoint(x->pb, &x->to_a.from);
	wg_peer_set_endpoint(x->pa, &x->to_b.from);
}

static enum wg_action send_ping(struct wg *w, const char *src, const char *dst, double now)
{
	struct pkt_spec s = {.version = 4, .proto = IPPROTO_ICMP, .icmp_id = 1, .icmp_seq = 1};
	uint8_t dg[4096];
	struct wg_peer *peer;
	size_t len, out;

	inet_pton(AF_INET, src, s.src);
	inet_pton(AF_INET, dst, s.dst);
	len = (size_t)pkt_build(dg + MSG_DATA_HDR_LEN, 2048, &s);
	return wg_encrypt(w, dg, len, sizeof(dg), now, &out, &peer);
}

/* A session both ways: a's ping starts it, b's answer confirms it. */
static void pair_connect(struct pair *x, double now)
{
	assert_int_equal(send_ping(&x->a, "10.0.0.1", "10.0.0.2", now), WG_DONE);
	deliver(&x->to_b, &x->b, now);
	deliver(&x->to_a, &x->a, now);
	deliver(&x->to_b, &x->b, now);
	assert_non_null(x->pb->current);
	assert_non_null(x->pa->current);
	assert_int_equal(x->b.counters.sessions, 1);
}

static void pair_free(struct pair *x)
{
	wg_free(&x->a);
	wg_free(&x->b);
}

/* With no peer to answer, retries every 5 s until tick gives up; how many initiations. */
static uint64_t tick_until_quiet(struct wg *w, struct wire *out, double *now, double until)
{
	uint64_t before = w->counters.initiations_sent;

	for (; *now < until; *now += 0.5) {
		wg_tick(w, *now);
		out->n = 0; /* lost: nobody answers */
	}
	return w->counters.initiations_sent - before;
}

/* New data after the retries gave up gets a full set of retries again, as the kernel does. */
static void new_data_gets_new_retries(void **state)
{
	struct pair x;
	double now = 10;

	(void)state;
	pair_init(&x);
	/* b never answers: a's initiations only go out on the wire. */
	assert_int_equal(send_ping(&x.a, "10.0.0.1", "10.0.0.2", now), WG_DONE);
	assert_int_equal(x.a.counters.initiations_sent, 1);
	assert_int_equal(tick_until_quiet(&x.a, &x.to_b, &now, 200), MAX_HANDSHAKE_RETRIES);
	assert_int_equal(x.pb->staged_count, 0); /* given up: the queue went */
	/* 200 s later a new packet: one initiation, then retries for another 90 s. */
	now = 400;
	x.to_b.n = 0;
	assert_int_equal(send_ping(&x.a, "10.0.0.1", "10.0.0.2", now), WG_DONE);
	assert_int_equal(x.a.counters.initiations_sent, 2 + MAX_HANDSHAKE_RETRIES);
	assert_int_equal(x.pb->staged_count, 1);
	assert_int_equal(tick_until_quiet(&x.a, &x.to_b, &now, 424), 4);
	assert_int_equal(x.pb->staged_count, 1); /* still waiting, not dropped after 5 s */
	assert_int_equal(tick_until_quiet(&x.a, &x.to_b, &now, 600), MAX_HANDSHAKE_RETRIES - 4);
	assert_int_equal(x.pb->staged_count, 0);
	pair_free(&x);
}

/* The same timers, on their own clock: wanted resets what only success used to. */
static void timers_wanted_resets_attempts(void **state)
{
	struct timers t;
	double now = 1000;

	(void)state;
	timers_init(&t);
	timers_handshake_initiated(&t, now, 0);
	for (int i = 0; i < MAX_HANDSHAKE_RETRIES; i++) {
		now += REKEY_TIMEOUT;
		assert_int_equal(timers_due(&t, now), TIMER_RETRANSMIT);
		timers_handshake_initiated(&t, now, 0);
	}
	now += REKEY_TIMEOUT;
	assert_int_equal(timers_due(&t, now) & TIMER_GIVE_UP, TIMER_GIVE_UP);
	now += 200;
	timers_handshake_wanted(&t);
	timers_handshake_initiated(&t, now, 0);
	now += REKEY_TIMEOUT;
	assert_int_equal(timers_due(&t, now), TIMER_RETRANSMIT);
}

/* Setting the key the device already has changes nothing, as in the kernel (wg syncconf). */
static void same_private_key_keeps_sessions(void **state)
{
	struct pair x;
	struct session *before;
	struct uapi_set s;
	uint8_t other[32];
	char req[256], err[128];

	(void)state;
	pair_init(&x);
	pair_connect(&x, 10);
	before = x.pb->current;
	assert_true(wg_set_private_key(&x.a, x.ka));
	assert_ptr_equal(x.pb->current, before);
	/* The same through the wg socket's set, as wg syncconf sends it. */
	snprintf(req, sizeof(req), "private_key=");
	for (int i = 0; i < 32; i++)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), "%02x", x.ka[i]);
	uapi_set_begin(&s);
	assert_int_equal(uapi_set_line(&s, req, err, sizeof(err)), 0);
	assert_int_equal(uapi_apply(&x.a, &s, 11, NULL, NULL), 0);
	uapi_set_free(&s);
	assert_ptr_equal(x.pb->current, before);
	assert_int_equal(send_ping(&x.a, "10.0.0.1", "10.0.0.2", 11), WG_SEND);
	assert_int_equal(x.a.counters.initiations_sent, 1);
	/* A different key still starts over (a new one: b's own would drop b as a peer). */
	key_generate_private(other);
	assert_true(wg_set_private_key(&x.a, other));
	assert_null(x.pb->current);
	pair_free(&x);
}

/* The responder too starts a handshake once a key has sent REKEY_AFTER_MESSAGES. */
static void responder_rekeys_after_messages(void **state)
{
	struct pair x;

	(void)state;
	pair_init(&x);
	pair_connect(&x, 10);
	assert_false(x.pa->current->kp.initiator);
	assert_int_equal(x.b.counters.initiations_sent, 0);
	assert_int_equal(send_ping(&x.b, "10.0.0.2", "10.0.0.1", 20), WG_SEND);
	assert_int_equal(x.b.counters.initiations_sent, 0);
	x.pa->current->kp.send_counter = REKEY_AFTER_MESSAGES + 1;
	assert_int_equal(send_ping(&x.b, "10.0.0.2", "10.0.0.1", 21), WG_SEND);
	assert_int_equal(x.b.counters.initiations_sent, 1);
	pair_free(&x);
}

/*
 * A session whose cipher context fails (here: gone, as if OpenSSL could
 * not make one) drops the packet and counts it as crypto_error, sending
 * nothing; keyed again, the same session carries the next one.  On the
 * receiving side the datagram is dropped and counted the same way, not
 * taken for a forgery.
 */
static void failed_cipher_drops_and_counts(void **state)
{
	struct pkt_spec spec = {.version = 4, .proto = IPPROTO_ICMP, .icmp_id = 1, .icmp_seq = 1};
	uint8_t dg[4096];
	struct wg_peer *peer;
	struct keypair *kb, *ka;
	size_t len, out, inner;
	struct pair x;

	(void)state;
	pair_init(&x);
	pair_connect(&x, 10);
	kb = &x.pa->current->kp; /* b's session with a */
	ka = &x.pb->current->kp; /* and a's with b */
	aead_key_wipe(&kb->sender);
	assert_int_equal(send_ping(&x.b, "10.0.0.2", "10.0.0.1", 20), WG_DROP);
	assert_int_equal(x.sb.drops[DROP_CRYPTO], 1);
	assert_int_equal(x.to_a.n, 0);
	assert_int_equal(aead_key_init(&kb->sender, AEAD_OPENSSL, kb->send_key), 0);
	inet_pton(AF_INET, "10.0.0.2", spec.src);
	inet_pton(AF_INET, "10.0.0.1", spec.dst);
	len = (size_t)pkt_build(dg + MSG_DATA_HDR_LEN, 2048, &spec);
	assert_int_equal(wg_encrypt(&x.b, dg, len, sizeof(dg), 21, &out, &peer), WG_SEND);
	assert_int_equal(x.sb.drops[DROP_CRYPTO], 1);
	/* a cannot open it: its receiving context is gone too. */
	aead_key_wipe(&ka->receiver);
	assert_int_equal(wg_receive(&x.a, dg, out, &x.to_a.from, 21, &inner, &peer), WG_DROP);
	assert_int_equal(x.sa.drops[DROP_CRYPTO], 1);
	assert_int_equal(x.sa.drops[DROP_AUTH], 0);
	pair_free(&x);
}

/* Once consumed, the scratch holds nothing of the handshake, whatever the verdict. */
static void initiation_scratch_wiped(void **state)
{
	static const struct initiation_scratch zero;
	struct noise_static a, b;
	struct handshake ha, hb;
	struct msg_initiation init;
	struct initiation_scratch x;
	uint8_t ka[32], kb[32], ts[TIMESTAMP_LEN] = {0x40};

	(void)state;
	key_generate_private(ka);
	key_generate_private(kb);
	assert_true(noise_static_set(&a, ka));
	assert_true(noise_static_set(&b, kb));
	noise_handshake_init(&ha, &a, b.public_key, NULL);
	noise_handshake_init(&hb, &b, a.public_key, NULL);
	assert_true(noise_create_initiation(&a, &ha, &init, ts));
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_memory_not_equal(&x, &zero, sizeof(x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 100.0), NOISE_OK);
	assert_memory_equal(&x, &zero, sizeof(x));
	assert_true(noise_open_initiation(&b, &init, &x));
	assert_int_equal(noise_consume_initiation(&hb, &init, &x, 200.0), NOISE_REPLAY);
	assert_memory_equal(&x, &zero, sizeof(x));
}

/*
 * A peer's transfer (wg show) counts every datagram exchanged with it,
 * handshakes included, as the kernel's does; the device's packet counters
 * count the packets carried, and a keepalive carries none.
 */
static void transfer_counts_handshakes(void **state)
{
	/* send_ping's packet: 20 bytes of IPv4 and 8 of ICMP, padded to 32, sealed. */
	const size_t ping = MSG_DATA_HDR_LEN + 32 + AEAD_TAG_LEN;
	struct pair x;

	(void)state;
	pair_init(&x);
	pair_connect(&x, 10);
	/* a: an initiation out, then the waiting ping; the response in. */
	assert_int_equal(x.pb->tx_bytes, sizeof(struct msg_initiation) + ping);
	assert_int_equal(x.pb->rx_bytes, sizeof(struct msg_response));
	/* b: the initiation in and the ping (counted as data) in; the response out. */
	assert_int_equal(x.pa->tx_bytes, sizeof(struct msg_response));
	assert_int_equal(x.pa->rx_bytes, sizeof(struct msg_initiation) + ping);
	assert_int_equal(x.sa.tx_packets, 1);
	/* b confirms with a keepalive: a's peer counts its 32 bytes, the device no packet. */
	wg_send_keepalive(&x.b, x.pa, 11);
	assert_int_equal(x.pa->tx_bytes,
			 sizeof(struct msg_response) + MSG_DATA_HDR_LEN + AEAD_TAG_LEN);
	assert_int_equal(x.sb.tx_packets, 0);
	pair_free(&x);
}

/* What the tunnel's timer is set for: the earliest deadline of any peer, 0 when none. */
static void next_deadline_is_the_earliest(void **state)
{
	struct pair x;
	double next;

	(void)state;
	pair_init(&x);
	assert_true(wg_next_deadline(&x.a) == 0); /* nothing armed: the tunnel sleeps */
	assert_int_equal(send_ping(&x.a, "10.0.0.1", "10.0.0.2", 10), WG_DONE);
	/* An initiation out: its retransmit, 5 s plus jitter, is the first deadline. */
	next = wg_next_deadline(&x.a);
	assert_true(next >= 10 + REKEY_TIMEOUT && next <= 10 + REKEY_TIMEOUT + REKEY_JITTER_MAX);
	assert_true(next == x.pb->timers.retransmit);
	assert_int_equal(timers_due(&x.pb->timers, next - 0.001), 0);
	assert_int_equal(timers_due(&x.pb->timers, next), TIMER_RETRANSMIT);
	/* Answered: the retransmit is disarmed, and what is left comes later. */
	deliver(&x.to_b, &x.b, 11);
	deliver(&x.to_a, &x.a, 11);
	next = wg_next_deadline(&x.a);
	assert_true(next == 0 || next > 11 + KEEPALIVE_TIMEOUT - 1);
	assert_true(next == timers_next(&x.pb->timers));
	pair_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(new_data_gets_new_retries),
	    cmocka_unit_test(timers_wanted_resets_attempts),
	    cmocka_unit_test(same_private_key_keeps_sessions),
	    cmocka_unit_test(responder_rekeys_after_messages),
	    cmocka_unit_test(initiation_scratch_wiped),
	    cmocka_unit_test(failed_cipher_drops_and_counts),
	    cmocka_unit_test(transfer_counts_handshakes),
	    cmocka_unit_test(next_deadline_is_the_earliest),
	};

	if (keys_init())
		return 1;
	return cmocka_run_group_tests_name("rekey", tests, NULL, NULL);
}
