/*
 * What a lab started, written down before it is started.  Every
 * namespace, process and file goes into LAB_RUN_DIR/<lab>/state first,
 * so "harness down" can undo all of it even after a crash or kill -9.
 * Processes are recorded with their start time, so a PID the kernel has
 * since given to someone else is never signalled.
 */
#ifndef TUNLAB_HARNESS_STATE_H
#define TUNLAB_HARNESS_STATE_H

#include "lab.h"

#include <stdbool.h>
#include <sys/types.h>

enum record_kind { REC_NETNS, REC_PROC, REC_FILE };

struct record {
	enum record_kind kind;
	char name[PATH_MAX]; /* namespace, file path, or a process's node */
	char what[64];	     /* a process: what it is ("tunnel") */
	pid_t pid;
	unsigned long long start; /* a process: start time in clock ticks since boot */
};

/* Takes the lab's lock; fails if another harness holds it. */
int state_lock(struct lab *lab, bool create, char *err, size_t errlen);
/* True if the lab has records: it is up, or half up. */
bool state_exists(const struct lab *lab);
int state_begin(struct lab *lab, char *err, size_t errlen);
int state_add(const struct lab *lab, const struct record *r);
/* 0 if the records (and their directory) are root's alone, else -1 with why in err. */
int state_trust(const struct lab *lab, char *err, size_t errlen);
/* Reads every record into *out (malloc'd); returns how many, or -1 (EPERM: not root's alone). */
int state_load(const struct lab *lab, struct record **out);
/* One line of the records; false for a line that is not a record. */
bool state_parse(char *line, struct record *r);
/* Removes the records and the lab's directory. */
int state_remove(const struct lab *lab);

/* A process's start time from /proc, or 0 if it is gone. */
unsigned long long proc_start_time(pid_t pid);
/* Alive and still the process that was recorded. */
bool proc_is(pid_t pid, unsigned long long start);

#endif
