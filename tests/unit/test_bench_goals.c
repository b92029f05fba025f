/* bench's goals: which are measured, against what, and which are met. */
#include "harness/bench.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct bench bench;

/* A path with TCP1 up in Mbit/s, 64-byte kpps, RTT ms, CPU s/GB and RSS MiB. */
static void path(enum path_id k, double mbps, double kpps, double rtt, double cpu, double rss)
{
	struct path *p = &bench.paths[bench.npaths++];

	memset(p, 0, sizeof(*p));
	p->kind = k;
	p->fig.tcp[TCP1_UP] = mbps * 1e6;
	p->fig.pps = kpps * 1e3;
	p->fig.rtt_median = rtt;
	p->fig.cpu_per_gb = cpu;
	p->fig.rss = rss < 0 ? -1 : rss * 1048576;
}

static int setup(void **state)
{
	(void)state;
	memset(&bench, 0, sizeof(bench));
	return 0;
}

static const struct goal *goal(const struct goal *g, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(g[i].key, key))
			return &g[i];
	return NULL;
}

/* The table: encrypted 2032, plaintext 5187, wireguard-go 345 Mbit/s, and so on. */
static void all_paths(void **state)
{
	struct goal g[GOALS_MAX];
	int n;

	(void)state;
	path(PATH_BARE, 10697, 148.72, 0.054, -1, -1);
	path(PATH_PLAINTEXT, 5187, 100.566, 0.275, 1.74, 5.6);
	path(PATH_ENCRYPTED, 2032, 68.952, 0.303, 6.06, 7.8);
	path(PATH_WIREGUARD_GO, 345, 28.143, 0.692, 36.9, 60);
	n = bench_goals(&bench, g, GOALS_MAX);
	assert_int_equal(n, 10);
	assert_float_equal(goal(g, n, "encrypted_tcp_of_plaintext")->value, 2032.0 / 5187, 1e-9);
	assert_false(goal_met(goal(g, n, "encrypted_tcp_of_plaintext")));
	assert_float_equal(goal(g, n, "encrypted_tcp_of_wireguard_go")->value, 2032.0 / 345, 1e-9);
	assert_false(goal_met(goal(g, n, "encrypted_tcp_of_wireguard_go"))); /* 5.9 < 8 */
	assert_float_equal(goal(g, n, "encrypted_cpu_of_wireguard_go")->value, 6.06 / 36.9, 1e-9);
	assert_false(goal_met(goal(g, n, "encrypted_cpu_of_wireguard_go"))); /* 0.16 > 0.12 */
	assert_false(goal_met(goal(g, n, "encrypted_pps_of_wireguard_go"))); /* 2.45 < 3 */
	/* Added RTT: (0.303 - 0.054) / (0.692 - 0.054) = 0.39, over a third. */
	assert_float_equal(goal(g, n, "encrypted_rtt_of_wireguard_go")->value,
			   (0.303 - 0.054) / (0.692 - 0.054), 1e-9);
	assert_false(goal_met(goal(g, n, "encrypted_rtt_of_wireguard_go")));
	/* (0.275 - 0.054) / 0.638 = 0.346: just over a third. */
	assert_float_equal(goal(g, n, "plaintext_rtt_of_wireguard_go")->value,
			   (0.275 - 0.054) / (0.692 - 0.054), 1e-9);
	assert_false(goal_met(goal(g, n, "plaintext_rtt_of_wireguard_go")));
	assert_true(goal_met(goal(g, n, "plaintext_tcp_of_bare"))); /* 0.485 >= 0.33 */
	assert_float_equal(goal(g, n, "plaintext_tcp_of_bare")->target, 0.33, 1e-9);
	assert_false(goal_met(goal(g, n, "plaintext_pps_of_bare"))); /* 0.676 < 0.8 */
	assert_true(goal_met(goal(g, n, "encrypted_rss_mib")));
	assert_float_equal(goal(g, n, "plaintext_rss_mib")->value, 5.6, 1e-9);
}

/* The pair measures the tunnels' own cost: plaintext is held to 45% of the bare link. */
static void pair(void **state)
{
	struct goal g[GOALS_MAX];
	int n;

	(void)state;
	bench.pair = true;
	path(PATH_BARE, 10000, 100, 0.05, -1, -1);
	path(PATH_PLAINTEXT, 4000, 85, 0.2, 1.5, 5);
	n = bench_goals(&bench, g, GOALS_MAX);
	assert_int_equal(n, 3);
	assert_float_equal(goal(g, n, "plaintext_tcp_of_bare")->target, 0.45, 1e-9);
	assert_false(goal_met(goal(g, n, "plaintext_tcp_of_bare"))); /* 0.40 */
	assert_true(goal_met(goal(g, n, "plaintext_pps_of_bare")));  /* 0.85 */
	assert_non_null(goal(g, n, "plaintext_rss_mib"));
}

/* A goal needs both of its paths, and a figure that was measured. */
static void only_what_was_measured(void **state)
{
	struct goal g[GOALS_MAX];
	int n;

	(void)state;
	path(PATH_BARE, 10000, 100, 0.05, -1, -1);
	path(PATH_ENCRYPTED, 3000, 70, 0.2, 2, 8);
	n = bench_goals(&bench, g, GOALS_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(g[0].key, "encrypted_rss_mib");

	/* wireguard-go without CPU figures, and adding no RTT: those two ratios are unknown. */
	path(PATH_WIREGUARD_GO, 300, 20, 0.05, -1, -1);
	n = bench_goals(&bench, g, GOALS_MAX);
	assert_null(goal(g, n, "encrypted_cpu_of_wireguard_go"));
	assert_null(goal(g, n, "encrypted_rtt_of_wireguard_go"));
	assert_true(goal_met(goal(g, n, "encrypted_tcp_of_wireguard_go"))); /* 10× */
	assert_true(goal_met(goal(g, n, "encrypted_pps_of_wireguard_go"))); /* 3.5× */
	/* The list stops at what the caller has room for. */
	assert_int_equal(bench_goals(&bench, g, 2), 2);
}

/* A goal met exactly is met, on either side. */
static void at_the_target(void **state)
{
	struct goal most = {"k", "w", 0.12, 0.12, true, "×"}, least = {"k", "w", 8, 8, false, "×"};

	(void)state;
	assert_true(goal_met(&most));
	assert_true(goal_met(&least));
	most.value = 0.1201;
	least.value = 7.999;
	assert_false(goal_met(&most));
	assert_false(goal_met(&least));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(all_paths, setup),
	    cmocka_unit_test_setup(pair, setup),
	    cmocka_unit_test_setup(only_what_was_measured, setup),
	    cmocka_unit_test_setup(at_the_target, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
