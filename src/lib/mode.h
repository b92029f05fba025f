/*
 * The tunnel's wire modes, one enum for both programs: the tunnel runs
 * in one, and a lab file names the one its tunnels run in.
 */
#ifndef TUNLAB_LIB_MODE_H
#define TUNLAB_LIB_MODE_H

#include "mtu.h"

enum wire_mode { MODE_PLAINTEXT, MODE_PI, MODE_ENCRYPTED };

/* "plaintext", "pi" or "encrypted": as the command line and the control socket name it. */
const char *wire_mode_name(enum wire_mode m);
/* The mode a name names, into *m; -1 for a name that is none. */
int wire_mode_parse(const char *name, enum wire_mode *m);
/* What the mode adds to every inner packet, for the MTU arithmetic. */
const struct mtu_mode *wire_mode_mtu(enum wire_mode m);

#endif
