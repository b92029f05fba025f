#include "offload.h"
#include "lib/checksum.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Where the layers of one packet start, as parsed, not as the header claims. */
struct layout {
	int version;
	uint8_t proto;
	size_t l4;	/* offset of the TCP or UDP header */
	size_t hdrs;	/* offset of the payload */
	size_t payload; /* its length */
};

static int parse_ip(const uint8_t *p, size_t len, struct layout *l)
{
	if (len < 20)
		return OFFLOAD_MALFORMED;
	l->version = p[0] >> 4;
	if (l->version == 4) {
		l->l4 = (size_t)(p[0] & 15) * 4;
		l->proto = p[9];
		if (l->l4 < 20 || ((size_t)p[2] << 8 | p[3]) != len)
			return OFFLOAD_MALFORMED;
	} else if (l->version == 6) {
		l->l4 = 40;
		l->proto = p[6]; /* extension headers are not cut: the kernel sends none here */
		if (len < 40 || ((size_t)p[4] << 8 | p[5]) + 40 != len)
			return OFFLOAD_MALFORMED;
	} else {
		return OFFLOAD_MALFORMED;
	}
	return l->l4 <= len ? OFFLOAD_OK : OFFLOAD_MALFORMED;
}

static int parse(const uint8_t *p, size_t len, struct layout *l)
{
	int rc = parse_ip(p, len, l);

	if (rc)
		return rc;
	if (l->proto == IPPROTO_TCP) {
		if (len < l->l4 + 20)
			return OFFLOAD_MALFORMED;
		l->hdrs = l->l4 + (size_t)(p[l->l4 + 12] >> 4) * 4;
		if (l->hdrs < l->l4 + 20)
			return OFFLOAD_MALFORMED;
	} else if (l->proto == IPPROTO_UDP) {
		l->hdrs = l->l4 + 8;
	} else {
		return OFFLOAD_UNSUPPORTED;
	}
	if (l->hdrs > len)
		return OFFLOAD_MALFORMED;
	l->payload = len - l->hdrs;
	return OFFLOAD_OK;
}

/*
 * The folded sum of the pseudo-header, the L4 header and the payload of a
 * packet of len bytes.  body is the payload's sum, taken as it was copied;
 * the payload starts an even number of bytes into the L4 header, so its
 * words line up with the header's.
 */
static uint16_t l4_sum(const uint8_t *p, size_t len, const struct layout *l, uint32_t body)
{
	const uint8_t *src = p + (l->version == 4 ? 12 : 8);
	const uint8_t *dst = p + (l->version == 4 ? 16 : 24);

	return csum_fold(
	    csum_add(csum_pseudo(l->version, src, dst, l->proto, (uint32_t)(len - l->l4)) + body,
		     p + l->l4, l->hdrs - l->l4));
}

/* The L4 checksum, made and stored in place. */
static void l4_checksum(uint8_t *p, const struct layout *l, size_t len, uint32_t body)
{
	size_t at = l->l4 + (l->proto == IPPROTO_TCP ? 16 : 6);
	uint16_t sum;

	p[at] = p[at + 1] = 0;
	sum = l4_sum(p, len, l, body);
	if (l->proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff; /* zero would mean "no checksum" */
	p[at] = (uint8_t)(sum >> 8);
	p[at + 1] = (uint8_t)sum;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Lengths, IDs, sequence numbers and flags of segment i of n; then the checksums. */
static void fix_segment(uint8_t *s, const struct layout *l, size_t len, int i, int n, size_t offset,
			uint32_t body)
{
	if (l->version == 4) {
		put16(s + 2, len);
		put16(s + 4, ((size_t)s[4] << 8 | s[5]) + (size_t)i); /* each its own IP ID */
		s[10] = s[11] = 0;
		put16(s + 10, (uint16_t)ntohs(csum(s, l->l4)));
	} else {
		put16(s + 4, len - 40);
	}
	if (l->proto == IPPROTO_UDP) {
		put16(s + l->l4 + 4, len - l->l4);
	} else {
		uint32_t seq = (uint32_t)s[l->l4 + 4] << 24 | (uint32_t)s[l->l4 + 5] << 16 |
			       (uint32_t)s[l->l4 + 6] << 8 | s[l->l4 + 7];

		seq += (uint32_t)offset;
		for (int k = 0; k < 4; k++)
			s[l->l4 + 4 + k] = (uint8_t)(seq >> (24 - 8 * k));
		/* FIN and PSH belong to the last segment, CWR to the first. */
		if (i != n - 1)
			s[l->l4 + 13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i != 0)
			s[l->l4 + 13] &= (uint8_t)~TCP_CWR;
	}
	l4_checksum(s, l, len, body);
}

static bool gso_matches(uint8_t gso_type, const struct layout *l)
{
	switch (gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return l->version == 4 && l->proto == IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return l->version == 6 && l->proto == IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return l->proto == IPPROTO_UDP;
	}
	return false;
}

/* A packet the kernel did not cut: its checksum may still be ours to finish. */
static int finish_one(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		      offload_room_fn room, offload_emit_fn emit, void *arg)
{
	size_t start = h->csum_start, at = (size_t)h->csum_start + h->csum_offset, cap;
	uint8_t *out = room(arg, &cap);
	uint16_t sum;

	if (len > cap)
		return OFFLOAD_MALFORMED;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		memcpy(out, pkt, len);
		return emit(arg, out, len) ? OFFLOAD_STOPPED : 1;
	}
	if (start >= len || at + 2 > len)
		return OFFLOAD_MALFORMED;
	/* The field holds the pseudo-header's sum already: sum from start, fold, invert. */
	memcpy(out, pkt, start);
	sum = csum_fold(csum_copy(0, out + start, pkt + start, len - start));
	out[at] = (uint8_t)(sum >> 8);
	out[at + 1] = (uint8_t)sum;
	return emit(arg, out, len) ? OFFLOAD_STOPPED : 1;
}

int offload_split_into(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		       offload_room_fn room, offload_emit_fn emit, void *arg)
{
	struct layout l;
	size_t gso = h->gso_size;
	int n, rc;

	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return finish_one(h, pkt, len, room, emit, arg);
	rc = parse(pkt, len, &l);
	if (rc)
		return rc;
	if (!gso_matches(h->gso_type, &l))
		return OFFLOAD_UNSUPPORTED;
	if (gso == 0 || l.payload == 0)
		return OFFLOAD_MALFORMED;
	n = (int)((l.payload + gso - 1) / gso);
	if (n > OFFLOAD_MAX_SEGMENTS)
		return OFFLOAD_MALFORMED;
	for (int i = 0; i < n; i++) {
		size_t off = (size_t)i * gso, chunk = l.payload - off < gso ? l.payload - off : gso;
		size_t cap;
		uint8_t *out = room(arg, &cap);
		uint32_t body;

		if (l.hdrs + chunk > cap)
			return OFFLOAD_MALFORMED;
		memcpy(out, pkt, l.hdrs);
		body = csum_copy(0, out + l.hdrs, pkt + l.hdrs + off, chunk);
		fix_segment(out, &l, l.hdrs + chunk, i, n, off, body);
		if (emit(arg, out, l.hdrs + chunk))
			return OFFLOAD_STOPPED;
	}
	return n;
}

/* offload_split's caller gives one buffer, used for every packet in turn. */
struct fixed_room {
	uint8_t *buf;
	size_t cap;
	offload_emit_fn emit;
	void *arg;
};

static uint8_t *fixed_room(void *arg, size_t *cap)
{
	struct fixed_room *f = arg;

	*cap = f->cap;
	return f->buf;
}

static int fixed_emit(void *arg, const uint8_t *pkt, size_t len)
{
	struct fixed_room *f = arg;

	return f->emit(f->arg, pkt, len);
}

int offload_split(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, uint8_t *scratch,
		  size_t cap, offload_emit_fn emit, void *arg)
{
	struct fixed_room f = {scratch, cap, emit, arg};

	return offload_split_into(h, pkt, len, fixed_room, fixed_emit, &f);
}

/* ---- coalescing ---- */

#define TCP_ACK	    0x10
#define GRO_MAX_LEN 65535
/*
 * The kernel refuses a UDP super-packet of more segments than its
 * UDP_MAX_SEGMENTS, 64 in the oldest kernels with USO on TUN devices.
 */
#define GRO_UDP_MAX_SEGMENTS 64

void gro_init(struct gro *g, uint8_t *buf, size_t cap, bool udp, gro_emit_fn emit, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->cap = cap;
	g->udp = udp;
	g->emit = emit;
	g->arg = arg;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/*
 * Whether a packet's checksums hold, given its payload's sum (taken while
 * it was copied).  A run's checksums are made anew when it is sealed, so a
 * damaged segment glued in would be blessed and reach the application;
 * one left alone is dropped by the kernel, which checks what comes without
 * a virtio header.
 */
static bool checksums_hold(const uint8_t *p, size_t len, const struct layout *l, uint32_t body)
{
	if (l->version == 4 && csum_fold(csum_add(0, p, l->l4)) != 0)
		return false;
	return l4_sum(p, len, l, body) == 0;
}

/*
 * A UDP datagram that may start or join a run: its length field agrees
 * with the packet's, and it has a checksum to check.  An IPv4 datagram
 * sent without one (zero) would leave the kernel's cut with one it never
 * had, on data nobody vouched for.
 */
static bool udp_mergeable(const struct gro *g, const uint8_t *p, size_t len, const struct layout *l)
{
	return g->udp && get16(p + l->l4 + 4) == len - l->l4 &&
	       (l->version == 6 || get16(p + l->l4 + 6) != 0);
}

/*
 * A packet that may start or join a run, if its checksums hold: TCP with
 * payload, flags ACK and perhaps PSH; or UDP with payload, where the
 * device takes it.
 */
static bool mergeable(const struct gro *g, const uint8_t *p, size_t len, struct layout *l)
{
	if (parse(p, len, l) || l->payload == 0)
		return false;
	if (l->version == 4 && (p[6] & 0x3f || p[7])) /* fragments */
		return false;
	if (l->version == 4 && l->l4 != 20) /* IP options */
		return false;
	if (l->proto == IPPROTO_UDP)
		return udp_mergeable(g, p, len, l);
	return l->proto == IPPROTO_TCP && (p[l->l4 + 13] & ~TCP_PSH) == TCP_ACK;
}

/* Same flow, same headers but for what segmentation changes. */
static bool same_headers(const struct gro *g, const uint8_t *p, const struct layout *l)
{
	const uint8_t *h = g->buf + GRO_HDR;

	if (l->version != g->version || l->hdrs != g->hdrs)
		return false;
	if (l->version == 4) {
		/* version..TOS, flags, TTL, protocol, addresses; not length, ID, checksum */
		if (memcmp(h, p, 2) || h[6] != p[6] || memcmp(h + 8, p + 8, 2) ||
		    memcmp(h + 12, p + 12, 8))
			return false;
	} else if (memcmp(h, p, 4) || memcmp(h + 6, p + 6, 34)) {
		return false; /* version, class, flow label, next header, hop limit, addresses */
	}
	if (l->proto == IPPROTO_UDP)
		return !memcmp(h + g->l4, p + l->l4, 4); /* ports: the rest is length and sum */
	/* ports, ack, window, and the options; the sequence is checked apart */
	return !memcmp(h + g->l4, p + l->l4, 4) && !memcmp(h + g->l4 + 8, p + l->l4 + 8, 5) &&
	       !memcmp(h + g->l4 + 14, p + l->l4 + 14, 2) &&
	       !memcmp(h + g->l4 + 20, p + l->l4 + 20, l->hdrs - l->l4 - 20);
}

/* TCP: the next sequence number, and no PSH yet, which ends a run. */
static bool tcp_follows(const struct gro *g, const uint8_t *p, const struct layout *l)
{
	return (g->buf[GRO_HDR + g->l4 + 13] & TCP_PSH) == 0 && get32(p + l->l4 + 4) == g->next_seq;
}

/* Each run is whole segments of one size, then perhaps one shorter, which ends it. */
static bool joins_run(const struct gro *g, const uint8_t *p, const struct layout *l)
{
	if (!g->len || !g->gso || l->proto != g->proto)
		return false;
	if ((g->len - g->hdrs) % g->gso != 0 || l->payload > g->gso ||
	    g->len + l->payload > GRO_MAX_LEN || g->len + l->payload + GRO_HDR > g->cap)
		return false;
	if (l->proto == IPPROTO_UDP ? g->count >= GRO_UDP_MAX_SEGMENTS : !tcp_follows(g, p, l))
		return false;
	return same_headers(g, p, l);
}

static uint8_t run_gso_type(const struct gro *g)
{
	if (g->proto == IPPROTO_UDP)
		return VIRTIO_NET_HDR_GSO_UDP_L4;
	return g->version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
}

/* The header the kernel needs for a run, and the lengths and checksums it leaves to it. */
static void seal_run(struct gro *g)
{
	uint8_t *h = g->buf + GRO_HDR;
	size_t sum_at = g->proto == IPPROTO_UDP ? 6 : 16;
	struct virtio_net_hdr v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = run_gso_type(g),
				   .hdr_len = (uint16_t)g->hdrs,
				   .gso_size = (uint16_t)g->gso,
				   .csum_start = (uint16_t)g->l4,
				   .csum_offset = (uint16_t)sum_at};
	uint16_t partial;

	if (g->version == 4) {
		put16(h + 2, g->len);
		h[10] = h[11] = 0;
		put16(h + 10, (uint16_t)ntohs(csum(h, g->l4)));
	} else {
		put16(h + 4, g->len - 40);
	}
	if (g->proto == IPPROTO_UDP)
		put16(h + g->l4 + 4, g->len - g->l4); /* the kernel sets each segment's own */
	/* The pseudo-header's sum, folded but not inverted: the kernel finishes it. */
	partial = (uint16_t)~csum_fold(csum_pseudo(g->version, h + (g->version == 4 ? 12 : 8),
						   h + (g->version == 4 ? 16 : 24), g->proto,
						   (uint32_t)(g->len - g->l4)));
	put16(h + g->l4 + sum_at, partial);
	memcpy(g->buf, &v, GRO_HDR);
}

void gro_flush(struct gro *g)
{
	if (!g->len)
		return;
	if (g->count > 1)
		seal_run(g);
	else
		memset(g->buf, 0, GRO_HDR); /* one packet as it came: checksums done */
	g->emit(g->arg, g->buf, GRO_HDR + g->len);
	g->len = 0;
	g->count = 0;
}

/* A packet written as it came, after the run held: nothing joins it. */
static void pass(struct gro *g, const uint8_t *pkt, size_t len)
{
	gro_flush(g);
	if (len + GRO_HDR > g->cap)
		return;
	memcpy(g->buf + GRO_HDR, pkt, len);
	g->len = len;
	g->count = 1;
	g->gso = 0;
	gro_flush(g);
}

/*
 * The payload is copied and summed in one pass, before it is known to be
 * intact: into the room after the run, which counts only once the
 * checksums hold.
 */
void gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	struct layout l;
	uint32_t body;

	if (!mergeable(g, pkt, len, &l)) {
		pass(g, pkt, len);
		return;
	}
	if (joins_run(g, pkt, &l)) {
		body = csum_copy(0, g->buf + GRO_HDR + g->len, pkt + l.hdrs, l.payload);
		if (!checksums_hold(pkt, len, &l, body)) {
			pass(g, pkt, len);
			return;
		}
		if (l.proto == IPPROTO_TCP)
			g->buf[GRO_HDR + g->l4 + 13] |= pkt[l.l4 + 13] & TCP_PSH;
		g->len += l.payload;
		g->count++;
		g->merged++;
		g->next_seq += (uint32_t)l.payload; /* TCP's; unread for UDP */
		return;
	}
	gro_flush(g);
	if (len + GRO_HDR > g->cap)
		return;
	memcpy(g->buf + GRO_HDR, pkt, l.hdrs);
	body = csum_copy(0, g->buf + GRO_HDR + l.hdrs, pkt + l.hdrs, l.payload);
	g->len = len;
	g->count = 1;
	if (!checksums_hold(pkt, len, &l, body)) {
		g->gso = 0;
		gro_flush(g);
		return;
	}
	g->version = l.version;
	g->proto = l.proto;
	g->l4 = l.l4;
	g->hdrs = l.hdrs;
	g->gso = l.payload;
	if (l.proto == IPPROTO_TCP)
		g->next_seq = get32(pkt + l.l4 + 4) + (uint32_t)l.payload;
}
