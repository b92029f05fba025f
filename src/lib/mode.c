#include "mode.h"

#include <string.h>

const char *wire_mode_name(enum wire_mode m)
{
	return m == MODE_PI ? "pi" : m == MODE_ENCRYPTED ? "encrypted" : "plaintext";
}

int wire_mode_parse(const char *name, enum wire_mode *m)
{
	for (int i = MODE_PLAINTEXT; i <= MODE_ENCRYPTED; i++)
		if (!strcmp(name, wire_mode_name((enum wire_mode)i))) {
			*m = (enum wire_mode)i;
			return 0;
		}
	return -1;
}

const struct mtu_mode *wire_mode_mtu(enum wire_mode m)
{
	/* mtu.c knows every name wire_mode_name gives. */
	return mtu_mode_named(wire_mode_name(m));
}
