/*
 * A lab's topology as data: nodes with their interfaces, addresses,
 * routes, forwarding and NAT; the links between them with their MTU and
 * impairments; the tunnels; the roles the special subcommands look for;
 * and the lab's own expectations.
 *
 * A lab file is read into one (labfile.c) and checked (topo.c) before
 * anything is made; "up" builds it, "down" needs nothing from it, "graph"
 * draws it, "validate" reports what the check found and "test" runs its
 * expectations.  Every string and array belongs to the struct and is
 * freed by topo_free.  Positions (line, column, both from 1) point into
 * the file for messages; 0 means "not from a file".
 */
#ifndef TUNLAB_HARNESS_TOPO_H
#define TUNLAB_HARNESS_TOPO_H

#include "lib/mode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct topo_pos {
	unsigned line, col;
};

/* "192.168.1.192/24" or "fd00:192:168:1::192/64". */
struct topo_addr {
	char *cidr;
	struct topo_pos pos;
};

struct topo_iface {
	char *name; /* inside the node: "eth0", "wan" */
	struct topo_addr *addrs;
	size_t naddrs;
	struct topo_pos pos;
};

/* dst is "default" or a prefix; the family of via says which default. */
struct topo_route {
	char *dst;
	char *via;
	struct topo_pos pos;
};

struct topo_node {
	char *name;  /* the plain name: "home-laptop" (the namespace adds the lab's prefix) */
	char *label; /* what the map says it is: "NAT router"; may be NULL */
	bool forward;
	char *masquerade; /* NAT out of this interface, or NULL */
	struct topo_iface *ifaces;
	size_t nifaces;
	struct topo_route *routes;
	size_t nroutes;
	char **exec; /* shell command lines, run in the node once it is up */
	size_t nexec;
	struct topo_pos pos;
	struct topo_pos masquerade_pos;
};

/* One end of a link: indexes, valid once topo_check has passed. */
struct topo_end {
	char *spec; /* "home-router:wan" as written */
	int node, iface;
	struct topo_pos pos; /* of the spec, in the file */
};

struct topo_impair {
	int mtu;	   /* 0: the kernel's default */
	uint64_t delay_ns; /* one way, each direction */
	double loss;	   /* percent */
	uint64_t rate;	   /* bytes per second; 0: no limit */
	double reorder;	   /* percent held back */
	bool block_icmp;   /* "fragmentation needed" / "packet too big" dropped */
};

struct topo_link {
	struct topo_end a, b;
	struct topo_impair im;
	struct topo_pos pos;
};

/* A node's side of a tunnel: its inner addresses and the routes into the tunnel. */
struct topo_member {
	char *node_name;
	int node; /* index, valid once checked */
	char **addrs;
	size_t naddrs;
	char **routes; /* prefixes sent into the tunnel */
	size_t nroutes;
	struct topo_pos pos;
	/* A client's own endpoint to dial (its underlay may have only one family); NULL: the
	 * tunnel's. */
	char *endpoint;
	struct topo_pos endpoint_pos;
	struct topo_pos *addr_pos, *route_pos; /* one for each of addrs and routes */
};

struct topo_tunnel {
	char *name;	     /* "vpn" */
	enum wire_mode mode; /* the lab's default is encrypted; "up --mode" overrides it */
	int port;	     /* UDP port the server listens on */
	char *endpoint;	     /* the address clients dial; NULL: the server's first public one */
	struct topo_member server;
	struct topo_member *clients;
	size_t nclients;
	struct topo_pos pos;
	struct topo_pos endpoint_pos;
};

/*
 * The nodes the special subcommands need.  mtu-probe, check, walkthrough,
 * bench, flood and torture name them through these roles, never by a
 * node's name; a lab without a role a command needs gets one line.
 */
enum topo_role {
	ROLE_CLIENT,   /* a VPN client: where the lessons' pings start */
	ROLE_NAT,      /* the router that masquerades the client */
	ROLE_INTERNET, /* the router whose links carry delay, loss and rate */
	ROLE_SERVER,   /* the VPN server, gateway to the target's LAN */
	ROLE_TARGET,   /* where the lessons' pings go */
	ROLE_COUNT
};

enum expect_kind {
	EXPECT_REACH,	 /* from a node, an address answers a ping */
	EXPECT_NO_REACH, /* ... and does not */
	EXPECT_PATH_MTU, /* the path MTU between two nodes, and the largest DF ping */
	EXPECT_MTU_PROBE,
	EXPECT_CHECK,
	EXPECT_CAPTURE, /* a capture on node:iface sees (or never sees) a filter during a ping */
};

struct topo_expect {
	enum expect_kind kind;
	char *from;    /* node */
	char *to;      /* address, or a node's name */
	int mtu;       /* EXPECT_PATH_MTU: the path MTU */
	int largest;   /* EXPECT_PATH_MTU: largest DF ping payload that fits; 0 not asked */
	char *verdict; /* EXPECT_MTU_PROBE: "consistent", "black hole", ... */
	char *at;      /* EXPECT_CAPTURE: "node:iface" */
	char *filter;  /* EXPECT_CAPTURE: a BPF filter */
	bool sees;     /* EXPECT_CAPTURE: true sees, false never sees */
	struct topo_pos pos;
	/* EXPECT_CAPTURE: the ping that runs during the capture is from -> to. */
	struct topo_pos from_pos, to_pos, at_pos;
};

struct topo {
	char *name;
	char *file; /* where it was read from, for messages */
	struct topo_node *nodes;
	size_t nnodes;
	struct topo_link *links;
	size_t nlinks;
	struct topo_tunnel *tunnels;
	size_t ntunnels;
	int roles[ROLE_COUNT]; /* node index, or -1 */
	struct topo_expect *expects;
	size_t nexpects;
	struct topo_pos name_pos;
	char *role_node[ROLE_COUNT]; /* the node each role names, as written; NULL: none */
	struct topo_pos role_pos[ROLE_COUNT];
};

void topo_init(struct topo *t);
void topo_free(struct topo *t);
/* A node by its plain name, or -1. */
int topo_node(const struct topo *t, const char *name);
/* An interface of a node by name, or -1. */
int topo_iface(const struct topo_node *n, const char *name);
const char *topo_role_name(enum topo_role r);

#endif
