#include "socket.h"
#include "lib/addr.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SOCKET_BUFFER (4 << 20)

/* Big buffers ride out bursts; FORCE passes the sysctl limit when we are root. */
static void grow_buffers(int fd)
{
	int size = SOCKET_BUFFER;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static void address_for(const struct udp *u, const struct sockaddr_storage *to,
			struct sockaddr_storage *out);

/*
 * Every datagram leaves with DF set and is never fragmented here; a router
 * that cannot forward one says so by ICMP, which IP_RECVERR queues on the
 * socket for the tunnel to read.
 */
static void set_pmtu_mode(int fd, int family)
{
	int v4 = IP_PMTUDISC_DO, v6 = IPV6_PMTUDISC_DO, on = 1;

	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	}
}

int udp_allow_fragments(struct udp *u, bool allow)
{
	int v4 = allow ? IP_PMTUDISC_DONT : IP_PMTUDISC_DO;
	int v6 = allow ? IPV6_PMTUDISC_DONT : IPV6_PMTUDISC_DO;
	int rc = setsockopt(u->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));

	if (u->family == AF_INET6)
		rc |= setsockopt(u->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6));
	return rc;
}

int udp_send_one(struct udp *u, const uint8_t *buf, size_t len, const struct sockaddr_storage *to)
{
	struct sockaddr_storage dst;

	address_for(u, to, &dst);
	return sendto(u->fd, buf, len, 0, (struct sockaddr *)&dst, sockaddr_len(&dst)) < 0 ? -errno
											   : 0;
}

static int open_bound(struct udp *u, int family, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	int off = 0;

	u->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		snprintf(err, errlen, "cannot open a UDP socket: %s", strerror(errno));
		return -1;
	}
	u->family = family;
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6) {
		setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	}
	if (bind(u->fd, (struct sockaddr *)&ss, sockaddr_len(&ss))) {
		if (errno == EADDRINUSE)
			snprintf(err, errlen, "UDP port %u is already in use", port);
		else
			snprintf(err, errlen, "cannot bind UDP port %u: %s", port, strerror(errno));
		close(u->fd);
		u->fd = -1;
		return -1;
	}
	grow_buffers(u->fd);
	set_pmtu_mode(u->fd, family);
	return 0;
}

int udp_open_server(struct udp *u, uint16_t port, char *err, size_t errlen)
{
	char why[160];

	if (open_bound(u, AF_INET6, port, why, sizeof(why)) == 0)
		return 0;
	/* No IPv6 on this host: serve IPv4 alone. */
	if (open_bound(u, AF_INET, port, err, errlen) == 0)
		return 0;
	return -1;
}

int udp_open_client(struct udp *u, int family, char *err, size_t errlen)
{
	return open_bound(u, family, 0, err, errlen);
}

void udp_close(struct udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

int udp_recv_batch(struct udp *u, struct batch *b)
{
	int n;

	for (unsigned int i = 0; i < BATCH_MAX; i++) {
		b->iov[i] = (struct iovec){b->slot[i].data, SLOT_DATA};
		b->msg[i].msg_hdr = (struct msghdr){
		    .msg_name = &b->slot[i].addr,
		    .msg_namelen = sizeof(b->slot[i].addr),
		    .msg_iov = &b->iov[i],
		    .msg_iovlen = 1,
		};
	}
	n = recvmmsg(u->fd, b->msg, BATCH_MAX, MSG_DONTWAIT, NULL);
	if (n < 0) {
		b->n = 0;
		/* With IP_RECVERR a queued ICMP error surfaces here once; the caller reads it. */
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	}
	for (int i = 0; i < n; i++) {
		b->slot[i].len = b->msg[i].msg_len;
		b->slot[i].truncated = b->msg[i].msg_hdr.msg_flags & MSG_TRUNC;
	}
	b->n = (unsigned int)n;
	return n;
}

/* An IPv6 socket needs IPv4 peers as IPv4-mapped IPv6 addresses. */
static void address_for(const struct udp *u, const struct sockaddr_storage *to,
			struct sockaddr_storage *out)
{
	struct sockaddr_storage in = *to; /* out may be to itself */
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&in;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

	*out = in;
	if (u->family != AF_INET6 || in.ss_family != AF_INET)
		return;
	memset(out, 0, sizeof(*out));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = s4->sin_port;
	s6->sin6_addr.s6_addr[10] = 0xff;
	s6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&s6->sin6_addr.s6_addr[12], &s4->sin_addr, 4);
}

int udp_send_batch(struct udp *u, struct batch *b, const struct sockaddr_storage *to)
{
	struct sockaddr_storage dst;
	unsigned int n = 0, done = 0, failed = 0, which[BATCH_MAX];
	int rc;

	if (to)
		address_for(u, to, &dst);
	for (unsigned int i = 0; i < b->n; i++) {
		struct sockaddr_storage *where = &dst;

		if (!b->slot[i].keep)
			continue;
		if (!to) {
			/* Each slot to its own peer: the address is rewritten in place. */
			address_for(u, &b->slot[i].addr, &b->slot[i].addr);
			where = &b->slot[i].addr;
		}
		b->iov[n] = (struct iovec){b->slot[i].data, b->slot[i].out_len};
		b->msg[n].msg_hdr = (struct msghdr){
		    .msg_name = where,
		    .msg_namelen = sockaddr_len(where),
		    .msg_iov = &b->iov[n],
		    .msg_iovlen = 1,
		};
		which[n++] = i;
	}
	/* sendmmsg stops at the first datagram that fails: count it, skip it, go on. */
	while (done < n) {
		rc = sendmmsg(u->fd, b->msg + done, n - done, 0);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			failed++;
			b->slot[which[done]].keep = false;
			b->slot[which[done]].err = errno;
			done++;
			continue;
		}
		done += (unsigned int)rc;
	}
	return (int)failed;
}
