/*
 * harness bench: its paths, its rounds and its figures.  bench.c runs the
 * measurements; bench_report.c prints them (table, JSON) and draws them;
 * bench_aead.c measures the AEAD backends alone (--aead).
 */
#ifndef TUNLAB_HARNESS_BENCH_H
#define TUNLAB_HARNESS_BENCH_H

#include "lab.h"
#include "measure.h"
#include "lib/term.h"

#include <stdbool.h>
#include <sys/types.h>

enum path_id {
	PATH_BARE,
	PATH_FLOOR, /* one read and one write per packet, no protocol: bench_floor.c */
	PATH_PLAINTEXT,
	PATH_ENCRYPTED,
	PATH_WIREGUARD_GO,
	PATH_OPENVPN, /* --peers: other projects' tunnels, when installed */
	PATH_FASTD,
	PATH_QUICKTUN,
	PATH_COUNT
};
enum test { TCP1_UP, TCP1_DOWN, TCP4_UP, TCP4_DOWN, TEST_COUNT };

#define ROUNDS_MAX 50
/*
 * The rate at which the tunnels' CPU per small packet is read: 10 000
 * 64-byte datagrams a second, well under what every path carries, so that
 * the figure is the work per packet and not what a saturated path drops.
 */
#define PKT_RATE 10000

/* The medians of one path. */
struct figures {
	double tcp[TEST_COUNT]; /* bits per second */
	double pps, loss;	/* 64-byte UDP: delivered per second, percent lost */
	double rtt_median, rtt_p99;
	double cpu_per_gb;  /* tunnel CPU seconds per GB moved; -1 without a tunnel */
	double cpu_per_pkt; /* tunnel CPU µs per 64-byte packet at PKT_RATE; -1 unmeasured */
	double rss;	    /* the larger tunnel's peak RSS, bytes; -1 without one */
};

struct path {
	enum path_id kind;
	char lab[LAB_NAME_MAX + 1];
	char ns[64];	 /* where the clients run: home-laptop, or internet in a pair */
	char target[64]; /* where the traffic goes */
	bool owns_lab;
	pid_t tunnels[2];
	int ntunnels;
	double tcp[TEST_COUNT][ROUNDS_MAX];
	double pps[ROUNDS_MAX], loss[ROUNDS_MAX];
	double rtt[PING_MAX];
	int nrtt;
	double cpu_seconds, bytes; /* over every TCP run */
	/* over every run at PKT_RATE: summed, since the CPU is read in clock ticks */
	double pkt_cpu_seconds, pkts;
	struct figures fig;
};

struct bench {
	bool quick, json;
	bool aead;	 /* --aead: the AEAD backends on one core, no lab */
	bool lab_option; /* one that only the labs' measurement takes */
	bool pair;	 /* --topology pair: internet to office-server, one link, no NAT */
	int rounds, seconds;
	bool want[PATH_COUNT];
	const char *plot;
	const char *file; /* --file: the labs come up from this lab file */
	char prefix[LAB_NAME_MAX + 1];
	struct path paths[PATH_COUNT];
	int npaths;
	double elapsed;
	struct term term;
	bool progress_shown;
	char err[256];
};

const char *bench_path_name(enum path_id k);

/* A goal of the project's, as a ratio (or a size) measured in this run. */
struct goal {
	const char *key;  /* in --json */
	const char *what; /* on the console */
	double value, target;
	bool at_most; /* the value must not exceed the target */
	const char *unit;
};
#define GOALS_MAX 12
/* The goals that the run's paths let it measure, into g; how many. */
int bench_goals(const struct bench *b, struct goal *g, int max);
bool goal_met(const struct goal *g);
const struct path *bench_find(const struct bench *b, enum path_id k);
/* a / b, or -1 unless a >= 0 and b > 0. */
double bench_ratio(double a, double b);
/* p's median RTT less the bare path's; -1 without bare, and for bare itself. */
double bench_added_rtt(const struct bench *b, const struct path *p);
/* --topology pair: starts the pair's tunnels for p in p's lab (which is up). */
int pair_start(struct bench *b, struct path *p);
/* The floor's two ends for p in p's lab (which is up), either topology. */
int floor_start(struct bench *b, struct path *p);
const char *bench_test_name(enum test t);

/* A one-line progress note: rewritten in place on a terminal, nothing in --json. */
void progress(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_done(struct bench *b);
void report(const struct bench *b);
/* The bar chart, as SVG; -1 with errno. */
int plot(const struct bench *b, const char *file);
/* --aead: measures and prints; -1 with b->err. */
int bench_aead(struct bench *b);

#endif
