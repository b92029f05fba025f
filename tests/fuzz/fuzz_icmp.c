/*
 * What comes back to the MTU probe from the network: an ICMP message read
 * by the prober, and a captured packet inspected for pieces of a probe
 * (plain, or inside a tunnel datagram in either mode).
 */
#include "harness/fragments.h"
#include "harness/prober.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prober pr = {.id = 0x1234, .seq = 7, .last_seq = 7};
	struct probe_answer a;
	struct piece x;

	for (pr.version = 4; pr.version <= 6; pr.version += 2) {
		memset(&a, 0, sizeof(a));
		prober_judge(&pr, data, size, &a);
		piece_inspect(data, size, &pr, 0, &x);
		piece_inspect(data, size, &pr, 4, &x);
	}
	return 0;
}
