/* The packet parser and the one-line decoder that -v and the lessons use. */
#include "lib/packet.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[256];
	struct pkt p;

	if (pkt_parse(data, size, &p) == PKT_OK && p.len > size)
		__builtin_trap(); /* a parsed packet never claims more than it has */
	pkt_decode(data, size, line, sizeof(line));
	return 0;
}
