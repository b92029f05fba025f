/* Keys as our code calls libsodium: the RFC 7748 answers, base64, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/keys.h"
#include "tunnel/keytool.h"

#include <stdio.h>
#include <string.h>

static void rfc7748_public_keys(void **state)
{
	/* RFC 7748 section 6.1: Alice's and Bob's keys, in base64. */
	static const char *const pairs[][2] = {
	    {"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=",
	     "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="},
	    {"XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=",
	     "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="},
	};
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	char b64[KEY_B64_LEN + 1];

	(void)state;
	assert_int_equal(keys_init(), 0);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(key_from_base64(priv, pairs[i][0]), 0);
		assert_int_equal(key_public(pub, priv), 0);
		key_to_base64(b64, pub);
		assert_string_equal(b64, pairs[i][1]);
	}
}

static void generated_keys_are_clamped_and_differ(void **state)
{
	uint8_t a[KEY_LEN], b[KEY_LEN];

	(void)state;
	key_generate_private(a);
	key_generate_private(b);
	assert_memory_not_equal(a, b, KEY_LEN);
	assert_int_equal(a[0] & 7, 0);
	assert_int_equal(a[31] & 128, 0);
	assert_int_equal(a[31] & 64, 64);
}

static void base64_refusals(void **state)
{
	static const char *const bad[] = {
	    "",
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",   /* 43: no padding */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo==", /* 45 */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC*=",  /* not base64 */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= ", /* trailing space */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L===",  /* 31 bytes */
	};
	uint8_t k[KEY_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(key_from_base64(k, bad[i]), -1);
}

static void pubkey_tool(void **state)
{
	char out[128] = "", err[256] = "";
	FILE *in = fmemopen((char *)"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n", 45, "r");
	FILE *o = fmemopen(out, sizeof(out), "w"), *e = fmemopen(err, sizeof(err), "w");

	(void)state;
	assert_int_equal(keytool_main(2, (char *[]){"tunnel", "pubkey", NULL}, in, o, e), 0);
	fclose(o);
	assert_string_equal(out, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n");
	fclose(in);
	in = fmemopen((char *)"garbage\n", 8, "r");
	assert_int_equal(keytool_main(2, (char *[]){"tunnel", "pubkey", NULL}, in, stdout, e), 1);
	fclose(e);
	assert_non_null(strstr(err, "not a base64 key"));
	fclose(in);
	assert_int_equal(
	    keytool_main(2, (char *[]){"tunnel", "--listen", NULL}, stdin, stdout, stderr), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc7748_public_keys),
	    cmocka_unit_test(generated_keys_are_clamped_and_differ),
	    cmocka_unit_test(base64_refusals),
	    cmocka_unit_test(pubkey_tool),
	};
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
