/* Recognising the pieces of one probe in a capture. */
#ifndef TUNLAB_HARNESS_FRAGMENTS_H
#define TUNLAB_HARNESS_FRAGMENTS_H

#include "mtu_probe.h"
#include "prober.h"
#include "lib/capture.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct piece {
	uint16_t id;	   /* IP identification of the packet on the wire */
	bool fragment;	   /* it is a fragment */
	bool first;	   /* the fragment at offset 0, or a whole packet */
	bool ours;	   /* the probe itself, whole or its first fragment */
	bool icmp;	   /* an ICMP packet or fragment: could be the probe */
	bool tunnel;	   /* a tunnel datagram (or a fragment of one) */
	bool inner_ours;   /* it carries the probe's first piece */
	bool inner_frag;   /* what it carries is an inner fragment */
	uint16_t inner_id; /* of the carried packet */
};

/* What one captured IP packet is, with respect to the prober's last probe. */
void piece_inspect(const uint8_t *ip, size_t len, const struct prober *pr, int mode_overhead,
		   struct piece *x);
/* Counts the pieces of the prober's last probe among everything c captured. */
void count_fragments(struct capture *c, const struct prober *pr, int mode_overhead,
		     struct frag_link *out);

#endif
