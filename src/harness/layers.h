/*
 * A packet taken apart into its layers for teaching: outer IP, UDP, the
 * PI header, inner IP, ICMP/UDP/TCP, payload; each with its byte range
 * and its fields, each field with its offset and value.  Only reads.
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
	int tunnel; /* 1 when the packet is a tunnel datagram (it has an inner packet) */
};

/* Takes an IP packet apart; port marks tunnel datagrams.  Returns the number of layers. */
int layers_of(const uint8_t *pkt, size_t len, uint16_t port, struct layers *out);
const struct layer *layer_find(const struct layers *l, const char *name);
const char *field_value(const struct layer *l, const char *name);

#endif
