/* The harness's records: written before acting, read back whole, checked against /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/lab.h"
#include "harness/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void lab_names(void **state)
{
	struct lab lab;
	char err[256], ns[64];

	(void)state;
	assert_int_equal(lab_init(&lab, "default", err, sizeof(err)), 0);
	assert_string_equal(lab_ns(&lab, lab_role(&lab, ROLE_CLIENT), ns, sizeof(ns)),
			    "home-laptop");
	lab_fini(&lab);
	assert_int_equal(lab_init(&lab, "t1", err, sizeof(err)), 0);
	assert_string_equal(lab_ns(&lab, lab_role(&lab, ROLE_TARGET), ns, sizeof(ns)),
			    "t1-office-host");
	assert_string_equal(lab.dir, "/run/tunlab/t1");
	assert_int_equal(lab_node(&lab, "office-server"), lab_role(&lab, ROLE_SERVER));
	assert_int_equal(lab_node(&lab, "office"), -1);
	lab_fini(&lab);
	assert_int_equal(lab_init(&lab, "Bad", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Bad"));
	assert_int_equal(lab_init(&lab, "-x", err, sizeof(err)), -1);
	assert_int_equal(lab_init(&lab, "a/b", err, sizeof(err)), -1);
	assert_int_equal(lab_init(&lab, "seventeen-chars-x", err, sizeof(err)), -1);
}

/* The laptops up --clients adds, and the namespaces a lab may claim. */
static void extra_laptops(void **state)
{
	struct lab lab;
	char err[128];

	(void)state;
	assert_true(lab_extra_laptop("laptop-2"));
	assert_true(lab_extra_laptop("laptop-64"));
	assert_false(lab_extra_laptop("laptop-"));
	assert_false(lab_extra_laptop("laptop-100"));
	assert_false(lab_extra_laptop("laptop-2x"));
	assert_false(lab_extra_laptop("laptop--2"));
	assert_false(lab_extra_laptop("laptop"));
	assert_false(lab_extra_laptop("home-laptop"));
	assert_int_equal(lab_init(&lab, "t1", err, sizeof(err)), 0);
	assert_string_equal(lab_ns_node(&lab, "t1-laptop-3"), "laptop-3");
	assert_null(lab_ns_node(&lab, "t2-laptop-3"));
	assert_null(lab_ns_node(&lab, "t1laptop-3"));
	lab_fini(&lab);
	assert_int_equal(lab_init(&lab, "default", err, sizeof(err)), 0);
	assert_string_equal(lab_ns_node(&lab, "laptop-3"), "laptop-3");
	lab_fini(&lab);
}

static void records_roundtrip(void **state)
{
	struct record a = {.kind = REC_NETNS}, b = {.kind = REC_PROC}, *recs;
	struct lab lab;
	char err[256], tmpl[] = "/tmp/tunlab-state-XXXXXX";
	int n;

	(void)state;
	assert_int_equal(lab_init(&lab, "unit", err, sizeof(err)), 0);
	assert_non_null(mkdtemp(tmpl));
	snprintf(lab.dir, sizeof(lab.dir), "%s", tmpl);
	assert_false(state_exists(&lab));
	assert_int_equal(state_begin(&lab, err, sizeof(err)), 0);
	assert_true(state_exists(&lab));
	/* A second begin must refuse: the lab is already recorded. */
	assert_int_equal(state_begin(&lab, err, sizeof(err)), -1);
	snprintf(a.name, sizeof(a.name), "unit-home-laptop");
	b.pid = getpid();
	b.start = proc_start_time(b.pid);
	snprintf(b.name, sizeof(b.name), "office-server");
	snprintf(b.what, sizeof(b.what), "tunnel");
	assert_int_equal(state_add(&lab, &a), 0);
	assert_int_equal(state_add(&lab, &b), 0);
	n = state_load(&lab, &recs);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0].kind, REC_NETNS);
	assert_string_equal(recs[0].name, "unit-home-laptop");
	assert_int_equal(recs[1].kind, REC_PROC);
	assert_int_equal(recs[1].pid, getpid());
	assert_true(proc_is(recs[1].pid, recs[1].start));
	free(recs);
	assert_int_equal(state_remove(&lab), 0);
	assert_int_equal(access(tmpl, F_OK), -1);
	lab_fini(&lab);
}

static void torn_and_junk_lines_are_skipped(void **state)
{
	struct record *recs;
	struct lab lab;
	char err[256], tmpl[] = "/tmp/tunlab-state-XXXXXX", path[128];
	FILE *f;

	(void)state;
	assert_int_equal(lab_init(&lab, "unit", err, sizeof(err)), 0);
	assert_non_null(mkdtemp(tmpl));
	snprintf(lab.dir, sizeof(lab.dir), "%s", tmpl);
	snprintf(path, sizeof(path), "%s/state", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("netns a\nproc 1 5 x tunnel\nproc 12 notanumber x y\nbogus\nproc 77 9 office-server "
	      "tun",
	      f);
	fclose(f);
	/* Records others could have written are not records. */
	chmod(path, 0644);
	assert_int_equal(state_load(&lab, &recs), -1);
	assert_int_equal(errno, EPERM);
	chmod(path, 0600);
	/* PID 1 is never ours to stop, and the other lines are not records. */
	assert_int_equal(state_load(&lab, &recs), 2);
	assert_int_equal(recs[1].pid, 77);
	assert_string_equal(recs[1].what, "tun");
	free(recs);
	state_remove(&lab);
	lab_fini(&lab);
}

static void recycled_pid_is_not_ours(void **state)
{
	unsigned long long start = proc_start_time(getpid());

	(void)state;
	assert_true(start > 0);
	assert_true(proc_is(getpid(), start));
	/* Same PID, other start time: somebody else's process now. */
	assert_false(proc_is(getpid(), start + 1));
	assert_false(proc_is(1, proc_start_time(1)));
	assert_int_equal(proc_start_time(-5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lab_names),
	    cmocka_unit_test(extra_laptops),
	    cmocka_unit_test(records_roundtrip),
	    cmocka_unit_test(torn_and_junk_lines_are_skipped),
	    cmocka_unit_test(recycled_pid_is_not_ours),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
