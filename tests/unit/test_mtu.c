/* The MTU arithmetic the tunnel prints and the probe checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/mtu.h"
#include "tunnel/wire.h"

#include <string.h>

static void blog_figures(void **state)
{
	struct mtu_calc m;

	(void)state;
	/* 1500 - 20 - 8 = 1472, and 1472 - 20 - 8 = 1444 for ping. */
	assert_int_equal(mtu_compute(1500, 4, (int)wire_overhead(WIRE_PLAIN), &m), 1472);
	assert_int_equal(mtu_ping_payload(m.tunnel, 4), 1444);
	/* The PI header costs 4 bytes more: 1440. */
	assert_int_equal(mtu_compute(1500, 4, (int)wire_overhead(WIRE_PI), &m), 1468);
	assert_int_equal(mtu_ping_payload(m.tunnel, 4), 1440);
}

static void ipv6_outer_and_inner(void **state)
{
	struct mtu_calc m;

	(void)state;
	assert_int_equal(mtu_compute(1500, 6, 0, &m), 1452);
	assert_int_equal(m.outer_ip, 40);
	assert_int_equal(mtu_compute(1500, 6, 4, &m), 1448);
	assert_int_equal(mtu_ping_payload(1472, 6), 1424);
}

static void small_underlays(void **state)
{
	struct mtu_calc m;

	(void)state;
	assert_int_equal(mtu_compute(1492, 4, 0, &m), 1464); /* PPPoE */
	assert_int_equal(mtu_compute(1280, 4, 0, &m), 1252); /* a mobile link */
	assert_int_equal(mtu_compute(1280, 6, 0, &m), 1232); /* below IPv6's minimum inside */
	assert_true(m.tunnel < MTU_MIN_IPV6);
}

static void explained(void **state)
{
	struct mtu_calc m;
	char line[160];

	(void)state;
	mtu_compute(1500, 4, 0, &m);
	mtu_explain(&m, wire_name(WIRE_PLAIN), line, sizeof(line));
	assert_string_equal(line, "1500 (underlay) - 20 (outer IPv4) - 8 (UDP) = 1472");
	mtu_compute(1500, 6, 4, &m);
	mtu_explain(&m, wire_name(WIRE_PI), line, sizeof(line));
	assert_string_equal(line,
			    "1500 (underlay) - 40 (outer IPv6) - 8 (UDP) - 4 (PI header) = 1448");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(blog_figures),
	    cmocka_unit_test(ipv6_outer_and_inner),
	    cmocka_unit_test(small_underlays),
	    cmocka_unit_test(explained),
	};
	return cmocka_run_group_tests_name("mtu", tests, NULL, NULL);
}
