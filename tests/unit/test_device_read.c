/*
 * device_read on sparse and on dense traffic: after wakeups that each
 * found one packet and then EAGAIN, a wakeup reads one packet and stops
 * without the read that would say EAGAIN (level-triggered epoll wakes
 * again for what is left); wakeups that come close together read to
 * EAGAIN again, in batches.  A SOCK_SEQPACKET pair stands in for the TUN
 * device: one packet per read, EAGAIN when empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/clock.h"
#include "tunnel/batch.h"
#include "tunnel/device.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct rig {
	struct device d;
	struct batch b;
	int peer; /* where the "kernel" puts packets */
	int flushed;
};

static void count(void *arg, struct batch *b)
{
	struct rig *r = arg;

	r->flushed += (int)b->n;
}

static int setup(void **state)
{
	static struct rig r;
	int sv[2];

	memset(&r, 0, sizeof(r));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) || batch_init(&r.b))
		return -1;
	r.d.fd = sv[0];
	r.peer = sv[1];
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	close(r->d.fd);
	close(r->peer);
	batch_free(&r->b);
	return 0;
}

static void put(struct rig *r, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(write(r->peer, "0123456789", 10), 10);
}

/* One wakeup: how many packets it read. */
static int wakeup(struct rig *r)
{
	r->flushed = 0;
	return device_read(&r->d, &r->b, 0, 1500, 1024, count, r);
}

/*
 * A wakeup that should come at once after the last one: how many it read,
 * or -1 if the machine held this process back 1 ms or more between the two
 * (a shared machine may), when it counts as sparse and proves nothing.
 */
static int close_wakeup(struct rig *r)
{
	double before = r->d.last_wakeup;
	int got = wakeup(r);

	return r->d.last_wakeup - before < 0.001 ? got : -1;
}

static void assert_read(int got, int want)
{
	if (got >= 0)
		assert_int_equal(got, want);
}

static void sparse_reads_one_then_stops(void **state)
{
	struct rig *r = *state;

	/* Two lone packets, a ping's pace apart: each read to EAGAIN. */
	for (int i = 0; i < 2; i++) {
		clock_sleep_ms(3);
		put(r, 1);
		assert_int_equal(wakeup(r), 1);
	}
	/* From now on one read a wakeup: the second packet waits for the next. */
	clock_sleep_ms(3);
	put(r, 2);
	assert_int_equal(wakeup(r), 1);
	assert_int_equal(r->flushed, 1);
	/* That next wakeup comes at once: dense, read to EAGAIN again. */
	put(r, 3);
	assert_read(close_wakeup(r), 4);
	/* And a batch resets the count: lone packets read to EAGAIN again. */
	clock_sleep_ms(3);
	put(r, 2);
	assert_int_equal(wakeup(r), 2);
	assert_false(r->d.gone);
}

static void dense_stays_batched(void **state)
{
	struct rig *r = *state;

	/* Lone packets in quick succession are never read one at a time. */
	for (int i = 0; i < 5; i++) {
		put(r, 1);
		assert_int_equal(wakeup(r), 1);
	}
	put(r, 3);
	assert_read(close_wakeup(r), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(sparse_reads_one_then_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(dense_stays_batched, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
