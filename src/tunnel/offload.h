/*
 * Segmentation offload on the TUN side.  With IFF_VNET_HDR and
 * TUNSETOFFLOAD the kernel hands the tunnel a TCP (or UDP) "super-packet"
 * of up to 64 KB with a virtio-net header that says how to cut it, instead
 * of forty-odd packets; the tunnel cuts it into packets that fit its MTU,
 * each with its own headers and checksums, before it carries them.  A
 * packet that is not cut may still need its checksum finished, which the
 * kernel left for the device to do.
 *
 * Parsing only: nothing here reads or writes a descriptor.
 */
#ifndef TUNLAB_TUNNEL_OFFLOAD_H
#define TUNLAB_TUNNEL_OFFLOAD_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* No super-packet needs more: 64 KB cut into segments of at least 536 bytes. */
#define OFFLOAD_MAX_SEGMENTS 128

/* Called for each packet cut; a non-zero return stops the cutting. */
typedef int (*offload_emit_fn)(void *arg, const uint8_t *pkt, size_t len);

enum offload_error {
	OFFLOAD_OK = 0,
	OFFLOAD_MALFORMED = -1,	  /* headers that do not hold together */
	OFFLOAD_UNSUPPORTED = -2, /* a gso_type or header chain we do not cut */
	OFFLOAD_STOPPED = -3,	  /* emit asked to stop */
};

/*
 * Cuts pkt (the bytes after the virtio-net header h) into packets of at
 * most the headers plus h->gso_size of payload, or finishes its checksum
 * if it is not a super-packet.  scratch (cap bytes) holds one packet at a
 * time.  Returns the number of packets emitted, or an enum offload_error.
 */
int offload_split(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, uint8_t *scratch,
		  size_t cap, offload_emit_fn emit, void *arg);

/* Where the next packet is to be built, and its room there. */
typedef uint8_t *(*offload_room_fn)(void *arg, size_t *cap);

/*
 * The same, but each packet is built where room says, so that a caller
 * who gives it the next slot of a batch need not copy it again.  A packet
 * larger than its room is OFFLOAD_MALFORMED: the sender broke the MTU.
 */
int offload_split_into(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		       offload_room_fn room, offload_emit_fn emit, void *arg);

/*
 * The other way: segments on their way into the TUN device, glued back
 * into one super-packet where they may be, so that the kernel takes one
 * packet, in one write, instead of dozens.  TCP segments glue when they
 * share flow and headers, each sequence number follows the last, they
 * carry only ACK and a final PSH, and their sizes are equal but for a
 * shorter last one.  UDP datagrams of one flow glue by the same rule of
 * sizes, without the sequence, where the device takes UDP super-packets
 * (USO): the kernel cuts them again into the same datagrams before any
 * socket sees them.  Anything else passes through as it is.
 *
 * buf holds TUN_VNET_HDR_LEN bytes of header room and then up to 64 KB;
 * emit receives the header and the packet behind it, ready to write.
 */
typedef int (*gro_emit_fn)(void *arg, uint8_t *hdr_and_pkt, size_t len);

struct gro {
	uint8_t *buf;
	size_t cap;
	size_t len; /* of the packet held, 0 if none */
	int count;  /* segments in it */
	size_t l4, hdrs, gso;
	int version;
	uint8_t proto; /* of the run held */
	bool udp;      /* UDP runs too: the device takes USO */
	uint32_t next_seq;
	gro_emit_fn emit;
	void *arg;
	uint64_t merged; /* segments that rode in another's packet */
};

#define GRO_HDR 10 /* sizeof(struct virtio_net_hdr) */

void gro_init(struct gro *g, uint8_t *buf, size_t cap, bool udp, gro_emit_fn emit, void *arg);
/* Takes one packet; the one held may go out first. */
void gro_add(struct gro *g, const uint8_t *pkt, size_t len);
/* Sends what is held. */
void gro_flush(struct gro *g);

#endif
