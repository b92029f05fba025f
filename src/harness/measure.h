/*
 * The benchmark's instruments: iperf3 and ping run inside a lab node, their
 * output read back, and a process's CPU time and peak memory from /proc.
 * The parsers take text and touch nothing else, so they are tested alone.
 */
#ifndef TUNLAB_HARNESS_MEASURE_H
#define TUNLAB_HARNESS_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tcp_result {
	double bits_per_second; /* as received */
	double bytes;		/* received */
};

struct udp_result {
	double delivered_pps; /* packets that arrived, per second */
	double loss_percent;
	double packets;	  /* sent */
	double delivered; /* packets that arrived */
};

#define PING_MAX 1000

/*
 * iperf3 -J output, read at end.sum_received; 0, or -1 if it is not JSON
 * or the figures are not there.
 */
int parse_iperf_tcp(const char *text, struct tcp_result *r);
int parse_iperf_udp(const char *text, struct udp_result *r);
/* ping's per-reply lines: the round-trip times in ms; returns how many. */
int parse_ping(const char *text, double *ms, int max);

/* The median (q 0.5) or another quantile of n values, which it sorts. */
double quantile(double *v, int n, double q);

/*
 * Runs argv in namespace ns, its stdout into out (cut at cap - 1); waits at
 * most timeout_ms.  Returns the exit status, or -1 with err.
 */
int run_in_ns(const char *ns, char *const argv[], char *out, size_t cap, int timeout_ms, char *err,
	      size_t errlen);
/* One ping from namespace ns to target at a time, up to tries of them: 0 once one is answered. */
int ping_until_answered(const char *ns, const char *target, int tries, char *err, size_t errlen);

/* CPU seconds (user + system) a process has used, or -1. */
double proc_cpu_seconds(pid_t pid);
/* Peak resident memory (VmHWM) in bytes, or -1. */
double proc_peak_rss(pid_t pid);

#endif
