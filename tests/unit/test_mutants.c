/*
 * Flip every byte: take a real handshake initiation, a real response and
 * a real transport message between two in-process peers, change each
 * byte in turn, and require that every mutant is refused and counted,
 * that none reaches the TUN device, and that the peers' state is
 * untouched: the original message still works afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/keys.h"
#include "lib/packet.h"
#include "tunnel/wg.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Each byte is changed three ways: its low bit, its high bit, all of it. */
static const uint8_t masks[] = {0x01, 0x80, 0xff};

struct wire {
	uint8_t buf[8][2048];
	size_t len[8];
	int n;
};

struct pair {
	struct stats sa, sb;
	struct wg a, b;
	struct wire to_a, to_b;
	struct wg_peer *pa, *pb; /* a as b knows it, b as a knows it */
	struct sockaddr_storage from_a, from_b;
};

static int to_wire(void *io, const struct sockaddr_storage *to, const uint8_t *buf, size_t len)
{
	struct wire *w = io;

	(void)to;
	assert_true(w->n < 8 && len <= sizeof(w->buf[0]));
	memcpy(w->buf[w->n], buf, len);
	w->len[w->n++] = len;
	return 0;
}

static void sockaddr4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static size_t ping(uint8_t *buf, size_t cap, const char *src, const char *dst)
{
	struct pkt_spec s = {.version = 4, .proto = IPPROTO_ICMP, .icmp_id = 1, .icmp_seq = 1};

	inet_pton(AF_INET, src, s.src);
	inet_pton(AF_INET, dst, s.dst);
	return (size_t)pkt_build(buf, cap, &s);
}

static void allow(struct wg *w, const char *cidr, struct wg_peer *p)
{
	struct prefix pre;
	char err[64];

	assert_int_equal(prefix_parse(cidr, true, &pre, err, sizeof(err)), 0);
	allowedips_insert(&w->allowed, &pre, p);
}

static void pair_init(struct pair *x)
{
	uint8_t ka[32], kb[32];

	memset(x, 0, sizeof(*x));
	assert_int_equal(wg_init(&x->a, &x->sa, to_wire, &x->to_b), 0);
	assert_int_equal(wg_init(&x->b, &x->sb, to_wire, &x->to_a), 0);
	key_generate_private(ka);
	key_generate_private(kb);
	assert_true(wg_set_private_key(&x->a, ka));
	assert_true(wg_set_private_key(&x->b, kb));
	x->pb = wg_peer_add(&x->a, x->b.id.public_key);
	x->pa = wg_peer_add(&x->b, x->a.id.public_key);
	assert_non_null(x->pa);
	assert_non_null(x->pb);
	allow(&x->a, "10.0.0.2/32", x->pb);
	allow(&x->b, "10.0.0.1/32", x->pa);
	sockaddr4(&x->from_a, "192.0.2.1", 1);
	sockaddr4(&x->from_b, "192.0.2.2", 2);
	wg_peer_set_endpoint(x->pb, &x->from_b);
}

static void pair_free(struct pair *x)
{
	wg_free(&x->a);
	wg_free(&x->b);
}

static uint64_t drops(const struct stats *s)
{
	uint64_t n = 0;

	for (int i = 0; i < DROP_MAX; i++)
		n += s->drops[i];
	return n;
}

/* a starts a handshake with a packet for b; the initiation waits on a's wire to b. */
static void start_handshake(struct pair *x, double now)
{
	uint8_t dg[2048];
	size_t len = ping(dg + MSG_DATA_HDR_LEN, sizeof(dg) - MSG_DATA_HDR_LEN, "10.0.0.1",
			  "10.0.0.2"),
	       out;
	struct wg_peer *p;

	assert_int_equal(wg_encrypt(&x->a, dg, len, sizeof(dg), now, &out, &p), WG_DONE);
	assert_int_equal(x->to_b.n, 1);
	assert_int_equal(x->to_b.len[0], MSG_INITIATION_LEN);
}

/*
 * One mutant given to w: it must not be delivered, must send nothing but
 * (under load) a cookie reply, and must be counted, as a drop or as a
 * cookie sent.
 */
static void refuse(struct wg *w, struct stats *s, struct wire *answers, const uint8_t *orig,
		   size_t len, size_t at, uint8_t mask, const struct sockaddr_storage *from,
		   double now)
{
	uint8_t mutant[2048];
	uint64_t before = drops(s) + w->counters.cookies_sent;
	size_t inner = 0;
	struct wg_peer *p;
	enum wg_action r;

	memcpy(mutant, orig, len);
	mutant[at] ^= mask;
	answers->n = 0;
	r = wg_receive(w, mutant, len, from, now, &inner, &p);
	if (r == WG_DELIVER || drops(s) + w->counters.cookies_sent != before + 1)
		fail_msg("byte %zu ^ 0x%02x: action %d, counted %llu", at, mask, r,
			 (unsigned long long)(drops(s) + w->counters.cookies_sent - before));
	for (int i = 0; i < answers->n; i++)
		if (answers->len[i] != MSG_COOKIE_LEN)
			fail_msg("byte %zu ^ 0x%02x: answered with %zu bytes", at, mask,
				 answers->len[i]);
}

/*
 * mac2 is checked only under load (the protocol asks a cookie only then),
 * so its bytes are tried with the receiver under load: a wrong mac2 gets a
 * cookie reply, never a handshake.
 */
static void refuse_every_byte(struct wg *w, struct stats *s, struct wire *answers,
			      const uint8_t *orig, size_t len, const struct sockaddr_storage *from,
			      double now)
{
	int threshold = w->load_threshold;

	for (size_t at = 0; at < len; at++) {
		w->load_threshold = at >= len - 16 ? 0 : threshold;
		w->under_load_until = 0;
		for (size_t m = 0; m < sizeof(masks); m++)
			refuse(w, s, answers, orig, len, at, masks[m], from, now);
	}
	w->load_threshold = threshold;
	w->under_load_until = 0;
	answers->n = 0;
}

static void initiation_mutants(void **state)
{
	struct pair x;
	uint8_t orig[MSG_INITIATION_LEN], got[2048];
	size_t inner = 0;
	struct wg_peer *p;

	(void)state;
	pair_init(&x);
	start_handshake(&x, 10);
	memcpy(orig, x.to_b.buf[0], sizeof(orig));
	x.to_b.n = 0;
	refuse_every_byte(&x.b, &x.sb, &x.to_a, orig, sizeof(orig), &x.from_a, 10);
	assert_int_equal(x.pa->handshakes, 0);
	assert_false(x.pa->has_endpoint);
	/*
	 * The original, after all that, is still a good initiation.  Two seconds
	 * on, since hundreds of handshake messages in one second put b under load.
	 */
	memcpy(got, orig, sizeof(orig));
	assert_int_equal(wg_receive(&x.b, got, sizeof(orig), &x.from_a, 12, &inner, &p), WG_DONE);
	assert_int_equal(x.to_a.n, 1);
	assert_int_equal(x.to_a.len[0], MSG_RESPONSE_LEN);
	assert_int_equal(x.pa->handshakes, 1);
	pair_free(&x);
}

static void response_mutants(void **state)
{
	struct pair x;
	uint8_t orig[MSG_RESPONSE_LEN], got[2048];
	size_t inner = 0;
	struct wg_peer *p;

	(void)state;
	pair_init(&x);
	start_handshake(&x, 10);
	memcpy(got, x.to_b.buf[0], MSG_INITIATION_LEN);
	x.to_b.n = 0;
	assert_int_equal(wg_receive(&x.b, got, MSG_INITIATION_LEN, &x.from_a, 10, &inner, &p),
			 WG_DONE);
	assert_int_equal(x.to_a.n, 1);
	memcpy(orig, x.to_a.buf[0], sizeof(orig));
	x.to_a.n = 0;
	refuse_every_byte(&x.a, &x.sa, &x.to_b, orig, sizeof(orig), &x.from_b, 10);
	assert_int_equal(x.pb->handshakes, 0);
	/* The original still completes the handshake (once a is no longer under load). */
	memcpy(got, orig, sizeof(orig));
	assert_int_equal(wg_receive(&x.a, got, sizeof(orig), &x.from_b, 12, &inner, &p), WG_DONE);
	assert_int_equal(x.pb->handshakes, 1);
	assert_true(x.to_b.n >= 1);
	pair_free(&x);
}

/* A whole handshake; returns a's first transport message to b in dg. */
static size_t first_data(struct pair *x, uint8_t *dg)
{
	uint8_t msg[2048];
	size_t inner = 0, len;
	struct wg_peer *p;

	start_handshake(x, 10);
	memcpy(msg, x->to_b.buf[0], MSG_INITIATION_LEN);
	x->to_b.n = 0;
	assert_int_equal(wg_receive(&x->b, msg, MSG_INITIATION_LEN, &x->from_a, 10, &inner, &p),
			 WG_DONE);
	memcpy(msg, x->to_a.buf[0], MSG_RESPONSE_LEN);
	x->to_a.n = 0;
	assert_int_equal(wg_receive(&x->a, msg, MSG_RESPONSE_LEN, &x->from_b, 10, &inner, &p),
			 WG_DONE);
	/* The packet that waited for the session leaves as the handshake completes. */
	assert_int_equal(x->to_b.n, 1);
	len = x->to_b.len[0];
	assert_true(len > MSG_DATA_MIN_LEN);
	memcpy(dg, x->to_b.buf[0], len);
	x->to_b.n = 0;
	return len;
}

static void transport_mutants(void **state)
{
	struct pair x;
	uint8_t orig[2048], got[2048];
	size_t len, inner = 0;
	struct wg_peer *p;

	(void)state;
	pair_init(&x);
	len = first_data(&x, orig);
	for (size_t at = 0; at < len; at++)
		for (size_t m = 0; m < sizeof(masks); m++)
			refuse(&x.b, &x.sb, &x.to_a, orig, len, at, masks[m], &x.from_a, 10);
	assert_int_equal(x.sb.rx_packets, 0);
	/* No mutant moved the replay window or used up the session: the original arrives. */
	memcpy(got, orig, len);
	assert_int_equal(wg_receive(&x.b, got, len, &x.from_a, 10, &inner, &p), WG_DELIVER);
	assert_int_equal(inner, 28);
	/* Every mutant was counted, and the bad tag dominated. */
	assert_true(x.sb.drops[DROP_AUTH] >= 3 * (len - MSG_DATA_HDR_LEN));
	pair_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(initiation_mutants),
	    cmocka_unit_test(response_mutants),
	    cmocka_unit_test(transport_mutants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
