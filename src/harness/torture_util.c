/*
 * What torture's scenarios share.  The labs are brought up and down by
 * running this program's own up, set, flood and down, as a person would.
 */
#include "torture_util.h"
#include "control.h"
#include "spawn.h"
#include "state.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- running ourselves ---- */

/*
 * This program with the arguments in ap; the output on descriptor which
 * (stdout or stderr) into out when out is not NULL, and stdout nowhere
 * otherwise.  Its exit status.
 */
static int run_self(char *out, size_t cap, int which, const char *first, va_list ap)
{
	char prog[PATH_MAX], *argv[24];
	int n = 0, p[2] = {-1, -1}, status;
	size_t len = 0;
	pid_t pid;

	if (sibling_path("harness", prog, sizeof(prog)) || (out && pipe2(p, O_CLOEXEC)))
		return -1;
	argv[n++] = prog;
	for (const char *a = first; a && n < 23; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out)
			dup2(p[1], which);
		if ((!out || which != STDOUT_FILENO) && to_null(STDOUT_FILENO))
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

int torture_run(int which, char *out, size_t cap, const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = run_self(out, cap, which, first, ap);
	va_end(ap);
	return rc;
}

int torture_up(struct torture *t, const char *mode, const char *extra, const char *value)
{
	int rc;

	torture_self(NULL, 0, "down", "--lab", t->lab.name, NULL);
	/* extra may be NULL, which ends the list: the file goes before it. */
	if (t->file)
		rc = torture_self(NULL, 0, "up", t->file, "--lab", t->lab.name, "--mode", mode,
				  extra, value, NULL);
	else
		rc = torture_self(NULL, 0, "up", "--lab", t->lab.name, "--mode", mode, extra, value,
				  NULL);
	if (rc == 0)
		return 0;
	snprintf(t->err, sizeof(t->err), "cannot bring up lab %s (%s)", t->lab.name, mode);
	return -1;
}

void torture_down(struct torture *t)
{
	torture_self(NULL, 0, "down", "--lab", t->lab.name, NULL);
}

/* ---- the lab's tunnels ---- */

const char *torture_server(const struct torture *t)
{
	return lab_name(&t->lab, lab_role(&t->lab, ROLE_SERVER));
}

pid_t torture_tunnel_of(const struct lab *lab, const char *node, unsigned long long *start)
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

double torture_rss_of(pid_t pid)
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

const char *torture_field(const struct lab *lab, const char *node, const char *key, char *v,
			  size_t cap)
{
	char path[PATH_MAX];
	struct control_reply reply;

	if (ctl_path(lab->dir, node, NULL, path, sizeof(path)) ||
	    control_ask(path, CTL_STATS, &reply) || !control_get(&reply, key))
		snprintf(v, cap, "-");
	else
		snprintf(v, cap, "%s", control_get(&reply, key));
	return v;
}

long long torture_stat(const struct lab *lab, const char *node, const char *key)
{
	char v[64];

	torture_field(lab, node, key, v, sizeof(v));
	return strcmp(v, "-") ? atoll(v) : -1;
}

/* ---- a transfer, and what it leaves to say ---- */

bool torture_move(struct torture *t, struct torture_result *r, double timeout, struct transfer *x)
{
	if (transfer_start(x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, TORTURE_PORT,
			   t->bytes)) {
		snprintf(t->err, sizeof(t->err), "%s", x->err);
		return false;
	}
	transfer_wait(x, timeout);
	r->lost += x->bytes - x->intact;
	return x->done;
}

void torture_note(char *field, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(field);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(field + len, cap - len, fmt, ap);
	va_end(ap);
}
