#include "control.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* The reply, as it came; 0 or -errno, with whatever arrived in out either way. */
static int query(const char *path, const char *cmd, char *out, size_t cap)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 1};
	char line[256];
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	out[0] = '\0';
	if (strlen(path) >= sizeof(sun.sun_path))
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

int control_ask(const char *path, const char *cmd, struct control_reply *r)
{
	int rc = query(path, cmd, r->text, sizeof(r->text));

	control_parse(r->text, r);
	return rc;
}

int control_ask_name(const struct lab *lab, const char *name, const char *cmd,
		     struct control_reply *r)
{
	char path[PATH_MAX];

	if (ctl_path(lab->dir, name, NULL, path, sizeof(path))) {
		control_parse("", r);
		return -ENAMETOOLONG;
	}
	return control_ask(path, cmd, r);
}

int control_ask_node(const struct lab *lab, int node, const char *cmd, struct control_reply *r)
{
	return control_ask_name(lab, lab_name(lab, node), cmd, r);
}

void control_parse(const char *text, struct control_reply *r)
{
	char *line = r->cut;

	if (text != r->text)
		snprintf(r->text, sizeof(r->text), "%s", text);
	snprintf(r->cut, sizeof(r->cut), "%s", r->text);
	r->n = 0;
	while (line && *line && r->n < CONTROL_KEYS_MAX) {
		char *nl = strchr(line, '\n'), *eq;

		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			r->kv[r->n].key = line;
			r->kv[r->n].value = eq + 1;
			r->n++;
		}
		line = nl ? nl + 1 : NULL;
	}
}

const char *control_get(const struct control_reply *r, const char *key)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->kv[i].key, key))
			return r->kv[i].value;
	return NULL;
}

long long control_num(const struct control_reply *r, const char *key, long long fallback)
{
	const char *v = control_get(r, key);

	return v ? atoll(v) : fallback;
}

bool control_is(const struct control_reply *r, const char *key, const char *value)
{
	const char *v = control_get(r, key);

	return v && !strcmp(v, value);
}
