#include "wg.h"
#include "peer.h"
#include "batch.h"
#include "lib/keys.h"
#include "lib/addr.h"

#include <stdarg.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int wg_init(struct wg *w, struct stats *stats, wg_send_fn send, void *io)
{
	memset(w, 0, sizeof(*w));
	w->stats = stats;
	w->send = send;
	w->io = io;
	w->rekey_after = REKEY_AFTER_TIME;
	w->load_threshold = WG_LOAD_HANDSHAKES;
	random_bytes(&w->jitter_state, sizeof(w->jitter_state));
	w->jitter_state |= 1;
	index_init(&w->index);
	allowedips_init(&w->allowed);
	w->limiter = ratelimiter_new();
	w->scratch = malloc(SLOT_SIZE);
	if (!w->limiter || !w->scratch) {
		wg_free(w);
		return -1;
	}
	return 0;
}

static void peer_free(struct wg *w, struct wg_peer *p)
{
	wg_peer_clear_sessions(p);
	wg_peer_purge_staged(p);
	index_remove(&w->index, &p->hs_entry);
	allowedips_remove_peer(&w->allowed, p);
	key_wipe(p, sizeof(*p));
	free(p);
}

void wg_free(struct wg *w)
{
	for (int i = 0; i < w->npeers; i++)
		peer_free(w, w->peers[i]);
	free(w->peers);
	allowedips_free(&w->allowed);
	free(w->limiter);
	free(w->scratch);
	key_wipe(&w->id, sizeof(w->id));
	cookie_checker_free(&w->checker);
	w->peers = NULL;
	w->limiter = NULL;
	w->scratch = NULL;
	w->npeers = 0;
}

bool wg_set_private_key(struct wg *w, const uint8_t key[NOISE_KEY_LEN])
{
	/* The key we have already: nothing changes, as in the kernel (wg syncconf always sends it).
	 */
	if (w->id.has_private && !sodium_memcmp(w->id.private_key, key, NOISE_KEY_LEN))
		return true;
	if (!noise_static_set(&w->id, key))
		return false;
	cookie_checker_init(&w->checker, w->id.public_key);
	for (int i = 0; i < w->npeers; i++) {
		struct wg_peer *p = w->peers[i];

		/* A peer with our own public key cannot be talked to: drop it, as wg does. */
		if (!memcmp(p->public_key, w->id.public_key, NOISE_KEY_LEN)) {
			wg_peer_remove(w, p);
			i--;
			continue;
		}
		noise_handshake_rekey_static(&p->hs, &w->id);
		wg_peer_clear_sessions(p);
	}
	return true;
}

void wg_clear_private_key(struct wg *w)
{
	key_wipe(&w->id, sizeof(w->id));
	for (int i = 0; i < w->npeers; i++) {
		noise_handshake_rekey_static(&w->peers[i]->hs, &w->id);
		wg_peer_clear_sessions(w->peers[i]);
	}
}

struct wg_peer *wg_peer_find(struct wg *w, const uint8_t pub[NOISE_KEY_LEN])
{
	for (int i = 0; i < w->npeers; i++)
		if (!memcmp(w->peers[i]->public_key, pub, NOISE_KEY_LEN))
			return w->peers[i];
	return NULL;
}

struct wg_peer *wg_peer_add(struct wg *w, const uint8_t pub[NOISE_KEY_LEN])
{
	struct wg_peer *p;

	if (w->id.has_private && !memcmp(pub, w->id.public_key, NOISE_KEY_LEN))
		return NULL;
	if (w->npeers == w->cap) {
		int cap = w->cap ? w->cap * 2 : 8;
		struct wg_peer **more = realloc(w->peers, (size_t)cap * sizeof(*more));

		if (!more)
			return NULL;
		w->peers = more;
		w->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->wg = w;
	p->number = ++w->numbered;
	memcpy(p->public_key, pub, NOISE_KEY_LEN);
	noise_handshake_init(&p->hs, &w->id, pub, NULL);
	p->hs_entry = (struct index_entry){.kind = INDEX_HANDSHAKE, .peer = p, .owner = p};
	cookie_maker_init(&p->cookie, pub);
	timers_init(&p->timers);
	p->last_sent_handshake = -1e9;
	w->peers[w->npeers++] = p;
	return p;
}

void wg_peer_remove(struct wg *w, struct wg_peer *p)
{
	for (int i = 0; i < w->npeers; i++)
		if (w->peers[i] == p) {
			memmove(&w->peers[i], &w->peers[i + 1],
				(size_t)(w->npeers - i - 1) * sizeof(*w->peers));
			w->npeers--;
			break;
		}
	peer_free(w, p);
}

void wg_peer_set_psk(struct wg_peer *p, const uint8_t *psk)
{
	static const uint8_t zero[NOISE_KEY_LEN];

	p->has_psk = psk && memcmp(psk, zero, NOISE_KEY_LEN);
	memcpy(p->hs.preshared_key, psk ? psk : zero, NOISE_KEY_LEN);
}

void wg_peer_set_endpoint(struct wg_peer *p, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage e = *ss;

	sockaddr_unmap(&e);
	if (p->has_endpoint && sockaddr_same(&e, &p->endpoint))
		return;
	if (p->has_endpoint) {
		char where[64];

		p->endpoint_moves++;
		wg_note(p->wg, p, "endpoint moved to %s", sockaddr_str(&e, where, sizeof(where)));
	}
	p->endpoint = e;
	p->has_endpoint = true;
	memset(&p->pmtu, 0, sizeof(p->pmtu)); /* a new path, not yet measured */
	memset(&p->src, 0, sizeof(p->src));   /* and no source known on it yet */
}

void wg_peer_set_keepalive(struct wg_peer *p, int seconds, double now)
{
	bool fresh = seconds && seconds != p->timers.persistent_interval;

	p->timers.persistent_interval = seconds;
	if (!seconds)
		p->timers.persistent = 0;
	if (fresh && p->has_endpoint && p->wg->id.has_private)
		wg_send_keepalive(p->wg, p, now);
}

void wg_note(struct wg *w, struct wg_peer *p, const char *fmt, ...)
{
	char line[256], key[KEY_B64_LEN + 1];
	int n = 0;
	va_list ap;

	if (!w->note)
		return;
	if (p) {
		key_to_base64(key, p->public_key);
		n = snprintf(line, sizeof(line), "peer %d (%.8s...): ", p->number, key);
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	w->note(w->io, line);
}

/* xorshift64: every sent packet asks for jitter, and a system call each time showed up in profiles.
 */
double wg_jitter(struct wg *w)
{
	uint64_t x = w->jitter_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	w->jitter_state = x;
	return REKEY_JITTER_MAX * ((double)(x >> 11) / 9007199254740992.0);
}

static void run_timers(struct wg *w, struct wg_peer *p, double now)
{
	unsigned int due = timers_due(&p->timers, now);

	if (due & TIMER_GIVE_UP) {
		wg_note(w, p, "no handshake after %d attempts; giving up",
			MAX_HANDSHAKE_RETRIES + 1);
		wg_peer_purge_staged(p);
	}
	if (due & TIMER_RETRANSMIT) {
		wg_note(w, p, "no response to our initiation; retrying (attempt %d)",
			p->timers.attempts + 1);
		wg_send_initiation(w, p, now, true);
	}
	if (due & TIMER_NEW_HANDSHAKE)
		wg_send_initiation(w, p, now, false);
	if (due & (TIMER_KEEPALIVE | TIMER_PERSISTENT))
		wg_send_keepalive(w, p, now);
	if (due & TIMER_ZERO_KEYS) {
		wg_peer_clear_sessions(p);
		noise_handshake_clear(&p->hs);
		index_remove(&w->index, &p->hs_entry);
	}
}

void wg_tick(struct wg *w, double now)
{
	for (int i = 0; i < w->npeers; i++)
		run_timers(w, w->peers[i], now);
}

double wg_next_deadline(const struct wg *w)
{
	double next = 0;

	for (int i = 0; i < w->npeers; i++) {
		double d = timers_next(&w->peers[i]->timers);

		if (d && (!next || d < next))
			next = d;
	}
	return next;
}
