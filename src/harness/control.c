#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int control_query(const char *path, const char *cmd, char *out, size_t cap)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 1};
	char line[256];
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(sun.sun_path) || cap == 0)
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	snprintf(line, sizeof(line), "%s\n", cmd);
	/* One write: a tunnel that answers before a second one arrives would reset us. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		rc = -errno;
		goto out;
	}
	while (got + 1 < cap && (n = recv(fd, out + got, cap - 1 - got, 0)) > 0)
		got += (size_t)n;
out:
	out[got] = '\0';
	close(fd);
	return rc;
}

const char *control_next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

const char *control_value(const char *reply, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);

	for (const char *line = reply; line && *line; line = control_next_line(line)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			const char *v = line + klen + 1;
			size_t vlen = strcspn(v, "\n");

			snprintf(out, cap, "%.*s", (int)vlen, v);
			return out;
		}
	}
	return NULL;
}
