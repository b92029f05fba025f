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
#define MTU_TCP_HDR  20	  /* without options */
#define MTU_ETHERNET 1500 /* an underlay's MTU when nothing says otherwise */
#define MTU_MIN_IPV4 68
#define MTU_MIN_IPV6 1280
#define MTU_PI_HDR   4
#define MTU_WG_DATA  32 /* a data message's 16-byte header and its 16-byte tag */
#define MTU_WG_PAD   16 /* its plaintext is padded to a multiple of this */

/* What a wire mode adds to every inner packet. */
struct mtu_mode {
	const char *name; /* "encrypted", "plaintext" or "pi" */
	const char *what; /* its bytes, in mtu_explain: "encrypted", "PI header" */
	int overhead;	  /* bytes it adds to every inner packet, padding aside */
	int padding;	  /* pads the inner packet to a multiple of this; 0: never */
};

/* The mode of that name, or NULL. */
const struct mtu_mode *mtu_mode_named(const char *name);

struct mtu_calc {
	int underlay; /* MTU of the route toward the peer */
	int outer_ip; /* 20 (IPv4) or 40 (IPv6) */
	int udp;      /* 8 */
	int mode;     /* the wire mode's own header: 4 for PI, 0 for plaintext */
	int tunnel;   /* what remains for the inner packet */
};

/* An IP header without options: 20 for family 4, 40 for 6. */
int mtu_ip_header(int family);
/* Bytes a datagram adds to an inner packet: outer IP (family 4 or 6), UDP and the mode's. */
int mtu_overhead(int outer_family, int mode_overhead);
/* outer_family is 4 or 6; mode_overhead is the bytes the wire mode adds. */
int mtu_compute(int underlay, int outer_family, int mode_overhead, struct mtu_calc *out);
/* "1500 (route MTU) − 20 (outer IPv4) − 8 (UDP) − 4 (PI header) = 1468" */
size_t mtu_explain(const struct mtu_calc *m, const char *mode_name, char *out, size_t cap);
/*
 * The largest inner packet that crosses when the path leaves room for
 * allowed bytes (mtu_compute's figure) and the device MTU is device_mtu.
 * Padding stops at the device MTU, never past it: a device MTU within
 * allowed lets every packet through, one above it only packets whose
 * padded size still fits, so allowed rounded down to the padding.
 */
int mtu_largest_inner(int allowed, int device_mtu, int padding);
/* Why: "1432 rounded down to a multiple of 16: 1425..1432 are padded to 1440 ..." */
size_t mtu_explain_largest(int allowed, int device_mtu, int padding, char *out, size_t cap);
/* The largest ICMP echo payload an inner packet of this version can carry within mtu. */
int mtu_ping_payload(int mtu, int inner_family);
/* The TCP MSS that keeps a segment of this version within mtu: 1380 for 1420 over IPv4. */
int mtu_mss(int mtu, int inner_family);

#endif
