/* Incoming: every datagram is judged here, handshakes and data alike. */
#include "wg.h"
#include "peer.h"
#include "keylog.h"
#include "lib/keys.h"
#include "lib/packet.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum wg_action dropped(struct wg *w, enum drop why)
{
	w->stats->drops[why]++;
	return WG_DROP;
}

/* "Under load" once handshakes arrive faster than the threshold, and for a second after. */
static bool under_load(struct wg *w, double now)
{
	if (now - w->load_window >= 1.0) {
		w->load_window = now;
		w->load_count = 0;
	}
	if (++w->load_count > (unsigned int)w->load_threshold)
		w->under_load_until = now + 1.0;
	return now < w->under_load_until;
}

/* Something authenticated came from p at from: it is where p is now. */
static void authenticated(struct wg_peer *p, const struct sockaddr_storage *from, double now)
{
	wg_peer_set_endpoint(p, from);
	p->src = p->wg->rx_local;
	timers_authenticated_received(&p->timers);
	timers_authenticated_traversal(&p->timers, now);
}

static struct session *new_session(struct wg *w, struct wg_peer *p, double now)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (!noise_begin_session(&p->hs, &s->kp, now)) {
		free(s);
		return NULL;
	}
	s->entry = (struct index_entry){.kind = INDEX_SESSION, .peer = p, .owner = s};
	index_replace(&w->index, &p->hs_entry, &s->entry);
	wg_peer_add_session(p, s);
	timers_session_derived(&p->timers, now);
	clock_gettime(CLOCK_REALTIME, &p->last_handshake);
	p->handshakes++;
	w->counters.sessions++;
	return s;
}

static enum wg_action on_initiation(struct wg *w, const struct msg_initiation *m,
				    const struct sockaddr_storage *from, double now)
{
	struct initiation_scratch x;
	struct msg_response r;
	struct wg_peer *p;
	enum noise_verdict v;

	if (!noise_open_initiation(&w->id, m, &x))
		return dropped(w, DROP_HANDSHAKE);
	p = wg_peer_find(w, x.remote_static);
	if (!p) {
		key_wipe(&x, sizeof(x));
		return dropped(w, DROP_HANDSHAKE);
	}
	v = noise_consume_initiation(&p->hs, m, &x, now);
	if (v != NOISE_OK)
		return dropped(w, v == NOISE_REPLAY  ? DROP_REPLAY
				  : v == NOISE_FLOOD ? DROP_RATELIMITED
						     : DROP_HANDSHAKE);
	w->counters.initiations_received++;
	authenticated(p, from, now);
	p->rx_bytes +=
	    sizeof(*m); /* a peer's transfer counts its handshakes, as the kernel's does */
	p->hs.local_index = index_insert(&w->index, &p->hs_entry);
	if (!noise_create_response(&p->hs, &r))
		return dropped(w, DROP_HANDSHAKE);
	cookie_add_macs(&p->cookie, (uint8_t *)&r, sizeof(r), now);
	keylog_handshake(w->keylog, &w->id, &p->hs);
	if (!new_session(w, p, now))
		return dropped(w, DROP_HANDSHAKE);
	timers_authenticated_sent(&p->timers);
	if (w->send(w->io, &p->endpoint, (uint8_t *)&r, sizeof(r)))
		w->stats->drops[DROP_IO]++;
	else
		p->tx_bytes += sizeof(r);
	wg_note(w, p, "handshake answered; session %u waits for the first packet",
		(unsigned int)p->next->kp.local_index);
	return WG_DONE;
}

static enum wg_action on_response(struct wg *w, const struct msg_response *m,
				  const struct sockaddr_storage *from, double now)
{
	struct index_entry *e = index_lookup(&w->index, get_le32(m->receiver), INDEX_HANDSHAKE);
	struct wg_peer *p;

	if (!e)
		return dropped(w, DROP_UNKNOWN_INDEX);
	p = e->peer;
	if (!noise_consume_response(&w->id, &p->hs, m))
		return dropped(w, DROP_HANDSHAKE);
	authenticated(p, from, now);
	p->rx_bytes += sizeof(*m);
	if (!new_session(w, p, now))
		return dropped(w, DROP_HANDSHAKE);
	timers_handshake_complete(&p->timers);
	wg_note(w, p, "handshake complete; session %u", (unsigned int)p->current->kp.local_index);
	/* Confirms the session to the responder, unless packets are waiting to do it. */
	wg_send_keepalive(w, p, now);
	return WG_DONE;
}

static enum wg_action on_cookie(struct wg *w, const struct msg_cookie *m, double now)
{
	struct index_entry *e =
	    index_lookup(&w->index, get_le32(m->receiver), INDEX_HANDSHAKE | INDEX_SESSION);
	struct wg_peer *p;

	if (!e)
		return dropped(w, DROP_UNKNOWN_INDEX);
	p = e->peer;
	if (!cookie_consume_reply(&p->cookie, m, now))
		return dropped(w, DROP_AUTH);
	w->counters.cookies_received++;
	wg_note(w, p, "cookie reply: the peer is under load; the next try carries mac2");
	return WG_DONE;
}

/* mac1 always; under load, mac2 or a cookie reply, then the per-source limit. */
static enum wg_action on_handshake(struct wg *w, enum msg_type type, const uint8_t *dg, size_t len,
				   const struct sockaddr_storage *from, double now)
{
	bool load = under_load(w, now);
	enum cookie_verdict v = cookie_validate(&w->checker, dg, len, from, load, now);

	if (!w->id.has_private)
		return dropped(w, DROP_HANDSHAKE);
	if (v == COOKIE_BAD_MAC1)
		return dropped(w, DROP_MAC);
	if (load) {
		w->counters.under_load++;
		if (v != COOKIE_MAC2_OK) {
			struct msg_cookie reply;

			cookie_reply_create(&w->checker, &reply, dg, len, get_le32(dg + 4), from,
					    now);
			if (w->send(w->io, from, (uint8_t *)&reply, sizeof(reply)) == 0)
				w->counters.cookies_sent++;
			return WG_DONE;
		}
		if (!ratelimiter_allow(w->limiter, from, now))
			return dropped(w, DROP_RATELIMITED);
	}
	if (type == MSG_INITIATION)
		return on_initiation(w, (const struct msg_initiation *)dg, from, now);
	return on_response(w, (const struct msg_response *)dg, from, now);
}

/* An authenticated packet: what it says about the session and the peer. */
static void on_session_used(struct wg *w, struct wg_peer *p, struct session *s,
			    const struct sockaddr_storage *from, double now)
{
	if (wg_peer_confirm_session(p, s)) {
		timers_handshake_complete(&p->timers);
		wg_note(w, p, "session %u confirmed by the initiator's first packet",
			(unsigned int)s->kp.local_index);
		wg_send_staged(w, p, now);
	}
	authenticated(p, from, now);
	/* The initiator renews shortly before the responder would stop accepting. */
	if (p->current && p->current->kp.initiator && !p->timers.lastminute_handshake &&
	    now - p->current->kp.birth >= REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
		p->timers.lastminute_handshake = true;
		wg_send_initiation(w, p, now, false);
	}
}

static enum wg_action on_data(struct wg *w, uint8_t *dg, size_t len,
			      const struct sockaddr_storage *from, double now, size_t *inner_len,
			      struct wg_peer **peer)
{
	struct index_entry *e = index_lookup(&w->index, get_le32(dg + 4), INDEX_SESSION);
	uint64_t counter = get_le64(dg + 8);
	size_t plain = len - MSG_DATA_MIN_LEN;
	enum aead_verdict v;
	struct session *s;
	struct wg_peer *p;
	struct pkt pkt;

	if (!e)
		return dropped(w, DROP_UNKNOWN_INDEX);
	s = e->owner;
	p = e->peer;
	*peer = p;
	if (!s->kp.valid || now - s->kp.birth >= REJECT_AFTER_TIME ||
	    s->kp.replay.top > REJECT_AFTER_MESSAGES)
		return dropped(w, DROP_EXPIRED);
	v = aead_key_open(&s->kp.receiver, dg + MSG_DATA_HDR_LEN, dg + MSG_DATA_HDR_LEN,
			  len - MSG_DATA_HDR_LEN, counter, NULL, 0);
	if (v != AEAD_OK)
		return dropped(w, v == AEAD_FORGED ? DROP_AUTH : DROP_CRYPTO);
	if (!replay_check(&s->kp.replay, counter))
		return dropped(w, DROP_REPLAY);
	p->rx_bytes += len;
	on_session_used(w, p, s, from, now);
	if (plain == 0) {
		w->counters.keepalives_received++;
		return WG_DONE;
	}
	if (pkt_parse(dg + MSG_DATA_HDR_LEN, plain, &pkt) != PKT_OK)
		return dropped(w, DROP_NOT_IP);
	/* Cryptokey routing, inbound: the source must be one the sender owns. */
	if (allowedips_lookup(&w->allowed, pkt.version == 6 ? AF_INET6 : AF_INET, pkt.src) != p)
		return dropped(w, DROP_NOT_ALLOWED);
	timers_data_received(&p->timers, now);
	*inner_len = pkt.len;
	return WG_DELIVER;
}

enum wg_action wg_receive(struct wg *w, uint8_t *dg, size_t len,
			  const struct sockaddr_storage *from, double now, size_t *inner_len,
			  struct wg_peer **peer)
{
	enum msg_type type = msg_classify(dg, len);

	*peer = NULL;
	switch (type) {
	case MSG_INITIATION:
	case MSG_RESPONSE:
		return on_handshake(w, type, dg, len, from, now);
	case MSG_COOKIE:
		return on_cookie(w, (const struct msg_cookie *)dg, now);
	case MSG_DATA:
		return on_data(w, dg, len, from, now, inner_len, peer);
	case MSG_INVALID:
		break;
	}
	return dropped(w, DROP_MALFORMED);
}
