/*
 * Each wire mode's table of operations agrees with its wire format; and
 * a sealed datagram the kernel refuses as too big is answered with ICMP,
 * as in plaintext, from what the data path kept before the seal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/keys.h"
#include "lib/messages.h"
#include "lib/packet.h"
#include "lib/tun.h"
#include "tunnel/datapath.h"
#include "tunnel/wg.h"
#include "tunnel/wire.h"
#include "../support/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void each_mode_has_its_table(void **state)
{
	(void)state;
	for (int m = MODE_PLAINTEXT; m <= MODE_ENCRYPTED; m++) {
		const struct mode_ops *ops = mode_ops_of((enum wire_mode)m);

		assert_int_equal(ops->mode, m);
		assert_non_null(ops->begin);
		assert_non_null(ops->seal);
		assert_non_null(ops->refused);
		assert_non_null(ops->open);
		assert_non_null(ops->path_mtu);
		/* A packet read at headroom, read_max long, still fits its slot. */
		assert_true(ops->headroom + ops->read_max <= SLOT_DATA);
	}
}

static void plaintext_and_pi(void **state)
{
	(void)state;
	/* The device's bytes in front of the inner packet are the wire's. */
	assert_int_equal(mode_plain_ops.dev_hdr, wire_overhead(MODE_PLAINTEXT));
	assert_int_equal(mode_pi_ops.dev_hdr, wire_overhead(MODE_PI));
	assert_int_equal(mode_pi_ops.dev_hdr, TUN_PI_LEN);
	assert_false(mode_plain_ops.sealed);
	assert_false(mode_pi_ops.sealed);
}

static void encrypted(void **state)
{
	(void)state;
	/* The data message header is written in front of the packet, in place. */
	assert_int_equal(mode_wg_ops.headroom, MSG_DATA_HDR_LEN);
	assert_int_equal(mode_wg_ops.dev_hdr, 0);
	assert_true(mode_wg_ops.sealed);
	/* Room behind the packet for padding and the tag. */
	assert_true(mode_wg_ops.headroom + mode_wg_ops.read_max + MSG_PADDING + AEAD_TAG_LEN <=
		    SLOT_DATA);
	/* A truncate fault never cuts into the smallest data message. */
	assert_int_equal(mode_wg_ops.min_len, MSG_DATA_MIN_LEN);
}

/*
 * One queue in encrypted mode, its device one end of a socket pair (dev),
 * and one peer at 192.0.2.2 for 10.0.0.2 and 2001:db8::2, with no session
 * yet: the seal keeps the packet for the handshake, which is all these
 * tests need of it.
 */
struct sealed {
	struct config cfg;
	struct queue q;
	struct wg w;
	struct wire out;
	struct wg_peer *p;
	struct slot s;
	int dev;
	uint8_t mem[SLOT_SIZE];
};

static struct sealed *sealed_new(void)
{
	struct sealed *x = calloc(1, sizeof(*x));
	uint8_t key[32], peer[32], pub[32];
	struct prefix pfx;
	char err[64];
	int sv[2];

	assert_non_null(x);
	datapath_init(&x->q, &x->cfg, &mode_wg_ops);
	assert_int_equal(wg_init(&x->w, &x->q.stats, wire_send, &x->out), 0);
	x->w.mtu = 1440;
	x->q.ctx = &x->w;
	key_generate_private(key);
	key_generate_private(peer);
	assert_true(wg_set_private_key(&x->w, key));
	assert_int_equal(key_public(pub, peer), 0);
	x->p = wg_peer_add(&x->w, pub);
	assert_non_null(x->p);
	prefix_parse("10.0.0.2/32", true, &pfx, err, sizeof(err));
	allowedips_insert(&x->w.allowed, &pfx, x->p);
	prefix_parse("2001:db8::2/128", true, &pfx, err, sizeof(err));
	allowedips_insert(&x->w.allowed, &pfx, x->p);
	sockaddr4(&x->out.from, "192.0.2.2", 51820);
	wg_peer_set_endpoint(x->p, &x->out.from);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	x->q.dev.fd = sv[0];
	x->dev = sv[1];
	x->s.data = x->mem + SLOT_HEADROOM;
	return x;
}

static void sealed_free(struct sealed *x)
{
	close(x->q.dev.fd);
	close(x->dev);
	wg_free(&x->w);
	free(x);
}

/* A UDP packet of len bytes from 10.0.0.1 (or 2001:db8::1) to the peer's side, read into s. */
static size_t read_packet(struct sealed *x, int version, bool df, size_t len)
{
	static uint8_t payload[2048];
	struct pkt_spec sp = {.version = version,
			      .proto = IPPROTO_UDP,
			      .df = df,
			      .sport = 4000,
			      .dport = 5000,
			      .payload = payload};
	ssize_t n;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	sp.payload_len = len - (version == 6 ? 40 : 20) - 8;
	inet_pton(version == 6 ? AF_INET6 : AF_INET, version == 6 ? "2001:db8::1" : "10.0.0.1",
		  sp.src);
	inet_pton(version == 6 ? AF_INET6 : AF_INET, version == 6 ? "2001:db8::2" : "10.0.0.2",
		  sp.dst);
	n = pkt_build(x->s.data + MSG_DATA_HDR_LEN, SLOT_DATA - MSG_DATA_HDR_LEN, &sp);
	assert_int_equal(n, (ssize_t)len);
	x->s.len = len;
	return len;
}

/*
 * What the kernel's refusal leaves: the datagram as sealed (here: the
 * inner bytes overwritten, so that nothing can be read from them), sent
 * to the peer, and the path MTU it told through the error queue, 1400.
 */
static void refuse(struct sealed *x, size_t inner)
{
	struct pmtu_report r = {.mtu = 1400, .dest = x->p->endpoint};

	memset(x->s.data + MSG_DATA_HDR_LEN, 0xee, inner);
	x->s.keep = true;
	x->s.err = EMSGSIZE;
	x->s.addr = x->p->endpoint;
	x->s.len = inner;
	x->q.ops->path_mtu(&x->q, &r);
	x->q.ops->refused(&x->q, &x->s);
}

static void encrypted_refused_answers_with_icmp(void **state)
{
	(void)state;
	for (int version = 4; version <= 6; version += 2) {
		struct sealed *x = sealed_new();
		uint8_t orig[1500], icmp[1600];
		size_t len = read_packet(x, version, true, 1420), hl = version == 6 ? 40 : 20;
		struct pkt p;
		ssize_t n;

		memcpy(orig, x->s.data + MSG_DATA_HDR_LEN, len);
		datapath_seal(&x->q, &x->s, 10);
		/* Before the seal, the packet's first bytes were kept. */
		assert_int_equal(x->s.quote_len, SLOT_QUOTE);
		assert_memory_equal(x->s.quote, orig, SLOT_QUOTE);
		refuse(x, len);
		assert_false(x->s.keep);
		assert_false(x->s.fragment);
		assert_int_equal(x->q.stats.drops[DROP_TOO_BIG], 1);
		assert_int_equal(x->q.stats.icmp_too_big, 1);
		/* On the device: "too big" to the inner sender, from the packet's destination. */
		n = recv(x->dev, icmp, sizeof(icmp), MSG_DONTWAIT);
		assert_int_equal(n, (ssize_t)(hl + 8 + SLOT_QUOTE));
		assert_int_equal(pkt_parse(icmp, (size_t)n, &p), PKT_OK);
		assert_int_equal(p.version, version);
		assert_memory_equal(p.src, orig + (version == 6 ? 24 : 16), version == 6 ? 16 : 4);
		assert_memory_equal(p.dst, orig + (version == 6 ? 8 : 12), version == 6 ? 16 : 4);
		assert_int_equal(icmp[hl], version == 6 ? 2 : 3);
		assert_int_equal(icmp[hl + 1], version == 6 ? 0 : 4);
		/* 1400 less 20 + 8 + 32 of outer headers, down to a multiple of 16. */
		assert_int_equal(wg_inner_mtu(&x->w, x->p), 1328);
		assert_int_equal(icmp[hl + 6] << 8 | icmp[hl + 7], 1328);
		/* It quotes the packet as it was before the seal. */
		assert_memory_equal(icmp + hl + 8, orig, SLOT_QUOTE);
		sealed_free(x);
	}
}

/* An inner IPv4 packet without DF: its datagram goes again, in fragments, and no ICMP. */
static void encrypted_refused_fragments_without_df(void **state)
{
	struct sealed *x = sealed_new();
	uint8_t icmp[1600];

	(void)state;
	read_packet(x, 4, false, 1420);
	datapath_seal(&x->q, &x->s, 10);
	refuse(x, 1420);
	assert_false(x->s.keep);
	assert_true(x->s.fragment);
	assert_int_equal(x->q.stats.drops[DROP_TOO_BIG], 0);
	assert_int_equal(x->q.stats.icmp_too_big, 0);
	assert_int_equal(recv(x->dev, icmp, sizeof(icmp), MSG_DONTWAIT), -1);
	sealed_free(x);
}

/* --no-pmtu: dropped and counted, as in plaintext, with no ICMP. */
static void encrypted_refused_without_pmtu(void **state)
{
	struct sealed *x = sealed_new();
	uint8_t icmp[1600];

	(void)state;
	x->cfg.no_pmtu = true;
	read_packet(x, 4, true, 1420);
	datapath_seal(&x->q, &x->s, 10);
	refuse(x, 1420);
	assert_false(x->s.keep);
	assert_false(x->s.fragment);
	assert_int_equal(x->q.stats.drops[DROP_TOO_BIG], 1);
	assert_int_equal(x->q.stats.icmp_too_big, 0);
	assert_int_equal(recv(x->dev, icmp, sizeof(icmp), MSG_DONTWAIT), -1);
	sealed_free(x);
}

/* Plaintext keeps no quote: its packet is still there when the kernel refuses it. */
static void plaintext_keeps_no_quote(void **state)
{
	struct config cfg = {0};
	struct queue q;
	uint8_t mem[SLOT_SIZE] = {0x45};
	struct slot s = {.data = mem + SLOT_HEADROOM, .len = 100, .quote_len = 7};

	(void)state;
	datapath_init(&q, &cfg, &mode_plain_ops);
	datapath_seal(&q, &s, 10);
	assert_int_equal(s.quote_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_mode_has_its_table),
	    cmocka_unit_test(plaintext_and_pi),
	    cmocka_unit_test(encrypted),
	    cmocka_unit_test(encrypted_refused_answers_with_icmp),
	    cmocka_unit_test(encrypted_refused_fragments_without_df),
	    cmocka_unit_test(encrypted_refused_without_pmtu),
	    cmocka_unit_test(plaintext_keeps_no_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
