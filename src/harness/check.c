/*
 * harness check: proves the tunnel encapsulates correctly.  It sends
 * marked probes (ICMP, UDP and TCP, IPv4 and, when the tunnel carries it,
 * IPv6, tiny to the tunnel MTU) from home-laptop to office-host while libpcap captures at six
 * points on the path, then asserts the properties in verify.c.
 * --inject-fault breaks the tunnel on purpose to show each break is caught.
 */
#include "commands.h"
#include "control.h"
#include "json_out.h"
#include "settings.h"
#include "verify.h"
#include "lib/capture.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/packet.h"
#include "lib/mtu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct check {
	struct lab lab;
	const char *fault;
	const char *save; /* directory for the six captures */
	bool pi;
	bool encrypted;
	int tun_mtu;
	struct capture caps[VERIFY_POINTS];
	struct packet_list pts[VERIFY_POINTS];
	struct verdict v;
	int sent;
};

static void usage(FILE *f)
{
	fputs("usage: harness check [--inject-fault drop|dup|truncate|fragment] [options]\n"
	      "\n"
	      "Sends marked ICMP, UDP and TCP probes, IPv4 and (when the tunnel carries\n"
	      "it) IPv6, from tiny to the tunnel MTU, through the tunnel, captures them\n"
	      "at six points on the path, and asserts that the tunnel encapsulates\n"
	      "correctly. Exit 0 when every property holds, 1 when one fails.\n"
	      "\n"
	      "  --inject-fault F\n"
	      "                  break the tunnel on purpose for the run (drop, dup,\n"
	      "                  truncate, fragment) to show that check catches it\n"
	      "  --save DIR      write the six captures to DIR, one pcap file each\n"
	      "  --json          the properties and their evidence, for scripts\n" LAB_HELP,
	      f);
}

/* One marked probe, built whole and sent as is from home-laptop. */
static int send_probe(struct check *c, int fd, int version, uint8_t proto, size_t size, bool marked)
{
	uint8_t buf[2048], payload[2048];
	struct pkt_spec s = {.version = version, .proto = proto, .df = true, .ttl = 64};
	size_t hl =
	    (size_t)mtu_ip_header(version) + (proto == IPPROTO_TCP ? MTU_TCP_HDR : MTU_UDP_HDR);
	struct sockaddr_storage dst = {0};
	ssize_t n;

	if (size < hl + MARKER_LEN || size - hl > sizeof(payload))
		return -1;
	memset(payload, 0x5a, sizeof(payload));
	if (marked)
		memcpy(payload, MARKER, sizeof(MARKER) - 1);
	/* The random tail tells this probe from any other; without it, no probe. */
	if (getrandom(payload + sizeof(MARKER) - 1, MARKER_LEN - (sizeof(MARKER) - 1), 0) !=
	    (ssize_t)(MARKER_LEN - (sizeof(MARKER) - 1)))
		return -1;
	s.payload = payload;
	s.payload_len = size - hl;
	s.sport = 40000 + (uint16_t)c->sent;
	s.dport = 9; /* discard: nobody listens, which is fine */
	s.tcp_flags = 0x18;
	s.icmp_id = 0x7c7c;
	s.icmp_seq = (uint16_t)c->sent;
	inet_pton(version == 6 ? AF_INET6 : AF_INET,
		  version == 6 ? c->lab.at.client_vpn6 : c->lab.at.client_vpn4, s.src);
	inet_pton(version == 6 ? AF_INET6 : AF_INET,
		  version == 6 ? c->lab.at.target6 : c->lab.at.target4, s.dst);
	n = pkt_build(buf, sizeof(buf), &s);
	if (n < 0)
		return -1;
	dst.ss_family = (sa_family_t)(version == 6 ? AF_INET6 : AF_INET);
	if (version == 6)
		memcpy(&((struct sockaddr_in6 *)&dst)->sin6_addr, s.dst, 16);
	else
		memcpy(&((struct sockaddr_in *)&dst)->sin_addr, s.dst, 4);
	c->sent++;
	return sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&dst,
		      version == 6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) < 0
		   ? -errno
		   : 0;
}

static bool with_ipv6(const struct check *c)
{
	return c->lab.at.client_vpn6[0] && c->lab.at.target6[0];
}

static int send_probes(struct check *c, char *err, size_t errlen)
{
	static const uint8_t protos[] = {IPPROTO_ICMP, IPPROTO_UDP, IPPROTO_TCP};
	char ns[64];

	lab_ns(&c->lab, lab_role(&c->lab, ROLE_CLIENT), ns, sizeof(ns));
	for (int version = 4; version <= 6; version += 2) {
		int fd;

		/* A lab without IPv6 inside the tunnel gets IPv4 probes only. */
		if (version == 6 && !with_ipv6(c))
			continue;
		fd = lab_raw_socket(&c->lab, lab_role(&c->lab, ROLE_CLIENT),
				    version == 6 ? AF_INET6 : AF_INET);

		if (fd < 0) {
			snprintf(err, errlen, "cannot open a raw socket in %s: %s", ns,
				 netns_error(fd));
			return -1;
		}
		/*
		 * An unmarked packet first, so the far routers have resolved their
		 * neighbours: a burst queued behind discovery would overflow it, and
		 * that is not the tunnel's fault.
		 */
		send_probe(c, fd, version, IPPROTO_UDP, 64, false);
		usleep(100000);
		for (size_t p = 0; p < sizeof(protos); p++) {
			size_t tiny = (size_t)mtu_ip_header(version) +
				      (protos[p] == IPPROTO_TCP ? MTU_TCP_HDR : MTU_UDP_HDR) +
				      MARKER_LEN;
			size_t sizes[] = {tiny, 700, (size_t)c->tun_mtu};

			for (size_t k = 0; k < 3; k++) {
				send_probe(c, fd, version, protos[p], sizes[k], true);
				usleep(2000);
			}
		}
		close(fd);
	}
	return 0;
}

/* What the verdicts name and look for, from the lab's path and addresses. */
static void where_of(const struct lab *lab, struct verify_where *at)
{
	for (int i = 0; i < VERIFY_POINTS; i++)
		at->points[i] = lab->path[i].name;
	at->target = lab_name(lab, lab->path[VERIFY_POINTS - 1].node);
	at->client4 = lab->at.client_vpn4;
	at->client6 = lab->at.client_vpn6;
	at->nat4 = lab->at.nat_wan4;
}

static int open_points(struct check *c, char *err, size_t errlen)
{
	char ns[64], path[PATH_MAX];

	for (int i = 0; i < VERIFY_POINTS; i++) {
		lab_ns(&c->lab, c->lab.path[i].node, ns, sizeof(ns));
		if (capture_open(&c->caps[i], ns, c->lab.path[i].ifname, "ip or ip6",
				 CAPTURE_LAB_SNAPLEN, c->lab.path[i].name, err, errlen))
			return -1;
		snprintf(path, sizeof(path), "%s/%d-%s.pcap", c->save ? c->save : "", i + 1,
			 c->lab.path[i].name);
		for (char *p = strrchr(path, '/') + 1; *p; p++)
			if (*p == ':')
				*p = '-';
		if (c->save && capture_write(&c->caps[i], path, err, errlen))
			return -1;
	}
	return 0;
}

static void collect(struct check *c)
{
	for (int i = 0; i < VERIFY_POINTS; i++) {
		const uint8_t *ip;
		size_t len;

		while (capture_next(&c->caps[i], &ip, &len, NULL) == 1)
			packets_add(&c->pts[i], ip, len);
	}
}

/* The tunnel tells its mode and MTU; a fault goes to the laptop's tunnel the same way. */
static int ask_tunnel(struct check *c, const char *cmd, struct control_reply *reply)
{
	return control_ask_node(&c->lab, lab_role(&c->lab, ROLE_CLIENT), cmd, reply);
}

int check_report(const struct check *c);

/*
 * The fragment fault sends datagrams without DF; a narrower home WAN for
 * the run is what then splits them.  mtu 0 puts the link back.
 */
static int narrow_wan(struct check *c, int mtu, char *err, size_t errlen)
{
	struct nl *nl = calloc(c->lab.topo.nnodes, sizeof(*nl));
	struct settings s;
	char ns[64];
	int rc = nl ? 0 : -ENOMEM;

	struct lab quiet = c->lab;

	settings_init(&s);
	s.wan_mtu = mtu ? mtu : 1500;
	quiet.json = true; /* no progress lines in the middle of the report */
	/* Every node: the WAN's far end is the NAT's neighbour, the internet node or not. */
	for (size_t i = 0; i < c->lab.topo.nnodes && !rc; i++) {
		int fd = netns_open(lab_ns(&c->lab, (int)i, ns, sizeof(ns)));

		rc = fd < 0 ? fd : nl_open_in(&nl[i], fd);
		if (fd >= 0)
			close(fd);
	}
	if (!rc)
		rc = settings_apply(&quiet, nl, &s, true, err, errlen);
	for (size_t n = 0; nl && n < c->lab.topo.nnodes; n++)
		nl_close(&nl[n]);
	free(nl);
	return rc;
}

/* Both ends' tunnels: each may have learned the narrowed path. */
static void tell_tunnels(struct check *c, const char *cmd)
{
	const int ends[] = {lab_role(&c->lab, ROLE_CLIENT), lab_role(&c->lab, ROLE_SERVER)};
	struct control_reply reply;

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		control_ask_node(&c->lab, ends[i], cmd, &reply);
}

/*
 * After a narrowed WAN, every namespace's kernel remembers the smaller
 * path MTU it heard of (for ten minutes), and so do the tunnels: the next
 * run would meet a tunnel that is not the one this run found.  The
 * kernels' route caches are flushed and the tunnels forget, so the lab is
 * back exactly as it was.
 */
static void flush_route_caches(struct check *c)
{
	char ns[64];

	for (size_t n = 0; n < c->lab.topo.nnodes; n++) {
		int fd = netns_open(lab_ns(&c->lab, (int)n, ns, sizeof(ns)));
		struct nl nl;

		if (fd < 0)
			continue;
		netns_sysctl(fd, "net.ipv4.route.flush", "1");
		if (nl_open_in(&nl, fd) == 0) {
			nl_flush_cached6(&nl);
			nl_close(&nl);
		}
		close(fd);
	}
}

static void forget_path_mtu(struct check *c)
{
	/*
	 * The kernels first, since a tunnel that forgets reads the route's MTU
	 * again; then the kernels once more, for any "too big" a tunnel told
	 * an inner host in between.
	 */
	flush_route_caches(c);
	tell_tunnels(c, CTL_PMTU_FORGET);
	flush_route_caches(c);
}

static int run(struct check *c)
{
	char err[512], cmd[64];
	struct control_reply reply;
	struct verify_where at;
	bool gso_was_on;
	int rc = 1;

	if (ask_tunnel(c, CTL_STATS, &reply)) {
		fprintf(stderr,
			"harness check: lab '%s' is not up, or its tunnel does not answer\n",
			c->lab.name);
		return 1;
	}
	c->pi = control_is(&reply, CTL_MODE, "pi");
	c->encrypted = control_is(&reply, CTL_MODE, "encrypted");
	/* A plaintext tunnel over IPv4 on Ethernet, if the tunnel does not say. */
	c->tun_mtu = (int)control_num(&reply, CTL_MTU, MTU_ETHERNET - mtu_overhead(4, 0));
	gso_was_on = control_is(&reply, CTL_GSO, "on");
	if (c->fault) {
		if (!strcmp(c->fault, "fragment") && narrow_wan(c, 1400, err, sizeof(err))) {
			fprintf(stderr, "harness check: %s\n", err);
			narrow_wan(c, 0, err, sizeof(err)); /* whatever part of it was done */
			return 1;
		}
		snprintf(cmd, sizeof(cmd), CTL_SET_FAULT "%s", c->fault);
		ask_tunnel(c, cmd, &reply);
	}
	/*
	 * With UDP GSO, datagrams of one size that the laptop sends together
	 * cross the veths as one packet, and a capture shows them so; a real
	 * NIC would split them first.  The probes are judged one datagram
	 * each, so GSO rests while they run.
	 */
	if (gso_was_on)
		ask_tunnel(c, CTL_GSO_OFF, &reply);
	if (open_points(c, err, sizeof(err)) || send_probes(c, err, sizeof(err))) {
		fprintf(stderr, "harness check: %s\n", err);
		goto out;
	}
	usleep(300000); /* the last probes cross the path and reach every capture */
	collect(c);
	where_of(&c->lab, &at);
	if (c->encrypted)
		verify_encrypted_in(&at, c->pts, c->tun_mtu, &c->v);
	else
		verify_in(&at, c->pts, c->pi, c->tun_mtu, &c->v);
	rc = check_report(c);
out:
	if (gso_was_on)
		ask_tunnel(c, CTL_GSO_ON, &reply);
	if (c->fault) {
		ask_tunnel(c, CTL_SET_FAULT "none", &reply);
		if (!strcmp(c->fault, "fragment")) {
			narrow_wan(c, 0, err, sizeof(err));
			forget_path_mtu(c);
		}
	}
	return rc;
}

/*
 * A fault and a narrowed WAN must not outlive the run, even when Ctrl-C
 * comes in the middle: the signals wait (a run takes about two seconds)
 * until the lab is put back, then act as they would have.
 */
static int guarded_run(struct check *c)
{
	sigset_t old;
	int rc;

	sigprocmask(SIG_SETMASK, NULL, &old);
	hold_signals();
	rc = run(c);
	fflush(stdout);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int check_report(const struct check *c)
{
	int passed = 0, failed = 0, skipped = 0;

	for (int p = 0; p < PR_COUNT; p++) {
		if (c->v.skipped[p])
			skipped++;
		else if (c->v.failed[p])
			failed++;
		else
			passed++;
	}
	if (c->lab.json) {
		json_t *props = json_array();

		for (int p = 0; p < PR_COUNT; p++)
			json_array_append_new(props,
					      json_pack("{s:s, s:s, s:i, s:o}", "property",
							property_names[p], "result",
							c->v.skipped[p]	 ? "skip"
							: c->v.failed[p] ? "fail"
									 : "pass",
							"failed_probes", c->v.failed[p], "evidence",
							jout_text(c->v.evidence[p])));
		jout_print(json_pack("{s:o, s:s, s:i, s:o, s:o, s:i, s:i, s:i}", "lab",
				     jout_text(c->lab.name), "mode",
				     c->encrypted ? "encrypted"
				     : c->pi	  ? "pi"
						  : "plaintext",
				     "probes", c->v.probes, "fault",
				     jout_text(c->fault ? c->fault : "none"), "properties", props,
				     "passed", passed, "failed", failed, "skipped", skipped),
			   stdout);
		return failed ? 1 : 0;
	}
	printf("check: %d probes (ICMP, UDP, TCP; %s; up to %d bytes), %s mode%s%s\n", c->v.probes,
	       with_ipv6(c) ? "IPv4 and IPv6" : "IPv4 only", c->tun_mtu,
	       c->encrypted ? "encrypted"
	       : c->pi	    ? "pi"
			    : "plaintext",
	       c->fault ? ", fault " : "", c->fault ? c->fault : "");
	for (int p = 0; p < PR_COUNT; p++) {
		const char *word = c->v.skipped[p] ? "SKIP" : c->v.failed[p] ? "FAIL" : "PASS";
		enum term_color col = c->v.skipped[p] ? C_DIM : c->v.failed[p] ? C_RED : C_GREEN;

		printf("  %s%s%s  %s\n", term_c(&c->lab.term, col), word,
		       term_c(&c->lab.term, C_RESET), property_names[p]);
		if (c->v.skipped[p])
			printf("        encrypted mode only: plaintext carries the inner packet in "
			       "the "
			       "clear\n");
		else if (c->v.failed[p])
			printf("        %d of %d probes; first: %s\n", c->v.failed[p], c->v.probes,
			       c->v.evidence[p]);
		else
			printf("        all %d probes, at the 6 capture points\n", c->v.probes);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"inject-fault", required_argument, NULL, 'F'},
	    {"save", required_argument, NULL, 'S'},
	    COMMON_OPTIONS,
	    {0},
	};
	struct check *c = calloc(1, sizeof(*c));
	struct common co = {0};
	char err[256] = "";
	int opt, rc;

	if (!c)
		return 1;
	opterr = 0;
	while ((rc = next_option("check", argc, argv, ":h", opts, &co, usage, &opt)) == ARG_OWN) {
		if (opt == 'F' && strcmp(optarg, "drop") && strcmp(optarg, "dup") &&
		    strcmp(optarg, "truncate") && strcmp(optarg, "fragment")) {
			fprintf(stderr,
				"harness check: --inject-fault '%s' is not drop, dup, truncate "
				"or fragment\n",
				optarg);
			free(c);
			return 2;
		}
		if (opt == 'F')
			c->fault = optarg;
		if (opt == 'S')
			c->save = optarg;
	}
	if (rc != ARG_END || no_arguments("check", argc, argv) ||
	    lab_init(&c->lab, co.lab, err, sizeof(err))) {
		if (rc == ARG_END && err[0])
			fprintf(stderr, "harness check: %s\n", err);
		free(c);
		return rc == ARG_HELP ? 0 : 2;
	}
	c->lab.json = co.json;
	/* Its six points run from the client through the NAT and the server to the target. */
	if (lab_need_roles(&c->lab, "check", ROLES_ALL)) {
		lab_fini(&c->lab);
		free(c);
		return 2;
	}
	if (c->save && mkdir(c->save, 0755) && errno != EEXIST) {
		fprintf(stderr, "harness check: cannot make %s: %s\n", c->save, strerror(errno));
		free(c);
		return 1;
	}
	rc = geteuid() ? (fprintf(stderr, "harness check: must run as root\n"), 1) : guarded_run(c);
	for (int i = 0; i < VERIFY_POINTS; i++) {
		capture_close(&c->caps[i]);
		packets_free(&c->pts[i]);
	}
	lab_fini(&c->lab);
	free(c);
	return rc;
}
