/*
 * harness walkthrough: sends one ping from home-laptop to office-host and
 * shows the class what it looks like at every hop: its layers with each
 * field's value and offset, a hex dump coloured by layer, what changed
 * since the hop before, and the overhead arithmetic.
 */
#include "walkthrough.h"
#include "commands.h"
#include "control.h"
#include "labkeys.h"
#include "spawn.h"
#include "state.h"
#include "lib/capture.h"
#include "lib/keys.h"
#include "lib/netns.h"
#include "lib/packet.h"
#include "lib/mtu.h"

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
#define MIN_SIZE (MTU_IPV4_HDR + MTU_UDP_HDR + sizeof(GREETING) - 1)
#define MAX_SIZE 1400

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

/* Where encrypted mode tells it differently. */
static const char *const sealed_story[HOPS] = {
    NULL,
    "The tunnel padded the packet to a multiple of 16 bytes and sealed it with the "
    "session's send key (ChaCha20-Poly1305): the ciphertext is as long as the padded "
    "packet, and a 16-byte tag follows. In front goes the 16-byte WireGuard header, and "
    "all of it goes in a UDP datagram for 203.0.113.10 port 1234, out of the laptop's LAN "
    "interface.",
    "The home router forwarded it to the internet and masqueraded it: the outer source is "
    "now its own WAN address. It cannot read what is sealed, and does not need to.",
    NULL,
    "The server's tunnel found the session by the receiver index, checked the counter "
    "against replays and the tag against forgery, decrypted, cut the padding off by the "
    "inner IP length, and wrote the original packet into its own tun0.",
    NULL,
};

static const char *const hs_story[2] = {
    "home-laptop starts a session: it names itself by a sender index, sends a fresh "
    "ephemeral key, and proves who it is to office-server only. Nothing secret is in "
    "the clear.",
    "office-server answers with its own index and ephemeral key. From the two messages "
    "both sides derive the same pair of session keys, and neither key ever crossed the "
    "wire.",
};

static void usage(FILE *f)
{
	fputs("usage: harness walkthrough [--mode encrypted|plaintext|pi] [--no-pause]\n"
	      "                           [--size BYTES] [--handshake] [--html FILE]\n"
	      "                           [--captures DIR] [options]\n"
	      "\n"
	      "Follows one ping from home-laptop to office-host and back, hop by hop: the\n"
	      "layers of the packet with each field's value and offset, a hex dump coloured\n"
	      "by layer, what changed since the hop before, and the overhead arithmetic.\n"
	      "In encrypted mode it takes the WireGuard header apart and, with the session\n"
	      "keys the lab's tunnel exports, shows the packet inside beside the ciphertext.\n"
	      "If the lab is not up, it is brought up for the walk and taken down after.\n"
	      "\n"
	      "  --mode MODE     encrypted, plaintext or pi: the wire format to walk (the\n"
	      "                  lab's own, or the one to bring a lab up in; default encrypted)\n"
	      "  --no-pause      run straight through (it waits for Enter between hops on a TTY)\n"
	      "  --size BYTES    the ping's size, its IP header included (62 to 1400; default\n"
	      "                  62; 84 is what ping sends by default)\n"
	      "  --handshake     encrypted mode: first start a new handshake and walk its two\n"
	      "                  messages, field by field\n"
	      "  --html FILE     also write one self-contained page with the same diagrams\n"
	      "  --captures DIR  where each hop's capture goes (default: a new directory\n"
	      "                  under /tmp, named at the end)\n" LAB_HELP,
	      f);
}

const char *walk_mode(const struct walk *w)
{
	return w->encrypted ? "encrypted" : w->pi ? "pi" : "plaintext";
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
		to_null(STDOUT_FILENO);
		close_from(3);
		execl(harness, harness, cmd, "--lab", w->lab.name, mode ? "--mode" : NULL, mode,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One ping with a greeting a class can read in the hex dump, filled to the size asked. */
static int send_ping(const struct walk *w)
{
	uint8_t payload[MAX_SIZE];
	struct pkt_spec s = {.version = 4,
			     .proto = IPPROTO_ICMP,
			     .df = true,
			     .icmp_id = 0x7777,
			     .icmp_seq = 1,
			     .payload = payload,
			     .payload_len = w->size - 28};
	struct sockaddr_in dst = {.sin_family = AF_INET};
	uint8_t buf[MAX_SIZE + 64];
	ssize_t n;
	int fd;

	memset(payload, '.', sizeof(payload));
	memcpy(payload, GREETING, sizeof(GREETING) - 1);
	inet_pton(AF_INET, w->lab.at.client_vpn4, s.src);
	inet_pton(AF_INET, w->lab.at.target4, s.dst);
	memcpy(&dst.sin_addr, s.dst, 4);
	n = pkt_build(buf, sizeof(buf), &s);
	fd = lab_raw_socket(&w->lab, lab_role(&w->lab, ROLE_CLIENT), AF_INET);
	if (fd < 0 || n < 0)
		return -1;
	n = sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return n < 0 ? -1 : 0;
}

static const char *icmp_type(const struct layers *l)
{
	return field_value(layer_find(l, "ICMP"), "type, code");
}

static void keep(struct hop_view *h, const uint8_t *ip, size_t len, const struct layers *l)
{
	memcpy(h->pkt, ip, len);
	h->len = len;
	h->layers = *l;
	h->seen = true;
}

/*
 * A WireGuard message at an outer hop.  Transport data is opened when the
 * keys allow; else the first one each way that is more than a keepalive
 * (16 sealed bytes) is taken for the ping and its reply, as nothing else
 * crosses the tunnel in a quiet lab.
 */
static void pick_sealed(struct walk *w, int i, const uint8_t *ip, size_t len,
			const struct layers *l)
{
	const struct layer *wg = layer_find(l, "WireGuard transport");
	const char *sport = field_value(layer_find(l, "UDP"), "source port");
	bool out = sport && atoi(sport) != w->lab.at.port;
	uint8_t inner[WALK_PKT];
	size_t padded = 0, n;
	ssize_t k = -1;
	struct layers in = {0}, full;
	char line[320], dec[200];

	if (i == 1 && w->handshake) {
		if (layer_find(l, "WireGuard initiation") && !w->hs[0].seen)
			keep(&w->hs[0], ip, len, l);
		if (layer_find(l, "WireGuard response") && !w->hs[1].seen)
			keep(&w->hs[1], ip, len, l);
	}
	if (!wg)
		return;
	n = len - wg->offset;
	if (n <= MSG_DATA_MIN_LEN)
		return; /* a keepalive */
	if (w->keys.n)
		k = wg_open_transport(&w->keys, ip + wg->offset, n, inner, sizeof(inner), &padded);
	if (k > 0)
		layers_of((const uint8_t *)inner, (size_t)k, 0, &in);
	if (k > 0 ? !memmem(inner, (size_t)k, GREETING, sizeof(GREETING) - 1) : w->keys.n > 0)
		return; /* opened, and not ours; or the keys do not open it */
	if (k > 0 ? !strcmp(icmp_type(&in) ? icmp_type(&in) : "", "8, 0") : out) {
		if (w->hops[i].seen)
			return;
		/* Where the ping ends and the padding starts: its own length, or the tun0 one. */
		layers_of_sealed(ip, len, w->lab.at.port,
				 k > 0		   ? (size_t)k
				 : w->hops[0].seen ? w->hops[0].len
						   : 0,
				 &full);
		keep(&w->hops[i], ip, len, &full);
		if (k > 0) {
			memcpy(w->hops[i].inner, inner, (size_t)k);
			w->hops[i].inner_len = (size_t)k;
			w->hops[i].inner_layers = in;
		}
		return;
	}
	if (w->reply[i][0])
		return;
	pkt_decode(ip, len, line, sizeof(line));
	snprintf(w->reply[i], sizeof(w->reply[i]),
		 "%s | WireGuard transport receiver %s counter %s", line,
		 field_value(wg, "receiver index"), field_value(wg, "counter"));
	if (k > 0) {
		pkt_decode(inner, (size_t)k, dec, sizeof(dec));
		n = strlen(w->reply[i]);
		snprintf(w->reply[i] + n, sizeof(w->reply[i]) - n, " | opened: %s", dec);
	}
}

/* The greeting on its way out (request) or back (reply) at one capture point. */
static void pick(struct walk *w, int i, struct capture *c)
{
	char line[256];
	const uint8_t *ip;
	size_t len;

	while (capture_next(c, &ip, &len, NULL) == 1) {
		struct layers l;
		const char *type;

		if (len > WALK_PKT || !layers_of(ip, len, w->lab.at.port, &l))
			continue;
		if (l.wireguard) {
			pick_sealed(w, i, ip, len, &l);
			continue;
		}
		if (!memmem(ip, len, GREETING, sizeof(GREETING) - 1))
			continue;
		type = icmp_type(&l);
		if (type && !strcmp(type, "8, 0") && !w->hops[i].seen) {
			keep(&w->hops[i], ip, len, &l);
		} else if (type && !strcmp(type, "0, 0") && !w->reply[i][0]) {
			pkt_decode_encap(ip, len, w->lab.at.port, line, sizeof(line));
			snprintf(w->reply[i], sizeof(w->reply[i]), "%s", line);
		}
	}
}

/* The lab's session keys, which open both directions; or, when there are none, why. */
static void load_keys(struct walk *w)
{
	struct control_reply reply;

	w->sealed_why[0] = 0;
	if (labkeys_load(&w->lab, &w->keys) > 0)
		return;
	if (control_ask_node(&w->lab, lab_role(&w->lab, ROLE_CLIENT), CTL_KEYS, &reply))
		snprintf(w->sealed_why, sizeof(w->sealed_why),
			 "the tunnel on %s does not answer 'keys'",
			 lab_name(&w->lab, lab_role(&w->lab, ROLE_CLIENT)));
	else if (control_get(&reply, CTL_ERROR))
		snprintf(w->sealed_why, sizeof(w->sealed_why), "%s's tunnel says: %.159s",
			 lab_name(&w->lab, lab_role(&w->lab, ROLE_CLIENT)),
			 control_get(&reply, CTL_ERROR));
	else
		snprintf(w->sealed_why, sizeof(w->sealed_why),
			 "the lab's tunnels gave no session keys");
	key_wipe(&reply, sizeof(reply)); /* a race could have put keys in it */
}

/* A new handshake from home-laptop, while the captures run. */
static int start_handshake(const struct walk *w)
{
	struct control_reply reply;

	if (control_ask_node(&w->lab, lab_role(&w->lab, ROLE_CLIENT), CTL_HANDSHAKE, &reply) ||
	    control_num(&reply, ctl_counter.initiations_sent, 0) < 1) {
		fprintf(stderr, "harness walkthrough: %s's tunnel did not start a handshake\n",
			lab_name(&w->lab, lab_role(&w->lab, ROLE_CLIENT)));
		return -1;
	}
	/* The response comes back within a round trip; the ping then uses the new session. */
	usleep(300000);
	return 0;
}

static int capture_walk(struct walk *w)
{
	struct capture caps[HOPS];
	char err[PATH_MAX + 128], ns[64], path[PATH_MAX];
	int rc = 0, n = 0;

	for (; n < HOPS && !rc; n++) {
		lab_ns(&w->lab, w->lab.path[n].node, ns, sizeof(ns));
		rc = capture_open(&caps[n], ns, w->lab.path[n].ifname, "icmp or udp",
				  CAPTURE_LAB_SNAPLEN, w->lab.path[n].name, err, sizeof(err));
		snprintf(path, sizeof(path), "%s/walkthrough-%d-%s-%s.pcap", w->dir, n + 1,
			 lab_name(&w->lab, w->lab.path[n].node), w->lab.path[n].ifname);
		if (!rc && capture_write(&caps[n], path, err, sizeof(err))) {
			capture_close(&caps[n]);
			rc = -1;
		}
		if (rc) {
			fprintf(stderr, "harness walkthrough: %s\n", err);
			n--;
		}
	}
	if (!rc && w->handshake)
		rc = start_handshake(w);
	if (!rc && send_ping(w)) {
		fprintf(stderr, "harness walkthrough: cannot send the ping from %s\n",
			lab_name(&w->lab, lab_role(&w->lab, ROLE_CLIENT)));
		rc = -1;
	}
	usleep(300000);
	if (!rc && w->encrypted)
		load_keys(w);
	for (int i = 0; i < n; i++) {
		if (!rc)
			pick(w, i, &caps[i]);
		capture_close(&caps[i]);
	}
	wg_keyring_wipe(&w->keys);
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
	printf("%sOne ping, hop by hop%s: %s (%s) to %s (%s), %s mode, %zu bytes.\n",
	       term_c(t, C_BOLD), term_c(t, C_RESET), lab_name(&w->lab, w->lab.path[0].node),
	       w->lab.at.client_vpn4, lab_name(&w->lab, w->lab.path[5].node), w->lab.at.target4,
	       walk_mode(w), w->size);
	printf("Its payload says \"%s\", so you can find it in every hex dump.\n", GREETING);
	if (w->encrypted)
		printf("%s\n", w->sealed_why[0]
				   ? "The packet inside cannot be shown: see why below."
				   : "Opened with the session keys the lab's tunnel exports, the "
				     "packet inside is shown beside the ciphertext.");
	if (w->handshake) {
		wait_enter(w);
		walk_print_handshake(w, stdout);
	}
	for (int i = 0; i < HOPS; i++) {
		wait_enter(w);
		walk_print_hop(w, i, stdout);
	}
	wait_enter(w);
	printf("\n%sAnd back%s: %s answers, and the reply takes the same hops in reverse.\n",
	       term_c(t, C_BOLD), term_c(t, C_RESET), lab_name(&w->lab, w->lab.path[5].node));
	for (int i = HOPS - 1; i >= 0; i--)
		printf("  %-20s %s\n", w->lab.path[i].name,
		       w->reply[i][0] ? w->reply[i] : "(not seen)");
	printf("\nEach hop's capture is in %s/walkthrough-*.pcap; open them in Wireshark with "
	       "-X lua_script:scripts/tunlab.lua.\n",
	       w->dir);
	for (int i = 0; i < HOPS; i++)
		if (!w->hops[i].seen)
			return 1;
	for (int i = 0; w->handshake && i < 2; i++)
		if (!w->hs[i].seen)
			return 1;
	return 0;
}

static int parse(struct walk *w, int argc, char **argv, struct common *c, const char **mode)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"no-pause", no_argument, NULL, 'n'},
	    {"size", required_argument, NULL, 's'},
	    {"handshake", no_argument, NULL, 'k'},
	    {"html", required_argument, NULL, 'H'},
	    {"captures", required_argument, NULL, 'C'},
	    COMMON_OPTIONS,
	    {0},
	};
	int opt, rc;
	char *end;
	long v;

	opterr = 0;
	while ((rc = next_option("walkthrough", argc, argv, ":h", opts, c, usage, &opt)) ==
	       ARG_OWN) {
		if (opt == 'm' && strcmp(optarg, "encrypted") && strcmp(optarg, "plaintext") &&
		    strcmp(optarg, "pi")) {
			fprintf(stderr,
				"harness walkthrough: --mode '%s' is not encrypted, plaintext or "
				"pi\n",
				optarg);
			return 2;
		}
		if (opt == 's') {
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < (long)MIN_SIZE || v > MAX_SIZE) {
				fprintf(stderr,
					"harness walkthrough: --size '%s' is not a number from %zu "
					"to %d\n",
					optarg, MIN_SIZE, MAX_SIZE);
				return 2;
			}
			w->size = (size_t)v;
		}
		if (opt == 'm')
			*mode = optarg;
		if (opt == 'n')
			w->pause = false;
		if (opt == 'k')
			w->handshake = true;
		if (opt == 'H')
			w->html = optarg;
		if (opt == 'C')
			w->dir = optarg;
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? -1 : 2;
	if (w->handshake && *mode && strcmp(*mode, "encrypted")) {
		fprintf(stderr, "harness walkthrough: --handshake needs encrypted mode; only it "
				"has handshakes\n");
		return 2;
	}
	return no_arguments("walkthrough", argc, argv);
}

/* The lab as the walk needs it: up in the right mode, brought up here if it was not. */
static int ready(struct walk *w, const char *mode, bool *ours)
{
	struct control_reply reply;
	char v[32];

	*ours = false;
	if (!state_exists(&w->lab)) {
		printf("Bringing up lab '%s' for the walk...\n", w->lab.name);
		if (self(w, "up", mode)) {
			fprintf(stderr,
				"harness walkthrough: cannot bring up lab '%s' (try harness "
				"up)\n",
				w->lab.name);
			return 1;
		}
		*ours = true;
	}
	if (control_ask_node(&w->lab, lab_role(&w->lab, ROLE_CLIENT), CTL_STATS, &reply) ||
	    !control_get(&reply, CTL_MODE)) {
		fprintf(stderr, "harness walkthrough: the tunnel on %s does not answer\n",
			lab_name(&w->lab, lab_role(&w->lab, ROLE_CLIENT)));
		return 1;
	}
	snprintf(v, sizeof(v), "%s", control_get(&reply, CTL_MODE));
	w->pi = !strcmp(v, "pi");
	w->encrypted = !strcmp(v, "encrypted");
	if (mode && strcmp(mode, v)) {
		fprintf(stderr,
			"harness walkthrough: lab '%s' runs %s mode; take it down, or walk "
			"another lab (--lab NAME --mode %s)\n",
			w->lab.name, v, mode);
		return 1;
	}
	if (w->handshake && !w->encrypted) {
		fprintf(stderr,
			"harness walkthrough: lab '%s' runs %s mode, which has no handshake; "
			"--handshake needs an encrypted lab\n",
			w->lab.name, v);
		return 1;
	}
	return 0;
}

/* Where the captures go: the directory asked for, or a new one nobody else can have planted. */
static int captures_dir(struct walk *w)
{
	if (w->dir) {
		if (mkdir(w->dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "harness walkthrough: cannot make %s: %s\n", w->dir,
				strerror(errno));
			return 1;
		}
		return 0;
	}
	snprintf(w->made, sizeof(w->made), "/tmp/tunlab-walk-XXXXXX");
	/* mkdtemp makes it 0700; the class opens the captures, so let them read. */
	if (!mkdtemp(w->made) || chmod(w->made, 0755)) {
		fprintf(stderr, "harness walkthrough: cannot make a directory in /tmp: %s\n",
			strerror(errno));
		return 1;
	}
	w->dir = w->made;
	return 0;
}

int cmd_walkthrough(int argc, char **argv)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct common c = {0};
	const char *mode = NULL;
	char err[256];
	bool ours = false;
	int rc;

	if (!w)
		return 1;
	w->pause = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	w->size = MIN_SIZE;
	rc = parse(w, argc, argv, &c, &mode);
	if (!rc && lab_init(&w->lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness walkthrough: %s\n", err);
		rc = 2;
	} else if (!rc && lab_need_roles(&w->lab, "walkthrough", ROLES_ALL)) {
		rc = 2; /* the walk follows the ping from the client to the target */
	}
	if (!rc && geteuid()) {
		fprintf(stderr, "harness walkthrough: must run as root: it captures in the lab\n");
		rc = 1;
	}
	if (!rc)
		rc = ready(w, mode, &ours);
	if (!rc)
		rc = captures_dir(w);
	for (int i = 0; i < HOPS; i++) {
		w->hops[i].point = w->lab.path[i].name;
		w->hops[i].story = w->encrypted && sealed_story[i] ? sealed_story[i] : story[i];
	}
	for (int i = 0; i < 2; i++) {
		w->hs[i].point = w->lab.path[1].name;
		w->hs[i].story = hs_story[i];
	}
	if (!rc)
		rc = capture_walk(w) ? 1 : show(w);
	if (!rc && w->html && walk_html(w, w->html)) {
		fprintf(stderr, "harness walkthrough: cannot write %s: %s\n", w->html,
			strerror(errno));
		rc = 1;
	} else if (!rc && w->html) {
		printf("\nWrote %s\n", w->html); /* as graph --svg says */
	}
	if (ours)
		self(w, "down", NULL);
	if (w->lab.dir[0]) /* made by lab_init */
		lab_fini(&w->lab);
	free(w);
	return rc < 0 ? 0 : rc;
}
