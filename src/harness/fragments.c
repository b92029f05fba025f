/*
 * Counting the pieces one probe became on one link: the probe itself and
 * its IP fragments, or the tunnel datagrams that carried it, with the
 * outer datagram's own fragments.  Captures are matched to the probe by
 * its echo identifier and sequence, then by the IP identification its
 * fragments share (NAT leaves that field alone).
 */
#include "fragments.h"
#include "mtu_probe.h"
#include "prober.h"
#include "lib/capture.h"
#include "lib/packet.h"
#include "lib/mtu.h"

#include <netinet/in.h>
#include <string.h>

#define PIECES 256

static bool is_probe(const struct pkt *p, const struct prober *pr)
{
	uint8_t echo = p->version == 6 ? 128 : 8;

	return p->l4 && p->icmp_type == echo && p->icmp_id == pr->id && p->icmp_seq == pr->last_seq;
}

void piece_inspect(const uint8_t *ip, size_t len, const struct prober *pr, int mode_overhead,
		   struct piece *x)
{
	struct pkt o, in;
	size_t at;

	memset(x, 0, sizeof(*x));
	if (pkt_parse_head(ip, len, &o) != PKT_OK)
		return;
	x->id = o.id;
	x->fragment = o.fragment;
	x->first = !o.fragment || o.frag_off == 0;
	x->icmp = o.proto == IPPROTO_ICMP || o.proto == IPPROTO_ICMPV6;
	x->ours = x->icmp && x->first && is_probe(&o, pr);
	if (o.proto != IPPROTO_UDP)
		return;
	x->tunnel = true; /* refined below for the piece that shows its ports */
	if (!x->first)
		return;
	if (!o.l4 || (o.sport != 1234 && o.dport != 1234)) {
		x->tunnel = false;
		return;
	}
	at = o.ip_hlen + MTU_UDP_HDR + (size_t)mode_overhead;
	if (len <= at || pkt_parse_head(ip + at, len - at, &in) != PKT_OK)
		return;
	x->inner_id = in.id;
	x->inner_frag = in.fragment;
	x->inner_ours = (!in.fragment || in.frag_off == 0) && is_probe(&in, pr);
}

static bool has(const uint16_t *ids, int n, uint16_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void count_fragments(struct capture *c, const struct prober *pr, int mode_overhead,
		     struct frag_link *out)
{
	static struct piece pieces[PIECES];
	uint16_t direct[PIECES], inner[PIECES], outer[PIECES];
	int n = 0, nd = 0, ni = 0, no = 0;
	const uint8_t *ip;
	size_t len;

	while (n < PIECES && capture_next(c, &ip, &len, NULL) == 1)
		piece_inspect(ip, len, pr, mode_overhead, &pieces[n++]);
	/* The identifications that mark the probe's own pieces, then the datagrams carrying them.
	 */
	for (int i = 0; i < n; i++) {
		if (pieces[i].ours && pieces[i].fragment)
			direct[nd++] = pieces[i].id;
		if (pieces[i].inner_ours && pieces[i].inner_frag)
			inner[ni++] = pieces[i].inner_id;
	}
	for (int i = 0; i < n; i++) {
		struct piece *x = &pieces[i];
		bool carries = x->tunnel && x->first &&
			       (x->inner_ours || (x->inner_frag && has(inner, ni, x->inner_id)));

		if (carries && x->fragment)
			outer[no++] = x->id;
		if (carries && x->inner_frag)
			out->inner = true;
		if (x->ours || carries)
			out->packets++;
	}
	/* The later fragments: of the probe itself, or of a datagram that carries it. */
	for (int i = 0; i < n; i++) {
		struct piece *x = &pieces[i];

		if (x->first || !x->fragment)
			continue;
		if (x->icmp && has(direct, nd, x->id))
			out->packets++;
		else if (x->tunnel && has(outer, no, x->id)) {
			out->packets++;
			out->outer = true;
		}
	}
}
