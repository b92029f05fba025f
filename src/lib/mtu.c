#include "mtu.h"

#include <stdio.h>

int mtu_compute(int underlay, int outer_family, int mode_overhead, struct mtu_calc *out)
{
	out->underlay = underlay;
	out->outer_ip = outer_family == 6 ? MTU_IPV6_HDR : MTU_IPV4_HDR;
	out->udp = MTU_UDP_HDR;
	out->mode = mode_overhead;
	out->tunnel = underlay - out->outer_ip - out->udp - mode_overhead;
	return out->tunnel;
}

size_t mtu_explain(const struct mtu_calc *m, const char *mode_name, char *out, size_t cap)
{
	int n;

	if (m->mode)
		n = snprintf(out, cap, "%d (underlay) - %d (outer IPv%d) - %d (UDP) - %d (%s) = %d",
			     m->underlay, m->outer_ip, m->outer_ip == MTU_IPV6_HDR ? 6 : 4, m->udp,
			     m->mode, mode_name, m->tunnel);
	else
		n = snprintf(out, cap, "%d (underlay) - %d (outer IPv%d) - %d (UDP) = %d",
			     m->underlay, m->outer_ip, m->outer_ip == MTU_IPV6_HDR ? 6 : 4, m->udp,
			     m->tunnel);
	return n < 0 ? 0 : (size_t)n;
}

int mtu_ping_payload(int mtu, int inner_family)
{
	return mtu - (inner_family == 6 ? MTU_IPV6_HDR : MTU_IPV4_HDR) - MTU_ICMP_HDR;
}
