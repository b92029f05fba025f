#include "mode.h"

const char *wire_mode_name(enum wire_mode m)
{
	return m == MODE_PI ? "pi" : m == MODE_ENCRYPTED ? "encrypted" : "plaintext";
}

const struct mtu_mode *wire_mode_mtu(enum wire_mode m)
{
	/* mtu.c knows every name wire_mode_name gives. */
	return mtu_mode_named(wire_mode_name(m));
}
