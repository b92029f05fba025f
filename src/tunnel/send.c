/* Outgoing: packets into sessions, and the handshakes that make sessions. */
#include "wg.h"
#include "peer.h"
#include "batch.h"
#include "keylog.h"
#include "lib/mtu.h"
#include "lib/packet.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

bool wg_session_usable(const struct session *s, double now)
{
	return s && s->kp.valid && now - s->kp.birth < REJECT_AFTER_TIME &&
	       s->kp.send_counter < REJECT_AFTER_MESSAGES;
}

/*
 * Header, padding, and the inner packet sealed in place.  Returns the
 * datagram's length, or 0 when the cipher failed: the packet is dropped
 * and counted, and its counter is not used again.
 */
static size_t seal(struct wg *w, struct session *s, uint8_t *dg, size_t len, size_t cap)
{
	size_t padded = msg_padded_len(len, w->mtu);
	uint64_t counter = s->kp.send_counter++;

	if (MSG_DATA_HDR_LEN + padded + AEAD_TAG_LEN > cap)
		padded = len;
	memset(dg + MSG_DATA_HDR_LEN + len, 0, padded - len);
	msg_set_type(dg, MSG_DATA);
	put_le32(dg + 4, s->kp.remote_index);
	put_le64(dg + 8, counter);
	if (!aead_key_seal(&s->kp.sender, dg + MSG_DATA_HDR_LEN, dg + MSG_DATA_HDR_LEN, padded,
			   counter, NULL, 0)) {
		w->stats->drops[DROP_CRYPTO]++;
		return 0;
	}
	return MSG_DATA_HDR_LEN + padded + AEAD_TAG_LEN;
}

/* The initiator renews a session before it grows old or runs out of counters. */
static void keep_key_fresh(struct wg *w, struct wg_peer *p, double now)
{
	struct session *s = p->current;

	/* Either side renews a key that sent too much; only the initiator one that grew old. */
	if (s && (s->kp.send_counter > REKEY_AFTER_MESSAGES ||
		  (s->kp.initiator && now - s->kp.birth >= w->rekey_after)))
		wg_send_initiation(w, p, now, false);
}

/* Bookkeeping for every datagram we seal; data_sent only for real packets. */
static void sent_sealed(struct wg *w, struct wg_peer *p, size_t len, size_t dglen, double now)
{
	p->tx_bytes += dglen;
	timers_authenticated_sent(&p->timers);
	timers_authenticated_traversal(&p->timers, now);
	if (len)
		timers_data_sent(&p->timers, now, wg_jitter(w));
	else
		w->counters.keepalives_sent++;
}

/* Outer IP and UDP headers and the data message's own 32 bytes. */
static size_t outer_overhead(const struct wg_peer *p)
{
	return (size_t)mtu_overhead(p->endpoint.ss_family == AF_INET6 ? 6 : 4, MTU_WG_DATA);
}

enum pmtu_fate wg_path_fate(const struct wg *w, const struct wg_peer *p, size_t len, int version,
			    bool df)
{
	return pmtu_fate(&p->pmtu, msg_padded_len(len, w->mtu), outer_overhead(p), version, df);
}

int wg_inner_mtu(const struct wg *w, const struct wg_peer *p)
{
	int m = pmtu_inner(&p->pmtu, outer_overhead(p)) & ~(MSG_PADDING - 1);

	/* Padded up to a multiple of 16, a packet of this size still fits. */
	return m < w->mtu ? m : w->mtu;
}

enum wg_action wg_encrypt(struct wg *w, uint8_t *dg, size_t len, size_t cap, double now,
			  size_t *out_len, struct wg_peer **peer)
{
	const uint8_t *inner = dg + MSG_DATA_HDR_LEN;
	enum pmtu_fate fate;
	struct wg_peer *p;
	struct pkt pkt;

	if (pkt_parse(inner, len, &pkt) != PKT_OK) {
		w->stats->drops[DROP_NOT_IP]++;
		return WG_DROP;
	}
	p = allowedips_lookup(&w->allowed, pkt.version == 6 ? AF_INET6 : AF_INET, pkt.dst);
	*peer = p;
	if (!p) {
		w->stats->drops[DROP_NO_ROUTE]++;
		return WG_DROP;
	}
	if (!p->has_endpoint) {
		w->stats->drops[DROP_NO_PEER]++;
		return WG_DROP;
	}
	fate = wg_path_fate(w, p, pkt.len, pkt.version, pkt.df);
	if (fate == PMTU_TOO_BIG) {
		w->stats->drops[DROP_TOO_BIG]++;
		return WG_TOO_BIG;
	}
	/* Packets already waiting go first, so that order is kept. */
	if (!wg_session_usable(p->current, now) || p->staged_count) {
		wg_peer_stage(p, inner, pkt.len);
		wg_send_staged(w, p, now);
		return WG_DONE;
	}
	*out_len = seal(w, p->current, dg, pkt.len, cap);
	if (!*out_len)
		return WG_DROP;
	sent_sealed(w, p, pkt.len, *out_len, now);
	keep_key_fresh(w, p, now);
	return fate == PMTU_FRAGMENT ? WG_SEND_FRAGMENTED : WG_SEND;
}

/* One packet sealed in the scratch buffer and sent at once. */
static void send_one(struct wg *w, struct wg_peer *p, const uint8_t *pkt, size_t len, double now)
{
	size_t n;

	memcpy(w->scratch + MSG_DATA_HDR_LEN, pkt, len);
	n = seal(w, p->current, w->scratch, len, SLOT_SIZE);
	if (!n)
		return;
	if (w->send(w->io, &p->endpoint, w->scratch, n) == 0) {
		sent_sealed(w, p, len, n, now);
		/* Counted like a packet of a batch: the one that waited for the handshake
		 * too.  A keepalive carries no packet, and the device's counters count packets. */
		if (len) {
			w->stats->tx_packets++;
			w->stats->tx_bytes += len;
		}
	} else
		w->stats->drops[DROP_IO]++;
}

void wg_send_staged(struct wg *w, struct wg_peer *p, double now)
{
	if (!p->has_endpoint)
		return;
	if (!wg_session_usable(p->current, now)) {
		wg_send_initiation(w, p, now, false);
		return;
	}
	while (p->staged_count) {
		struct staged *s = &p->staged[p->staged_head];

		send_one(w, p, s->buf, s->len, now);
		free(s->buf);
		s->buf = NULL;
		p->staged_head = (p->staged_head + 1) % WG_STAGED_MAX;
		p->staged_count--;
	}
	keep_key_fresh(w, p, now);
}

void wg_send_keepalive(struct wg *w, struct wg_peer *p, double now)
{
	/* Waiting packets say all that a keepalive would. */
	if (!p->staged_count)
		wg_peer_stage(p, NULL, 0);
	wg_send_staged(w, p, now);
}

void wg_send_initiation(struct wg *w, struct wg_peer *p, double now, bool retry)
{
	struct msg_initiation m;
	uint8_t ts[TIMESTAMP_LEN];

	if (!retry)
		timers_handshake_wanted(&p->timers);
	/* At most one initiation per REKEY_TIMEOUT, whoever asks. */
	if (!p->has_endpoint || now - p->last_sent_handshake < REKEY_TIMEOUT)
		return;
	p->last_sent_handshake = now;
	p->hs.local_index = index_insert(&w->index, &p->hs_entry);
	tai64n_now(ts);
	if (!noise_create_initiation(&w->id, &p->hs, &m, ts))
		return;
	cookie_add_macs(&p->cookie, (uint8_t *)&m, sizeof(m), now);
	keylog_handshake(w->keylog, &w->id, &p->hs);
	timers_authenticated_traversal(&p->timers, now);
	timers_authenticated_sent(&p->timers);
	timers_handshake_initiated(&p->timers, now, wg_jitter(w));
	if (w->send(w->io, &p->endpoint, (uint8_t *)&m, sizeof(m)) == 0) {
		w->counters.initiations_sent++;
		p->tx_bytes += sizeof(m);
	}
}
