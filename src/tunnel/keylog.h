/*
 * Session secrets written for a packet analyser, so a class can decrypt
 * a capture and see the inner packets.  Off unless asked for: anyone with
 * this file can read the traffic it covers.
 */
#ifndef TUNLAB_TUNNEL_KEYLOG_H
#define TUNLAB_TUNNEL_KEYLOG_H

#include "noise.h"

#include <stdio.h>

/* Our static key, the peer's, our ephemeral key and the preshared key of one handshake. */
void keylog_handshake(FILE *f, const struct noise_static *s, const struct handshake *hs);

#endif
