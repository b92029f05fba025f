/*
 * The handshake, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses
 * it, and the sessions (keypairs) it yields.  These functions only
 * compute: they read and fill messages and states, and never touch the
 * network, the clock or a peer list.  mac1/mac2 are cookie.c's.
 */
#ifndef TUNLAB_TUNNEL_NOISE_H
#define TUNLAB_TUNNEL_NOISE_H

#include "lib/aead.h"
#include "lib/messages.h"
#include "replay.h"

#include <stdbool.h>
#include <stdint.h>

#define NOISE_KEY_LEN 32

/* Our own identity. */
struct noise_static {
	uint8_t private_key[NOISE_KEY_LEN];
	uint8_t public_key[NOISE_KEY_LEN];
	bool has_private;
};

enum handshake_state {
	HS_ZEROED,
	HS_CREATED_INITIATION,
	HS_CONSUMED_INITIATION,
	HS_CREATED_RESPONSE,
	HS_CONSUMED_RESPONSE,
};

/* One peer's handshake in flight, and what is known of the peer for it. */
struct handshake {
	enum handshake_state state;
	uint8_t remote_static[NOISE_KEY_LEN];
	uint8_t static_static[NOISE_KEY_LEN]; /* DH(our static, theirs), computed once */
	bool static_static_ok;
	uint8_t preshared_key[NOISE_KEY_LEN];
	uint8_t hash[HASH_LEN];
	uint8_t chaining_key[HASH_LEN];
	uint8_t ephemeral_private[NOISE_KEY_LEN];
	uint8_t remote_ephemeral[NOISE_KEY_LEN];
	uint32_t local_index;
	uint32_t remote_index;
	uint8_t latest_timestamp[TIMESTAMP_LEN]; /* of the last initiation accepted */
	double last_initiation; /* when one was last accepted: floods are refused */
};

/*
 * One session's keys, counters and replay window.  The raw keys are kept
 * for the lab's decoder (encrypted.h); packets go through sender and
 * receiver, keyed once from them.
 */
struct keypair {
	uint8_t send_key[NOISE_KEY_LEN];
	uint8_t recv_key[NOISE_KEY_LEN];
	struct aead_key sender;
	struct aead_key receiver;
	uint64_t send_counter;
	struct replay replay;
	double birth;
	uint32_t local_index;
	uint32_t remote_index;
	bool initiator;
	bool valid;
};

/* Sets our private key and derives the public one; false for a weak key. */
bool noise_static_set(struct noise_static *s, const uint8_t private_key[NOISE_KEY_LEN]);
/* Prepares a peer's handshake: its static key, its preshared key (may be NULL). */
void noise_handshake_init(struct handshake *hs, const struct noise_static *s,
			  const uint8_t remote_static[NOISE_KEY_LEN], const uint8_t *psk);
/* Recomputes the static-static DH after our private key changed. */
void noise_handshake_rekey_static(struct handshake *hs, const struct noise_static *s);
void noise_handshake_clear(struct handshake *hs);

/* Fills m up to (not including) its macs; hs->local_index must be set. */
bool noise_create_initiation(const struct noise_static *s, struct handshake *hs,
			     struct msg_initiation *m, const uint8_t timestamp[TIMESTAMP_LEN]);

/*
 * The first half of consuming an initiation: decrypts the initiator's
 * static key so that the caller can find the peer.  The state is kept in
 * an opaque scratch until noise_consume_initiation finishes with it.
 */
struct initiation_scratch {
	uint8_t hash[HASH_LEN];
	uint8_t chaining_key[HASH_LEN];
	uint8_t remote_static[NOISE_KEY_LEN];
	uint8_t timestamp[TIMESTAMP_LEN];
};
bool noise_open_initiation(const struct noise_static *s, const struct msg_initiation *m,
			   struct initiation_scratch *x);
/*
 * The second half, against the peer found: checks the timestamp against
 * replay and flood (at time now) and stores the state in hs.
 */
enum noise_verdict {
	NOISE_OK,
	NOISE_BAD,    /* does not decrypt */
	NOISE_REPLAY, /* a timestamp not newer than the last one */
	NOISE_FLOOD,  /* initiations faster than 50 a second */
};
enum noise_verdict noise_consume_initiation(struct handshake *hs, const struct msg_initiation *m,
					    struct initiation_scratch *x, double now);

bool noise_create_response(struct handshake *hs, struct msg_response *m);
/* hs must be the one whose initiation m answers (found by m->receiver). */
bool noise_consume_response(const struct noise_static *s, struct handshake *hs,
			    const struct msg_response *m);

/*
 * Derives the session from a finished handshake (HS_CREATED_RESPONSE or
 * HS_CONSUMED_RESPONSE) and zeroes the handshake.  The keypair takes the
 * handshake's local index, and its AEAD contexts (freed by keypair_wipe).
 * False, with nothing held, if the keys could not be derived or set.
 */
bool noise_begin_session(struct handshake *hs, struct keypair *kp, double now);
void keypair_wipe(struct keypair *kp);

#endif
