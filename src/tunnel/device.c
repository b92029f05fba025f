#include "device.h"
#include "lib/tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int underlay_of(struct nl *nl, int oif, int route_mtu, int *mtu, char *name, size_t cap)
{
	struct nl_link l;
	int rc = nl_link_get(nl, NULL, oif, &l);

	if (rc)
		return rc;
	snprintf(name, cap, "%s", l.name);
	*mtu = route_mtu > 0 ? route_mtu : l.mtu;
	return 0;
}

int device_default_mtu(struct nl *nl, const struct sockaddr_storage *peer, size_t mode_overhead,
		       struct mtu_calc *m, char *why, size_t whylen)
{
	char ifname[IFNAMSIZ] = "?", a[INET6_ADDRSTRLEN];
	int family = AF_INET, oif = 0, route_mtu = 0, mtu = 1500, rc;
	const void *dst;

	if (peer) {
		family = peer->ss_family;
		dst = family == AF_INET6
			  ? (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr
			  : (const void *)&((const struct sockaddr_in *)peer)->sin_addr;
		rc = nl_route_get(nl, family, dst, &oif, &route_mtu);
		if (!rc)
			rc = underlay_of(nl, oif, route_mtu, &mtu, ifname, sizeof(ifname));
		inet_ntop(family, dst, a, sizeof(a));
		if (rc)
			snprintf(why, whylen, "no route to %s (%s); assuming 1500", a,
				 strerror(-rc));
		else
			snprintf(why, whylen, "%s MTU of the route to %s via %s",
				 route_mtu ? "locked" : "link", a, ifname);
	} else {
		/* A server does not know its client yet: use the default route, IPv4 first. */
		rc = nl_default_route(nl, AF_INET, &oif);
		if (rc) {
			family = AF_INET6;
			rc = nl_default_route(nl, AF_INET6, &oif);
		}
		if (!rc)
			rc = underlay_of(nl, oif, 0, &mtu, ifname, sizeof(ifname));
		if (rc) {
			family = AF_INET;
			snprintf(why, whylen, "no default route; assuming 1500");
		} else {
			snprintf(why, whylen, "link MTU of the IPv%d default route via %s",
				 family == AF_INET6 ? 6 : 4, ifname);
		}
	}
	return mtu_compute(mtu, family == AF_INET6 ? 6 : 4, (int)mode_overhead, m);
}

int device_path_mtu(struct nl *nl, const struct sockaddr_storage *peer)
{
	struct sockaddr_storage ss = *peer;
	char ifname[IFNAMSIZ];
	int oif, route_mtu, mtu;
	const void *dst;

	sockaddr_unmap(&ss);
	dst = ss.ss_family == AF_INET6
		  ? (const void *)&((const struct sockaddr_in6 *)&ss)->sin6_addr
		  : (const void *)&((const struct sockaddr_in *)&ss)->sin_addr;
	if (nl_route_get(nl, ss.ss_family, dst, &oif, &route_mtu) ||
	    underlay_of(nl, oif, route_mtu, &mtu, ifname, sizeof(ifname)))
		return 0;
	return mtu;
}

static int configure(struct device *d, const struct config *c, int mtu, char *err, size_t errlen)
{
	char p[64];
	int rc;

	rc = nl_link_set(&d->nl, d->index, true, mtu);
	if (rc) {
		snprintf(err, errlen, "cannot set %s up with MTU %d: %s", c->dev, mtu,
			 strerror(-rc));
		return -1;
	}
	for (int i = 0; i < c->naddrs; i++) {
		rc = nl_addr_add(&d->nl, d->index, &c->addrs[i]);
		if (rc) {
			snprintf(err, errlen, "cannot add address %s to %s: %s",
				 prefix_str(&c->addrs[i], p, sizeof(p)), c->dev, strerror(-rc));
			return -1;
		}
	}
	for (int i = 0; i < c->nroutes; i++) {
		rc = nl_route_add(&d->nl, &c->routes[i], NULL, d->index);
		if (rc == -EEXIST) {
			snprintf(err, errlen,
				 "cannot route %s through %s: a route to it exists already",
				 prefix_str(&c->routes[i], p, sizeof(p)), c->dev);
			return -1;
		}
		if (rc) {
			snprintf(err, errlen, "cannot route %s through %s: %s",
				 prefix_str(&c->routes[i], p, sizeof(p)), c->dev, strerror(-rc));
			return -1;
		}
		d->routes_added++;
	}
	return 0;
}

int device_up(struct device *d, const struct config *c, int mtu, char *err, size_t errlen)
{
	struct nl_link l;
	int rc;

	d->index = 0;
	d->routes_added = 0;
	d->mtu = mtu;
	d->fd = tun_open(c->dev, c->pi, err, errlen);
	if (d->fd < 0)
		return -1;
	rc = nl_link_get(&d->nl, c->dev, 0, &l);
	if (rc) {
		snprintf(err, errlen, "cannot find %s after creating it: %s", c->dev,
			 strerror(-rc));
		device_down(d, c);
		return -1;
	}
	d->index = l.index;
	if (configure(d, c, mtu, err, errlen)) {
		device_down(d, c);
		return -1;
	}
	return 0;
}

void device_down(struct device *d, const struct config *c)
{
	/* Routes go with the device, but removing ours first keeps the order obvious. */
	for (int i = d->routes_added - 1; i >= 0; i--)
		nl_route_del(&d->nl, &c->routes[i], NULL, d->index);
	d->routes_added = 0;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
