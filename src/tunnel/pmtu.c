#include "pmtu.h"
#include "lib/addr.h"

#include <arpa/inet.h>

#include <errno.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int pmtu_read_error(int fd, struct pmtu_report *r)
{
	char control[512], data[64];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr msg = {
	    .msg_name = &r->dest,
	    .msg_namelen = sizeof(r->dest),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control,
	    .msg_controllen = sizeof(control),
	};
	int found = 0;

	memset(r, 0, sizeof(*r));
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
		const struct sockaddr *off;

		if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		if (ee->ee_errno != EMSGSIZE || ee->ee_info < 68)
			continue;
		r->mtu = (int)ee->ee_info;
		r->from_icmp =
		    ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6;
		off = SO_EE_OFFENDER(ee);
		if (r->from_icmp && off->sa_family == AF_INET)
			memcpy(&r->offender, off, sizeof(struct sockaddr_in));
		else if (r->from_icmp && off->sa_family == AF_INET6)
			memcpy(&r->offender, off, sizeof(struct sockaddr_in6));
		found = 1;
	}
	return found;
}

bool pmtu_apply(struct pmtu *p, const struct pmtu_report *r)
{
	if (r->mtu <= 0 || r->mtu == p->mtu)
		return false;
	p->mtu = r->mtu;
	p->updates++;
	p->reported_by_icmp = r->from_icmp;
	p->reporter = r->offender;
	return true;
}

enum pmtu_fate pmtu_fate(const struct pmtu *p, size_t len, size_t overhead, int inner_version,
			 bool inner_df)
{
	if (p->mtu <= 0 || len + overhead <= (size_t)p->mtu)
		return PMTU_FITS;
	/* IPv6 is never fragmented on the way, so IPv6 inside always gets the ICMP. */
	if (inner_version == 6 || inner_df)
		return PMTU_TOO_BIG;
	return PMTU_FRAGMENT;
}

int pmtu_inner(const struct pmtu *p, size_t overhead)
{
	return p->mtu - (int)overhead;
}

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

int pmtu_default_mtu(struct nl *nl, const struct sockaddr_storage *peer, int mode_overhead,
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
	return mtu_compute(mtu, family == AF_INET6 ? 6 : 4, mode_overhead, m);
}

int pmtu_route_mtu(struct nl *nl, const struct sockaddr_storage *peer)
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
