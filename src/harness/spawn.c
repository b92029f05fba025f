#include "spawn.h"
#include "lib/clock.h"
#include "state.h"
#include "lib/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int sibling_path(const char *prog, char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(out, cap, "%s/%s", dirname(self), prog);
	return access(out, X_OK);
}

int to_null(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int rc = null < 0 || dup2(null, fd) < 0 ? -1 : 0;

	if (null >= 0 && null != fd)
		close(null);
	return rc;
}

pid_t spawn_self_quiet(char *const args[])
{
	char prog[PATH_MAX], *argv[24] = {prog};
	int n = 1;
	pid_t pid;

	if (sibling_path("harness", prog, sizeof(prog)))
		return -1;
	while (*args && n < 23)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (to_null(STDOUT_FILENO) || to_null(STDERR_FILENO))
			_exit(126);
		close_from(3);
		execv(prog, argv);
		_exit(127);
	}
	return pid;
}

void close_from(int first)
{
	if (close_range((unsigned int)first, ~0U, 0) == 0)
		return;
	/* A kernel before 5.9: one at a time. */
	for (long fd = first, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
		close((int)fd);
}

/* The fds a child keeps become its 3, 4, ...; moved high first so none overwrites another. */
static void hand_over(const int *keep, int nkeep)
{
	int high[8];

	for (int i = 0; i < nkeep && i < 8; i++)
		high[i] = fcntl(keep[i], F_DUPFD, 100);
	for (int i = 0; i < nkeep && i < 8; i++)
		dup2(high[i], 3 + i); /* dup2 clears close-on-exec on the new fd */
}

static void child(const char *ns, char *const argv[], const char *log, int go, const int *keep,
		  int nkeep)
{
	sigset_t none;
	char c;
	int fd;

	/* What "up" holds back or ignores for itself is not the child's business. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);

	setsid(); /* a Ctrl-C at the terminal that ran "harness up" must not reach it */
	if (read(go, &c, 1) != 1)
		_exit(126); /* the harness died before recording us */
	if (netns_enter_name(ns))
		_exit(125);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	to_null(STDIN_FILENO);
	hand_over(keep, nkeep);
	close_from(3 + (nkeep < 8 ? nkeep : 8));
	execv(argv[0], argv);
	fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void argv_path(const struct lab *lab, pid_t pid, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%d.argv", lab->dir, (int)pid);
}

/* The command line, NUL-separated, beside the records: what a restart runs again. */
static int argv_save(const struct lab *lab, pid_t pid, char *const argv[])
{
	char path[PATH_MAX];
	int fd, rc = 0;

	argv_path(lab, pid, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (int i = 0; argv[i] && !rc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (write(fd, argv[i], n) != (ssize_t)n)
			rc = -1;
	}
	close(fd);
	return rc;
}

int spawn_argv(const struct lab *lab, pid_t pid, char *buf, size_t cap, char **argv, int max)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t len;
	int fd, n = 0;

	argv_path(lab, pid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Written by us (root) for us: anything else is not a command line to run as root. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return -1;
	}
	len = read(fd, buf, cap);
	close(fd);
	if (len <= 0 || (size_t)len == cap || buf[len - 1] != '\0')
		return -1;
	for (char *p = buf; p < buf + len && n < max - 1; p += strlen(p) + 1)
		argv[n++] = p;
	argv[n] = NULL;
	return n;
}

pid_t spawn_in_node(const struct lab *lab, int node, const char *what, char *const argv[],
		    const char *log, char *err, size_t errlen)
{
	char ns[64];

	lab_ns(lab, node, ns, sizeof(ns));
	return spawn_in_ns(lab, ns, lab_name(lab, node), what, argv, log, NULL, 0, err, errlen);
}

pid_t spawn_in_ns(const struct lab *lab, const char *ns, const char *label, const char *what,
		  char *const argv[], const char *log, const int *keep, int nkeep, char *err,
		  size_t errlen)
{
	struct record r = {.kind = REC_PROC};
	int go[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		child(ns, argv, log, go[0], keep, nkeep);
	}
	close(go[0]);
	r.pid = pid;
	r.start = proc_start_time(pid);
	snprintf(r.name, sizeof(r.name), "%s", label);
	snprintf(r.what, sizeof(r.what), "%s", what);
	if (!r.start || argv_save(lab, pid, argv) || state_add(lab, &r)) {
		snprintf(err, errlen, "cannot record %s's PID", what);
		close(go[1]); /* the child reads EOF and exits unrun */
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(go[1], "g", 1) != 1) {
		close(go[1]);
		snprintf(err, errlen, "cannot start %s", what);
		return -1;
	}
	close(go[1]);
	return pid;
}

bool proc_running(pid_t pid, unsigned long long start)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool zombie = false;

	if (!proc_is(pid, start))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		zombie = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return !zombie;
}

/*
 * Every process the lab starts leads a session of its own (setsid in
 * child()), so what it started in turn (a lab file's exec line run by a
 * shell) is in its group: the signal goes to the group, once the leader
 * is known to be ours.
 */
static void signal_ours(pid_t pid, int sig)
{
	kill(getpgid(pid) == pid ? -pid : pid, sig);
}

void proc_stop(pid_t pid, unsigned long long start, int grace_ms)
{
	if (!proc_running(pid, start))
		goto reap;
	signal_ours(pid, SIGTERM);
	for (int waited = 0; waited < grace_ms; waited += 10) {
		waitpid(pid, NULL, WNOHANG); /* ours when "up" fails; harmless otherwise */
		if (!proc_running(pid, start))
			goto reap;
		clock_sleep_ms(10);
	}
	/* The start time was checked just above: this is still our process. */
	signal_ours(pid, SIGKILL);
	for (int waited = 0; waited < 1000 && proc_running(pid, start); waited += 10) {
		waitpid(pid, NULL, WNOHANG);
		clock_sleep_ms(10);
	}
reap:
	waitpid(pid, NULL, WNOHANG);
}

int find_program(const char *name, char *out, size_t cap)
{
	static const char *const dirs[] = {"/usr/bin",	      "/usr/sbin", "/usr/local/bin",
					   "/usr/local/sbin", "/bin",	   "/sbin"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, cap, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}
