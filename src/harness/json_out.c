#include "json_out.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

json_t *jout_text(const char *s)
{
	json_t *j;
	char *copy;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *jout_fixed(double v, int decimals)
{
	char text[64];

	if (!isfinite(v))
		v = 0;
	/* Rounded by printf, as the figure was printed before: 0.1235, not 0.12345678. */
	snprintf(text, sizeof(text), "%.*f", decimals, v);
	return json_real(strtod(text, NULL));
}

json_t *jout_whole(double v)
{
	char text[64];

	if (!isfinite(v))
		v = 0;
	snprintf(text, sizeof(text), "%.0f", v);
	return json_integer(strtoll(text, NULL, 10));
}

json_t *jout_num(double v)
{
	/* Below 2^53 every integer is exact in a double, and fits a json_int_t. */
	if (isfinite(v) && v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    v == (double)(json_int_t)v)
		return json_integer((json_int_t)v);
	return json_real(isfinite(v) ? v : 0);
}

static const char *digits(const char *p)
{
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

/* JSON's own number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_text(const char *v)
{
	const char *p = v + (*v == '-');

	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		p = digits(p);
	else
		return false;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return false;
		p = digits(p + 1);
	}
	if (*p == 'e' || *p == 'E') {
		p += 1 + (p[1] == '+' || p[1] == '-');
		if (!isdigit((unsigned char)*p))
			return false;
		p = digits(p);
	}
	return *p == '\0';
}

json_t *jout_reply_value(const char *v)
{
	long long n;
	double d;
	char *end;

	if (!json_number_text(v))
		return jout_text(v);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!errno && *end == '\0')
		return json_integer(n);
	/* A fraction, an exponent, or an integer too long for 64 bits. */
	d = strtod(v, &end);
	/* 1e999 is a number to JSON and infinity to a double, which JSON lacks. */
	return isfinite(d) ? json_real(d) : jout_text(v);
}

int jout_print(json_t *j, FILE *f)
{
	/* Fifteen digits print a rounded figure as it was rounded: 0.1, not 0.10000000000000001. */
	int rc;

	if (!j) {
		/* Out of memory while building it: say so, rather than print nothing. */
		fprintf(stderr, "harness: could not build the JSON output\n");
		return -1;
	}
	rc = json_dumpf(j, f, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (rc || fputc('\n', f) == EOF)
		return -1;
	return 0;
}
