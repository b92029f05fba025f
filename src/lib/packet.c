#include "packet.h"
#include "checksum.h"
#include "wgdecode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Upper-layer fields, read only when the whole header is there. */
static void parse_l4(struct pkt *p)
{
	const uint8_t *l4 = p->payload;
	size_t n = p->payload_len;

	if (p->fragment && p->frag_off != 0)
		return; /* later fragments carry no upper-layer header */
	switch (p->proto) {
	case IPPROTO_UDP:
		if (n < 8)
			return;
		break;
	case IPPROTO_TCP:
		if (n < 20)
			return;
		p->tcp_flags = l4[13];
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (n < 8)
			return;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->icmp_id = get16(l4 + 4);
		p->icmp_seq = get16(l4 + 6);
		p->icmp_mtu = get16(l4 + 6);
		p->l4 = true;
		return;
	default:
		return;
	}
	p->sport = get16(l4);
	p->dport = get16(l4 + 2);
	p->l4 = true;
}

static enum pkt_error parse_ipv4(const uint8_t *buf, size_t len, struct pkt *p)
{
	size_t hlen, total;
	uint16_t frag;

	if (len < 20)
		return PKT_TRUNCATED;
	hlen = (size_t)(buf[0] & 0x0f) * 4;
	total = get16(buf + 2);
	if (hlen < 20 || total < hlen)
		return PKT_BAD_HEADER;
	if (len < hlen || len < total)
		return PKT_TRUNCATED;
	frag = get16(buf + 6);
	p->len = total;
	p->ip_hlen = hlen;
	p->id = get16(buf + 4);
	p->df = frag & 0x4000;
	p->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	p->fragment = (frag & 0x2000) || p->frag_off;
	p->ttl = buf[8];
	p->proto = buf[9];
	memcpy(p->src, buf + 12, 4);
	memcpy(p->dst, buf + 16, 4);
	return PKT_OK;
}

static bool ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

static enum pkt_error parse_ipv6(const uint8_t *buf, size_t len, struct pkt *p)
{
	size_t off = 40, total;
	uint8_t nh;

	if (len < 40)
		return PKT_TRUNCATED;
	total = 40 + (size_t)get16(buf + 4);
	if (len < total)
		return PKT_TRUNCATED;
	nh = buf[6];
	p->ttl = buf[7];
	memcpy(p->src, buf + 8, 16);
	memcpy(p->dst, buf + 24, 16);
	/* Walk hop-by-hop, routing, fragment and destination options headers. */
	while (ipv6_ext(nh)) {
		size_t elen;

		if (total - off < 8)
			return PKT_TRUNCATED;
		if (nh == 44) {
			uint16_t fo = get16(buf + off + 2);

			p->fragment = true;
			p->frag_off = fo & 0xfff8;
			p->id = get16(buf + off + 6);
			elen = 8;
		} else {
			elen = ((size_t)buf[off + 1] + 1) * 8;
		}
		nh = buf[off];
		if (total - off < elen)
			return PKT_TRUNCATED;
		off += elen;
	}
	p->len = total;
	p->ip_hlen = off;
	p->proto = nh;
	return PKT_OK;
}

enum pkt_error pkt_parse_head(const uint8_t *buf, size_t len, struct pkt *p)
{
	uint8_t head[128];
	size_t n = len < sizeof(head) ? len : sizeof(head);
	enum pkt_error e;

	/* Parse a copy whose length fields are clamped to what is there. */
	if (n < 1)
		return PKT_TRUNCATED;
	memcpy(head, buf, n);
	if ((head[0] >> 4) == 4 && n >= 4 && (size_t)get16(head + 2) > n)
		put16(head + 2, (uint16_t)n);
	else if ((head[0] >> 4) == 6 && n >= 6 && (size_t)get16(head + 4) + 40 > n)
		put16(head + 4, (uint16_t)(n >= 40 ? n - 40 : 0));
	e = pkt_parse(head, n, p);
	p->payload = NULL; /* it pointed into the copy */
	p->payload_len = 0;
	return e;
}

enum pkt_error pkt_parse(const uint8_t *buf, size_t len, struct pkt *p)
{
	enum pkt_error e;

	memset(p, 0, sizeof(*p));
	if (len < 1)
		return PKT_TRUNCATED;
	p->version = buf[0] >> 4;
	if (p->version == 4)
		e = parse_ipv4(buf, len, p);
	else if (p->version == 6)
		e = parse_ipv6(buf, len, p);
	else
		return PKT_NOT_IP;
	if (e != PKT_OK)
		return e;
	p->payload = buf + p->ip_hlen;
	p->payload_len = p->len - p->ip_hlen;
	parse_l4(p);
	return PKT_OK;
}

const char *pkt_error_str(enum pkt_error e)
{
	switch (e) {
	case PKT_OK:
		return "ok";
	case PKT_TRUNCATED:
		return "truncated";
	case PKT_NOT_IP:
		return "not IP";
	case PKT_BAD_HEADER:
		return "bad IP header";
	}
	return "unknown";
}

static size_t build_l4(uint8_t *l4, const struct pkt_spec *s, uint8_t proto)
{
	size_t hlen;

	switch (proto) {
	case IPPROTO_UDP:
		hlen = 8;
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)(hlen + s->payload_len));
		put16(l4 + 6, 0);
		break;
	case IPPROTO_TCP:
		hlen = 20;
		memset(l4, 0, hlen);
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, s->tcp_seq);
		put32(l4 + 8, s->tcp_ack);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		put16(l4 + 14, 65535);
		break;
	default: /* ICMP or ICMPv6 echo */
		hlen = 8;
		l4[0] = s->icmp_type ? s->icmp_type : (s->version == 6 ? 128 : 8);
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, s->icmp_id);
		put16(l4 + 6, s->icmp_seq);
		break;
	}
	if (s->payload_len)
		memcpy(l4 + hlen, s->payload, s->payload_len);
	return hlen;
}

/* Fills the upper-layer checksum; plain ICMP has no pseudo-header. */
static void l4_checksum(uint8_t *l4, size_t len, const struct pkt_spec *s, uint8_t proto)
{
	size_t at = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	uint32_t sum = 0;
	uint16_t c;

	if (proto != IPPROTO_ICMP)
		sum = csum_pseudo(s->version, s->src, s->dst, proto, (uint32_t)len);
	c = csum_fold(csum_add(sum, l4, len));
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff; /* zero means "no checksum" for UDP */
	put16(l4 + at, c);
}

ssize_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *s)
{
	size_t iphl = s->version == 6 ? 40 : 20;
	uint8_t proto = s->proto;
	size_t l4hl = proto == IPPROTO_TCP ? 20 : 8;
	size_t total = iphl + l4hl + s->payload_len;

	if (s->version != 4 && s->version != 6)
		return -1;
	if (proto == IPPROTO_ICMP && s->version == 6)
		proto = IPPROTO_ICMPV6;
	if (cap < total || total > 65535)
		return -1;
	build_l4(buf + iphl, s, proto);
	l4_checksum(buf + iphl, total - iphl, s, proto);
	if (s->version == 4) {
		memset(buf, 0, 20);
		buf[0] = 0x45;
		put16(buf + 2, (uint16_t)total);
		put16(buf + 4, s->id);
		put16(buf + 6, s->df ? 0x4000 : 0);
		buf[8] = s->ttl ? s->ttl : 64;
		buf[9] = proto;
		memcpy(buf + 12, s->src, 4);
		memcpy(buf + 16, s->dst, 4);
		memcpy(buf + 10, &(uint16_t){csum(buf, 20)}, 2);
	} else {
		memset(buf, 0, 8);
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)(total - 40));
		buf[6] = proto;
		buf[7] = s->ttl ? s->ttl : 64;
		memcpy(buf + 8, s->src, 16);
		memcpy(buf + 24, s->dst, 16);
	}
	return (ssize_t)total;
}

bool pkt_is_icmp_error(const struct pkt *p)
{
	if (p->proto == IPPROTO_ICMP)
		return !p->l4 || (p->icmp_type != 0 && p->icmp_type != 8);
	if (p->proto == IPPROTO_ICMPV6)
		return !p->l4 || p->icmp_type < 128;
	return false;
}

/* RFC 1812 allows quoting up to 576 bytes in all; RFC 4443 up to the 1280-byte minimum MTU. */
#define ICMP4_MAX 576
#define ICMP6_MAX 1280

ssize_t pkt_build_too_big(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			  const uint8_t *src, int mtu)
{
	size_t hl, quote, total;
	struct pkt p;
	uint32_t sum;

	/* Whole, the packet is quoted up to its own length; cut short, what there is of it. */
	if (pkt_parse(orig, orig_len, &p) == PKT_OK)
		quote = p.len;
	else if (pkt_parse_head(orig, orig_len, &p) == PKT_OK)
		quote = orig_len;
	else
		return -1;
	if (pkt_is_icmp_error(&p) || (p.fragment && p.frag_off))
		return -1;
	hl = p.version == 6 ? 40 : 20;
	if (hl + 8 + quote > (p.version == 6 ? ICMP6_MAX : ICMP4_MAX))
		quote = (p.version == 6 ? ICMP6_MAX : ICMP4_MAX) - hl - 8;
	total = hl + 8 + quote;
	if (cap < total)
		return -1;
	memset(buf, 0, hl + 8);
	memcpy(buf + hl + 8, orig, quote);
	if (p.version == 4) {
		buf[0] = 0x45;
		put16(buf + 2, (uint16_t)total);
		buf[8] = 64;
		buf[9] = IPPROTO_ICMP;
		memcpy(buf + 12, src, 4);
		memcpy(buf + 16, p.src, 4);
		buf[20] = 3; /* destination unreachable */
		buf[21] = 4; /* fragmentation needed and DF set */
		put16(buf + 26, (uint16_t)mtu);
		put16(buf + 22, ntohs(csum(buf + 20, total - 20)));
		memcpy(buf + 10, &(uint16_t){csum(buf, 20)}, 2);
		return (ssize_t)total;
	}
	buf[0] = 0x60;
	put16(buf + 4, (uint16_t)(total - 40));
	buf[6] = IPPROTO_ICMPV6;
	buf[7] = 64;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, p.src, 16);
	buf[40] = 2; /* packet too big */
	put32(buf + 44, (uint32_t)mtu);
	sum = csum_pseudo(6, buf + 8, buf + 24, IPPROTO_ICMPV6, (uint32_t)(total - 40));
	put16(buf + 42, csum_fold(csum_add(sum, buf + 40, total - 40)));
	return (ssize_t)total;
}

const char *pkt_addr_str(int version, const uint8_t *addr, char *out, size_t cap)
{
	if (!inet_ntop(version == 6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)cap))
		snprintf(out, cap, "?");
	return out;
}

const char *pkt_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ESP:
		return "ESP";
	case IPPROTO_GRE:
		return "GRE";
	}
	return NULL;
}

static const char *icmp_name(int version, uint8_t type)
{
	if (version == 4) {
		switch (type) {
		case 0:
			return "echo-reply";
		case 3:
			return "unreachable";
		case 8:
			return "echo-request";
		case 11:
			return "time-exceeded";
		}
	} else {
		switch (type) {
		case 1:
			return "unreachable";
		case 2:
			return "packet-too-big";
		case 3:
			return "time-exceeded";
		case 128:
			return "echo-request";
		case 129:
			return "echo-reply";
		case 133:
			return "router-solicit";
		case 134:
			return "router-advert";
		case 135:
			return "neighbor-solicit";
		case 136:
			return "neighbor-advert";
		}
	}
	return NULL;
}

/* Appends to out, never past cap; *n tracks how much is used. */
__attribute__((format(printf, 4, 5))) static void append(char *out, size_t cap, size_t *n,
							 const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n + 1 >= cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w < cap - *n ? (size_t)w : cap - *n - 1;
}

static size_t decode_l4(const struct pkt *p, char *out, size_t cap, size_t n)
{
	const char *name;

	if (!p->l4)
		return n;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		append(out, cap, &n, " %u → %u", p->sport, p->dport);
		if (p->proto == IPPROTO_TCP) {
			static const char flags[] = "FSRPAU";
			append(out, cap, &n, " [");
			for (int i = 0; i < 6; i++)
				if (p->tcp_flags & (1 << i))
					append(out, cap, &n, "%c", flags[i]);
			append(out, cap, &n, "]");
		}
		return n;
	}
	name = icmp_name(p->version, p->icmp_type);
	if (name)
		append(out, cap, &n, " %s", name);
	else
		append(out, cap, &n, " type=%u", p->icmp_type);
	if ((p->version == 4 && (p->icmp_type == 0 || p->icmp_type == 8)) ||
	    (p->version == 6 && (p->icmp_type == 128 || p->icmp_type == 129)))
		append(out, cap, &n, " id=%u seq=%u", p->icmp_id, p->icmp_seq);
	else if (p->version == 4 && p->icmp_type == 3 && p->icmp_code == 4)
		append(out, cap, &n, " frag-needed mtu=%u", p->icmp_mtu);
	else if (p->version == 6 && p->icmp_type == 2)
		append(out, cap, &n, " mtu=%u", p->icmp_mtu);
	else
		append(out, cap, &n, " code=%u", p->icmp_code);
	return n;
}

size_t pkt_decode(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	struct pkt p;
	enum pkt_error e;
	const char *proto;
	size_t n = 0;

	if (!cap)
		return 0;
	out[0] = '\0';
	e = pkt_parse(buf, len, &p);
	if (e != PKT_OK) {
		append(out, cap, &n, "%zu bytes, %s", len, pkt_error_str(e));
		return n;
	}
	proto = pkt_proto_name(p.proto);
	append(out, cap, &n, "IPv%d %zu ", p.version, p.len);
	if (proto)
		append(out, cap, &n, "%s", proto);
	else
		append(out, cap, &n, "proto=%u", p.proto);
	append(out, cap, &n, " %s → %s", pkt_addr_str(p.version, p.src, s, sizeof(s)),
	       pkt_addr_str(p.version, p.dst, d, sizeof(d)));
	if (p.fragment)
		append(out, cap, &n, " frag id=%u off=%u", p.id, p.frag_off);
	n = decode_l4(&p, out, cap, n);
	append(out, cap, &n, " ttl=%u", p.ttl);
	return n;
}

int pkt_wg_message(const struct pkt *o, uint16_t port, struct wg_msg *m)
{
	if (o->proto != IPPROTO_UDP || !o->l4 || (o->sport != port && o->dport != port) ||
	    o->payload_len < 8)
		return -1;
	return wg_msg_parse(o->payload + 8, o->payload_len - 8, m);
}

int pkt_inner(const struct pkt *o, uint16_t port, size_t *offset, size_t *pi)
{
	const uint8_t *u = o->payload;
	size_t n = o->payload_len;

	if (o->proto != IPPROTO_UDP || !o->l4 || (o->sport != port && o->dport != port) || n < 9)
		return -1;
	*offset = o->ip_hlen + 8;
	*pi = 0;
	/* A PI header starts with flags (zero here) and names IPv4 or IPv6. */
	if (n >= 13 && u[8] == 0 && u[9] == 0 &&
	    ((u[10] == 0x08 && u[11] == 0x00) || (u[10] == 0x86 && u[11] == 0xdd)))
		*pi = 4;
	if ((u[8 + *pi] >> 4) != 4 && (u[8 + *pi] >> 4) != 6)
		return -1;
	return 0;
}

size_t pkt_decode_encap(const uint8_t *buf, size_t len, uint16_t port, char *out, size_t cap)
{
	size_t n = pkt_decode(buf, len, out, cap), off, pi;
	struct wg_msg m;
	struct pkt o;

	if (pkt_parse(buf, len, &o) != PKT_OK || o.fragment)
		return n;
	if (pkt_inner(&o, port, &off, &pi)) {
		/* Not an IP packet inside: a WireGuard message, named by its header. */
		if (pkt_wg_message(&o, port, &m) == 0 && n + 4 < cap) {
			append(out, cap, &n, " | ");
			n += wg_msg_describe(&m, out + n, cap - n);
		}
		return n;
	}
	off += pi;
	append(out, cap, &n, " | %sinner ", pi ? "PI, " : "");
	if (n + 1 < cap)
		n += pkt_decode(buf + off, o.len - off, out + n, cap - n);
	return n;
}

/* The length an IP header at buf claims for its packet, or 0. */
static size_t ip_claims(const uint8_t *buf, size_t len)
{
	if (len >= 20 && buf[0] >> 4 == 4 && (buf[2] << 8 | buf[3]) >= 20)
		return (size_t)(buf[2] << 8 | buf[3]);
	if (len >= 40 && buf[0] >> 4 == 6)
		return 40 + (size_t)(buf[4] << 8 | buf[5]);
	return 0;
}

size_t pkt_link_header(const uint8_t *buf, size_t len)
{
	uint16_t type;

	size_t inner;

	/* A bare packet is exact; a frame's packet may be followed by padding.
	 * A MAC address that happens to read as an exact IP header is taken
	 * for one: a chance of about one in a million. */
	if (ip_claims(buf, len) == len || len < 14)
		return 0;
	type = (uint16_t)(buf[12] << 8 | buf[13]);
	if (type != 0x0800 && type != 0x86dd)
		return 0;
	inner = ip_claims(buf + 14, len - 14);
	if (inner && inner <= len - 14 && buf[14] >> 4 == (type == 0x0800 ? 4 : 6))
		return 14;
	return 0;
}
