/*
 * Reordering on the internet links, without netem: a share of what the
 * internet node forwards is held back by a delay line (delay_line.c) and
 * arrives after packets sent later.
 */
#ifndef TUNLAB_HARNESS_REORDER_H
#define TUNLAB_HARNESS_REORDER_H

#include "lab.h"
#include "lib/netlink.h"

#include <stddef.h>
#include <stdint.h>

#define REORDER_DEV	     "reorder"
#define REORDER_DEFAULT_HOLD 2000000ull /* ns: some 100 full packets at 600 Mbit/s */

/*
 * Holds percent of the packets that cross the internet node for hold_ns
 * each; 0 stops the delay line and removes its rules.  nl is a netlink
 * socket inside the internet node.
 */
int reorder_apply(const struct lab *lab, struct nl *nl, double percent, uint64_t hold_ns, char *err,
		  size_t errlen);
/* How many packets were held back so far (0 when reordering is off). */
unsigned long long reorder_count(const struct lab *lab);

#endif
