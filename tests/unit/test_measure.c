/* The benchmark's readers of iperf3 and ping output, on real output. */
#include "harness/measure.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Trimmed from iperf3 3.12 -J: per-stream sums come first and must not be taken. */
static const char tcp_json[] =
    "{\"end\":{\"streams\":[{\"sender\":{\"bytes\":1,\"bits_per_second\":2}}],\n"
    "\t\"sum_sent\":\t{\"start\":\t0,\"end\":\t1.07,\"seconds\":\t1.07,\"bytes\":\t47209336,"
    "\"bits_per_second\":\t352870990.1,\"retransmits\":\t0,\"sender\":\ttrue},\n"
    "\t\"sum_received\":\t{\"start\":\t0,\"end\":\t1.070291,\"seconds\":\t1.070291,"
    "\"bytes\":\t47197752,\"bits_per_second\":\t352784444.60431784,\"sender\":\ttrue},\n"
    "\t\"cpu_utilization_percent\":\t{\"host_total\":\t1.7}}}\n";

static const char udp_json[] =
    "{\"end\":{\"sum\":{\"packets\":417000,\"lost_packets\":354818},"
    "\"sum_received\":{\"start\":0,\"end\":1.206595,\"seconds\":1.206595,\"bytes\":3977664,"
    "\"bits_per_second\":26372819.38,\"jitter_ms\":0.017,\"lost_packets\":354818,"
    "\"packets\":416969,\"lost_percent\":85.0882494004796,\"sender\":false}}}";

static void iperf_tcp(void **state)
{
	struct tcp_result r;

	(void)state;
	assert_int_equal(parse_iperf_tcp(tcp_json, &r), 0);
	assert_true(r.bits_per_second > 352784444 && r.bits_per_second < 352784445);
	assert_true(r.bytes == 47197752);
	/* A run that failed has only its error. */
	assert_int_equal(parse_iperf_tcp("{\"error\":\"unable to connect\"}", &r), -1);
	assert_int_equal(parse_iperf_tcp("", &r), -1);
	/* A section without the key, and the key only in the next section. */
	assert_int_equal(
	    parse_iperf_tcp("\"sum_received\":{\"bytes\":5},\"x\":{\"bits_per_second\":1}", &r),
	    -1);
	assert_int_equal(parse_iperf_tcp("{\"end\":{\"sum_received\":{\"bytes\":5},"
					 "\"x\":{\"bits_per_second\":1}}}",
					 &r),
			 -1);
	/* The key as a string is not a figure; the sum outside "end" is not the run's. */
	assert_int_equal(parse_iperf_tcp("{\"end\":{\"sum_received\":{\"bytes\":5,"
					 "\"bits_per_second\":\"1\"}}}",
					 &r),
			 -1);
	assert_int_equal(
	    parse_iperf_tcp("{\"sum_received\":{\"bytes\":5,\"bits_per_second\":1}}", &r), -1);
	/* An object nested in the sum before its figures (a strstr reader stopped at its brace). */
	assert_int_equal(parse_iperf_tcp("{\"end\":{\"sum_received\":{\"start\":0,"
					 "\"sender_tcp_congestion\":{\"name\":\"cubic\"},"
					 "\"bytes\":7,\"bits_per_second\":56.5}}}",
					 &r),
			 0);
	assert_true(r.bytes == 7 && r.bits_per_second == 56.5);
}

static void iperf_udp(void **state)
{
	struct udp_result r;

	(void)state;
	assert_int_equal(parse_iperf_udp(udp_json, &r), 0);
	/* (416969 - 354818) / 1.206595 */
	assert_true(r.delivered_pps > 51508 && r.delivered_pps < 51510);
	assert_true(r.loss_percent > 85.08 && r.loss_percent < 85.09);
	/* More lost than sent, or no time, is not a measurement. */
	assert_int_equal(parse_iperf_udp("\"sum_received\":{\"seconds\":1,\"lost_packets\":9,"
					 "\"packets\":3,\"lost_percent\":300}",
					 &r),
			 -1);
	assert_int_equal(parse_iperf_udp("\"sum_received\":{\"seconds\":0,\"lost_packets\":0,"
					 "\"packets\":3,\"lost_percent\":0}",
					 &r),
			 -1);
	/* The same two as whole iperf3 documents, so it is the figures that are refused. */
	assert_int_equal(parse_iperf_udp("{\"end\":{\"sum_received\":{\"seconds\":1,"
					 "\"lost_packets\":9,\"packets\":3,\"lost_percent\":300}}}",
					 &r),
			 -1);
	assert_int_equal(parse_iperf_udp("{\"end\":{\"sum_received\":{\"seconds\":0,"
					 "\"lost_packets\":0,\"packets\":3,\"lost_percent\":0}}}",
					 &r),
			 -1);
	assert_int_equal(parse_iperf_udp("{\"end\":{\"sum_received\":{\"seconds\":2,"
					 "\"lost_packets\":1,\"packets\":3,\"lost_percent\":33}}}",
					 &r),
			 0);
	assert_true(r.delivered_pps == 1 && r.loss_percent == 33);
	assert_true(r.delivered == 2);
}

static void ping_times(void **state)
{
	static const char out[] = "PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.\n"
				  "64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.085 ms\n"
				  "64 bytes from 203.0.113.10: icmp_seq=2 ttl=63 time=0.061 ms\n"
				  "64 bytes from 203.0.113.10: icmp_seq=3 ttl=63 time=1.20 ms\n"
				  "\n--- 203.0.113.10 ping statistics ---\n"
				  "3 packets transmitted, 3 received, 0% packet loss, time 2ms\n"
				  "rtt min/avg/max/mdev = 0.061/0.448/1.200/0.531 ms\n";
	double ms[4];

	(void)state;
	assert_int_equal(parse_ping(out, ms, 4), 3);
	assert_true(ms[0] == 0.085 && ms[2] == 1.2);
	assert_int_equal(parse_ping(out, ms, 2), 2); /* never past max */
	assert_int_equal(parse_ping("time=abc time=", ms, 4), 0);
}

static void quantiles(void **state)
{
	double v[] = {5, 1, 4, 2, 3};
	double one[] = {7};

	(void)state;
	assert_true(quantile(v, 5, 0.5) == 3);
	assert_true(quantile(v, 5, 0) == 1);
	assert_true(quantile(v, 5, 1) == 5);
	assert_true(quantile(v, 4, 0.5) == 2.5); /* 1 2 3 4 after sorting the first four */
	assert_true(quantile(one, 1, 0.99) == 7);
	assert_true(quantile(v, 0, 0.5) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(iperf_tcp),
	    cmocka_unit_test(iperf_udp),
	    cmocka_unit_test(ping_times),
	    cmocka_unit_test(quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
