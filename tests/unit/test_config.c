/* The tunnel's command line: what it accepts, and one clear line for everything it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tunnel/config.h"

#include <string.h>

#define ARGV(...)	   ((char *[]){"tunnel", __VA_ARGS__, NULL})
#define ARGC(...)	   ((int)(sizeof((char *[]){"tunnel", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(c, err, ...) config_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), c, err, sizeof(err))

static void server_defaults(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--listen"), CONFIG_OK);
	assert_int_equal(c.role, ROLE_SERVER);
	assert_int_equal(c.port, 1234);
	assert_string_equal(c.dev, "tun0");
	assert_int_equal(c.mtu, 0);
	assert_false(c.pi);
	assert_int_equal(c.verbosity, 1);
}

static void client_full(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--server", "203.0.113.10:4000", "--dev", "vpn7", "--addr",
			       "172.31.255.7/24", "--addr", "fd00::7/64", "--route",
			       "172.16.0.0/12", "--route", "10.0.0.0/8", "--mtu", "1400", "--pi",
			       "-v"),
			 CONFIG_OK);
	assert_int_equal(c.role, ROLE_CLIENT);
	assert_string_equal(c.server, "203.0.113.10:4000");
	assert_string_equal(c.dev, "vpn7");
	assert_int_equal(c.naddrs, 2);
	assert_int_equal(c.addrs[1].family, AF_INET6);
	assert_int_equal(c.addrs[0].len, 24);
	assert_int_equal(c.nroutes, 2);
	assert_int_equal(c.routes[0].len, 12);
	assert_int_equal(c.mtu, 1400);
	assert_true(c.pi);
	assert_int_equal(c.verbosity, 2);
}

static void equals_form_and_quiet(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--listen", "--port=5555", "-q"), CONFIG_OK);
	assert_int_equal(c.port, 5555);
	assert_int_equal(c.verbosity, 0);
}

static void help(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--help"), CONFIG_HELP);
	assert_int_equal(PARSE(&c, err, "-h"), CONFIG_HELP);
}

/* Each refusal names what is wrong. */
static void expect_error(int rc, const char *err, const char *needle)
{
	assert_int_equal(rc, CONFIG_ERROR);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	assert_null(strchr(err, '\n'));
}

/* The session keys leave a tunnel only when asked for, and only in encrypted mode. */
static void export_keys(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "-c", "wg0.conf"), CONFIG_OK);
	assert_false(c.export_keys);
	assert_int_equal(PARSE(&c, err, "-c", "wg0.conf", "--export-keys"), CONFIG_OK);
	assert_true(c.export_keys);
	expect_error(PARSE(&c, err, "--listen", "--export-keys"), err, "--export-keys");
}

static void refusals(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	expect_error(config_parse(1, ARGV(NULL), &c, err, sizeof(err)), err, "--listen");
	expect_error(PARSE(&c, err, "--listen", "--server", "1.2.3.4"), err, "exclude");
	expect_error(PARSE(&c, err, "--server", "x", "--listen"), err, "exclude");
	expect_error(PARSE(&c, err, "--listen", "--port", "0"), err, "--port");
	expect_error(PARSE(&c, err, "--listen", "--port", "65536"), err, "65536");
	expect_error(PARSE(&c, err, "--listen", "--port", "12ab"), err, "12ab");
	expect_error(PARSE(&c, err, "--listen", "--addr", "172.31.255.7"), err, "prefix length");
	expect_error(PARSE(&c, err, "--listen", "--addr", "172.31.255.777/24"), err,
		     "172.31.255.777");
	expect_error(PARSE(&c, err, "--listen", "--addr", "10.0.0.1/33"), err, "prefix length");
	expect_error(PARSE(&c, err, "--listen", "--addr", "fd00::1/129"), err, "prefix length");
	expect_error(PARSE(&c, err, "--listen", "--addr", "10.0.0.1/"), err, "prefix length");
	expect_error(PARSE(&c, err, "--listen", "--route", "banana/8"), err, "banana");
	expect_error(PARSE(&c, err, "--listen", "--mtu", "67"), err, "--mtu");
	expect_error(PARSE(&c, err, "--listen", "--mtu", "65536"), err, "--mtu");
	expect_error(PARSE(&c, err, "--listen", "--mtu", "1000", "--addr", "fd00::1/64"), err,
		     "1280");
	expect_error(PARSE(&c, err, "--listen", "--dev", "a-name-that-is-too-long"), err, "--dev");
	expect_error(PARSE(&c, err, "--listen", "--dev", "a/b"), err, "--dev");
	expect_error(PARSE(&c, err, "--listen", "--dev", ""), err, "--dev");
	expect_error(PARSE(&c, err, "--listen", "--bogus"), err, "--bogus");
	expect_error(PARSE(&c, err, "--listen", "-x"), err, "-x");
	expect_error(PARSE(&c, err, "--listen", "--port"), err, "needs a value");
	expect_error(PARSE(&c, err, "--listen", "stray"), err, "stray");
	expect_error(PARSE(&c, err, "--listen", "--queues", "0"), err, "'0'");
	expect_error(PARSE(&c, err, "--listen", "--queues", "17"), err, "'17'");
	expect_error(PARSE(&c, err, "--listen", "--queues", "two"), err, "'two'");
	expect_error(PARSE(&c, err, "--listen", "--batch", "0"), err, "--batch: '0'");
	expect_error(PARSE(&c, err, "--listen", "--batch", "33"), err, "--batch: '33'");
}

/* Queues: a count from 1 to 16, and 0 (the default) means one per core. */
static void queues(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--listen"), CONFIG_OK);
	assert_int_equal(c.queues, 0);
	assert_int_equal(PARSE(&c, err, "--listen", "--queues", "1"), CONFIG_OK);
	assert_int_equal(c.queues, 1);
	assert_int_equal(PARSE(&c, err, "--server", "203.0.113.10", "--queues", "16"), CONFIG_OK);
	assert_int_equal(c.queues, 16);
	assert_int_equal(PARSE(&c, err, "--listen", "--batch", "1"), CONFIG_OK);
	assert_int_equal(c.batch, 1);
	assert_int_equal(PARSE(&c, err, "-c", "wg0.conf", "--queues", "1"), CONFIG_OK);
	expect_error(PARSE(&c, err, "-c", "wg0.conf", "--queues", "2"), err,
		     "encrypted mode runs one queue");
}

static void route_limit(void **state)
{
	char *argv[2 + 2 * (CONFIG_MAX_ROUTES + 1) + 1];
	int argc = 0;
	struct config c;
	char err[256];

	(void)state;
	argv[argc++] = "tunnel";
	argv[argc++] = "--listen";
	for (int i = 0; i <= CONFIG_MAX_ROUTES; i++) {
		argv[argc++] = "--route";
		argv[argc++] = "10.0.0.0/8";
	}
	argv[argc] = NULL;
	expect_error(config_parse(argc, argv, &c, err, sizeof(err)), err, "at most");
}

/* Parsing twice in one process starts afresh each time. */
static void parse_again(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--listen", "--pi"), CONFIG_OK);
	assert_int_equal(PARSE(&c, err, "--server", "h"), CONFIG_OK);
	assert_false(c.pi);
	assert_int_equal(c.role, ROLE_CLIENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(server_defaults),
	    cmocka_unit_test(client_full),
	    cmocka_unit_test(equals_form_and_quiet),
	    cmocka_unit_test(help),
	    cmocka_unit_test(refusals),
	    cmocka_unit_test(queues),
	    cmocka_unit_test(route_limit),
	    cmocka_unit_test(parse_again),
	    cmocka_unit_test(export_keys),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
