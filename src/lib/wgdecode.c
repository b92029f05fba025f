#include "wgdecode.h"
#include "keys.h"
#include "control_proto.h"

#include <stdio.h>
#include <string.h>

int wg_msg_parse(const uint8_t *buf, size_t len, struct wg_msg *m)
{
	memset(m, 0, sizeof(*m));
	/* msg_classify checks the type, the reserved bytes and the exact length. */
	m->type = msg_classify(buf, len);
	switch (m->type) {
	case MSG_INITIATION:
		m->sender = get_le32(((const struct msg_initiation *)buf)->sender);
		return 0;
	case MSG_RESPONSE:
		m->sender = get_le32(((const struct msg_response *)buf)->sender);
		m->receiver = get_le32(((const struct msg_response *)buf)->receiver);
		return 0;
	case MSG_COOKIE:
		m->receiver = get_le32(((const struct msg_cookie *)buf)->receiver);
		return 0;
	case MSG_DATA:
		m->receiver = get_le32(((const struct msg_data *)buf)->receiver);
		m->counter = get_le64(((const struct msg_data *)buf)->counter);
		m->sealed_len = len - MSG_DATA_HDR_LEN;
		return 0;
	case MSG_INVALID:
		break;
	}
	return -1;
}

size_t wg_msg_describe(const struct wg_msg *m, char *out, size_t cap)
{
	int n;

	switch (m->type) {
	case MSG_INITIATION:
		n = snprintf(out, cap, "WireGuard initiation sender 0x%08x", m->sender);
		break;
	case MSG_RESPONSE:
		n = snprintf(out, cap, "WireGuard response sender 0x%08x receiver 0x%08x",
			     m->sender, m->receiver);
		break;
	case MSG_COOKIE:
		n = snprintf(out, cap, "WireGuard cookie reply receiver 0x%08x", m->receiver);
		break;
	case MSG_DATA:
		n = snprintf(out, cap,
			     "WireGuard transport receiver 0x%08x counter %llu, %zu sealed",
			     m->receiver, (unsigned long long)m->counter, m->sealed_len);
		break;
	default:
		n = snprintf(out, cap, "not a WireGuard message");
		break;
	}
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n hex digits into n/2 bytes; the digit after them must end the word. */
static const char *hex_bytes(const char *s, uint8_t *out, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return NULL;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return hexval(*s) < 0 ? s : NULL;
}

static const char *hex_index(const char *s, uint32_t *out)
{
	uint8_t b[4];

	s = hex_bytes(s, b, 4);
	if (s)
		*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return s;
}

/* One space between words, then the next word. */
static const char *gap(const char *s)
{
	return s && *s == ' ' ? s + 1 : NULL;
}

/* "LOCAL REMOTE SEND RECV" up to the end of the line, or -1. */
static int parse_keypair(const char *s, uint32_t *local, uint32_t *remote, uint8_t send[32],
			 uint8_t recv[32])
{
	s = gap(hex_index(s, local));
	s = s ? gap(hex_index(s, remote)) : NULL;
	s = s ? gap(hex_bytes(s, send, 32)) : NULL;
	s = s ? hex_bytes(s, recv, 32) : NULL;
	while (s && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s && (*s == '\n' || *s == '\0') ? 0 : -1;
}

/* A new key for a receiver index replaces the old one: indexes are reused after a rekey. */
static int keep(struct wg_keyring *k, uint32_t receiver, const uint8_t key[32])
{
	int i;

	for (i = 0; i < k->n; i++)
		if (k->entry[i].receiver == receiver)
			break;
	if (i == WG_KEYRING_MAX)
		return 0;
	if (i == k->n)
		k->n++;
	k->entry[i].receiver = receiver;
	memcpy(k->entry[i].key, key, 32);
	return 1;
}

int wg_keyring_add_reply(struct wg_keyring *k, const char *reply)
{
	static const char tag[] = CTL_KEYPAIR "=";
	uint8_t send[32], recv[32];
	uint32_t local, remote;
	int added = 0;

	for (const char *line = reply; line && *line;) {
		const char *nl = strchr(line, '\n');

		if (!strncmp(line, tag, sizeof(tag) - 1) &&
		    !parse_keypair(line + sizeof(tag) - 1, &local, &remote, send, recv)) {
			added += keep(k, local, recv);
			added += keep(k, remote, send);
		}
		line = nl ? nl + 1 : NULL;
	}
	key_wipe(send, sizeof(send)); /* a memset of locals about to die may be dropped */
	key_wipe(recv, sizeof(recv));
	return added;
}

void wg_keyring_wipe(struct wg_keyring *k)
{
	key_wipe(k, sizeof(*k));
}

/*
 * The inner packet's own length, from its IP header: the padding after
 * it is zeros that only hide the length, never more than 15 bytes.
 */
static ssize_t inner_len(const uint8_t *p, size_t padded)
{
	size_t len;

	if (padded == 0)
		return 0; /* a keepalive */
	if ((p[0] >> 4) == 4) {
		if (padded < 20 || (p[0] & 0x0f) < 5)
			return -1;
		len = (size_t)p[2] << 8 | p[3];
		if (len < (size_t)(p[0] & 0x0f) * 4)
			return -1;
	} else if ((p[0] >> 4) == 6) {
		if (padded < 40)
			return -1;
		len = 40 + ((size_t)p[4] << 8 | p[5]);
	} else {
		return -1;
	}
	if (len > padded || padded - len >= MSG_PADDING)
		return -1;
	return (ssize_t)len;
}

static const struct wg_key *find(const struct wg_keyring *k, uint32_t receiver)
{
	for (int i = 0; i < k->n && i < WG_KEYRING_MAX; i++)
		if (k->entry[i].receiver == receiver)
			return &k->entry[i];
	return NULL;
}

ssize_t wg_open_transport(const struct wg_keyring *k, const uint8_t *buf, size_t len, uint8_t *out,
			  size_t cap, size_t *padded)
{
	const struct wg_key *key;
	struct wg_msg m;
	ssize_t n;

	*padded = 0;
	if (wg_msg_parse(buf, len, &m) || m.type != MSG_DATA)
		return -1;
	key = find(k, m.receiver);
	if (!key || cap < m.sealed_len - AEAD_TAG_LEN)
		return -1;
	/* The counter is the nonce; the header is not authenticated data in WireGuard. */
	if (!aead_open(out, buf + MSG_DATA_HDR_LEN, m.sealed_len, m.counter, key->key, NULL, 0))
		return -1;
	n = inner_len(out, m.sealed_len - AEAD_TAG_LEN);
	if (n < 0) {
		memset(out, 0, m.sealed_len - AEAD_TAG_LEN);
		return -1;
	}
	*padded = m.sealed_len - AEAD_TAG_LEN;
	return n;
}
