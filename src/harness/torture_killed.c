/*
 * torture killed: kill -9 of harness up at random moments, each followed
 * by down, which must leave nothing behind; then up twice, and the second
 * must be refused.  It uses a lab of its own, LAB-k.
 */
#include "torture_util.h"
#include "spawn.h"
#include "up.h"
#include "lib/clock.h"
#include "lib/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	char *with_file[] = {"up", (char *)file, "--lab", (char *)lab, NULL};
	char *without[] = {"up", "--lab", (char *)lab, NULL};
	pid_t pid = spawn_self_quiet(file ? with_file : without);

	if (pid < 0)
		return;
	clock_sleep_ms(ms);
	kill(pid, SIGKILL); /* our own child, by the PID fork gave us */
	waitpid(pid, NULL, 0);
}

static int killed(struct torture *t, struct torture_result *r)
{
	struct lab k;
	char name[LAB_NAME_MAX + 1];
	int clean = 0, twice;
	char refusal[512] = "";
	bool why;
	uint32_t seed = 12345;

	snprintf(name, sizeof(name), "%s-k", t->prefix);
	if (lab_init(&k, name, t->err, sizeof(t->err)))
		return -1;
	for (int i = 0; i < t->kills; i++) {
		/* Spread over the whole of up, which takes about a second here. */
		seed = seed * 1103515245u + 12345u;
		kill_up_after(name, t->file, 20 + (int)(seed >> 16) % 1200);
		torture_self(NULL, 0, "down", "--lab", name, NULL);
		clean += left_nothing(&k);
	}
	if (t->file) {
		torture_self(NULL, 0, "up", t->file, "--lab", name, NULL);
		twice =
		    torture_self_err(refusal, sizeof(refusal), "up", t->file, "--lab", name, NULL);
	} else {
		torture_self(NULL, 0, "up", "--lab", name, NULL);
		twice = torture_self_err(refusal, sizeof(refusal), "up", "--lab", name, NULL);
	}
	/* Refused because the lab is up, not for any other reason. */
	why = twice == 0 || strstr(refusal, "is already up") != NULL;
	torture_self(NULL, 0, "down", "--lab", name, NULL);
	r->survived = clean == t->kills && twice != 0 && why && left_nothing(&k);
	DID(r,
	    "kill -9 of harness up %d times, 20 ms to 1.2 s in, each followed by down; then up "
	    "twice",
	    t->kills);
	KEPT(r, "%d of %d left no namespace, process, socket or record; the second up was %s",
	     clean, t->kills,
	     !twice ? "accepted"
	     : why  ? "refused: the lab is already up"
		    : "refused for another reason");
	lab_fini(&k);
	return 0;
}

/* It only brings the lab up: no role, no tunnel of its own to check. */
const struct torture_scenario torture_killed = {
    .name = "killed",
    .about = "kill -9 of harness up at random moments, then down",
    .run = killed,
};
