/*
 * Decapsulation of a datagram from anyone, in plaintext and PI mode, and
 * encapsulation over an IPv4 or IPv6 underlay (the input's length picks
 * which, so every input still means one thing).
 *
 * The input is also encapsulated as the start of the largest read the TUN
 * device can give, the rest zeros: its IP header's length field then says
 * how long the packet is, so a few bytes stand for a packet too big for
 * one UDP datagram.
 */
#include "lib/tun.h"
#include "tunnel/wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LARGEST_READ (TUN_PI_LEN + 65535)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t read_buf[LARGEST_READ]; /* zeros, but for the input copied in */
	int outer = size % 2 ? 6 : 4;
	/* The UDP payload one outer packet holds: an IPv4 header counts in its 65535 bytes. */
	size_t udp_max = 65535 - 8 - (outer == 6 ? 0 : 20);
	struct pkt p;
	size_t out;
	enum drop why;

	if (!strcmp(wire_mode_mtu(MODE_PLAINTEXT)->what, wire_mode_mtu(MODE_PI)->what))
		__builtin_trap(); /* the MTU report must say which mode it counts */
	for (enum wire_mode m = MODE_PLAINTEXT; m <= MODE_PI; m++) {
		if (wire_decap(m, data, size, &p, &out, &why) && out > size)
			__builtin_trap(); /* never write past what was received */
		if (wire_encap(m, data, size, outer, &p, &out, &why) && out > size)
			__builtin_trap();
	}
	if (size > sizeof(read_buf))
		return 0;
	memcpy(read_buf, data, size);
	for (enum wire_mode m = MODE_PLAINTEXT; m <= MODE_PI; m++) {
		bool ok = wire_encap(m, read_buf, sizeof(read_buf), outer, &p, &out, &why);

		if (ok && out > udp_max)
			__builtin_trap(); /* a datagram no UDP packet can carry */
		if (!ok && why == DROP_TOO_BIG && wire_overhead(m) + p.len <= udp_max)
			__builtin_trap(); /* refused, though it would fit */
	}
	memset(read_buf, 0, size);
	return 0;
}
