/* harness down: undo everything a lab recorded, whatever state it was left in. */
#include "commands.h"
#include "spawn.h"
#include "state.h"
#include "up.h"
#include "lib/netns.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness down [options]\n"
	      "\n"
	      "Stops the lab's processes (only the PIDs it recorded) and removes its\n"
	      "namespaces, links and files. Safe to run twice, and after a crash.\n"
	      "\n" COMMON_HELP,
	      f);
}

/* A namespace this lab could have made: LAB-NODE or LAB-laptop-N (no LAB- in the default lab). */
static bool our_ns(const struct lab *lab, const char *ns)
{
	const char *node = lab_ns_node(lab, ns);

	return node && (lab_node(lab, node) >= 0 || lab_extra_laptop(node));
}

/* A file this lab could have made: one directly inside its directory, or one of its wg sockets. */
static bool our_file(const struct lab *lab, const char *path)
{
	size_t len = strlen(lab->dir);

	if (!strncmp(path, lab->dir, len) && path[len] == '/') {
		const char *base = path + len + 1;

		return *base && !strchr(base, '/') && strcmp(base, ".") && strcmp(base, "..");
	}
	return wg_socket_of(lab, path);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* In one of the lab's own namespaces, and running the program this harness started there. */
static const char *why_not_ours(const struct lab *lab, const struct record *r,
				const struct record *recs, int n)
{
	char nspath[64], exe[PATH_MAX + 16], buf[4096], *argv[40], want[PATH_MAX];
	bool inside = false;
	ssize_t len;

	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", r->pid);
	for (int i = 0; i < n && !inside; i++) {
		char path[PATH_MAX];

		if (recs[i].kind != REC_NETNS || !our_ns(lab, recs[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, recs[i].name);
		inside = same_file(nspath, path);
	}
	if (!inside)
		return "it is in none of the lab's namespaces";
	snprintf(nspath, sizeof(nspath), "/proc/%d/exe", r->pid);
	len = readlink(nspath, exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	/* A program rebuilt while it runs still is the one we started. */
	if (len > 10 && !strcmp(exe + len - 10, " (deleted)"))
		exe[len - 10] = '\0';
	if (spawn_argv(lab, r->pid, buf, sizeof(buf), argv, 40) < 1)
		return "the harness has no command line recorded for it";
	if (!realpath(argv[0], want) || strcmp(exe, want))
		return "it runs a program the harness did not start";
	return NULL;
}

/* A wg socket only if it is one; in the lab's directory, anything but a directory. */
static void remove_file(const char *path)
{
	struct stat st;

	if (lstat(path, &st) || S_ISDIR(st.st_mode))
		return;
	if (!strncmp(path, WG_SOCKET_DIR "/", strlen(WG_SOCKET_DIR) + 1) && !S_ISSOCK(st.st_mode))
		return;
	unlink(path);
}

/* One line for a record left alone; down goes on with the rest. */
static void left_alone(const struct lab *lab, const char *what, const char *why, int *refused)
{
	fprintf(stderr, "harness down: left alone: %s: %s, not something lab '%s' made\n", what,
		why, lab->name);
	(*refused)++;
}

int lab_teardown(struct lab *lab, bool quiet)
{
	struct record *recs;
	char err[PATH_MAX + 128], what[PATH_MAX + 64];
	int n, procs = 0, nss = 0, failed = 0, refused = 0;
	const char *why;

	if (state_trust(lab, err, sizeof(err))) {
		fprintf(stderr, "harness down: %s\n", err);
		return -1;
	}
	n = state_load(lab, &recs);
	if (n < 0) {
		fprintf(stderr, "harness down: cannot read the records in %s\n", lab->dir);
		return -1;
	}
	/* Processes first: a namespace lives on while a process is inside it. */
	for (int i = n - 1; i >= 0; i--) {
		if (recs[i].kind != REC_PROC || !proc_running(recs[i].pid, recs[i].start))
			continue;
		why = why_not_ours(lab, &recs[i], recs, n);
		if (why) {
			snprintf(what, sizeof(what), "process %d (%s on %s)", recs[i].pid,
				 recs[i].what, recs[i].name);
			left_alone(lab, what, why, &refused);
			continue;
		}
		lab_explain(lab, "kill %d   # %s on %s", recs[i].pid, recs[i].what, recs[i].name);
		procs++;
		proc_stop(recs[i].pid, recs[i].start, 3000);
	}
	for (int i = n - 1; i >= 0; i--) {
		if (recs[i].kind == REC_NETNS && !our_ns(lab, recs[i].name)) {
			snprintf(what, sizeof(what), "namespace '%s'", recs[i].name);
			left_alone(lab, what, "not named LAB-NODE", &refused);
		} else if (recs[i].kind == REC_FILE && !our_file(lab, recs[i].name)) {
			snprintf(what, sizeof(what), "file %s", recs[i].name);
			left_alone(lab, what, "outside the lab's directory and its wg sockets",
				   &refused);
		} else if (recs[i].kind == REC_NETNS && netns_exists(recs[i].name)) {
			lab_explain(lab, "ip netns del %s", recs[i].name);
			if (netns_delete(recs[i].name)) {
				fprintf(stderr, "harness down: cannot remove namespace %s\n",
					recs[i].name);
				failed++;
				continue;
			}
			nss++;
		} else if (recs[i].kind == REC_FILE) {
			remove_file(recs[i].name);
		}
	}
	free(recs);
	if (failed)
		return -1;

	state_remove(lab);
	if (!quiet)
		printf("Lab '%s' is down: stopped %d process%s, removed %d namespace%s.\n",
		       lab->name, procs, procs == 1 ? "" : "es", nss, nss == 1 ? "" : "s");
	return refused;
}

int cmd_down(int argc, char **argv)
{
	struct common c = {0};
	struct lab lab;
	char err[256];
	int rc;

	rc = parse_common("down", argc, argv, &c, usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (lab_init(&lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness down: %s\n", err);
		return 2;
	}
	lab.explain = c.explain;
	if (geteuid() != 0) {
		fprintf(stderr, "harness down: must run as root: it removes network namespaces\n");
		return 1;
	}
	rc = state_lock(&lab, false, err, sizeof(err));
	if (rc > 0) {
		printf("Lab '%s' is not up: nothing to remove.\n", lab.name);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "harness down: %s\n", err);
		return 1;
	}
	rc = lab_teardown(&lab, false);
	lab_fini(&lab);
	return rc ? 1 : 0;
}
