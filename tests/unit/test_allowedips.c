/*
 * The allowed-IPs trie against the plainest reference: a list of
 * (prefix, peer) scanned in full for the longest match.  Random prefixes,
 * clustered so that they nest and overlap, random lookups, and removals.
 */
#include "tunnel/allowedips.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#define PEERS  16
#define ROUNDS 2000

struct entry {
	struct prefix p;
	int peer; /* -1: removed */
};

struct reference {
	struct entry e[ROUNDS];
	int n;
};

static int bits_of(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static void clear_host_bits(struct prefix *p)
{
	for (int bit = p->len; bit < bits_of(p->family); bit++)
		p->addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
}

static bool contains(const struct prefix *p, int family, const uint8_t *addr)
{
	if (p->family != family)
		return false;
	for (int bit = 0; bit < p->len; bit++)
		if ((p->addr[bit / 8] ^ addr[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* Addresses from a small pool of bytes, so that prefixes share their starts. */
static void random_addr(uint8_t *a, int family)
{
	static const uint8_t pool[] = {0x0a, 0x0b, 0xac, 0x1f, 0xc0, 0xa8, 0x00, 0xff};

	memset(a, 0, 16);
	for (int i = 0; i < bits_of(family) / 8; i++)
		a[i] = i < 4 || rand() % 4 ? pool[rand() % 8] : (uint8_t)rand();
}

static void random_prefix(struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = rand() % 3 ? AF_INET : AF_INET6;
	random_addr(p->addr, p->family);
	p->len = rand() % (bits_of(p->family) + 1);
	clear_host_bits(p);
}

static void ref_insert(struct reference *r, const struct prefix *p, int peer)
{
	for (int i = 0; i < r->n; i++)
		if (r->e[i].p.family == p->family && r->e[i].p.len == p->len &&
		    !memcmp(r->e[i].p.addr, p->addr, 16)) {
			r->e[i].peer = peer; /* a prefix has one owner: the latest */
			return;
		}
	r->e[r->n].p = *p;
	r->e[r->n++].peer = peer;
}

static int ref_lookup(const struct reference *r, int family, const uint8_t *addr)
{
	int best = -1, best_len = -1;

	for (int i = 0; i < r->n; i++)
		if (r->e[i].peer >= 0 && r->e[i].p.len > best_len &&
		    contains(&r->e[i].p, family, addr)) {
			best = r->e[i].peer;
			best_len = r->e[i].p.len;
		}
	return best;
}

static int trie_lookup(const struct allowedips *a, int peers[], int family, const uint8_t *addr)
{
	int *p = allowedips_lookup(a, family, addr);

	return p ? (int)(p - peers) : -1;
}

static void compare(const struct allowedips *a, const struct reference *r, int peers[])
{
	for (int i = 0; i < 4000; i++) {
		int family = rand() % 3 ? AF_INET : AF_INET6;
		uint8_t addr[16];

		random_addr(addr, family);
		assert_int_equal(trie_lookup(a, peers, family, addr), ref_lookup(r, family, addr));
	}
	/* Every prefix's own address finds the same peer in both. */
	for (int i = 0; i < r->n; i++)
		assert_int_equal(trie_lookup(a, peers, r->e[i].p.family, r->e[i].p.addr),
				 ref_lookup(r, r->e[i].p.family, r->e[i].p.addr));
}

static void random_against_reference(void **state)
{
	static struct reference r;
	static int peers[PEERS];
	struct allowedips a;

	(void)state;
	srand(7);
	r.n = 0;
	allowedips_init(&a);
	for (int i = 0; i < ROUNDS; i++) {
		struct prefix p;
		int peer = rand() % PEERS;

		random_prefix(&p);
		assert_int_equal(allowedips_insert(&a, &p, &peers[peer]), 0);
		ref_insert(&r, &p, peer);
	}
	compare(&a, &r, peers);
	/* Take some prefixes away, one by one, and a whole peer. */
	for (int i = 0; i < r.n; i += 3)
		if (r.e[i].peer >= 0) {
			assert_int_equal(allowedips_remove(&a, &r.e[i].p, &peers[r.e[i].peer]), 0);
			r.e[i].peer = -1;
		}
	allowedips_remove_peer(&a, &peers[5]);
	for (int i = 0; i < r.n; i++)
		if (r.e[i].peer == 5)
			r.e[i].peer = -1;
	compare(&a, &r, peers);
	allowedips_free(&a);
}

static void remove_needs_the_owner(void **state)
{
	static int peers[2];
	struct allowedips a;
	struct prefix p = {.family = AF_INET, .len = 24, .addr = {10, 0, 0, 0}};

	(void)state;
	allowedips_init(&a);
	assert_int_equal(allowedips_insert(&a, &p, &peers[0]), 0);
	assert_int_equal(allowedips_remove(&a, &p, &peers[1]), -1);
	assert_ptr_equal(allowedips_lookup(&a, AF_INET, (uint8_t[]){10, 0, 0, 9}), &peers[0]);
	/* Inserting again hands it over. */
	assert_int_equal(allowedips_insert(&a, &p, &peers[1]), 0);
	assert_ptr_equal(allowedips_lookup(&a, AF_INET, (uint8_t[]){10, 0, 0, 9}), &peers[1]);
	allowedips_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_against_reference),
	    cmocka_unit_test(remove_needs_the_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
