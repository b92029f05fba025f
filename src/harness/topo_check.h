/*
 * What is wrong with a lab, as a list of lines "file:line:column: message"
 * (line and column from 1), and the check that finds the lab's semantic
 * faults: undefined names, addresses off their link's subnet, gateways
 * out of reach, tunnel endpoints no client can route to.
 *
 * Every fault is collected, not only the first, so a user fixes a file in
 * one pass.  The list is kept in file order.
 */
#ifndef TUNLAB_HARNESS_TOPO_CHECK_H
#define TUNLAB_HARNESS_TOPO_CHECK_H

#include "topo.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Past this many, errors are only counted (a broken file can make thousands). */
#define TOPO_ERRORS_MAX 200

struct topo_error {
	struct topo_pos pos;
	size_t seq;  /* order of finding, to keep ties in it */
	char *line;  /* "file:line:column: message" */
	char *where; /* the file, alone */
	char *msg;   /* the message, alone */
};

struct topo_errors {
	struct topo_error *v;
	size_t n, cap;
	size_t dropped; /* found past TOPO_ERRORS_MAX */
};

void topo_errors_init(struct topo_errors *e);
void topo_errors_free(struct topo_errors *e);
/* Adds one; a pos of 0:0 gives "file: message". */
void topo_error(struct topo_errors *e, const char *file, struct topo_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Puts them in file order (line, then column, then order of finding). */
void topo_errors_sort(struct topo_errors *e);
/* All of them, counted ones included. */
size_t topo_errors_count(const struct topo_errors *e);
/* Each as its own line, and how many more were only counted: what validate prints. */
void topo_errors_print(const struct topo_errors *e, const char *path, FILE *f);

/*
 * Checks a lab read from a file and resolves what names point at: link
 * ends, roles and tunnel members get their node (and interface) indexes.
 * Adds each fault to e; returns how many it found (0: the lab is sound).
 */
size_t topo_check(struct topo *t, struct topo_errors *e);

/*
 * The address a client of tunnel k dials: its own endpoint, else the
 * tunnel's, else the server's first address outside the private ranges
 * (RFC 1918, 100.64.0.0/10, fc00::/7, loopback, link-local), in file
 * order.  Written into out, which it returns; NULL if there is none.
 */
const char *topo_endpoint(const struct topo *t, size_t k, const struct topo_member *client,
			  char *out, size_t cap);

/* Whether a name is a plain lab name: 1 to max of a-z, 0-9 and '-', not starting with '-'. */
bool topo_name_ok(const char *s, size_t max);

/* Edit distance between two short words ((size_t)-1 past 62 characters), for "did you mean". */
size_t topo_distance(const char *a, const char *b);

/* Longest a node's or an interface's name may be: the kernel's IFNAMSIZ - 1. */
#define TOPO_NAME_MAX 15

#endif
