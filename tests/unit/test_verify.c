/*
 * The check properties on committed captures, read with pcap_open_offline:
 * a clean run passes, and every break (dropped, duplicated, truncated,
 * fragmented) fails on the property it breaks.  Also the decoder on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/verify.h"
#include "lib/capture.h"
#include "lib/packet.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

static void load(const char *name, struct packet_list pts[VERIFY_POINTS])
{
	char pattern[512], err[512];

	memset(pts, 0, sizeof(struct packet_list) * VERIFY_POINTS);
	for (int i = 0; i < VERIFY_POINTS; i++) {
		struct capture c;
		const uint8_t *ip;
		size_t len;
		glob_t g;

		snprintf(pattern, sizeof(pattern), "%s/check/%s/%d-*.pcap", FIXTURES, name, i + 1);
		assert_int_equal(glob(pattern, 0, NULL, &g), 0);
		if (capture_open_file(&c, g.gl_pathv[0], err, sizeof(err)))
			fail_msg("%s", err);
		globfree(&g);
		while (capture_next(&c, &ip, &len, NULL) == 1)
			assert_int_equal(packets_add(&pts[i], ip, len), 0);
		capture_close(&c);
	}
}

static void judge(const char *name, bool pi, struct verdict *v)
{
	struct packet_list pts[VERIFY_POINTS];

	load(name, pts);
	verify(pts, pi, pi ? 1468 : 1472, v);
	for (int i = 0; i < VERIFY_POINTS; i++)
		packets_free(&pts[i]);
}

static void clean_run_passes(void **state)
{
	struct verdict v;

	(void)state;
	judge("ok", false, &v);
	assert_int_equal(v.probes, 18);
	for (int p = 0; p < PR_NO_CLEAR; p++)
		if (v.failed[p])
			fail_msg("%s: %s", property_names[p], v.evidence[p]);
	assert_true(v.skipped[PR_NO_CLEAR]);
}

static void pi_run_passes_only_as_pi(void **state)
{
	struct verdict v;

	(void)state;
	judge("pi", true, &v);
	assert_int_equal(v.probes, 18);
	assert_int_equal(v.failed[PR_ONCE] + v.failed[PR_LENGTH] + v.failed[PR_NAT], 0);
	/* Read as plaintext, the lengths are 4 bytes off and the inner packet is not where it
	 * should be. */
	judge("pi", false, &v);
	assert_int_equal(v.failed[PR_LENGTH], 18);
}

static void dropped(void **state)
{
	struct verdict v;

	(void)state;
	judge("drop", false, &v);
	assert_true(v.failed[PR_ONCE] > 0);
	assert_non_null(strstr(v.evidence[PR_ONCE], "0, 0, 0 datagrams"));
}

static void duplicated(void **state)
{
	struct verdict v;

	(void)state;
	judge("dup", false, &v);
	assert_int_equal(v.failed[PR_ONCE], v.probes);
	assert_non_null(strstr(v.evidence[PR_ONCE], "2, 2, 2 datagrams"));
}

static void truncated(void **state)
{
	struct verdict v;

	(void)state;
	judge("truncate", false, &v);
	assert_int_equal(v.failed[PR_ONCE], v.probes);
	assert_true(v.failed[PR_LENGTH] > 0);
}

static void fragmented(void **state)
{
	struct verdict v;

	(void)state;
	judge("fragment", false, &v);
	assert_true(v.failed[PR_NO_FRAGMENTS] > 0);
	assert_non_null(strstr(v.evidence[PR_NO_FRAGMENTS], "fragmented on home-router:wan"));
	assert_int_equal(v.failed[PR_ONCE], 0); /* they still arrive, reassembled */
}

static void nothing_captured(void **state)
{
	struct packet_list pts[VERIFY_POINTS] = {0};
	struct verdict v;

	(void)state;
	verify(pts, false, 1472, &v);
	assert_int_equal(v.probes, 0);
	assert_true(v.failed[PR_ONCE] > 0); /* no evidence is not a pass */
}

/* The decoder on every captured packet, inner packets included, never overruns. */
static void decode_fixtures(void **state)
{
	struct packet_list pts[VERIFY_POINTS];
	char line[160];
	int inner = 0;

	(void)state;
	load("ok", pts);
	for (int i = 0; i < VERIFY_POINTS; i++)
		for (int k = 0; k < pts[i].n; k++) {
			size_t n = pkt_decode_encap(pts[i].data[k], pts[i].len[k], 1234, line,
						    sizeof(line));
			assert_true(n < sizeof(line));
			inner += strstr(line, "| inner IPv") != NULL;
		}
	assert_true(inner >= 18 * 3); /* every probe, inside a datagram, on three links */
	for (int i = 0; i < VERIFY_POINTS; i++)
		packets_free(&pts[i]);
}

static void not_a_capture(void **state)
{
	struct capture c;
	char err[512];

	(void)state;
	assert_int_equal(capture_open_file(&c, FIXTURES "/../unit/test_verify.c", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a capture file"));
	assert_int_equal(capture_open_file(&c, "/nonexistent.pcap", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(clean_run_passes), cmocka_unit_test(pi_run_passes_only_as_pi),
	    cmocka_unit_test(dropped),		cmocka_unit_test(duplicated),
	    cmocka_unit_test(truncated),	cmocka_unit_test(fragmented),
	    cmocka_unit_test(nothing_captured), cmocka_unit_test(decode_fixtures),
	    cmocka_unit_test(not_a_capture),
	};
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
