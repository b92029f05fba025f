/* Reading a tunnel's key=value replies, including the odd ones a fuzzer found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/control.h"

#include <string.h>

static void values(void **state)
{
	const char *reply = "role=server\nendpoint=198.51.100.2:4000\ntx_packets=12\n";
	char v[64];

	(void)state;
	assert_string_equal(control_value(reply, "endpoint", v, sizeof(v)), "198.51.100.2:4000");
	assert_string_equal(control_value(reply, "tx_packets", v, sizeof(v)), "12");
	assert_null(control_value(reply, "tx", v, sizeof(v))); /* a prefix is not a key */
	assert_null(control_value(reply, "rx_packets", v, sizeof(v)));
	assert_null(control_value("", "role", v, sizeof(v)));
}

/* "\n!" once walked past the end of the reply (found by fuzz_text). */
static void last_line_without_key(void **state)
{
	char v[64];

	(void)state;
	assert_null(control_value("\n!", "endpoint", v, sizeof(v)));
	assert_null(control_value("no newline", "endpoint", v, sizeof(v)));
	assert_string_equal(control_value("x\nendpoint=a", "endpoint", v, sizeof(v)), "a");
}

static void lines(void **state)
{
	const char *r = "a=1\nb=2";

	(void)state;
	assert_string_equal(control_next_line(r), "b=2");
	assert_null(control_next_line(control_next_line(r)));
}

static void long_value_is_cut_not_overrun(void **state)
{
	char reply[300], v[8];

	(void)state;
	memset(reply, 'z', sizeof(reply));
	memcpy(reply, "key=", 4);
	reply[sizeof(reply) - 1] = '\0';
	assert_string_equal(control_value(reply, "key", v, sizeof(v)), "zzzzzzz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(values),
	    cmocka_unit_test(last_line_without_key),
	    cmocka_unit_test(lines),
	    cmocka_unit_test(long_value_is_cut_not_overrun),
	};
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
