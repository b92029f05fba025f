/* The conversions --json output shares: what each value prints as. */
#include "harness/json_out.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* j printed as jout_print prints it, without the newline. */
static void prints(json_t *j, const char *want)
{
	char *got;

	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("printed %s, wanted %s", got, want);
	free(got);
	json_decref(j);
}

static void text(void **state)
{
	(void)state;
	prints(jout_text("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
	prints(jout_text("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	/* Not UTF-8: the odd bytes become '?', the rest is kept. */
	prints(jout_text("x\xff\xfey"), "\"x??y\"");
	prints(jout_text(NULL), "null");
}

static void figures(void **state)
{
	(void)state;
	prints(jout_fixed(0.1234567, 3), "0.123");
	prints(jout_fixed(2.0, 2), "2.0");
	prints(jout_fixed(0.00004, 4), "0.0");
	prints(jout_whole(943123456.6), "943123457");
	prints(jout_whole(-1), "-1");
	prints(jout_num(5), "5");
	prints(jout_num(1.5), "1.5");
	prints(jout_num(0.1), "0.1");
}

static void reply_values(void **state)
{
	(void)state;
	prints(jout_reply_value("42"), "42");
	prints(jout_reply_value("-7"), "-7");
	prints(jout_reply_value("1.25"), "1.25");
	/* Past 64 bits: a real, to fifteen digits. */
	prints(jout_reply_value("18446744073709551615"), "1.84467440737096e19");
	/* Text that strtod would take is a string unless JSON's grammar takes it too. */
	prints(jout_reply_value("0x10"), "\"0x10\"");
	prints(jout_reply_value("-inf"), "\"-inf\"");
	prints(jout_reply_value("nan"), "\"nan\"");
	prints(jout_reply_value("007"), "\"007\"");
	prints(jout_reply_value("1."), "\"1.\"");
	prints(jout_reply_value("1e999"), "\"1e999\"");
	prints(jout_reply_value(" 1"), "\" 1\"");
	prints(jout_reply_value(""), "\"\"");
	prints(jout_reply_value("[2001:db8::2]:51820"), "\"[2001:db8::2]:51820\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text),
	    cmocka_unit_test(figures),
	    cmocka_unit_test(reply_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
