/*
 * The default lab, labs/home-office.yml, built into the harness: "harness
 * up" with no file brings it up wherever the harness is run from, and it
 * is the very file the repository ships, not a copy kept in step by hand.
 */
#ifndef TUNLAB_HARNESS_DEFAULT_LAB_H
#define TUNLAB_HARNESS_DEFAULT_LAB_H

#include "topo.h"
#include "topo_check.h"

#include <stddef.h>

#define DEFAULT_LAB_FILE "labs/home-office.yml"

/* The file's text and its length. */
const char *default_lab_text(size_t *len);
/* Reads and checks it into t, as labfile_load would the file. */
int default_lab_load(struct topo *t, struct topo_errors *e);

#endif
