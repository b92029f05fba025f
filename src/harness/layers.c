#include "layers.h"
#include "lib/messages.h"
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

/* The first bytes of a long field in hex, with its length: enough to point at in the dump. */
static void field_bytes(struct layer *y, const char *name, const uint8_t *pkt, size_t off,
			size_t len, const char *why)
{
	char hex[40];
	size_t n = 0;

	for (size_t i = 0; i < len && i < 6; i++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02x ", pkt[off + i]);
	field(y, name, off, len, "%s... (%zu bytes)", hex, len);
	if (y && y->nfields)
		y->fields[y->nfields - 1].why = why;
}

static void wg_head(struct layer *y, const uint8_t *pkt, size_t at, const char *type)
{
	field(y, "type", at, 1, "%u (%s)", pkt[at], type);
	field(y, "reserved", at + 1, 3, "%02x %02x %02x", pkt[at + 1], pkt[at + 2], pkt[at + 3]);
}

static void index_field(struct layer *y, const char *name, const uint8_t *pkt, size_t at,
			const char *why)
{
	field(y, name, at, 4, "0x%08x", get_le32(pkt + at));
	if (y && y->nfields)
		y->fields[y->nfields - 1].why = why;
}

/*
 * A transport message: its 16-byte header, then what was sealed.  The
 * ciphertext is as long as the padded plaintext; where the packet ends
 * and the padding starts only the inner length says (0: unknown).
 */
static void wg_transport(struct layers *l, const uint8_t *pkt, size_t at, size_t n,
			 size_t inner_len)
{
	size_t sealed = n - MSG_DATA_HDR_LEN, padded = sealed - AEAD_TAG_LEN;
	size_t body = at + MSG_DATA_HDR_LEN;
	struct layer *y = add_layer(l, "WireGuard transport", at, MSG_DATA_HDR_LEN);
	uint64_t counter = get_le32(pkt + at + 8) | (uint64_t)get_le32(pkt + at + 12) << 32;

	wg_head(y, pkt, at, "transport data");
	index_field(y, "receiver index", pkt, at + 4, NULL);
	field(y, "counter", at + 8, 8, "%llu", (unsigned long long)counter);
	if (inner_len && inner_len <= padded) {
		y = add_layer(l, "encrypted packet", body, inner_len);
		field(y, "bytes", body, inner_len, "%zu", inner_len);
		if (padded > inner_len) {
			y = add_layer(l, "padding", body + inner_len, padded - inner_len);
			field(y, "bytes", body + inner_len, padded - inner_len,
			      "%zu (encrypted zeros)", padded - inner_len);
		}
	} else if (padded) {
		y = add_layer(l, "encrypted packet", body, padded);
		field(y, "bytes", body, padded, "%zu (packet and padding)", padded);
	}
	y = add_layer(l, "tag", body + padded, AEAD_TAG_LEN);
	field_bytes(y, "Poly1305 tag", pkt, body + padded, AEAD_TAG_LEN,
		    "nobody without the key changed a byte");
}

static void wg_macs(struct layer *y, const uint8_t *pkt, size_t at)
{
	field_bytes(y, "mac1", pkt, at, MAC_LEN,
		    "the sender knows the receiver's public key: cheap to check, so "
		    "strangers are dropped before any DH");
	field_bytes(y, "mac2", pkt, at + MAC_LEN, MAC_LEN,
		    "zeros unless the receiver, under load, handed out a cookie: then it "
		    "proves the sender's address is real");
}

static void wg_initiation(struct layers *l, const uint8_t *pkt, size_t at)
{
	struct layer *y = add_layer(l, "WireGuard initiation", at, MSG_INITIATION_LEN);

	wg_head(y, pkt, at, "handshake initiation");
	index_field(y, "sender index", pkt, at + 4,
		    "the initiator's name for this handshake: the response is sent to it");
	field_bytes(y, "ephemeral", pkt, at + 8, 32,
		    "a fresh X25519 public key, in the clear: every session has new secrets");
	field_bytes(y, "encrypted static", pkt, at + 40, 32 + AEAD_TAG_LEN,
		    "who the initiator is (its public key), sealed so only the responder "
		    "reads it; the tag proves it was made for the responder's key");
	field_bytes(y, "encrypted timestamp", pkt, at + 88, TIMESTAMP_LEN + AEAD_TAG_LEN,
		    "TAI64N time, sealed with a key only the real initiator can derive: "
		    "it proves who sent it, and an old copy replayed is refused");
	wg_macs(y, pkt, at + 116);
}

static void wg_response(struct layers *l, const uint8_t *pkt, size_t at)
{
	struct layer *y = add_layer(l, "WireGuard response", at, MSG_RESPONSE_LEN);

	wg_head(y, pkt, at, "handshake response");
	index_field(y, "sender index", pkt, at + 4,
		    "the responder's name for the session: data to it carries this index");
	index_field(y, "receiver index", pkt, at + 8,
		    "the initiator's sender index: which handshake this answers");
	field_bytes(y, "ephemeral", pkt, at + 12, 32,
		    "the responder's fresh X25519 key: both sides now mix four DH results");
	field_bytes(y, "encrypted nothing", pkt, at + 44, AEAD_TAG_LEN,
		    "an empty message sealed with the new keys: its tag proves the responder "
		    "holds its static private key and got the initiation");
	wg_macs(y, pkt, at + 60);
}

static void wg_cookie(struct layers *l, const uint8_t *pkt, size_t at)
{
	struct layer *y = add_layer(l, "WireGuard cookie reply", at, MSG_COOKIE_LEN);

	wg_head(y, pkt, at, "cookie reply");
	index_field(y, "receiver index", pkt, at + 4, NULL);
	field_bytes(y, "nonce", pkt, at + 8, XNONCE_LEN, NULL);
	field_bytes(y, "encrypted cookie", pkt, at + 8 + XNONCE_LEN, MAC_LEN + AEAD_TAG_LEN, NULL);
}

/* A WireGuard message as the payload of a UDP datagram at base; false when it is not one. */
static bool wg_message(struct layers *l, const uint8_t *pkt, size_t base, const struct pkt *p,
		       uint16_t port, size_t inner_len)
{
	size_t at = base + p->ip_hlen + 8, n;

	if (!port || p->proto != IPPROTO_UDP || !p->l4 || p->fragment ||
	    (p->sport != port && p->dport != port) || p->len < p->ip_hlen + 8)
		return false;
	n = p->len - p->ip_hlen - 8;
	switch (msg_classify(pkt + at, n)) {
	case MSG_DATA:
		wg_transport(l, pkt, at, n, inner_len);
		break;
	case MSG_INITIATION:
		wg_initiation(l, pkt, at);
		break;
	case MSG_RESPONSE:
		wg_response(l, pkt, at);
		break;
	case MSG_COOKIE:
		wg_cookie(l, pkt, at);
		break;
	default:
		return false;
	}
	return true;
}

/* Whether an outer packet carries an inner one or a WireGuard message. */
static bool is_tunnel(const uint8_t *pkt, const struct pkt *p, uint16_t port)
{
	size_t off, pi;

	if (pkt_inner(p, port, &off, &pi) == 0)
		return true;
	if (!port || p->proto != IPPROTO_UDP || !p->l4 || p->fragment ||
	    (p->sport != port && p->dport != port) || p->len < p->ip_hlen + 8)
		return false;
	return msg_classify(pkt + p->ip_hlen + 8, p->len - p->ip_hlen - 8) != MSG_INVALID;
}

/* An IP packet and what it carries. */
static void ip_packet(struct layers *l, const char *which, const uint8_t *pkt, size_t base,
		      size_t len, uint16_t port, size_t inner_len)
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
		ip_packet(l, "inner", pkt, base + off + pi, base + p.len, 0, 0);
		return;
	}
	l4_layer(l, pkt, base, &p);
	if (*which && wg_message(l, pkt, base, &p, port, inner_len)) {
		l->tunnel = 1;
		l->wireguard = 1;
		return;
	}
	hl = p.ip_hlen + (p.proto == IPPROTO_TCP && p.l4
			      ? (size_t)(pkt[base + p.ip_hlen + 12] >> 4) * 4
			  : p.l4 ? 8
				 : 0);
	if (p.len > hl) {
		y = add_layer(l, "payload", base + hl, p.len - hl);
		field(y, "bytes", base + hl, p.len - hl, "%zu", p.len - hl);
	}
}

int layers_of_sealed(const uint8_t *pkt, size_t len, uint16_t port, size_t inner_len,
		     struct layers *out)
{
	struct pkt p;

	memset(out, 0, sizeof(*out));
	if (pkt_parse(pkt, len, &p) != PKT_OK)
		return 0;
	/* Name the outer header "outer" only when something is inside it. */
	ip_packet(out, is_tunnel(pkt, &p, port) ? "outer" : "", pkt, 0, len, port, inner_len);
	return out->n;
}

int layers_of(const uint8_t *pkt, size_t len, uint16_t port, struct layers *out)
{
	return layers_of_sealed(pkt, len, port, 0, out);
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
