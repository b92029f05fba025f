#include "json.h"

#include <ctype.h>
#include <stdlib.h>

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void json_value(FILE *f, const char *v)
{
	char *end;

	if (*v && !isspace((unsigned char)*v)) {
		strtod(v, &end);
		if (*end == '\0' && (isdigit((unsigned char)*v) || *v == '-')) {
			fputs(v, f);
			return;
		}
	}
	json_str(f, v);
}
