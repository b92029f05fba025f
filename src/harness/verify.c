#include "verify.h"
#include "lab.h"
#include "lib/packet.h"
#include "lib/messages.h"
#include "lib/wgdecode.h"
#include "lib/mtu.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct verify_where verify_default = {
    .points = {"home-laptop:tun0", "home-laptop:eth0", "home-router:wan", "office-server:wan",
	       "office-server:tun0", "office-host:eth0"},
    .target = "office-host",
    .client4 = "172.31.255.7",
    .client6 = "fd00:172:31:255::7",
    .nat4 = "198.51.100.2",
};

const char *const property_names[PR_COUNT] = {
    [PR_ONCE] = "each inner packet left as one datagram to the tunnel port and came out once, "
		"unchanged",
    [PR_LENGTH] = "outer length = inner length + the mode's overhead",
    [PR_NAT] = "NAT rewrote the outer source on the home-router WAN; the inner packet is "
	       "untouched",
    [PR_NO_FRAGMENTS] = "no outer packet was fragmented while the inner fit the tunnel MTU",
    [PR_NO_CLEAR] = "no marker byte appears in the clear on an outer link",
};

int packets_add(struct packet_list *l, const uint8_t *data, size_t len)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		uint8_t **d = realloc(l->data, (size_t)cap * sizeof(*d));
		size_t *n;

		if (!d)
			return -1;
		l->data = d;
		n = realloc(l->len, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		l->len = n;
		l->cap = cap;
	}
	l->data[l->n] = malloc(len ? len : 1);
	if (!l->data[l->n])
		return -1;
	memcpy(l->data[l->n], data, len);
	l->len[l->n++] = len;
	return 0;
}

void packets_free(struct packet_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->data[i]);
	free(l->data);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

/* The probe's marker in an inner packet going toward the office, or NULL. */
static const uint8_t *marker_in(const uint8_t *p, size_t len)
{
	const uint8_t *m = memmem(p, len, MARKER, sizeof(MARKER) - 1);

	return m && (size_t)(m - p) + MARKER_LEN <= len ? m : NULL;
}

struct inner_ref {
	const uint8_t *pkt;
	size_t len;
	const uint8_t *marker;
	struct pkt p;
};

/* The same packet, allowing for the TTL a router took and the checksum that follows it. */
static bool same_inner(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, bool routed)
{
	if (alen != blen)
		return false;
	if (!routed)
		return !memcmp(a, b, alen);
	if ((a[0] >> 4) == 4)
		return alen >= 20 && !memcmp(a, b, 8) && !memcmp(a + 9, b + 9, 1) &&
		       !memcmp(a + 12, b + 12, alen - 12);
	return alen >= 40 && !memcmp(a, b, 7) && !memcmp(a + 8, b + 8, alen - 8);
}

/* One probe's packet at an inner point: same direction, same marker. */
static int inner_matches(const struct packet_list *l, const struct inner_ref *r, int *which)
{
	int n = 0;

	for (int i = 0; i < l->n; i++) {
		struct pkt p;
		const uint8_t *m = marker_in(l->data[i], l->len[i]);

		if (!m || memcmp(m, r->marker, MARKER_LEN) ||
		    pkt_parse(l->data[i], l->len[i], &p) != PKT_OK || p.proto != r->p.proto ||
		    memcmp(p.dst, r->p.dst, 16) || pkt_is_icmp_error(&p))
			continue;
		if (!n)
			*which = i;
		n++;
	}
	return n;
}

struct outer_seen {
	int datagrams;	 /* tunnel datagrams carrying the probe */
	bool fragmented; /* one of them was an IP fragment */
	int first;	 /* index of the first */
	uint16_t id;
};

/* Tunnel datagrams toward the server that carry the probe, and their later fragments. */
static void outer_matches(const struct packet_list *l, const struct inner_ref *r,
			  struct outer_seen *o)
{
	memset(o, 0, sizeof(*o));
	o->first = -1;
	for (int i = 0; i < l->n; i++) {
		struct pkt p;
		const uint8_t *m = marker_in(l->data[i], l->len[i]);

		if (!m || memcmp(m, r->marker, MARKER_LEN) ||
		    pkt_parse_head(l->data[i], l->len[i], &p) != PKT_OK || p.proto != IPPROTO_UDP ||
		    !p.l4 || p.dport != TUNNEL_PORT)
			continue;
		if (o->first < 0) {
			o->first = i;
			o->id = p.id;
		}
		o->datagrams++;
		o->fragmented |= p.fragment;
	}
	for (int i = 0; o->first >= 0 && i < l->n; i++) {
		struct pkt p;

		if (pkt_parse_head(l->data[i], l->len[i], &p) == PKT_OK && p.fragment &&
		    p.frag_off && p.id == o->id && p.proto == IPPROTO_UDP)
			o->fragmented = true;
	}
}

static void fail(struct verdict *v, enum property pr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct verdict *v, enum property pr, const char *fmt, ...)
{
	va_list ap;

	/* Once per probe: the same break seen on several links is one broken probe. */
	if (v->marked[pr])
		return;
	v->marked[pr] = true;
	if (!v->failed[pr]++) {
		va_start(ap, fmt);
		vsnprintf(v->evidence[pr], sizeof(v->evidence[pr]), fmt, ap);
		va_end(ap);
	}
}

static const char *probe_name(const struct inner_ref *r, char *out, size_t cap)
{
	snprintf(out, cap, "IPv%d %s %zu bytes", r->p.version,
		 pkt_proto_name(r->p.proto) ? pkt_proto_name(r->p.proto) : "?", r->len);
	return out;
}

static void judge_probe(const struct packet_list pts[VERIFY_POINTS], const struct inner_ref *r,
			bool pi, int tun_mtu, struct verdict *v)
{
	struct outer_seen o[VERIFY_POINTS];
	int at5 = -1, at6 = -1, n5 = inner_matches(&pts[P_SERVER_TUN], r, &at5),
	    n6 = inner_matches(&pts[P_HOST], r, &at6);
	size_t mode = pi ? MTU_PI_HDR : 0; /* the wire mode's own header */
	char name[64], plus[16] = "";

	if (mode)
		snprintf(plus, sizeof(plus), " + %zu", mode);
	probe_name(r, name, sizeof(name));
	for (int k = P_LAPTOP_LAN; k <= P_SERVER_WAN; k++)
		outer_matches(&pts[k], r, &o[k]);
	if (o[P_LAPTOP_LAN].datagrams != 1 || o[P_ROUTER_WAN].datagrams != 1 ||
	    o[P_SERVER_WAN].datagrams != 1 || n5 != 1 || n6 != 1)
		fail(v, PR_ONCE,
		     "%s: %d, %d, %d datagrams on the three outer links; %d at %s, %d at %s", name,
		     o[P_LAPTOP_LAN].datagrams, o[P_ROUTER_WAN].datagrams,
		     o[P_SERVER_WAN].datagrams, n5, v->at->points[P_SERVER_TUN], n6, v->at->target);
	else if (!same_inner(r->pkt, r->len, pts[P_SERVER_TUN].data[at5],
			     pts[P_SERVER_TUN].len[at5], false) ||
		 !same_inner(r->pkt, r->len, pts[P_HOST].data[at6], pts[P_HOST].len[at6], true))
		fail(v, PR_ONCE, "%s: it came out changed", name);
	for (int k = P_LAPTOP_LAN; k <= P_SERVER_WAN; k++) {
		struct pkt p;
		const uint8_t *d;

		if (o[k].first < 0)
			continue;
		d = pts[k].data[o[k].first];
		if (o[k].fragmented && (int)r->len <= tun_mtu)
			fail(v, PR_NO_FRAGMENTS, "%s: its datagram was fragmented on %s", name,
			     v->at->points[k]);
		if (o[k].fragmented || pkt_parse(d, pts[k].len[o[k].first], &p) != PKT_OK)
			continue;
		if (p.len != r->len + p.ip_hlen + MTU_UDP_HDR + mode)
			fail(v, PR_LENGTH, "%s: outer %zu on %s, expected %zu + %zu + %d%s", name,
			     p.len, v->at->points[k], r->len, p.ip_hlen, MTU_UDP_HDR, plus);
		/* A datagram cut short does not hold the whole inner packet: never read past it. */
		if (k != P_SERVER_WAN && (p.payload_len < MTU_UDP_HDR + mode + r->len ||
					  memcmp(p.payload + MTU_UDP_HDR + mode, r->pkt, r->len)))
			fail(v, PR_NAT, "%s: the inner packet changed on %s", name,
			     v->at->points[k]);
		if (k == P_ROUTER_WAN && o[P_LAPTOP_LAN].first >= 0) {
			struct pkt lan;

			if (pkt_parse_head(pts[P_LAPTOP_LAN].data[o[P_LAPTOP_LAN].first],
					   pts[P_LAPTOP_LAN].len[o[P_LAPTOP_LAN].first],
					   &lan) == PKT_OK &&
			    !memcmp(lan.src, p.src, 16))
				fail(v, PR_NAT, "%s: the outer source was not rewritten on %s",
				     name, v->at->points[k]);
		}
	}
}

static bool from_client(const struct verify_where *at, const struct pkt *p)
{
	char a[64];

	pkt_addr_str(p->version, p->src, a, sizeof(a));
	return !strcmp(a, at->client4) || !strcmp(a, at->client6);
}

/* The outer datagrams of one link that are WireGuard data messages of exactly len bytes. */
static int data_of_len(const struct packet_list *l, size_t len, bool *fragments)
{
	int n = 0;

	for (int i = 0; i < l->n; i++) {
		struct pkt p;

		if (pkt_parse_head(l->data[i], l->len[i], &p) == PKT_OK)
			*fragments |= p.fragment;
		/* The whole packet, for its real length: the head parse stops early. */
		if (pkt_parse(l->data[i], l->len[i], &p) != PKT_OK || p.proto != IPPROTO_UDP ||
		    !p.l4 || (p.dport != TUNNEL_PORT && p.sport != TUNNEL_PORT))
			continue;
		if (p.len == p.ip_hlen + 8 + len && p.payload_len > 8 && p.payload[8] == 4)
			n++;
	}
	return n;
}

/* Whether any packet of a link holds the bytes anywhere. */
static bool seen_in_clear(const struct packet_list *l, const uint8_t *bytes, size_t len)
{
	for (int i = 0; i < l->n; i++)
		if (l->len[i] >= len && memmem(l->data[i], l->len[i], bytes, len))
			return true;
	return false;
}

static void judge_encrypted(const struct packet_list pts[VERIFY_POINTS], const struct inner_ref *r,
			    int tun_mtu, struct verdict *v)
{
	/* Data header 16 + tag 16, the inner packet padded to 16 but not past the MTU. */
	size_t padded = msg_padded_len(r->len, tun_mtu), expect;
	int at5 = -1, at6 = -1, n5 = inner_matches(&pts[P_SERVER_TUN], r, &at5),
	    n6 = inner_matches(&pts[P_HOST], r, &at6);
	bool fragments = false;
	char name[64];

	expect = MTU_WG_DATA + padded;
	probe_name(r, name, sizeof(name));
	if (n5 != 1 || n6 != 1)
		fail(v, PR_ONCE, "%s: %d at %s, %d at %s", name, n5, v->at->points[P_SERVER_TUN],
		     n6, v->at->target);
	for (int k = P_LAPTOP_LAN; k <= P_SERVER_WAN; k++) {
		if (!data_of_len(&pts[k], expect, &fragments))
			fail(v, PR_LENGTH,
			     "%s: no %zu-byte data message (%zu + %d + %zu padding) on %s", name,
			     expect, r->len, MTU_WG_DATA, padded - r->len, v->at->points[k]);
		/* The marker, and the whole inner payload, must never show on the wire. */
		if (seen_in_clear(&pts[k], r->marker, MARKER_LEN) ||
		    (r->p.payload_len >= 8 &&
		     seen_in_clear(&pts[k], r->p.payload, r->p.payload_len)))
			fail(v, PR_NO_CLEAR, "%s: inner bytes in the clear on %s", name,
			     v->at->points[k]);
		if (fragments && (int)r->len <= tun_mtu)
			fail(v, PR_NO_FRAGMENTS, "%s: fragments on %s", name, v->at->points[k]);
	}
}

/* NAT: every datagram to the server leaves the home router from its public address. */
static void judge_nat_source(const struct packet_list *wan, struct verdict *v)
{
	for (int i = 0; i < wan->n; i++) {
		struct pkt p;
		char a[64];

		if (pkt_parse_head(wan->data[i], wan->len[i], &p) != PKT_OK || p.version != 4 ||
		    p.proto != IPPROTO_UDP || !p.l4 || p.dport != TUNNEL_PORT)
			continue;
		pkt_addr_str(4, p.src, a, sizeof(a));
		if (strcmp(a, v->at->nat4)) {
			v->marked[PR_NAT] = false;
			fail(v, PR_NAT, "a datagram left %s from %s, not %s",
			     v->at->points[P_ROUTER_WAN], a, v->at->nat4);
			return;
		}
	}
}

/* The receiver and counter of a data message in packet i of l; false if it is none. */
static bool data_id(const struct packet_list *l, int i, uint32_t *receiver, uint64_t *counter)
{
	struct wg_msg m;
	struct pkt p;

	if (pkt_parse(l->data[i], l->len[i], &p) != PKT_OK || p.fragment ||
	    pkt_wg_message(&p, TUNNEL_PORT, &m) || m.type != MSG_DATA)
		return false;
	*receiver = m.receiver;
	*counter = m.counter;
	return true;
}

/*
 * A counter is used once per session, so the same receiver and counter
 * twice on one link is a datagram sent twice.  The receiver drops the
 * copy as a replay, so the inner packet still comes out once: the wire is
 * where a duplication shows.
 */
static void judge_replays(const struct packet_list pts[VERIFY_POINTS], struct verdict *v)
{
	for (int k = P_LAPTOP_LAN; k <= P_SERVER_WAN; k++) {
		const struct packet_list *l = &pts[k];
		bool found = false;

		for (int i = 0; i < l->n; i++) {
			uint32_t ri, rj;
			uint64_t ci, cj;

			if (!data_id(l, i, &ri, &ci))
				continue;
			for (int j = 0; j < i; j++)
				if (data_id(l, j, &rj, &cj) && ri == rj && ci == cj) {
					/* Counted as probes, though unmarked datagrams may be among
					 * them. */
					v->marked[PR_ONCE] = v->failed[PR_ONCE] >= v->probes;
					fail(v, PR_ONCE,
					     "a data message (receiver 0x%08x, counter %llu) "
					     "crossed %s twice",
					     ri, (unsigned long long)ci, v->at->points[k]);
					found = true;
					break;
				}
		}
		if (found)
			return; /* one link tells it; the next ones repeat it */
	}
}

/* Every probe the laptop sent, in either mode; the replies carry the marker back too. */
static void judge_all(const struct verify_where *at, const struct packet_list pts[VERIFY_POINTS],
		      bool encrypted, bool pi, int tun_mtu, struct verdict *v)
{
	const struct packet_list *src = &pts[P_LAPTOP_TUN];

	memset(v, 0, sizeof(*v));
	v->at = at;
	for (int i = 0; i < src->n; i++) {
		struct inner_ref r = {src->data[i], src->len[i], NULL, {0}};

		r.marker = marker_in(r.pkt, r.len);
		if (!r.marker || pkt_parse(r.pkt, r.len, &r.p) != PKT_OK ||
		    pkt_is_icmp_error(&r.p) || !from_client(at, &r.p))
			continue;
		v->probes++;
		memset(v->marked, 0, sizeof(v->marked));
		if (encrypted)
			judge_encrypted(pts, &r, tun_mtu, v);
		else
			judge_probe(pts, &r, pi, tun_mtu, v);
	}
}

/* With no probe seen, every property judged fails, saying so. */
static void no_probes(struct verdict *v)
{
	for (int p = 0; p < PR_COUNT; p++) {
		if (v->skipped[p])
			continue;
		v->marked[p] = false;
		fail(v, p, "no probe was seen at %s", v->at->points[P_LAPTOP_TUN]);
	}
}

void verify(const struct packet_list pts[VERIFY_POINTS], bool pi, int tun_mtu, struct verdict *v)
{
	verify_in(&verify_default, pts, pi, tun_mtu, v);
}

void verify_in(const struct verify_where *at, const struct packet_list pts[VERIFY_POINTS], bool pi,
	       int tun_mtu, struct verdict *v)
{
	judge_all(at, pts, false, pi, tun_mtu, v);
	/* Plaintext carries the inner packet in the clear: nothing to assert. */
	v->skipped[PR_NO_CLEAR] = true;
	if (!v->probes)
		no_probes(v);
}

void verify_encrypted(const struct packet_list pts[VERIFY_POINTS], int tun_mtu, struct verdict *v)
{
	verify_encrypted_in(&verify_default, pts, tun_mtu, v);
}

void verify_encrypted_in(const struct verify_where *at, const struct packet_list pts[VERIFY_POINTS],
			 int tun_mtu, struct verdict *v)
{
	judge_all(at, pts, true, false, tun_mtu, v);
	judge_nat_source(&pts[P_ROUTER_WAN], v);
	judge_replays(pts, v);
	if (!v->probes)
		no_probes(v);
}
