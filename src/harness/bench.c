/*
 * harness bench: throughput, packet rate, added latency, CPU per gigabyte
 * and memory of each path, measured in one run.  Each tunnel path gets a
 * lab of its own, all up at once, and the rounds take the paths in turn
 * (A B C D, A B C D ...) so that whatever the machine does meanwhile falls
 * on all of them alike.  Every figure is the median over the rounds.
 *
 * Paths: the bare underlay (home-laptop to office-server's public address,
 * through the NAT, no tunnel), the floor (one read and one write per
 * packet and no protocol, bench_floor.c: what any userspace tunnel costs),
 * our tunnel in plaintext and encrypted, and wireguard-go on both ends, and with --peers OpenVPN,
 * fastd and quicktun. Traffic always ends on office-server, so a tunnel's path has the same hops as
 * the bare one.
 */
#include "bench.h"
#include "commands.h"
#include "lab_fit.h"
#include "measure.h"
#include "spawn.h"
#include "state.h"
#include "up.h"
#include "lib/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct path_kind {
	const char *name;
	const char *suffix; /* of the path's lab */
	const char *up_args[6];
	bool vpn;	     /* traffic goes to the server's VPN address, not its public one */
	const char *program; /* that must be installed, for another project's tunnel */
} kinds[PATH_COUNT] = {
    [PATH_BARE] = {"bare", "e", {NULL}, false, NULL},
    [PATH_FLOOR] = {"floor", "e", {NULL}, false, NULL},
    [PATH_PLAINTEXT] = {"plaintext", "p", {"--mode", "plaintext", NULL}, true, NULL},
    [PATH_ENCRYPTED] = {"encrypted", "e", {"--mode", "encrypted", NULL}, true, NULL},
    [PATH_WIREGUARD_GO] = {"wireguard-go",
			   "w",
			   {"--peer", "wireguard-go", "--peer-on", "both", NULL},
			   true,
			   "wireguard-go"},
    [PATH_OPENVPN] = {"openvpn", "o", {"--peer", "openvpn", NULL}, true, "openvpn"},
    [PATH_FASTD] = {"fastd", "f", {"--peer", "fastd", NULL}, true, "fastd"},
    [PATH_QUICKTUN] = {"quicktun", "q", {"--peer", "quicktun", NULL}, true, "quicktun"},
};

static bool is_peer(enum path_id k)
{
	return k >= PATH_OPENVPN;
}

static const char *const test_names[TEST_COUNT] = {"tcp1_up", "tcp1_down", "tcp4_up", "tcp4_down"};

static void usage(FILE *f)
{
	fputs("usage: harness bench [--quick] [--rounds N] [--seconds S] [--paths LIST]\n"
	      "                     [--plot FILE.svg] [options]\n"
	      "       harness bench --aead [--quick] [--rounds N] [--json]\n"
	      "\n"
	      "Measures each path in one run, taking them in turn round after round:\n"
	      "TCP throughput (1 and 4 streams, both ways), the rate of 64-byte UDP\n"
	      "packets delivered, the round-trip time the tunnel adds, the tunnels' CPU\n"
	      "seconds per GB moved and microseconds per 64-byte packet (at 10 000 a\n"
	      "second), and their peak memory. Figures are medians, with ratios to the\n"
	      "bare underlay and to wireguard-go.\n"
	      "\n"
	      "  --paths LIST    comma-separated: bare, floor, plaintext, encrypted,\n"
	      "                  wireguard-go, openvpn, fastd, quicktun (default: the\n"
	      "                  first five; wireguard-go when it is installed). floor\n"
	      "                  is the least a userspace tunnel does: one read and one\n"
	      "                  write per packet, no protocol; each tunnel's added RTT\n"
	      "                  is reported as a multiple of the floor's\n"
	      "  --peers         also OpenVPN (AES-256-GCM), fastd (salsa2012+umac) and\n"
	      "                  quicktun (raw), each where it is installed\n"
	      "  --rounds N      rounds over all paths (default 3)\n"
	      "  --seconds S     length of each iperf3 run (default 1; 1 to 60)\n"
	      "  --quick         one round, one TCP stream up, 20 pings: checks that every\n"
	      "                  path moves data (for tests), not how fast\n"
	      "  --plot FILE.svg\n"
	      "                  also draw the results as a bar chart (SVG)\n"
	      "  --topology T    lab (default): home-laptop to office-server, through the\n"
	      "                  NAT and the internet; pair: internet to office-server, one\n"
	      "                  link and no NAT, the tunnels' own cost (bare, floor,\n"
	      "                  plaintext, encrypted)\n"
	      "  --file FILE     bring the labs up from lab file FILE (see docs/labs.md),\n"
	      "                  not the default lab: its roles client and server (pair:\n"
	      "                  internet and server), and for a tunnel's path its tunnel\n"
	      "                  between them; what does not fit is refused up front\n"
	      "  --lab NAME      the labs are NAME-p, NAME-e, NAME-w, and with --peers\n"
	      "                  NAME-o, NAME-f, NAME-q (default: bench)\n"
	      "  --aead          no lab, no root: the encrypted tunnel's ChaCha20-Poly1305,\n"
	      "                  OpenSSL's against libsodium's, MB/s sealing and opening\n"
	      "                  1424- and 64-byte packets on one core, and the ratio\n"
	      "  --json          the figures, for scripts\n"
	      "  -h, --help      show this help\n",
	      f);
}

/* ---- options ---- */

static int parse_paths(struct bench *b, const char *arg)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	memset(b->want, 0, sizeof(b->want));
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int k = 0;

		while (k < PATH_COUNT && strcmp(w, kinds[k].name))
			k++;
		if (k == PATH_COUNT) {
			fprintf(stderr,
				"harness bench: --paths: '%s' is not bare, floor, plaintext, "
				"encrypted, wireguard-go, openvpn, fastd or quicktun\n",
				w);
			return -1;
		}
		b->want[k] = true;
	}
	return 0;
}

static int number(const char *flag, const char *arg, int lo, int hi, int *out)
{
	long v;

	if (parse_whole(arg, lo, hi, &v)) {
		fprintf(stderr, "harness bench: %s '%s' is not a number from %d to %d\n", flag, arg,
			lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int own_option(struct bench *b, int opt, const char *arg)
{
	b->lab_option = b->lab_option || !strchr("qrA", opt);
	switch (opt) {
	case 'A':
		b->aead = true;
		return 0;
	case 'q':
		b->quick = true;
		return 0;
	case 'r':
		return number("--rounds", arg, 1, 50, &b->rounds);
	case 's':
		return number("--seconds", arg, 1, 60, &b->seconds);
	case 'p':
		return parse_paths(b, arg);
	case 'P':
		b->plot = arg;
		return 0;
	case 'O':
		for (int k = PATH_OPENVPN; k < PATH_COUNT; k++)
			b->want[k] = true;
		return 0;
	case 'F':
		b->file = arg;
		return 0;
	case 'T':
		if (!strcmp(arg, "pair") || !strcmp(arg, "lab")) {
			b->pair = arg[0] == 'p';
			return 0;
		}
		fprintf(stderr, "harness bench: --topology '%s' is not lab or pair\n", arg);
		return -1;
	}
	return -1;
}

/* Other projects' tunnels run only where installed, and only in the full lab. */
static void drop_uninstalled(struct bench *b)
{
	char prog[PATH_MAX];

	for (int k = PATH_WIREGUARD_GO; k < PATH_COUNT; k++)
		if (b->pair || find_program(kinds[k].program, prog, sizeof(prog)))
			b->want[k] = false;
	if (find_program("wg", prog, sizeof(prog)))
		b->want[PATH_WIREGUARD_GO] = false;
}

/*
 * --file: the file read and checked as up reads it, then held against
 * what each path asks of it, before any lab is made.  The bare path needs
 * the client and the server's public address; a tunnel's path, the
 * file's tunnel between them; the pair, only internet and server, since
 * it starts tunnels of its own.
 */
static int check_file(struct bench *b)
{
	unsigned int roles = b->pair ? 1u << ROLE_INTERNET | 1u << ROLE_SERVER
				     : 1u << ROLE_CLIENT | 1u << ROLE_SERVER;
	char name[LAB_NAME_MAX + 1], what[64];
	struct lab lab;
	int rc = -1;

	snprintf(name, sizeof(name), "%s-e", b->prefix);
	if (lab_init(&lab, name, b->err, sizeof(b->err))) {
		fprintf(stderr, "harness bench: %s\n", b->err);
		return -1;
	}
	if (lab_fit_load(&lab, "bench", b->file) || lab_fit_roles(&lab, "bench", b->file, roles))
		goto out;
	if (!lab.at.server_public4[0]) {
		fprintf(stderr,
			"harness bench: %s: the 'server' role's node %s has no IPv4 address\n",
			b->file, lab_name(&lab, lab_role(&lab, ROLE_SERVER)));
		goto out;
	}
	for (int k = PATH_PLAINTEXT; k < PATH_COUNT && !b->pair; k++) {
		snprintf(what, sizeof(what), "the %s path", kinds[k].name);
		/* A plaintext server has one peer; the other projects' tunnels run one. */
		if (b->want[k] && lab_fit_tunnel(&lab, "bench", b->file, what, k != PATH_ENCRYPTED))
			goto out;
	}
	rc = 0;
out:
	lab_fini(&lab);
	return rc;
}

static int parse(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {{"quick", no_argument, NULL, 'q'},
					     {"rounds", required_argument, NULL, 'r'},
					     {"seconds", required_argument, NULL, 's'},
					     {"paths", required_argument, NULL, 'p'},
					     {"plot", required_argument, NULL, 'P'},
					     {"topology", required_argument, NULL, 'T'},
					     {"peers", no_argument, NULL, 'O'},
					     {"file", required_argument, NULL, 'F'},
					     {"aead", no_argument, NULL, 'A'},
					     COMMON_OPTIONS,
					     {0}};
	struct common c = {0};
	int opt, rc;

	b->rounds = 3;
	b->seconds = 1;
	for (int k = 0; k < PATH_COUNT; k++)
		b->want[k] = !is_peer((enum path_id)k);
	opterr = 0;
	while ((rc = next_option("bench", argc, argv, ":h", opts, &c, usage, &opt)) == ARG_OWN)
		if (own_option(b, opt, optarg))
			return 2;
	if (rc != ARG_END)
		return rc == ARG_HELP ? 1 : 2;
	if (no_arguments("bench", argc, argv))
		return 2;
	/* --lab too: the AEAD runs in this process, and no lab's name would mean anything. */
	if (b->aead && (b->lab_option || c.lab)) {
		fprintf(stderr, "harness bench: --aead measures no path: it takes only --quick, "
				"--rounds and --json\n");
		return 2;
	}
	if (b->quick)
		b->rounds = 1;
	b->json = c.json;
	/* The default lab's benchmark labs are "bench-*"; a named lab lends its name. */
	snprintf(b->prefix, sizeof(b->prefix), "%s",
		 c.lab			? c.lab
		 : getenv("TUNLAB_LAB") ? getenv("TUNLAB_LAB")
					: "bench");
	if (strlen(b->prefix) > LAB_NAME_MAX - 2) {
		fprintf(stderr, "harness bench: --lab '%s' is longer than %d characters\n",
			b->prefix, LAB_NAME_MAX - 2);
		return 2;
	}
	drop_uninstalled(b);
	return b->file && check_file(b) ? 2 : 0;
}

/* ---- the labs ---- */

/* harness up, run as a program of its own, quietly; its error line if it fails. */
static int lab_up(struct bench *b, struct path *p)
{
	char self[PATH_MAX];
	char *argv[16] = {self, "up", "--lab", p->lab};
	int n = 4, status;
	pid_t pid;

	if (sibling_path("harness", self, sizeof(self)))
		return -1;
	if (b->file)
		argv[n++] = (char *)b->file;
	/* A pair measures tunnels of its own: its lab runs as it is. */
	for (int i = 0; !b->pair && kinds[p->kind].up_args[i]; i++)
		argv[n++] = (char *)kinds[p->kind].up_args[i];
	/* A file's tunnel may say plaintext; wireguard-go and the others need encrypted. */
	if (b->file && !b->pair && kinds[p->kind].program) {
		argv[n++] = "--mode";
		argv[n++] = "encrypted";
	}
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		to_null(STDOUT_FILENO);
		close_from(3);
		execv(self, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(b->err, sizeof(b->err), "cannot bring up lab '%s' for %s (see above)",
			 p->lab, kinds[p->kind].name);
		return -1;
	}
	return 0;
}

static void lab_down(struct path *p)
{
	char *args[] = {"down", "--lab", p->lab, NULL};
	pid_t pid = spawn_self_quiet(args);

	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* The tunnel processes of a lab (ours or wireguard-go), from its records. */
static void find_tunnels(struct path *p)
{
	struct lab lab;
	struct record *r = NULL;
	char err[128];
	int n;

	p->ntunnels = 0;
	/* The bare path rides on a lab with tunnels, but uses none of them. */
	if (p->kind == PATH_BARE || lab_init(&lab, p->lab, err, sizeof(err)))
		return;
	n = state_load(&lab, &r);
	for (int i = 0; i < n && p->ntunnels < 2; i++)
		if (r[i].kind == REC_PROC &&
		    (!strcmp(r[i].what, "tunnel") || !strcmp(r[i].what, "wireguard-go") ||
		     other_find(r[i].what)))
			p->tunnels[p->ntunnels++] = r[i].pid;
	free(r);
	lab_fini(&lab);
}

/* iperf3 -s on office-server, recorded like every process of the lab. */
static int start_iperf_server(struct bench *b, struct path *p)
{
	char prog[PATH_MAX], log[PATH_MAX];
	char *argv[] = {prog, "-s", NULL};
	struct lab lab;
	int rc = -1;

	if (find_program("iperf3", prog, sizeof(prog))) {
		snprintf(b->err, sizeof(b->err),
			 "iperf3 is not installed (scripts/deps.sh lab installs it)");
		return -1;
	}
	if (lab_init(&lab, p->lab, b->err, sizeof(b->err)))
		return -1;
	if (!state_lock(&lab, false, b->err, sizeof(b->err))) {
		snprintf(log, sizeof(log), "%s/iperf3.log", lab.dir);
		rc = spawn_in_node(&lab, lab_role(&lab, ROLE_SERVER), "iperf3", argv, log, b->err,
				   sizeof(b->err)) < 0
			 ? -1
			 : 0;
	}
	lab_fini(&lab);
	clock_sleep_ms(200); /* until it listens */
	return rc;
}

/*
 * The first packet through a tunnel waits for its handshake (OpenVPN's TLS
 * takes most of a second): one ping gets through before any figure counts.
 */
static int warm_up(struct bench *b, struct path *p)
{
	if (ping_until_answered(p->ns, p->target, 10, b->err, sizeof(b->err)) == 0)
		return 0;
	snprintf(b->err, sizeof(b->err), "%s carried no ping to %s in lab %s", kinds[p->kind].name,
		 p->target, p->lab);
	return -1;
}

/* Which lab each path measures in, and who brings it up. */
static void place(struct bench *b, struct path *p, enum path_id k)
{
	/* bare rides on the encrypted lab's underlay; in a pair, every path does */
	const char *suffix = b->pair ? "e" : kinds[k].suffix;
	struct lab lab;
	char err[128];

	p->kind = k;
	snprintf(p->lab, sizeof(p->lab), "%s-%s", b->prefix, suffix);
	/*
	 * The lab is not up yet: its context only names its client and server,
	 * from the file when there is one (checked already, so it reads).  A
	 * pair's paths start on internet, to the server's public address,
	 * until pair_start gives them the pair's tunnels.
	 */
	if (lab_init(&lab, p->lab, err, sizeof(err)) == 0) {
		if (b->file)
			lab_fit_load(&lab, "bench", b->file);
		lab_ns(&lab, lab_role(&lab, b->pair ? ROLE_INTERNET : ROLE_CLIENT), p->ns,
		       sizeof(p->ns));
		snprintf(p->target, sizeof(p->target), "%s",
			 kinds[k].vpn && !b->pair ? lab.at.server_vpn4 : lab.at.server_public4);
		lab_fini(&lab);
	}
	p->owns_lab = true;
	for (int i = 0; i < b->npaths; i++)
		if (!strcmp(b->paths[i].lab, p->lab))
			p->owns_lab = false;
}

static int setup(struct bench *b)
{
	for (int k = 0; k < PATH_COUNT; k++) {
		struct path *p = &b->paths[b->npaths];

		if (!b->want[k])
			continue;
		place(b, p, (enum path_id)k);
		b->npaths++;
		if (!p->owns_lab)
			continue;
		if (b->pair)
			progress(b, "bringing up lab %s (every path rides on it)", p->lab);
		else if (k == PATH_BARE)
			progress(b, "bringing up lab %s (bare rides on it)", p->lab);
		else
			progress(b, "bringing up lab %s for %s", p->lab, kinds[k].name);
		if (lab_up(b, p) || start_iperf_server(b, p) || warm_up(b, p))
			return -1;
	}
	for (int i = 0; i < b->npaths; i++) {
		struct path *p = &b->paths[i];

		if (p->kind == PATH_FLOOR) {
			progress(b, "starting the floor's two ends in %s", p->lab);
			if (floor_start(b, p) || warm_up(b, p))
				return -1;
			continue;
		}
		if (!b->pair) {
			find_tunnels(p);
			continue;
		}
		progress(b, "starting the pair's %s tunnels in %s", kinds[p->kind].name, p->lab);
		if (pair_start(b, p))
			return -1;
	}
	return b->npaths ? 0 : (snprintf(b->err, sizeof(b->err), "no path to measure"), -1);
}

static void teardown(struct bench *b)
{
	for (int i = 0; i < b->npaths; i++)
		if (b->paths[i].owns_lab)
			lab_down(&b->paths[i]);
}

/* ---- one round ---- */

static int iperf(struct bench *b, struct path *p, char *const extra[], char *out, size_t cap)
{
	char prog[PATH_MAX], secs[16];
	char *argv[16] = {prog, "-c", p->target, "-J", "-t", secs};
	int n = 6, rc;

	find_program("iperf3", prog, sizeof(prog));
	snprintf(secs, sizeof(secs), "%d", b->seconds);
	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	/* The server takes a moment between tests; one that came too soon is run again. */
	for (int attempt = 0; attempt < 2; attempt++) {
		clock_sleep_ms(attempt ? 500 : 50);
		rc = run_in_ns(p->ns, argv, out, cap, (b->seconds + 10) * 1000, b->err,
			       sizeof(b->err));
		if (rc == 0 && strstr(out, "\"sum_received\""))
			break;
	}
	if (rc > 0)
		snprintf(b->err, sizeof(b->err), "iperf3 to %s failed on the %s path (status %d)",
			 p->target, kinds[p->kind].name, rc);
	return rc ? -1 : 0;
}

static double tunnels_cpu(const struct path *p)
{
	double sum = 0;

	for (int i = 0; i < p->ntunnels; i++) {
		double s = proc_cpu_seconds(p->tunnels[i]);

		if (s > 0)
			sum += s;
	}
	return sum;
}

/* iperf3 says what went wrong in its "error" field; without one, the output was cut. */
static void iperf_failed(struct bench *b, const struct path *p, const char *test, const char *out)
{
	const char *e = strstr(out, "\"error\":");
	int n;

	if (!e) {
		snprintf(b->err, sizeof(b->err), "iperf3 gave no figures (%s, %s)",
			 kinds[p->kind].name, test);
		return;
	}
	e = strchr(e + 8, '"');
	n = e ? (int)strcspn(e + 1, "\"") : 0;
	snprintf(b->err, sizeof(b->err), "iperf3 failed (%s, %s): %.*s", kinds[p->kind].name, test,
		 n, e ? e + 1 : "");
}

static int tcp_test(struct bench *b, struct path *p, enum test t, int round)
{
	static char out[1 << 20];
	char *extra[4] = {NULL};
	struct tcp_result r;
	double cpu0 = tunnels_cpu(p);
	int n = 0;

	if (t == TCP1_DOWN || t == TCP4_DOWN)
		extra[n++] = "-R";
	if (t == TCP4_UP || t == TCP4_DOWN) {
		extra[n++] = "-P";
		extra[n++] = "4";
	}
	if (iperf(b, p, extra, out, sizeof(out)))
		return -1;
	if (parse_iperf_tcp(out, &r)) {
		iperf_failed(b, p, test_names[t], out);
		return -1;
	}
	p->tcp[t][round] = r.bits_per_second;
	p->cpu_seconds += tunnels_cpu(p) - cpu0;
	p->bytes += r.bytes;
	return 0;
}

/* iperf3 sending 64-byte datagrams at bits_per_second (0: as fast as it can); r what arrived. */
static int udp64(struct bench *b, struct path *p, long bits_per_second, const char *test,
		 struct udp_result *r)
{
	static char out[1 << 20];
	char rate[24];
	char *extra[] = {"-u", "-l", "64", "-b", rate, NULL};

	snprintf(rate, sizeof(rate), "%ld", bits_per_second);
	if (iperf(b, p, extra, out, sizeof(out)))
		return -1;
	if (parse_iperf_udp(out, r)) {
		iperf_failed(b, p, test, out);
		return -1;
	}
	return 0;
}

static int udp_test(struct bench *b, struct path *p, int round)
{
	struct udp_result r;

	if (udp64(b, p, 0, "udp", &r))
		return -1;
	p->pps[round] = r.delivered_pps;
	p->loss[round] = r.loss_percent;
	return 0;
}

/*
 * The tunnels' CPU per 64-byte packet at PKT_RATE: their work per packet,
 * what batching, gluing and fewer system calls save, apart from how a
 * saturated path's drops fall.  Nothing to read on a path without tunnels.
 */
static int udp_cost_test(struct bench *b, struct path *p)
{
	struct udp_result r;
	double cpu0;

	if (!p->ntunnels)
		return 0;
	cpu0 = tunnels_cpu(p);
	if (udp64(b, p, PKT_RATE * 64L * 8, "udp at a fixed rate", &r))
		return -1;
	p->pkt_cpu_seconds += tunnels_cpu(p) - cpu0;
	p->pkts += r.delivered;
	return 0;
}

static int ping_test(struct bench *b, struct path *p)
{
	static char out[1 << 17];
	char count[16];
	char *argv[] = {"ping", "-n", "-c", count, "-i", "0.01", "-W", "1", p->target, NULL};
	int want = b->quick ? 20 : 50;

	snprintf(count, sizeof(count), "%d", want);
	if (run_in_ns(p->ns, argv, out, sizeof(out), 10000, b->err, sizeof(b->err)) < 0)
		return -1;
	p->nrtt += parse_ping(out, p->rtt + p->nrtt, PING_MAX - p->nrtt);
	return 0;
}

static int measure(struct bench *b, struct path *p, int round)
{
	int ntests = b->quick ? 1 : TEST_COUNT;

	/* Ping first, on quiet links: after a flood, queues take a while to drain. */
	progress(b, "round %d/%d  %-12s ping", round + 1, b->rounds, kinds[p->kind].name);
	if (ping_test(b, p))
		return -1;
	for (int t = 0; t < ntests; t++) {
		progress(b, "round %d/%d  %-12s %s", round + 1, b->rounds, kinds[p->kind].name,
			 test_names[t]);
		if (tcp_test(b, p, (enum test)t, round))
			return -1;
	}
	progress(b, "round %d/%d  %-12s udp 64-byte", round + 1, b->rounds, kinds[p->kind].name);
	if (udp_test(b, p, round))
		return -1;
	if (b->quick)
		return 0;
	progress(b, "round %d/%d  %-12s udp 64-byte at %d/s", round + 1, b->rounds,
		 kinds[p->kind].name, PKT_RATE);
	return udp_cost_test(b, p);
}

static void finish(struct bench *b)
{
	for (int i = 0; i < b->npaths; i++) {
		struct path *p = &b->paths[i];

		for (int t = 0; t < TEST_COUNT; t++)
			p->fig.tcp[t] = quantile(p->tcp[t], b->rounds, 0.5);
		p->fig.pps = quantile(p->pps, b->rounds, 0.5);
		p->fig.loss = quantile(p->loss, b->rounds, 0.5);
		p->fig.rtt_median = quantile(p->rtt, p->nrtt, 0.5);
		p->fig.rtt_p99 = quantile(p->rtt, p->nrtt, 0.99);
		p->fig.cpu_per_gb =
		    p->bytes > 0 && p->ntunnels ? p->cpu_seconds / (p->bytes / 1e9) : -1;
		p->fig.cpu_per_pkt = p->pkts > 0 ? p->pkt_cpu_seconds * 1e6 / p->pkts : -1;
		p->fig.rss = -1;
		for (int k = 0; k < p->ntunnels; k++) {
			double r = proc_peak_rss(p->tunnels[k]);

			if (r > p->fig.rss)
				p->fig.rss = r;
		}
	}
}

/* Ctrl-C is held back and honoured between measurements, so the labs come down. */
static bool interrupted(struct bench *b)
{
	if (!held_signal_pending())
		return false;
	snprintf(b->err, sizeof(b->err), "interrupted; the benchmark's labs are taken down");
	return true;
}

static int run(struct bench *b)
{
	double t0 = clock_seconds();
	int rc = setup(b);

	for (int round = 0; !rc && round < b->rounds; round++)
		for (int i = 0; !rc && i < b->npaths; i++)
			rc = interrupted(b) ? -1 : measure(b, &b->paths[i], round);
	progress_done(b);
	if (!rc) {
		finish(b);
		b->elapsed = clock_seconds() - t0;
		report(b);
		if (b->plot && plot(b, b->plot)) {
			snprintf(b->err, sizeof(b->err), "cannot write %s: %s", b->plot,
				 strerror(errno));
			rc = -1;
		}
	}
	teardown(b);
	return rc;
}

const char *bench_path_name(enum path_id k)
{
	return kinds[k].name;
}

const char *bench_test_name(enum test t)
{
	return test_names[t];
}

int cmd_bench(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	int rc;

	if (!b) {
		fprintf(stderr, "harness bench: out of memory\n");
		return 1;
	}
	rc = parse(b, argc, argv);
	if (rc == 1) {
		rc = 0;
	} else if (rc == 0 && b->aead) {
		term_init(&b->term, STDOUT_FILENO);
		if (bench_aead(b)) {
			fprintf(stderr, "harness bench: %s\n", b->err);
			rc = 1;
		}
	} else if (rc == 0 && geteuid() != 0) {
		fprintf(stderr, "harness bench: must run as root: it builds labs\n");
		rc = 1;
	} else if (rc == 0) {
		hold_signals();
		term_init(&b->term, STDOUT_FILENO);
		if (run(b)) {
			fprintf(stderr, "harness bench: %s\n", b->err);
			rc = 1;
		}
	}
	free(b);
	return rc;
}
