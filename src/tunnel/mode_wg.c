/*
 * Encrypted mode as datapath operations: each packet sealed into a
 * WireGuard data message for the peer its destination routes to, and each
 * datagram opened by the protocol (wg.h), which also answers handshakes.
 * The queue's ctx is the tunnel's struct wg.
 */
#include "datapath.h"
#include "wg.h"
#include "lib/addr.h"
#include "lib/messages.h"

/* Reads leave room in front for the data header and behind for padding and the tag. */
#define READ_MAX (SLOT_DATA - MSG_DATA_HDR_LEN - MSG_PADDING - AEAD_TAG_LEN)

/* Tells the inner sender, through the TUN device, what fits the path to the peer. */
static void too_big(struct queue *q, const struct wg_peer *p, const uint8_t *inner, size_t len)
{
	struct pkt pkt;

	if (pkt_parse(inner, len, &pkt) != PKT_OK)
		return;
	datapath_too_big(q, &pkt, inner, len, wg_inner_mtu(q->ctx, p));
}

/* Each datagram goes to its own peer: the seal names it in the slot. */
static void begin(struct queue *q, const struct sockaddr_storage **to, struct source **src)
{
	(void)q;
	*to = NULL;
	*src = NULL;
}

static void seal(struct queue *q, struct slot *s, double now)
{
	struct wg_peer *p = NULL;
	size_t inner = s->len;
	enum wg_action a;

	/* Logged before sealing: afterwards there is nothing left to read. */
	datapath_log(q, "send", NULL, s->data + MSG_DATA_HDR_LEN, inner, NULL);
	a = wg_encrypt(q->ctx, s->data, s->len, SLOT_SIZE - SLOT_HEADROOM, now, &s->out_len, &p);
	if (a == WG_TOO_BIG)
		too_big(q, p, s->data + MSG_DATA_HDR_LEN, inner);
	s->keep = a == WG_SEND;
	s->fragment = a == WG_SEND_FRAGMENTED;
	if (s->keep || s->fragment) {
		s->addr = p->endpoint;
		s->src = &p->src;
		s->len = inner;
	}
}

static bool open_one(struct queue *q, struct slot *s, double now, size_t *off, size_t *len)
{
	struct wg *w = q->ctx;
	struct wg_peer *p;

	w->rx_local = s->local;
	if (wg_receive(w, s->data, s->len, &s->addr, now, len, &p) != WG_DELIVER)
		return false;
	*off = MSG_DATA_HDR_LEN;
	return true;
}

/* A smaller path MTU to one of the peers. */
static void path_mtu(struct queue *q, const struct pmtu_report *r)
{
	struct wg *w = q->ctx;
	struct wg_peer *p = NULL;
	char ep[64];

	for (int i = 0; i < w->npeers && !p; i++)
		if (w->peers[i]->has_endpoint && sockaddr_same(&r->dest, &w->peers[i]->endpoint))
			p = w->peers[i];
	if (!p || !pmtu_apply(&p->pmtu, r))
		return;
	wg_note(w, p, "the path to %s carries %d bytes; inner packets up to %d",
		sockaddr_str(&p->endpoint, ep, sizeof(ep)), p->pmtu.mtu, wg_inner_mtu(w, p));
}

/*
 * The kernel knew a smaller path than we did, and the error queue has
 * told the peer by now, or else the route knows: a UDP GSO send is refused
 * with no report queued.  The packet is sealed in place; what the datapath
 * kept of it (s->quote) says whether it may go in fragments and is what
 * the ICMP quotes, as in plaintext.  s->len is the inner length.
 */
static void refused(struct queue *q, struct slot *s)
{
	struct wg *w = q->ctx;
	struct wg_peer *p = NULL;
	enum pmtu_fate fate = PMTU_TOO_BIG;
	struct pkt pkt;

	if (pkt_parse_head(s->quote, s->quote_len, &pkt) == PKT_OK)
		p = allowedips_lookup(&w->allowed, pkt.version == 6 ? AF_INET6 : AF_INET, pkt.dst);
	if (p && !q->cfg->no_pmtu) {
		fate = wg_path_fate(w, p, s->len, pkt.version, pkt.df);
		if (fate == PMTU_FITS) {
			struct pmtu_report r = {.mtu = pmtu_route_mtu(&q->dev.nl, &p->endpoint),
						.dest = p->endpoint};

			path_mtu(q, &r);
			fate = wg_path_fate(w, p, s->len, pkt.version, pkt.df);
		}
	}
	if (p && fate == PMTU_FRAGMENT) {
		s->keep = false;
		s->fragment = true;
		return;
	}
	if (p && fate == PMTU_TOO_BIG && !q->cfg->no_pmtu)
		datapath_too_big(q, &pkt, s->quote, s->quote_len, wg_inner_mtu(w, p));
	datapath_drop(q, s, DROP_TOO_BIG, "send", &s->addr, NULL, 0);
}

const struct mode_ops mode_wg_ops = {
    .mode = MODE_ENCRYPTED,
    .headroom = MSG_DATA_HDR_LEN,
    .read_max = READ_MAX,
    .dev_hdr = 0,
    .min_len = MSG_DATA_MIN_LEN,
    .sealed = true,
    .begin = begin,
    .seal = seal,
    .refused = refused,
    .open = open_one,
    .path_mtu = path_mtu,
};
