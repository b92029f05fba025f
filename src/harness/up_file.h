/* harness up FILE: a lab file read once, kept with the lab, and what it adds to the build. */
#ifndef TUNLAB_HARNESS_UP_FILE_H
#define TUNLAB_HARNESS_UP_FILE_H

#include "up.h"

#include <stddef.h>

/*
 * Reads and checks the file into lab->topo, with its text in *text
 * (malloc'd) for up_file_keep.  -1 with err, or with err empty when the
 * file's faults went to stderr a line each.
 */
int up_file_load(struct lab *lab, const char *path, char **text, size_t *len, char *err,
		 size_t errlen);
/* The text, as LAB_FILE_KEPT in the lab's directory: recorded, 0600, never through a link. */
int up_file_keep(struct up *u, const char *text, size_t len);
/* delay, loss, rate and block-icmp from the file's links. */
int up_file_impair(struct up *u);
/* The nodes' exec lines, started once the lab is up. */
int up_file_exec(struct up *u);

#endif
