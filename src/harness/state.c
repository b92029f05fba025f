#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void state_path(const struct lab *lab, char *out, size_t cap)
{
	snprintf(out, cap, "%s/state", lab->dir);
}

/* Ours alone: owned by us (root) and writable by no one else; mask is the mode bits others may not
 * have. */
static int ours_alone(int fd, const char *path, mode_t mask, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st)) {
		snprintf(err, errlen, "cannot use %s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & mask)) {
		snprintf(
		    err, errlen,
		    "%s belongs to uid %u with mode %03o, not to us alone: refusing to trust it",
		    path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

static int run_dir_ours(char *err, size_t errlen)
{
	int fd = open(LAB_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, errlen, "cannot use %s: %s", LAB_RUN_DIR, strerror(errno));
		return -1;
	}
	rc = ours_alone(fd, LAB_RUN_DIR, 022, err, errlen);
	close(fd);
	return rc;
}

int state_lock(struct lab *lab, bool create, char *err, size_t errlen)
{
	if (create) {
		if (mkdir(LAB_RUN_DIR, 0755) && errno != EEXIST)
			goto fail;
		if (mkdir(lab->dir, 0700) && errno != EEXIST)
			goto fail;
	}
	/* Not a symlink, and nobody else's: what is recorded here is acted on as root. */
	lab->lock_fd = open(lab->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (lab->lock_fd < 0) {
		if (errno == ENOENT && !create)
			return 1; /* nothing to lock: the lab is not up */
		goto fail;
	}
	if (run_dir_ours(err, errlen) || ours_alone(lab->lock_fd, lab->dir, 077, err, errlen)) {
		close(lab->lock_fd);
		lab->lock_fd = -1;
		return -1;
	}
	if (flock(lab->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "lab '%s' is busy: another harness is working on it",
			 lab->name);
		close(lab->lock_fd);
		lab->lock_fd = -1;
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot use %s: %s", lab->dir, strerror(errno));
	return -1;
}

bool state_exists(const struct lab *lab)
{
	char path[PATH_MAX];
	struct stat st;

	state_path(lab, path, sizeof(path));
	return stat(path, &st) == 0;
}

int state_begin(struct lab *lab, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	state_path(lab, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int state_add(const struct lab *lab, const struct record *r)
{
	static const char *const kinds[] = {"netns", "proc", "file"};
	char path[PATH_MAX], line[PATH_MAX + 128];
	int fd, n, rc = 0;

	state_path(lab, path, sizeof(path));
	if (r->kind == REC_PROC)
		n = snprintf(line, sizeof(line), "proc %d %llu %s %s\n", r->pid, r->start, r->name,
			     r->what);
	else
		n = snprintf(line, sizeof(line), "%s %s\n", kinds[r->kind], r->name);
	/* One write of one line with O_APPEND: a crash leaves whole lines only. */
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)n) != n)
		rc = -EIO;
	close(fd);
	return rc;
}

bool state_parse(char *line, struct record *r)
{
	char name[PATH_MAX];

	memset(r, 0, sizeof(*r));
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "proc %d %llu %255s %63s", &r->pid, &r->start, name, r->what) == 4) {
		r->kind = REC_PROC;
		snprintf(r->name, sizeof(r->name), "%s", name);
		return r->pid > 1;
	}
	if (!strncmp(line, "netns ", 6)) {
		r->kind = REC_NETNS;
		snprintf(r->name, sizeof(r->name), "%.*s", (int)sizeof(r->name) - 1, line + 6);
		return true;
	}
	if (!strncmp(line, "file ", 5)) {
		r->kind = REC_FILE;
		snprintf(r->name, sizeof(r->name), "%.*s", (int)sizeof(r->name) - 1, line + 5);
		return true;
	}
	return false;
}

int state_trust(const struct lab *lab, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, rc;

	state_path(lab, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	rc = ours_alone(fd, path, 077, err, errlen);
	close(fd);
	return rc;
}

int state_load(const struct lab *lab, struct record **out)
{
	char path[PATH_MAX], line[PATH_MAX + 128], why[PATH_MAX + 128];
	struct record *list = NULL, *grown;
	int n = 0, cap = 0, fd;
	FILE *f;

	*out = NULL;
	state_path(lab, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	/* Records written by anyone else are not ours to act on. */
	if (ours_alone(fd, path, 077, why, sizeof(why)) || !(f = fdopen(fd, "re"))) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			grown = realloc(list, (size_t)cap * sizeof(*list));
			if (!grown) {
				free(list);
				fclose(f);
				return -1;
			}
			list = grown;
		}
		if (state_parse(line, &list[n]))
			n++;
	}
	fclose(f);
	*out = list;
	return n;
}

int state_remove(const struct lab *lab)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	state_path(lab, path, sizeof(path));
	unlink(path);
	/* Logs and sockets of the lab's own processes live here too. */
	d = opendir(lab->dir);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	if (rmdir(lab->dir) && errno != ENOENT)
		return -errno;
	rmdir(LAB_RUN_DIR); /* only if no other lab is up */
	return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* After ")": state is field 3, starttime field 22. */
	if (sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

bool proc_is(pid_t pid, unsigned long long start)
{
	return pid > 1 && start && proc_start_time(pid) == start;
}
