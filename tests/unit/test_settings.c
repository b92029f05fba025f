/* The lab's impairment and MTU settings, as typed on the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/settings.h"

#include <string.h>

static void durations(void **state)
{
	uint64_t ns;

	(void)state;
	assert_int_equal(parse_duration("20ms", &ns), 0);
	assert_int_equal(ns, 20000000);
	assert_int_equal(parse_duration("1.5ms", &ns), 0);
	assert_int_equal(ns, 1500000);
	assert_int_equal(parse_duration("20", &ns), 0); /* bare numbers are milliseconds */
	assert_int_equal(ns, 20000000);
	assert_int_equal(parse_duration("2s", &ns), 0);
	assert_int_equal(ns, 2000000000ULL);
	assert_int_equal(parse_duration("500us", &ns), 0);
	assert_int_equal(ns, 500000);
	assert_int_equal(parse_duration("0", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(parse_duration("", &ns), -1);
	assert_int_equal(parse_duration("-5ms", &ns), -1);
	assert_int_equal(parse_duration("5 ms", &ns), -1);
	assert_int_equal(parse_duration("5parsecs", &ns), -1);
	assert_int_equal(parse_duration("61s", &ns), -1);
	assert_int_equal(parse_duration("nan", &ns), -1);
	assert_int_equal(parse_duration("inf", &ns), -1);
}

static void percentages(void **state)
{
	double p;

	(void)state;
	assert_int_equal(parse_percent("1%", &p), 0);
	assert_true(p == 1.0);
	assert_int_equal(parse_percent("0.5", &p), 0);
	assert_true(p == 0.5);
	assert_int_equal(parse_percent("100", &p), 0);
	assert_int_equal(parse_percent("100.1", &p), -1);
	assert_int_equal(parse_percent("5%%", &p), -1);
	assert_int_equal(parse_percent("-1", &p), -1);
	assert_int_equal(parse_percent("x", &p), -1);
}

static void rates(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(parse_rate("10mbit", &b), 0);
	assert_int_equal(b, 1250000);
	assert_int_equal(parse_rate("500kbit", &b), 0);
	assert_int_equal(b, 62500);
	assert_int_equal(parse_rate("1gbit", &b), 0);
	assert_int_equal(b, 125000000);
	assert_int_equal(parse_rate("1.5Gbit", &b), 0);
	assert_int_equal(b, 187500000);
	assert_int_equal(parse_rate("0", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(parse_rate("10", &b), -1); /* a unit is needed */
	assert_int_equal(parse_rate("1bit", &b), -1);
	assert_int_equal(parse_rate("10mbps", &b), -1);
	assert_int_equal(parse_rate("999gbit", &b), -1);
}

static void options(void **state)
{
	struct settings s;
	char err[256];

	(void)state;
	settings_init(&s);
	assert_int_equal(s.block_icmp, -1);
	assert_int_equal(settings_option(&s, 'W', "1492", err, sizeof(err)), 1);
	assert_int_equal(s.wan_mtu, 1492);
	assert_int_equal(settings_option(&s, 'B', NULL, err, sizeof(err)), 1);
	assert_int_equal(s.block_icmp, 1);
	assert_int_equal(settings_option(&s, 'S', "2%", err, sizeof(err)), 1);
	assert_true(s.impair);
	assert_int_equal(settings_option(&s, 'x', "", err, sizeof(err)), 0);
	assert_int_equal(settings_option(&s, 'O', "575", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--office-mtu '575'"));
	assert_int_equal(settings_option(&s, 'T', "9001", err, sizeof(err)), -1);
	assert_int_equal(settings_option(&s, 'R', "fast", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rate 'fast'"));
	assert_int_equal(settings_option(&s, 'D', "1h", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--delay '1h'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(durations),
	    cmocka_unit_test(percentages),
	    cmocka_unit_test(rates),
	    cmocka_unit_test(options),
	};
	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
