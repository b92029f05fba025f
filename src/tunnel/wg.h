/*
 * Encrypted mode: the WireGuard protocol between our TUN device and any
 * number of peers.  struct wg owns the identity, the peers, the index and
 * routing tables and the counters; the tunnel owns the sockets and calls
 * in with buffers.  Everything leaves through the send hook, so a test can
 * join two of these in one process.
 */
#ifndef TUNLAB_TUNNEL_WG_H
#define TUNLAB_TUNNEL_WG_H

#include "allowedips.h"
#include "lib/addr.h"
#include "lib/cookie.h"
#include "indextable.h"
#include "noise.h"
#include "pmtu.h"
#include "ratelimiter.h"
#include "stats.h"
#include "timers.h"

#include <stdio.h>
#include <sys/socket.h>

#define WG_STAGED_MAX 128
/* Handshake messages a second above which we are "under load" and ask for cookies. */
#define WG_LOAD_HANDSHAKES 128

struct session {
	struct keypair kp;
	struct index_entry entry;
};

struct staged {
	uint8_t *buf;
	size_t len;
};

struct wg;

struct wg_peer {
	struct wg *wg;
	int number; /* in the order peers were added, for logs */
	uint8_t public_key[NOISE_KEY_LEN];
	bool has_psk;
	struct handshake hs;
	struct index_entry hs_entry;
	/* previous: still accepted; current: sent with; next: the responder's, unconfirmed */
	struct session *previous, *current, *next;
	struct cookie_maker cookie;
	struct timers timers;
	struct sockaddr_storage endpoint;
	struct source src; /* our address its datagrams arrive on: replies leave from it */
	bool has_endpoint;
	uint64_t endpoint_moves;
	struct pmtu pmtu; /* of the path to endpoint, as the kernel reports it */
	double last_sent_handshake;
	struct timespec last_handshake; /* wall clock, for wg show */
	uint64_t rx_bytes, tx_bytes;
	uint64_t handshakes;
	struct staged staged[WG_STAGED_MAX];
	unsigned int staged_head, staged_count;
};

/* Events worth a log line; the counters are in struct stats. */
struct wg_counters {
#define WG_COUNTER(name, what) uint64_t name;
	CTL_WG_COUNTERS(WG_COUNTER) /* lib/control_proto.h says what each counts */
#undef WG_COUNTER
};

typedef int (*wg_send_fn)(void *io, const struct sockaddr_storage *to, const uint8_t *buf,
			  size_t len);
typedef void (*wg_note_fn)(void *io, const char *line);

struct wg {
	struct noise_static id;
	struct cookie_checker checker;
	struct ratelimiter *limiter;
	struct index_table index;
	struct allowedips allowed;
	struct wg_peer **peers;
	int npeers, cap, numbered;
	int listen_port;
	uint32_t fwmark; /* on every datagram we send (SO_MARK), for policy routing; 0: none */
	int mtu;
	double rekey_after;    /* REKEY_AFTER_TIME, unless a test shortens it */
	uint64_t jitter_state; /* timer jitter needs no secrecy: a cheap generator, seeded once */
	int load_threshold;
	double load_window;
	unsigned int load_count;
	double under_load_until;
	struct stats *stats;
	struct wg_counters counters;
	FILE *keylog;
	uint8_t *scratch; /* one datagram, for keepalives and staged packets */
	/* Where the datagram now being judged arrived (family 0: not known): an
	 * authenticated one makes it the peer's source. */
	struct source rx_local;
	wg_send_fn send;
	wg_note_fn note;
	void *io;
};

enum wg_action {
	WG_DROP,	    /* counted in stats */
	WG_SEND,	    /* a datagram is ready: send it to the peer's endpoint */
	WG_DELIVER,	    /* an inner packet is ready: write it to the TUN device */
	WG_DONE,	    /* handled here: a handshake, a keepalive, or a packet queued */
	WG_TOO_BIG,	    /* the sealed packet would not fit the path and may not be split */
	WG_SEND_FRAGMENTED, /* WG_SEND, but the datagram is larger than the path MTU */
};

int wg_init(struct wg *w, struct stats *stats, wg_send_fn send, void *io);
void wg_free(struct wg *w);
bool wg_set_private_key(struct wg *w, const uint8_t key[NOISE_KEY_LEN]);
void wg_clear_private_key(struct wg *w);

struct wg_peer *wg_peer_find(struct wg *w, const uint8_t pub[NOISE_KEY_LEN]);
/* NULL when out of memory or when pub is our own public key. */
struct wg_peer *wg_peer_add(struct wg *w, const uint8_t pub[NOISE_KEY_LEN]);
void wg_peer_remove(struct wg *w, struct wg_peer *p);
void wg_peer_set_psk(struct wg_peer *p, const uint8_t *psk);
void wg_peer_set_endpoint(struct wg_peer *p, const struct sockaddr_storage *ss);
/* Arms PersistentKeepalive; a new non-zero interval sends one keepalive at once. */
void wg_peer_set_keepalive(struct wg_peer *p, int seconds, double now);

/*
 * An inner packet of len bytes at dg + MSG_DATA_HDR_LEN, with cap bytes
 * of room from dg.  WG_SEND: the datagram is dg[0, *out_len) for
 * (*peer)->endpoint.  WG_DONE: no session yet, so the packet waits.
 * WG_TOO_BIG: nothing was sealed, and the inner sender should hear
 * "too big" with wg_inner_mtu(); WG_SEND_FRAGMENTED: the inner packet
 * allows fragments, so the datagram goes out without DF.
 */
enum wg_action wg_encrypt(struct wg *w, uint8_t *dg, size_t len, size_t cap, double now,
			  size_t *out_len, struct wg_peer **peer);
/*
 * A datagram from the network.  WG_DELIVER: an inner packet of *inner_len
 * bytes at dg + MSG_DATA_HDR_LEN.
 */
enum wg_action wg_receive(struct wg *w, uint8_t *dg, size_t len,
			  const struct sockaddr_storage *from, double now, size_t *inner_len,
			  struct wg_peer **peer);
/* What an inner packet of len bytes meets on the path to p once padded and sealed. */
enum pmtu_fate wg_path_fate(const struct wg *w, const struct wg_peer *p, size_t len, int version,
			    bool df);
/* The largest inner packet that crosses the path to p once sealed, as a multiple of 16. */
int wg_inner_mtu(const struct wg *w, const struct wg_peer *p);
/* Runs the timers of every peer. */
void wg_tick(struct wg *w, double now);
/* The earliest deadline of any peer's timers, or 0 if none is armed. */
double wg_next_deadline(const struct wg *w);

/* Used by send.c and receive.c. */
void wg_send_initiation(struct wg *w, struct wg_peer *p, double now, bool retry);
void wg_send_keepalive(struct wg *w, struct wg_peer *p, double now);
void wg_send_staged(struct wg *w, struct wg_peer *p, double now);
void wg_note(struct wg *w, struct wg_peer *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool wg_session_usable(const struct session *s, double now);
double wg_jitter(struct wg *w);

#endif
