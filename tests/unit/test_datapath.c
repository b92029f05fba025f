/* Each wire mode's table of operations agrees with its wire format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/messages.h"
#include "lib/tun.h"
#include "tunnel/datapath.h"
#include "tunnel/wire.h"

static void each_mode_has_its_table(void **state)
{
	(void)state;
	for (int m = MODE_PLAINTEXT; m <= MODE_ENCRYPTED; m++) {
		const struct mode_ops *ops = mode_ops_of((enum wire_mode)m);

		assert_int_equal(ops->mode, m);
		assert_non_null(ops->begin);
		assert_non_null(ops->seal);
		assert_non_null(ops->refused);
		assert_non_null(ops->open);
		assert_non_null(ops->path_mtu);
		/* A packet read at headroom, read_max long, still fits its slot. */
		assert_true(ops->headroom + ops->read_max <= SLOT_DATA);
	}
}

static void plaintext_and_pi(void **state)
{
	(void)state;
	/* The device's bytes in front of the inner packet are the wire's. */
	assert_int_equal(mode_plain_ops.dev_hdr, wire_overhead(MODE_PLAINTEXT));
	assert_int_equal(mode_pi_ops.dev_hdr, wire_overhead(MODE_PI));
	assert_int_equal(mode_pi_ops.dev_hdr, TUN_PI_LEN);
	assert_false(mode_plain_ops.sealed);
	assert_false(mode_pi_ops.sealed);
}

static void encrypted(void **state)
{
	(void)state;
	/* The data message header is written in front of the packet, in place. */
	assert_int_equal(mode_wg_ops.headroom, MSG_DATA_HDR_LEN);
	assert_int_equal(mode_wg_ops.dev_hdr, 0);
	assert_true(mode_wg_ops.sealed);
	/* Room behind the packet for padding and the tag. */
	assert_true(mode_wg_ops.headroom + mode_wg_ops.read_max + MSG_PADDING + AEAD_TAG_LEN <=
		    SLOT_DATA);
	/* A truncate fault never cuts into the smallest data message. */
	assert_int_equal(mode_wg_ops.min_len, MSG_DATA_MIN_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_mode_has_its_table),
	    cmocka_unit_test(plaintext_and_pi),
	    cmocka_unit_test(encrypted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
