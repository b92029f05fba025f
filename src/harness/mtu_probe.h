/* What "harness mtu-probe" measures, kept apart from how it is printed. */
#ifndef TUNLAB_HARNESS_MTU_PROBE_H
#define TUNLAB_HARNESS_MTU_PROBE_H

#include "lab.h"
#include "search.h"
#include "lib/mtu.h"

#include <net/if.h>
#include <stdbool.h>

#define PROBE_TARGETS  4
#define PROBE_HOPS     8
#define PROBE_LINKS    6
#define PROBE_FRAGS    2
#define PROBE_FINDINGS 8

struct hop {
	int ttl;
	char addr[INET6_ADDRSTRLEN];
	int pmtu;
	struct search s;
};

struct frag_link {
	char link[64];
	int packets; /* pieces of the probe seen on this link */
	bool outer;  /* the tunnel's datagram was fragmented (not the packet inside) */
	bool inner;  /* the packet inside the tunnel was fragmented before it went in */
};

struct frag_probe {
	int size;
	bool arrived;
	struct frag_link links[PROBE_LINKS];
	int nlinks;
};

struct path {
	char target[INET6_ADDRSTRLEN];
	int version;
	bool tunnel; /* routed into the tunnel device */
	char via[IFNAMSIZ];
	int first_mtu;	/* MTU of the first hop's device */
	int remembered; /* a lower path MTU the node's kernel learned earlier; 0 if none */
	struct search s;
	struct hop hops[PROBE_HOPS];
	int nhops;
	struct frag_probe frags[PROBE_FRAGS];
	int nfrags;
	bool broken;
	char why[160];
};

struct probe_run {
	struct lab lab;
	const char *from;
	int node;
	char ns[64];
	bool df;
	int timeout_ms, retries, max_hops;
	const char *targets[PROBE_TARGETS];
	struct path paths[PROBE_TARGETS];
	int npaths;
	/* The tunnel on the probing node, from its control socket and its device. */
	bool have_tunnel;
	char mode[16];
	const char *mode_what; /* the mode's bytes, as the tunnel's own arithmetic names them */
	int mode_overhead;     /* bytes the wire mode adds: 0, 4 (PI) or 32 (encrypted) */
	int padding;	       /* encrypted mode pads to a multiple of 16, up to tun0's MTU */
	int tun_mtu;	       /* tun0's MTU, from the device */
	int tunnel_mtu;	       /* the MTU the tunnel says it works with (and pads up to) */
	int outer_version;
	/* The analysis. */
	int underlay_mtu;     /* 0 if the underlay was not probed */
	struct mtu_calc calc; /* the underlay less the outer headers and the mode's */
	int allowed;	      /* the tunnel MTU the underlay allows */
	int largest;	      /* the largest inner packet that should cross */
	char findings[PROBE_FINDINGS][256];
	int nfindings;
	const char *verdict;
	int fix_mtu;
	int probes;
	double seconds;
};

int cmd_mtu_probe(int argc, char **argv);
/* The verdict from the figures measured (mtu_report.c), and how it is shown. */
void mtu_analyse(struct probe_run *r);
void mtu_report(const struct probe_run *r);

#endif
