/*
 * harness mtu-probe: finds the path MTU of the underlay and of the tunnel
 * from a lab node, hop by hop where it can, checks the figures against the
 * arithmetic, and says what is wrong and how to fix it.
 */
#include "mtu_probe.h"
#include "lib/clock.h"
#include "commands.h"
#include "control.h"
#include "fragments.h"
#include "prober.h"
#include "state.h"
#include "lib/capture.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/packet.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness mtu-probe [--from NODE] [--to ADDR]... [--df on|off] [options]\n"
	      "\n"
	      "Finds the path MTU of the underlay and of the tunnel with DF-set ICMP echo\n"
	      "probes from a lab node, hop by hop on the underlay, checks the figures\n"
	      "against the MTU arithmetic, and gives a verdict and a fix.\n"
	      "\n"
	      "  --from NODE     where to probe from (default home-laptop)\n"
	      "  --to ADDR       a target; repeatable (default: the tunnel peer\n"
	      "                  172.31.255.13 and the underlay endpoint 203.0.113.10)\n"
	      "  --df on|off     on (default): every probe sets DF; off: also send packets\n"
	      "                  above the limit without DF, and count the fragments\n"
	      "                  they become on each link\n"
	      "  --timeout MS    wait for each answer this long (default 150; 10 to 10000)\n"
	      "  --retries N     try a silent size N more times (default 2; 0 to 10)\n"
	      "  --max-hops N    hops to walk on the underlay (default 8; 1 to 8)\n"
	      "  --json          the figures and the verdict, for scripts\n" LAB_HELP
	      "\nExit status: 0 consistent, 1 a problem was found, 2 usage error.\n",
	      f);
}

static int parse_int_opt(const char *flag, const char *arg, int lo, int hi, int *out)
{
	long v;

	if (parse_whole(arg, lo, hi, &v)) {
		fprintf(stderr, "harness mtu-probe: %s '%s' is not a number from %d to %d\n", flag,
			arg, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse(struct probe_run *r, int argc, char **argv, struct common *c)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"df", required_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 'w'},
	    {"retries", required_argument, NULL, 'r'},
	    {"max-hops", required_argument, NULL, 'm'},
	    COMMON_OPTIONS,
	    {0},
	};
	int opt, rc, n = 0;

	opterr = 0;
	while ((rc = next_option("mtu-probe", argc, argv, ":h", opts, c, usage, &opt)) == ARG_OWN) {
		switch (opt) {
		case 'f':
			r->from = optarg;
			break;
		case 't':
			if (n == PROBE_TARGETS) {
				fprintf(stderr, "harness mtu-probe: at most %d --to targets\n",
					PROBE_TARGETS);
				return 2;
			}
			r->targets[n++] = optarg;
			break;
		case 'd':
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "harness mtu-probe: --df '%s' is not on or off\n",
					optarg);
				return 2;
			}
			r->df = !strcmp(optarg, "on");
			break;
		case 'w':
			if (parse_int_opt("--timeout", optarg, 10, 10000, &r->timeout_ms))
				return 2;
			break;
		case 'r':
			if (parse_int_opt("--retries", optarg, 0, 10, &r->retries))
				return 2;
			break;
		case 'm':
			if (parse_int_opt("--max-hops", optarg, 1, PROBE_HOPS, &r->max_hops))
				return 2;
			break;
		}
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? -1 : 2;
	if (no_arguments("mtu-probe", argc, argv))
		return 2;
	r->npaths = n;
	return 0;
}

/*
 * What the tunnel on the probing node says about itself, and its device's
 * MTU now.  A tunnel notices a new device MTU at its next tick (100 ms), so
 * right after "harness set --tun-mtu" it is given a moment to catch up.
 */
static void tunnel_facts(struct probe_run *r, struct nl *nl)
{
	struct control_reply reply;
	const struct mtu_mode *m;
	struct nl_link l;

	if (nl_link_get(nl, "tun0", 0, &l) == 0)
		r->tun_mtu = l.mtu;
	for (int i = 0; i < 10; i++) {
		if (control_ask_node(&r->lab, r->node, CTL_STATS, &reply))
			return;
		snprintf(r->mode, sizeof(r->mode), "%s",
			 control_get(&reply, CTL_MODE) ? control_get(&reply, CTL_MODE)
						       : "plaintext");
		m = mtu_mode_named(r->mode);
		r->mode_overhead = m ? m->overhead : 0;
		r->padding = m ? m->padding : 0;
		r->mode_what = m ? m->what : r->mode;
		r->tunnel_mtu = (int)control_num(&reply, CTL_MTU, 0);
		/* Only the padding depends on the tunnel's idea of its MTU. */
		if (!r->padding || !r->tun_mtu || r->tunnel_mtu == r->tun_mtu)
			break;
		usleep(50000);
	}
	r->have_tunnel = true;
	r->outer_version =
	    control_get(&reply, CTL_ENDPOINT) && control_get(&reply, CTL_ENDPOINT)[0] == '[' ? 6
											     : 4;
}

/* Which device the node would send a target through, and that device's MTU. */
static int route_of(struct probe_run *r, struct nl *nl, struct path *p)
{
	uint8_t addr[16];
	struct nl_link l;
	int oif, mtu, rc;

	inet_pton(p->version == 6 ? AF_INET6 : AF_INET, p->target, addr);
	rc = nl_route_get(nl, p->version == 6 ? AF_INET6 : AF_INET, addr, &oif, &mtu);
	if (!rc)
		rc = nl_link_get(nl, NULL, oif, &l);
	if (rc) {
		p->broken = true;
		snprintf(p->why, sizeof(p->why), "%s has no route to %s", r->from, p->target);
		return -1;
	}
	snprintf(p->via, sizeof(p->via), "%s", l.name);
	p->first_mtu = l.mtu;
	p->remembered = mtu > 0 && mtu < l.mtu ? mtu : 0;
	p->tunnel = !strcmp(l.name, "tun0");
	return 0;
}

/*
 * The whole path's figure is the last hop's; how it is known is told by
 * the hop where it dropped: by ICMP, or by silence.
 */
static void summarise(struct path *p)
{
	const struct hop *last = &p->hops[p->nhops - 1];

	p->s = last->s;
	for (int i = 0; i < p->nhops; i++) {
		const struct hop *h = &p->hops[i];

		if (h->pmtu && h->pmtu == last->pmtu && (h->s.icmp || h->s.silence)) {
			p->s.method = h->s.silence ? BY_SILENCE : BY_ICMP;
			p->s.icmp = h->s.icmp;
			p->s.silence = h->s.silence;
			p->s.icmp_mtu = h->s.icmp_mtu;
			memcpy(p->s.icmp_from, h->s.icmp_from, sizeof(p->s.icmp_from));
			break;
		}
	}
	p->s.largest = last->pmtu;
	p->s.ceiling = p->first_mtu;
}

/* Walks the underlay hop by hop, as tracepath does, searching at each hop from the last. */
static void walk(struct probe_run *r, struct path *p, struct prober *pr)
{
	int pmtu = p->first_mtu;

	for (int ttl = 1; ttl <= r->max_hops; ttl++) {
		struct hop *h = &p->hops[p->nhops];

		h->ttl = pr->ttl = ttl;
		h->s = (struct search){
		    .floor = p->version == 6 ? 1280 : 68, .ceiling = pmtu, .retries = r->retries};
		if (search_run(&h->s, prober_probe, pr)) {
			p->broken = true;
			snprintf(p->why, sizeof(p->why), "hop %d reports %s unreachable", ttl,
				 p->target);
			return;
		}
		r->probes += h->s.probes;
		p->nhops++;
		memcpy(h->addr, h->s.answered_by, sizeof(h->addr));
		h->pmtu = h->s.largest;
		if (!h->s.largest) {
			h->pmtu = 0; /* nothing came back from this hop at any size */
			snprintf(h->addr, sizeof(h->addr), "*");
			continue;
		}
		pmtu = h->s.largest;
		if (h->s.reached) {
			summarise(p);
			return;
		}
	}
	p->broken = true;
	snprintf(p->why, sizeof(p->why), "%s not reached within %d hops", p->target, r->max_hops);
}

static void measure(struct probe_run *r, struct path *p)
{
	char err[256];
	struct prober pr;

	if (prober_open(&pr, r->ns, p->target, err, sizeof(err))) {
		p->broken = true;
		snprintf(p->why, sizeof(p->why), "%s", err);
		return;
	}
	pr.timeout_ms = r->timeout_ms;
	if (p->tunnel) {
		/* Inside the tunnel there is one hop: the far end. */
		p->s = (struct search){.floor = p->version == 6 ? 1280 : 68,
				       .ceiling = p->first_mtu,
				       .retries = r->retries};
		if (search_run(&p->s, prober_probe, &pr)) {
			p->broken = true;
			snprintf(p->why, sizeof(p->why), "%s is unreachable", p->target);
		}
		r->probes += p->s.probes;
	} else {
		walk(r, p, &pr);
	}
	prober_close(&pr);
}

/*
 * Where fragments of a probe would be seen: the node's own link and the
 * path beyond, the walkthrough's points with the internet's side toward
 * the server between the two sides.
 */
static int capture_points(const struct lab *lab, int node[PROBE_LINKS],
			  const char *ifname[PROBE_LINKS])
{
	static const int from_path[] = {0, 1, 2, -1, 3, 4};
	int n = 0;

	for (size_t i = 0; i < sizeof(from_path) / sizeof(from_path[0]) && n < PROBE_LINKS; i++) {
		if (from_path[i] >= 0) {
			node[n] = lab->path[from_path[i]].node;
			ifname[n] = lab->path[from_path[i]].ifname;
		} else {
			node[n] = lab_role(lab, ROLE_INTERNET);
			ifname[n] = lab_uplink(lab, node[n], lab_role(lab, ROLE_SERVER));
		}
		if (node[n] >= 0 && ifname[n])
			n++;
	}
	return n;
}

/* Sends a probe without DF, capturing meanwhile, and counts its pieces on every link. */
static void fragments(struct probe_run *r, struct path *p, int size)
{
	struct frag_probe *f = &p->frags[p->nfrags++];
	struct capture caps[PROBE_LINKS];
	struct probe_answer a;
	struct prober pr;
	char err[256], ns[64], name[64];
	const char *ifname[PROBE_LINKS];
	int ncaps = 0, node[PROBE_LINKS], npoints = capture_points(&r->lab, node, ifname);

	f->size = size;
	for (int i = 0; i < npoints; i++) {
		lab_ns(&r->lab, node[i], ns, sizeof(ns));
		snprintf(name, sizeof(name), "%s:%s", lab_name(&r->lab, node[i]), ifname[i]);
		if (capture_open(&caps[ncaps], ns, ifname[i], "ip or ip6", CAPTURE_LAB_SNAPLEN,
				 name, err, sizeof(err)) == 0)
			ncaps++;
	}
	if (prober_open(&pr, r->ns, p->target, err, sizeof(err)) == 0) {
		pr.timeout_ms = r->timeout_ms;
		pr.df = false;
		/* Retried like the search: the first may be lost while a tunnel learns its path. */
		for (int i = 0; i <= r->retries && !f->arrived; i++) {
			f->arrived = prober_probe(&pr, size, &a) == ANS_REPLY;
			r->probes++;
		}
		usleep(50000); /* let the last pieces reach the capture buffers */
		for (int i = 0; i < ncaps; i++) {
			struct frag_link l = {0};

			/* Past a PI header the probe shows; a sealed datagram hides it. */
			count_fragments(&caps[i], &pr, r->padding ? 0 : r->mode_overhead, &l);
			snprintf(l.link, sizeof(l.link), "%s", caps[i].name);
			if (l.packets && f->nlinks < PROBE_LINKS)
				f->links[f->nlinks++] = l;
		}
		prober_close(&pr);
	}
	for (int i = 0; i < ncaps; i++)
		capture_close(&caps[i]);
}

static int run(struct probe_run *r)
{
	double start = clock_seconds();
	struct nl nl;
	int fd = netns_open(r->ns), rc;

	if (fd < 0) {
		fprintf(stderr, "harness mtu-probe: lab '%s' is not up (no namespace %s)\n",
			r->lab.name, r->ns);
		return 1;
	}
	rc = nl_open_in(&nl, fd);
	close(fd);
	if (rc) {
		fprintf(stderr, "harness mtu-probe: cannot talk to %s\n", r->ns);
		return 1;
	}
	tunnel_facts(r, &nl);
	for (int i = 0; i < r->npaths; i++) {
		struct path *p = &r->paths[i];

		snprintf(p->target, sizeof(p->target), "%s", r->targets[i]);
		p->version = strchr(p->target, ':') ? 6 : 4;
		if (!r->lab.json && isatty(STDERR_FILENO))
			fprintf(stderr, "probing %s from %s...\n", p->target, r->from);
		if (route_of(r, &nl, p) == 0)
			measure(r, p);
		/*
		 * Sizes above the limit that still leave whole: a raw socket does not
		 * fragment, so nothing above the first hop's MTU can be sent at all.
		 */
		if (!p->broken && !r->df && p->s.largest && p->s.largest < p->first_mtu) {
			fragments(r, p, p->s.largest + 1);
			if (p->first_mtu > p->s.largest + 1)
				fragments(r, p, p->first_mtu);
		}
	}
	nl_close(&nl);
	r->seconds = clock_seconds() - start;
	mtu_analyse(r);
	mtu_report(r);
	return r->verdict && !strcmp(r->verdict, "consistent") ? 0 : 1;
}

int cmd_mtu_probe(int argc, char **argv)
{
	struct probe_run *r = calloc(1, sizeof(*r));
	struct common c = {0};
	char err[256];
	int rc, n;

	if (!r)
		return 1;
	r->df = true;
	r->timeout_ms = 150;
	r->retries = 2;
	r->max_hops = PROBE_HOPS;
	rc = parse(r, argc, argv, &c);
	if (rc) {
		free(r);
		return rc < 0 ? 0 : rc;
	}
	if (lab_init(&r->lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness mtu-probe: %s\n", err);
		free(r);
		return 2;
	}
	/* By default, from the client to the server's two sides. */
	if (lab_need_roles(&r->lab, "mtu-probe",
			   (r->from ? 0 : 1u << ROLE_CLIENT) |
			       (r->npaths ? 0 : 1u << ROLE_SERVER))) {
		lab_fini(&r->lab);
		free(r);
		return 2;
	}
	if (!r->from)
		r->from = lab_name(&r->lab, lab_role(&r->lab, ROLE_CLIENT));
	if (!r->npaths) {
		r->targets[r->npaths++] = r->lab.at.server_vpn4;
		r->targets[r->npaths++] = r->lab.at.server_public4;
	}
	n = lab_node(&r->lab, r->from);
	if (n < 0) {
		fprintf(stderr, "harness mtu-probe: --from '%s' is not a lab node\n", r->from);
		lab_fini(&r->lab);
		free(r);
		return 2;
	}
	for (int i = 0; i < r->npaths; i++) {
		struct in6_addr a;

		if (inet_pton(AF_INET, r->targets[i], &a) != 1 &&
		    inet_pton(AF_INET6, r->targets[i], &a) != 1) {
			fprintf(stderr,
				"harness mtu-probe: --to '%s' is not an IPv4 or IPv6 address\n",
				r->targets[i]);
			lab_fini(&r->lab);
			free(r);
			return 2;
		}
	}
	r->node = n;
	r->lab.json = c.json;
	if (geteuid() != 0) {
		fprintf(stderr,
			"harness mtu-probe: must run as root: it opens raw sockets in the lab\n");
		lab_fini(&r->lab);
		free(r);
		return 1;
	}
	lab_ns(&r->lab, n, r->ns, sizeof(r->ns));
	rc = run(r);
	lab_fini(&r->lab);
	free(r);
	return rc;
}
