#include "socket.h"
#include "lib/addr.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
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

/*
 * Each datagram comes with the local address it was sent to, so replies
 * can leave from that address.  On a dual-stack socket IPv4 datagrams
 * report it as an IPv4-mapped IPv6 address.
 */
static void ask_local_address(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

/* The local address of a received datagram, from its packet-info message. */
static void local_address(struct msghdr *m, struct source *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(out, 0, sizeof(*out));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			out->ifindex = (int)pi.ipi6_ifindex;
			if (!memcmp(pi.ipi6_addr.s6_addr, mapped, sizeof(mapped))) {
				out->family = AF_INET;
				memcpy(out->addr, pi.ipi6_addr.s6_addr + 12, 4);
			} else {
				out->family = AF_INET6;
				memcpy(out->addr, pi.ipi6_addr.s6_addr, 16);
			}
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			out->family = AF_INET;
			out->ifindex = pi.ipi_ifindex;
			memcpy(out->addr, &pi.ipi_addr, 4); /* the header's destination */
		}
	}
}

/*
 * A packet-info message that makes a datagram leave from src.  The
 * interface is left to routing, except for an IPv6 link-local address,
 * which means nothing without one.
 */
static size_t put_source(const struct udp *u, struct msghdr *h, size_t used,
			 const struct source *src)
{
	struct cmsghdr *c = (struct cmsghdr *)((uint8_t *)h->msg_control + used);

	if (u->family == AF_INET6) {
		struct in6_pktinfo pi = {0};

		if (src->family == AF_INET) {
			pi.ipi6_addr.s6_addr[10] = pi.ipi6_addr.s6_addr[11] = 0xff;
			memcpy(pi.ipi6_addr.s6_addr + 12, src->addr, 4);
		} else {
			memcpy(pi.ipi6_addr.s6_addr, src->addr, 16);
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				pi.ipi6_ifindex = (unsigned int)src->ifindex;
		}
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return used + CMSG_SPACE(sizeof(pi));
	} else {
		struct in_pktinfo pi = {0};

		memcpy(&pi.ipi_spec_dst, src->addr, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return used + CMSG_SPACE(sizeof(pi));
	}
}

/* A source the socket's family can carry: an IPv4 socket has no IPv6 source. */
static bool usable(const struct udp *u, const struct source *src)
{
	return src && src->family && (u->family == AF_INET6 || src->family == AF_INET);
}

/*
 * The kernel's answer when a source is not one of its addresses (any
 * more): EINVAL for IPv6, ENETUNREACH for IPv4 (no route from there).  A
 * truly unreachable network fails again without the source, so trying
 * once more costs little.
 */
static bool source_refused(int err)
{
	return err == EINVAL || err == EADDRNOTAVAIL || err == ENETUNREACH;
}

int udp_set_mark(struct udp *u, uint32_t mark)
{
	if (setsockopt(u->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		return -errno;
	u->mark = mark;
	return 0;
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

int udp_send_one(struct udp *u, const uint8_t *buf, size_t len, const struct sockaddr_storage *to,
		 struct source *src)
{
	struct sockaddr_storage dst;
	struct iovec iov = {(void *)buf, len};
	uint8_t ctrl[SLOT_CTRL] __attribute__((aligned(sizeof(size_t)))) = {0};
	struct msghdr h = {.msg_name = &dst, .msg_iov = &iov, .msg_iovlen = 1};

	address_for(u, to, &dst);
	h.msg_namelen = sockaddr_len(&dst);
	if (usable(u, src)) {
		h.msg_control = ctrl;
		h.msg_controllen = put_source(u, &h, 0, src);
	}
	if (sendmsg(u->fd, &h, 0) >= 0)
		return 0;
	if (!h.msg_control || !source_refused(errno))
		return -errno;
	memset(src, 0, sizeof(*src));
	return udp_send_one(u, buf, len, to, NULL);
}

static int open_bound(struct udp *u, int family, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	int off = 0;

	memset(u, 0, sizeof(*u)); /* a socket that replaces another starts with nothing of it */
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
	ask_local_address(u->fd, family);
	return 0;
}

int udp_open_twin(const struct udp *first, struct udp *twin, char *err, size_t errlen)
{
	*twin = *first;
	twin->gso_sends = twin->gso_datagrams = 0;
	twin->fd = fcntl(first->fd, F_DUPFD_CLOEXEC, 0);
	if (twin->fd < 0) {
		snprintf(err, errlen, "cannot share the tunnel socket with a queue: %s",
			 strerror(errno));
		return -1;
	}
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

/* The size of the datagrams a GRO run was made of, from its control message; 0 if none. */
static uint16_t gro_size(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 && v < 65536 ? (uint16_t)v : 0;
		}
	return 0;
}

void udp_offloads(struct udp *u, bool gso, bool gro)
{
	int on = 1, probe = 0;
	socklen_t len = sizeof(probe);

	/* A kernel that knows UDP_SEGMENT answers for it; the size goes with each send. */
	u->gso = u->gso_ok = gso && getsockopt(u->fd, SOL_UDP, UDP_SEGMENT, &probe, &len) == 0;
	u->gro = gro && setsockopt(u->fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
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
		    .msg_control = b->ctrl[i],
		    .msg_controllen = SLOT_CTRL,
		};
	}
	n = recvmmsg(u->fd, b->msg, b->max, MSG_DONTWAIT, NULL);
	if (n < 0) {
		b->n = 0;
		/* With IP_RECVERR a queued ICMP error surfaces here once; the caller reads it. */
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	}
	for (int i = 0; i < n; i++) {
		b->slot[i].len = b->msg[i].msg_len;
		b->slot[i].truncated = b->msg[i].msg_hdr.msg_flags & MSG_TRUNC;
		b->slot[i].gso_size = u->gro ? gro_size(&b->msg[i].msg_hdr) : 0;
		local_address(&b->msg[i].msg_hdr, &b->slot[i].local);
	}
	b->n = (unsigned int)n;
	return n;
}

void udp_each_datagram(struct slot *s, void (*fn)(void *arg, struct slot *d), void *arg)
{
	struct slot d;

	if (!s->gso_size || s->len <= s->gso_size) {
		fn(arg, s);
		return;
	}
	d = *s;
	d.gso_size = 0;
	for (size_t off = 0; off < s->len; off += s->gso_size) {
		d.data = s->data + off;
		d.len = s->len - off < s->gso_size ? s->len - off : s->gso_size;
		d.keep = true;
		d.err = 0;
		fn(arg, &d);
	}
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

/* Most datagrams one GSO send may carry, and their total. */
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES	 60000

/* Whether slot s may ride in message m: same peer, same size (a shorter one ends it). */
static bool joins(const struct udp *u, const struct batch *b, unsigned int m, const struct slot *s,
		  const struct sockaddr_storage *where, const struct source *from, size_t total)
{
	const struct slot *head = &b->slot[b->which[b->first[m]]];
	const struct slot *tail = &b->slot[b->which[b->first[m] + b->count[m] - 1]];

	return u->gso && b->count[m] < GSO_MAX_SEGMENTS && total + s->out_len <= GSO_MAX_BYTES &&
	       tail->out_len == head->out_len && s->out_len <= head->out_len &&
	       sockaddr_same(where, b->msg[m].msg_hdr.msg_name) && b->src[m] == from;
}

/* A message's control data: the segment size of a GSO run, and where it leaves from. */
static void put_control(const struct udp *u, struct batch *b, unsigned int m)
{
	struct msghdr *h = &b->msg[m].msg_hdr;
	size_t used = 0;

	memset(b->ctrl[m], 0, SLOT_CTRL);
	h->msg_control = b->ctrl[m];
	if (b->count[m] > 1) {
		uint16_t size = (uint16_t)b->slot[b->which[b->first[m]]].out_len;
		struct cmsghdr *c = (struct cmsghdr *)b->ctrl[m];

		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(c), &size, sizeof(size));
		used = CMSG_SPACE(sizeof(uint16_t));
	}
	if (usable(u, b->src[m]))
		used = put_source(u, h, used, b->src[m]);
	h->msg_controllen = used;
	if (!used)
		h->msg_control = NULL;
}

/*
 * Messages for the kept slots from slot `from` on: one per datagram, or
 * with GSO one per run of equal datagrams to one peer, its iovecs the
 * slots themselves (no copy).
 */
static unsigned int build_messages(struct udp *u, struct batch *b, unsigned int from,
				   struct sockaddr_storage *dst, struct source *dst_src,
				   unsigned int nmsg, unsigned int nwhich)
{
	unsigned int m0 = nmsg;
	size_t total = 0;

	for (unsigned int i = from; i < b->n; i++) {
		struct slot *s = &b->slot[i];
		struct sockaddr_storage *where = dst;
		struct source *src = dst ? dst_src : s->src;

		if (!s->keep)
			continue;
		if (!dst) {
			/* Each slot to its own peer: the address is rewritten in place. */
			address_for(u, &s->addr, &s->addr);
			where = &s->addr;
		}
		if (nmsg > m0 && joins(u, b, nmsg - 1, s, where, src, total)) {
			b->iov[nwhich] = (struct iovec){s->data, s->out_len};
			b->msg[nmsg - 1].msg_hdr.msg_iovlen++;
			b->count[nmsg - 1]++;
			total += s->out_len;
			b->which[nwhich++] = i;
			continue;
		}
		b->iov[nwhich] = (struct iovec){s->data, s->out_len};
		b->msg[nmsg].msg_hdr = (struct msghdr){
		    .msg_name = where,
		    .msg_namelen = sockaddr_len(where),
		    .msg_iov = &b->iov[nwhich],
		    .msg_iovlen = 1,
		};
		b->first[nmsg] = nwhich;
		b->count[nmsg] = 1;
		b->src[nmsg] = src;
		total = s->out_len;
		b->which[nwhich++] = i;
		nmsg++;
	}
	for (unsigned int m = m0; m < nmsg; m++)
		put_control(u, b, m);
	return nmsg;
}

/* Whether a message was built to leave from a given source. */
static bool has_source(const struct batch *b, unsigned int m)
{
	size_t seg = b->count[m] > 1 ? CMSG_SPACE(sizeof(uint16_t)) : 0;

	return b->src[m] && b->msg[m].msg_hdr.msg_controllen > seg;
}

/* A message the kernel refused: every slot in it gets the errno. */
static void refuse(struct batch *b, unsigned int m, int err)
{
	for (unsigned int k = 0; k < b->count[m]; k++) {
		struct slot *s = &b->slot[b->which[b->first[m] + k]];

		s->keep = false;
		s->err = err;
	}
}

int udp_send_batch(struct udp *u, struct batch *b, const struct sockaddr_storage *to,
		   struct source *src)
{
	struct sockaddr_storage dst;
	unsigned int done = 0, failed = 0, nmsg;
	int rc;

	if (to)
		address_for(u, to, &dst);
	nmsg = build_messages(u, b, 0, to ? &dst : NULL, src, 0, 0);
	/* sendmmsg stops at the first message that fails: count it, skip it, go on. */
	while (done < nmsg) {
		rc = sendmmsg(u->fd, b->msg + done, nmsg - done, 0);
		if (rc >= 0) {
			for (int k = 0; k < rc; k++)
				if (b->count[done + (unsigned int)k] > 1) {
					u->gso_sends++;
					u->gso_datagrams += b->count[done + (unsigned int)k];
				}
			done += (unsigned int)rc;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EIO && u->gso && b->count[done] > 1) {
			/* The path cannot segment for us: send one by one from here on. */
			u->gso = u->gso_ok = false;
			nmsg = build_messages(u, b, b->which[b->first[done]], to ? &dst : NULL, src,
					      done, b->first[done]);
			continue;
		}
		if (source_refused(errno) && has_source(b, done)) {
			/* The address the peer wrote to is gone: the kernel chooses from now on. */
			memset(b->src[done], 0, sizeof(*b->src[done]));
			put_control(u, b, done);
			continue;
		}
		failed += b->count[done];
		refuse(b, done, errno);
		done++;
	}
	return (int)failed;
}
