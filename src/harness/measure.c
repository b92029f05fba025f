#include "measure.h"
#include "lib/clock.h"
#include "lib/netns.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- parsing ---- */

/* end.sum_received of iperf3 -J: what the receiving side counted, whole-run sums. */
static json_t *sum_received(json_t *root)
{
	return json_object_get(json_object_get(root, "end"), "sum_received");
}

/* The number at key in o; -1 when it is missing or not a number. */
static int number_at(json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int parse_iperf_tcp(const char *text, struct tcp_result *r)
{
	json_t *root = json_loads(text, 0, NULL), *sum = sum_received(root);
	int rc = number_at(sum, "bits_per_second", &r->bits_per_second) ||
			 number_at(sum, "bytes", &r->bytes)
		     ? -1
		     : 0;

	json_decref(root);
	return rc;
}

int parse_iperf_udp(const char *text, struct udp_result *r)
{
	json_t *root = json_loads(text, 0, NULL), *sum = sum_received(root);
	double lost, seconds;
	int rc = -1;

	if (!number_at(sum, "packets", &r->packets) && !number_at(sum, "lost_packets", &lost) &&
	    !number_at(sum, "seconds", &seconds) &&
	    !number_at(sum, "lost_percent", &r->loss_percent) && seconds > 0 &&
	    lost <= r->packets) {
		r->delivered = r->packets - lost;
		r->delivered_pps = r->delivered / seconds;
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int parse_ping(const char *text, double *ms, int max)
{
	int n = 0;

	for (const char *t = strstr(text, "time="); t && n < max; t = strstr(t, "time=")) {
		char *stop;
		double v = strtod(t + 5, &stop);

		if (stop != t + 5 && v >= 0)
			ms[n++] = v;
		t += 5;
	}
	return n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double quantile(double *v, int n, double q)
{
	double pos;
	int i;

	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), by_value);
	pos = q * (n - 1);
	i = (int)pos;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

/* ---- running ---- */

static void child(const char *ns, char *const argv[], int out)
{
	int fd = netns_open(ns);
	sigset_t none;

	/* The caller may hold signals back; the command should not. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (fd < 0 || netns_enter(fd) || to_null(0) || dup2(out, 1) < 0 || to_null(2))
		_exit(126);
	close_from(3);
	execvp(argv[0], argv);
	_exit(127);
}

/* Reads the child's output until it closes, or the time is up. */
static size_t drain(int fd, char *out, size_t cap, double until)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((until - clock_seconds()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = read(fd, out + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			char sink[4096];

			while (read(fd, sink, sizeof(sink)) > 0)
				; /* the rest is not kept, but the child must not block */
		}
	}
	out[len] = '\0';
	return len;
}

int ping_until_answered(const char *ns, const char *target, int tries, char *err, size_t errlen)
{
	char *argv[] = {"ping", "-c1", "-W1", "-q", (char *)target, NULL};
	char out[512];

	for (int i = 0; i < tries; i++)
		if (run_in_ns(ns, argv, out, sizeof(out), 3000, err, errlen) == 0)
			return 0;
	return -1;
}

int run_in_ns(const char *ns, char *const argv[], char *out, size_t cap, int timeout_ms, char *err,
	      size_t errlen)
{
	double until = clock_seconds() + timeout_ms / 1000.0;
	int pipefd[2], status;
	pid_t pid, done;

	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0)
		child(ns, argv, pipefd[1]);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	drain(pipefd[0], out, cap, until);
	close(pipefd[0]);
	/* Its output ends a moment before it does. */
	while ((done = waitpid(pid, &status, WNOHANG)) == 0 && clock_seconds() < until)
		clock_sleep_ms(2);
	/* Our own child, by the PID fork gave us: stopped if it overran. */
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(err, errlen, "%s in %s took longer than %d ms", argv[0], ns, timeout_ms);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- /proc ---- */

double proc_cpu_seconds(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command name, which may hold spaces: state is field 3, utime 14. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

double proc_peak_rss(pid_t pid)
{
	char path[64], line[256];
	double kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}
