/* Addresses as users type them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/addr.h"

#include <arpa/inet.h>
#include <string.h>

static void prefixes(void **state)
{
	struct prefix p;
	char err[160], s[64];
	uint8_t in[4] = {172, 31, 9, 200}, out[4] = {192, 168, 1, 1};

	(void)state;
	assert_int_equal(prefix_parse("172.16.0.0/12", true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 12);
	assert_true(prefix_contains(&p, in));
	assert_false(prefix_contains(&p, out));
	assert_string_equal(prefix_str(&p, s, sizeof(s)), "172.16.0.0/12");
	assert_int_equal(prefix_parse("fd00:172:31::/48", true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(prefix_parse("10.1.2.3", false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(prefix_parse("0.0.0.0/0", true, &p, err, sizeof(err)), 0);
	assert_true(prefix_contains(&p, out));
}

static void bad_prefixes(void **state)
{
	static const char *const bad[] = {"",
					  "/24",
					  "1.2.3/24",
					  "1.2.3.4/",
					  "1.2.3.4/-1",
					  "1.2.3.4/33",
					  "1.2.3.4/2x",
					  "::1/129",
					  "1.2.3.4 /24",
					  "a-very-long-string-that-is-not-an-address-at-all-/1"};
	struct prefix p;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(prefix_parse(bad[i], true, &p, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(prefix_parse("1.2.3.4", true, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "prefix length"));
}

static void host_and_port(void **state)
{
	char host[64], err[160];
	uint16_t port;

	(void)state;
	port = 1234;
	assert_int_equal(
	    hostport_split("203.0.113.10", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "203.0.113.10");
	assert_int_equal(port, 1234);
	assert_int_equal(
	    hostport_split("203.0.113.10:99", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_int_equal(port, 99);
	assert_int_equal(
	    hostport_split("[2001:db8::1]:7", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 7);
	port = 1234;
	assert_int_equal(hostport_split("2001:db8::1", host, sizeof(host), &port, err, sizeof(err)),
			 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 1234);
	assert_int_equal(
	    hostport_split("[2001:db8::1", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(hostport_split("[::1]x", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(hostport_split("h:0", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(hostport_split("h:", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(hostport_split(":80", host, sizeof(host), &port, err, sizeof(err)), -1);
}

static void resolve_literals(void **state)
{
	struct sockaddr_storage ss;
	char err[160], s[64];

	(void)state;
	assert_int_equal(hostport_resolve("203.0.113.10", 1234, &ss, err, sizeof(err)), 0);
	assert_string_equal(sockaddr_str(&ss, s, sizeof(s)), "203.0.113.10:1234");
	assert_int_equal(hostport_resolve("[2001:db8:203::10]:9", 1234, &ss, err, sizeof(err)), 0);
	assert_string_equal(sockaddr_str(&ss, s, sizeof(s)), "[2001:db8:203::10]:9");
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(hostport_resolve("localhost:5", 1234, &ss, err, sizeof(err)), 0);
}

static void port_numbers(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(port_parse("1", &p), 0);
	assert_int_equal(port_parse("65535", &p), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(port_parse("0", &p), -1);
	assert_int_equal(port_parse("65536", &p), -1);
	assert_int_equal(port_parse("", &p), -1);
	assert_int_equal(port_parse("8o", &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(prefixes),	     cmocka_unit_test(bad_prefixes),
	    cmocka_unit_test(host_and_port), cmocka_unit_test(resolve_literals),
	    cmocka_unit_test(port_numbers),
	};
	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
