/*
 * A packet taken apart into its layers for teaching: outer IP, UDP, the
 * PI header or a WireGuard message, inner IP, ICMP/UDP/TCP, payload; each
 * with its byte range and its fields, each field with its offset and
 * value.  Only reads.
 */
#ifndef TUNLAB_HARNESS_LAYERS_H
#define TUNLAB_HARNESS_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#define LAYERS_MAX 8
#define FIELDS_MAX 12

struct field {
	char name[24];
	char value[64];
	size_t offset; /* from the start of the packet */
	size_t len;
	const char *why; /* what the field proves, for the handshake; or NULL */
	int changed;	 /* set by a viewer: differs from the hop before */
};

struct layer {
	char name[24]; /* "outer IPv4", "UDP", "PI header", "inner IPv4", "ICMP", "payload" */
	size_t offset, len;
	struct field fields[FIELDS_MAX];
	int nfields;
};

struct layers {
	struct layer layer[LAYERS_MAX];
	int n;
	int tunnel;    /* 1 when the packet is a tunnel datagram (an inner packet or WireGuard) */
	int wireguard; /* 1 when what the datagram carries is a WireGuard message */
};

/* Takes an IP packet apart; port marks tunnel datagrams.  Returns the number of layers. */
int layers_of(const uint8_t *pkt, size_t len, uint16_t port, struct layers *out);
/*
 * The same, and a WireGuard transport message is split into the encrypted
 * packet of inner_len bytes, the padding and the tag (inner_len 0: where
 * the packet ends is not known, so packet and padding stay one layer).
 */
int layers_of_sealed(const uint8_t *pkt, size_t len, uint16_t port, size_t inner_len,
		     struct layers *out);
const struct layer *layer_find(const struct layers *l, const char *name);
const char *field_value(const struct layer *l, const char *name);

#endif
