/*
 * Tunnel MTU arithmetic: what is left of the underlay's MTU once the
 * outer headers are paid for.  The harness's MTU probe checks the same
 * figures that the tunnel prints at start-up.
 */
#ifndef TUNLAB_MTU_H
#define TUNLAB_MTU_H

#include <stdbool.h>
#include <stddef.h>

#define MTU_IPV4_HDR 20
#define MTU_IPV6_HDR 40
#define MTU_UDP_HDR  8
#define MTU_ICMP_HDR 8
#define MTU_MIN_IPV4 68
#define MTU_MIN_IPV6 1280

struct mtu_calc {
	int underlay; /* MTU of the route toward the peer */
	int outer_ip; /* 20 (IPv4) or 40 (IPv6) */
	int udp;      /* 8 */
	int mode;     /* the wire mode's own header: 4 for PI, 0 for plaintext */
	int tunnel;   /* what remains for the inner packet */
};

/* outer_family is 4 or 6; mode_overhead is the bytes the wire mode adds. */
int mtu_compute(int underlay, int outer_family, int mode_overhead, struct mtu_calc *out);
/* "1500 (route MTU) − 20 (outer IPv4) − 8 (UDP) − 4 (PI header) = 1468" */
size_t mtu_explain(const struct mtu_calc *m, const char *mode_name, char *out, size_t cap);
/* The largest ICMP echo payload an inner packet of this version can carry within mtu. */
int mtu_ping_payload(int mtu, int inner_family);

#endif
