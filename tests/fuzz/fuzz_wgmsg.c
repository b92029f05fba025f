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
 *      messages reach decryption (a tag the fuzzer cannot forge);
 *   3  the next 8 bytes are a counter and the rest an inner packet, sealed
 *      with the live session's key, so they pass the tag and reach the
 *      replay window and the checks on what is inside;
 *   4  the server is under load: the rest gets the client's own macs, the
 *      server answers with a cookie reply, the client takes it (and
 *      refuses a second copy of it: a reply is taken once), and the
 *      same message goes again with a mac2 from that cookie, one time
 *      more than the per-source limit allows at once, so the cookie
 *      exchange, the way past it and the limit are reached;
 *   5  the client makes a fresh initiation; the next byte is an offset
 *      into it and the rest is written there (short of the macs), the
 *      client's macs are put on, and the server gets it twice, so a
 *      genuine initiation, altered ones and a replayed one are met;
 *   6  the rest is a sequence of records, each a mode byte, a 2-byte
 *      little-endian length and that many bytes, which the server gets
 *      one after another at the same instant, each prepared as modes 0
 *      to 3 would (4 and above count as 0), so what one message leaves
 *      behind meets the next: a replay window moved far ahead, a
 *      handshake just accepted;
 *   7  the client waits for the answer to a fresh initiation (made once,
 *      with the devices): the rest goes to the client, with the
 *      receiver index of that handshake (where a response names it, or
 *      where other messages do) and a correct mac1 for the client, so
 *      forged responses meet the initiator's side of the handshake;
 *   8  later: the next byte is a number of seconds, the byte after it a
 *      mode (0 to 3; above count as 0) and the rest a message prepared
 *      as that mode would, which reaches the server that many seconds
 *      after the others do, when its session may have grown too old.
 *
 * A message that is delivered must fit in what came in.
 *
 * The devices and their handshake are made once, on the first input, and
 * kept; before each later input both devices are put back as the setup
 * left them (sessions, replay windows, handshake and cookie state,
 * timers, counters, the index table), so every input meets the same
 * server and a crash found in a long run reproduces from its file alone.
 * Making them for every input held the target to a few hundred inputs
 * a second.
 */
#include "lib/addr.h"
#include "lib/aead.h"
#include "lib/messages.h"
#include "lib/packet.h"
#include "tunnel/allowedips.h"
#include "tunnel/stats.h"
#include "tunnel/peer.h"
#include "tunnel/wg.h"
#include "../support/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Moves what waits on a wire into a device, times over (a network may duplicate). */
static void pass(struct wire *w, struct wg *to, const struct sockaddr_storage *from, double now,
		 int times)
{
	uint8_t dg[WIRE_SLOT_LEN];
	size_t inner;
	struct wg_peer *p;

	for (int t = 0; t < times; t++)
		for (int i = 0; i < w->n; i++) {
			memcpy(dg, w->buf[i], w->len[i]);
			wg_receive(to, dg, w->len[i], from, now, &inner, &p);
		}
	w->n = 0;
}

/*
 * What a device is at the start of every input: the device, its one peer
 * and that peer's sessions by value, and its counters.  Sessions are on
 * the heap and an input may free them (a new handshake replaces them),
 * so they are kept as copies and made afresh, not pointed to.  A copy
 * holds no cipher context (a session frees its own): restore() gives it
 * those of the block that still holds that session, or keys new ones.
 */
struct saved {
	struct wg w;
	struct stats stats;
	struct wg_peer peer;
	struct session sessions[3]; /* previous, current, next, where there is one */
	bool has[3];
};

struct pair {
	struct wg client, server;
	struct stats cs, ss;
	struct wire to_server, to_client;
	struct sockaddr_storage client_addr, server_addr;
	struct saved client_saved, server_saved;
	struct saved client_waiting;	  /* mode 7's client, with an initiation in flight */
	struct ratelimiter limiter_saved; /* the server's, which only a load consults */
};

static struct session **slot_of(struct wg_peer *p, int i)
{
	return i == 0 ? &p->previous : i == 1 ? &p->current : &p->next;
}

static void save(struct saved *sv, const struct wg *w)
{
	struct wg_peer *p = w->peers[0];

	sv->w = *w;
	sv->stats = *w->stats;
	sv->peer = *p;
	for (int i = 0; i < 3; i++) {
		struct session *s = *slot_of(p, i);

		sv->has[i] = s != NULL;
		if (s) {
			sv->sessions[i] = *s;
			sv->sessions[i].kp.sender.ctx = NULL;
			sv->sessions[i].kp.receiver.ctx = NULL;
		}
	}
}

/* A session's cipher contexts, freed before its block is reused or freed. */
static void drop_ciphers(struct session *s)
{
	aead_key_wipe(&s->kp.sender);
	aead_key_wipe(&s->kp.receiver);
}

/*
 * A block the input left, for the saved session c.  One that holds the
 * same session keeps its cipher contexts, keyed as c's would be (each
 * packet starts over from its nonce): keying new ones for every input
 * halved the target's speed.  Any other is keyed again from c's raw
 * keys, as noise_begin_session keys them.
 */
static struct session *refill(struct session **left, int *n, const struct session *c)
{
	struct aead_key sender, receiver;
	struct session *s;

	for (int j = 0; j < *n; j++) {
		s = left[j];
		if (memcmp(s->kp.send_key, c->kp.send_key, sizeof(c->kp.send_key)) ||
		    memcmp(s->kp.recv_key, c->kp.recv_key, sizeof(c->kp.recv_key)))
			continue;
		left[j] = left[--*n];
		sender = s->kp.sender;
		receiver = s->kp.receiver;
		*s = *c;
		s->kp.sender = sender;
		s->kp.receiver = receiver;
		return s;
	}
	if (*n) {
		s = left[--*n];
		drop_ciphers(s);
	} else if (!(s = malloc(sizeof(*s)))) {
		__builtin_trap();
	}
	*s = *c;
	if (aead_key_init(&s->kp.sender, AEAD_OPENSSL, s->kp.send_key) ||
	    aead_key_init(&s->kp.receiver, AEAD_OPENSSL, s->kp.recv_key))
		__builtin_trap();
	return s;
}

/* The index table's own linking, with the id the entry had: index_insert would draw a new one. */
static void relink(struct index_table *t, struct index_entry *e)
{
	struct index_entry **head = &t->bucket[e->id % INDEX_BUCKETS];

	e->next = *head;
	*head = e;
	e->linked = true;
	t->count++;
}

/*
 * Puts a device back as save() found it.  Its peer stays where it is (no
 * input removes a peer).  Its sessions are filled again from the copies,
 * in the blocks of the sessions the input left (usually the same ones:
 * a new block for every input was most of the target's time, in ASan's
 * allocator), and the index table is rebuilt from the entries that were
 * linked, so lookups find exactly what they found after the setup.
 */
static void restore(struct saved *sv, struct wg *w)
{
	struct wg_peer *p = w->peers[0];
	struct session *left[3];
	int n = 0;

	wg_peer_purge_staged(p);
	for (int i = 0; i < 3; i++)
		if (*slot_of(p, i))
			left[n++] = *slot_of(p, i);
	*w = sv->w;
	*w->stats = sv->stats;
	*p = sv->peer;
	index_init(&w->index);
	if (p->hs_entry.linked)
		relink(&w->index, &p->hs_entry);
	for (int i = 0; i < 3; i++) {
		struct session *s = NULL;

		if (sv->has[i]) {
			s = refill(left, &n, &sv->sessions[i]);
			s->entry.owner = s;
			if (s->entry.linked)
				relink(&w->index, &s->entry);
		}
		*slot_of(p, i) = s;
	}
	while (n) {
		drop_ciphers(left[--n]);
		free(left[n]);
	}
}

/* A real ICMP echo from the server's inner address to the client's, sealed by the client. */
static size_t first_packet(uint8_t *dg, size_t cap)
{
	struct pkt_spec spec = {.version = 4, .proto = IPPROTO_ICMP, .icmp_id = 1, .icmp_seq = 1};
	ssize_t n;

	inet_pton(AF_INET, "10.0.0.2", spec.src);
	inet_pton(AF_INET, "10.0.0.1", spec.dst);
	memset(dg, 0, cap);
	n = pkt_build(dg + MSG_DATA_HDR_LEN, cap - MSG_DATA_HDR_LEN - 32, &spec);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * Both devices, and one handshake between them carried to its end: the
 * client holds a current session, and the server has confirmed its own
 * on the first data message.  Without both, mode 2 would never reach
 * decryption, so a setup that falls short stops the fuzzer.
 */
static int make_pair(struct pair *p)
{
	uint8_t ck[32], sk[32], dg[256];
	struct wg_peer *on_client, *on_server, *peer;
	struct prefix pre;
	char err[64];
	size_t out, len;

	memset(p, 0, sizeof(*p));
	memset(ck, 0x11, sizeof(ck));
	memset(sk, 0x22, sizeof(sk));
	if (wg_init(&p->client, &p->cs, wire_send, &p->to_server) ||
	    wg_init(&p->server, &p->ss, wire_send, &p->to_client))
		return -1;
	wg_set_private_key(&p->client, ck);
	wg_set_private_key(&p->server, sk);
	on_client = wg_peer_add(&p->client, p->server.id.public_key);
	on_server = wg_peer_add(&p->server, p->client.id.public_key);
	if (!on_client || !on_server)
		return -1;
	prefix_parse("10.0.0.2/32", true, &pre, err, sizeof(err));
	allowedips_insert(&p->server.allowed, &pre, on_server);
	prefix_parse("10.0.0.1/32", true, &pre, err, sizeof(err));
	allowedips_insert(&p->client.allowed, &pre, on_client);
	sockaddr4(&p->client_addr, "198.51.100.2", 40000);
	sockaddr4(&p->server_addr, "203.0.113.10", 1234);
	wg_peer_set_endpoint(on_client, &p->server_addr);
	/* The packet waits for a session; the handshake carries it across. */
	len = first_packet(dg, sizeof(dg));
	if (!len)
		return -1;
	wg_encrypt(&p->client, dg, len, sizeof(dg), 10, &out, &peer);
	pass(&p->to_server, &p->server, &p->client_addr, 10, 1);
	pass(&p->to_client, &p->client, &p->server_addr, 10, 1);
	pass(&p->to_server, &p->server, &p->client_addr, 10, 1);
	if (!on_client->current || !on_server->current || on_server->next ||
	    on_client->staged_count || on_server->staged_count || p->to_client.n || p->to_server.n)
		return -1;
	save(&p->client_saved, &p->client);
	save(&p->server_saved, &p->server);
	p->limiter_saved = *p->server.limiter;
	/* The client as mode 7 needs it: a new handshake, not a retry, whose answer never came. */
	wg_send_initiation(&p->client, on_client, 10 + REKEY_TIMEOUT + 1, false);
	if (p->to_server.n != 1 || on_client->hs.state != HS_CREATED_INITIATION)
		return -1;
	p->to_server.n = 0;
	save(&p->client_waiting, &p->client);
	restore(&p->client_saved, &p->client);
	return 0;
}

/*
 * Every input starts from the state the setup left.  The limiter is
 * large and only consulted under load, which the server counts, so it is
 * copied back only after an input that put the server under load.
 */
static void reset(struct pair *p)
{
	bool loaded = p->server.counters.under_load != p->server_saved.w.counters.under_load;
	struct session *s;

	restore(&p->client_saved, &p->client);
	restore(&p->server_saved, &p->server);
	if (loaded)
		*p->server.limiter = p->limiter_saved;
	p->to_server.n = p->to_client.n = 0;
	p->to_server.lost = p->to_client.lost = 0;
	/* The live session must be found again by its index, or modes 2 and 3 reach nothing. */
	s = p->server.peers[0]->current;
	if (index_lookup(&p->server.index, s->kp.local_index, INDEX_SESSION) != &s->entry)
		__builtin_trap();
}

/* A handshake message's mac1, as one that knows the receiver's public key makes it. */
static void fix_mac1(const uint8_t to_public[NOISE_KEY_LEN], uint8_t *msg, size_t len)
{
	uint8_t key[HASH_LEN];
	struct msg_macs *macs;

	if (len != MSG_INITIATION_LEN && len != MSG_RESPONSE_LEN)
		return;
	macs = (struct msg_macs *)(msg + len - sizeof(*macs));
	msg_mac1_key(key, to_public);
	mac(macs->mac1, key, HASH_LEN, msg, len - sizeof(*macs));
}

/* Mode 3: a data message the server's session will open: header, the sealed packet, its tag. */
static bool seal(struct pair *p, const uint8_t *in, size_t len, uint8_t *sealed, size_t cap,
		 size_t *out_len)
{
	struct session *s = p->client.peers[0]->current;
	uint64_t counter;

	if (len < 8 || len - 8 + MSG_DATA_MIN_LEN > cap)
		return false;
	counter = get_le64(in);
	msg_set_type(sealed, MSG_DATA);
	put_le32(sealed + 4, s->kp.remote_index);
	put_le64(sealed + 8, counter);
	aead_seal(sealed + MSG_DATA_HDR_LEN, in + 8, len - 8, counter, s->kp.send_key, NULL, 0);
	*out_len = MSG_DATA_HDR_LEN + len - 8 + AEAD_TAG_LEN;
	return true;
}

/*
 * Mode 4: a handshake-sized message, MACed by the client as it would its
 * own, meets a server that is under load.  Its sender index is the
 * client's live session, so the cookie reply finds its way back.
 */
static void under_load(struct pair *p, uint8_t *msg, size_t len)
{
	struct wg_peer *client_side = p->client.peers[0], *peer;
	uint8_t dg[MSG_INITIATION_LEN];
	size_t inner;

	if (len != MSG_INITIATION_LEN && len != MSG_RESPONSE_LEN)
		return;
	p->server.load_threshold = 0; /* every handshake message counts as too many */
	put_le32(msg + 4, client_side->current->kp.local_index);
	cookie_add_macs(&client_side->cookie, msg, len, 11);
	wg_receive(&p->server, msg, len, &p->client_addr, 11, &inner, &peer);
	pass(&p->to_client, &p->client, &p->server_addr, 11, 2);
	cookie_add_macs(&client_side->cookie, msg, len, 11);
	for (int i = 0; i < RATELIMIT_BURST + 1; i++) {
		memcpy(dg, msg, len); /* receiving may work in place */
		wg_receive(&p->server, dg, len, &p->client_addr, 11, &inner, &peer);
	}
}

/* Mode 5: the client's own next initiation, altered where the input says. */
static void fresh_initiation(struct pair *p, const uint8_t *in, size_t len)
{
	struct wg_peer *client_side = p->client.peers[0], *peer;
	uint8_t msg[MSG_INITIATION_LEN], dg[MSG_INITIATION_LEN];
	const size_t body = sizeof(msg) - sizeof(struct msg_macs);
	double now = 10 + REKEY_TIMEOUT + 1; /* the setup's initiation was at 10 */
	size_t inner, at;

	p->to_server.n = 0;
	wg_send_initiation(&p->client, client_side, now, false); /* a new handshake, not a retry */
	if (p->to_server.n != 1 || p->to_server.len[0] != sizeof(msg))
		__builtin_trap(); /* the client would not initiate: nothing below is reached */
	memcpy(msg, p->to_server.buf[0], sizeof(msg));
	/*
	 * Timestamps come in steps of about 17 ms, so this one may equal the
	 * setup's; the server forgets that one, or the outcome would hang on
	 * the clock.  The second delivery is then always a replay.
	 */
	memset(p->server.peers[0]->hs.latest_timestamp, 0, TIMESTAMP_LEN);
	if (len > 0 && in[0] < body) {
		at = in[0];
		memcpy(msg + at, in + 1, len - 1 < body - at ? len - 1 : body - at);
	}
	cookie_add_macs(&client_side->cookie, msg, sizeof(msg), now);
	for (int i = 0; i < 2; i++) {
		memcpy(dg, msg, sizeof(msg)); /* receiving may work in place */
		wg_receive(&p->server, dg, sizeof(dg), &p->client_addr, now, &inner, &peer);
	}
}

/* The one fixture: libFuzzer's entry point and atexit's handler take no context. */
static struct pair *the_pair;

/* What the setup took goes back at exit, as when the devices were made for every input. */
static void free_fixture(void)
{
	wg_free(&the_pair->client);
	wg_free(&the_pair->server);
	free(the_pair);
	the_pair = NULL;
}

/* The devices and their handshake are made once; every input starts from a copy of them. */
static struct pair *fixture(void)
{
	if (!the_pair) {
		the_pair = malloc(sizeof(*the_pair));
		if (!the_pair || make_pair(the_pair))
			__builtin_trap(); /* the setup itself is broken: nothing below would be
					     reached */
		atexit(free_fixture);
	} else {
		reset(the_pair);
	}
	return the_pair;
}

/* Modes 0 to 3: one message, prepared as its mode says, to the server at now. */
static void deliver(struct pair *p, uint8_t mode, const uint8_t *in, size_t size, double now)
{
	static uint8_t dg[65536];
	struct wg_peer *peer;
	size_t inner = 0;

	if (size > sizeof(dg))
		return;
	memcpy(dg, in, size);
	if (mode == 1)
		fix_mac1(p->server.id.public_key, dg, size);
	if (mode == 2 && size >= MSG_DATA_HDR_LEN) {
		/* the client's live session: its remote index is the server's local one */
		put_le32(dg + 4, p->client.peers[0]->current->kp.remote_index);
	}
	if (mode == 3 && !seal(p, in, size, dg, sizeof(dg), &size))
		return;
	if (wg_receive(&p->server, dg, size, &p->client_addr, now, &inner, &peer) == WG_DELIVER &&
	    inner + MSG_DATA_MIN_LEN > size)
		__builtin_trap();
}

/* Mode 7: to the client, which waits for a response to its initiation of 10 + REKEY_TIMEOUT + 1. */
static void to_waiting_client(struct pair *p, const uint8_t *in, size_t len)
{
	static uint8_t dg[65536];
	struct wg_peer *peer;
	uint32_t index;
	size_t inner = 0;

	if (len > sizeof(dg))
		return;
	restore(&p->client_waiting, &p->client);
	index = p->client.peers[0]->hs.local_index;
	memcpy(dg, in, len);
	if (len == MSG_RESPONSE_LEN)
		put_le32(dg + 8, index); /* after the response's own sender index */
	else if (len >= 8)
		put_le32(dg + 4, index);
	fix_mac1(p->client.id.public_key, dg, len);
	if (wg_receive(&p->client, dg, len, &p->server_addr, 17, &inner, &peer) == WG_DELIVER &&
	    inner + MSG_DATA_MIN_LEN > len)
		__builtin_trap();
}

/* Mode 6: records of a mode byte, a 2-byte length and the message; a record cut short ends it. */
static void sequence(struct pair *p, const uint8_t *in, size_t len)
{
	while (len >= 3) {
		uint8_t mode = in[0] < 4 ? in[0] : 0;
		size_t n = (size_t)in[1] | (size_t)in[2] << 8;

		if (n > len - 3)
			return;
		deliver(p, mode, in + 3, n, 11);
		in += 3 + n;
		len -= 3 + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[65536];
	struct pair *p;

	if (size < 1 || size - 1 > sizeof(msg))
		return 0;
	p = fixture();
	switch (data[0]) {
	case 4:
		memcpy(msg, data + 1, size - 1); /* the macs are written in place */
		under_load(p, msg, size - 1);
		break;
	case 5:
		fresh_initiation(p, data + 1, size - 1);
		break;
	case 6:
		sequence(p, data + 1, size - 1);
		break;
	case 7:
		to_waiting_client(p, data + 1, size - 1);
		break;
	case 8:
		if (size >= 3)
			deliver(p, data[2] < 4 ? data[2] : 0, data + 3, size - 3, 11 + data[1]);
		break;
	default:
		deliver(p, data[0], data + 1, size - 1, 11);
	}
	return 0;
}
