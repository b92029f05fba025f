/* harness up: build the home/office lab and start the tunnel across it. */
#include "commands.h"
#include "up.h"
#include "lib/clock.h"
#include "control.h"
#include "firewall.h"
#include "settings.h"
#include "spawn.h"
#include "state.h"
#include "lib/netlink.h"
#include "lib/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <pwd.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness up [--mode encrypted|plaintext|pi] [--underlay 4|6] [--clients N]\n"
	      "                  [--peer wireguard-go [--peer-on server|laptop|both]] [broken "
	      "network]\n"
	      "\n"
	      "Builds the lab (home-laptop, home-router with NAT, internet, office-server,\n"
	      "office-host) in network namespaces and starts the tunnel between home-laptop\n"
	      "and office-server.\n"
	      "\n"
	      "  --mode MODE     encrypted (default: the WireGuard protocol), plaintext, or pi\n"
	      "                  (plaintext with the 4-byte TUN header on the wire)\n"
	      "  --clients N     N laptops behind the home router (1 to 64), one server\n"
	      "  --peer wireguard-go  run wireguard-go, configured by wg, on one side\n"
	      "  --peer-on SIDE  where wireguard-go runs: server (default), laptop or both\n"
	      "  --peer openvpn|fastd|quicktun  run that program on both ends instead of\n"
	      "                  ours, to compare with (AES-256-GCM, salsa2012+umac, raw)\n"
	      "  --keylog        log session keys next to the captures (INSECURE; lessons)\n"
	      "  --keepalive S   the laptops' PersistentKeepalive (default 25; 0 for none)\n"
	      "  --rekey-after S our tunnels start a new session every S seconds (1 to 120;\n"
	      "                  default 120, as the protocol says)\n"
	      "  --underlay 4|6  carry the tunnel over IPv4 (default) or IPv6\n"
	      "  --no-pmtu       tunnels do not follow the path MTU (no ICMP back inside)\n"
	      "  --no-offload, --no-gso, --no-gro\n"
	      "                  our tunnels without TUN segmentation offload, UDP GSO or\n"
	      "                  UDP GRO: the fallbacks, for tests and benchmarks\n"
	      "  --batch N       our tunnels' packets per system call (1 to 32; default 32)\n"
	      "  --queues N      our plaintext tunnels' TUN queues, a thread each (1 to 16;\n"
	      "                  default: one per core). Encrypted mode runs one\n"
	      "\nA broken network, for the MTU lessons:\n" SETTINGS_HELP "\n" COMMON_HELP,
	      f);
}

/* Ctrl-C is held back while the lab is built, and honoured between steps by undoing it all. */
static bool interrupted(struct up *u)
{
	if (!held_signal_pending())
		return false;
	snprintf(u->err, sizeof(u->err), "interrupted");
	return true;
}

void step(struct up *u, const char *fmt, ...)
{
	va_list ap;

	printf("  %s✓%s ", term_c(&u->lab.term, C_GREEN), term_c(&u->lab.term, C_RESET));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int sysctl_in(struct up *u, enum node_id n, const char *key, const char *value)
{
	char ns[64];
	int rc;

	lab_explain(&u->lab, "ip netns exec %s sysctl -qw %s=%s",
		    lab_ns(&u->lab, n, ns, sizeof(ns)), key, value);
	rc = netns_sysctl(u->nsfd[n], key, value);
	if (rc)
		snprintf(u->err, sizeof(u->err), "sysctl %s in %s: %s", key, ns, strerror(-rc));
	return rc;
}

static int node_sysctls(struct up *u, enum node_id n)
{
	/* Asymmetric paths through the tunnel are normal here: no reverse-path filter. */
	static const char *const every[][2] = {
	    {"net.ipv4.conf.all.rp_filter", "0"},
	    {"net.ipv4.conf.default.rp_filter", "0"},
	    {"net.ipv6.conf.all.accept_dad", "0"},
	    {"net.ipv6.conf.default.accept_dad", "0"},
	};

	for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++)
		if (sysctl_in(u, n, every[i][0], every[i][1]))
			return -1;
	if (!lab_nodes[n].forwards)
		return 0;
	if (sysctl_in(u, n, "net.ipv4.ip_forward", "1") ||
	    sysctl_in(u, n, "net.ipv6.conf.all.forwarding", "1"))
		return -1;
	return 0;
}

int make_namespace(struct up *u, const char *ns, int *nsfd, struct nl *nl)
{
	struct record r = {.kind = REC_NETNS};
	struct nl_link lo;
	int rc;

	if (netns_exists(ns)) {
		snprintf(u->err, sizeof(u->err),
			 "namespace %s exists already, but lab '%s' did not make it: remove it "
			 "or pick another --lab",
			 ns, u->lab.name);
		return -1;
	}
	/* Written down first: a crash after this line still gets cleaned up. */
	snprintf(r.name, sizeof(r.name), "%s", ns);
	if (state_add(&u->lab, &r)) {
		snprintf(u->err, sizeof(u->err), "cannot record namespace %s", ns);
		return -1;
	}
	lab_explain(&u->lab, "ip netns add %s", ns);
	rc = netns_create(ns);
	if (!rc)
		*nsfd = rc = netns_open(ns);
	if (rc >= 0)
		rc = nl_open_in(nl, *nsfd);
	if (!rc)
		rc = nl_link_get(nl, "lo", 0, &lo);
	if (!rc) {
		lab_explain(&u->lab, "ip -n %s link set lo up", ns);
		rc = nl_link_set(nl, lo.index, true, 0);
	}
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot make namespace %s: %s", ns, strerror(-rc));
		return -1;
	}
	return 0;
}

static int make_node(struct up *u, enum node_id n)
{
	char ns[64];

	lab_ns(&u->lab, n, ns, sizeof(ns));
	if (make_namespace(u, ns, &u->nsfd[n], &u->nl[n]))
		return -1;
	return node_sysctls(u, n);
}

int link_index(struct up *u, enum node_id n, const char *ifname)
{
	struct nl_link l;
	char ns[64];
	int rc = nl_link_get(&u->nl[n], ifname, 0, &l);

	if (rc) {
		snprintf(u->err, sizeof(u->err), "no interface %s in %s: %s", ifname,
			 lab_ns(&u->lab, n, ns, sizeof(ns)), strerror(-rc));
		return -1;
	}
	return l.index;
}

int make_link(struct up *u, const struct link_def *l)
{
	char a[64], b[64];
	int rc, ia, ib;

	lab_ns(&u->lab, l->a, a, sizeof(a));
	lab_ns(&u->lab, l->b, b, sizeof(b));
	lab_explain(&u->lab, "ip -n %s link add %s type veth peer name %s netns %s", a, l->a_if,
		    l->b_if, b);
	/* Made from inside a's namespace: nothing ever appears in the root namespace. */
	rc = nl_veth_add(&u->nl[l->a], l->a_if, l->b_if, u->nsfd[l->b]);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot link %s:%s to %s:%s: %s", a, l->a_if, b,
			 l->b_if, strerror(-rc));
		return -1;
	}
	ia = link_index(u, l->a, l->a_if);
	ib = link_index(u, l->b, l->b_if);
	if (ia < 0 || ib < 0)
		return -1;
	lab_explain(&u->lab, "ip -n %s link set %s up", a, l->a_if);
	lab_explain(&u->lab, "ip -n %s link set %s up", b, l->b_if);
	rc = nl_link_set(&u->nl[l->a], ia, true, 0);
	if (!rc)
		rc = nl_link_set(&u->nl[l->b], ib, true, 0);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot set %s up: %s", l->a_if, strerror(-rc));
		return -1;
	}
	return 0;
}

static int add_addr(struct up *u, const struct addr_def *a)
{
	struct prefix p;
	char ns[64];
	int idx, rc;

	lab_ns(&u->lab, a->node, ns, sizeof(ns));
	if (prefix_parse(a->cidr, true, &p, u->err, sizeof(u->err)))
		return -1;
	idx = link_index(u, a->node, a->ifname);
	if (idx < 0)
		return -1;
	lab_explain(&u->lab, "ip -n %s addr add %s dev %s", ns, a->cidr, a->ifname);
	rc = nl_addr_add(&u->nl[a->node], idx, &p);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot add %s to %s:%s: %s", a->cidr, ns,
			 a->ifname, strerror(-rc));
		return -1;
	}
	return 0;
}

static int add_route(struct up *u, const struct route_def *r)
{
	struct prefix dst, via;
	char ns[64];
	int rc;

	lab_ns(&u->lab, r->node, ns, sizeof(ns));
	if (prefix_parse(r->via, false, &via, u->err, sizeof(u->err)))
		return -1;
	if (!strcmp(r->dst, "default"))
		dst = (struct prefix){.family = via.family, .len = 0};
	else if (prefix_parse(r->dst, true, &dst, u->err, sizeof(u->err)))
		return -1;
	lab_explain(&u->lab, "ip -n %s route add %s via %s", ns, r->dst, r->via);
	rc = nl_route_add(&u->nl[r->node], &dst, via.addr, 0);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot add route %s via %s in %s: %s", r->dst,
			 r->via, ns, strerror(-rc));
		return -1;
	}
	return 0;
}

/* The last line a failed tunnel wrote, so the user sees its own words. */
void last_log_line(const char *log, char *out, size_t cap)
{
	char line[512];
	FILE *f = fopen(log, "re");

	snprintf(out, cap, "(no output)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, cap, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

/* Ready means the tunnel answers on its control socket, which it opens last. */
static int wait_ready(struct up *u, const char *label, pid_t pid)
{
	char ctl[PATH_MAX], log[PATH_MAX], reply[1024], why[512];

	snprintf(ctl, sizeof(ctl), "%s/%s.ctl", u->lab.dir, label);
	snprintf(log, sizeof(log), "%s/%s.log", u->lab.dir, label);
	for (int waited = 0; waited < 5000; waited += 20) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			last_log_line(log, why, sizeof(why));
			snprintf(u->err, sizeof(u->err), "the tunnel on %s exited: %s", label, why);
			return -1;
		}
		if (control_query(ctl, "stats", reply, sizeof(reply)) == 0)
			return 0;
		clock_sleep_ms(20);
	}
	snprintf(u->err, sizeof(u->err), "the tunnel on %s did not come up within 5 s (see %s)",
		 label, log);
	return -1;
}

int start_tunnel(struct up *u, enum node_id n, char **args)
{
	char ns[64];

	return start_tunnel_in(u, lab_ns(&u->lab, n, ns, sizeof(ns)), lab_nodes[n].name, args);
}

/*
 * Our tunnels give up root once set up: as the tunlab system user if
 * there is one, else as nobody, said once.  CAP_NET_ADMIN is all they keep.
 */
static const char *run_as(struct up *u)
{
	if (!u->run_as) {
		u->run_as = getpwnam(LAB_USER) ? LAB_USER : "nobody";
		if (strcmp(u->run_as, LAB_USER))
			printf("  note: no '%s' user on this machine (scripts/deps.sh lab makes "
			       "it); the tunnels run as nobody\n",
			       LAB_USER);
	}
	return u->run_as;
}

int start_tunnel_in(struct up *u, const char *ns, const char *label, char **args)
{
	char tunnel[PATH_MAX], ctl[PATH_MAX], log[PATH_MAX], cmd[1024], mtu[16], queues[16],
	    batch[16];
	char *argv[48];
	int argc = 0;
	size_t len = 0;
	pid_t pid;

	if (sibling_path("tunnel", tunnel, sizeof(tunnel))) {
		snprintf(u->err, sizeof(u->err), "cannot find the tunnel program at %s", tunnel);
		return -1;
	}
	snprintf(ctl, sizeof(ctl), "%s/%s.ctl", u->lab.dir, label);
	snprintf(log, sizeof(log), "%s/%s.log", u->lab.dir, label);
	argv[argc++] = tunnel;
	while (*args && argc < 26)
		argv[argc++] = *args++;
	if (u->mode == MODE_PI)
		argv[argc++] = "--pi";
	if (u->set.no_pmtu)
		argv[argc++] = "--no-pmtu";
	if (u->no_offload)
		argv[argc++] = "--no-offload";
	if (u->no_gso)
		argv[argc++] = "--no-gso";
	if (u->no_gro)
		argv[argc++] = "--no-gro";
	if (u->queues) {
		snprintf(queues, sizeof(queues), "%d", u->queues);
		argv[argc++] = "--queues";
		argv[argc++] = queues;
	}
	if (u->batch) {
		snprintf(batch, sizeof(batch), "%d", u->batch);
		argv[argc++] = "--batch";
		argv[argc++] = batch;
	}
	if (u->set.tun_mtu) {
		snprintf(mtu, sizeof(mtu), "%d", u->set.tun_mtu);
		argv[argc++] = "--mtu";
		argv[argc++] = mtu;
	}
	argv[argc++] = "--user";
	argv[argc++] = (char *)run_as(u);
	argv[argc++] = "--control";
	argv[argc++] = ctl;
	argv[argc] = NULL;
	for (int i = 0; i < argc; i++)
		len += (size_t)snprintf(cmd + len, len < sizeof(cmd) ? sizeof(cmd) - len : 0, " %s",
					argv[i]);
	lab_explain(&u->lab, "ip netns exec %s%s > %s &", ns, cmd, log);
	pid = spawn_in_ns(&u->lab, ns, label, "tunnel", argv, log, NULL, 0, u->err, sizeof(u->err));
	if (pid < 0)
		return -1;
	return wait_ready(u, label, pid);
}

static int start_tunnels(struct up *u)
{
	char server[64];
	char *srv[] = {"--listen",
		       "--port",
		       "1234",
		       "--dev",
		       "tun0",
		       "--addr",
		       SERVER_VPN_V4 "/24",
		       "--addr",
		       SERVER_VPN_V6 "/64",
		       NULL};
	char *cli[] = {"--server", server,
		       "--dev",	   "tun0",
		       "--addr",   CLIENT_VPN_V4 "/24",
		       "--addr",   CLIENT_VPN_V6 "/64",
		       "--route",  "172.16.0.0/12",
		       "--route",  "fd00:172:31::/48",
		       NULL};

	if (u->underlay == 6)
		snprintf(server, sizeof(server), "[%s]:%d", SERVER_PUBLIC_V6, TUNNEL_PORT);
	else
		snprintf(server, sizeof(server), "%s:%d", SERVER_PUBLIC_V4, TUNNEL_PORT);
	if (u->other)
		return up_others(u);
	if (u->mode == MODE_ENCRYPTED)
		return up_encrypted(u);
	if (start_tunnel(u, OFFICE_SERVER, srv))
		return -1;
	step(u, "tunnel server on office-server, %s mode, UDP %d", lab_mode_name(u->mode),
	     TUNNEL_PORT);
	if (start_tunnel(u, HOME_LAPTOP, cli))
		return -1;
	step(u, "tunnel client on home-laptop, to %s", server);
	return 0;
}

static int build(struct up *u)
{
	for (int n = 0; n < NODE_COUNT; n++)
		if (make_node(u, n))
			return -1;
	step(u, "%d namespaces", NODE_COUNT);
	if (interrupted(u))
		return -1;
	for (size_t i = 0; i < lab_nlinks; i++)
		if (make_link(u, &lab_links[i]))
			return -1;
	step(u, "%zu veth links", lab_nlinks);
	if (interrupted(u))
		return -1;
	for (size_t i = 0; i < lab_naddrs; i++)
		if (add_addr(u, &lab_addrs[i]))
			return -1;
	step(u, "%zu addresses (IPv4 and IPv6)", lab_naddrs);
	for (size_t i = 0; i < lab_nroutes; i++)
		if (add_route(u, &lab_routes[i]))
			return -1;
	step(u, "%zu routes", lab_nroutes);
	if (interrupted(u))
		return -1;
	if (nat_masquerade(&u->lab, HOME_ROUTER, "wan", u->err, sizeof(u->err)))
		return -1;
	step(u, "NAT: home-router masquerades out of wan as %s", HOME_WAN_V4);
	if (settings_apply(&u->lab, u->nl, &u->set, false, u->err, sizeof(u->err)))
		return -1;
	if (u->nclients > 1 && up_clients(u))
		return -1;
	if (interrupted(u) || start_tunnels(u))
		return -1;
	return interrupted(u) ? -1 : 0;
}

static void try_line(const struct term *t, const char *cmd, const char *what)
{
	printf("  %-52s %s# %s%s\n", cmd, term_c(t, C_DIM), what, term_c(t, C_RESET));
}

static void print_map(const struct up *u)
{
	const struct term *t = &u->lab.term;
	char ns[64], cmd[128], lab_flag[32] = "";

	if (strcmp(u->lab.name, LAB_DEFAULT))
		snprintf(lab_flag, sizeof(lab_flag), " --lab %s", u->lab.name);
	printf("\n%sLab '%s' is up.%s\n\n", term_c(t, C_BOLD), u->lab.name, term_c(t, C_RESET));
	printf(
	    "  home 192.168.1.0/24         internet                      office 172.31.0.0/20\n");
	printf(
	    "  home-laptop ──── home-router ──── internet ──── office-server ──── office-host\n");
	printf("  .192         .1  198.51.100.2  .1 | .1  203.0.113.10   172.31.9.116   "
	       "172.31.9.200\n");
	printf("      %s(NAT masquerade)%s\n", term_c(t, C_DIM), term_c(t, C_RESET));
	printf("  %stun0 172.31.255.7 ═══════ UDP %d, %s ═══════ tun0 172.31.255.13%s\n\n",
	       term_c(t, C_CYAN), TUNNEL_PORT, u->other ? u->other->name : lab_mode_name(u->mode),
	       term_c(t, C_RESET));
	printf("Try:\n");
	snprintf(cmd, sizeof(cmd), "ip netns exec %s ping -c3 %s",
		 lab_ns(&u->lab, HOME_LAPTOP, ns, sizeof(ns)), OFFICE_HOST_V4);
	try_line(t, cmd, "across the VPN");
	snprintf(cmd, sizeof(cmd), "./harness status%s", lab_flag);
	try_line(t, cmd, "nodes, links, tunnel counters");
	/* Only what works on this very lab: the walk asks home-laptop's tunnel
	 * for its mode and keys, so it needs ours there; wg needs the
	 * encrypted mode. */
	if (!u->other && !(u->wireguard_go && u->wg_side != WG_SIDE_SERVER)) {
		snprintf(cmd, sizeof(cmd), "./harness walkthrough%s", lab_flag);
		try_line(t, cmd, "one ping, hop by hop, for a class");
	}
	if (u->mode == MODE_ENCRYPTED && !u->other && u->clients[0].wgname[0]) {
		snprintf(cmd, sizeof(cmd), "wg show %s", u->clients[0].wgname);
		try_line(t, cmd, "the laptop's peer, handshake and bytes");
	}
	printf("\nTake it down with: ./harness down%s%s\n", lab_flag,
	       lab_flag[0] ? "" : " (or make down)");
}

static void close_nodes(struct up *u)
{
	up_clients_close(u);
	for (int n = 0; n < NODE_COUNT; n++) {
		nl_close(&u->nl[n]);
		if (u->nsfd[n] >= 0)
			close(u->nsfd[n]);
		u->nsfd[n] = -1;
	}
}

static int mode_or_underlay(struct up *u, int opt, const char *arg)
{
	if (opt == 'm' && !strcmp(arg, "plaintext"))
		u->mode = MODE_PLAINTEXT;
	else if (opt == 'm' && !strcmp(arg, "pi"))
		u->mode = MODE_PI;
	else if (opt == 'm' && !strcmp(arg, "encrypted"))
		u->mode = MODE_ENCRYPTED;
	else if (opt == 'm') {
		fprintf(stderr,
			"harness up: --mode '%s' is not a mode (encrypted, plaintext or pi)\n",
			arg);
		return -1;
	} else if (!strcmp(arg, "4") || !strcmp(arg, "6")) {
		u->underlay = arg[0] - '0';
	} else {
		fprintf(stderr, "harness up: --underlay '%s' is not 4 or 6\n", arg);
		return -1;
	}
	return 0;
}

static int seconds_option(struct up *u, int opt, const char *arg)
{
	const char *flag = opt == 'k' ? "--keepalive" : "--rekey-after";
	int lo = opt == 'k' ? 0 : 1, hi = opt == 'k' ? 65535 : 120;
	long n;

	if (parse_whole(arg, lo, hi, &n)) {
		fprintf(stderr, "harness up: %s '%s' is not a number of seconds from %d to %d\n",
			flag, arg, lo, hi);
		return -1;
	}
	*(opt == 'k' ? &u->keepalive : &u->rekey_after) = (int)n;
	return 0;
}

static int encrypted_option(struct up *u, int opt, const char *arg)
{
	long n;

	if (opt == 'K') {
		u->keylog = true;
	} else if (opt == 'k' || opt == 'r') {
		return seconds_option(u, opt, arg);
	} else if (opt == 'p' && other_find(arg)) {
		u->other = other_find(arg);
	} else if (opt == 'p' && strcmp(arg, "wireguard-go")) {
		fprintf(stderr,
			"harness up: --peer '%s' is not a peer this lab runs (wireguard-go, "
			"openvpn, fastd or quicktun)\n",
			arg);
		return -1;
	} else if (opt == 'p') {
		u->wireguard_go = true;
	} else if (opt == 'o' && !strcmp(arg, "server")) {
		u->wg_side = WG_SIDE_SERVER;
	} else if (opt == 'o' && !strcmp(arg, "laptop")) {
		u->wg_side = WG_SIDE_LAPTOP;
	} else if (opt == 'o' && !strcmp(arg, "both")) {
		u->wg_side = WG_SIDE_BOTH;
	} else if (opt == 'o') {
		fprintf(stderr, "harness up: --peer-on '%s' is not server, laptop or both\n", arg);
		return -1;
	} else {
		if (parse_whole(arg, 1, MAX_CLIENTS, &n)) {
			fprintf(stderr, "harness up: --clients '%s' is not a number from 1 to %d\n",
				arg, MAX_CLIENTS);
			return -1;
		}
		u->nclients = (int)n;
	}
	return 0;
}

/* Another project's tunnel runs as the benchmark needs it, with none of our knobs. */
static int check_other_options(struct up *u)
{
	if (u->mode != MODE_ENCRYPTED || u->wireguard_go || u->keylog || u->nclients > 1 ||
	    u->rekey_after || u->keepalive != 25 || u->wg_side != WG_SIDE_SERVER ||
	    u->underlay != 4 || u->queues || u->batch || u->no_offload || u->no_gso || u->no_gro) {
		fprintf(stderr,
			"harness up: --peer %s runs its own protocol over IPv4 on both ends: drop "
			"--mode, --underlay and our tunnels' options\n",
			u->other->name);
		return -1;
	}
	return 0;
}

static int check_encrypted_options(struct up *u)
{
	if (u->other)
		return check_other_options(u);
	if (u->mode != MODE_ENCRYPTED && (u->wireguard_go || u->keylog || u->nclients > 1 ||
					  u->rekey_after || u->keepalive != 25)) {
		fprintf(stderr, "harness up: --peer, --keylog, --clients, --keepalive and "
				"--rekey-after need --mode encrypted\n");
		return -1;
	}
	if (u->wireguard_go && u->wg_side != WG_SIDE_SERVER && u->nclients > 1) {
		fprintf(stderr, "harness up: --peer-on laptop runs one laptop; drop --clients\n");
		return -1;
	}
	if (u->mode == MODE_ENCRYPTED && u->queues > 1) {
		fprintf(stderr,
			"harness up: --queues %d needs --mode plaintext or pi: encrypted "
			"mode runs one queue\n",
			u->queues);
		return -1;
	}
	return 0;
}

/* Our tunnels' fallbacks, passed on as they are: long options only. */
enum { OPT_NO_OFFLOAD = 1000, OPT_NO_GSO, OPT_NO_GRO, OPT_QUEUES, OPT_BATCH };

/* Checked here as well as in the tunnel, so a bad count stops before anything is built. */
static int parse_count(struct up *u, int opt, const char *arg)
{
	const char *flag = opt == OPT_QUEUES ? "--queues" : "--batch";
	long hi = opt == OPT_QUEUES ? 16 : 32, n;

	if (parse_whole(arg, 1, hi, &n)) {
		fprintf(stderr, "harness up: %s wants a count from 1 to %ld, not '%s'\n", flag, hi,
			arg);
		return -1;
	}
	*(opt == OPT_QUEUES ? &u->queues : &u->batch) = (int)n;
	return 0;
}

static int parse(struct up *u, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"underlay", required_argument, NULL, 'u'},
	    {"clients", required_argument, NULL, 'C'},
	    {"peer", required_argument, NULL, 'p'},
	    {"peer-on", required_argument, NULL, 'o'},
	    {"keylog", no_argument, NULL, 'K'},
	    {"keepalive", required_argument, NULL, 'k'},
	    {"rekey-after", required_argument, NULL, 'r'},
	    {"no-offload", no_argument, NULL, OPT_NO_OFFLOAD},
	    {"no-gso", no_argument, NULL, OPT_NO_GSO},
	    {"no-gro", no_argument, NULL, OPT_NO_GRO},
	    {"queues", required_argument, NULL, OPT_QUEUES},
	    {"batch", required_argument, NULL, OPT_BATCH},
	    SETTINGS_OPTIONS,
	    COMMON_OPTIONS,
	    {0},
	};
	struct common c = {0};
	int opt, rc;

	u->mode = MODE_ENCRYPTED;
	u->underlay = 4;
	u->nclients = 1;
	u->keepalive = 25;
	settings_init(&u->set);
	opterr = 0;
	while ((rc = next_option("up", argc, argv, ":h", opts, &c, usage, &opt)) == ARG_OWN) {
		if (opt == 'm' || opt == 'u') {
			if (mode_or_underlay(u, opt, optarg))
				return 2;
			continue;
		}
		if (strchr("CpoKkr", opt)) {
			if (encrypted_option(u, opt, optarg))
				return 2;
			continue;
		}
		if (opt == 'A') {
			fprintf(stderr, "harness up: --allow-icmp is for 'harness set'; ICMP "
					"passes unless --block-icmp\n");
			return 2;
		}
		if (opt == OPT_QUEUES || opt == OPT_BATCH) {
			if (parse_count(u, opt, optarg))
				return 2;
			continue;
		}
		if (opt >= OPT_NO_OFFLOAD) {
			*(opt == OPT_NO_OFFLOAD ? &u->no_offload
			  : opt == OPT_NO_GSO	? &u->no_gso
						: &u->no_gro) = true;
			continue;
		}
		if (opt == 'N') {
			fprintf(stderr, "harness up: --nat-rebind is for 'harness set': a new lab "
					"has no mappings to forget\n");
			return 2;
		}
		if (settings_option(&u->set, opt, optarg, u->err, sizeof(u->err)) < 0) {
			fprintf(stderr, "harness up: %s\n", u->err);
			return 2;
		}
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? 1 : 2;
	if (no_arguments("up", argc, argv) || check_encrypted_options(u))
		return 2;
	if (lab_init(&u->lab, c.lab, u->err, sizeof(u->err))) {
		fprintf(stderr, "harness up: %s\n", u->err);
		return 2;
	}
	/* A black hole needs a limit to hide: without one given, the office uplink gets 1400. */
	if (u->set.block_icmp == 1 && !u->set.wan_mtu && !u->set.office_mtu) {
		u->set.office_mtu = 1400;
		printf("--block-icmp without --wan-mtu or --office-mtu: the office uplink gets "
		       "MTU 1400, so there is a limit for the lost ICMP to hide\n");
	}
	u->lab.explain = c.explain;
	u->lab.json = c.json;
	return 0;
}

int cmd_up(int argc, char **argv)
{
	struct up *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		fprintf(stderr, "harness up: out of memory\n");
		return 1;
	}
	for (int n = 0; n < NODE_COUNT; n++)
		u->nsfd[n] = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		u->clients[i].nsfd = -1;
	rc = parse(u, argc, argv);
	if (rc) {
		free(u);
		return rc == 1 ? 0 : rc;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "harness up: must run as root: it creates network namespaces\n");
		free(u);
		return 1;
	}
	if (state_lock(&u->lab, true, u->err, sizeof(u->err))) {
		fprintf(stderr, "harness up: %s\n", u->err);
		free(u);
		return 1;
	}
	if (state_exists(&u->lab)) {
		fprintf(stderr,
			"harness up: lab '%s' is already up (run 'harness down%s%s' first)\n",
			u->lab.name, strcmp(u->lab.name, LAB_DEFAULT) ? " --lab " : "",
			strcmp(u->lab.name, LAB_DEFAULT) ? u->lab.name : "");
		lab_fini(&u->lab);
		free(u);
		return 1;
	}
	lab_ns(&u->lab, HOME_LAPTOP, u->clients[0].ns, sizeof(u->clients[0].ns));
	snprintf(u->clients[0].label, sizeof(u->clients[0].label), "home-laptop");
	snprintf(u->clients[0].vpn4, sizeof(u->clients[0].vpn4), CLIENT_VPN_V4);
	printf("Bringing up lab '%s' (%s%s, IPv%d underlay):\n", u->lab.name,
	       u->other ? u->other->name : lab_mode_name(u->mode), u->other ? "" : " mode",
	       u->underlay);
	hold_signals();
	rc = state_begin(&u->lab, u->err, sizeof(u->err));
	if (!rc)
		rc = build(u);
	close_nodes(u);
	if (rc) {
		fprintf(stderr, "harness up: %s\n", u->err);
		fprintf(stderr, "harness up: undoing what was built\n");
		lab_teardown(&u->lab, true);
	} else {
		print_map(u);
	}
	lab_fini(&u->lab);
	free(u);
	return rc ? 1 : 0;
}
