/*
 * The path MTU toward the peer, as the kernel learns it.  The tunnel's
 * datagrams always carry DF, so a router that cannot forward one sends
 * an ICMP "fragmentation needed" (or "packet too big") back; with
 * IP_RECVERR the kernel queues it on the socket, and we read the new MTU
 * from there.  An inner packet that no longer fits, and may not be
 * fragmented, is answered with the same ICMP one layer up, so the inner
 * sender's own PMTU discovery converges as it would through a kernel tunnel.
 */
#ifndef TUNLAB_TUNNEL_PMTU_H
#define TUNLAB_TUNNEL_PMTU_H

#include "lib/mtu.h"
#include "lib/netlink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct pmtu {
	int mtu;			  /* of the underlay path to the peer; 0 while unknown */
	uint64_t updates;		  /* times the kernel told us a new figure */
	struct sockaddr_storage reporter; /* who said so, if an ICMP did */
	bool reported_by_icmp;
};

/* One message from the socket's error queue, already read. */
struct pmtu_report {
	int mtu;
	bool from_icmp;
	struct sockaddr_storage offender;
	struct sockaddr_storage dest; /* where the failed datagram was going */
};

/*
 * Reads one message from fd's error queue.  Returns 1 with *r filled when
 * it carried a new MTU, 0 for another kind of error (which is consumed),
 * and -1 when the queue is empty.
 */
int pmtu_read_error(int fd, struct pmtu_report *r);

/* Applies a report; true if the figure changed. */
bool pmtu_apply(struct pmtu *p, const struct pmtu_report *r);

/*
 * What an inner packet of len bytes meets when overhead bytes are added:
 * PMTU_FITS, PMTU_FRAGMENT (too big, but the inner sender allows
 * fragments, so the outer datagram may be fragmented), or PMTU_TOO_BIG
 * (answer with ICMP).
 */
enum pmtu_fate { PMTU_FITS, PMTU_FRAGMENT, PMTU_TOO_BIG };
enum pmtu_fate pmtu_fate(const struct pmtu *p, size_t len, size_t overhead, int inner_version,
			 bool inner_df);
/* The MTU to tell the inner sender: the path less the tunnel's overhead. */
int pmtu_inner(const struct pmtu *p, size_t overhead);

/*
 * The MTU a device starts with: the route toward peer (or, for a server,
 * the default route) less the outer headers and the mode's mode_overhead
 * bytes.  why describes where the underlay figure came from.
 */
int pmtu_default_mtu(struct nl *nl, const struct sockaddr_storage *peer, int mode_overhead,
		     struct mtu_calc *m, char *why, size_t whylen);
/* The MTU of the route to a peer: a PMTU the kernel learned, else the link's; 0 if unknown. */
int pmtu_route_mtu(struct nl *nl, const struct sockaddr_storage *peer);

#endif
