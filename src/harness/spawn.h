/* Starting the lab's processes inside its nodes, each recorded before it runs. */
#ifndef TUNLAB_HARNESS_SPAWN_H
#define TUNLAB_HARNESS_SPAWN_H

#include "lab.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Forks, records the child's PID and start time, and only then lets it
 * exec argv inside node's namespace with output to log.  If the harness
 * dies before the record is written, the child exits instead of running
 * unrecorded.
 */
pid_t spawn_in_node(const struct lab *lab, int node, const char *what, char *const argv[],
		    const char *log, char *err, size_t errlen);
/* The same in any of the lab's namespaces; the fds in keep become the child's 3, 4, ... */
pid_t spawn_in_ns(const struct lab *lab, const char *ns, const char *label, const char *what,
		  char *const argv[], const char *log, const int *keep, int nkeep, char *err,
		  size_t errlen);
/*
 * In a child about to exec: closes every descriptor from first up, so a
 * program the harness starts holds only what it was meant to get.
 */
void close_from(int first);
/* In a child about to exec: fd reads from and writes to /dev/null; 0, or -1. */
int to_null(int fd);
/*
 * The argv a recorded process was started with, as spawn_in_ns saved it
 * in the lab's directory: at most max - 1 pointers into buf, then NULL.
 * Returns how many, or -1 if there is none, or it is not root's alone.
 */
int spawn_argv(const struct lab *lab, pid_t pid, char *buf, size_t cap, char **argv, int max);
/* A program that sits beside the harness binary (the tunnel). */
int sibling_path(const char *prog, char *out, size_t cap);
/*
 * This harness again, as a child with its output sent to /dev/null and
 * only stdin, stdout and stderr: "harness ARGS...".  Returns its PID, or -1.
 */
pid_t spawn_self_quiet(char *const args[]);
/* An installed program in the usual system directories: 0 with its path, or -1. */
int find_program(const char *name, char *out, size_t cap);
/* Whether the recorded process is still running (and not a zombie). */
bool proc_running(pid_t pid, unsigned long long start);
/* Stops one recorded process: SIGTERM, then SIGKILL after a grace period. */
void proc_stop(pid_t pid, unsigned long long start, int grace_ms);

#endif
