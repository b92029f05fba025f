#include "unixsock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * What sits at path may go only if it is a socket nobody answers on (left
 * by a killed process).  A live socket is another program's, a symlink
 * could point anywhere, and any other file is not ours to delete.
 */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (live)
		return -EADDRINUSE;
	return unlink(sa->sun_path) && errno != ENOENT ? -errno : 0;
}

int unix_listen(const char *path, bool nonblock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = clear_stale(&sa);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	/*
	 * The socket file is made 0600 by bind itself, under this umask: no
	 * chmod by path afterwards, which would follow a symlink put there
	 * in the meantime.  bind never follows one: it fails on any file.
	 */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8))
		rc = -errno;
	umask(old);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}
