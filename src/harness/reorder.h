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
 * A delay line: a TUN device in a node, and the recorded process
 * (harness delay-line) that holds each packet arriving on it for hold_ns
 * before it writes it back into the node's stack.
 */
struct delay_line {
	int node;
	const char *dev;  /* the TUN device, a name no other device of the node has */
	const char *what; /* its record, one word; with the node, it names this line */
	uint64_t hold_ns;
};
/* Stops the line recorded as the same what in the same node, then starts
 * this one; nl is a netlink socket inside the node. */
int delay_line_start(const struct lab *lab, struct nl *nl, const struct delay_line *d, char *err,
		     size_t errlen);
void delay_line_stop(const struct lab *lab, const struct delay_line *d);

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
