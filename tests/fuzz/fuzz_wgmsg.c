/*
 * Every WireGuard message, and consuming a handshake.  Each input meets a
 * server device that already holds a live session with one client, made
 * by a real handshake with fixed keys.  The first byte picks how much of
 * the input is left to chance:
 *
 *   0  the rest, as it is;
 *   1  the rest, with a correct mac1 for the server, so initiations and
 *      responses get past the first check and into the handshake code;
 *   2  the rest, with the receiver index of the live session, so data
 *      messages reach decryption and the replay window.
 *
 * A message that is delivered must fit in what came in.
 */
#include "lib/addr.h"
#include "lib/messages.h"
#include "tunnel/allowedips.h"
#include "tunnel/stats.h"
#include "tunnel/wg.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
	uint8_t buf[4][256];
	size_t len[4];
	int n;
};

static int to_wire(void *io, const struct sockaddr_storage *to, const uint8_t *buf, size_t len)
{
	struct wire *w = io;

	(void)to;
	if (w->n < 4 && len <= sizeof(w->buf[0])) {
		memcpy(w->buf[w->n], buf, len);
		w->len[w->n++] = len;
	}
	return 0;
}

static void address(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

/* Moves one message from a wire into a device. */
static void pass(struct wire *w, struct wg *to, const struct sockaddr_storage *from)
{
	uint8_t dg[256];
	size_t inner;
	struct wg_peer *p;

	for (int i = 0; i < w->n; i++) {
		memcpy(dg, w->buf[i], w->len[i]);
		wg_receive(to, dg, w->len[i], from, 10, &inner, &p);
	}
	w->n = 0;
}

struct pair {
	struct wg client, server;
	struct stats cs, ss;
	struct wire to_server, to_client;
	struct sockaddr_storage client_addr, server_addr;
};

static int make_pair(struct pair *p)
{
	uint8_t ck[32], sk[32], dg[256];
	struct wg_peer *on_client, *on_server, *peer;
	struct prefix pre;
	char err[64];
	size_t out;

	memset(p, 0, sizeof(*p));
	memset(ck, 0x11, sizeof(ck));
	memset(sk, 0x22, sizeof(sk));
	if (wg_init(&p->client, &p->cs, to_wire, &p->to_server) ||
	    wg_init(&p->server, &p->ss, to_wire, &p->to_client))
		return -1;
	wg_set_private_key(&p->client, ck);
	wg_set_private_key(&p->server, sk);
	on_client = wg_peer_add(&p->client, p->server.id.public_key);
	on_server = wg_peer_add(&p->server, p->client.id.public_key);
	prefix_parse("10.0.0.2/32", true, &pre, err, sizeof(err));
	allowedips_insert(&p->server.allowed, &pre, on_server);
	prefix_parse("10.0.0.1/32", true, &pre, err, sizeof(err));
	allowedips_insert(&p->client.allowed, &pre, on_client);
	address(&p->client_addr, "198.51.100.2", 40000);
	address(&p->server_addr, "203.0.113.10", 1234);
	wg_peer_set_endpoint(on_client, &p->server_addr);
	/* A keepalive-sized packet starts the handshake; deliver both halves. */
	memset(dg, 0, sizeof(dg));
	dg[MSG_DATA_HDR_LEN] = 0x45;
	wg_encrypt(&p->client, dg, 20, sizeof(dg), 10, &out, &peer);
	pass(&p->to_server, &p->server, &p->client_addr);
	pass(&p->to_client, &p->client, &p->server_addr);
	pass(&p->to_server, &p->server, &p->client_addr);
	return 0;
}

static void fix_mac1(struct pair *p, uint8_t *msg, size_t len)
{
	uint8_t key[HASH_LEN];
	struct msg_macs *macs;

	if (len != MSG_INITIATION_LEN && len != MSG_RESPONSE_LEN)
		return;
	macs = (struct msg_macs *)(msg + len - sizeof(*macs));
	msg_mac1_key(key, p->server.id.public_key);
	mac(macs->mac1, key, HASH_LEN, msg, len - sizeof(*macs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t dg[65536];
	struct pair p;
	struct wg_peer *peer;
	size_t inner = 0;

	if (size < 1 || size - 1 > sizeof(dg) || make_pair(&p))
		return 0;
	size--;
	memcpy(dg, data + 1, size);
	if (data[0] == 1)
		fix_mac1(&p, dg, size);
	if (data[0] == 2 && size >= MSG_DATA_HDR_LEN && p.to_client.n == 0 && p.client.npeers) {
		/* the client's live session: its remote index is the server's local one */
		struct session *s = p.client.peers[0]->current;

		if (s)
			put_le32(dg + 4, s->kp.remote_index);
	}
	if (wg_receive(&p.server, dg, size, &p.client_addr, 11, &inner, &peer) == WG_DELIVER &&
	    inner + MSG_DATA_MIN_LEN > size)
		__builtin_trap();
	wg_free(&p.client);
	wg_free(&p.server);
	return 0;
}
