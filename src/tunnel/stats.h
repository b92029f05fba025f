/* Packet and byte counters, and why packets were dropped. */
#ifndef TUNLAB_TUNNEL_STATS_H
#define TUNLAB_TUNNEL_STATS_H

#include <stdint.h>
#include <stdio.h>

enum drop {
	DROP_TRUNCATED, /* shorter than its headers say */
	DROP_NOT_IP,	/* not an IPv4 or IPv6 packet */
	DROP_TOO_BIG,	/* cannot be carried whole */
	DROP_NO_PEER,	/* a server has no client endpoint yet */
	DROP_STRANGER,	/* a client got a datagram from someone not its server */
	DROP_IO,	/* the kernel refused a send or a write */
	DROP_MAX,
};

struct stats {
	uint64_t tx_packets, tx_bytes; /* TUN to peer */
	uint64_t rx_packets, rx_bytes; /* peer to TUN */
	uint64_t drops[DROP_MAX];
	uint64_t
	    icmp_too_big; /* "fragmentation needed" or "packet too big" sent into the TUN device */
};

const char *drop_name(enum drop d);
uint64_t stats_dropped(const struct stats *s);
/* An aligned table, for SIGUSR1 and the summary at exit. */
void stats_print(const struct stats *s, FILE *f);
/* key=value lines, for the control socket. */
void stats_write_kv(const struct stats *s, FILE *f);

#endif
