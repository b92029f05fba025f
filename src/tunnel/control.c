#include "control.h"
#include "lib/unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int control_open(struct control *c, const char *path, char *err, size_t errlen)
{
	c->path[0] = '\0';
	c->fd = unix_listen(path, true); /* counters are for root's eyes */
	if (c->fd == -ENAMETOOLONG) {
		snprintf(err, errlen, "--control: path '%s' is too long for a unix socket", path);
		return -1;
	}
	if (c->fd < 0) {
		snprintf(err, errlen, "--control: cannot listen on %s: %s", path, strerror(-c->fd));
		c->fd = -1;
		return -1;
	}
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
