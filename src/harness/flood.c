/*
 * harness flood: what an attacker on the internet can throw at the VPN
 * server's port, and what the server does with it.  From the internet
 * node, toward office-server's tunnel port, one kind after another:
 *
 *   random     random bytes of random length
 *   truncated  each message type, cut short
 *   forged     initiations and responses with a valid mac1 (anyone can
 *              compute it from the server's public key) but nothing
 *              behind it, a bad mac1, and data for sessions that do not
 *              exist
 *   replay     real datagrams seen on the way to the server, sent again
 *   cookie     one initiation with a valid mac1, again and again, until
 *              the server is under load and answers with a cookie reply;
 *              then fresh initiations whose mac2 that cookie makes valid.
 *              They prove the source address is real, so only the
 *              per-source rate limit stands between them and the
 *              expensive work: it must stop all but a few a second.
 *
 * Then it prints how the server's counters moved, so a class sees each
 * kind land in its own drop reason, and none of it reach the TUN device.
 */
#include "commands.h"
#include "control.h"
#include "json_out.h"
#include "lib/cookie.h"
#include "lab.h"
#include "lib/capture.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/keys.h"
#include "lib/messages.h"
#include "lib/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum kind { K_RANDOM, K_TRUNCATED, K_FORGED, K_REPLAY, K_COOKIE, K_COUNT };
static const char *const kind_names[K_COUNT] = {"random", "truncated", "forged", "replay",
						"cookie"};

#define POOL	     256  /* datagrams kept for replay */
#define DGRAM_MAX    1500 /* the lab's links carry no more */
#define SNIFF_SECS   3.0  /* how long a live replay waits for real traffic */
#define DEFAULT_EACH 1000
#define BAIT_BURST   200 /* above the server's 128 handshakes a second */

struct flood {
	struct lab lab;
	unsigned int kinds; /* bit per enum kind */
	long count;	    /* datagrams of each kind */
	const char *replay_file;
	int fd; /* UDP, in the internet node, connected to the server's port */
	uint8_t mac1_key[HASH_LEN];
	bool have_key;
	struct cookie_maker maker;	  /* the cookie kind's side: as an initiator would */
	uint8_t bait[MSG_INITIATION_LEN]; /* the initiation repeated until a cookie comes */
	unsigned long cookies;		  /* cookie replies that opened */
	unsigned long with_mac2;	  /* initiations sent with a valid mac2 */
	uint8_t pool[POOL][DGRAM_MAX];
	size_t pool_len[POOL];
	int npool;
	unsigned long sent[K_COUNT];
	double secs[K_COUNT];
	char err[256];
};

static void usage(FILE *f)
{
	fputs("usage: harness flood [--kinds LIST] [--count N] [--replay FILE.pcap] [options]\n"
	      "\n"
	      "From the internet node, throws bad datagrams at office-server's tunnel port,\n"
	      "one kind after another, then shows how the server counted them.\n"
	      "\n"
	      "  --kinds LIST    comma-separated: random, truncated, forged, replay,\n"
	      "                  cookie (default: all five)\n"
	      "  --count N       datagrams of each kind (default 1000; 1 to 10000000)\n"
	      "  --replay FILE   replay the datagrams toward the server in this capture;\n"
	      "                  without it, replay what crosses internet:office within\n"
	      "                  3 s (run some traffic through the tunnel meanwhile)\n"
	      "  --json          what the server counted, for scripts\n"
	      "\n" LAB_HELP,
	      f);
}

static int parse_kinds(struct flood *fl, const char *arg)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	fl->kinds = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int k = 0;

		while (k < K_COUNT && strcmp(w, kind_names[k]))
			k++;
		if (k == K_COUNT) {
			fprintf(stderr,
				"harness flood: --kinds: '%s' is not random, truncated, forged, "
				"replay or cookie\n",
				w);
			return -1;
		}
		fl->kinds |= 1u << k;
	}
	if (!fl->kinds) {
		fprintf(stderr, "harness flood: --kinds is empty\n");
		return -1;
	}
	return 0;
}

static int parse(struct flood *fl, int argc, char **argv)
{
	static const struct option opts[] = {{"kinds", required_argument, NULL, 'k'},
					     {"count", required_argument, NULL, 'n'},
					     {"replay", required_argument, NULL, 'r'},
					     COMMON_OPTIONS,
					     {0}};
	struct common c = {0};
	int opt, rc;

	fl->kinds = (1u << K_COUNT) - 1;
	fl->count = DEFAULT_EACH;
	opterr = 0;
	while ((rc = next_option("flood", argc, argv, ":h", opts, &c, usage, &opt)) == ARG_OWN) {
		if (opt == 'k' && parse_kinds(fl, optarg))
			return 2;
		if (opt == 'r')
			fl->replay_file = optarg;
		if (opt != 'n')
			continue;
		if (parse_whole(optarg, 1, 10000000, &fl->count)) {
			fprintf(stderr,
				"harness flood: --count '%s' is not a number from 1 to 10000000\n",
				optarg);
			return 2;
		}
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? 1 : 2;
	if (no_arguments("flood", argc, argv))
		return 2;
	if (lab_init(&fl->lab, c.lab, fl->err, sizeof(fl->err))) {
		fprintf(stderr, "harness flood: %s\n", fl->err);
		return 2;
	}
	/* The flood comes from the internet, at the server. */
	if (lab_need_roles(&fl->lab, "flood", 1u << ROLE_SERVER | 1u << ROLE_INTERNET))
		return 2;
	fl->lab.json = c.json;
	return 0;
}

/* ---- the server's key, for a valid mac1 ---- */

/* The lab wrote the server's configuration; its public key is what an attacker knows. */
static int load_server_key(struct flood *fl)
{
	char path[PATH_MAX], line[256];
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	FILE *f;

	lab_file(&fl->lab, lab_role(&fl->lab, ROLE_SERVER), "conf", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1; /* a plaintext lab: there is no key, and forged macs are not needed */
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');

		if (strncmp(line, "PrivateKey", 10) || !v)
			continue;
		v += 1 + strspn(v + 1, " \t");
		v[strcspn(v, " \t\r\n")] = '\0';
		if (!key_from_base64(priv, v) && !key_public(pub, priv)) {
			msg_mac1_key(fl->mac1_key, pub);
			cookie_maker_init(&fl->maker, pub);
			fl->have_key = true;
		}
		break;
	}
	fclose(f);
	sodium_memzero(priv, sizeof(priv));
	return fl->have_key ? 0 : -1;
}

/* ---- making each kind ---- */

static size_t make_random(struct flood *fl, uint8_t *dg, unsigned long i)
{
	uint16_t len;

	(void)fl;
	(void)i;
	random_bytes(&len, sizeof(len));
	len = (uint16_t)(1 + len % 1400);
	random_bytes(dg, len);
	return len;
}

/* A message of each type, one byte short of its length, or less. */
static size_t make_truncated(struct flood *fl, uint8_t *dg, unsigned long i)
{
	static const size_t full[] = {MSG_INITIATION_LEN, MSG_RESPONSE_LEN, MSG_COOKIE_LEN,
				      MSG_DATA_MIN_LEN};
	size_t n = full[i % 4];
	uint8_t cut;

	(void)fl;
	random_bytes(&cut, 1);
	n -= 1 + cut % n;
	random_bytes(dg, n > 4 ? n : 4);
	if (n >= 4)
		msg_set_type(dg, (enum msg_type)(1 + i % 4));
	return n;
}

static void sign(struct flood *fl, uint8_t *msg, size_t len, bool good)
{
	struct msg_macs *macs = (struct msg_macs *)(msg + len - sizeof(*macs));

	if (good && fl->have_key)
		mac(macs->mac1, fl->mac1_key, HASH_LEN, msg, len - sizeof(*macs));
	memset(macs->mac2, 0, MAC_LEN);
}

/* Forgeries in turn: a handshake that passes mac1, one that does not, a
 * response, and data and a cookie reply for indices nobody holds. */
static size_t make_forged(struct flood *fl, uint8_t *dg, unsigned long i)
{
	static const size_t len[] = {MSG_INITIATION_LEN, MSG_INITIATION_LEN, MSG_RESPONSE_LEN,
				     MSG_DATA_MIN_LEN + 64, MSG_COOKIE_LEN};
	static const enum msg_type type[] = {MSG_INITIATION, MSG_INITIATION, MSG_RESPONSE, MSG_DATA,
					     MSG_COOKIE};
	unsigned long k = i % 5;

	random_bytes(dg, len[k]);
	msg_set_type(dg, type[k]);
	if (type[k] == MSG_INITIATION || type[k] == MSG_RESPONSE)
		sign(fl, dg, len[k], k != 1);
	return len[k];
}

static size_t make_replay(struct flood *fl, uint8_t *dg, unsigned long i)
{
	int k = (int)(i % (unsigned long)fl->npool);

	memcpy(dg, fl->pool[k], fl->pool_len[k]);
	return fl->pool_len[k];
}

/*
 * The bait until a cookie reply opens, so the reply answers the mac1 the
 * maker remembers; after it, a fresh initiation each time with mac2.
 */
static size_t make_cookie(struct flood *fl, uint8_t *dg, unsigned long i)
{
	double now = clock_seconds();

	if (i == 0) {
		random_bytes(fl->bait, sizeof(fl->bait));
		msg_set_type(fl->bait, MSG_INITIATION);
		cookie_add_macs(&fl->maker, fl->bait, sizeof(fl->bait), now);
	}
	if (!fl->maker.has_cookie) {
		memcpy(dg, fl->bait, sizeof(fl->bait));
		return sizeof(fl->bait);
	}
	random_bytes(dg, MSG_INITIATION_LEN);
	msg_set_type(dg, MSG_INITIATION);
	cookie_add_macs(&fl->maker, dg, MSG_INITIATION_LEN, now);
	fl->with_mac2++;
	return MSG_INITIATION_LEN;
}

/* ---- the replay pool ---- */

/* The UDP payload of an IPv4 datagram to the tunnel port, into the pool. */
static void pool_add(struct flood *fl, const uint8_t *ip, size_t len)
{
	size_t ihl, plen;

	if (fl->npool >= POOL || len < 20 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_UDP)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || len < ihl + 8 || ((ip[ihl + 2] << 8) | ip[ihl + 3]) != fl->lab.at.port)
		return;
	plen = len - ihl - 8;
	if (plen == 0 || plen > DGRAM_MAX)
		return;
	memcpy(fl->pool[fl->npool], ip + ihl + 8, plen);
	fl->pool_len[fl->npool++] = plen;
}

static int fill_pool(struct flood *fl)
{
	struct capture c;
	const uint8_t *ip;
	struct timeval ts;
	char ns[64], filter[128], point[80];
	size_t len;
	double until = clock_seconds() + SNIFF_SECS;
	int net = lab_role(&fl->lab, ROLE_INTERNET);
	const char *side = lab_uplink(&fl->lab, net, lab_role(&fl->lab, ROLE_SERVER));

	if (!side) {
		snprintf(fl->err, sizeof(fl->err), "no link leads from %s to the server %s",
			 lab_name(&fl->lab, net),
			 lab_name(&fl->lab, lab_role(&fl->lab, ROLE_SERVER)));
		return -1;
	}
	/* Datagrams toward the server's port, on the internet's side toward it, not our own. */
	snprintf(filter, sizeof(filter), "udp dst port %d and not src host %s", fl->lab.at.port,
		 fl->lab.at.internet4);
	snprintf(point, sizeof(point), "%s:%s", lab_name(&fl->lab, net), side);
	if (fl->replay_file) {
		if (capture_open_file(&c, fl->replay_file, fl->err, sizeof(fl->err)))
			return -1;
	} else if (capture_open(&c, lab_ns(&fl->lab, net, ns, sizeof(ns)), side, filter,
				CAPTURE_LAB_SNAPLEN, point, fl->err, sizeof(fl->err))) {
		return -1;
	}
	/* Live: wait for real traffic, but keep what came as soon as there is some. */
	while (fl->npool < POOL) {
		if (capture_next(&c, &ip, &len, &ts) == 1)
			pool_add(fl, ip, len);
		else if (fl->replay_file || clock_seconds() > until || fl->npool >= 16)
			break;
		else
			clock_sleep_ms(10);
	}
	capture_close(&c);
	if (!fl->npool && fl->replay_file)
		snprintf(fl->err, sizeof(fl->err),
			 "nothing to replay: the capture holds no datagram to port %d",
			 fl->lab.at.port);
	else if (!fl->npool)
		snprintf(fl->err, sizeof(fl->err),
			 "nothing to replay: no datagram crossed %s toward the server in 3 s (send "
			 "traffic through the tunnel)",
			 point);
	return fl->npool ? 0 : -1;
}

/* ---- sending ---- */

static int open_udp(void *arg)
{
	struct sockaddr_in *to = arg;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* Connected, so a refusal from the server's host shows up here. */
	if (connect(fd, (struct sockaddr *)to, sizeof(*to))) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int open_socket(struct flood *fl)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(fl->lab.at.port)};
	char ns[64];

	inet_pton(AF_INET, fl->lab.at.server_public4, &to.sin_addr);
	fl->fd = netns_call_name(
	    lab_ns(&fl->lab, lab_role(&fl->lab, ROLE_INTERNET), ns, sizeof(ns)), open_udp, &to);
	if (fl->fd == -ENOENT)
		snprintf(fl->err, sizeof(fl->err), "lab '%s' is not up (no namespace %s)",
			 fl->lab.name, ns);
	else if (fl->fd < 0)
		snprintf(fl->err, sizeof(fl->err), "cannot open a socket in %s: %s", ns,
			 netns_error(fl->fd));
	return fl->fd < 0 ? -1 : 0;
}

typedef size_t (*maker)(struct flood *fl, uint8_t *dg, unsigned long i);

/* Refusals (ICMP port unreachable) and cookie replies come back; the
 * cookie kind opens its reply.  Waits up to wait_ms for the first. */
static void drain(struct flood *fl, enum kind k, int wait_ms)
{
	uint8_t back[DGRAM_MAX];
	struct pollfd p = {.fd = fl->fd, .events = POLLIN};
	ssize_t n;

	if (wait_ms > 0)
		poll(&p, 1, wait_ms);
	while ((n = recv(fl->fd, back, sizeof(back), MSG_DONTWAIT)) >= 0)
		if (k == K_COOKIE && msg_classify(back, (size_t)n) == MSG_COOKIE &&
		    cookie_consume_reply(&fl->maker, (const struct msg_cookie *)back,
					 clock_seconds()))
			fl->cookies++;
}

static void send_kind(struct flood *fl, enum kind k)
{
	static const maker makers[K_COUNT] = {make_random, make_truncated, make_forged, make_replay,
					      make_cookie};
	uint8_t dg[DGRAM_MAX];
	double t0 = clock_seconds();

	for (unsigned long i = 0; i < (unsigned long)fl->count; i++) {
		size_t len = makers[k](fl, dg, i);

		if (send(fl->fd, dg, len, MSG_DONTWAIT) >= 0)
			fl->sent[k]++;
		else if (errno == EAGAIN || errno == ENOBUFS)
			clock_sleep_ms(1);
		/*
		 * A burst of bait puts the server under load (it counts handshakes
		 * a second); then wait for its cookie reply rather than send bait
		 * the reply has made useless.
		 */
		drain(fl, k,
		      k == K_COOKIE && !fl->maker.has_cookie && (i + 1) % BAIT_BURST == 0 ? 200
											  : 0);
	}
	fl->secs[k] = clock_seconds() - t0;
}

/* ---- the report ---- */

static int server_stats(struct flood *fl, struct control_reply *r)
{
	return control_ask_node(&fl->lab, lab_role(&fl->lab, ROLE_SERVER), CTL_STATS, r);
}

/* The counters that moved: every drop reason, what reached TUN, and the defences. */
static bool reported(const char *key)
{
	const char *const extra[] = {ctl_counter.rx_packets, ctl_counter.cookies_sent,
				     CTL_RATELIMITED, ctl_counter.under_load};

	if (!strncmp(key, CTL_DROP_PREFIX, strlen(CTL_DROP_PREFIX)))
		return true;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (!strcmp(key, extra[i]))
			return true;
	return false;
}

static void print_rate(FILE *f, unsigned long n, double secs)
{
	double r = secs > 0 ? n / secs : 0;

	if (r >= 1e6)
		fprintf(f, "%7.2fM/s", r / 1e6);
	else if (r >= 1e3)
		fprintf(f, "%7.1fk/s", r / 1e3);
	else
		fprintf(f, "%8.0f/s", r);
}

static void report_text(struct flood *fl, const struct control_reply *before,
			const struct control_reply *after)
{
	const struct term *t = &fl->lab.term;
	const char *server = lab_name(&fl->lab, lab_role(&fl->lab, ROLE_SERVER));
	char title[80];

	printf("%s%-10s %10s %10s%s\n", term_c(t, C_BOLD), "kind", "sent", "rate",
	       term_c(t, C_RESET));
	for (int k = 0; k < K_COUNT; k++) {
		if (!(fl->kinds & 1u << k))
			continue;
		printf("%-10s %10lu ", kind_names[k], fl->sent[k]);
		print_rate(stdout, fl->sent[k], fl->secs[k]);
		putchar('\n');
	}
	if (fl->kinds & 1u << K_COOKIE)
		printf("\ncookie replies that opened: %lu; initiations then sent with a valid "
		       "mac2: %lu\n",
		       fl->cookies, fl->with_mac2);
	if (!after->text[0]) {
		printf("\n%s has no control socket (not our tunnel?): no counters\n", server);
		return;
	}
	snprintf(title, sizeof(title), "%s counted", server);
	printf("\n%s%-24s %10s%s\n", term_c(t, C_BOLD), title, "change", term_c(t, C_RESET));
	for (int i = 0; i < after->n; i++) {
		const char *key = after->kv[i].key;
		long long d;

		if (!reported(key))
			continue;
		d = control_num(after, key, 0) - control_num(before, key, 0);
		if (d || !strcmp(key, ctl_counter.rx_packets))
			printf("%-24s %+10lld%s\n", key, d,
			       strcmp(key, ctl_counter.rx_packets) ? "" : "  (written to TUN)");
	}
}

static void report_json(struct flood *fl, const struct control_reply *before,
			const struct control_reply *after)
{
	json_t *sent = json_object(), *server = json_object();

	for (int k = 0; k < K_COUNT; k++)
		if (fl->kinds & 1u << k) {
			json_t *o = json_pack("{s:I, s:o}", "datagrams", (json_int_t)fl->sent[k],
					      "seconds", jout_fixed(fl->secs[k], 3));

			if (o && k == K_COOKIE) {
				json_object_set_new(o, "cookies",
						    json_integer((json_int_t)fl->cookies));
				json_object_set_new(o, "with_mac2",
						    json_integer((json_int_t)fl->with_mac2));
			}
			json_object_set_new(sent, kind_names[k], o);
		}
	for (int i = 0; i < after->n; i++) {
		const char *key = after->kv[i].key;

		if (!reported(key))
			continue;
		json_object_set_new(
		    server, key,
		    json_integer(control_num(after, key, 0) - control_num(before, key, 0)));
	}
	jout_print(json_pack("{s:o, s:o}", "sent", sent, "server", server), stdout);
}

static int run(struct flood *fl)
{
	struct control_reply before, after;

	if (open_socket(fl))
		return -1;
	/* Only the kinds that make a mac need the key: say so only when one was asked for. */
	if (load_server_key(fl) && !fl->lab.json && (fl->kinds & (1u << K_FORGED | 1u << K_COOKIE)))
		printf("no server key in this lab (plaintext?): forged macs will be wrong\n");
	if ((fl->kinds & 1u << K_REPLAY) && fill_pool(fl))
		return -1;
	server_stats(fl, &before);
	if (!fl->lab.json)
		printf("Throwing %ld datagram%s of each kind from %s (%s) at %s %s:%d\n\n",
		       fl->count, fl->count == 1 ? "" : "s",
		       lab_name(&fl->lab, lab_role(&fl->lab, ROLE_INTERNET)), fl->lab.at.internet4,
		       lab_name(&fl->lab, lab_role(&fl->lab, ROLE_SERVER)),
		       fl->lab.at.server_public4, fl->lab.at.port);
	for (int k = 0; k < K_COUNT; k++)
		if (fl->kinds & 1u << k)
			send_kind(fl, (enum kind)k);
	clock_sleep_ms(300); /* the server drains its socket */
	if (server_stats(fl, &after))
		control_parse("", &after);
	if (fl->lab.json)
		report_json(fl, &before, &after);
	else
		report_text(fl, &before, &after);
	return 0;
}

int cmd_flood(int argc, char **argv)
{
	struct flood *fl = calloc(1, sizeof(*fl));
	int rc;

	if (!fl) {
		fprintf(stderr, "harness flood: out of memory\n");
		return 1;
	}
	fl->fd = -1;
	fl->lab.lock_fd = -1;
	rc = parse(fl, argc, argv);
	if (rc == 1) {
		rc = 0; /* --help */
	} else if (rc == 0 && run(fl)) {
		fprintf(stderr, "harness flood: %s\n", fl->err);
		rc = 1;
	}
	if (fl->fd >= 0)
		close(fl->fd);
	lab_fini(&fl->lab);
	free(fl);
	return rc;
}
