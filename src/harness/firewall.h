/*
 * The lab's nftables rules, each loaded through libnftables inside the
 * namespace of the node it belongs to: the home router's NAT, the
 * firewall that swallows ICMP "too big" messages, and random loss.
 */
#ifndef TUNLAB_HARNESS_FIREWALL_H
#define TUNLAB_HARNESS_FIREWALL_H

#include "lab.h"

#include <stdbool.h>
#include <stddef.h>

/* Masquerades IPv4 and IPv6 leaving the router's interface wan. */
int nat_masquerade(const struct lab *lab, int router, const char *wan, char *err, size_t errlen);

/*
 * The same masquerade, with TCP and UDP mapped into lo .. lo+NAT_RANGE_PORTS-1;
 * lo -1 takes whichever of the two ranges is not in use now.  Both lie
 * below the ephemeral ports, so the first mapping (which keeps the sender's
 * port) is never in either.  Returns lo, or -1 with err.
 */
#define NAT_RANGE_A	20000
#define NAT_RANGE_B	25000
#define NAT_RANGE_PORTS 5000
int nat_masquerade_range(const struct lab *lab, int router, const char *wan, int lo, char *err,
			 size_t errlen);

/* Drops ICMP "fragmentation needed" and ICMPv6 "packet too big", made or forwarded here. */
int firewall_block_icmp(const struct lab *lab, int node, bool on, char *err, size_t errlen);
/* Drops this percentage of forwarded packets at random; 0 removes the rule. */
int firewall_loss(const struct lab *lab, int node, double percent, char *err, size_t errlen);

/* What the internet node does to what it forwards, in percent of packets. */
struct impair {
	double loss, dup, corrupt;
};
/* Loss, duplication and corruption on the internet node; all 0 removes them. */
int firewall_impair(const struct lab *lab, const struct impair *im, char *err, size_t errlen);
/* Packets corrupted, dropped, duplicated toward office and toward home, so far. */
int firewall_impaired(const struct lab *lab, unsigned long long counts[4], char *err,
		      size_t errlen);

/*
 * At ingress on each of a node's devices ifaces, in the netdev table named
 * table: loss percent of the IP packets dropped, then share percent of the
 * rest sent to the TUN device dev (a delay line, reorder.h).  Both 0
 * removes the table.
 */
struct divert {
	const char *table;
	const char *const *ifaces;
	size_t nifaces;
	double loss, share;
	const char *dev;
};
int firewall_divert(const struct lab *lab, int node, const struct divert *d, char *err,
		    size_t errlen);
/* Packets sent to the TUN device by table's rules so far. */
int firewall_diverted(const struct lab *lab, int node, const char *table, unsigned long long *count,
		      char *err, size_t errlen);

/* firewall_divert on the internet node's two links, for harness set. */
#define REORDER_TABLE "tunlab_reorder"
int firewall_reorder(const struct lab *lab, double percent, char *err, size_t errlen);
/* Packets diverted so far, both links together. */
int firewall_reordered(const struct lab *lab, unsigned long long *count, char *err, size_t errlen);

#endif
