/*
 * harness capture: libpcap on any interface of any lab node, opened in
 * that node's namespace, with a live one-line decode of each packet (the
 * decoder "tunnel -v" uses, looking inside tunnel datagrams too) and pcap
 * files that Wireshark and tshark open.
 */
#include "capture_line.h"
#include "commands.h"
#include "lib/clock.h"

#include <getopt.h>
#include "lib/capture.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/packet.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_POINTS 24
/*
 * Packets wait this long before they are printed, so that those of every
 * interface come out in the order of their timestamps, not in the order
 * the interfaces were read.
 */
#define HOLD_SECONDS 0.3

struct held {
	double ts;
	int point;
	size_t len;
	uint8_t data[];
};

struct points {
	struct capture cap[MAX_POINTS];
	int n;
	bool all;	       /* --all: MLD and router solicitations too */
	bool quiet;	       /* no live decode */
	struct held **held;    /* read, not printed yet */
	size_t nheld, capheld; /* ... and room for */
	double t0;	       /* the first printed packet's time */
	struct capture_keys keys;
};

static void usage(FILE *f)
{
	fputs("usage: harness capture NODE:IFACE|NODE:all|all [FILTER...] [options]\n"
	      "\n"
	      "Captures on lab interfaces (home-router:wan, office-server:tun0, ...) and\n"
	      "decodes each packet on one line, the packet inside a tunnel datagram too.\n"
	      "\n"
	      "  FILTER          a BPF filter, as tcpdump takes it (\"udp port 1234\")\n"
	      "  -c, --count N   stop after N packets\n"
	      "  -d, --duration S\n"
	      "                  stop after S seconds\n"
	      "  -w, --write FILE\n"
	      "                  also write a pcap file (one per interface, named\n"
	      "                  FILE-NODE-IFACE.pcap, when there are several)\n"
	      "  -q, --quiet     no live decode\n"
	      "  --all           also show (and count, and write) IPv6 MLD and router\n"
	      "                  solicitations, left out by default\n"
	      "\n"
	      "WireGuard datagrams are named (initiation, response, cookie reply,\n"
	      "transport), and transport data is opened with the lab's session keys.\n"
	      "With several interfaces, packets are printed in time order, 0.3 s late.\n" LAB_HELP,
	      f);
}

struct wanted {
	char ns[64];
	char node[32];
	char ifname[IFNAMSIZ];
};

struct link_list {
	struct wanted *w;
	int *n;
	const char *ns, *node;
};

static void take(const struct nl_link *l, void *arg)
{
	struct link_list *ll = arg;

	if (*ll->n >= MAX_POINTS || !strcmp(l->name, "lo"))
		return;
	snprintf(ll->w[*ll->n].ns, sizeof(ll->w[0].ns), "%s", ll->ns);
	snprintf(ll->w[*ll->n].node, sizeof(ll->w[0].node), "%s", ll->node);
	snprintf(ll->w[*ll->n].ifname, sizeof(ll->w[0].ifname), "%s", l->name);
	(*ll->n)++;
}

/* Every interface of a node but loopback, as its namespace has them now. */
static int node_links(const struct lab *lab, int node, struct wanted *w, int *n)
{
	char ns[64];
	struct nl nl;
	int fd = netns_open(lab_ns(lab, node, ns, sizeof(ns))), rc;
	struct link_list ll = {w, n, ns, lab_name(lab, node)};

	if (fd < 0)
		return -1;
	rc = nl_open_in(&nl, fd);
	close(fd);
	if (rc)
		return -1;
	rc = nl_dump_links(&nl, take, &ll);
	nl_close(&nl);
	return rc;
}

/* "all", "NODE:all" or "NODE:IFACE" into a list of interfaces. */
static int resolve(const struct lab *lab, const char *spec, struct wanted *w, int *n)
{
	char node[32];
	const char *colon = strchr(spec, ':');
	int id;

	*n = 0;
	if (!strcmp(spec, "all")) {
		for (size_t i = 0; i < lab->topo.nnodes; i++)
			if (node_links(lab, (int)i, w, n))
				goto down;
		return 0;
	}
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(node) || !colon[1]) {
		fprintf(stderr, "harness capture: '%s' is not NODE:IFACE, NODE:all or all\n", spec);
		return 2;
	}
	snprintf(node, sizeof(node), "%.*s", (int)(colon - spec), spec);
	id = lab_node(lab, node);
	if (id < 0) {
		fprintf(stderr, "harness capture: '%s' is not a lab node\n", node);
		return 2;
	}
	if (!strcmp(colon + 1, "all")) {
		if (node_links(lab, id, w, n) == 0)
			return 0;
		goto down;
	}
	lab_ns(lab, id, w[0].ns, sizeof(w[0].ns));
	snprintf(w[0].node, sizeof(w[0].node), "%s", node);
	snprintf(w[0].ifname, sizeof(w[0].ifname), "%.*s", IFNAMSIZ - 1, colon + 1);
	*n = 1;
	return 0;
down:
	fprintf(stderr, "harness capture: lab '%s' is not up\n", lab->name);
	return 1;
}

/* FILE for one interface; FILE-NODE-IFACE.pcap (before any .pcap) for several. */
static void file_for(const char *file, const struct wanted *w, bool several, char *out, size_t cap)
{
	size_t len = strlen(file);

	if (!several) {
		snprintf(out, cap, "%s", file);
		return;
	}
	if (len > 5 && !strcmp(file + len - 5, ".pcap"))
		len -= 5;
	snprintf(out, cap, "%.*s-%s-%s.pcap", (int)len, file, w->node, w->ifname);
}

static int open_points(const struct lab *lab, const struct wanted *w, int n, const char *filter,
		       const char *file, struct points *pts)
{
	char err[512], name[64], path[PATH_MAX];

	pts->n = 0;
	for (int i = 0; i < n; i++) {
		struct capture *c = &pts->cap[pts->n];

		snprintf(name, sizeof(name), "%s:%s", w[i].node, w[i].ifname);
		if (capture_open(c, w[i].ns, w[i].ifname, filter, 0, name, err, sizeof(err))) {
			fprintf(stderr, "harness capture: %s\n", err);
			return 1;
		}
		pts->n++;
		/* Left out before anything counts them or writes them, so -c, the
		 * summary and the pcap files all mean the packets shown. */
		c->skip = pts->all ? NULL : capture_is_chatter;
		if (file) {
			file_for(file, &w[i], n > 1, path, sizeof(path));
			if (capture_write(c, path, err, sizeof(err))) {
				fprintf(stderr, "harness capture: %s\n", err);
				return 1;
			}
		}
	}
	(void)lab;
	return 0;
}

static double seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static int by_time(const void *a, const void *b)
{
	const struct held *x = *(struct held *const *)a, *y = *(struct held *const *)b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->point - y->point;
}

static void print_one(const struct lab *lab, struct points *pts, const struct held *h)
{
	char line[512];

	if (!pts->t0)
		pts->t0 = h->ts;
	capture_line(&pts->keys, h->data, h->len, line, sizeof(line));
	printf("%10.6f %s%-22s%s %s\n", h->ts - pts->t0, term_c(&lab->term, C_CYAN),
	       pts->cap[h->point].name, term_c(&lab->term, C_RESET), line);
}

/*
 * Prints, in time order, what has waited HOLD_SECONDS (everything when all
 * is set).  One interface is in order already and waits for nothing.
 */
static void print_held(const struct lab *lab, struct points *pts, bool all)
{
	double wait = pts->n > 1 ? HOLD_SECONDS : 0;
	struct timeval now;
	size_t done = 0;

	gettimeofday(&now, NULL); /* packets carry the wall clock */
	qsort(pts->held, pts->nheld, sizeof(pts->held[0]), by_time);
	while (done < pts->nheld && (all || pts->held[done]->ts <= seconds(&now) - wait)) {
		print_one(lab, pts, pts->held[done]);
		free(pts->held[done++]);
	}
	memmove(pts->held, pts->held + done, (pts->nheld - done) * sizeof(pts->held[0]));
	pts->nheld -= done;
}

static int hold(struct points *pts, int point, const uint8_t *ip, size_t len, double ts)
{
	struct held *h;

	if (pts->nheld == pts->capheld) {
		size_t cap = pts->capheld ? 2 * pts->capheld : 256;
		struct held **more = realloc(pts->held, cap * sizeof(*more));

		if (!more)
			return -1;
		pts->held = more;
		pts->capheld = cap;
	}
	h = malloc(sizeof(*h) + len);
	if (!h)
		return -1;
	h->ts = ts;
	h->point = point;
	h->len = len;
	memcpy(h->data, ip, len);
	pts->held[pts->nheld++] = h;
	return 0;
}

/* Reads what each capture has, and counts it; returns the number counted. */
static unsigned long drain(struct points *pts, unsigned long left)
{
	unsigned long got = 0;

	for (int i = 0; i < pts->n && got < left; i++) {
		const uint8_t *ip;
		struct timeval ts;
		size_t len;

		while (got < left && capture_next(&pts->cap[i], &ip, &len, &ts) == 1) {
			got++;
			if (!pts->quiet && hold(pts, i, ip, len, seconds(&ts)))
				pts->quiet = true; /* out of memory: count, but stop printing */
		}
	}
	return got;
}

static int signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	return signalfd(-1, &mask, SFD_CLOEXEC);
}

/* Until the count, the duration, or Ctrl-C. */
static unsigned long run(const struct lab *lab, struct points *pts, unsigned long count,
			 double duration)
{
	struct pollfd pfd[MAX_POINTS + 1];
	double end = duration > 0 ? clock_seconds() + duration : 0;
	unsigned long total = 0, limit = count ? count : (unsigned long)-1;
	int sfd = signals();

	for (int i = 0; i < pts->n; i++)
		pfd[i] = (struct pollfd){.fd = capture_fd(&pts->cap[i]), .events = POLLIN};
	pfd[pts->n] = (struct pollfd){.fd = sfd, .events = POLLIN};
	while (total < limit) {
		int wait = 200;

		if (end) {
			double left = end - clock_seconds();

			if (left <= 0)
				break;
			wait = left < 0.2 ? (int)(left * 1000) + 1 : 200;
		}
		if (poll(pfd, (nfds_t)pts->n + 1, wait) < 0 && errno != EINTR)
			break;
		if (pfd[pts->n].revents)
			break;
		total += drain(pts, limit - total);
		print_held(lab, pts, false);
		fflush(stdout);
	}
	total += drain(pts, limit - total);
	print_held(lab, pts, true);
	if (sfd >= 0)
		close(sfd);
	return total;
}

static void summary(const struct points *pts, unsigned long total, const char *file)
{
	unsigned long hidden = 0, other = 0;

	/* Per point, what was shown, so that the parts add up to the total. */
	fprintf(stderr, "captured %lu packet%s:", total, total == 1 ? "" : "s");
	for (int i = 0; i < pts->n; i++)
		fprintf(stderr, "%s %lu on %s", i ? "," : "",
			pts->cap[i].packets - pts->cap[i].other, pts->cap[i].name);
	for (int i = 0; i < pts->n; i++) {
		hidden += pts->cap[i].skipped;
		other += pts->cap[i].other;
	}
	if (hidden)
		fprintf(stderr, "; %lu MLD or router solicitation%s left out (--all shows them)",
			hidden, hidden == 1 ? "" : "s");
	if (other)
		fprintf(stderr, "; %lu frame%s without IP (ARP) not shown%s", other,
			other == 1 ? "" : "s", file ? ", but written" : "");
	fprintf(stderr, "%s%s\n", file ? "; written to " : "", file ? file : "");
}

static int number(const char *flag, const char *arg, double max, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end || *out <= 0 || *out > max) {
		fprintf(stderr, "harness capture: %s '%s' is not a number from 1 to %.0f\n", flag,
			arg, max);
		return -1;
	}
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"count", required_argument, NULL, 'c'},
	    {"duration", required_argument, NULL, 'd'},
	    {"write", required_argument, NULL, 'w'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"filter", required_argument, NULL, 'f'},
	    {"all", no_argument, NULL, 'a'},
	    COMMON_OPTIONS,
	    {0},
	};
	struct wanted w[MAX_POINTS];
	struct points *pts;
	struct common c = {0};
	struct lab lab;
	double count = 0, duration = 0;
	const char *file = NULL, *spec;
	char filter[1024] = "", err[256];
	bool quiet = false, all = false;
	int opt, rc, n;
	unsigned long total;

	opterr = 0;
	while ((rc = next_option("capture", argc, argv, ":hc:d:w:qf:", opts, &c, usage, &opt)) ==
	       ARG_OWN) {
		if (opt == 'c' && number("--count", optarg, 1e9, &count))
			return 2;
		if (opt == 'd' && number("--duration", optarg, 86400, &duration))
			return 2;
		if (opt == 'w')
			file = optarg;
		if (opt == 'q')
			quiet = true;
		if (opt == 'a')
			all = true;
		if (opt == 'f')
			snprintf(filter, sizeof(filter), "%s", optarg);
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? 0 : 2;
	if (optind >= argc) {
		fprintf(stderr, "harness capture: name what to capture on: NODE:IFACE, NODE:all or "
				"all\n");
		return 2;
	}
	spec = argv[optind++];
	/* The remaining words are the filter, as tcpdump takes them. */
	for (int i = optind; i < argc; i++) {
		size_t len = strlen(filter);

		snprintf(filter + len, sizeof(filter) - len, "%s%s", len ? " " : "", argv[i]);
	}
	if (lab_init(&lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness capture: %s\n", err);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "harness capture: must run as root: it captures inside the lab\n");
		return 1;
	}
	rc = resolve(&lab, spec, w, &n);
	if (rc)
		return rc;
	pts = calloc(1, sizeof(*pts));
	if (!pts)
		return 1;
	pts->all = all;
	pts->quiet = quiet;
	pts->keys.lab = &lab;
	rc = open_points(&lab, w, n, filter[0] ? filter : NULL, file, pts);
	if (!rc) {
		/* Always said, once the filters are set: a script that starts a
		 * capture in the background waits for this line, not a guess. */
		fprintf(stderr, "capturing on %d interface%s%s\n", pts->n, pts->n == 1 ? "" : "s",
			isatty(STDERR_FILENO) ? "; Ctrl-C stops" : "");
		total = run(&lab, pts, (unsigned long)count, duration);
		summary(pts, total, file);
	}
	for (int i = 0; i < pts->n; i++)
		capture_close(&pts->cap[i]);
	for (size_t i = 0; i < pts->nheld; i++)
		free(pts->held[i]);
	free(pts->held);
	capture_keys_wipe(&pts->keys);
	free(pts);
	lab_fini(&lab);
	return rc;
}
