/*
 * harness walkthrough: sends one ping from home-laptop to office-host and
 * shows the class what it looks like at every hop: its layers with each
 * field's value and offset, a hex dump coloured by layer, what changed
 * since the hop before, and the overhead arithmetic.
 */
#include "walkthrough.h"
#include "commands.h"
#include "control.h"
#include "spawn.h"
#include "state.h"
#include "lib/capture.h"
#include "lib/netns.h"
#include "lib/packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GREETING "hello, office-host! -- home-laptop"

/* What happened to the ping to reach each point of lab_path. */
static const char *const story[HOPS] = {
    "The laptop's kernel routed the ping into tun0, because 172.16.0.0/12 points there. "
    "The tunnel program reads it from the device: a plain IP packet, nothing added yet.",
    "The tunnel put the whole packet into a UDP datagram for 203.0.113.10 port 1234, and "
    "the kernel sends that out of the laptop's LAN interface.",
    "The home router forwarded it to the internet and masqueraded it: the outer source is "
    "now its own WAN address. The packet inside is not touched.",
    "The internet router passed it on, and it reaches the office server's public side.",
    "The server's tunnel took the UDP payload and wrote it into its own tun0: the original "
    "packet again, as if it had arrived on a wire.",
    "office-server routed it onto the office LAN. office-host sees a ping from "
    "172.31.255.7 and answers it the same way back.",
};

static void usage(FILE *f)
{
	fputs("usage: harness walkthrough [--mode plaintext|pi] [--no-pause] [--html FILE]\n"
	      "                           [--captures DIR] [options]\n"
	      "\n"
	      "Follows one ping from home-laptop to office-host and back, hop by hop: the\n"
	      "layers of the packet with each field's value and offset, a hex dump coloured\n"
	      "by layer, what changed since the hop before, and the overhead arithmetic.\n"
	      "If the lab is not up, it is brought up for the walk and taken down after.\n"
	      "\n"
	      "  --mode MODE     plaintext or pi: the wire format to show\n"
	      "  --no-pause      run straight through (it waits for Enter between hops on a TTY)\n"
	      "  --html FILE     also write one self-contained page with the same diagrams\n"
	      "  --captures DIR  where each hop's capture goes (default captures/)\n" COMMON_HELP,
	      f);
}

/* Runs this harness again, for "up" or "down" of the walk's own lab. */
static int self(const struct walk *w, const char *cmd, const char *mode)
{
	char harness[PATH_MAX];
	pid_t pid;
	int status;

	if (sibling_path("harness", harness, sizeof(harness)))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(null, STDOUT_FILENO);
		close_from(3);
		execl(harness, harness, cmd, "--lab", w->lab.name, mode ? "--mode" : NULL, mode,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One ping with a greeting a class can read in the hex dump. */
static int send_ping(const struct walk *w)
{
	struct pkt_spec s = {.version = 4,
			     .proto = IPPROTO_ICMP,
			     .df = true,
			     .icmp_id = 0x7777,
			     .icmp_seq = 1,
			     .payload = (const uint8_t *)GREETING,
			     .payload_len = sizeof(GREETING) - 1};
	struct sockaddr_in dst = {.sin_family = AF_INET};
	uint8_t buf[256];
	ssize_t n;
	int fd;

	inet_pton(AF_INET, CLIENT_VPN_V4, s.src);
	inet_pton(AF_INET, OFFICE_HOST_V4, s.dst);
	memcpy(&dst.sin_addr, s.dst, 4);
	n = pkt_build(buf, sizeof(buf), &s);
	fd = lab_raw_socket(&w->lab, HOME_LAPTOP, AF_INET);
	if (fd < 0 || n < 0)
		return -1;
	n = sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The greeting on its way out (request) or back (reply) at one capture point. */
static void pick(struct walk *w, int i, struct capture *c)
{
	char line[256];
	const uint8_t *ip;
	size_t len;

	while (capture_next(c, &ip, &len, NULL) == 1) {
		struct layers l;
		const struct layer *icmp;
		const char *type;

		if (!memmem(ip, len, GREETING, sizeof(GREETING) - 1) ||
		    !layers_of(ip, len, TUNNEL_PORT, &l))
			continue;
		icmp = layer_find(&l, "ICMP");
		type = field_value(icmp, "type, code");
		if (type && !strcmp(type, "8, 0") && !w->hops[i].seen &&
		    len <= sizeof(w->hops[i].pkt)) {
			memcpy(w->hops[i].pkt, ip, len);
			w->hops[i].len = len;
			w->hops[i].layers = l;
			w->hops[i].seen = true;
		} else if (type && !strcmp(type, "0, 0") && !w->reply[i][0]) {
			pkt_decode_encap(ip, len, TUNNEL_PORT, line, sizeof(line));
			snprintf(w->reply[i], sizeof(w->reply[i]), "%s", line);
		}
	}
}

static int capture_walk(struct walk *w)
{
	struct capture caps[HOPS];
	char err[512], ns[64], path[PATH_MAX];
	int rc = 0, n = 0;

	for (; n < HOPS && !rc; n++) {
		lab_ns(&w->lab, lab_path[n].node, ns, sizeof(ns));
		rc = capture_open(&caps[n], ns, lab_path[n].ifname, "icmp or udp",
				  CAPTURE_LAB_SNAPLEN, lab_path[n].name, err, sizeof(err));
		snprintf(path, sizeof(path), "%s/walkthrough-%d-%s-%s.pcap", w->dir, n + 1,
			 lab_nodes[lab_path[n].node].name, lab_path[n].ifname);
		if (!rc && w->dir)
			rc = capture_write(&caps[n], path, err, sizeof(err));
		if (rc)
			fprintf(stderr, "harness walkthrough: %s\n", err);
	}
	if (!rc && send_ping(w)) {
		fprintf(stderr, "harness walkthrough: cannot send the ping from home-laptop\n");
		rc = -1;
	}
	usleep(300000);
	for (int i = 0; i < n; i++) {
		if (!rc)
			pick(w, i, &caps[i]);
		capture_close(&caps[i]);
	}
	return rc;
}

static void wait_enter(const struct walk *w)
{
	char buf[64];

	if (!w->pause)
		return;
	printf("%s  -- press Enter for the next hop --%s", term_c(&w->lab.term, C_DIM),
	       term_c(&w->lab.term, C_RESET));
	fflush(stdout);
	if (!fgets(buf, sizeof(buf), stdin))
		putchar('\n');
}

static int show(struct walk *w)
{
	const struct term *t = &w->lab.term;

	walk_changes(w);
	printf("%sOne ping, hop by hop%s: home-laptop (172.31.255.7) to office-host "
	       "(172.31.9.200), %s mode.\n",
	       term_c(t, C_BOLD), term_c(t, C_RESET), w->pi ? "pi" : "plaintext");
	printf("Its payload says \"%s\", so you can find it in every hex dump.\n", GREETING);
	for (int i = 0; i < HOPS; i++) {
		wait_enter(w);
		walk_print_hop(w, i, stdout);
	}
	wait_enter(w);
	printf("\n%sAnd back%s: office-host answers, and the reply takes the same hops in "
	       "reverse.\n",
	       term_c(t, C_BOLD), term_c(t, C_RESET));
	for (int i = HOPS - 1; i >= 0; i--)
		printf("  %-20s %s\n", lab_path[i].name,
		       w->reply[i][0] ? w->reply[i] : "(not seen)");
	if (w->dir)
		printf(
		    "\nEach hop's capture is in %s/walkthrough-*.pcap; open them in Wireshark with "
		    "-X lua_script:scripts/tunlab.lua.\n",
		    w->dir);
	for (int i = 0; i < HOPS; i++)
		if (!w->hops[i].seen)
			return 1;
	return 0;
}

static int parse(struct walk *w, int argc, char **argv, struct common *c, const char **mode)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"no-pause", no_argument, NULL, 'n'},
	    {"html", required_argument, NULL, 'H'},
	    {"captures", required_argument, NULL, 'C'},
	    COMMON_OPTIONS,
	    {0},
	};
	int opt, rc;

	opterr = 0;
	while ((rc = next_option("walkthrough", argc, argv, ":h", opts, c, usage, &opt)) ==
	       ARG_OWN) {
		if (opt == 'm' && strcmp(optarg, "plaintext") && strcmp(optarg, "pi")) {
			fprintf(stderr,
				"harness walkthrough: --mode '%s' is not plaintext or pi "
				"(encrypted mode comes with the WireGuard work)\n",
				optarg);
			return 2;
		}
		if (opt == 'm')
			*mode = optarg;
		if (opt == 'n')
			w->pause = false;
		if (opt == 'H')
			w->html = optarg;
		if (opt == 'C')
			w->dir = optarg;
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? -1 : 2;
	return no_arguments("walkthrough", argc, argv);
}

/* The lab as the walk needs it: up in the right mode, brought up here if it was not. */
static int ready(struct walk *w, const char *mode, bool *ours)
{
	char ctl[PATH_MAX], reply[1024], v[32];

	*ours = false;
	if (!state_exists(&w->lab)) {
		printf("Bringing up lab '%s' for the walk...\n", w->lab.name);
		/* The walk reads inner packets on the wire: plaintext unless told. */
		if (self(w, "up", mode ? mode : "plaintext")) {
			fprintf(stderr,
				"harness walkthrough: cannot bring up lab '%s' (try harness "
				"up)\n",
				w->lab.name);
			return 1;
		}
		*ours = true;
	}
	lab_file(&w->lab, HOME_LAPTOP, "ctl", ctl, sizeof(ctl));
	if (control_query(ctl, "stats", reply, sizeof(reply)) ||
	    !control_value(reply, "mode", v, sizeof(v))) {
		fprintf(stderr, "harness walkthrough: the tunnel on home-laptop does not answer\n");
		return 1;
	}
	w->pi = !strcmp(v, "pi");
	if (!mode && !strcmp(v, "encrypted")) {
		fprintf(stderr,
			"harness walkthrough: lab '%s' runs encrypted mode, where no inner packet "
			"is readable on the wire; walk a plaintext lab (harness down, then "
			"harness walkthrough)\n",
			w->lab.name);
		return 1;
	}
	if (mode && strcmp(mode, v)) {
		fprintf(stderr,
			"harness walkthrough: lab '%s' runs %s mode; take it down, or walk "
			"another lab (--lab NAME --mode %s)\n",
			w->lab.name, v, mode);
		return 1;
	}
	return 0;
}

int cmd_walkthrough(int argc, char **argv)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct common c = {0};
	const char *mode = NULL;
	char err[256];
	bool ours;
	int rc;

	if (!w)
		return 1;
	w->pause = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	w->dir = "captures";
	for (int i = 0; i < HOPS; i++) {
		w->hops[i].point = lab_path[i].name;
		w->hops[i].story = story[i];
	}
	rc = parse(w, argc, argv, &c, &mode);
	if (!rc && lab_init(&w->lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness walkthrough: %s\n", err);
		rc = 2;
	}
	if (!rc && geteuid()) {
		fprintf(stderr, "harness walkthrough: must run as root: it captures in the lab\n");
		rc = 1;
	}
	if (!rc && mkdir(w->dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "harness walkthrough: cannot make %s: %s\n", w->dir,
			strerror(errno));
		rc = 1;
	}
	if (rc) {
		free(w);
		return rc < 0 ? 0 : rc;
	}
	rc = ready(w, mode, &ours);
	if (!rc)
		rc = capture_walk(w) ? 1 : show(w);
	if (!rc && w->html && walk_html(w, w->html)) {
		fprintf(stderr, "harness walkthrough: cannot write %s: %s\n", w->html,
			strerror(errno));
		rc = 1;
	}
	if (ours)
		self(w, "down", NULL);
	free(w);
	return rc;
}
