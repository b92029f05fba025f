/*
 * Least privilege: once its device, sockets and files are open, the
 * tunnel keeps only CAP_NET_ADMIN (to take its routes and device down at
 * the end) and, with --user, runs as that user.  Nothing it reads from the
 * network afterwards runs with more.
 */
#ifndef TUNLAB_TUNNEL_PRIVS_H
#define TUNLAB_TUNNEL_PRIVS_H

#include <stddef.h>

/*
 * Switches to user (if not NULL), then drops every capability but
 * CAP_NET_ADMIN from the effective, permitted, inheritable and bounding
 * sets, and forbids gaining any back.  Call before starting threads:
 * capabilities belong to a thread.  0, or -1 with err.
 */
int privs_drop(const char *user, char *err, size_t errlen);

#endif
