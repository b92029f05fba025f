#include "expect.h"
#include "lib/addr.h"
#include "lib/capture.h"
#include "lib/clock.h"
#include "spawn.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_exec(const char *self, char *const argv[], int out)
{
	if (to_null(STDIN_FILENO) || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	close_from(3);
	execv(self, argv);
	_exit(127);
}

/* Reads the child's output until it closes it or the deadline passes. */
static bool drain(int fd, char *out, size_t cap, double deadline)
{
	size_t used = 0;
	char sink[4096];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((deadline - clock_seconds()) * 1000);
		ssize_t n;

		if (left <= 0)
			return false;
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			return false;
		if (!p.revents)
			continue;
		/* Past cap the output is still read, so the child never blocks on a full pipe. */
		if (used + 1 < cap)
			n = read(fd, out + used, cap - used - 1);
		else
			n = read(fd, sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < cap)
			used += (size_t)n;
	}
	if (cap)
		out[used] = '\0';
	return true;
}

int run_self(const char *self, char *const argv[], char *out, size_t cap, int timeout_s)
{
	int pipefd[2], status;
	bool done;
	pid_t pid;

	if (cap)
		out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0)
		child_exec(self, argv, pipefd[1]);
	close(pipefd[1]);
	done = drain(pipefd[0], out, cap, clock_seconds() + timeout_s);
	close(pipefd[0]);
	/* Only our own child, by the PID fork gave us. */
	if (!done)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!done)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A node's name stands for its first address; anything else is taken as an address. */
static const char *target_addr(const struct topo *t, const char *to, char *out, size_t cap)
{
	int n = topo_node(t, to);
	const struct topo_node *node;

	if (n < 0)
		return to;
	node = &t->nodes[n];
	for (size_t i = 0; i < node->nifaces; i++)
		if (node->ifaces[i].naddrs) {
			snprintf(out, cap, "%s", node->ifaces[i].addrs[0].cidr);
			out[strcspn(out, "/")] = '\0';
			return out;
		}
	return to;
}

static const char *kind_name(enum expect_kind k)
{
	static const char *const names[] = {
	    [EXPECT_REACH] = "reach",	    [EXPECT_NO_REACH] = "no-reach",
	    [EXPECT_PATH_MTU] = "path-mtu", [EXPECT_MTU_PROBE] = "mtu-probe",
	    [EXPECT_CHECK] = "check",	    [EXPECT_CAPTURE] = "capture",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

void expect_title(const struct topo *t, const struct topo_expect *e, char *out, size_t cap)
{
	(void)t;
	switch (e->kind) {
	case EXPECT_REACH:
	case EXPECT_NO_REACH:
	case EXPECT_PATH_MTU:
		snprintf(out, cap, "%s %s -> %s", kind_name(e->kind), e->from, e->to);
		break;
	case EXPECT_MTU_PROBE:
		snprintf(out, cap, "mtu-probe says %s", e->verdict ? e->verdict : "?");
		break;
	case EXPECT_CHECK:
		snprintf(out, cap, "check %s",
			 e->verdict && !strcmp(e->verdict, "fail") ? "fails" : "passes");
		break;
	case EXPECT_CAPTURE:
		snprintf(out, cap, "capture on %s %s '%s'", e->at, e->sees ? "sees" : "never sees",
			 e->filter ? e->filter : "");
		break;
	}
}

/* Pings from a node; how many of count were answered, or -1 with why in r. */
static int ping(const struct expect_ctx *c, const char *from, const char *addr, int count,
		struct expect_result *r)
{
	char out[4096], n[16];
	char *argv[] = {"harness",    "exec", "--lab", (char *)c->lab, (char *)from, "--", "ping",
			"-c",	      n,      "-i",    "0.2",	       "-W",	     "1",  "-q",
			(char *)addr, NULL};
	const char *p;
	int got;

	snprintf(n, sizeof(n), "%d", count);
	if (run_self(c->self, argv, out, sizeof(out), 30) < 0) {
		snprintf(r->detail, sizeof(r->detail), "ping from %s did not finish", from);
		return -1;
	}
	/* No route at all is an answer too: nothing comes back. */
	if (strstr(out, "Network is unreachable") || strstr(out, "No route to host"))
		return 0;
	p = strstr(out, "transmitted, ");
	if (!p || sscanf(p, "transmitted, %d received", &got) != 1) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(r->detail, sizeof(r->detail), "ping from %s: %s", from, out);
		return -1;
	}
	return got;
}

static void reach(const struct expect_ctx *c, const struct topo_expect *e, struct expect_result *r)
{
	char buf[64];
	const char *addr = target_addr(c->topo, e->to, buf, sizeof(buf));
	int got = ping(c, e->from, addr, 3, r);

	if (got < 0)
		return;
	r->pass = e->kind == EXPECT_REACH ? got > 0 : got == 0;
	snprintf(r->detail, sizeof(r->detail), "%d of 3 pings to %s answered", got, addr);
}

/* Runs a subcommand with --json and parses what it printed. */
static json_t *self_json(const struct expect_ctx *c, char *const argv[], int *status,
			 struct expect_result *r)
{
	char out[65536];
	json_error_t jerr;
	json_t *j;

	*status = run_self(c->self, argv, out, sizeof(out), 300);
	if (*status < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s did not finish", argv[1]);
		return NULL;
	}
	j = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!j) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(r->detail, sizeof(r->detail), "%s: %s", argv[1], out);
	}
	return j;
}

static void path_mtu(const struct expect_ctx *c, const struct topo_expect *e,
		     struct expect_result *r)
{
	char buf[64];
	const char *addr = target_addr(c->topo, e->to, buf, sizeof(buf));
	char *argv[] = {"harness",	 "mtu-probe", "--lab",	    (char *)c->lab, "--from",
			(char *)e->from, "--to",      (char *)addr, "--json",	    NULL};
	json_t *j, *path;
	int status, mtu, largest;

	if (!(j = self_json(c, argv, &status, r)))
		return;
	path = json_array_get(json_object_get(j, "paths"), 0);
	if (!json_is_true(json_object_get(path, "reachable"))) {
		snprintf(r->detail, sizeof(r->detail), "%s is not reachable from %s", addr,
			 e->from);
		json_decref(j);
		return;
	}
	mtu = (int)json_integer_value(json_object_get(path, "largest"));
	largest = (int)json_integer_value(json_object_get(path, "largest_payload"));
	r->pass = mtu == e->mtu && (!e->largest || largest == e->largest);
	snprintf(r->detail, sizeof(r->detail), "path MTU %d (wanted %d), largest DF ping %d%s", mtu,
		 e->mtu, largest, e->largest && largest != e->largest ? " (wanted another)" : "");
	json_decref(j);
}

static void probe_verdict(const struct expect_ctx *c, const struct topo_expect *e,
			  struct expect_result *r)
{
	char *argv[] = {"harness", "mtu-probe", "--lab", (char *)c->lab, "--json", NULL};
	const char *verdict;
	json_t *j;
	int status;

	if (!(j = self_json(c, argv, &status, r)))
		return;
	verdict = json_string_value(json_object_get(j, "verdict"));
	r->pass = verdict && e->verdict && !strcmp(verdict, e->verdict);
	snprintf(r->detail, sizeof(r->detail), "the verdict was '%s'", verdict ? verdict : "none");
	json_decref(j);
}

static void check(const struct expect_ctx *c, const struct topo_expect *e, struct expect_result *r)
{
	char *argv[] = {"harness", "check", "--lab", (char *)c->lab, "--json", NULL};
	char out[65536];
	int status = run_self(c->self, argv, out, sizeof(out), 300);
	bool want_pass = !e->verdict || strcmp(e->verdict, "fail");

	/* "check: fail" expects a property to fail (exit 1), not check failing to run. */
	r->pass = want_pass ? status == 0 : status == 1;
	snprintf(r->detail, sizeof(r->detail), "%s",
		 status == 0   ? "every property held"
		 : status == 1 ? "a property failed (harness check shows which)"
			       : "check could not run");
}

/* Counts what a capture on node:iface sees while a ping runs. */
static void capture(const struct expect_ctx *c, const struct topo_expect *e,
		    struct expect_result *r)
{
	char node[64], ns[96], buf[64], err[256];
	const char *iface = strchr(e->at, ':'), *addr;
	struct capture cap = {0};
	const uint8_t *ip;
	size_t len;
	struct timeval ts;
	unsigned long seen = 0;
	int got;

	if (!iface || (size_t)(iface - e->at) >= sizeof(node)) {
		snprintf(r->detail, sizeof(r->detail), "'%s' is not NODE:IFACE", e->at);
		return;
	}
	snprintf(node, sizeof(node), "%.*s", (int)(iface - e->at), e->at);
	snprintf(ns, sizeof(ns), "%s-%s", c->lab, node);
	if (capture_open(&cap, ns, iface + 1, e->filter, CAPTURE_LAB_SNAPLEN, e->at, err,
			 sizeof(err))) {
		snprintf(r->detail, sizeof(r->detail), "cannot capture on %s: %s", e->at, err);
		return;
	}
	addr = target_addr(c->topo, e->to, buf, sizeof(buf));
	got = ping(c, e->from, addr, 3, r);
	/* What the last ping made is in the ring by now; a little grace for the reply. */
	clock_sleep_ms(200);
	while (capture_next(&cap, &ip, &len, &ts) == 1)
		seen++;
	capture_close(&cap);
	if (got < 0)
		return;
	r->pass = e->sees ? seen > 0 : seen == 0;
	snprintf(r->detail, sizeof(r->detail),
		 "%lu packet%s matched during a ping (%d of 3 answered)", seen,
		 seen == 1 ? "" : "s", got);
}

void expect_run(const struct expect_ctx *c, const struct topo_expect *e, struct expect_result *r)
{
	double start = clock_seconds();

	memset(r, 0, sizeof(*r));
	expect_title(c->topo, e, r->title, sizeof(r->title));
	switch (e->kind) {
	case EXPECT_REACH:
	case EXPECT_NO_REACH:
		reach(c, e, r);
		break;
	case EXPECT_PATH_MTU:
		path_mtu(c, e, r);
		break;
	case EXPECT_MTU_PROBE:
		probe_verdict(c, e, r);
		break;
	case EXPECT_CHECK:
		check(c, e, r);
		break;
	case EXPECT_CAPTURE:
		capture(c, e, r);
		break;
	}
	r->seconds = clock_seconds() - start;
}
