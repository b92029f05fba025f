#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

int control_open(struct control *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;

	c->fd = -1;
	c->path[0] = '\0';
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "--control: path '%s' is too long for a unix socket", path);
		return -1;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "cannot open a unix socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);	   /* a stale socket from a tunnel that was killed */
	old = umask(0077); /* counters are for root's eyes */
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(c->fd, 4)) {
		snprintf(err, errlen, "--control: cannot listen on %s: %s", path, strerror(errno));
		umask(old);
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	umask(old);
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 0;
}

void control_serve(struct control *c, control_fn fn, void *arg)
{
	struct timeval tv = {.tv_usec = 200000};
	char cmd[128];
	ssize_t n;
	FILE *f;
	int fd;

	fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* A client that connects and says nothing must not stall the packet path. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* The whole line, so nothing is left unread when we close (that would reset the client). */
	for (size_t got = 0;;) {
		n = recv(fd, cmd + got, sizeof(cmd) - 1 - got, 0);
		if (n <= 0) {
			close(fd);
			return;
		}
		got += (size_t)n;
		cmd[got] = '\0';
		if (strchr(cmd, '\n') || got == sizeof(cmd) - 1)
			break;
	}
	cmd[strcspn(cmd, "\r\n")] = '\0';
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	fn(cmd, f, arg);
	fclose(f);
}

void control_close(struct control *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->path[0])
		unlink(c->path);
	c->fd = -1;
	c->path[0] = '\0';
}
