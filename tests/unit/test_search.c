/* The path-MTU search against a scripted fake path: limits with ICMP, black holes, loss, IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/search.h"

#include <stdio.h>
#include <string.h>

struct fake {
	int limit;	 /* largest size that gets through */
	bool icmp;	 /* the limiting hop reports it */
	int report;	 /* the MTU it reports (normally limit) */
	int lose_every;	 /* lose every Nth packet, whatever its size (0: none) */
	int local_limit; /* the local stack refuses larger sizes (0: none) */
	int unreach_at;	 /* sizes at or above this get "unreachable" (0: never) */
	int sent;
};

static enum answer fake_probe(void *ctx, int size, struct probe_answer *a)
{
	struct fake *f = ctx;

	f->sent++;
	if (f->local_limit && size > f->local_limit)
		return a->kind = ANS_LOCAL;
	if (f->lose_every && f->sent % f->lose_every == 0)
		return a->kind = ANS_SILENCE;
	if (f->unreach_at && size >= f->unreach_at)
		return a->kind = ANS_UNREACH;
	if (size <= f->limit) {
		snprintf(a->from, sizeof(a->from), "203.0.113.10");
		return a->kind = ANS_REPLY;
	}
	if (!f->icmp)
		return a->kind = ANS_SILENCE;
	a->mtu = f->report;
	snprintf(a->from, sizeof(a->from), "192.168.1.1");
	return a->kind = ANS_TOO_BIG;
}

static struct search v4(void)
{
	return (struct search){.floor = 68, .ceiling = 1500, .retries = 2};
}

static void whole_path(void **state)
{
	struct fake f = {.limit = 1500};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1500);
	assert_int_equal(s.method, BY_REPLY);
	assert_true(s.reached);
	assert_int_equal(s.probes, 1); /* one probe when the path carries the first hop's MTU */
}

static void limit_reported_by_icmp(void **state)
{
	struct fake f = {.limit = 1492, .icmp = true, .report = 1492};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1492);
	assert_int_equal(s.method, BY_ICMP);
	assert_true(s.icmp);
	assert_int_equal(s.icmp_mtu, 1492);
	assert_string_equal(s.icmp_from, "192.168.1.1");
	assert_int_equal(s.probes, 2); /* 1500, then straight to the reported 1492 */
}

static void black_hole(void **state)
{
	struct fake f = {.limit = 1400};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1400);
	assert_int_equal(s.method, BY_SILENCE);
	assert_true(s.silence);
	assert_false(s.icmp);
}

/* Every third packet lost: retries keep loss from being taken for a limit. */
static void loss_is_not_a_limit(void **state)
{
	(void)state;
	for (int every = 2; every <= 5; every++) {
		struct fake f = {.limit = 1500, .lose_every = every};
		struct search s = v4();

		assert_int_equal(search_run(&s, fake_probe, &f), 0);
		assert_int_equal(s.largest, 1500);
		assert_int_equal(s.method, BY_REPLY);
	}
	for (int every = 3; every <= 5; every++) {
		struct fake f = {.limit = 1400, .lose_every = every};
		struct search s = v4();

		assert_int_equal(search_run(&s, fake_probe, &f), 0);
		assert_int_equal(s.largest, 1400);
	}
}

/* A router that reports nonsense (larger than what it dropped) is not believed. */
static void implausible_report(void **state)
{
	struct fake f = {.limit = 1300, .icmp = true, .report = 9000};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1300);
	assert_int_not_equal(s.method, BY_REPLY);
}

static void ipv6_floor(void **state)
{
	struct fake f = {.limit = 1280, .icmp = true, .report = 1280};
	struct search s = {.floor = 1280, .ceiling = 1500, .retries = 1};

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1280);
	assert_int_equal(s.method, BY_ICMP);

	/* Below IPv6's minimum nothing is tried: the path is simply broken. */
	f = (struct fake){.limit = 1000};
	s = (struct search){.floor = 1280, .ceiling = 1500, .retries = 1};
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 0);
	assert_int_equal(s.method, BY_NOTHING);
}

static void local_limit(void **state)
{
	struct fake f = {.limit = 1500, .local_limit = 1472};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), 0);
	assert_int_equal(s.largest, 1472);
	assert_int_equal(s.method, BY_LOCAL);
}

static void unreachable(void **state)
{
	struct fake f = {.limit = 1500, .unreach_at = 1};
	struct search s = v4();

	(void)state;
	assert_int_equal(search_run(&s, fake_probe, &f), -1);
}

/* The search finds every limit exactly, whatever it is. */
static void every_limit(void **state)
{
	(void)state;
	for (int limit = 68; limit <= 1500; limit += 37) {
		struct fake silent = {.limit = limit},
			    told = {.limit = limit, .icmp = true, .report = limit};
		struct search a = v4(), b = v4();

		assert_int_equal(search_run(&a, fake_probe, &silent), 0);
		assert_int_equal(a.largest, limit);
		assert_int_equal(search_run(&b, fake_probe, &told), 0);
		assert_int_equal(b.largest, limit);
		assert_true(b.probes <= 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_path),	  cmocka_unit_test(limit_reported_by_icmp),
	    cmocka_unit_test(black_hole),	  cmocka_unit_test(loss_is_not_a_limit),
	    cmocka_unit_test(implausible_report), cmocka_unit_test(ipv6_floor),
	    cmocka_unit_test(local_limit),	  cmocka_unit_test(unreachable),
	    cmocka_unit_test(every_limit),
	};
	return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
