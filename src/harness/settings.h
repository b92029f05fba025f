/*
 * The lab's broken networks and impairments: small MTUs on the home WAN
 * or the office uplink, a firewall that swallows ICMP "too big", a tunnel
 * MTU set too high, and delay, loss and rate limits on the internet's
 * links.  "harness up" takes them at start; "harness set" changes them on
 * a running lab.
 */
#ifndef TUNLAB_HARNESS_SETTINGS_H
#define TUNLAB_HARNESS_SETTINGS_H

#include "lab.h"
#include "lib/netlink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct settings {
	int wan_mtu;		 /* 0: leave as it is */
	int office_mtu;		 /* 0: leave as it is */
	int tun_mtu;		 /* 0: the tunnels compute their own */
	int block_icmp;		 /* -1: leave as it is; 0 allow; 1 block */
	bool no_pmtu;		 /* start the tunnels without path MTU following */
	bool impair;		 /* delay, loss or rate was given */
	const char *impair_flag; /* the first of them given, for messages */
	uint64_t delay_ns;
	bool delay_set;	 /* --delay was given (0 included) */
	double loss;	 /* percent */
	uint64_t rate;	 /* bytes per second; 0 for no limit */
	int udp_timeout; /* home router's conntrack UDP timeout, s; -1 leave, 0 the defaults */
	bool nat_rebind; /* flush the home router's NAT and map to new ports */
	double reorder;	 /* percent held back by the delay line; -1 leave, 0 off */
	uint64_t reorder_hold_ns;
};

#define SETTINGS_OPTIONS                                                                           \
	{"wan-mtu", required_argument, NULL, 'W'}, {"office-mtu", required_argument, NULL, 'O'},   \
	    {"tun-mtu", required_argument, NULL, 'T'}, {"block-icmp", no_argument, NULL, 'B'},     \
	    {"allow-icmp", no_argument, NULL, 'A'}, {"no-pmtu", no_argument, NULL, 'P'},           \
	    {"delay", required_argument, NULL, 'D'}, {"loss", required_argument, NULL, 'S'},       \
	    {"rate", required_argument, NULL, 'R'}, {"udp-timeout", required_argument, NULL, 'U'}, \
	    {"reorder", required_argument, NULL, 'Q'},                                             \
	{                                                                                          \
		"nat-rebind", no_argument, NULL, 'N'                                               \
	}

#define SETTINGS_HELP                                                                              \
	"  --wan-mtu N     MTU of the home WAN link (PPPoE: 1492, a mobile link: 1280)\n"          \
	"  --office-mtu N  MTU of the office uplink\n"                                             \
	"  --tun-mtu N     MTU of both tunnel devices (1500 is too high)\n"                        \
	"  --block-icmp    drop ICMP \"fragmentation needed\"/\"packet too big\" in the routers\n" \
	"  --delay TIME    added on each internet link (20ms, 1.5ms)\n"                            \
	"  --loss PCT      random loss on the internet links (1%, 0.5)\n"                          \
	"  --rate RATE     rate limit on each internet link (10mbit, 500kbit, 1gbit; 0 = none)\n"  \
	"  --reorder PCT[,TIME]\n"                                                                 \
	"                  hold PCT% of what crosses the internet node for TIME\n"                 \
	"                  (default 2ms), so later packets overtake it; 0 = off\n"                 \
	"  --udp-timeout S\n"                                                                      \
	"                  how long the home router's NAT keeps an idle UDP mapping\n"             \
	"                  (kernel default 30 s, 120 s once both sides spoke; 0 restores)\n"

void settings_init(struct settings *s);
/* Takes one option: 1 if it was a setting, 0 if not, -1 with err for a bad value. */
int settings_option(struct settings *s, int opt, const char *arg, char *err, size_t errlen);
/*
 * Whether the lab has what each setting given acts on: the roles it needs
 * and a link between them.  0, or -1 with one line in err naming the flag.
 */
int settings_check(const struct lab *lab, const struct settings *s, bool running, char *err,
		   size_t errlen);
/*
 * Applies what was given (checked first, as settings_check does), inside the lab's namespaces (nl
 * holds a socket per node).  running: the tunnels are up already, so --tun-mtu changes their
 * devices.  Prints a line per change unless quiet.
 */
int settings_apply(const struct lab *lab, struct nl *nl, const struct settings *s, bool running,
		   char *err, size_t errlen);

/* "20ms", "1.5ms", "2s", "500us", or a bare number of milliseconds. */
int parse_duration(const char *s, uint64_t *ns);
/* "1%", "0.5": a percentage from 0 to 100. */
int parse_percent(const char *s, double *pct);
/* "10mbit", "500kbit", "1gbit", "2000000bit" (bits per second) into bytes per second. */
int parse_rate(const char *s, uint64_t *bytes);

#endif
