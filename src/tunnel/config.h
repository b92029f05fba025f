/* The tunnel's command line, parsed into a struct config and checked. */
#ifndef TUNLAB_TUNNEL_CONFIG_H
#define TUNLAB_TUNNEL_CONFIG_H

#include "lib/addr.h"
#include "lib/mode.h"

#include <net/if.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ADDRS  4
#define CONFIG_MAX_ROUTES 256
#define DEFAULT_PORT	  1234
#define QUEUES_MAX	  16

enum role { ROLE_SERVER = 1, ROLE_CLIENT };

struct config {
	enum role role;
	const char *server; /* HOST[:PORT], as given */
	uint16_t port;
	char dev[IFNAMSIZ];
	struct prefix addrs[CONFIG_MAX_ADDRS];
	int naddrs;
	struct prefix routes[CONFIG_MAX_ROUTES];
	int nroutes;
	int mtu; /* 0: computed from the underlay */
	bool pi;
	bool no_pmtu;	  /* do not follow the path MTU, send no ICMP into the tunnel */
	bool no_gso;	  /* one send per datagram, even when the kernel could segment */
	bool no_offload;  /* no TSO on the TUN device: one packet per read */
	bool no_gro;	  /* one datagram per receive, even when the kernel could coalesce */
	int queues;	  /* TUN queues, a thread each; 0: one per core (plaintext modes) */
	int batch;	  /* packets per system call, 1 to BATCH_MAX; 0: BATCH_MAX */
	int verbosity;	  /* 0 with -q, 1 normally, 2 with -v */
	const char *user; /* --user: whom to run as once set up */
	const char *control;
	/* Encrypted mode */
	const char *conf; /* -c FILE: the wg configuration; encrypted mode when set */
	bool bare;	  /* "tunnel IFNAME": encrypted, configured through the wg socket alone */
	bool foreground;  /* -f: a bare tunnel stays in the foreground */
	const char *uapi; /* the userspace API socket; default /var/run/wireguard/DEV.sock */
	bool no_uapi;
	const char *keylog; /* session keys for a packet analyser; off by default */
	bool export_keys;   /* "keys" on the control socket, for the lab's own decoder */
	double rekey_after; /* seconds; 0: the protocol's 120 */
};

enum config_result { CONFIG_OK, CONFIG_HELP, CONFIG_ERROR };

/* Encrypted mode: from a file, or bare and configured through the wg socket. */
static inline bool config_encrypted(const struct config *c)
{
	return c->conf || c->bare;
}

/* The wire mode the command line asks for. */
static inline enum wire_mode config_mode(const struct config *c)
{
	return config_encrypted(c) ? MODE_ENCRYPTED : c->pi ? MODE_PI : MODE_PLAINTEXT;
}

/* On CONFIG_ERROR, err holds one line naming what is wrong. */
enum config_result config_parse(int argc, char **argv, struct config *c, char *err, size_t errlen);
void config_usage(FILE *f);

#endif
