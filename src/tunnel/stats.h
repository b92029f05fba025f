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
	/* Encrypted mode. */
	DROP_MALFORMED,	    /* not a WireGuard message: bad type or length */
	DROP_MAC,	    /* a handshake whose mac1 is wrong */
	DROP_RATELIMITED,   /* handshakes too fast from one source */
	DROP_HANDSHAKE,	    /* a handshake that does not decrypt, or from an unknown key */
	DROP_REPLAY,	    /* a handshake timestamp or data counter seen before */
	DROP_UNKNOWN_INDEX, /* names a session or handshake we do not have */
	DROP_AUTH,	    /* fails authentication: forged or corrupted */
	DROP_EXPIRED,	    /* on a session too old to accept */
	DROP_NOT_ALLOWED,   /* inner source not among the sender's AllowedIPs */
	DROP_NO_ROUTE,	    /* inner destination not among any peer's AllowedIPs */
	DROP_CRYPTO,	    /* the cipher library failed to seal or open it */
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
