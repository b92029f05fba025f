/*
 * --json output through jansson: each command builds its report as a value
 * and prints it as one compact line, keys in the order they were set.  The
 * few conversions here are the ones several commands need.
 */
#ifndef TUNLAB_HARNESS_JSON_OUT_H
#define TUNLAB_HARNESS_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/*
 * s as a JSON string; bytes that are not UTF-8 become '?' (jansson takes
 * UTF-8 only, and a lab file or path may hold anything).  NULL gives null.
 */
json_t *jout_text(const char *s);
/* v rounded to decimals places, always a real: what "%.<decimals>f" printed. */
json_t *jout_fixed(double v, int decimals);
/* v rounded to an integer: what "%.0f" printed, kept an integer. */
json_t *jout_whole(double v);
/* v as "%g" printed it: an integer when it has no fraction, else a real. */
json_t *jout_num(double v);
/* A value from a key=value reply: a number stays a number, anything else a string. */
json_t *jout_reply_value(const char *v);
/* Writes j as one compact line to f and drops the reference; 0, or -1 if j is NULL or the write
 * failed. */
int jout_print(json_t *j, FILE *f);

#endif
