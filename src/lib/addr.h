/* Addresses as users type them: CIDR prefixes, HOST[:PORT], and socket addresses. */
#ifndef TUNLAB_ADDR_H
#define TUNLAB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

/* "172.31.255.7/24" or "fd00::7/64"; without a length, a host prefix. On error, a reason in err. */
int prefix_parse(const char *s, bool need_len, struct prefix *p, char *err, size_t errlen);
const char *prefix_str(const struct prefix *p, char *out, size_t cap);
/* Whether addr (of the prefix's family) lies inside the prefix. */
bool prefix_contains(const struct prefix *p, const uint8_t *addr);

/* Splits "host", "host:port", "[v6]" or "[v6]:port". */
int hostport_split(const char *s, char *host, size_t hostcap, uint16_t *port, char *err,
		   size_t errlen);
/* Resolves HOST[:PORT] to one socket address, preferring IPv4 when a name has both. */
int hostport_resolve(const char *s, uint16_t default_port, struct sockaddr_storage *ss, char *err,
		     size_t errlen);
int port_parse(const char *s, uint16_t *port);

/* "198.51.100.2:1234" or "[2001:db8::2]:1234"; IPv4-mapped IPv6 prints as IPv4. */
const char *sockaddr_str(const struct sockaddr_storage *ss, char *out, size_t cap);
/* The address alone, without the port. */
const char *sockaddr_addr_str(const struct sockaddr_storage *ss, char *out, size_t cap);
/* Equal address and port, treating IPv4-mapped IPv6 as the IPv4 address it maps. */
bool sockaddr_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
/* Turns an IPv4-mapped IPv6 address into plain IPv4 in place. */
void sockaddr_unmap(struct sockaddr_storage *ss);
socklen_t sockaddr_len(const struct sockaddr_storage *ss);

/*
 * A local address that a peer's datagrams arrive on, so that replies
 * leave from it (a "sticky source"): a peer that wrote to one of several
 * addresses must hear back from that one, or it learns an endpoint it
 * never sent to.  family 0: none known, the kernel chooses.
 */
struct source {
	int family; /* AF_INET or AF_INET6; IPv4 on a dual-stack socket is AF_INET */
	int ifindex;
	uint8_t addr[16];
};

bool source_same(const struct source *a, const struct source *b);
/* "203.0.113.10", or "-" when none is known. */
const char *source_str(const struct source *s, char *out, size_t cap);

#endif
