/*
 * The wire formats of plaintext mode: the datagram is the IP packet
 * itself, or (with --pi) the packet behind the TUN device's 4-byte
 * packet-info header.  These functions only judge a buffer; the caller
 * decides what to do with the verdict.
 */
#ifndef TUNLAB_TUNNEL_WIRE_H
#define TUNLAB_TUNNEL_WIRE_H

#include "lib/mode.h"
#include "lib/packet.h"
#include "stats.h"

#include <stdbool.h>
#include <stddef.h>

/* Bytes the mode (MODE_PLAINTEXT or MODE_PI) adds in front of the inner packet. */
size_t wire_overhead(enum wire_mode m);

/*
 * A datagram from the peer.  On success p describes the inner packet and
 * *out_len is what to write to the TUN device (trailing junk trimmed); on
 * failure *why says which drop counter it belongs to.
 */
bool wire_decap(enum wire_mode m, const uint8_t *dg, size_t len, struct pkt *p, size_t *out_len,
		enum drop *why);

/*
 * A packet read from the TUN device, about to go out in a datagram over
 * an outer IP header of outer_version.  *out_len is the datagram's length.
 */
bool wire_encap(enum wire_mode m, const uint8_t *buf, size_t len, int outer_version, struct pkt *p,
		size_t *out_len, enum drop *why);

#endif
