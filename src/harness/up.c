/* harness up: build the home/office lab and start the tunnel across it. */
#include "commands.h"
#include "up.h"
#include "up_file.h"
#include "graph.h"
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
	fputs("usage: harness up [FILE] [--mode encrypted|plaintext|pi] [--underlay 4|6] "
	      "[--clients N]\n"
	      "                  [--peer wireguard-go [--peer-on server|laptop|both]] [broken "
	      "network]\n"
	      "\n"
	      "Builds the lab in network namespaces and starts its tunnel: the one a lab\n"
	      "file describes (FILE, see docs/labs.md), or the default lab\n"
	      "(labs/home-office.yml: home-laptop, home-router with NAT, internet,\n"
	      "office-server, office-host, and the tunnel between home-laptop and\n"
	      "office-server).  The file is checked whole before anything is made.\n"
	      "\n"
	      "  --mode MODE     encrypted (default: the WireGuard protocol), plaintext, or pi\n"
	      "                  (plaintext with the 4-byte TUN header on the wire)\n"
	      "  --clients N     N laptops behind the home router (1 to 64), one server\n"
	      "  --peer wireguard-go\n"
	      "                  run wireguard-go, configured by wg, on one side\n"
	      "  --peer-on SIDE  where wireguard-go runs: server (default), laptop or both\n"
	      "  --peer openvpn|fastd|quicktun\n"
	      "                  run that program on both ends instead of ours, to compare\n"
	      "                  with (AES-256-GCM, salsa2012+umac, raw)\n"
	      "  --keylog        each tunnel logs its session keys beside its log, as\n"
	      "                  /run/tunlab/LAB/NODE.keys (INSECURE; for lessons)\n"
	      "  --keepalive S   the laptops' PersistentKeepalive (default 25; 0 for none)\n"
	      "  --rekey-after S\n"
	      "                  our tunnels start a new session every S seconds (1 to 120;\n"
	      "                  default 120, as the protocol says)\n"
	      "  --underlay 4|6  carry the tunnel over IPv4 (default) or IPv6\n"
	      "  --no-pmtu       tunnels do not follow the path MTU (no ICMP back inside)\n"
	      "  --no-offload, --no-gso, --no-gro\n"
	      "                  our tunnels without TUN segmentation offload, UDP GSO or\n"
	      "                  UDP GRO: the fallbacks, for tests and benchmarks\n"
	      "  --batch N       our tunnels' packets per system call (1 to 32; default 32)\n"
	      "  --queues N      our plaintext tunnels' TUN queues, a thread each (1 to 16;\n"
	      "                  default: one per core); plaintext and pi only, encrypted\n"
	      "                  mode runs one queue\n"
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

int sysctl_in(struct up *u, int n, const char *key, const char *value)
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

static int node_sysctls(struct up *u, int n)
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
	if (!u->lab.topo.nodes[n].forward)
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

static int make_node(struct up *u, int n)
{
	char ns[64];

	lab_ns(&u->lab, n, ns, sizeof(ns));
	if (make_namespace(u, ns, &u->nsfd[n], &u->nl[n]))
		return -1;
	return node_sysctls(u, n);
}

int link_index(struct up *u, int n, const char *ifname)
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

static const char *ifname_of(const struct up *u, const struct topo_end *e)
{
	return u->lab.topo.nodes[e->node].ifaces[e->iface].name;
}

static int set_up(struct up *u, int n, const char *ns, const char *ifname, int mtu)
{
	int idx = link_index(u, n, ifname), rc;

	if (idx < 0)
		return -1;
	if (mtu)
		lab_explain(&u->lab, "ip -n %s link set %s mtu %d up", ns, ifname, mtu);
	else
		lab_explain(&u->lab, "ip -n %s link set %s up", ns, ifname);
	rc = nl_link_set(&u->nl[n], idx, true, mtu);
	if (rc)
		snprintf(u->err, sizeof(u->err), "cannot set %s up: %s", ifname, strerror(-rc));
	return rc ? -1 : 0;
}

int make_link(struct up *u, const struct topo_link *l)
{
	const char *a_if = ifname_of(u, &l->a), *b_if = ifname_of(u, &l->b);
	char a[64], b[64];
	int rc;

	lab_ns(&u->lab, l->a.node, a, sizeof(a));
	lab_ns(&u->lab, l->b.node, b, sizeof(b));
	lab_explain(&u->lab, "ip -n %s link add %s type veth peer name %s netns %s", a, a_if, b_if,
		    b);
	/* Made from inside a's namespace: nothing ever appears in the root namespace. */
	rc = nl_veth_add(&u->nl[l->a.node], a_if, b_if, u->nsfd[l->b.node]);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot link %s:%s to %s:%s: %s", a, a_if, b, b_if,
			 strerror(-rc));
		return -1;
	}
	return set_up(u, l->a.node, a, a_if, l->im.mtu) || set_up(u, l->b.node, b, b_if, l->im.mtu)
		   ? -1
		   : 0;
}

static int add_addr(struct up *u, int n, const char *ifname, const char *cidr)
{
	struct prefix p;
	char ns[64];
	int idx, rc;

	lab_ns(&u->lab, n, ns, sizeof(ns));
	if (prefix_parse(cidr, true, &p, u->err, sizeof(u->err)))
		return -1;
	idx = link_index(u, n, ifname);
	if (idx < 0)
		return -1;
	lab_explain(&u->lab, "ip -n %s addr add %s dev %s", ns, cidr, ifname);
	rc = nl_addr_add(&u->nl[n], idx, &p);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot add %s to %s:%s: %s", cidr, ns, ifname,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

static int add_route(struct up *u, int n, const struct topo_route *r)
{
	struct prefix dst, via;
	char ns[64];
	int rc;

	lab_ns(&u->lab, n, ns, sizeof(ns));
	if (prefix_parse(r->via, false, &via, u->err, sizeof(u->err)))
		return -1;
	if (!strcmp(r->dst, "default"))
		dst = (struct prefix){.family = via.family, .len = 0};
	else if (prefix_parse(r->dst, true, &dst, u->err, sizeof(u->err)))
		return -1;
	lab_explain(&u->lab, "ip -n %s route add %s via %s proto static", ns, r->dst, r->via);
	rc = nl_route_add(&u->nl[n], &dst, via.addr, 0);
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
	char ctl[PATH_MAX], log[PATH_MAX], why[512];
	struct control_reply reply;

	ctl_path(u->lab.dir, label, NULL, ctl, sizeof(ctl));
	snprintf(log, sizeof(log), "%s/%s.log", u->lab.dir, label);
	for (int waited = 0; waited < 5000; waited += 20) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			last_log_line(log, why, sizeof(why));
			snprintf(u->err, sizeof(u->err), "the tunnel on %s exited: %s", label, why);
			return -1;
		}
		if (control_ask(ctl, CTL_STATS, &reply) == 0)
			return 0;
		clock_sleep_ms(20);
	}
	snprintf(u->err, sizeof(u->err), "the tunnel on %s did not come up within 5 s (see %s)",
		 label, log);
	return -1;
}

int start_tunnel(struct up *u, int n, char **args)
{
	char ns[64];

	return start_tunnel_in(u, lab_ns(&u->lab, n, ns, sizeof(ns)), lab_name(&u->lab, n), args);
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
	ctl_path(u->lab.dir, label, NULL, ctl, sizeof(ctl));
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

/* "--flag value" for each string, into argv from *argc; at most cap slots in all. */
static void flags(char **argv, int *argc, int cap, const char *flag, char **v, size_t n)
{
	for (size_t i = 0; i < n && *argc + 2 < cap; i++) {
		argv[(*argc)++] = (char *)flag;
		argv[(*argc)++] = v[i];
	}
	argv[*argc] = NULL;
}

static int start_plain(struct up *u, const struct topo_tunnel *tu, const char *server)
{
	char port[16], *srv[32] = {"--listen", "--port", port, "--dev", "tun0"},
		       *cli[32] = {"--server", (char *)server, "--dev", "tun0"};
	int ns = 5, nc = 4;

	snprintf(port, sizeof(port), "%d", tu->port);
	flags(srv, &ns, 32, "--addr", tu->server.addrs, tu->server.naddrs);
	/* A server's routes lead into the tunnel too: the network behind its client. */
	flags(srv, &ns, 32, "--route", tu->server.routes, tu->server.nroutes);
	flags(cli, &nc, 32, "--addr", tu->clients[0].addrs, tu->clients[0].naddrs);
	flags(cli, &nc, 32, "--route", tu->clients[0].routes, tu->clients[0].nroutes);
	if (start_tunnel(u, tu->server.node, srv))
		return -1;
	step(u, "tunnel server on %s, %s mode, UDP %d", lab_name(&u->lab, tu->server.node),
	     wire_mode_name(u->mode), tu->port);
	if (start_tunnel(u, tu->clients[0].node, cli))
		return -1;
	step(u, "tunnel client on %s, to %s", lab_name(&u->lab, tu->clients[0].node), server);
	return 0;
}

static int start_tunnels(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	char server[64];

	if (!t->ntunnels || !t->tunnels[0].nclients) {
		snprintf(u->err, sizeof(u->err), "the lab has no tunnel with a client to start");
		return -1;
	}
	if (u->underlay == 6)
		snprintf(server, sizeof(server), "[%s]:%d", u->lab.at.server_public6,
			 u->lab.at.port);
	else
		snprintf(server, sizeof(server), "%s:%d", u->lab.at.server_public4, u->lab.at.port);
	if (u->other)
		return up_others(u);
	if (u->mode == MODE_ENCRYPTED)
		return up_encrypted(u);
	return start_plain(u, &t->tunnels[0], server);
}

static int make_nodes(struct up *u)
{
	const struct topo *t = &u->lab.topo;

	for (size_t n = 0; n < t->nnodes; n++)
		if (make_node(u, (int)n))
			return -1;
	step(u, "%zu namespaces", t->nnodes);
	if (interrupted(u))
		return -1;
	for (size_t i = 0; i < t->nlinks; i++)
		if (make_link(u, &t->links[i]))
			return -1;
	step(u, "%zu veth link%s", t->nlinks, t->nlinks == 1 ? "" : "s");
	return interrupted(u) ? -1 : 0;
}

static int add_addrs(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	size_t count = 0;

	size_t v6 = 0;

	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t i = 0; i < t->nodes[n].nifaces; i++) {
			const struct topo_iface *f = &t->nodes[n].ifaces[i];

			for (size_t k = 0; k < f->naddrs; k++, count++) {
				if (add_addr(u, (int)n, f->name, f->addrs[k].cidr))
					return -1;
				v6 += strchr(f->addrs[k].cidr, ':') != NULL;
			}
		}
	step(u, "%zu address%s (%s)", count, count == 1 ? "" : "es",
	     !v6	   ? "IPv4"
	     : v6 == count ? "IPv6"
			   : "IPv4 and IPv6");
	return 0;
}

static int add_routes(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	size_t count = 0;

	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t i = 0; i < t->nodes[n].nroutes; i++, count++)
			if (add_route(u, (int)n, &t->nodes[n].routes[i]))
				return -1;
	step(u, "%zu route%s", count, count == 1 ? "" : "s");
	return interrupted(u) ? -1 : 0;
}

/* The address a router masquerades as: the first IPv4 one of its outside interface. */
static const char *outside_v4(const struct topo_node *n)
{
	int i = topo_iface(n, n->masquerade);

	for (size_t k = 0; i >= 0 && k < n->ifaces[i].naddrs; k++)
		if (!strchr(n->ifaces[i].addrs[k].cidr, ':'))
			return n->ifaces[i].addrs[k].cidr;
	return "";
}

static int add_nat(struct up *u)
{
	const struct topo *t = &u->lab.topo;

	for (size_t n = 0; n < t->nnodes; n++) {
		const struct topo_node *node = &t->nodes[n];
		const char *out;

		if (!node->masquerade)
			continue;
		if (nat_masquerade(&u->lab, (int)n, node->masquerade, u->err, sizeof(u->err)))
			return -1;
		out = outside_v4(node);
		step(u, "NAT: %s masquerades out of %s as %.*s", node->name, node->masquerade,
		     (int)strcspn(out, "/"), out);
	}
	return 0;
}

static int build(struct up *u)
{
	if (make_nodes(u) || add_addrs(u) || add_routes(u) || add_nat(u) || up_file_impair(u))
		return -1;
	if (settings_apply(&u->lab, u->nl, &u->set, false, u->err, sizeof(u->err)))
		return -1;
	/* --clients makes its laptops; a lab file's clients are its own nodes, built already. */
	if (u->nclients > 1 && !u->clients[1].member && up_clients(u))
		return -1;
	/* A lab without a tunnel (routing lessons) is whole without one. */
	if (interrupted(u) || (u->lab.topo.ntunnels && start_tunnels(u)))
		return -1;
	if (interrupted(u) || up_file_exec(u))
		return -1;
	return interrupted(u) ? -1 : 0;
}

static void try_line(const struct term *t, const char *cmd, const char *what)
{
	printf("  %-52s %s# %s%s\n", cmd, term_c(t, C_DIM), what, term_c(t, C_RESET));
}

/* A lab from a file: its map, drawn from the file, and how to take it down. */
static void print_file_map(struct up *u, const char *lab_flag)
{
	const struct term *t = &u->lab.term;

	printf("\n%sLab '%s' is up, from %s.%s\n\n", term_c(t, C_BOLD), u->lab.name, u->file,
	       term_c(t, C_RESET));
	if (u->lab.topo.ntunnels)
		u->lab.topo.tunnels[0].mode = u->mode;
	graph_ascii(&u->lab.topo, t, stdout);
	printf("\nTry:\n");
	printf("  ./harness status%s\n", lab_flag);
	printf("  ./harness exec%s NODE -- COMMAND\n", lab_flag);
	printf("\nTake it down with: ./harness down%s\n", lab_flag);
}

static void print_map(struct up *u)
{
	const struct term *t = &u->lab.term;
	char ns[64], cmd[128], lab_flag[32] = "";

	if (strcmp(u->lab.name, LAB_DEFAULT))
		snprintf(lab_flag, sizeof(lab_flag), " --lab %s", u->lab.name);
	if (u->file) {
		print_file_map(u, lab_flag);
		return;
	}
	printf("\n%sLab '%s' is up.%s\n\n", term_c(t, C_BOLD), u->lab.name, term_c(t, C_RESET));
	/* The map is drawn from the lab's description, as harness graph draws it, in the
	 * mode the tunnel runs now. */
	if (u->lab.topo.ntunnels)
		u->lab.topo.tunnels[0].mode = u->mode;
	graph_ascii(&u->lab.topo, t, stdout);
	putchar('\n');
	printf("Try:\n");
	snprintf(cmd, sizeof(cmd), "ip netns exec %s ping -c3 %s",
		 lab_ns(&u->lab, lab_role(&u->lab, ROLE_CLIENT), ns, sizeof(ns)),
		 u->lab.at.target4);
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
	for (size_t n = 0; u->nsfd && n < u->lab.topo.nnodes; n++) {
		nl_close(&u->nl[n]);
		if (u->nsfd[n] >= 0)
			close(u->nsfd[n]);
		u->nsfd[n] = -1;
	}
	free(u->nl);
	free(u->nsfd);
	u->nl = NULL;
	u->nsfd = NULL;
}

/* A netlink socket and a namespace fd per node, none open yet. */
static int alloc_nodes(struct up *u)
{
	size_t n = u->lab.topo.nnodes;

	u->nl = calloc(n ? n : 1, sizeof(*u->nl));
	u->nsfd = malloc((n ? n : 1) * sizeof(*u->nsfd));
	if (!u->nl || !u->nsfd) {
		snprintf(u->err, sizeof(u->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		u->nsfd[i] = -1;
	return 0;
}

static int mode_or_underlay(struct up *u, int opt, const char *arg)
{
	if (opt == 'm') {
		if (wire_mode_parse(arg, &u->mode) == 0)
			return 0;
		fprintf(stderr,
			"harness up: --mode '%s' is not a mode (encrypted, plaintext or pi)\n",
			arg);
		return -1;
	}
	if (!strcmp(arg, "4") || !strcmp(arg, "6")) {
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

/* A lab file's tunnel with several clients: encrypted, and not with --clients or --peer. */
static int several_clients(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	size_t n = t->ntunnels ? t->tunnels[0].nclients : 0;

	if (!u->file || n < 2)
		return 0;
	if (u->mode != MODE_ENCRYPTED) {
		fprintf(stderr,
			"harness up: %s: %zu clients need --mode encrypted: a plaintext server "
			"has one peer, the last endpoint it heard from\n",
			u->file, n);
		return -1;
	}
	if (u->nclients > 1 || u->wireguard_go || u->other) {
		fprintf(stderr, "harness up: %s names its %zu clients: drop --clients and --peer\n",
			u->file, n);
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
	bool mode_given = false;
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
			mode_given |= opt == 'm';
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
	if (optind < argc)
		u->file = argv[optind++];
	if (no_arguments("up", argc, argv))
		return 2;
	if (lab_init(&u->lab, c.lab, u->err, sizeof(u->err))) {
		fprintf(stderr, "harness up: %s\n", u->err);
		return 2;
	}
	if (u->file &&
	    up_file_load(&u->lab, u->file, &u->file_text, &u->file_len, u->err, sizeof(u->err))) {
		if (u->err[0])
			fprintf(stderr, "harness up: %s\n", u->err);
		lab_fini(&u->lab);
		free(u->file_text);
		return 2;
	}
	/* The tunnel's mode is the lab's, unless --mode says otherwise. */
	if (!mode_given && u->lab.topo.ntunnels)
		u->mode = u->lab.topo.tunnels[0].mode;
	if (several_clients(u)) {
		lab_fini(&u->lab);
		free(u->file_text);
		return 2;
	}
	if (check_encrypted_options(u)) {
		lab_fini(&u->lab);
		return 2;
	}
	/* A black hole needs a limit to hide: without one given, the office uplink gets 1400. */
	if (u->set.block_icmp == 1 && !u->set.wan_mtu && !u->set.office_mtu) {
		u->set.office_mtu = 1400;
		printf("--block-icmp without --wan-mtu or --office-mtu: the office uplink gets "
		       "MTU 1400, so there is a limit for the lost ICMP to hide\n");
	}
	/* A lab file without the roles a setting acts on is refused before anything is made. */
	if (settings_check(&u->lab, &u->set, false, u->err, sizeof(u->err))) {
		fprintf(stderr, "harness up: %s\n", u->err);
		lab_fini(&u->lab);
		free(u->file_text);
		return 2;
	}
	u->lab.explain = c.explain;
	u->lab.json = c.json;
	return 0;
}

/* A lab file's tunnel clients, each on its own node, with the addresses the file gives it. */
static void file_clients(struct up *u)
{
	const struct topo *t = &u->lab.topo;
	const struct topo_tunnel *tu = t->ntunnels ? &t->tunnels[0] : NULL;

	if (!u->file || !tu)
		return;
	u->clients[0].member = &tu->clients[0];
	for (size_t i = 1; i < tu->nclients; i++) {
		struct client *c = &u->clients[i];
		const struct topo_member *m = &tu->clients[i];

		c->member = m;
		lab_ns(&u->lab, m->node, c->ns, sizeof(c->ns));
		snprintf(c->label, sizeof(c->label), "%s", lab_name(&u->lab, m->node));
		for (size_t k = 0; k < m->naddrs && !c->vpn4[0]; k++)
			if (!strchr(m->addrs[k], ':'))
				snprintf(c->vpn4, sizeof(c->vpn4), "%.*s",
					 (int)strcspn(m->addrs[k], "/"), m->addrs[k]);
	}
	u->nclients = (int)tu->nclients;
}

int cmd_up(int argc, char **argv)
{
	struct up *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		fprintf(stderr, "harness up: out of memory\n");
		return 1;
	}
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
	lab_ns(&u->lab, lab_role(&u->lab, ROLE_CLIENT), u->clients[0].ns, sizeof(u->clients[0].ns));
	snprintf(u->clients[0].label, sizeof(u->clients[0].label), "%s",
		 lab_name(&u->lab, lab_role(&u->lab, ROLE_CLIENT)));
	snprintf(u->clients[0].vpn4, sizeof(u->clients[0].vpn4), "%s", u->lab.at.client_vpn4);
	file_clients(u);
	if (!u->lab.topo.ntunnels)
		printf("Bringing up lab '%s' (no tunnel):\n", u->lab.name);
	else
		printf("Bringing up lab '%s' (%s%s, IPv%d underlay):\n", u->lab.name,
		       u->other ? u->other->name : wire_mode_name(u->mode), u->other ? "" : " mode",
		       u->underlay);
	hold_signals();
	rc = alloc_nodes(u);
	if (!rc)
		rc = state_begin(&u->lab, u->err, sizeof(u->err));
	if (!rc && u->file)
		rc = up_file_keep(u, u->file_text, u->file_len);
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
	free(u->file_text);
	free(u);
	return rc ? 1 : 0;
}
