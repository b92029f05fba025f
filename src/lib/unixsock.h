/*
 * A listening unix socket that only root may use: the tunnel's control
 * socket, its wg socket, and the one the harness hands wireguard-go.
 */
#ifndef TUNLAB_UNIXSOCK_H
#define TUNLAB_UNIXSOCK_H

#include <stdbool.h>

/*
 * Replaces a stale socket at path (a killed process's) and listens there,
 * mode 0600.  nonblock sets O_NONBLOCK.  Returns the fd, or -errno:
 * -EADDRINUSE if a live socket is there, -ELOOP for a symlink, -EEXIST
 * for any other file, -ENAMETOOLONG for a path that does not fit.
 */
int unix_listen(const char *path, bool nonblock);

#endif
