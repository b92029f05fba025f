/* The packet parser, the one-line decoder that -v and capture use, and the walkthrough's layers. */
#include "harness/layers.h"
#include "lib/packet.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[256];
	struct pkt p;

	if (pkt_parse(data, size, &p) == PKT_OK && p.len > size)
		__builtin_trap(); /* a parsed packet never claims more than it has */
	if (pkt_link_header(data, size) > size)
		__builtin_trap();
	pkt_decode(data, size, line, sizeof(line));
	pkt_decode_encap(data, size, 1234, line, sizeof(line));
	{
		struct layers l;

		/* The walkthrough's view: every layer must lie inside the packet. */
		layers_of(data, size, 1234, &l);
		for (int i = 0; i < l.n; i++)
			if (l.layer[i].offset + l.layer[i].len > size)
				__builtin_trap();
		/* A WireGuard transport split by an inner length the input picks. */
		layers_of_sealed(data, size, 1234, size ? data[size - 1] : 0, &l);
		for (int i = 0; i < l.n; i++)
			for (int f = 0; f < l.layer[i].nfields; f++)
				if (l.layer[i].offset + l.layer[i].len > size ||
				    l.layer[i].fields[f].offset + l.layer[i].fields[f].len > size)
					__builtin_trap();
	}
	return 0;
}
