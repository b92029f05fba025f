#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int port_parse(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int prefix_parse(const char *s, bool need_len, struct prefix *p, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	long len;
	int max;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is too long for an address", s);
		return -1;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
		return -1;
	}
	if (!slash) {
		if (need_len) {
			snprintf(err, errlen, "'%s' has no prefix length (write it as ADDR/LEN)",
				 s);
			return -1;
		}
		p->len = (uint8_t)max;
		return 0;
	}
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len < 0 || len > max) {
		snprintf(err, errlen, "'%s' has a bad prefix length (0 to %d)", s, max);
		return -1;
	}
	p->len = (uint8_t)len;
	return 0;
}

const char *prefix_str(const struct prefix *p, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(out, cap, "%s/%u", a, p->len);
	return out;
}

bool prefix_contains(const struct prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return false;
	if (!rest)
		return true;
	return ((p->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}

int hostport_split(const char *s, char *host, size_t hostcap, uint16_t *port, char *err,
		   size_t errlen)
{
	const char *colon, *hend, *pstr = NULL;
	size_t hlen;

	if (s[0] == '[') {
		hend = strchr(s, ']');
		if (!hend) {
			snprintf(err, errlen, "'%s' has '[' without ']'", s);
			return -1;
		}
		if (hend[1] == ':')
			pstr = hend + 2;
		else if (hend[1]) {
			snprintf(err, errlen, "'%s': expected ':PORT' after ']'", s);
			return -1;
		}
		s++;
	} else {
		colon = strchr(s, ':');
		/* More than one colon without brackets is a bare IPv6 address. */
		if (colon && !strchr(colon + 1, ':')) {
			hend = colon;
			pstr = colon + 1;
		} else {
			hend = s + strlen(s);
		}
	}
	hlen = (size_t)(hend - s);
	if (hlen == 0 || hlen >= hostcap) {
		snprintf(err, errlen, "'%s' has no usable host", s);
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (pstr && port_parse(pstr, port)) {
		snprintf(err, errlen, "'%s' is not a port (1 to 65535)", pstr);
		return -1;
	}
	return 0;
}

int hostport_resolve(const char *s, uint16_t default_port, struct sockaddr_storage *ss, char *err,
		     size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res, *ai, *pick = NULL;
	char host[256];
	uint16_t port = default_port;
	int rc;

	if (hostport_split(s, host, sizeof(host), &port, err, errlen))
		return -1;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
		if (ai->ai_family == AF_INET6 && !pick)
			pick = ai;
	}
	if (!pick) {
		freeaddrinfo(res);
		snprintf(err, errlen, "'%s' has no IPv4 or IPv6 address", host);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return 0;
}

void sockaddr_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in s4 = {.sin_family = AF_INET};

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	s4.sin_port = s6->sin6_port;
	memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &s4, sizeof(s4));
}

socklen_t sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

const char *sockaddr_str(const struct sockaddr_storage *in, char *out, size_t cap)
{
	struct sockaddr_storage ss = *in;
	char a[INET6_ADDRSTRLEN];

	sockaddr_unmap(&ss);
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(out, cap, "(none)");
	}
	return out;
}

bool sockaddr_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct sockaddr_storage x = *a, y = *b;

	sockaddr_unmap(&x);
	sockaddr_unmap(&y);
	if (x.ss_family != y.ss_family)
		return false;
	if (x.ss_family == AF_INET) {
		const struct sockaddr_in *p = (const void *)&x, *q = (const void *)&y;
		return p->sin_port == q->sin_port && p->sin_addr.s_addr == q->sin_addr.s_addr;
	}
	if (x.ss_family == AF_INET6) {
		const struct sockaddr_in6 *p = (const void *)&x, *q = (const void *)&y;
		return p->sin6_port == q->sin6_port &&
		       !memcmp(&p->sin6_addr, &q->sin6_addr, sizeof(p->sin6_addr));
	}
	return false;
}

const char *sockaddr_addr_str(const struct sockaddr_storage *in, char *out, size_t cap)
{
	struct sockaddr_storage ss = *in;
	const void *a;

	sockaddr_unmap(&ss);
	a = ss.ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)&ss)->sin6_addr
				     : (const void *)&((const struct sockaddr_in *)&ss)->sin_addr;
	if ((ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    !inet_ntop(ss.ss_family, a, out, (socklen_t)cap))
		snprintf(out, cap, "?");
	return out;
}

bool source_same(const struct source *a, const struct source *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

const char *source_str(const struct source *s, char *out, size_t cap)
{
	if (!s->family || !inet_ntop(s->family, s->addr, out, (socklen_t)cap))
		snprintf(out, cap, "-");
	return out;
}
