/*
 * Cutting super-packets: the first ten bytes are the virtio-net header,
 * the rest the packet.  Every segment that comes out must fit the scratch
 * buffer and be no longer than the headers plus gso_size.
 */
#include "tunnel/offload.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct limit {
	size_t max;
};

static int check(void *arg, const uint8_t *pkt, size_t len)
{
	const struct limit *l = arg;

	if (len > l->max || (len && !pkt))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[65536 + 64];
	struct virtio_net_hdr h;
	struct limit l;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	l.max = sizeof(scratch);
	offload_split(&h, data + sizeof(h), size - sizeof(h), scratch, sizeof(scratch), check, &l);
	return 0;
}
