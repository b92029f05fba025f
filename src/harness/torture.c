/*
 * harness torture: a hostile network, one scenario at a time, each in a
 * lab of its own making (LAB-x; the kill loop uses LAB-k).  Each prints
 * what it did, what survived and how many bytes were lost.
 *
 *   lossy    the internet drops, duplicates, corrupts and reorders
 *            packets; a transfer in each mode
 *   restart  kill -9 of the server's tunnel mid-transfer, and a restart
 *   rebind   the home router forgets its NAT mappings mid-transfer
 *   flood    bad datagrams at the server while a transfer runs
 *   soak     traffic both ways with frequent rekeys; RSS sampled
 *   killed   kill -9 of harness up at random moments, then down
 *
 * The labs are brought up and down by running this program's own up,
 * set, flood and down, as a person would.
 */
#include "commands.h"
#include "control.h"
#include "firewall.h"
#include "lab_fit.h"
#include "measure.h"
#include "reorder.h"
#include "spawn.h"
#include "state.h"
#include "transfer.h"
#include "up.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum scenario { S_LOSSY, S_RESTART, S_REBIND, S_FLOOD, S_SOAK, S_KILLED, S_COUNT };
static const char *const names[S_COUNT] = {"lossy", "restart", "rebind", "flood", "soak", "killed"};

#define MiB	(1024.0 * 1024.0)
#define RSS_MAX 700 /* samples */
#define PORT	5041

struct result {
	bool ran, survived;
	uint64_t lost;
	char did[512], kept[512];
};

struct torture {
	struct lab lab; /* LAB-x, the scenarios' lab */
	char prefix[LAB_NAME_MAX + 1];
	const char *file; /* --file: the labs come up from this lab file */
	bool quick, json;
	unsigned int want; /* bit per scenario */
	uint64_t bytes;	   /* per transfer */
	int soak_s, kills;
	double rss[RSS_MAX];
	int nrss;
	struct result res[S_COUNT];
	char err[256];
};
/* The node whose tunnel the scenarios restart, flood and count: the lab's server. */
static const char *server_of(const struct torture *t)
{
	return lab_name(&t->lab, lab_role(&t->lab, ROLE_SERVER));
}

static void usage(FILE *f)
{
	fputs("usage: harness torture [--scenarios LIST] [--quick] [--mb N] [--soak S]\n"
	      "                       [--kills N] [options]\n"
	      "\n"
	      "A hostile network, one scenario after another, each in a lab of its own\n"
	      "(LAB-x and LAB-k). Each says what it did, what survived, and what was lost.\n"
	      "\n"
	      "  --scenarios LIST\n"
	      "                  comma-separated: lossy, restart, rebind, flood, soak,\n"
	      "                  killed (default: all)\n"
	      "  --mb N          MB in each transfer (default 50; --quick 10)\n"
	      "  --soak S        seconds of the soak (default 600; --quick 20)\n"
	      "  --kills N       kill -9 of harness up, N times (default 20; --quick 5)\n"
	      "  --quick         the shortened run the tests use\n"
	      "  --file FILE     bring the labs up from lab file FILE (see docs/labs.md),\n"
	      "                  not the default lab; the roles each scenario needs and\n"
	      "                  a tunnel between client and server are checked first\n"
	      "  --lab NAME      the labs are NAME-x and NAME-k (default: torture)\n"
	      "  --json          the results, for scripts\n"
	      "  -h, --help      show this help\n",
	      f);
}

/* ---- running ourselves ---- */

/* This program with args, stdout into out (or nowhere), stderr kept; its exit status. */
static int self(char *out, size_t cap, const char *first, ...)
{
	char prog[PATH_MAX], *argv[24];
	int n = 0, p[2] = {-1, -1}, status;
	size_t len = 0;
	va_list ap;
	pid_t pid;

	if (sibling_path("harness", prog, sizeof(prog)) || (out && pipe2(p, O_CLOEXEC)))
		return -1;
	argv[n++] = prog;
	va_start(ap, first);
	for (const char *a = first; a && n < 23; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out)
			dup2(p[1], STDOUT_FILENO);
		else if (to_null(STDOUT_FILENO))
			_exit(126);
		close_from(3);
		execv(prog, argv);
		_exit(127);
	}
	if (out) {
		ssize_t r;

		close(p[1]);
		while (pid > 0 && len + 1 < cap && (r = read(p[0], out + len, cap - 1 - len)) > 0)
			len += (size_t)r;
		out[len] = '\0';
		close(p[0]);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int up(struct torture *t, const char *mode, const char *extra, const char *value)
{
	int rc;

	self(NULL, 0, "down", "--lab", t->lab.name, NULL);
	/* extra may be NULL, which ends the list: the file goes before it. */
	if (t->file)
		rc = self(NULL, 0, "up", t->file, "--lab", t->lab.name, "--mode", mode, extra,
			  value, NULL);
	else
		rc = self(NULL, 0, "up", "--lab", t->lab.name, "--mode", mode, extra, value, NULL);
	if (rc == 0)
		return 0;
	snprintf(t->err, sizeof(t->err), "cannot bring up lab %s (%s)", t->lab.name, mode);
	return -1;
}

static void down(struct torture *t)
{
	self(NULL, 0, "down", "--lab", t->lab.name, NULL);
}

/* ---- the lab's tunnels ---- */

/* The recorded PID of the tunnel on a node, and its start time; 0 if none. */
static pid_t tunnel_of(const struct lab *lab, const char *node, unsigned long long *start)
{
	struct record *r = NULL;
	pid_t pid = 0;
	int n = state_load(lab, &r);

	for (int i = 0; i < n; i++)
		if (r[i].kind == REC_PROC && !strcmp(r[i].what, "tunnel") &&
		    !strcmp(r[i].name, node)) {
			pid = r[i].pid;
			if (start)
				*start = r[i].start;
		}
	free(r);
	return pid;
}

static double rss_of(pid_t pid)
{
	char path[64], line[256];
	double kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* A field of a tunnel's stats into v ("-" if there is none). */
static const char *field_of(const struct lab *lab, const char *node, const char *key, char *v,
			    size_t cap)
{
	char path[PATH_MAX], reply[8192];

	snprintf(path, sizeof(path), "%s/%s.ctl", lab->dir, node);
	if (control_query(path, "stats\n", reply, sizeof(reply)) ||
	    !control_value(reply, key, v, cap))
		snprintf(v, cap, "-");
	return v;
}

static long long stat_of(const struct lab *lab, const char *node, const char *key)
{
	char v[64];

	field_of(lab, node, key, v, sizeof(v));
	return strcmp(v, "-") ? atoll(v) : -1;
}

static void note(struct result *r, char *field, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(struct result *r, char *field, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(field);
	va_list ap;

	(void)r;
	va_start(ap, fmt);
	vsnprintf(field + len, cap - len, fmt, ap);
	va_end(ap);
}

#define DID(r, ...)  note(r, (r)->did, sizeof((r)->did), __VA_ARGS__)
#define KEPT(r, ...) note(r, (r)->kept, sizeof((r)->kept), __VA_ARGS__)

/* A transfer from home-laptop to office-host, whole; lost is what did not arrive intact. */
static bool move(struct torture *t, struct result *r, double timeout, struct transfer *x)
{
	if (transfer_start(x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT, t->bytes)) {
		snprintf(t->err, sizeof(t->err), "%s", x->err);
		return false;
	}
	transfer_wait(x, timeout);
	r->lost += x->bytes - x->intact;
	return x->done;
}

/* ---- the scenarios ---- */

static int lossy(struct torture *t, struct result *r)
{
	static const char *const modes[] = {"plaintext", "pi", "encrypted"};
	const struct impair im = {.loss = 5, .dup = 5, .corrupt = 1};
	unsigned long long n[4] = {0}, sum[4] = {0}, held = 0;
	struct transfer x;

	r->survived = true;
	for (int m = 0; m < 3; m++) {
		if (up(t, modes[m], NULL, NULL))
			return -1;
		if (firewall_impair(&t->lab, &im, t->err, sizeof(t->err)))
			return -1;
		/* Reordering comes from a delay line (see delay_line.c), through "set". */
		if (self(NULL, 0, "set", "--lab", t->lab.name, "--reorder", "25", NULL)) {
			snprintf(t->err, sizeof(t->err), "harness set --reorder 25 failed");
			return -1;
		}
		bool ok = move(t, r, 300, &x);
		unsigned long long h = reorder_count(&t->lab);

		firewall_impaired(&t->lab, n, t->err, sizeof(t->err));
		for (int i = 0; i < 4; i++)
			sum[i] += n[i];
		held += h;
		/* No packet held back would mean no reordering was tested. */
		r->survived &= ok && h > 0;
		KEPT(r, "%s%s: %s, %.0f Mbit/s", m ? "; " : "", modes[m],
		     ok		? "byte-identical"
		     : x.err[0] ? x.err
				: "damaged",
		     transfer_rate(&x) / 1e6);
		down(t);
	}
	DID(r,
	    "%.0f MB up in each mode while the internet node dropped 5%% (%llu packets), "
	    "duplicated 5%% (%llu) and corrupted 1%% (%llu) of what it forwarded (nftables), and "
	    "held back 25%% (%llu) for %.0f ms so that later packets overtook them (a delay line)",
	    t->bytes / 1e6, sum[1], sum[2] + sum[3], sum[0], held, REORDER_DEFAULT_HOLD / 1e6);
	return 0;
}

/* recovered: when the new server had a session, and when it first carried data. */
static int restart_server(struct torture *t, double recovered[2], long long *tries)
{
	char buf[4096], *argv[40], log[PATH_MAX];
	unsigned long long start = 0;
	pid_t pid = tunnel_of(&t->lab, server_of(t), &start);
	long long rx;
	double t0;

	/*
	 * Started again the same way: with the command line the harness saved
	 * when it started the tunnel, never one read from /proc, which the
	 * process itself (or whoever has its PID) could have rewritten.
	 */
	if (!pid || spawn_argv(&t->lab, pid, buf, sizeof(buf), argv, 40) < 1) {
		snprintf(t->err, sizeof(t->err), "no server tunnel recorded in lab %s",
			 t->lab.name);
		return -1;
	}
	/* Only the PID recorded for this lab, and only while it is still that process. */
	if (proc_is(pid, start))
		kill(pid, SIGKILL);
	while (proc_is(pid, start))
		clock_sleep_ms(10);
	lab_file(&t->lab, lab_role(&t->lab, ROLE_SERVER), "log", log, sizeof(log));
	if (state_lock(&t->lab, false, t->err, sizeof(t->err)))
		return -1;
	pid = spawn_in_node(&t->lab, lab_role(&t->lab, ROLE_SERVER), "tunnel", argv, log, t->err,
			    sizeof(t->err));
	/* Let go of the lab at once: down and set take the same lock. */
	close(t->lab.lock_fd);
	t->lab.lock_fd = -1;
	if (pid < 0)
		return -1;
	t0 = clock_seconds();
	recovered[0] = recovered[1] = -1;
	while (clock_seconds() - t0 < 60 && recovered[1] < 0) {
		if (recovered[0] < 0 && stat_of(&t->lab, server_of(t), "sessions") > 0) {
			recovered[0] = clock_seconds() - t0;
			*tries = stat_of(&t->lab, server_of(t), "initiations_received");
		}
		rx = stat_of(&t->lab, server_of(t), "rx_packets");
		if (rx > 0)
			recovered[1] = clock_seconds() - t0;
		clock_sleep_ms(50);
	}
	return 0;
}

static int restart(struct torture *t, struct result *r)
{
	struct transfer x;
	double rec[2] = {-1, -1};
	long long tries = -1;

	if (up(t, "encrypted", NULL, NULL))
		return -1;
	/* A transfer long enough to be cut: at least 0.5 s at full speed. */
	if (transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT, t->bytes * 4)) {
		snprintf(t->err, sizeof(t->err), "%s", x.err);
		return -1;
	}
	clock_sleep_ms(150);
	if (restart_server(t, rec, &tries)) {
		transfer_wait(&x, 0);
		return -1;
	}
	transfer_wait(&x, 120);
	r->lost = x.bytes - x.intact;
	/* One handshake: the first initiation the new server saw made the session. */
	r->survived = x.done && rec[0] >= 0 && tries == 1;
	DID(r,
	    "kill -9 of %s's tunnel 0.15 s into a %.0f MB transfer, then the same "
	    "command again",
	    server_of(t), x.bytes / 1e6);
	if (rec[0] >= 0)
		KEPT(r,
		     "a new session %.1f s after the restart, from %lld initiation (the laptop "
		     "starts one after 15 s without an answer); data again %.1f s after the "
		     "restart (TCP's backoff); ",
		     rec[0], tries, rec[1]);
	else
		KEPT(r, "no new session within 60 s; ");
	KEPT(r, "the transfer %s", x.done ? "completed byte-identical" : "failed");
	down(t);
	return 0;
}

/*
 * The server follows once an authenticated datagram comes from the new
 * port.  A transfer that ended before the rebind leaves only the 1 s
 * keepalive to carry it, so wait a few of those for it, and say which.
 */
static double wait_moved(struct torture *t, const char *before, char *after, size_t cap)
{
	double start = clock_seconds();

	for (;;) {
		field_of(&t->lab, server_of(t), "peer1_endpoint", after, cap);
		if (strcmp(before, after) || clock_seconds() - start > 3.5)
			return clock_seconds() - start;
		clock_sleep_ms(100);
	}
}

static int rebind(struct torture *t, struct result *r)
{
	struct transfer x;
	char before[64], after[64];
	double start, moved, late;

	if (up(t, "encrypted", "--keepalive", "1"))
		return -1;
	start = clock_seconds();
	if (transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT,
			   t->bytes * 32)) {
		snprintf(t->err, sizeof(t->err), "%s", x.err);
		return -1;
	}
	/* 32 times the MB: "set" takes most of a second, a smaller transfer could end first. */
	clock_sleep_ms(100);
	field_of(&t->lab, server_of(t), "peer1_endpoint", before, sizeof(before));
	int rc = self(NULL, 0, "set", "--lab", t->lab.name, "--nat-rebind", NULL);
	moved = clock_seconds() - start;
	transfer_wait(&x, 120);
	late = wait_moved(t, before, after, sizeof(after));
	r->lost = x.bytes - x.intact;
	r->survived = rc == 0 && x.done && strcmp(before, after);
	DID(r,
	    "%s's conntrack flushed and its mapped ports moved, %.1f s into a %.0f MB "
	    "transfer",
	    lab_name(&t->lab, lab_role(&t->lab, ROLE_NAT)), moved, x.bytes / 1e6);
	KEPT(r, "the server followed the laptop from %s to %s%s; the transfer %s", before, after,
	     !x.done || x.seconds > moved ? ""
	     : late < 0.05		  ? " (the transfer had ended first)"
					  : " by keepalive (the transfer had ended first)",
	     x.done ? "completed byte-identical" : "failed");
	down(t);
	return 0;
}

/* flood in a loop, until stopped: random, truncated and forged datagrams, and
 * handshakes with mac2 for the rate limiter. */
static pid_t flood_loop(struct torture *t, const char *count)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		if (self(NULL, 0, "flood", "--lab", t->lab.name, "--kinds",
			 "random,truncated,forged,cookie", "--count", count, NULL) != 0)
			_exit(1);
}

/* A kind's rate from flood's --json: {"random":{"datagrams":N,"seconds":S}}. */
static double flood_rate(const char *text, const char *kind)
{
	char pat[64];
	const char *p;
	double n, secs;

	snprintf(pat, sizeof(pat), "\"%s\":{\"datagrams\":", kind);
	p = strstr(text, pat);
	if (!p || sscanf(p + strlen(pat), "%lf,\"seconds\":%lf", &n, &secs) != 2 || secs <= 0)
		return 0;
	return n / secs;
}

/*
 * The median goodput of three transfers in a row.  One transfer of a few
 * hundred MB swings with TCP's start and the other core's load: single
 * samples of the same lab have differed by two to one, which made a
 * ratio of two single samples a coin toss near its bound.  Adds what did
 * not arrive intact to *lost; false if any transfer failed.
 */
static bool median_goodput(struct torture *t, uint64_t size, double *rate, uint64_t *lost)
{
	double v[3];
	bool ok = true;

	for (int i = 0; i < 3; i++) {
		struct transfer x;

		transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			       lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT, size);
		transfer_wait(&x, 120);
		ok = ok && x.done;
		*lost += x.bytes - x.intact;
		v[i] = transfer_rate(&x);
	}
	*rate = quantile(v, 3, 0.5);
	return ok;
}

static int flood(struct torture *t, struct result *r)
{
	static char out[16384];
	struct transfer warm;
	pid_t server, loop;
	double rss0, rss1, ratio, base, hit;
	long long cookies, limited;
	uint64_t size = t->bytes * 10, lost = 0;
	bool base_ok, hit_ok;

	if (up(t, "encrypted", NULL, NULL))
		return -1;
	server = tunnel_of(&t->lab, server_of(t), NULL);
	base_ok = median_goodput(t, size, &base, &lost);
	rss0 = rss_of(server);
	/* Every kind once, for its rate; a transfer meanwhile gives replay real datagrams. */
	transfer_start(&warm, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
		       lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT, size);
	self(out, sizeof(out), "flood", "--lab", t->lab.name, "--json", "--count",
	     t->quick ? "20000" : "200000", NULL);
	transfer_wait(&warm, 120);
	loop = flood_loop(t, "100000");
	clock_sleep_ms(300);
	hit_ok = median_goodput(t, size, &hit, &lost);
	kill(loop, SIGKILL);
	waitpid(loop, NULL, 0);
	rss1 = rss_of(server);
	cookies = stat_of(&t->lab, server_of(t), "cookies_sent");
	limited = stat_of(&t->lab, server_of(t), "drop_ratelimited");
	ratio = base > 0 ? hit / base : 0;
	r->lost = lost + warm.bytes - warm.intact;
	r->survived = base_ok && hit_ok && warm.done && flood_rate(out, "replay") > 0 &&
		      ratio >= 0.5 && kill(server, 0) == 0 && rss1 - rss0 < 4 * MiB &&
		      cookies > 0 && limited > 0;
	DID(r,
	    "from internet: random %.0fk/s, truncated %.0fk/s, forged %.0fk/s, replay %.0fk/s, "
	    "cookie %.0fk/s; then all but replay in a loop during three %.0f MB transfers",
	    flood_rate(out, "random") / 1e3, flood_rate(out, "truncated") / 1e3,
	    flood_rate(out, "forged") / 1e3, flood_rate(out, "replay") / 1e3,
	    flood_rate(out, "cookie") / 1e3, size / 1e6);
	KEPT(r,
	     "goodput %.0f of %.0f Mbit/s (%.0f%%; medians of 3); server RSS %.1f -> %.1f MiB; "
	     "%lld cookie replies, %lld rate-limited; the server %s",
	     hit / 1e6, base / 1e6, ratio * 100, rss0 / MiB, rss1 / MiB, cookies, limited,
	     kill(server, 0) == 0 ? "runs" : "died");
	down(t);
	return 0;
}

static void sample_rss(struct torture *t, pid_t pid)
{
	double v = rss_of(pid);

	if (v > 0 && t->nrss < RSS_MAX)
		t->rss[t->nrss++] = v;
}

static double max_of(const double *v, int from, int to)
{
	double m = 0;

	for (int i = from; i < to; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static int soak(struct torture *t, struct result *r)
{
	struct transfer a, b;
	double t0, last = 0, early, late;
	int rounds = 0, bad = 0;
	pid_t server;

	if (up(t, "encrypted", "--rekey-after", t->quick ? "5" : "120"))
		return -1;
	server = tunnel_of(&t->lab, server_of(t), NULL);
	t0 = clock_seconds();
	while (clock_seconds() - t0 < t->soak_s) {
		bool ok = !transfer_start(&a, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
					  lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, PORT,
					  t->bytes) &&
			  !transfer_start(&b, &t->lab, lab_role(&t->lab, ROLE_TARGET),
					  lab_role(&t->lab, ROLE_CLIENT), t->lab.at.client_vpn4,
					  PORT + 1, t->bytes);

		transfer_wait(&a, 120);
		transfer_wait(&b, 120);
		r->lost += a.bytes - a.intact + b.bytes - b.intact;
		bad += !ok || !a.done || !b.done;
		rounds++;
		if (clock_seconds() - last >= 1) {
			sample_rss(t, server);
			last = clock_seconds();
		}
	}
	sample_rss(t, server);
	/* Growth: the last quarter's peak against the first quarter's, after one sample's warm-up.
	 */
	early = max_of(t->rss, 1, 1 + (t->nrss - 1) / 4 + 1);
	late = max_of(t->rss, t->nrss - (t->nrss - 1) / 4 - 1, t->nrss);
	r->survived = !bad && t->nrss >= 4 && late - early <= 1 * MiB && kill(server, 0) == 0;
	DID(r, "%d s of %.0f MB transfers both ways at once (%d rounds), a new session every %s s",
	    t->soak_s, t->bytes / 1e6, rounds, t->quick ? "5" : "120");
	KEPT(r,
	     "%d of %d rounds byte-identical; %lld sessions; server RSS %.2f MiB early, %.2f "
	     "late (%d samples)",
	     rounds - bad, rounds, stat_of(&t->lab, server_of(t), "sessions"), early / MiB,
	     late / MiB, t->nrss);
	down(t);
	return 0;
}

/* ---- killed: harness up dies at random moments; down must leave nothing ---- */

static bool has_prefix_entry(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d)))
		found = !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return found;
}

/* One of the lab's wg sockets (named with a hash when the lab's name is long). */
static bool wg_socket_left(const struct lab *k)
{
	DIR *d = opendir(WG_SOCKET_DIR);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", WG_SOCKET_DIR, e->d_name);
		found = wg_socket_of(k, path);
	}
	if (d)
		closedir(d);
	return found;
}

/* A live process whose command line names the lab's directory (zombies have none). */
static bool lab_process_left(const char *labdir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], buf[4096];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[n > 0 ? n : 0] = '\0';
		found = strstr(buf, labdir) != NULL;
	}
	if (d)
		closedir(d);
	return found;
}

static bool left_nothing(const struct lab *k)
{
	char prefix[LAB_NAME_MAX + 2], dir[PATH_MAX + 1];
	struct stat st;

	snprintf(prefix, sizeof(prefix), "%s-", k->name);
	snprintf(dir, sizeof(dir), "%s/", k->dir);
	return !has_prefix_entry(NETNS_DIR, prefix) && stat(k->dir, &st) != 0 &&
	       !wg_socket_left(k) && !lab_process_left(dir);
}

static void kill_up_after(const char *lab, const char *file, int ms)
{
	char prog[PATH_MAX];
	pid_t pid;

	if (sibling_path("harness", prog, sizeof(prog)))
		return;
	pid = fork();
	if (pid == 0) {
		to_null(STDOUT_FILENO);
		to_null(STDERR_FILENO);
		close_from(3);
		if (file)
			execl(prog, prog, "up", file, "--lab", lab, (char *)NULL);
		else
			execl(prog, prog, "up", "--lab", lab, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return;
	clock_sleep_ms(ms);
	kill(pid, SIGKILL); /* our own child, by the PID fork gave us */
	waitpid(pid, NULL, 0);
}

static int killed(struct torture *t, struct result *r)
{
	struct lab k;
	char name[LAB_NAME_MAX + 1];
	int clean = 0, twice;
	uint32_t seed = 12345;

	snprintf(name, sizeof(name), "%s-k", t->prefix);
	if (lab_init(&k, name, t->err, sizeof(t->err)))
		return -1;
	for (int i = 0; i < t->kills; i++) {
		/* Spread over the whole of up, which takes about a second here. */
		seed = seed * 1103515245u + 12345u;
		kill_up_after(name, t->file, 20 + (int)(seed >> 16) % 1200);
		self(NULL, 0, "down", "--lab", name, NULL);
		clean += left_nothing(&k);
	}
	if (t->file) {
		self(NULL, 0, "up", t->file, "--lab", name, NULL);
		twice = self(NULL, 0, "up", t->file, "--lab", name, NULL);
	} else {
		self(NULL, 0, "up", "--lab", name, NULL);
		twice = self(NULL, 0, "up", "--lab", name, NULL);
	}
	self(NULL, 0, "down", "--lab", name, NULL);
	r->survived = clean == t->kills && twice != 0 && left_nothing(&k);
	DID(r,
	    "kill -9 of harness up %d times, 20 ms to 1.2 s in, each followed by down; then up "
	    "twice",
	    t->kills);
	KEPT(r, "%d of %d left no namespace, process, socket or record; the second up was %s",
	     clean, t->kills, twice ? "refused" : "accepted");
	lab_fini(&k);
	return 0;
}

/* ---- the command ---- */

static int (*const runs[S_COUNT])(struct torture *, struct result *) = {
    lossy, restart, rebind, flood, soak, killed,
};

static int parse_scenarios(struct torture *t, const char *arg)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	t->want = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int s = 0;

		while (s < S_COUNT && strcmp(w, names[s]))
			s++;
		if (s == S_COUNT) {
			fprintf(stderr,
				"harness torture: --scenarios: '%s' is not lossy, restart, rebind, "
				"flood, soak or killed\n",
				w);
			return -1;
		}
		t->want |= 1u << s;
	}
	return t->want ? 0 : (fprintf(stderr, "harness torture: --scenarios is empty\n"), -1);
}

static int number(const char *flag, const char *arg, long lo, long hi, long *out)
{
	if (!parse_whole(arg, lo, hi, out))
		return 0;
	fprintf(stderr, "harness torture: %s '%s' is not a number from %ld to %ld\n", flag, arg, lo,
		hi);
	return -1;
}

/*
 * The roles each scenario reaches for: every transfer runs from the
 * client to the target through the server's tunnel; lossy impairs the
 * internet's links toward the NAT and the server; rebind makes the NAT
 * forget; flood sends from the internet.  killed only brings the lab up.
 */
static const unsigned int scenario_roles[S_COUNT] = {
    [S_LOSSY] = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_INTERNET |
		1u << ROLE_NAT,
    [S_RESTART] = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER,
    [S_REBIND] = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_NAT,
    [S_FLOOD] = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_INTERNET,
    [S_SOAK] = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER,
    [S_KILLED] = 0,
};

/*
 * --file: read and checked as up reads it, then held against the
 * scenarios asked for, before any lab is made: their roles, the tunnel
 * (lossy runs plaintext and pi too, which take one client), and an IPv4
 * address on the target for the transfers.
 */
static int check_file(struct torture *t)
{
	const char *f = t->file;
	unsigned int roles = 0;
	int first = -1;

	for (int s = 0; s < S_COUNT; s++)
		if (t->want & 1u << s) {
			roles |= scenario_roles[s];
			if (first < 0 && s != S_KILLED)
				first = s;
		}
	if (lab_fit_load(&t->lab, "torture", f) || lab_fit_roles(&t->lab, "torture", f, roles))
		return -1;
	if (first < 0)
		return 0;
	if (t->want & 1u << S_LOSSY
		? lab_fit_tunnel(&t->lab, "torture", f, "lossy (plaintext and pi too)", true)
		: lab_fit_tunnel(&t->lab, "torture", f, names[first], false))
		return -1;
	if (!t->lab.at.target4[0] || !t->lab.at.client_vpn4[0]) {
		fprintf(stderr,
			"harness torture: %s: the transfers need an IPv4 address on the 'target' "
			"role's node and inside the tunnel on the client\n",
			f);
		return -1;
	}
	return 0;
}

static int parse(struct torture *t, int argc, char **argv)
{
	static const struct option opts[] = {{"scenarios", required_argument, NULL, 's'},
					     {"quick", no_argument, NULL, 'q'},
					     {"mb", required_argument, NULL, 'm'},
					     {"soak", required_argument, NULL, 'S'},
					     {"kills", required_argument, NULL, 'k'},
					     {"file", required_argument, NULL, 'F'},
					     COMMON_OPTIONS,
					     {0}};
	struct common c = {0};
	long mb = 0, soak_s = 0, kills = 0;
	int opt, rc;
	char name[LAB_NAME_MAX + 1];

	t->want = (1u << S_COUNT) - 1;
	opterr = 0;
	while ((rc = next_option("torture", argc, argv, ":h", opts, &c, usage, &opt)) == ARG_OWN) {
		if ((opt == 's' && parse_scenarios(t, optarg)) ||
		    (opt == 'm' && number("--mb", optarg, 1, 10000, &mb)) ||
		    (opt == 'S' && number("--soak", optarg, 1, 86400, &soak_s)) ||
		    (opt == 'k' && number("--kills", optarg, 1, 1000, &kills)))
			return 2;
		if (opt == 'q')
			t->quick = true;
		if (opt == 'F')
			t->file = optarg;
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? 1 : 2;
	if (no_arguments("torture", argc, argv))
		return 2;
	t->bytes = (uint64_t)(mb ? mb : t->quick ? 10 : 50) * 1000000;
	t->soak_s = (int)(soak_s ? soak_s : t->quick ? 20 : 600);
	t->kills = (int)(kills ? kills : t->quick ? 5 : 20);
	t->json = c.json;
	snprintf(t->prefix, sizeof(t->prefix), "%s",
		 c.lab			? c.lab
		 : getenv("TUNLAB_LAB") ? getenv("TUNLAB_LAB")
					: "torture");
	if (strlen(t->prefix) > LAB_NAME_MAX - 2) {
		fprintf(stderr, "harness torture: --lab '%s' is longer than %d characters\n",
			t->prefix, LAB_NAME_MAX - 2);
		return 2;
	}
	snprintf(name, sizeof(name), "%s-x", t->prefix);
	if (lab_init(&t->lab, name, t->err, sizeof(t->err))) {
		fprintf(stderr, "harness torture: %s\n", t->err);
		return 2;
	}
	return t->file && check_file(t) ? 2 : 0;
}

static void report(const struct torture *t)
{
	const struct term *tm = &t->lab.term;
	int ok = 0, bad = 0;

	if (t->json) {
		bool first = true;

		printf("{\"scenarios\":[");
		for (int s = 0; s < S_COUNT; s++) {
			const struct result *r = &t->res[s];

			if (!r->ran)
				continue;
			printf("%s{\"name\":\"%s\",\"survived\":%s,\"lost_bytes\":%llu,\"did\":",
			       first ? "" : ",", names[s], r->survived ? "true" : "false",
			       (unsigned long long)r->lost);
			json_str(stdout, r->did);
			printf(",\"kept\":");
			json_str(stdout, r->kept);
			printf("}");
			first = false;
		}
		printf("],\"soak_rss_mib\":[");
		for (int i = 0; i < t->nrss; i++)
			printf("%s%.2f", i ? "," : "", t->rss[i] / MiB);
		printf("]}\n");
		return;
	}
	for (int s = 0; s < S_COUNT; s++) {
		const struct result *r = &t->res[s];

		if (!r->ran)
			continue;
		r->survived ? ok++ : bad++;
		printf("\n%s%-8s%s %s%-9s%s lost %llu bytes\n", term_c(tm, C_BOLD), names[s],
		       term_c(tm, C_RESET), term_c(tm, r->survived ? C_GREEN : C_RED),
		       r->survived ? "survived" : "FAILED", term_c(tm, C_RESET),
		       (unsigned long long)r->lost);
		printf("  did:  %s\n  kept: %s\n", r->did, r->kept);
	}
	printf("\n%d survived, %d failed\n", ok, bad);
}

static int run(struct torture *t)
{
	bool all = true;

	for (int s = 0; s < S_COUNT; s++) {
		if (!(t->want & 1u << s))
			continue;
		if (!t->json)
			fprintf(stderr, "torture: %s...\n", names[s]);
		if (held_signal_pending()) {
			snprintf(t->err, sizeof(t->err), "interrupted");
			down(t);
			return -1;
		}
		t->res[s].ran = true;
		if (runs[s](t, &t->res[s])) {
			down(t);
			return -1;
		}
		all &= t->res[s].survived;
	}
	report(t);
	return all ? 0 : 1;
}

int cmd_torture(int argc, char **argv)
{
	struct torture *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		fprintf(stderr, "harness torture: out of memory\n");
		return 1;
	}
	t->lab.lock_fd = -1;
	rc = parse(t, argc, argv);
	if (rc == 1) {
		rc = 0;
	} else if (rc == 0 && geteuid() != 0) {
		fprintf(stderr, "harness torture: must run as root: it builds labs\n");
		rc = 1;
	} else if (rc == 0) {
		hold_signals();
		term_init(&t->lab.term, STDOUT_FILENO);
		rc = run(t);
		if (rc < 0)
			fprintf(stderr, "harness torture: %s\n", t->err);
		rc = rc ? 1 : 0;
	}
	lab_fini(&t->lab);
	free(t);
	return rc;
}
