/* The control protocol: where a lab's sockets are, and reading a tunnel's key=value replies,
 * including the odd ones a fuzzer found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/control.h"
#include "lib/control_proto.h"
#include "tunnel/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reply of each test's own, too big for its stack. */
static int setup(void **state)
{
	*state = malloc(sizeof(struct control_reply));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static struct control_reply *parsed(void **state, const char *text)
{
	control_parse(text, *state);
	return *state;
}

static void values(void **state)
{
	struct control_reply *r =
	    parsed(state, "role=server\nendpoint=198.51.100.2:4000\ntx_packets=12\n");

	assert_string_equal(control_get(r, "endpoint"), "198.51.100.2:4000");
	assert_string_equal(control_get(r, "tx_packets"), "12");
	assert_null(control_get(r, "tx")); /* a prefix is not a key */
	assert_null(control_get(r, "rx_packets"));
	assert_null(control_get(parsed(state, ""), "role"));
}

/* "\n!" once walked past the end of the reply (found by fuzz_text). */
static void last_line_without_key(void **state)
{
	assert_null(control_get(parsed(state, "\n!"), "endpoint"));
	assert_null(control_get(parsed(state, "no newline"), "endpoint"));
	assert_string_equal(control_get(parsed(state, "x\nendpoint=a"), "endpoint"), "a");
}

static void lines(void **state)
{
	struct control_reply *r = parsed(state, "a=1\nb=2");

	assert_int_equal(r->n, 2);
	assert_string_equal(r->kv[1].key, "b");
	assert_string_equal(r->kv[1].value, "2");
	/* The whole reply stays as it came, for the keys' own parser. */
	assert_string_equal(r->text, "a=1\nb=2");
}

/* A reply longer than the buffer is cut there, never read past. */
static void long_value_is_cut_not_overrun(void **state)
{
	char *reply = malloc(3 * CONTROL_REPLY_MAX);
	struct control_reply *r;

	assert_non_null(reply);
	memset(reply, 'z', 3 * CONTROL_REPLY_MAX);
	memcpy(reply, "key=", 4);
	reply[3 * CONTROL_REPLY_MAX - 1] = '\0';
	r = parsed(state, reply);
	assert_int_equal(strlen(control_get(r, "key")), CONTROL_REPLY_MAX - 1 - 4);
	free(reply);
}

static void odd_lines(void **state)
{
	struct control_reply *r =
	    parsed(state, "mode=pi\n\nno key here\nmode=encrypted\nempty=\n=v\nx=a=b");

	assert_string_equal(control_get(r, "mode"), "pi"); /* the first of two */
	assert_string_equal(control_get(r, "empty"), "");
	assert_string_equal(control_get(r, ""), "v");
	assert_string_equal(control_get(r, "x"), "a=b"); /* cut at the first '=' only */
	assert_int_equal(r->n, 5);
	assert_true(control_is(r, "mode", "pi"));
	assert_false(control_is(r, "mode", "p"));
	assert_false(control_is(r, "absent", ""));
}

static void numbers(void **state)
{
	struct control_reply *r = parsed(state, "mtu=1420\nsessions=0\nbig=18446744073709551615\n");

	assert_int_equal(control_num(r, "mtu", 1472), 1420);
	assert_int_equal(control_num(r, "sessions", -1), 0);
	assert_int_equal(control_num(r, "absent", -1), -1);
	assert_int_equal(control_num(r, "absent", 1472), 1472);
}

/* More lines than CONTROL_KEYS_MAX: the first ones are kept, nothing is overrun. */
static void too_many_keys(void **state)
{
	char *reply = malloc(CONTROL_REPLY_MAX);
	size_t len = 0;
	struct control_reply *r;

	assert_non_null(reply);
	while (len + 5 < CONTROL_REPLY_MAX)
		len += (size_t)snprintf(reply + len, CONTROL_REPLY_MAX - len, "k=1\n");
	r = parsed(state, reply);
	assert_int_equal(r->n, CONTROL_KEYS_MAX);
	free(reply);
}

static void parse_empty_clears(void **state)
{
	struct control_reply *r = parsed(state, "mode=pi\n");

	control_parse("", r);
	assert_int_equal(r->n, 0);
	assert_string_equal(r->text, "");
	assert_null(control_get(r, "mode"));
}

static void ask_without_tunnel(void **state)
{
	struct control_reply *r = *state;

	assert_int_equal(control_ask("/nonexistent/tunlab/x.ctl", CTL_STATS, r), -ENOENT);
	assert_int_equal(r->n, 0);
	assert_string_equal(r->text, "");
}

/* The path rule, the one every tunnel and every command of the harness use. */
static void paths(void **state)
{
	char p[128], small[16], long_dir[200];

	(void)state;
	assert_int_equal(ctl_path("/run/tunlab/lab", "office-server", NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/run/tunlab/lab/office-server.ctl");
	assert_int_equal(ctl_path("/run/tunlab/lab", "office-server", "", p, sizeof(p)), 0);
	assert_string_equal(p, "/run/tunlab/lab/office-server.ctl");
	assert_int_equal(ctl_path("/run/tunlab/lab", "laptop-3", NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/run/tunlab/lab/laptop-3.ctl");
	/* A node's second tunnel (bench's pair) is named after its device. */
	assert_int_equal(ctl_path("/run/tunlab/b", "internet", "tunb0", p, sizeof(p)), 0);
	assert_string_equal(p, "/run/tunlab/b/internet-tunb0.ctl");
	/* Too long for out, or for a unix socket's path: refused, never overrun. */
	assert_int_equal(ctl_path("/run/tunlab/lab", "office-server", NULL, small, sizeof(small)),
			 -ENAMETOOLONG);
	memset(long_dir, 'd', sizeof(long_dir) - 1);
	long_dir[sizeof(long_dir) - 1] = '\0';
	assert_int_equal(ctl_path(long_dir, "n", NULL, p, sizeof(p)), -ENAMETOOLONG);
}

static void names(void **state)
{
	char key[32];

	(void)state;
	assert_string_equal(ctl_counter.rx_packets, "rx_packets");
	assert_string_equal(ctl_counter.drop_ratelimited, "drop_ratelimited");
	assert_string_equal(ctl_counter.drop_io_error, "drop_io_error");
	assert_string_equal(ctl_counter.icmp_too_big, "icmp_too_big");
	assert_string_equal(ctl_counter.tun_write_errors, "tun_write_errors");
	assert_string_equal(ctl_counter.initiations_sent, "initiations_sent");
	assert_string_equal(ctl_peer_key(1, CTL_ENDPOINT, key, sizeof(key)), "peer1_endpoint");
	assert_string_equal(ctl_peer_key(12, CTL_PATH_MTU, key, sizeof(key)), "peer12_path_mtu");
	/* Plaintext and pi modes count these reasons; the rest are encrypted mode's. */
	assert_true(ctl_drop_plain("truncated"));
	assert_true(ctl_drop_plain("io_error"));
	assert_false(ctl_drop_plain("bad_mac"));
	assert_false(ctl_drop_plain("no_route"));
	assert_false(ctl_drop_plain("nonsense"));
}

/* What the tunnel writes, the harness reads back by the same names. */
static void tunnel_writes_what_harness_reads(void **state)
{
	struct stats s = {
	    .tx_packets = 1, .tx_bytes = 2, .rx_packets = 3, .rx_bytes = 4, .icmp_too_big = 5};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct control_reply *r;

	assert_non_null(f);
	s.drops[DROP_RATELIMITED] = 6;
	s.drops[DROP_IO] = 7;
	stats_write_kv(&s, f);
	fclose(f);
	r = parsed(state, text);
	assert_int_equal(control_num(r, ctl_counter.tx_packets, -1), 1);
	assert_int_equal(control_num(r, ctl_counter.tx_bytes, -1), 2);
	assert_int_equal(control_num(r, ctl_counter.rx_packets, -1), 3);
	assert_int_equal(control_num(r, ctl_counter.rx_bytes, -1), 4);
	assert_int_equal(control_num(r, ctl_counter.icmp_too_big, -1), 5);
	assert_int_equal(control_num(r, ctl_counter.drop_ratelimited, -1), 6);
	assert_int_equal(control_num(r, ctl_counter.drop_io_error, -1), 7);
	assert_int_equal(control_num(r, ctl_counter.drop_truncated, -1), 0);
	/* Every drop reason, and nothing else, has the prefix. */
	assert_int_equal(r->n, 4 + DROP_MAX + 1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(values, setup, teardown),
	    cmocka_unit_test_setup_teardown(last_line_without_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(long_value_is_cut_not_overrun, setup, teardown),
	    cmocka_unit_test_setup_teardown(odd_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(too_many_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(parse_empty_clears, setup, teardown),
	    cmocka_unit_test_setup_teardown(ask_without_tunnel, setup, teardown),
	    cmocka_unit_test_setup_teardown(paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(names, setup, teardown),
	    cmocka_unit_test_setup_teardown(tunnel_writes_what_harness_reads, setup, teardown),
	};
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
