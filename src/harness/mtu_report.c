/* The MTU probe's verdict, and how it is shown: an aligned report, or JSON. */
#include "mtu_probe.h"
#include "json_out.h"
#include "lib/mtu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void finding(struct probe_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void finding(struct probe_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nfindings == PROBE_FINDINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->findings[r->nfindings++], sizeof(r->findings[0]), fmt, ap);
	va_end(ap);
}

static const char *who(const struct lab *lab, const char *addr, char *out, size_t cap)
{
	const char *node = lab_who(lab, addr);

	snprintf(out, cap, node ? "%s (%s)" : "%s", addr, node ? node : "");
	return out;
}

/* Where an underlay limit sits: the hop whose search first came in lower. */
static void locate(struct probe_run *r, const struct path *p)
{
	char a[96], b[96];

	for (int i = 0; i < p->nhops; i++) {
		const struct hop *h = &p->hops[i];

		if (!h->s.icmp && !h->s.silence)
			continue;
		if (h->s.icmp && h->s.icmp_mtu == h->pmtu)
			finding(r,
				"%s reports a next-hop MTU of %d on the way to %s: the limit sits "
				"after hop %d",
				who(&r->lab, h->s.icmp_from, a, sizeof(a)), h->s.icmp_mtu,
				p->target, i);
		else if (h->s.silence)
			finding(r,
				"packets over %d bytes to %s vanish without an ICMP answer between "
				"hop %d, %s, and hop %d: a black hole",
				h->pmtu, p->target, i,
				i ? who(&r->lab, p->hops[i - 1].addr, a, sizeof(a)) : "here",
				h->ttl);
		(void)b;
		return;
	}
}

static bool fragmented_on_the_way(const struct path *p, const struct frag_probe *f,
				  const struct frag_link **where)
{
	int first = f->nlinks ? f->links[0].packets : 0;

	for (int i = 0; i < f->nlinks; i++)
		if (f->links[i].outer || (first == 1 && f->links[i].packets > 1)) {
			*where = &f->links[i];
			return f->size <= p->first_mtu;
		}
	return false;
}

/* The figures the measurements are held against: what fits, and what should cross. */
static void arithmetic(struct probe_run *r, const struct path *under)
{
	r->underlay_mtu = under->s.largest;
	r->allowed = mtu_compute(under->s.largest, r->outer_version, r->mode_overhead, &r->calc);
	r->largest = mtu_largest_inner(r->allowed, r->tun_mtu, r->padding);
}

void mtu_analyse(struct probe_run *r)
{
	const struct path *under = NULL, *tun = NULL;
	bool broken = false, hole = false, frag = false, high = false, differs = false;
	bool under_frag = false;
	int mtu;
	const struct frag_link *where;

	for (int i = 0; i < r->npaths; i++) {
		const struct path *p = &r->paths[i];

		if (p->broken) {
			broken = true;
			finding(r, "%s", p->why);
			continue;
		}
		if (p->tunnel && !tun)
			tun = p;
		if (!p->tunnel && !under)
			under = p;
		for (int f = 0; f < p->nfrags; f++)
			if (fragmented_on_the_way(p, &p->frags[f], &where)) {
				*(p->tunnel ? &frag : &under_frag) = true;
				finding(
				    r,
				    "a %d-byte packet to %s arrives, but in %d fragments on %s%s",
				    p->frags[f].size, p->target, where->packets, where->link,
				    where->outer ? " (the tunnel's datagram was fragmented)" : "");
			}
	}
	if (under) {
		arithmetic(r, under);
		locate(r, under);
	}
	high = r->tun_mtu && r->allowed && r->tun_mtu > r->allowed;
	/*
	 * A black hole or fragmentation on the underlay harms the tunnel only if
	 * its datagrams can be that big; a right tunnel MTU is the fix for both.
	 */
	if ((under && under->s.method == BY_SILENCE) || under_frag) {
		if (r->tun_mtu && r->allowed && !high) {
			finding(r,
				"tun0's MTU of %d keeps the tunnel's datagrams within %d bytes: "
				"the underlay's limit does not touch them",
				r->tun_mtu, r->underlay_mtu);
		} else {
			hole = under->s.method == BY_SILENCE;
			frag |= under_frag;
		}
	}
	if (tun && tun->s.method == BY_SILENCE) {
		hole = true;
		finding(r,
			"inner packets over %d bytes vanish in the tunnel: its datagrams meet the "
			"black hole",
			tun->s.largest);
	}
	if (high)
		finding(r, "tun0's MTU is %d, but a %d-byte underlay path leaves room for %d",
			r->tun_mtu, r->underlay_mtu, r->allowed);
	if (tun && tun->s.method == BY_ICMP && tun->s.largest < r->tun_mtu) {
		char a[96];

		high |= !r->allowed; /* with no underlay figure, this is the only sign */
		finding(r,
			"the tunnel answers inner packets over %d with ICMP \"too big\" (as %s), "
			"so TCP adapts; traffic that ignores ICMP is lost",
			tun->s.largest, who(&r->lab, tun->s.icmp_from, a, sizeof(a)));
	}
	if (tun && r->allowed && tun->s.largest != r->largest) {
		differs = true;
		finding(r, "through the tunnel %d bytes got through, but the arithmetic says %d",
			tun->s.largest, r->largest);
	}
	if (r->padding && r->tunnel_mtu && r->tun_mtu && r->tunnel_mtu != r->tun_mtu)
		finding(r, "the tunnel still pads up to an MTU of %d, but tun0's is %d",
			r->tunnel_mtu, r->tun_mtu);
	if (tun && tun->remembered && tun->remembered < tun->s.largest)
		finding(r,
			"%s's kernel still remembers a path MTU of %d toward %s from an earlier "
			"ICMP: larger DF packets fail at once, until it expires or `ip netns exec "
			"%s ip route flush cache`",
			r->from, tun->remembered, tun->target, r->ns);
	/* Down to what the path allows; or, if tun0 is within it, to what crossed. */
	if (r->allowed && (!r->tun_mtu || r->tun_mtu > r->allowed))
		r->fix_mtu = r->allowed;
	else if (tun && tun->s.largest < r->tun_mtu)
		r->fix_mtu = tun->s.largest;
	/* After the fix as before it: a tunnel this small carries no IPv6. */
	mtu = r->fix_mtu ? r->fix_mtu : r->tun_mtu;
	if (mtu && mtu < MTU_MIN_IPV6 && r->have_tunnel)
		finding(r,
			"a tunnel MTU of %d is below IPv6's minimum of 1280: IPv6 cannot cross "
			"this tunnel",
			mtu);
	r->verdict = broken    ? "unreachable"
		     : hole    ? "black hole"
		     : frag    ? "fragmenting"
		     : high    ? "MTU too high"
		     : differs ? "inconsistent"
			       : "consistent";
}

static void print_hops(const struct probe_run *r, const struct path *p)
{
	const struct term *t = &r->lab.term;
	char a[96], b[96];

	printf("  %s%4s  %-32s %8s  %s%s\n", term_c(t, C_DIM), "hop", "answered by", "path MTU",
	       "how it is known", term_c(t, C_RESET));
	for (int i = 0; i < p->nhops; i++) {
		const struct hop *h = &p->hops[i];

		printf("  %4d  %-32s %8d  ", h->ttl, who(&r->lab, h->addr, a, sizeof(a)), h->pmtu);
		if (h->s.icmp)
			printf("ICMP from %s: next-hop MTU %d\n",
			       who(&r->lab, h->s.icmp_from, b, sizeof(b)), h->s.icmp_mtu);
		else if (h->s.silence)
			printf("%sno answer above %d: silence%s\n", term_c(t, C_RED), h->pmtu,
			       term_c(t, C_RESET));
		else
			printf("%s at %d\n", h->s.reached ? "echo reply" : "time exceeded",
			       h->pmtu);
	}
}

static const char *how(const struct lab *lab, const struct path *p, char *out, size_t cap)
{
	const struct search *s = &p->s;
	char a[96];

	switch (s->method) {
	case BY_ICMP:
		/* The tunnel speaks for the far end, from the far end's address. */
		if (p->tunnel && !strcmp(s->icmp_from, p->target))
			snprintf(out, cap, "reported by ICMP from the tunnel itself, as %s",
				 s->icmp_from);
		else
			snprintf(out, cap, "reported by ICMP from %s",
				 who(lab, s->icmp_from, a, sizeof(a)));
		break;
	case BY_SILENCE:
		snprintf(out, cap, "inferred from silence: a black hole");
		break;
	case BY_REPLY:
		snprintf(out, cap, "the first hop's full MTU got a reply");
		break;
	case BY_LOCAL:
		snprintf(out, cap, "the local stack would send no more");
		break;
	case BY_NOTHING:
		snprintf(out, cap, "nothing got through");
		break;
	}
	return out;
}

static void print_path(const struct probe_run *r, const struct path *p)
{
	const struct term *t = &r->lab.term;
	char a[96], h[160];

	printf("\n%s%s%s %s via %s, first-hop MTU %d\n", term_c(t, C_BOLD),
	       p->tunnel ? "tunnel:  " : "underlay:", term_c(t, C_RESET),
	       who(&r->lab, p->target, a, sizeof(a)), p->via, p->first_mtu);
	if (p->broken) {
		printf("  %s%s%s\n", term_c(t, C_RED), p->why, term_c(t, C_RESET));
		return;
	}
	if (p->nhops)
		print_hops(r, p);
	printf("  largest DF ping payload %s%d%s -> path MTU %d (%s)\n", term_c(t, C_BOLD),
	       mtu_ping_payload(p->s.largest, p->version), term_c(t, C_RESET), p->s.largest,
	       how(&r->lab, p, h, sizeof(h)));
	for (int f = 0; f < p->nfrags; f++) {
		const struct frag_probe *fp = &p->frags[f];

		printf("  %d bytes without DF: %s\n", fp->size,
		       fp->arrived ? "arrives; pieces on each link:" : "lost; pieces seen:");
		for (int i = 0; i < fp->nlinks; i++) {
			const char *what = fp->links[i].outer ? "the tunnel's datagram, fragmented"
					   : fp->links[i].inner
					       ? "inner fragments, each in its own datagram"
					       : NULL;

			if (what)
				printf("  %8d on %-22s %s\n", fp->links[i].packets,
				       fp->links[i].link, what);
			else
				printf("  %8d on %s\n", fp->links[i].packets, fp->links[i].link);
		}
	}
}

static void row(const struct probe_run *r, int value, const char *what, const char *mark)
{
	const struct term *t = &r->lab.term;

	if (!mark) {
		printf("  %6d  %s\n", value, what);
		return;
	}
	printf("  %6d  %-58s %s%s%s\n", value, what,
	       term_c(t, mark && mark[0] == 'x' ? C_RED : C_GREEN), mark ? mark : "",
	       term_c(t, C_RESET));
}

/* An explanation under its row; a long one breaks after its first colon. */
static void note(const char *text)
{
	const char *colon = strstr(text, ": ");

	if (strlen(text) <= 70 || !colon)
		printf("          %s\n", text);
	else
		printf("          %.*s\n            %s\n", (int)(colon - text + 1), text,
		       colon + 2);
}

static void print_arithmetic(const struct probe_run *r)
{
	char line[160];

	if (!r->underlay_mtu)
		return;
	printf("\n%sarithmetic%s\n", term_c(&r->lab.term, C_BOLD), term_c(&r->lab.term, C_RESET));
	row(r, r->underlay_mtu, "underlay path MTU, measured", NULL);
	row(r, r->allowed, "tunnel MTU the path allows:", NULL);
	mtu_explain(&r->calc, r->have_tunnel ? r->mode_what : "tunnel", line, sizeof(line));
	note(line);
	if (r->tun_mtu)
		row(r, r->tun_mtu, "tun0 MTU, as set",
		    r->tun_mtu > r->allowed    ? "x too high"
		    : r->tun_mtu == r->allowed ? "ok"
					       : "ok, lower");
	row(r, r->largest, "largest inner packet that crosses:", NULL);
	mtu_explain_largest(r->allowed, r->tun_mtu, r->padding, line, sizeof(line));
	note(line);
	for (int i = 0; i < r->npaths; i++) {
		const struct path *p = &r->paths[i];
		if (!p->tunnel || p->broken)
			continue;
		snprintf(line, sizeof(line),
			 "= %d - %d (inner IPv%d) - %d (ICMP): largest inner ping", r->largest,
			 mtu_ip_header(p->version), p->version, MTU_ICMP_HDR);
		row(r, mtu_ping_payload(r->largest, p->version), line, NULL);
		row(r, mtu_ping_payload(p->s.largest, p->version), "largest inner ping, measured",
		    p->s.largest == r->largest ? "ok" : "x differs");
	}
}

static void print_text(const struct probe_run *r)
{
	const struct term *t = &r->lab.term;
	bool ok = !strcmp(r->verdict, "consistent");

	printf("MTU probe from %s, lab '%s'", r->from, r->lab.name);
	if (r->have_tunnel)
		printf(", tunnel in %s mode over IPv%d", r->mode, r->outer_version);
	printf("\n");
	for (int i = 0; i < r->npaths; i++)
		print_path(r, &r->paths[i]);
	print_arithmetic(r);
	if (r->nfindings) {
		printf("\n%sfindings%s\n", term_c(t, C_BOLD), term_c(t, C_RESET));
		for (int i = 0; i < r->nfindings; i++)
			printf("  - %s\n", r->findings[i]);
	}
	printf("\n%sverdict:%s %s%s%s\n", term_c(t, C_BOLD), term_c(t, C_RESET),
	       term_c(t, ok ? C_GREEN : C_RED), r->verdict, term_c(t, C_RESET));
	if (!ok && r->fix_mtu) {
		if (r->padding)
			printf("fix:     set the tunnel MTU to %d (MTU = %d in [Interface]; in the "
			       "lab: harness set --tun-mtu %d)\n",
			       r->fix_mtu, r->fix_mtu, r->fix_mtu);
		else
			printf("fix:     set the tunnel MTU to %d (tunnel --mtu %d; in the lab: "
			       "harness set --tun-mtu %d)\n",
			       r->fix_mtu, r->fix_mtu, r->fix_mtu);
		printf("         and clamp TCP MSS to %d for IPv4, %d for IPv6:\n",
		       mtu_mss(r->fix_mtu, 4), mtu_mss(r->fix_mtu, 6));
		printf("         nft add rule inet filter forward tcp flags syn tcp option maxseg "
		       "size set %d\n",
		       mtu_mss(r->fix_mtu, 4));
	}
	printf("%s%d probes in %.2f s%s\n", term_c(t, C_DIM), r->probes, r->seconds,
	       term_c(t, C_RESET));
}

/* A search's figures, set into o: the path's own object, or a hop's. */
static void json_search(json_t *o, const struct lab *lab, const struct search *s)
{
	json_t *icmp = json_null();
	const char *who;

	if (s->icmp) {
		who = lab_who(lab, s->icmp_from);
		icmp = json_pack("{s:o, s:o, s:i}", "from", jout_text(s->icmp_from), "node",
				 jout_text(who ? who : ""), "mtu", s->icmp_mtu);
	}
	json_object_set_new(o, "largest", json_integer(s->largest));
	json_object_set_new(o, "method", json_string(method_name(s->method)));
	json_object_set_new(o, "icmp", icmp);
	json_object_set_new(o, "silence", json_boolean(s->silence));
}

static json_t *json_hops(const struct lab *lab, const struct path *p)
{
	json_t *hops = json_array();

	for (int i = 0; i < p->nhops; i++) {
		const char *who = lab_who(lab, p->hops[i].addr);
		json_t *h = json_pack("{s:i, s:o, s:o, s:i}", "hop", p->hops[i].ttl, "address",
				      jout_text(p->hops[i].addr), "node", jout_text(who ? who : ""),
				      "path_mtu", p->hops[i].pmtu);

		if (h)
			json_search(h, lab, &p->hops[i].s);
		json_array_append_new(hops, h);
	}
	return hops;
}

static json_t *json_fragments(const struct path *p)
{
	json_t *frags = json_array();

	for (int f = 0; f < p->nfrags; f++) {
		json_t *links = json_array();

		for (int i = 0; i < p->frags[f].nlinks; i++)
			json_array_append_new(links,
					      json_pack("{s:o, s:i, s:b, s:b}", "link",
							jout_text(p->frags[f].links[i].link),
							"packets", p->frags[f].links[i].packets,
							"outer", p->frags[f].links[i].outer,
							"inner", p->frags[f].links[i].inner));
		json_array_append_new(frags,
				      json_pack("{s:i, s:b, s:o}", "size", p->frags[f].size,
						"arrived", p->frags[f].arrived, "links", links));
	}
	return frags;
}

static json_t *json_path(const struct lab *lab, const struct path *p)
{
	json_t *o = json_pack("{s:o, s:s, s:o, s:i, s:b}", "target", jout_text(p->target), "kind",
			      p->tunnel ? "tunnel" : "underlay", "via", jout_text(p->via),
			      "first_hop_mtu", p->first_mtu, "reachable", !p->broken);

	if (!o)
		return NULL;
	if (p->broken) {
		json_object_set_new(o, "error", jout_text(p->why));
		return o;
	}
	json_object_set_new(o, "largest_payload",
			    json_integer(mtu_ping_payload(p->s.largest, p->version)));
	json_search(o, lab, &p->s);
	json_object_set_new(o, "hops", json_hops(lab, p));
	json_object_set_new(o, "fragments", json_fragments(p));
	return o;
}

static void print_json(const struct probe_run *r)
{
	json_t *paths = json_array(), *findings = json_array();

	for (int i = 0; i < r->npaths; i++)
		json_array_append_new(paths, json_path(&r->lab, &r->paths[i]));
	for (int i = 0; i < r->nfindings; i++)
		json_array_append_new(findings, jout_text(r->findings[i]));
	jout_print(json_pack("{s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o,"
			     " s:{s:i, s:i, s:i}, s:i, s:o}",
			     "lab", jout_text(r->lab.name), "from", jout_text(r->from), "mode",
			     jout_text(r->have_tunnel ? r->mode : ""), "tun_mtu", r->tun_mtu,
			     "underlay_mtu", r->underlay_mtu, "outer_ip",
			     r->underlay_mtu ? r->calc.outer_ip : 0, "mode_overhead",
			     r->mode_overhead, "padding", r->padding, "allowed_tunnel_mtu",
			     r->allowed, "largest_inner", r->underlay_mtu ? r->largest : 0, "paths",
			     paths, "findings", findings, "verdict", jout_text(r->verdict), "fix",
			     "tunnel_mtu", r->fix_mtu, "mss_ipv4",
			     r->fix_mtu ? mtu_mss(r->fix_mtu, 4) : 0, "mss_ipv6",
			     r->fix_mtu ? mtu_mss(r->fix_mtu, 6) : 0, "probes", r->probes,
			     "seconds", jout_fixed(r->seconds, 3)),
		   stdout);
}

void mtu_report(const struct probe_run *r)
{
	if (r->lab.json)
		print_json(r);
	else
		print_text(r);
}
