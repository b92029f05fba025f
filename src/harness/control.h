/* Asking a running tunnel for its counters over its control socket. */
#ifndef TUNLAB_HARNESS_CONTROL_H
#define TUNLAB_HARNESS_CONTROL_H

#include <stddef.h>

/* Sends cmd and reads the whole reply into out; returns 0 or a negative errno. */
int control_query(const char *path, const char *cmd, char *out, size_t cap);
/* The line after this one in a reply, or NULL at the end. */
const char *control_next_line(const char *line);
/* The value of key in a key=value reply, copied to out; NULL if absent. */
const char *control_value(const char *reply, const char *key, char *out, size_t cap);

#endif
