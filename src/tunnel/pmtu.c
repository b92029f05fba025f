#include "pmtu.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
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
