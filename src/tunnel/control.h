/*
 * A unix socket on which the tunnel answers one-line commands.  The
 * harness asks it for counters; nothing on it changes the tunnel.
 */
#ifndef TUNLAB_TUNNEL_CONTROL_H
#define TUNLAB_TUNNEL_CONTROL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/un.h>

struct control {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

typedef void (*control_fn)(const char *cmd, FILE *reply, void *arg);

int control_open(struct control *c, const char *path, char *err, size_t errlen);
/* Accepts one connection, reads its command line and answers through fn. */
void control_serve(struct control *c, control_fn fn, void *arg);
void control_close(struct control *c);

#endif
