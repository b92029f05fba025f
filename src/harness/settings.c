#include "settings.h"
#include "commands.h"
#include "firewall.h"
#include "lib/netns.h"
#include "lib/qdisc.h"
#include "reorder.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->block_icmp = -1;
	s->udp_timeout = -1;
	s->reorder = -1;
}

/* PCT or PCT,TIME: how much the delay line holds back, and for how long. */
static int take_reorder(struct settings *s, const char *arg, char *err, size_t errlen)
{
	char pct[32];
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	s->reorder_hold_ns = REORDER_DEFAULT_HOLD;
	if (n >= sizeof(pct) ||
	    (snprintf(pct, sizeof(pct), "%.*s", (int)n, arg), parse_percent(pct, &s->reorder))) {
		snprintf(err, errlen, "--reorder '%s': '%.*s' is not a percentage from 0 to 100",
			 arg, (int)n, arg);
		return -1;
	}
	if (comma && (parse_duration(comma + 1, &s->reorder_hold_ns) ||
		      s->reorder_hold_ns > 1000000000ull || !s->reorder_hold_ns)) {
		snprintf(err, errlen, "--reorder '%s': '%s' is not a time from 1us to 1s", arg,
			 comma + 1);
		return -1;
	}
	return 1;
}

static int parse_number(const char *s, double *v, const char **unit)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || !isfinite(*v) || *v < 0)
		return -1;
	*unit = end;
	return 0;
}

struct unit {
	const char *name;
	double scale;
};

/* A number with one of the units, scaled, within [lo, hi]; -1 otherwise. */
static int scaled(const char *s, const struct unit *units, size_t n, double lo, double hi,
		  double *out)
{
	const char *unit;
	double v;

	if (parse_number(s, &v, &unit))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(unit, units[i].name)) {
			*out = v * units[i].scale;
			return *out >= lo && *out <= hi ? 0 : -1;
		}
	return -1;
}

int parse_duration(const char *s, uint64_t *ns)
{
	static const struct unit units[] = {
	    {"", 1e6}, {"ms", 1e6}, {"s", 1e9}, {"us", 1e3}, {"ns", 1}};
	double v;

	if (scaled(s, units, sizeof(units) / sizeof(units[0]), 0, 60e9, &v))
		return -1;
	*ns = (uint64_t)(v + 0.5);
	return 0;
}

int parse_percent(const char *s, double *pct)
{
	const char *unit;
	double v;

	if (parse_number(s, &v, &unit) || (*unit && strcmp(unit, "%")) || v > 100)
		return -1;
	*pct = v;
	return 0;
}

int parse_rate(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
	    {"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}};
	const char *unit;
	double bits;

	/* A bare zero means no limit; any other rate needs its unit. */
	if (parse_number(s, &bits, &unit) == 0 && bits == 0 && !*unit) {
		*bytes = 0;
		return 0;
	}
	if (scaled(s, units, sizeof(units) / sizeof(units[0]), 8000, 400e9, &bits))
		return -1;
	*bytes = (uint64_t)(bits / 8 + 0.5);
	return 0;
}

static int take_mtu(const char *flag, const char *arg, int *out, char *err, size_t errlen)
{
	long v;

	if (parse_whole(arg, 576, 9000, &v)) {
		snprintf(err, errlen, "%s '%s' is not an MTU from 576 to 9000", flag, arg);
		return -1;
	}
	*out = (int)v;
	return 1;
}

static int take_seconds(const char *flag, const char *arg, int *out, char *err, size_t errlen)
{
	long v;

	if (parse_whole(arg, 0, 3600, &v)) {
		snprintf(err, errlen, "%s '%s' is not a number of seconds from 0 to 3600", flag,
			 arg);
		return -1;
	}
	*out = (int)v;
	return 1;
}

int settings_option(struct settings *s, int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case 'W':
		return take_mtu("--wan-mtu", arg, &s->wan_mtu, err, errlen);
	case 'O':
		return take_mtu("--office-mtu", arg, &s->office_mtu, err, errlen);
	case 'T':
		return take_mtu("--tun-mtu", arg, &s->tun_mtu, err, errlen);
	case 'B':
		s->block_icmp = 1;
		return 1;
	case 'A':
		s->block_icmp = 0;
		return 1;
	case 'P':
		s->no_pmtu = true;
		return 1;
	case 'D':
		s->impair = true;
		if (!s->impair_flag)
			s->impair_flag = "--delay";
		s->delay_set = true;
		if (parse_duration(arg, &s->delay_ns) == 0)
			return 1;
		snprintf(err, errlen, "--delay '%s' is not a time such as 20ms (at most 60s)", arg);
		return -1;
	case 'S':
		s->impair = true;
		if (!s->impair_flag)
			s->impair_flag = "--loss";
		if (parse_percent(arg, &s->loss) == 0)
			return 1;
		snprintf(err, errlen, "--loss '%s' is not a percentage from 0 to 100", arg);
		return -1;
	case 'U':
		return take_seconds("--udp-timeout", arg, &s->udp_timeout, err, errlen);
	case 'N':
		s->nat_rebind = true;
		return 1;
	case 'Q':
		return take_reorder(s, arg, err, errlen);
	case 'R':
		s->impair = true;
		if (!s->impair_flag)
			s->impair_flag = "--rate";
		if (parse_rate(arg, &s->rate) == 0)
			return 1;
		snprintf(err, errlen, "--rate '%s' is not a rate such as 10mbit (8kbit to 400gbit)",
			 arg);
		return -1;
	}
	return 0;
}

static void note(const struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct lab *lab, const char *fmt, ...)
{
	va_list ap;

	if (lab->json)
		return;
	printf("  %s✓%s ", term_c(&lab->term, C_GREEN), term_c(&lab->term, C_RESET));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int link_mtu(const struct lab *lab, struct nl *nl, int n, const char *ifname, int mtu,
		    char *err, size_t errlen)
{
	struct nl_link l;
	char ns[64];
	int rc;

	lab_ns(lab, n, ns, sizeof(ns));
	rc = nl_link_get(nl, ifname, 0, &l);
	if (!rc) {
		lab_explain(lab, "ip -n %s link set %s mtu %d", ns, ifname, mtu);
		rc = nl_link_set(nl, l.index, true, mtu);
	}
	if (rc)
		snprintf(err, errlen, "cannot set the MTU of %s:%s to %d: %s", lab_name(lab, n),
			 ifname, mtu, strerror(-rc));
	return rc ? -1 : 0;
}

/* Both ends of a link get the MTU, as on a real PPPoE or mobile link. */
static int pair_mtu(const struct lab *lab, struct nl *nl, int a, const char *aif, int b,
		    const char *bif, int mtu, char *err, size_t errlen)
{
	if (link_mtu(lab, &nl[a], a, aif, mtu, err, errlen) ||
	    link_mtu(lab, &nl[b], b, bif, mtu, err, errlen))
		return -1;
	return 0;
}

/* Both ends of one link: node a's interface aif and node b's bif. */
struct link_ends {
	int a, b;
	const char *aif, *bif;
};

/* The ends of the link on node's interface iface; -1 when it is on none. */
static int ends_of(const struct lab *lab, int node, int iface, struct link_ends *l)
{
	const struct topo *t = &lab->topo;
	int peer = -1, pif = iface >= 0 ? lab_iface_peer(t, node, iface, &peer) : -1;

	if (pif < 0)
		return -1;
	*l = (struct link_ends){.a = node,
				.b = peer,
				.aif = t->nodes[node].ifaces[iface].name,
				.bif = t->nodes[peer].ifaces[pif].name};
	return 0;
}

/*
 * The home WAN is the link the NAT masquerades out of, both its ends: on
 * cgnat that is the home router and the carrier, not the internet node,
 * which no link joins to the home router.  A NAT node that names no
 * masquerade has its WAN on its link to the internet node, if one joins them.
 */
static int wan_link(const struct lab *lab, struct link_ends *l, char *err, size_t errlen)
{
	const struct topo *t = &lab->topo;
	int nat = lab_role(lab, ROLE_NAT), net = lab_role(lab, ROLE_INTERNET), i = -1;
	const struct topo_node *n = &t->nodes[nat];

	for (size_t k = 0; n->masquerade && k < n->nifaces; k++)
		if (!strcmp(n->ifaces[k].name, n->masquerade))
			i = (int)k;
	if (!n->masquerade && net >= 0)
		i = lab_iface_toward(t, nat, net);
	if (ends_of(lab, nat, i, l) == 0)
		return 0;
	if (n->masquerade)
		snprintf(err, errlen,
			 "--wan-mtu: %s masquerades out of %s, which is on no link of the lab",
			 n->name, n->masquerade);
	else
		snprintf(err, errlen,
			 "--wan-mtu: %s (role 'nat') masquerades out of no interface, and no link "
			 "joins it to the 'internet' role's node",
			 n->name);
	return -1;
}

/* The office uplink: the link that joins the internet node and the server, or none. */
static int office_link(const struct lab *lab, struct link_ends *l, char *err, size_t errlen)
{
	int net = lab_role(lab, ROLE_INTERNET), server = lab_role(lab, ROLE_SERVER);

	if (ends_of(lab, net, lab_iface_toward(&lab->topo, net, server), l) == 0)
		return 0;
	snprintf(err, errlen,
		 "--office-mtu: no link joins %s (role 'internet') and %s (role 'server')",
		 lab_name(lab, net), lab_name(lab, server));
	return -1;
}

static int link_both(const struct lab *lab, struct nl *nl, const struct link_ends *l,
		     const char *what, int mtu, char *err, size_t errlen)
{
	if (pair_mtu(lab, nl, l->a, l->aif, l->b, l->bif, mtu, err, errlen))
		return -1;
	note(lab, "%s MTU %d (%s:%s, %s:%s)", what, mtu, lab_name(lab, l->a), l->aif,
	     lab_name(lab, l->b), l->bif);
	return 0;
}

/* What a setting acts on, by role: one line naming the flag and every role the lab lacks. */
static int need(const struct lab *lab, const char *flag, unsigned int roles, char *err,
		size_t errlen)
{
	char line[400] = "";
	size_t len = 0, missing = 0, left = 0;

	for (int r = 0; r < ROLE_COUNT; r++)
		left += (roles & (1u << r)) && lab_role(lab, (enum topo_role)r) < 0;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(roles & (1u << r)) || lab_role(lab, (enum topo_role)r) >= 0)
			continue;
		left--;
		len += (size_t)snprintf(
		    line + len, len < sizeof(line) ? sizeof(line) - len : 0, "%s'%s' role (%s)",
		    !missing++ ? "the "
		    : left     ? ", the "
			       : " and the ",
		    topo_role_name((enum topo_role)r), lab_role_what((enum topo_role)r));
	}
	if (!missing)
		return 0;
	snprintf(
	    err, errlen,
	    "%s needs %s, which lab '%s' does not name; name %s under 'roles:' in the lab file",
	    flag, line, lab->name, missing > 1 ? "them" : "it");
	return -1;
}

/* The internet node's two sides, toward the NAT and toward the server, as the routes go. */
static int internet_sides(const struct lab *lab, const char *flag, const char *side[2], char *err,
			  size_t errlen)
{
	int net = lab_role(lab, ROLE_INTERNET);
	const int to[2] = {lab_role(lab, ROLE_NAT), lab_role(lab, ROLE_SERVER)};

	for (int k = 0; k < 2; k++) {
		side[k] = lab_uplink(lab, net, to[k]);
		if (!side[k]) {
			snprintf(err, errlen, "%s: no link leads from %s (role 'internet') to %s",
				 flag, lab_name(lab, net), lab_name(lab, to[k]));
			return -1;
		}
	}
	return 0;
}

#define R(x) (1u << ROLE_##x)

int settings_check(const struct lab *lab, const struct settings *s, bool running, char *err,
		   size_t errlen)
{
	const unsigned int across = R(INTERNET) | R(NAT) | R(SERVER);
	const char *impair = s->impair_flag ? s->impair_flag : "--delay";
	const char *side[2];
	struct link_ends l;

	if (s->block_icmp >= 0 && need(lab, s->block_icmp ? "--block-icmp" : "--allow-icmp",
				       R(NAT) | R(INTERNET), err, errlen))
		return -1;
	if (s->wan_mtu &&
	    (need(lab, "--wan-mtu", R(NAT), err, errlen) || wan_link(lab, &l, err, errlen)))
		return -1;
	if (s->office_mtu && (need(lab, "--office-mtu", R(INTERNET) | R(SERVER), err, errlen) ||
			      office_link(lab, &l, err, errlen)))
		return -1;
	if (s->tun_mtu && running && need(lab, "--tun-mtu", R(CLIENT) | R(SERVER), err, errlen))
		return -1;
	if (s->impair && (need(lab, impair, across, err, errlen) ||
			  internet_sides(lab, impair, side, err, errlen)))
		return -1;
	if (s->udp_timeout >= 0 && need(lab, "--udp-timeout", R(NAT), err, errlen))
		return -1;
	if (s->nat_rebind && need(lab, "--nat-rebind", R(NAT), err, errlen))
		return -1;
	if (s->reorder >= 0 && (need(lab, "--reorder", across, err, errlen) ||
				internet_sides(lab, "--reorder", side, err, errlen)))
		return -1;
	return 0;
}

static void describe(const struct settings *s, char *out, size_t cap)
{
	int n =
	    snprintf(out, cap, "delay %.3g ms, loss %.3g%%", (double)s->delay_ns / 1e6, s->loss);

	if (s->rate && n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, ", rate %.4g Mbit/s", (double)s->rate * 8 / 1e6);
}

/* netem where the kernel has it; otherwise nftables for loss and TBF for rate. */
static int impair_link(const struct lab *lab, struct nl *nl, const char *ifname,
		       const struct settings *s, bool *fallback, char *err, size_t errlen)
{
	struct netem n = {.delay_ns = s->delay_ns, .loss = s->loss, .rate = s->rate};
	struct nl_link l;
	char ns[64], what[128];
	int rc = nl_link_get(nl, ifname, 0, &l);

	lab_ns(lab, lab_role(lab, ROLE_INTERNET), ns, sizeof(ns));
	if (!rc && !s->delay_ns && s->loss == 0 && !s->rate) {
		lab_explain(lab, "ip netns exec %s tc qdisc del dev %s root", ns, ifname);
		rc = qdisc_clear(nl, l.index);
	} else if (!rc) {
		describe(s, what, sizeof(what));
		lab_explain(lab, "ip netns exec %s tc qdisc replace dev %s root netem  # %s", ns,
			    ifname, what);
		rc = qdisc_netem(nl, l.index, &n);
		if (rc == -ENOENT) {
			/* Delay comes from the delay line then (see apply_impairments),
			 * which holds a packet for at most a second. */
			if (s->delay_ns > 1000000000ull) {
				snprintf(err, errlen,
					 "--delay over 1s needs the netem qdisc, which this kernel "
					 "lacks (CONFIG_NET_SCH_NETEM); without it, 1s at most");
				return -1;
			}
			*fallback = true;
			rc = s->rate ? qdisc_tbf(nl, l.index, s->rate) : qdisc_clear(nl, l.index);
		}
	}
	if (rc)
		snprintf(err, errlen, "cannot impair %s:%s: %s",
			 lab_name(lab, lab_role(lab, ROLE_INTERNET)), ifname, strerror(-rc));
	return rc ? -1 : 0;
}

static int apply_impairments(const struct lab *lab, struct nl *nl, const struct settings *s,
			     char *err, size_t errlen)
{
	int net = lab_role(lab, ROLE_INTERNET);
	bool fallback = false;
	const char *side[2];
	char what[128];

	/* The internet's two sides: toward the NAT and toward the server. */
	if (internet_sides(lab, "--delay", side, err, errlen) ||
	    impair_link(lab, &nl[net], side[0], s, &fallback, err, errlen) ||
	    impair_link(lab, &nl[net], side[1], s, &fallback, err, errlen))
		return -1;
	/* Without netem, loss is an nftables rule in the internet router. */
	if (fallback || s->loss == 0)
		if (firewall_loss(lab, lab_role(lab, ROLE_INTERNET), fallback ? s->loss : 0, err,
				  errlen))
			return -1;
	/* And delay is the delay line holding every packet; --delay 0 stops it. */
	if (s->delay_set && (fallback || !s->delay_ns))
		if (reorder_apply(lab, &nl[lab_role(lab, ROLE_INTERNET)], s->delay_ns ? 100 : 0,
				  s->delay_ns, err, errlen))
			return -1;
	describe(s, what, sizeof(what));
	if (!s->delay_ns && s->loss == 0 && !s->rate)
		note(lab, "%s links: no delay, loss or rate limit", lab_name(lab, net));
	else
		note(lab, "%s links: %s%s", lab_name(lab, net), what,
		     fallback
			 ? " (no netem in this kernel: delay by a delay line, loss by nftables, "
			   "rate by tbf)"
			 : " (netem)");
	return 0;
}

/*
 * The router forgets an idle UDP mapping after nf_conntrack_udp_timeout, or
 * after the _stream timeout once replies have been seen.  Both change, so
 * the lesson's short timeout holds whatever the flow did before.
 */
static int udp_timeout(const struct lab *lab, int secs, char *err, size_t errlen)
{
	static const char *const keys[] = {"net.netfilter.nf_conntrack_udp_timeout",
					   "net.netfilter.nf_conntrack_udp_timeout_stream"};
	const int defaults[] = {30, 120};
	char ns[64], value[16];
	int fd, rc = 0;

	fd = netns_open(lab_ns(lab, lab_role(lab, ROLE_NAT), ns, sizeof(ns)));
	if (fd < 0) {
		snprintf(err, errlen, "cannot enter namespace %s: %s", ns, netns_error(fd));
		return -1;
	}
	for (int i = 0; i < 2 && !rc; i++) {
		snprintf(value, sizeof(value), "%d", secs ? secs : defaults[i]);
		lab_explain(lab, "ip netns exec %s sysctl -qw %s=%s", ns, keys[i], value);
		rc = netns_sysctl(fd, keys[i], value);
		if (rc)
			snprintf(err, errlen, "sysctl %s in %s: %s", keys[i], ns, strerror(-rc));
	}
	close(fd);
	if (!rc && secs)
		note(lab, "%s forgets an idle UDP mapping after %d s",
		     lab_name(lab, lab_role(lab, ROLE_NAT)), secs);
	else if (!rc)
		note(lab, "%s's UDP mappings time out as the kernel's defaults say (30 s, 120 s)",
		     lab_name(lab, lab_role(lab, ROLE_NAT)));
	return rc ? -1 : 0;
}

/*
 * A NAT that reboots or runs out of ports: every mapping is forgotten and
 * the next packet out gets a new public port, so the server sees the laptop
 * come from somewhere new.  The masquerade moves to a port range that the
 * old mapping could not have used, which makes the change certain.
 */
static int nat_rebind(const struct lab *lab, char *err, size_t errlen)
{
	int nat = lab_role(lab, ROLE_NAT);
	const char *wan = nat >= 0 ? lab->topo.nodes[nat].masquerade : NULL;
	char ns[64];
	int fd, rc, lo;

	if (!wan) {
		snprintf(err, errlen, "--nat-rebind needs a nat node that masquerades");
		return -1;
	}
	lo = nat_masquerade_range(lab, nat, wan, -1, err, errlen);
	if (lo < 0)
		return -1;
	fd = netns_open(lab_ns(lab, lab_role(lab, ROLE_NAT), ns, sizeof(ns)));
	if (fd < 0) {
		snprintf(err, errlen, "cannot enter namespace %s: %s", ns, netns_error(fd));
		return -1;
	}
	lab_explain(lab, "ip netns exec %s conntrack --flush", ns);
	rc = nl_conntrack_flush(fd);
	close(fd);
	if (rc) {
		snprintf(err, errlen, "cannot flush the conntrack table of %s: %s", ns,
			 strerror(-rc));
		return -1;
	}
	note(lab, "%s forgot its NAT mappings; new ones use ports %d-%d", lab_name(lab, nat), lo,
	     lo + NAT_RANGE_PORTS - 1);
	return 0;
}

int settings_apply(const struct lab *lab, struct nl *nl, const struct settings *s, bool running,
		   char *err, size_t errlen)
{
	struct link_ends l;

	/* Everything is checked before anything changes. */
	if (settings_check(lab, s, running, err, errlen))
		return -1;
	if (s->wan_mtu && (wan_link(lab, &l, err, errlen) ||
			   link_both(lab, nl, &l, "home WAN", s->wan_mtu, err, errlen)))
		return -1;
	if (s->office_mtu && (office_link(lab, &l, err, errlen) ||
			      link_both(lab, nl, &l, "office uplink", s->office_mtu, err, errlen)))
		return -1;
	if (s->tun_mtu && running) {
		if (link_mtu(lab, &nl[lab_role(lab, ROLE_CLIENT)], lab_role(lab, ROLE_CLIENT),
			     "tun0", s->tun_mtu, err, errlen) ||
		    link_mtu(lab, &nl[lab_role(lab, ROLE_SERVER)], lab_role(lab, ROLE_SERVER),
			     "tun0", s->tun_mtu, err, errlen))
			return -1;
		note(lab, "tunnel MTU %d on both tun0 devices", s->tun_mtu);
	}
	if (s->block_icmp >= 0) {
		if (firewall_block_icmp(lab, lab_role(lab, ROLE_NAT), s->block_icmp, err, errlen) ||
		    firewall_block_icmp(lab, lab_role(lab, ROLE_INTERNET), s->block_icmp, err,
					errlen))
			return -1;
		note(lab, "ICMP \"too big\" %s in %s and %s",
		     s->block_icmp ? "dropped" : "allowed again",
		     lab_name(lab, lab_role(lab, ROLE_NAT)),
		     lab_name(lab, lab_role(lab, ROLE_INTERNET)));
	}
	if (s->impair && apply_impairments(lab, nl, s, err, errlen))
		return -1;
	if (s->udp_timeout >= 0 && udp_timeout(lab, s->udp_timeout, err, errlen))
		return -1;
	if (s->nat_rebind && nat_rebind(lab, err, errlen))
		return -1;
	if (s->reorder >= 0) {
		if (reorder_apply(lab, &nl[lab_role(lab, ROLE_INTERNET)], s->reorder,
				  s->reorder_hold_ns, err, errlen))
			return -1;
		if (s->reorder > 0)
			note(lab, "%.3g%% of what crosses %s held %.3g ms by a delay line",
			     s->reorder, lab_name(lab, lab_role(lab, ROLE_INTERNET)),
			     (double)s->reorder_hold_ns / 1e6);
		else
			note(lab, "no reordering on %s",
			     lab_name(lab, lab_role(lab, ROLE_INTERNET)));
	}
	return 0;
}
