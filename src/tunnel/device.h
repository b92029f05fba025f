/*
 * The tunnel's TUN device: created, addressed, sized and routed over
 * rtnetlink, and taken down again.  Closing the device's fd deletes the
 * device, and the kernel drops its addresses and routes with it.
 */
#ifndef TUNLAB_TUNNEL_DEVICE_H
#define TUNLAB_TUNNEL_DEVICE_H

#include "config.h"
#include "lib/mtu.h"
#include "lib/netlink.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct device {
	int fd;
	int index;
	int mtu;
	int routes_added;
	struct nl nl;
};

/*
 * The default MTU: the route toward peer (or, for a server, the default
 * route) less the outer headers and mode overhead.  why describes where
 * the underlay figure came from.
 */
int device_default_mtu(struct nl *nl, const struct sockaddr_storage *peer, size_t mode_overhead,
		       struct mtu_calc *m, char *why, size_t whylen);

/* The MTU of the route to a peer: a PMTU the kernel learned, else the link's; 0 if unknown. */
int device_path_mtu(struct nl *nl, const struct sockaddr_storage *peer);

/* Everything, or nothing: on failure the device is gone again and err says why. */
int device_up(struct device *d, const struct config *c, int mtu, char *err, size_t errlen);
void device_down(struct device *d, const struct config *c);

#endif
