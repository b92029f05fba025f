/*
 * Decapsulation of a datagram from anyone, in plaintext and PI mode, and
 * encapsulation over an IPv4 or IPv6 underlay (the input's length picks
 * which, so every input still means one thing).
 */
#include "tunnel/wire.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p;
	size_t out;
	enum drop why;

	for (int m = WIRE_PLAIN; m <= WIRE_PI; m++) {
		if (wire_decap(m, data, size, &p, &out, &why) && out > size)
			__builtin_trap(); /* never write past what was received */
		if (wire_encap(m, data, size, size % 2 ? 6 : 4, &p, &out, &why) && out > size)
			__builtin_trap();
	}
	return 0;
}
