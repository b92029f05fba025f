#include "config.h"
#include "batch.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_usage(FILE *f)
{
	fputs(
	    "usage: tunnel [up] -c FILE.conf [options]     encrypted (WireGuard), from a file\n"
	    "       tunnel [-f] IFNAME [options]           encrypted, set up through the wg "
	    "socket\n"
	    "       tunnel --listen [options]              plaintext server\n"
	    "       tunnel --server HOST[:PORT] [options]  plaintext client\n"
	    "       tunnel genkey | genpsk                 a new private or preshared key, base64\n"
	    "       tunnel pubkey < PRIVATE                the public key of a private key\n"
	    "\n"
	    "Carries IP packets between a TUN device and UDP datagrams: encrypted with\n"
	    "the WireGuard protocol (-c), or in plaintext for the class (--listen, --server).\n"
	    "\n"
	    "  -c, --config FILE   encrypted mode, configured by a wg configuration file\n"
	    "  IFNAME              encrypted mode with no file, as wg-quick starts a userspace\n"
	    "                      implementation: device IFNAME, socket\n"
	    "                      /var/run/wireguard/IFNAME.sock; in the background once\n"
	    "                      the socket answers\n"
	    "  -f, --foreground    with IFNAME, stay in the foreground\n"
	    "  --uapi PATH         the wg tool's socket (default /var/run/wireguard/DEV.sock)\n"
	    "  --no-uapi           no wg tool socket\n"
	    "  --keylog FILE       append session keys for a packet analyser (INSECURE)\n"
	    "  --export-keys       answer 'keys' on the control socket (lab only; INSECURE)\n"
	    "  --rekey-after SECS  start a new session this often (default 120; for lessons)\n"
	    "\n"
	    "  --listen            run as server; learn the client's endpoint from its datagrams\n"
	    "  --server HOST[:PORT] run as client of HOST (an IPv4/IPv6 address or a name)\n"
	    "  --port N            UDP port (default 1234)\n"
	    "  --dev NAME          TUN device name (default tun0)\n"
	    "  --addr CIDR         address of the TUN device; repeat for IPv4 and IPv6\n"
	    "  --route CIDR        route CIDR through the tunnel; repeatable\n"
	    "  --mtu N             MTU of the TUN device (default: underlay MTU minus overhead)\n"
	    "  --pi                keep the 4-byte TUN packet-info header on the wire\n"
	    "  --no-pmtu           do not follow the underlay path MTU (no ICMP back inside)\n"
	    "  --no-offload        one packet per TUN read (no TSO/USO on the TUN device)\n"
	    "  --no-gso            send each datagram on its own (no UDP segmentation offload)\n"
	    "  --no-gro            receive each datagram on its own (no UDP receive offload)\n"
	    "  --queues N          TUN queues, a thread each (default: one per core; 1 turns\n"
	    "                      multi-queue off; plaintext modes only)\n"
	    "  --batch N           packets per system call, 1 to 32 (default 32; 1 is\n"
	    "                      one recvmsg, sendmsg, read or write per packet)\n"
	    "  --user NAME         run as NAME once set up (every capability but\n"
	    "                      CAP_NET_ADMIN is dropped in any case)\n"
	    "  --control PATH      answer 'stats' on a unix socket at PATH\n"
	    "  -v, --verbose       log every packet, decoded\n"
	    "  -q, --quiet         print errors only\n"
	    "  -h, --help          show this help\n"
	    "\n"
	    "Signals: SIGUSR1 prints the counters; SIGINT and SIGTERM stop cleanly.\n",
	    f);
}

static bool dev_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* A number option, or one line that names it, what it takes and its range. */
static int number_option(const char *opt, const char *arg, long lo, long hi, const char *what,
			 long *v, char *err, size_t errlen)
{
	if (!parse_int(arg, lo, hi, v))
		return 0;
	snprintf(err, errlen, "%s: '%s' is not %s (%ld to %ld)", opt, arg, what, lo, hi);
	return -1;
}

enum {
	OPT_LISTEN = 256,
	OPT_SERVER,
	OPT_PORT,
	OPT_DEV,
	OPT_ADDR,
	OPT_ROUTE,
	OPT_MTU,
	OPT_PI,
	OPT_CONTROL,
	OPT_NO_PMTU,
	OPT_NO_GSO,
	OPT_NO_OFFLOAD,
	OPT_NO_GRO,
	OPT_QUEUES,
	OPT_BATCH,
	OPT_USER,
	OPT_UAPI,
	OPT_NO_UAPI,
	OPT_KEYLOG,
	OPT_EXPORT_KEYS,
	OPT_REKEY_AFTER,
};

static const struct option options[] = {
    {"listen", no_argument, NULL, OPT_LISTEN},
    {"server", required_argument, NULL, OPT_SERVER},
    {"port", required_argument, NULL, OPT_PORT},
    {"dev", required_argument, NULL, OPT_DEV},
    {"addr", required_argument, NULL, OPT_ADDR},
    {"route", required_argument, NULL, OPT_ROUTE},
    {"mtu", required_argument, NULL, OPT_MTU},
    {"pi", no_argument, NULL, OPT_PI},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"no-pmtu", no_argument, NULL, OPT_NO_PMTU},
    {"no-gso", no_argument, NULL, OPT_NO_GSO},
    {"no-offload", no_argument, NULL, OPT_NO_OFFLOAD},
    {"no-gro", no_argument, NULL, OPT_NO_GRO},
    {"queues", required_argument, NULL, OPT_QUEUES},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"user", required_argument, NULL, OPT_USER},
    {"config", required_argument, NULL, 'c'},
    {"foreground", no_argument, NULL, 'f'},
    {"uapi", required_argument, NULL, OPT_UAPI},
    {"no-uapi", no_argument, NULL, OPT_NO_UAPI},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"export-keys", no_argument, NULL, OPT_EXPORT_KEYS},
    {"rekey-after", required_argument, NULL, OPT_REKEY_AFTER},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static int take_prefix(const char *flag, const char *arg, struct prefix *list, int *n, int max,
		       char *err, size_t errlen)
{
	char why[160];

	if (*n >= max) {
		snprintf(err, errlen, "%s: at most %d allowed", flag, max);
		return -1;
	}
	if (prefix_parse(arg, true, &list[*n], why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", flag, why);
		return -1;
	}
	(*n)++;
	return 0;
}

/* One option; returns -1 with err set when its value is bad. */
static int take_option(int opt, const char *arg, struct config *c, char *err, size_t errlen)
{
	long v;

	switch (opt) {
	case OPT_LISTEN:
		if (c->role == ROLE_CLIENT)
			goto both;
		c->role = ROLE_SERVER;
		return 0;
	case OPT_SERVER:
		if (c->role == ROLE_SERVER)
			goto both;
		c->role = ROLE_CLIENT;
		c->server = arg;
		return 0;
	case OPT_PORT:
		if (number_option("--port", arg, 1, 65535, "a port", &v, err, errlen))
			return -1;
		c->port = (uint16_t)v;
		return 0;
	case OPT_DEV:
		if (!dev_name_ok(arg)) {
			snprintf(
			    err, errlen,
			    "--dev: '%s' is not a device name (1 to %d characters, no '/', ':' "
			    "or spaces)",
			    arg, IFNAMSIZ - 1);
			return -1;
		}
		snprintf(c->dev, sizeof(c->dev), "%s", arg);
		return 0;
	case OPT_ADDR:
		return take_prefix("--addr", arg, c->addrs, &c->naddrs, CONFIG_MAX_ADDRS, err,
				   errlen);
	case OPT_ROUTE:
		return take_prefix("--route", arg, c->routes, &c->nroutes, CONFIG_MAX_ROUTES, err,
				   errlen);
	case OPT_MTU:
		if (number_option("--mtu", arg, 68, 65535, "an MTU", &v, err, errlen))
			return -1;
		c->mtu = (int)v;
		return 0;
	case OPT_PI:
		c->pi = true;
		return 0;
	case OPT_CONTROL:
		c->control = arg;
		return 0;
	case OPT_NO_PMTU:
		c->no_pmtu = true;
		return 0;
	case OPT_NO_GSO:
		c->no_gso = true;
		return 0;
	case OPT_NO_OFFLOAD:
		c->no_offload = true;
		return 0;
	case OPT_NO_GRO:
		c->no_gro = true;
		return 0;
	case OPT_QUEUES:
		if (number_option("--queues", arg, 1, QUEUES_MAX, "a number of queues", &v, err,
				  errlen))
			return -1;
		c->queues = (int)v;
		return 0;
	case OPT_BATCH:
		if (number_option("--batch", arg, 1, BATCH_MAX, "a number of packets", &v, err,
				  errlen))
			return -1;
		c->batch = (int)v;
		return 0;
	case OPT_USER:
		if (!*arg) {
			snprintf(err, errlen, "--user needs a user name");
			return -1;
		}
		c->user = arg;
		return 0;
	case 'c':
		c->conf = arg;
		return 0;
	case OPT_UAPI:
		c->uapi = arg;
		return 0;
	case OPT_NO_UAPI:
		c->no_uapi = true;
		return 0;
	case OPT_KEYLOG:
		c->keylog = arg;
		return 0;
	case OPT_EXPORT_KEYS:
		c->export_keys = true;
		return 0;
	case OPT_REKEY_AFTER:
		if (number_option("--rekey-after", arg, 1, 120, "a number of seconds", &v, err,
				  errlen))
			return -1;
		c->rekey_after = (double)v;
		return 0;
	case 'f':
		c->foreground = true;
		return 0;
	case 'v':
		c->verbosity = 2;
		return 0;
	case 'q':
		c->verbosity = 0;
		return 0;
	}
	return -1;
both:
	snprintf(err, errlen, "--listen and --server exclude each other: pick one");
	return -1;
}

/* Options that belong to one mode only are refused in the other. */
static int check_encrypted(const struct config *c, char *err, size_t errlen)
{
	if (c->bare && (c->naddrs || c->nroutes || c->pi)) {
		snprintf(err, errlen,
			 "'tunnel %s' is configured through the wg socket alone: drop %s", c->dev,
			 c->pi	     ? "--pi"
			 : c->naddrs ? "--addr"
				     : "--route");
		return -1;
	}
	if (c->role) {
		snprintf(err, errlen, "-c gives peers and ports itself: drop --listen/--server");
		return -1;
	}
	if (c->pi) {
		snprintf(err, errlen, "--pi is a plaintext mode; it cannot be used with -c");
		return -1;
	}
	if (c->naddrs || c->nroutes) {
		snprintf(err, errlen,
			 "with -c, addresses come from Address and routes from AllowedIPs");
		return -1;
	}
	if (c->queues > 1) {
		snprintf(err, errlen,
			 "--queues %d: encrypted mode runs one queue (its sessions are not shared "
			 "between threads)",
			 c->queues);
		return -1;
	}
	return 0;
}

static int check_config(const struct config *c, char *err, size_t errlen)
{
	if (c->foreground && !c->bare) {
		snprintf(err, errlen,
			 "-f keeps a tunnel started as 'tunnel IFNAME' in the "
			 "foreground; the others never leave it");
		return -1;
	}
	if (c->conf && c->bare) {
		snprintf(err, errlen, "give -c FILE or an interface name, not both");
		return -1;
	}
	if (config_encrypted(c))
		return check_encrypted(c, err, errlen);
	if (c->uapi || c->no_uapi || c->keylog || c->export_keys || c->rekey_after) {
		snprintf(
		    err, errlen,
		    "--uapi, --no-uapi, --keylog, --export-keys and --rekey-after need -c FILE");
		return -1;
	}
	if (!c->role) {
		snprintf(err, errlen,
			 "give -c FILE.conf (encrypted), or --listen or --server HOST (plaintext)");
		return -1;
	}
	for (int i = 0; i < c->naddrs; i++)
		if (c->addrs[i].family == AF_INET6 && c->mtu && c->mtu < 1280) {
			snprintf(err, errlen,
				 "--mtu %d is below 1280, the IPv6 minimum, and --addr "
				 "gives an IPv6 address",
				 c->mtu);
			return -1;
		}
	return 0;
}

/* "tunnel IFNAME", the way wg-quick starts a userspace implementation. */
static int take_ifname(const char *name, struct config *c, char *err, size_t errlen)
{
	/* The plaintext modes and -c take no words: one there is a stray. */
	if (c->role || c->conf) {
		snprintf(err, errlen, "unexpected argument '%s'", name);
		return -1;
	}
	if (!dev_name_ok(name)) {
		snprintf(err, errlen,
			 "'%s' is not an interface name (1 to %d characters, no '/', ':' or "
			 "spaces)",
			 name, IFNAMSIZ - 1);
		return -1;
	}
	snprintf(c->dev, sizeof(c->dev), "%s", name);
	c->bare = true;
	return 0;
}

enum config_result config_parse(int argc, char **argv, struct config *c, char *err, size_t errlen)
{
	int opt;

	memset(c, 0, sizeof(*c));
	c->port = DEFAULT_PORT;
	c->verbosity = 1;
	snprintf(c->dev, sizeof(c->dev), "tun0");
	optind = 0; /* glibc: start afresh, so a test can parse many command lines */
	opterr = 0;
	/* "tunnel up -c FILE" reads as the wg tools' verb does. */
	if (argc > 1 && !strcmp(argv[1], "up")) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((opt = getopt_long(argc, argv, ":c:fvqh", options, NULL)) != -1) {
		if (opt == 'h')
			return CONFIG_HELP;
		if (opt == '?') {
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return CONFIG_ERROR;
		}
		if (opt == ':') {
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return CONFIG_ERROR;
		}
		if (take_option(opt, optarg, c, err, errlen))
			return CONFIG_ERROR;
	}
	if (optind < argc && take_ifname(argv[optind], c, err, errlen))
		return CONFIG_ERROR;
	if (optind + 1 < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind + 1]);
		return CONFIG_ERROR;
	}
	return check_config(c, err, errlen) ? CONFIG_ERROR : CONFIG_OK;
}
