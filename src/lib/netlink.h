/*
 * rtnetlink over libmnl: links, veth pairs, addresses, routes and route
 * look-ups.  A socket belongs to the network namespace it was opened in,
 * so one struct nl per namespace lets the harness configure many at once.
 * Every call returns 0 or a negative errno.
 */
#ifndef TUNLAB_NETLINK_H
#define TUNLAB_NETLINK_H

#include "addr.h"

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

struct nl_link {
	int index;
	char name[IFNAMSIZ];
	int mtu;
	bool up;      /* administratively up */
	bool running; /* carrier */
	char kind[16];
	int peer_index; /* IFLA_LINK: a veth's peer, in its own namespace */
};

struct nl_addr {
	int index;
	struct prefix prefix;
};

int nl_open(struct nl *nl);
/* Opens the socket inside the namespace nsfd, then returns to where it was. */
int nl_open_in(struct nl *nl, int nsfd);
void nl_close(struct nl *nl);
/*
 * A socket of its own that only listens: the kernel's link events
 * (RTMGRP_LINK) in this namespace, non-blocking, for an epoll set.  Apart
 * from the one that asks, so that no event ever lands among the answers.
 */
int nl_open_link_events(struct nl *nl);
int nl_fd(const struct nl *nl);
/* Reads every event waiting: 1 if there was one (or the kernel dropped some), else 0. */
int nl_drain_events(struct nl *nl);

int nl_link_get(struct nl *nl, const char *name, int index, struct nl_link *out);
int nl_link_set(struct nl *nl, int index, bool up, int mtu);
/* A link that is down takes a new name. */
int nl_link_rename(struct nl *nl, int index, const char *name);
int nl_link_del(struct nl *nl, int index);
/* Creates a veth pair: name here, peer in the namespace peer_nsfd. */
int nl_veth_add(struct nl *nl, const char *name, const char *peer, int peer_nsfd);

int nl_addr_add(struct nl *nl, int index, const struct prefix *p);
/* Adds or deletes a route to dst, via gw (NULL for on-link) out of index. */
int nl_route_add(struct nl *nl, const struct prefix *dst, const uint8_t *gw, int index);
int nl_route_del(struct nl *nl, const struct prefix *dst, const uint8_t *gw, int index);

/* Like "ip route get": the output interface toward addr and the route's MTU (0 if unset). */
int nl_route_get(struct nl *nl, int family, const uint8_t *addr, int *oif, int *mtu);
/* The interface of the main table's default route of a family. */
int nl_default_route(struct nl *nl, int family, int *oif);
/*
 * Removes the IPv6 route exceptions the kernel made (path MTUs it was
 * told of, redirects), as "ip -6 route flush cache" does; the IPv4 ones go
 * with the net.ipv4.route.flush sysctl.  Returns how many, or -errno.
 */
int nl_flush_cached6(struct nl *nl);

/* Empties the connection-tracking table of namespace nsfd, NAT mappings included. */
int nl_conntrack_flush(int nsfd);

typedef void (*nl_link_fn)(const struct nl_link *link, void *arg);
typedef void (*nl_addr_fn)(const struct nl_addr *addr, void *arg);
int nl_dump_links(struct nl *nl, nl_link_fn fn, void *arg);
int nl_dump_addrs(struct nl *nl, nl_addr_fn fn, void *arg);

#endif
