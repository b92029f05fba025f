#include "prober.h"
#include "lib/clock.h"
#include "lib/checksum.h"
#include "lib/netns.h"
#include "lib/packet.h"
#include "lib/mtu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define PROBE_MAX 9000

static int open_raw(void *arg)
{
	int family = *(int *)arg;
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
			family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	return fd < 0 ? -errno : fd;
}

int prober_open(struct prober *p, const char *ns, const char *target, char *err, size_t errlen)
{
	int family;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->df = true;
	p->timeout_ms = 200;
	memset(&p->dst, 0, sizeof(p->dst));
	if (inet_pton(AF_INET, target, &((struct sockaddr_in *)&p->dst)->sin_addr) == 1) {
		family = AF_INET;
		p->version = 4;
	} else if (inet_pton(AF_INET6, target, &((struct sockaddr_in6 *)&p->dst)->sin6_addr) == 1) {
		family = AF_INET6;
		p->version = 6;
	} else {
		snprintf(err, errlen, "--to '%s' is not an IPv4 or IPv6 address", target);
		return -1;
	}
	p->dst.ss_family = (sa_family_t)family;
	/* The socket belongs to the namespace it was opened in. */
	p->fd = netns_call_name(ns, open_raw, &family);
	if (p->fd < 0) {
		snprintf(err, errlen, "cannot open a raw ICMP socket in %s: %s", ns,
			 netns_error(p->fd));
		p->fd = -1;
		return -1;
	}
	if (getrandom(&p->id, sizeof(p->id), 0) != sizeof(p->id))
		p->id = (uint16_t)getpid();
	return 0;
}

void prober_close(struct prober *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* DF set but the cached path MTU ignored, as tracepath does: every probe meets the path. */
static void set_options(struct prober *p)
{
	int ttl = p->ttl ? p->ttl : 64;

	if (p->version == 4) {
		/* Without DF: no DF bit and only the device's MTU, so the routers do the
		 * fragmenting. */
		int pmtu = p->df ? IP_PMTUDISC_PROBE : IP_PMTUDISC_INTERFACE;

		setsockopt(p->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		setsockopt(p->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	} else {
		int pmtu = p->df ? IPV6_PMTUDISC_PROBE : IPV6_PMTUDISC_INTERFACE;
		int dontfrag = p->df;

		setsockopt(p->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		setsockopt(p->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &dontfrag, sizeof(dontfrag));
		setsockopt(p->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
	}
}

static int send_echo(struct prober *p, int size)
{
	static uint8_t msg[PROBE_MAX];
	size_t hl = (size_t)mtu_ip_header(p->version), len = (size_t)size - hl;
	socklen_t dlen = p->version == 6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	uint16_t id = htons(p->id), seq = htons(++p->seq), sum;

	if (size < (int)hl + MTU_ICMP_HDR || size > PROBE_MAX)
		return -EINVAL;
	for (size_t i = 8; i < len; i++)
		msg[i] = (uint8_t)i; /* a recognisable pattern, easy to see in a capture */
	msg[0] = p->version == 6 ? ICMP6_ECHO_REQUEST : 8;
	msg[1] = msg[2] = msg[3] = 0;
	memcpy(msg + 4, &id, 2);
	memcpy(msg + 6, &seq, 2);
	if (p->version == 4) { /* the kernel sums ICMPv6 itself */
		sum = csum(msg, len);
		memcpy(msg + 2, &sum, 2);
	}
	p->last_seq = p->seq;
	set_options(p);
	if (sendto(p->fd, msg, len, 0, (struct sockaddr *)&p->dst, dlen) < 0)
		return -errno;
	return 0;
}

/* The echo header our probe quoted back inside an ICMP error: is it ours? */
static bool quotes_ours(const struct prober *p, const uint8_t *q, size_t n)
{
	size_t hl;
	uint16_t id, seq;

	if (p->version == 4) {
		if (n < 20 || (q[0] >> 4) != 4)
			return false;
		hl = (size_t)(q[0] & 0x0f) * 4;
		if (hl < 20 || n < hl + 8 || q[9] != IPPROTO_ICMP || q[hl] != 8)
			return false;
	} else {
		hl = 40;
		if (n < hl + 8 || (q[0] >> 4) != 6 || q[6] != IPPROTO_ICMPV6 || q[hl] != 128)
			return false;
	}
	memcpy(&id, q + hl + 4, 2);
	memcpy(&seq, q + hl + 6, 2);
	return ntohs(id) == p->id && ntohs(seq) == p->seq;
}

/* What one received ICMP message says about our probe, or -1 if it is about something else. */
int prober_judge(const struct prober *p, const uint8_t *icmp, size_t n, struct probe_answer *a)
{
	uint8_t type, code;
	uint16_t id, seq;

	if (n < 8)
		return -1;
	type = icmp[0];
	code = icmp[1];
	memcpy(&id, icmp + 4, 2);
	memcpy(&seq, icmp + 6, 2);
	if (type == (p->version == 6 ? ICMP6_ECHO_REPLY : 0))
		return ntohs(id) == p->id && ntohs(seq) == p->seq ? ANS_REPLY : -1;
	if (!quotes_ours(p, icmp + 8, n - 8))
		return -1;
	if (p->version == 4) {
		if (type == 11)
			return ANS_HOP;
		if (type == 3 && code == 4) {
			a->mtu = icmp[6] << 8 | icmp[7];
			return ANS_TOO_BIG;
		}
		return type == 3 ? ANS_UNREACH : -1;
	}
	if (type == ICMP6_TIME_EXCEEDED)
		return ANS_HOP;
	if (type == ICMP6_PACKET_TOO_BIG) {
		a->mtu = (int)(icmp[4] << 24 | icmp[5] << 16 | icmp[6] << 8 | icmp[7]);
		return ANS_TOO_BIG;
	}
	return type == ICMP6_DST_UNREACH ? ANS_UNREACH : -1;
}

static int wait_answer(struct prober *p, struct probe_answer *a, double sent)
{
	uint8_t buf[2048];
	struct sockaddr_storage from = {0};

	for (;;) {
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int left = p->timeout_ms - (int)(clock_seconds() * 1e3 - sent), r;
		socklen_t flen = sizeof(from);
		const uint8_t *icmp = buf;
		ssize_t n;
		size_t hl = 0;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return ANS_SILENCE;
		n = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
		if (n <= 0)
			continue;
		/* An IPv4 raw socket hands over the IP header too; IPv6 does not. */
		if (p->version == 4) {
			hl = (size_t)(buf[0] & 0x0f) * 4;
			if ((size_t)n < hl + 8)
				continue;
			icmp = buf + hl;
		}
		r = prober_judge(p, icmp, (size_t)n - hl, a);
		if (r < 0)
			continue;
		a->rtt_ms = clock_seconds() * 1e3 - sent;
		inet_ntop(from.ss_family,
			  from.ss_family == AF_INET6
			      ? (void *)&((struct sockaddr_in6 *)&from)->sin6_addr
			      : (void *)&((struct sockaddr_in *)&from)->sin_addr,
			  a->from, sizeof(a->from));
		return r;
	}
}

enum answer prober_probe(void *ctx, int size, struct probe_answer *a)
{
	struct prober *p = ctx;
	double sent = clock_seconds() * 1e3;
	int rc = send_echo(p, size);

	if (rc == -EMSGSIZE)
		return a->kind = ANS_LOCAL;
	if (rc)
		return a->kind = ANS_UNREACH;
	return a->kind = (enum answer)wait_answer(p, a, sent);
}
