/* The MTU arithmetic the tunnel prints and the probe checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/messages.h"
#include "lib/mtu.h"
#include "tunnel/wire.h"

#include <string.h>

static void blog_figures(void **state)
{
	struct mtu_calc m;

	(void)state;
	/* 1500 - 20 - 8 = 1472, and 1472 - 20 - 8 = 1444 for ping. */
	assert_int_equal(mtu_compute(1500, 4, (int)wire_overhead(MODE_PLAINTEXT), &m), 1472);
	assert_int_equal(mtu_ping_payload(m.tunnel, 4), 1444);
	/* The PI header costs 4 bytes more: 1440. */
	assert_int_equal(mtu_compute(1500, 4, (int)wire_overhead(MODE_PI), &m), 1468);
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
	mtu_explain(&m, wire_mode_mtu(MODE_PLAINTEXT)->what, line, sizeof(line));
	assert_string_equal(line, "1500 (underlay) - 20 (outer IPv4) - 8 (UDP) = 1472");
	mtu_compute(1500, 6, 4, &m);
	mtu_explain(&m, wire_mode_mtu(MODE_PI)->what, line, sizeof(line));
	assert_string_equal(line,
			    "1500 (underlay) - 40 (outer IPv6) - 8 (UDP) - 4 (PI header) = 1448");
}

/* The modes' figures are the tunnel's own: the PI header, the data message, its padding. */
static void modes(void **state)
{
	(void)state;
	assert_int_equal(mtu_mode_named("plaintext")->overhead, (int)wire_overhead(MODE_PLAINTEXT));
	assert_int_equal(mtu_mode_named("pi")->overhead, (int)wire_overhead(MODE_PI));
	assert_int_equal(mtu_mode_named("encrypted")->overhead, MSG_DATA_OVERHEAD);
	assert_int_equal(mtu_mode_named("encrypted")->padding, MSG_PADDING);
	assert_int_equal(mtu_mode_named("plaintext")->padding, 0);
	assert_int_equal(mtu_mode_named("pi")->padding, 0);
	assert_string_equal(mtu_mode_named("pi")->what, wire_mode_mtu(MODE_PI)->what);
	assert_null(mtu_mode_named("wireguard"));
}

/* One enum names the modes for both programs; each has its entry in the arithmetic. */
static void one_mode_enum(void **state)
{
	(void)state;
	assert_string_equal(wire_mode_name(MODE_PLAINTEXT), "plaintext");
	assert_string_equal(wire_mode_name(MODE_PI), "pi");
	assert_string_equal(wire_mode_name(MODE_ENCRYPTED), "encrypted");
	for (int m = MODE_PLAINTEXT; m <= MODE_ENCRYPTED; m++)
		assert_string_equal(wire_mode_mtu((enum wire_mode)m)->name,
				    wire_mode_name((enum wire_mode)m));
	assert_int_equal(wire_mode_mtu(MODE_ENCRYPTED)->overhead, MTU_WG_DATA);
	/* Outer IP, UDP and the mode's bytes: what the tunnel's path MTU checks add. */
	assert_int_equal(mtu_overhead(4, 0), 28);
	assert_int_equal(mtu_overhead(6, MTU_PI_HDR), 52);
	assert_int_equal(mtu_overhead(6, MTU_WG_DATA), 80);
}

/* The encrypted lab: 1500 - 20 - 8 - 32 = 1440, and 1412 for ping. */
static void encrypted_figures(void **state)
{
	struct mtu_calc m;
	char line[160];

	(void)state;
	assert_int_equal(mtu_compute(1500, 4, MTU_WG_DATA, &m), 1440);
	assert_int_equal(mtu_ping_payload(m.tunnel, 4), 1412);
	mtu_explain(&m, "encrypted", line, sizeof(line));
	assert_string_equal(line,
			    "1500 (underlay) - 20 (outer IPv4) - 8 (UDP) - 32 (encrypted) = 1440");
	/* A server with no endpoint yet assumes IPv6 outer headers: 1420. */
	assert_int_equal(mtu_compute(1500, 6, MTU_WG_DATA, &m), 1420);
	/* PPPoE allows 1432; a black hole at 1400 allows 1340. */
	assert_int_equal(mtu_compute(1492, 4, MTU_WG_DATA, &m), 1432);
	assert_int_equal(mtu_compute(1400, 4, MTU_WG_DATA, &m), 1340);
}

/* Padding stops at the device MTU: 1432 fits once the device says 1432, not at 1440. */
static void largest_inner(void **state)
{
	(void)state;
	/* 1437 bytes on a 1440-byte device go out as 1440, not 1448. */
	assert_int_equal(msg_padded_len(1437, 1440), 1440);
	assert_int_equal(mtu_largest_inner(1432, 1440, 16), 1424);
	assert_int_equal(mtu_largest_inner(1432, 1432, 16), 1432);
	assert_int_equal(mtu_largest_inner(1340, 1440, 16), 1328);
	assert_int_equal(mtu_largest_inner(1340, 1340, 16), 1340);
	assert_int_equal(mtu_largest_inner(1440, 1500, 16), 1440);
	assert_int_equal(mtu_largest_inner(1432, 1420, 16), 1420);
	/* No padding: whatever the path allows, or the device if it is lower. */
	assert_int_equal(mtu_largest_inner(1464, 1472, 0), 1464);
	assert_int_equal(mtu_largest_inner(1464, 1400, 0), 1400);
}

/* The formula against the tunnel's own padding, packet by packet. */
static void largest_inner_is_what_the_tunnel_pads(void **state)
{
	(void)state;
	for (int dev = 1260; dev <= 1520; dev += 3)
		for (int allowed = 1250; allowed <= 1530; allowed++) {
			int largest = 0;

			for (int len = dev; len > 0 && !largest; len--)
				if ((int)msg_padded_len((size_t)len, dev) <= allowed)
					largest = len;
			assert_int_equal(mtu_largest_inner(allowed, dev, MSG_PADDING), largest);
		}
}

static void largest_explained(void **state)
{
	char line[160];

	(void)state;
	mtu_explain_largest(1432, 1440, 16, line, sizeof(line));
	assert_string_equal(line, "1432 rounded down to a multiple of 16: 1425..1432 are padded "
				  "to 1440 (the device MTU) and do not fit");
	mtu_explain_largest(1340, 1440, 16, line, sizeof(line));
	assert_string_equal(line, "1340 rounded down to a multiple of 16: 1329..1340 are padded "
				  "to 1344 and do not fit");
	mtu_explain_largest(1432, 1432, 16, line, sizeof(line));
	assert_string_equal(line, "1432, the device MTU, where padding stops");
	mtu_explain_largest(1464, 1472, 0, line, sizeof(line));
	assert_string_equal(line, "1464, what the path allows");
	mtu_explain_largest(1464, 1464, 0, line, sizeof(line));
	assert_string_equal(line, "1464, the device MTU");
}

/* What the harness used to add up by hand: headers, the MSS to clamp, the lab's WireGuard MTU. */
static void headers_and_mss(void **state)
{
	(void)state;
	assert_int_equal(mtu_ip_header(4), 20);
	assert_int_equal(mtu_ip_header(6), 40);
	assert_int_equal(mtu_mss(1420, 4), 1380);
	assert_int_equal(mtu_mss(1420, 6), 1360);
	assert_int_equal(mtu_overhead(4, 0), 28);
	assert_int_equal(mtu_overhead(4, MTU_PI_HDR), 32);
	assert_int_equal(mtu_overhead(6, MTU_WG_DATA), 80);
	assert_int_equal(MTU_ETHERNET - mtu_overhead(4, MTU_WG_DATA), 1440);
	assert_int_equal(MTU_ETHERNET - mtu_overhead(6, MTU_WG_DATA), 1420);
	assert_int_equal(MTU_ETHERNET - mtu_overhead(4, 0), 1472);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(blog_figures),
	    cmocka_unit_test(ipv6_outer_and_inner),
	    cmocka_unit_test(small_underlays),
	    cmocka_unit_test(explained),
	    cmocka_unit_test(modes),
	    cmocka_unit_test(one_mode_enum),
	    cmocka_unit_test(encrypted_figures),
	    cmocka_unit_test(largest_inner),
	    cmocka_unit_test(largest_inner_is_what_the_tunnel_pads),
	    cmocka_unit_test(largest_explained),
	    cmocka_unit_test(headers_and_mss),
	};
	return cmocka_run_group_tests_name("mtu", tests, NULL, NULL);
}
