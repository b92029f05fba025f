/*
 * The control socket's protocol, which the tunnel answers and the harness
 * asks: where a lab puts a tunnel's socket, the one-line commands, and the
 * key=value lines of the replies.  Every name is written here once.
 *
 * A counter is one line of a table below, X(name, ..., what): the tunnel
 * declares its field from it and writes it as name=N, and the harness
 * reads and prints it by the same name.  Adding a counter is adding a
 * line, and counting it where it happens.
 */
#ifndef TUNLAB_CONTROL_PROTO_H
#define TUNLAB_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/* The commands, each one line. */
#define CTL_STATS	"stats"
#define CTL_KEYS	"keys" /* only with --export-keys */
#define CTL_HANDSHAKE	"handshake"
#define CTL_PMTU_FORGET "pmtu=forget"
#define CTL_SET_FAULT	"fault=" /* and a fault's name */
#define CTL_GSO_ON	"gso=on"
#define CTL_GSO_OFF	"gso=off"

/* Keys of the replies, other than the counters. */
#define CTL_ROLE	   "role"
#define CTL_DEV		   "dev"
#define CTL_MODE	   "mode"
#define CTL_MTU		   "mtu"
#define CTL_ENDPOINT	   "endpoint"
#define CTL_ENDPOINT_MOVES "endpoint_moves"
#define CTL_SOURCE	   "source"
#define CTL_PATH_MTU	   "path_mtu"
#define CTL_PMTU_FOLLOW	   "pmtu_follow"
#define CTL_PMTU	   "pmtu" /* pmtu=forgotten, the answer to CTL_PMTU_FORGET */
#define CTL_QUEUES	   "queues"
#define CTL_BATCH	   "batch"
#define CTL_GSO		   "gso"
#define CTL_GRO		   "gro"
#define CTL_OFFLOAD	   "offload"
#define CTL_FAULT	   "fault"
#define CTL_UPTIME	   "uptime"
#define CTL_LISTEN_PORT	   "listen_port"
#define CTL_PEERS	   "peers"
#define CTL_HANDSHAKES	   "handshakes" /* a peer's, as peerN_handshakes */
#define CTL_RATELIMITED	   "ratelimited_sources"
#define CTL_KEYPAIR	   "keypair" /* one a session, in the answer to CTL_KEYS */
#define CTL_ERROR	   "error"   /* a command refused, and why */
#define CTL_DROP_PREFIX	   "drop_"   /* drop_NAME, one a reason of CTL_DROPS */

/* Inner traffic, added up over the queues: X(name, what). */
#define CTL_TRAFFIC(X)                                                                             \
	X(tx_packets, "inner packets read from TUN and sent to the peer")                          \
	X(tx_bytes, "their bytes")                                                                 \
	X(rx_packets, "inner packets received from the peer and written to TUN")                   \
	X(rx_bytes, "their bytes")

/*
 * Why packets were dropped, written as drop_name: X(ID, name, plain, what).
 * plain: plaintext and pi modes count it too; the rest are encrypted mode's.
 */
#define CTL_DROPS(X)                                                                               \
	X(TRUNCATED, truncated, true, "shorter than its headers say")                              \
	X(NOT_IP, not_ip, true, "not an IPv4 or IPv6 packet")                                      \
	X(TOO_BIG, too_big, true, "cannot be carried whole")                                       \
	X(NO_PEER, no_peer, true, "a server has no client endpoint yet")                           \
	X(STRANGER, stranger, true, "a client got a datagram from someone not its server")         \
	X(IO, io_error, true, "the kernel refused a send or a write")                              \
	X(MALFORMED, malformed, false, "not a WireGuard message: bad type or length")              \
	X(MAC, bad_mac, false, "a handshake whose mac1 is wrong")                                  \
	X(RATELIMITED, ratelimited, false, "handshakes too fast from one source")                  \
	X(HANDSHAKE, bad_handshake, false,                                                         \
	  "a handshake that does not decrypt, or from an unknown key")                             \
	X(REPLAY, replay, false, "a handshake timestamp or data counter seen before")              \
	X(UNKNOWN_INDEX, unknown_index, false, "names a session or handshake we do not have")      \
	X(AUTH, bad_auth, false, "fails authentication: forged or corrupted")                      \
	X(EXPIRED, expired, false, "on a session too old to accept")                               \
	X(NOT_ALLOWED, not_allowed, false, "inner source not among the sender's AllowedIPs")       \
	X(NO_ROUTE, no_route, false, "inner destination not among any peer's AllowedIPs")          \
	X(CRYPTO, crypto_error, false, "the cipher library failed to seal or open it")

/* Path MTU: X(name, what). */
#define CTL_PMTU_COUNTERS(X)                                                                       \
	X(icmp_too_big, "\"fragmentation needed\" or \"packet too big\" sent into the TUN device")

/* The UDP socket's offload, added up over the queues: X(name, what). */
#define CTL_UDP_OFFLOADS(X)                                                                        \
	X(gso_sends, "sends of a GSO run, many datagrams in one")                                  \
	X(gso_datagrams, "the datagrams in those runs")

/* The TUN device's offload and writes, added up over the queues: X(name, what). */
#define CTL_TUN_OFFLOADS(X)                                                                        \
	X(super_reads, "reads that held more than one packet")                                     \
	X(cut_errors, "super-packets that could not be cut, dropped")                              \
	X(gro_merged, "segments that rode in another's packet")                                    \
	X(tun_write_errors, "packets the device refused")

/* Encrypted mode's handshake events: X(name, what). */
#define CTL_WG_COUNTERS(X)                                                                         \
	X(sessions, "handshakes completed")                                                        \
	X(initiations_sent, "handshake initiations sent")                                          \
	X(initiations_received, "handshake initiations received")                                  \
	X(cookies_sent, "cookie replies sent, under load")                                         \
	X(cookies_received, "cookie replies received")                                             \
	X(keepalives_sent, "keepalives sent")                                                      \
	X(keepalives_received, "keepalives received")                                              \
	X(under_load, "handshake messages that arrived while under load")

/*
 * Every counter's key, from the tables, so a misspelt one does not
 * compile: ctl_counter.rx_packets is "rx_packets", ctl_counter.drop_replay
 * "drop_replay".  (The answer to CTL_HANDSHAKE is initiations_sent too.)
 */
struct ctl_counter_names {
#define CTL_X(name, what)		  const char *name;
#define CTL_X_DROP(id, name, plain, what) const char *drop_##name;
	CTL_TRAFFIC(CTL_X)
	CTL_DROPS(CTL_X_DROP)
	CTL_PMTU_COUNTERS(CTL_X)
	CTL_UDP_OFFLOADS(CTL_X)
	CTL_TUN_OFFLOADS(CTL_X)
	CTL_WG_COUNTERS(CTL_X)
#undef CTL_X
#undef CTL_X_DROP
};

extern const struct ctl_counter_names ctl_counter;

/* A peer's key in an encrypted tunnel's reply: "peer1_endpoint" for (1, CTL_ENDPOINT). */
const char *ctl_peer_key(int n, const char *key, char *out, size_t cap);

/* Whether drop_name is a reason plaintext and pi modes count; name without the prefix. */
bool ctl_drop_plain(const char *name);

#define CTL_SUFFIX ".ctl"

/*
 * Where a lab's tunnel listens: "DIR/NODE.ctl", or "DIR/NODE-TUNNEL.ctl"
 * for a node's second tunnel (tunnel NULL or "" for its own).  0, or
 * -ENAMETOOLONG when the path does not fit in out or in a unix socket's.
 */
int ctl_path(const char *dir, const char *node, const char *tunnel, char *out, size_t cap);

#endif
