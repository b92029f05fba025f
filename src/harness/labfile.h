/*
 * The lab file reader: a YAML file (docs/labs.md) into a struct topo.
 *
 * The whole file is read and parsed before anything is looked at, and
 * nothing is acted on here: the reader only fills the struct and notes
 * each fault it finds (unknown keys, wrong types, absurd sizes) as
 * "file:line:column: message".  topo_check (topo_check.h) then checks
 * what the values mean.
 */
#ifndef TUNLAB_HARNESS_LABFILE_H
#define TUNLAB_HARNESS_LABFILE_H

#include "topo.h"
#include "topo_check.h"

#include <stddef.h>

/* Bounds: a file past them is refused with one line saying which. */
#define LABFILE_MAX_BYTES   (256 * 1024)
#define LABFILE_MAX_EVENTS  20000
#define LABFILE_MAX_STRING  1024
#define LABFILE_MAX_NODES   512
#define LABFILE_MAX_IFACES  16 /* per node */
#define LABFILE_MAX_ADDRS   8  /* per interface, and per tunnel member */
#define LABFILE_MAX_ROUTES  64 /* per node, and per tunnel member */
#define LABFILE_MAX_EXEC    32 /* per node */
#define LABFILE_MAX_LINKS   1024
#define LABFILE_MAX_TUNNELS 8
#define LABFILE_MAX_CLIENTS 32 /* per tunnel */
#define LABFILE_MAX_EXPECTS 128

/*
 * Reads the file at path into t (topo_init'ed by the caller, topo_free'd
 * by the caller whatever this returns).  0 if the reader found nothing
 * wrong, -1 if it added errors to e.  It does not run topo_check.
 */
int labfile_read(const char *path, struct topo *t, struct topo_errors *e);
/*
 * The file's text, read whole (at most one byte past LABFILE_MAX_BYTES,
 * so the parser can say it is too large), NUL-terminated, malloc'd; NULL
 * with the reason added to e.
 */
char *labfile_text(const char *path, size_t *len, struct topo_errors *e);
/* The same from memory; name is what messages call the file. */
int labfile_parse(const char *name, const char *text, size_t len, struct topo *t,
		  struct topo_errors *e);
/*
 * Read, then check: what up, graph, validate and test call.  0 when the
 * lab is sound; -1 with every error in e (sorted in file order).
 */
int labfile_load(const char *path, struct topo *t, struct topo_errors *e);
/* The same from memory. */
int labfile_load_text(const char *name, const char *text, size_t len, struct topo *t,
		      struct topo_errors *e);

#endif
