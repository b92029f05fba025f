/* The home router's NAT: nftables rules, loaded through libnftables inside its namespace. */
#ifndef TUNLAB_HARNESS_NAT_H
#define TUNLAB_HARNESS_NAT_H

#include "lab.h"

#include <stddef.h>

/* Masquerades IPv4 and IPv6 leaving the router's interface wan. */
int nat_masquerade(const struct lab *lab, enum node_id router, const char *wan, char *err,
		   size_t errlen);

#endif
