/*
 * Gluing segments on their way into the TUN device: the inner packets come
 * from the peer, so anything may arrive.  The input is a run of packets,
 * each behind a two-byte length; whatever is emitted must fit the buffer
 * and, when it claims to be a run, be made of whole segments.
 */
#include "tunnel/offload.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CAP (65536 + 64)

static int check(void *arg, uint8_t *p, size_t len)
{
	struct virtio_net_hdr h;

	(void)arg;
	if (len < GRO_HDR || len > CAP)
		__builtin_trap();
	memcpy(&h, p, sizeof(h));
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE && (h.gso_size == 0 || h.hdr_len >= len))
		__builtin_trap();
	/* The kernel refuses a UDP run of more than 64 segments. */
	if (h.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 &&
	    len - GRO_HDR - h.hdr_len > (size_t)h.gso_size * 64)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[CAP];
	struct gro g;

	/* An odd-sized input glues UDP too, as a device with USO does; an even one TCP only. */
	gro_init(&g, buf, sizeof(buf), size & 1, check, NULL);
	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		gro_add(&g, data, len);
		data += len;
		size -= len;
	}
	gro_flush(&g);
	return 0;
}
