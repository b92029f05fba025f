/*
 * Link impairments as root qdiscs over rtnetlink: netem for delay, loss
 * and rate, and TBF for rate alone (some kernels ship without netem).
 * Calls return 0 or a negative errno; -ENOENT means the kernel lacks the
 * qdisc kind.
 */
#ifndef TUNLAB_QDISC_H
#define TUNLAB_QDISC_H

#include "netlink.h"

#include <stdint.h>

struct netem {
	uint64_t delay_ns;
	double loss;   /* percent, 0 to 100 */
	uint64_t rate; /* bytes per second; 0 for no limit */
};

int qdisc_netem(struct nl *nl, int index, const struct netem *n);
int qdisc_tbf(struct nl *nl, int index, uint64_t rate);
/* Back to the default qdisc; no error if there was nothing to remove. */
int qdisc_clear(struct nl *nl, int index);

#endif
