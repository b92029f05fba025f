#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int ns_path(const char *name, char *out, size_t cap)
{
	if (!name[0] || strchr(name, '/') || strlen(name) > 64)
		return -EINVAL;
	snprintf(out, cap, "%s/%s", NETNS_DIR, name);
	return 0;
}

/*
 * The directory must be a shared mount so that a namespace mounted on a
 * file inside it stays visible to every mount namespace; this is what
 * "ip netns add" sets up, so the two interoperate.
 */
static int ensure_dir(void)
{
	if (mkdir(NETNS_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* Not a mount point yet: bind it onto itself, then make it shared. */
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL))
		return -errno;
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
		return -errno;
	return 0;
}

int netns_current(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

int netns_create(const char *name)
{
	char path[PATH_MAX];
	int home, fd, rc;

	rc = ns_path(name, path, sizeof(path));
	if (rc)
		return rc;
	rc = ensure_dir();
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	home = netns_current();
	if (home < 0) {
		unlink(path);
		return home;
	}
	rc = unshare(CLONE_NEWNET) ? -errno : 0;
	if (!rc && mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL))
		rc = -errno;
	/* Whatever happened, this thread goes back to where it started. */
	if (netns_enter(home) && !rc)
		rc = -errno;
	close(home);
	if (rc) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return rc;
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];
	int rc = ns_path(name, path, sizeof(path));

	if (rc)
		return rc;
	if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

bool netns_exists(const char *name)
{
	char path[PATH_MAX];

	return ns_path(name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

static bool same_ns(const struct stat *a, const char *path)
{
	struct stat b;

	return !stat(path, &b) && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/*
 * PID 1's namespace where we may look at it (a container may hide it), and
 * ours: the harness always starts in the host's namespace and comes back
 * to it after every netns_call.
 */
bool netns_is_root(int fd)
{
	struct stat a;

	return !fstat(fd, &a) &&
	       (same_ns(&a, "/proc/1/ns/net") || same_ns(&a, "/proc/self/ns/net"));
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd, rc = ns_path(name, path, sizeof(path));

	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A name that leads to the host's own namespace is never a lab node, however it got there.
	 */
	if (netns_is_root(fd)) {
		close(fd);
		return NETNS_ROOT;
	}
	return fd;
}

int netns_enter_name(const char *name)
{
	int fd = netns_open(name), rc;

	if (fd < 0)
		return fd;
	rc = netns_enter(fd);
	close(fd);
	return rc;
}

int netns_call(int fd, int (*fn)(void *arg), void *arg)
{
	int home = netns_current(), rc;

	if (home < 0)
		return home;
	rc = netns_enter(fd);
	if (rc) {
		close(home);
		return rc;
	}
	rc = fn(arg);
	/* Going on in the wrong namespace would act on the wrong network: stop instead. */
	if (netns_enter(home)) {
		perror("tunlab: cannot return to the original network namespace");
		abort();
	}
	close(home);
	return rc;
}

int netns_call_name(const char *name, int (*fn)(void *arg), void *arg)
{
	int fd = netns_open(name), rc;

	if (fd < 0)
		return fd;
	rc = netns_call(fd, fn, arg);
	close(fd);
	return rc;
}

struct sysctl {
	const char *path;
	const char *value;
};

static int write_sysctl(void *arg)
{
	const struct sysctl *s = arg;
	int fd = open(s->path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s->value, strlen(s->value)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int netns_sysctl(int fd, const char *key, const char *value)
{
	char path[256];
	struct sysctl s = {path, value};

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	/* Network sysctls belong to the namespace of whoever opens the file. */
	return netns_call(fd, write_sysctl, &s);
}

const char *netns_error(int rc)
{
	if (rc == NETNS_ROOT)
		return "that is the host's own namespace, which a lab never uses";
	return strerror(-rc);
}
