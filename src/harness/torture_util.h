/*
 * What torture's scenarios share: running this program's own commands,
 * the lab's tunnels and their counters, a transfer, and the result's
 * did and kept lines.
 */
#ifndef TUNLAB_HARNESS_TORTURE_UTIL_H
#define TUNLAB_HARNESS_TORTURE_UTIL_H

#include "torture.h"
#include "transfer.h"

#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#define MiB	     (1024.0 * 1024.0)
#define TORTURE_PORT 5041

/*
 * This program with args (NULL-ended); its exit status.  Descriptor which
 * (stdout or stderr) goes into out when out is not NULL; stdout goes
 * nowhere otherwise, and stderr is kept unless it is the one taken.
 */
int torture_run(int which, char *out, size_t cap, const char *first, ...);
/* stdout into out, or nowhere; stderr kept. */
#define torture_self(out, cap, ...) torture_run(STDOUT_FILENO, out, cap, __VA_ARGS__)
/* stdout nowhere, stderr into err: for a refusal the run expects, not the reader. */
#define torture_self_err(err, cap, ...) torture_run(STDERR_FILENO, err, cap, __VA_ARGS__)
/* The scenarios' lab, down first, then up in mode with one more option (extra may be NULL). */
int torture_up(struct torture *t, const char *mode, const char *extra, const char *value);
void torture_down(struct torture *t);
/* The node whose tunnel the scenarios restart, flood and count: the lab's server. */
const char *torture_server(const struct torture *t);
/* The recorded PID of the tunnel on a node, and its start time; 0 if none. */
pid_t torture_tunnel_of(const struct lab *lab, const char *node, unsigned long long *start);
/* A process's resident memory in bytes; -1 if it is gone. */
double torture_rss_of(pid_t pid);
/* A field of a tunnel's stats into v ("-" if there is none). */
const char *torture_field(const struct lab *lab, const char *node, const char *key, char *v,
			  size_t cap);
/* A field of a tunnel's stats as a number; -1 if there is none. */
long long torture_stat(const struct lab *lab, const char *node, const char *key);
/* A transfer of t->bytes from the client to the target, whole; lost is what did not arrive
 * intact. */
bool torture_move(struct torture *t, struct torture_result *r, double timeout, struct transfer *x);

/* Appends to a result's did or kept line. */
void torture_note(char *field, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define DID(r, ...)  torture_note((r)->did, sizeof((r)->did), __VA_ARGS__)
#define KEPT(r, ...) torture_note((r)->kept, sizeof((r)->kept), __VA_ARGS__)

#endif
