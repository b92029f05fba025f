#include "noise.h"
#include "lib/keys.h"

#include <string.h>

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* Initiations closer together than this are a flood, whatever their timestamps. */
#define INITIATION_GAP (1.0 / 50)

/* ck = HASH(construction), h = HASH(ck || identifier || responder's static). */
static int handshake_start(uint8_t ck[HASH_LEN], uint8_t h[HASH_LEN],
			   const uint8_t responder[NOISE_KEY_LEN])
{
	if (hash2(ck, construction, strlen(construction), NULL, 0) ||
	    hash2(h, ck, HASH_LEN, identifier, strlen(identifier)))
		return -1;
	return hash2(h, h, HASH_LEN, responder, NOISE_KEY_LEN);
}

static int mix_hash(uint8_t h[HASH_LEN], const void *data, size_t len)
{
	return hash2(h, h, HASH_LEN, data, len);
}

/* ck, key = KDF2(ck, DH(priv, pub)); fails on a low-order point. */
static int mix_dh(uint8_t ck[HASH_LEN], uint8_t *key, const uint8_t priv[NOISE_KEY_LEN],
		  const uint8_t pub[NOISE_KEY_LEN])
{
	uint8_t shared[DH_LEN];
	int rc = dh(shared, priv, pub) ? kdf(ck, key, NULL, ck, shared, DH_LEN) : -1;

	key_wipe(shared, sizeof(shared));
	return rc;
}

/* ck = KDF1(ck, e); h = HASH(h || e): an ephemeral key enters the transcript. */
static int mix_ephemeral(uint8_t ck[HASH_LEN], uint8_t h[HASH_LEN], const uint8_t e[NOISE_KEY_LEN])
{
	if (kdf(ck, NULL, NULL, ck, e, NOISE_KEY_LEN))
		return -1;
	return mix_hash(h, e, NOISE_KEY_LEN);
}

/* ck, t, key = KDF3(ck, psk); h = HASH(h || t). */
static int mix_psk(uint8_t ck[HASH_LEN], uint8_t h[HASH_LEN], uint8_t key[32],
		   const uint8_t psk[NOISE_KEY_LEN])
{
	uint8_t t[HASH_LEN];
	int rc = kdf(ck, t, key, ck, psk, NOISE_KEY_LEN) || mix_hash(h, t, HASH_LEN);

	key_wipe(t, sizeof(t));
	return rc ? -1 : 0;
}

/* out = AEAD(key, 0, in, h); h = HASH(h || out). */
static int seal_hash(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
		     uint8_t h[HASH_LEN])
{
	aead_seal(out, in, len, 0, key, h, HASH_LEN);
	return mix_hash(h, out, len + AEAD_TAG_LEN);
}

static int open_hash(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
		     uint8_t h[HASH_LEN])
{
	if (!aead_open(out, in, len, 0, key, h, HASH_LEN))
		return -1;
	return mix_hash(h, in, len);
}

static void new_ephemeral(uint8_t priv[NOISE_KEY_LEN], uint8_t pub[NOISE_KEY_LEN])
{
	do
		key_generate_private(priv);
	while (key_public(pub, priv));
}

bool noise_static_set(struct noise_static *s, const uint8_t private_key[NOISE_KEY_LEN])
{
	memcpy(s->private_key, private_key, NOISE_KEY_LEN);
	s->has_private = key_public(s->public_key, s->private_key) == 0;
	if (!s->has_private)
		key_wipe(s, sizeof(*s));
	return s->has_private;
}

void noise_handshake_rekey_static(struct handshake *hs, const struct noise_static *s)
{
	hs->static_static_ok =
	    s->has_private && dh(hs->static_static, s->private_key, hs->remote_static);
	if (!hs->static_static_ok)
		memset(hs->static_static, 0, sizeof(hs->static_static));
}

void noise_handshake_init(struct handshake *hs, const struct noise_static *s,
			  const uint8_t remote_static[NOISE_KEY_LEN], const uint8_t *psk)
{
	memset(hs, 0, sizeof(*hs));
	memcpy(hs->remote_static, remote_static, NOISE_KEY_LEN);
	if (psk)
		memcpy(hs->preshared_key, psk, NOISE_KEY_LEN);
	hs->last_initiation = -1e9;
	noise_handshake_rekey_static(hs, s);
}

/* Forgets the handshake in flight, but not who the peer is. */
void noise_handshake_clear(struct handshake *hs)
{
	key_wipe(hs->hash, sizeof(hs->hash));
	key_wipe(hs->chaining_key, sizeof(hs->chaining_key));
	key_wipe(hs->ephemeral_private, sizeof(hs->ephemeral_private));
	memset(hs->remote_ephemeral, 0, sizeof(hs->remote_ephemeral));
	hs->remote_index = 0;
	hs->state = HS_ZEROED;
}

bool noise_create_initiation(const struct noise_static *s, struct handshake *hs,
			     struct msg_initiation *m, const uint8_t timestamp[TIMESTAMP_LEN])
{
	uint8_t key[32];
	int rc;

	if (!s->has_private || !hs->static_static_ok)
		return false;
	memset(m, 0, sizeof(*m));
	msg_set_type(m->type, MSG_INITIATION);
	put_le32(m->sender, hs->local_index);
	new_ephemeral(hs->ephemeral_private, m->ephemeral);
	rc = handshake_start(hs->chaining_key, hs->hash, hs->remote_static) ||
	     mix_ephemeral(hs->chaining_key, hs->hash, m->ephemeral) ||
	     mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static) ||
	     seal_hash(m->encrypted_static, s->public_key, NOISE_KEY_LEN, key, hs->hash) ||
	     kdf(hs->chaining_key, key, NULL, hs->chaining_key, hs->static_static, DH_LEN) ||
	     seal_hash(m->encrypted_timestamp, timestamp, TIMESTAMP_LEN, key, hs->hash);
	key_wipe(key, sizeof(key));
	if (rc) {
		noise_handshake_clear(hs);
		return false;
	}
	hs->state = HS_CREATED_INITIATION;
	return true;
}

bool noise_open_initiation(const struct noise_static *s, const struct msg_initiation *m,
			   struct initiation_scratch *x)
{
	uint8_t key[32];
	int rc;

	if (!s->has_private)
		return false;
	rc = handshake_start(x->chaining_key, x->hash, s->public_key) ||
	     mix_ephemeral(x->chaining_key, x->hash, m->ephemeral) ||
	     mix_dh(x->chaining_key, key, s->private_key, m->ephemeral) ||
	     open_hash(x->remote_static, m->encrypted_static, sizeof(m->encrypted_static), key,
		       x->hash);
	key_wipe(key, sizeof(key));
	if (rc)
		key_wipe(x, sizeof(*x));
	return rc == 0;
}

static enum noise_verdict consume(struct handshake *hs, const struct msg_initiation *m,
				  struct initiation_scratch *x, double now)
{
	uint8_t key[32];
	int rc;

	if (!hs->static_static_ok)
		return NOISE_BAD;
	rc = kdf(x->chaining_key, key, NULL, x->chaining_key, hs->static_static, DH_LEN) ||
	     open_hash(x->timestamp, m->encrypted_timestamp, sizeof(m->encrypted_timestamp), key,
		       x->hash);
	key_wipe(key, sizeof(key));
	if (rc)
		return NOISE_BAD;
	/* Big-endian TAI64N compares as bytes: only a newer initiation replaces the state. */
	if (memcmp(x->timestamp, hs->latest_timestamp, TIMESTAMP_LEN) <= 0)
		return NOISE_REPLAY;
	if (now - hs->last_initiation < INITIATION_GAP)
		return NOISE_FLOOD;
	memcpy(hs->latest_timestamp, x->timestamp, TIMESTAMP_LEN);
	hs->last_initiation = now;
	memcpy(hs->hash, x->hash, HASH_LEN);
	memcpy(hs->chaining_key, x->chaining_key, HASH_LEN);
	memcpy(hs->remote_ephemeral, m->ephemeral, NOISE_KEY_LEN);
	hs->remote_index = get_le32(m->sender);
	hs->state = HS_CONSUMED_INITIATION;
	return NOISE_OK;
}

enum noise_verdict noise_consume_initiation(struct handshake *hs, const struct msg_initiation *m,
					    struct initiation_scratch *x, double now)
{
	enum noise_verdict v = consume(hs, m, x, now);

	/* The scratch's chaining key and hash are the session's seeds: none stays on the stack. */
	key_wipe(x, sizeof(*x));
	return v;
}

bool noise_create_response(struct handshake *hs, struct msg_response *m)
{
	uint8_t key[32];
	int rc;

	if (hs->state != HS_CONSUMED_INITIATION)
		return false;
	memset(m, 0, sizeof(*m));
	msg_set_type(m->type, MSG_RESPONSE);
	put_le32(m->sender, hs->local_index);
	put_le32(m->receiver, hs->remote_index);
	new_ephemeral(hs->ephemeral_private, m->ephemeral);
	rc = mix_ephemeral(hs->chaining_key, hs->hash, m->ephemeral) ||
	     mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_ephemeral) ||
	     mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_static) ||
	     mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key) ||
	     seal_hash(m->encrypted_nothing, NULL, 0, key, hs->hash);
	key_wipe(key, sizeof(key));
	if (rc) {
		noise_handshake_clear(hs);
		return false;
	}
	hs->state = HS_CREATED_RESPONSE;
	return true;
}

bool noise_consume_response(const struct noise_static *s, struct handshake *hs,
			    const struct msg_response *m)
{
	uint8_t ck[HASH_LEN], h[HASH_LEN], key[32];
	int rc;

	if (hs->state != HS_CREATED_INITIATION || !s->has_private)
		return false;
	/* On copies: a forged response must not spoil the handshake in flight. */
	memcpy(ck, hs->chaining_key, HASH_LEN);
	memcpy(h, hs->hash, HASH_LEN);
	rc = mix_ephemeral(ck, h, m->ephemeral) ||
	     mix_dh(ck, NULL, hs->ephemeral_private, m->ephemeral) ||
	     mix_dh(ck, NULL, s->private_key, m->ephemeral) ||
	     mix_psk(ck, h, key, hs->preshared_key) ||
	     open_hash(NULL, m->encrypted_nothing, sizeof(m->encrypted_nothing), key, h);
	if (rc == 0) {
		memcpy(hs->chaining_key, ck, HASH_LEN);
		memcpy(hs->hash, h, HASH_LEN);
		memcpy(hs->remote_ephemeral, m->ephemeral, NOISE_KEY_LEN);
		hs->remote_index = get_le32(m->sender);
		hs->state = HS_CONSUMED_RESPONSE;
	}
	key_wipe(ck, sizeof(ck));
	key_wipe(h, sizeof(h));
	key_wipe(key, sizeof(key));
	return rc == 0;
}

bool noise_begin_session(struct handshake *hs, struct keypair *kp, double now)
{
	bool initiator = hs->state == HS_CONSUMED_RESPONSE;
	uint8_t first[32], second[32];

	if (hs->state != HS_CONSUMED_RESPONSE && hs->state != HS_CREATED_RESPONSE)
		return false;
	memset(kp, 0, sizeof(*kp));
	if (kdf(first, second, NULL, hs->chaining_key, NULL, 0)) {
		noise_handshake_clear(hs);
		return false;
	}
	/* The initiator sends with the first key; the responder receives with it. */
	memcpy(initiator ? kp->send_key : kp->recv_key, first, 32);
	memcpy(initiator ? kp->recv_key : kp->send_key, second, 32);
	key_wipe(first, sizeof(first));
	key_wipe(second, sizeof(second));
	if (aead_key_init(&kp->sender, AEAD_OPENSSL, kp->send_key) ||
	    aead_key_init(&kp->receiver, AEAD_OPENSSL, kp->recv_key)) {
		keypair_wipe(kp);
		noise_handshake_clear(hs);
		return false;
	}
	replay_init(&kp->replay);
	kp->birth = now;
	kp->initiator = initiator;
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	kp->valid = true;
	noise_handshake_clear(hs);
	return true;
}

void keypair_wipe(struct keypair *kp)
{
	aead_key_wipe(&kp->sender);
	aead_key_wipe(&kp->receiver);
	key_wipe(kp, sizeof(*kp));
}
