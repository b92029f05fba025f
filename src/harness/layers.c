#include "layers.h"
#include "lib/packet.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct layer *add_layer(struct layers *l, const char *name, size_t off, size_t len)
{
	struct layer *y;

	if (l->n == LAYERS_MAX)
		return NULL;
	y = &l->layer[l->n++];
	memset(y, 0, sizeof(*y));
	snprintf(y->name, sizeof(y->name), "%s", name);
	y->offset = off;
	y->len = len;
	return y;
}

static void field(struct layer *y, const char *name, size_t off, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void field(struct layer *y, const char *name, size_t off, size_t len, const char *fmt, ...)
{
	struct field *f;
	va_list ap;

	if (!y || y->nfields == FIELDS_MAX)
		return;
	f = &y->fields[y->nfields++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->offset = off;
	f->len = len;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

/* The IP header of a parsed packet, whose first byte is at base. */
static void ip_layer(struct layers *l, const char *which, const uint8_t *pkt, size_t base,
		     const struct pkt *p)
{
	char name[24], a[64], b[64];
	const uint8_t *h = pkt + base;
	struct layer *y;

	snprintf(name, sizeof(name), "%s%sIPv%d", which, *which ? " " : "", p->version);
	y = add_layer(l, name, base, p->ip_hlen);
	pkt_addr_str(p->version, p->src, a, sizeof(a));
	pkt_addr_str(p->version, p->dst, b, sizeof(b));
	if (p->version == 4) {
		field(y, "version, ihl", base, 1, "4, %u (%u bytes)", h[0] & 15, (h[0] & 15) * 4);
		field(y, "total length", base + 2, 2, "%zu", p->len);
		field(y, "identification", base + 4, 2, "0x%04x", p->id);
		field(y, "flags", base + 6, 2, "%s%s", p->df ? "DF" : "-",
		      p->fragment ? " MF/frag" : "");
		field(y, "ttl", base + 8, 1, "%u", p->ttl);
		field(y, "protocol", base + 9, 1, "%u (%s)", p->proto,
		      pkt_proto_name(p->proto) ? pkt_proto_name(p->proto) : "?");
		field(y, "checksum", base + 10, 2, "0x%04x", get16(h + 10));
		field(y, "source", base + 12, 4, "%s", a);
		field(y, "destination", base + 16, 4, "%s", b);
	} else {
		field(y, "version", base, 1, "6");
		field(y, "payload length", base + 4, 2, "%u", get16(h + 4));
		field(y, "next header", base + 6, 1, "%u (%s)", h[6],
		      pkt_proto_name(h[6]) ? pkt_proto_name(h[6]) : "?");
		field(y, "hop limit", base + 7, 1, "%u", p->ttl);
		field(y, "source", base + 8, 16, "%s", a);
		field(y, "destination", base + 24, 16, "%s", b);
	}
}

/* TCP's header length, as its data offset says, but never past what the packet holds. */
static size_t tcp_hlen(const uint8_t *pkt, size_t at, const struct pkt *p)
{
	size_t hl = (size_t)(pkt[at + 12] >> 4) * 4;

	if (hl < 20)
		hl = 20;
	return hl > p->payload_len ? p->payload_len : hl;
}

static void l4_layer(struct layers *l, const uint8_t *pkt, size_t base, const struct pkt *p)
{
	size_t at = base + p->ip_hlen, hl;
	struct layer *y;

	if (!p->l4)
		return;
	if (p->proto == IPPROTO_UDP) {
		y = add_layer(l, "UDP", at, 8);
		field(y, "source port", at, 2, "%u", p->sport);
		field(y, "destination port", at + 2, 2, "%u", p->dport);
		field(y, "length", at + 4, 2, "%u", get16(pkt + at + 4));
		field(y, "checksum", at + 6, 2, "0x%04x", get16(pkt + at + 6));
		return;
	}
	if (p->proto == IPPROTO_TCP) {
		hl = tcp_hlen(pkt, at, p);
		y = add_layer(l, "TCP", at, hl);
		field(y, "source port", at, 2, "%u", p->sport);
		field(y, "destination port", at + 2, 2, "%u", p->dport);
		field(y, "flags", at + 13, 1, "0x%02x", p->tcp_flags);
		return;
	}
	y = add_layer(l, p->proto == IPPROTO_ICMP ? "ICMP" : "ICMPv6", at, 8);
	field(y, "type, code", at, 2, "%u, %u", p->icmp_type, p->icmp_code);
	field(y, "checksum", at + 2, 2, "0x%04x", get16(pkt + at + 2));
	field(y, "identifier", at + 4, 2, "%u", p->icmp_id);
	field(y, "sequence", at + 6, 2, "%u", p->icmp_seq);
}

/* An IP packet and what it carries; returns where its payload ends. */
static void ip_packet(struct layers *l, const char *which, const uint8_t *pkt, size_t base,
		      size_t len, uint16_t port)
{
	size_t off, pi, hl;
	struct pkt p;
	struct layer *y;

	if (pkt_parse(pkt + base, len - base, &p) != PKT_OK)
		return;
	ip_layer(l, which, pkt, base, &p);
	if (*which && port && pkt_inner(&p, port, &off, &pi) == 0) {
		l4_layer(l, pkt, base, &p);
		l->tunnel = 1;
		if (pi) {
			y = add_layer(l, "PI header", base + off, 4);
			field(y, "flags", base + off, 2, "0x%04x", get16(pkt + base + off));
			field(y, "protocol", base + off + 2, 2, "0x%04x",
			      get16(pkt + base + off + 2));
		}
		ip_packet(l, "inner", pkt, base + off + pi, base + p.len, 0);
		return;
	}
	l4_layer(l, pkt, base, &p);
	hl = p.ip_hlen + (p.proto == IPPROTO_TCP && p.l4
			      ? (size_t)(pkt[base + p.ip_hlen + 12] >> 4) * 4
			  : p.l4 ? 8
				 : 0);
	if (p.len > hl) {
		y = add_layer(l, "payload", base + hl, p.len - hl);
		field(y, "bytes", base + hl, p.len - hl, "%zu", p.len - hl);
	}
}

int layers_of(const uint8_t *pkt, size_t len, uint16_t port, struct layers *out)
{
	struct pkt p;
	size_t off, pi;

	memset(out, 0, sizeof(*out));
	if (pkt_parse(pkt, len, &p) != PKT_OK)
		return 0;
	/* Name the outer header "outer" only when there is an inner one. */
	ip_packet(out, pkt_inner(&p, port, &off, &pi) == 0 ? "outer" : "", pkt, 0, len, port);
	return out->n;
}

const struct layer *layer_find(const struct layers *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->layer[i].name, name))
			return &l->layer[i];
	return NULL;
}

const char *field_value(const struct layer *y, const char *name)
{
	for (int i = 0; y && i < y->nfields; i++)
		if (!strcmp(y->fields[i].name, name))
			return y->fields[i].value;
	return NULL;
}
