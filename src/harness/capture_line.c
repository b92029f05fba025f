#include "capture_line.h"
#include "labkeys.h"
#include "lib/clock.h"
#include "lib/packet.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool chatter(const uint8_t *ip, size_t len)
{
	struct pkt p;

	if (pkt_parse_head(ip, len, &p) != PKT_OK || p.version != 6 || p.proto != IPPROTO_ICMPV6 ||
	    !p.l4)
		return false;
	switch (p.icmp_type) {
	case 130: /* multicast listener query */
	case 131: /* listener report */
	case 132: /* listener done */
	case 143: /* MLDv2 listener report */
	case 133: /* router solicitation */
		return true;
	}
	return false;
}

bool capture_is_chatter(const uint8_t *ip, size_t len)
{
	size_t off, pi;
	struct pkt o;

	if (chatter(ip, len))
		return true;
	/* A plaintext tunnel carries the chatter of its own device too. */
	return pkt_parse(ip, len, &o) == PKT_OK && !o.fragment &&
	       pkt_inner(&o, TUNNEL_PORT, &off, &pi) == 0 &&
	       chatter(ip + off + pi, o.len - off - pi);
}

static bool has_key(const struct wg_keyring *k, uint32_t receiver)
{
	for (int i = 0; i < k->n; i++)
		if (k->entry[i].receiver == receiver)
			return true;
	return false;
}

/* Sessions come and go (a rekey every two minutes): a new index means new keys. */
static void refresh(struct capture_keys *k, uint32_t receiver)
{
	double now = clock_seconds();

	if (has_key(&k->ring, receiver) ||
	    (k->loaded_at && now - k->loaded_at < CAPTURE_KEYS_EVERY))
		return;
	labkeys_load(k->lab, &k->ring);
	k->loaded_at = now;
}

static size_t add(char *out, size_t cap, size_t n, const char *s)
{
	int w = snprintf(out + n, cap - n, "%s", s);

	return w < 0 ? n : n + ((size_t)w < cap - n ? (size_t)w : cap - n - 1);
}

/* " | inner ..." for a transport message the lab's keys open. */
static size_t open_inner(struct capture_keys *k, const uint8_t *msg, size_t len,
			 const struct wg_msg *m, char *out, size_t cap, size_t n)
{
	uint8_t *plain = k->plain;
	size_t padded;
	ssize_t inner;

	refresh(k, m->receiver);
	if (!has_key(&k->ring, m->receiver))
		return add(out, cap, n, k->ring.n ? " | no key for this receiver" : " | no keys");
	inner = wg_open_transport(&k->ring, msg, len, plain, sizeof(k->plain), &padded);
	if (inner < 0)
		return add(out, cap, n, " | does not open with the lab's key");
	if (inner == 0)
		return add(out, cap, n, " | keepalive");
	n = add(out, cap, n, " | inner ");
	if (n + 1 < cap)
		n += pkt_decode(plain, (size_t)inner, out + n, cap - n);
	memset(plain, 0, padded);
	return n;
}

size_t capture_line(struct capture_keys *k, const uint8_t *ip, size_t len, char *out, size_t cap)
{
	size_t n = pkt_decode_encap(ip, len, TUNNEL_PORT, out, cap);
	struct wg_msg m;
	struct pkt o;

	if (pkt_parse(ip, len, &o) != PKT_OK || o.fragment || pkt_wg_message(&o, TUNNEL_PORT, &m) ||
	    m.type != MSG_DATA)
		return n;
	return open_inner(k, o.payload + 8, o.payload_len - 8, &m, out, cap, n);
}

void capture_keys_wipe(struct capture_keys *k)
{
	wg_keyring_wipe(&k->ring);
	k->loaded_at = 0;
}
