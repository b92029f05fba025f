#include "cookie.h"
#include "keys.h"

#include <netinet/in.h>
#include <string.h>

static const char label_cookie[] = "cookie--";

static void derive_keys(uint8_t mac1_key[HASH_LEN], uint8_t cookie_key[HASH_LEN],
			const uint8_t pub[32])
{
	msg_mac1_key(mac1_key, pub);
	hash2(cookie_key, label_cookie, 8, pub, 32);
}

void cookie_checker_init(struct cookie_checker *c, const uint8_t our_public[32])
{
	struct mac_ctx keep = c->mac;

	memset(c, 0, sizeof(*c));
	c->mac = keep;
	if (!c->mac.ctx)
		mac_ctx_open(&c->mac);
	derive_keys(c->mac1_key, c->cookie_key, our_public);
	c->secret_birth = -1e9;
}

void cookie_checker_free(struct cookie_checker *c)
{
	mac_ctx_close(&c->mac);
	key_wipe(c, sizeof(*c));
}

/* The source address and port, as bytes: what a cookie is bound to. */
static size_t source_bytes(const struct sockaddr_storage *src, uint8_t out[18])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;

	if (src->ss_family == AF_INET6) {
		memcpy(out, &s6->sin6_addr, 16);
		memcpy(out + 16, &s6->sin6_port, 2);
		return 18;
	}
	memcpy(out, &s4->sin_addr, 4);
	memcpy(out + 4, &s4->sin_port, 2);
	return 6;
}

/* cookie = MAC(secret, source), with the secret renewed every two minutes. */
static void make_cookie(struct cookie_checker *c, uint8_t cookie[MAC_LEN],
			const struct sockaddr_storage *src, double now)
{
	uint8_t who[18];
	size_t n = source_bytes(src, who);

	if (now - c->secret_birth >= COOKIE_SECRET_MAX_AGE) {
		random_bytes(c->secret, sizeof(c->secret));
		c->secret_birth = now;
	}
	mac_with(&c->mac, cookie, c->secret, sizeof(c->secret), who, n);
}

enum cookie_verdict cookie_validate(struct cookie_checker *c, const uint8_t *msg, size_t len,
				    const struct sockaddr_storage *src, bool check_mac2, double now)
{
	const struct msg_macs *macs;
	uint8_t want[MAC_LEN], cookie[MAC_LEN];

	if (len < sizeof(*macs))
		return COOKIE_BAD_MAC1;
	macs = (const struct msg_macs *)(msg + len - sizeof(*macs));
	mac_with(&c->mac, want, c->mac1_key, HASH_LEN, msg, len - sizeof(*macs));
	if (!equal_ct(want, macs->mac1, MAC_LEN))
		return COOKIE_BAD_MAC1;
	if (!check_mac2)
		return COOKIE_NO_MAC2;
	make_cookie(c, cookie, src, now);
	mac_with(&c->mac, want, cookie, MAC_LEN, msg, len - MAC_LEN);
	key_wipe(cookie, sizeof(cookie));
	return equal_ct(want, macs->mac2, MAC_LEN) ? COOKIE_MAC2_OK : COOKIE_NO_MAC2;
}

void cookie_reply_create(struct cookie_checker *c, struct msg_cookie *out, const uint8_t *msg,
			 size_t len, uint32_t sender, const struct sockaddr_storage *src,
			 double now)
{
	const struct msg_macs *macs = (const struct msg_macs *)(msg + len - sizeof(*macs));
	uint8_t cookie[MAC_LEN];

	memset(out, 0, sizeof(*out));
	msg_set_type(out->type, MSG_COOKIE);
	put_le32(out->receiver, sender);
	random_bytes(out->nonce, sizeof(out->nonce));
	make_cookie(c, cookie, src, now);
	/* Bound to the mac1 it answers, so a third party cannot plant cookies. */
	xaead_seal(out->encrypted_cookie, cookie, MAC_LEN, out->nonce, c->cookie_key, macs->mac1,
		   MAC_LEN);
	key_wipe(cookie, sizeof(cookie));
}

void cookie_maker_init(struct cookie_maker *m, const uint8_t peer_public[32])
{
	memset(m, 0, sizeof(*m));
	derive_keys(m->mac1_key, m->cookie_key, peer_public);
}

void cookie_add_macs(struct cookie_maker *m, uint8_t *msg, size_t len, double now)
{
	struct msg_macs *macs = (struct msg_macs *)(msg + len - sizeof(*macs));

	mac(macs->mac1, m->mac1_key, HASH_LEN, msg, len - sizeof(*macs));
	memcpy(m->last_mac1, macs->mac1, MAC_LEN);
	m->sent_mac1 = true;
	if (m->has_cookie && now - m->cookie_birth < COOKIE_SECRET_MAX_AGE - COOKIE_LATENCY)
		mac(macs->mac2, m->cookie, MAC_LEN, msg, len - MAC_LEN);
	else
		memset(macs->mac2, 0, MAC_LEN);
}

bool cookie_consume_reply(struct cookie_maker *m, const struct msg_cookie *r, double now)
{
	uint8_t cookie[MAC_LEN];

	/* Only a reply to a mac1 we sent, and only once. */
	if (!m->sent_mac1)
		return false;
	if (!xaead_open(cookie, r->encrypted_cookie, sizeof(r->encrypted_cookie), r->nonce,
			m->cookie_key, m->last_mac1, MAC_LEN))
		return false;
	memcpy(m->cookie, cookie, MAC_LEN);
	key_wipe(cookie, sizeof(cookie));
	m->cookie_birth = now;
	m->has_cookie = true;
	m->sent_mac1 = false;
	return true;
}
