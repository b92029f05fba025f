/*
 * Named network namespaces, kept where "ip netns" keeps them
 * (/run/netns/NAME), so students can use "ip netns exec" on lab nodes.
 * Calls return 0 (or an fd) on success and a negative errno on failure.
 */
#ifndef TUNLAB_NETNS_H
#define TUNLAB_NETNS_H

#include <errno.h>
#include <stdbool.h>

#define NETNS_DIR "/run/netns"

int netns_create(const char *name);
int netns_delete(const char *name);
bool netns_exists(const char *name);
/*
 * NETNS_ROOT if the name leads to the root namespace (PID 1's, or the one
 * this process is in, which for the harness is the host's): labs never
 * work there.
 */
#define NETNS_ROOT (-EXDEV)
int netns_open(const char *name);
/* What a negative result of these calls means, in words (NETNS_ROOT included). */
const char *netns_error(int rc);
/* Whether fd is the root network namespace, as netns_open judges it. */
bool netns_is_root(int fd);
/* An fd for the namespace this thread is in now. */
int netns_current(void);
int netns_enter(int fd);
int netns_enter_name(const char *name);

/*
 * Runs fn(arg) inside another network namespace, then comes back.  What fn
 * opens there (sockets, captures, nft contexts) stays in that namespace.
 * Returns fn's result, or a negative errno if the namespace could not be
 * entered, in which case fn did not run.
 */
int netns_call(int fd, int (*fn)(void *arg), void *arg);
int netns_call_name(const char *name, int (*fn)(void *arg), void *arg);
/* Writes a sysctl ("net.ipv4.ip_forward") as seen from namespace fd. */
int netns_sysctl(int fd, const char *key, const char *value);

#endif
