/* Just enough JSON writing for --json output: escaped strings. */
#ifndef TUNLAB_JSON_H
#define TUNLAB_JSON_H

#include <stdio.h>

/* Writes s as a JSON string, quotes included. */
void json_str(FILE *f, const char *s);
/* Writes a value from a key=value reply: a number stays a number, anything else a string. */
void json_value(FILE *f, const char *v);

#endif
