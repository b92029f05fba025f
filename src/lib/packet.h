/*
 * IP packet parsing, building and one-line decoding.
 *
 * Parsing only reads: it checks every length before it looks, fills a
 * struct pkt and says what was wrong.  Acting on a packet is the caller's job.
 */
#ifndef TUNLAB_PACKET_H
#define TUNLAB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum pkt_error {
	PKT_OK = 0,
	PKT_TRUNCATED,	/* shorter than its headers say */
	PKT_NOT_IP,	/* version is neither 4 nor 6 */
	PKT_BAD_HEADER, /* an IP header field is impossible */
};

struct pkt {
	int version;	 /* 4 or 6 */
	size_t len;	 /* total length from the IP header */
	size_t ip_hlen;	 /* IP header, with IPv6 extension headers */
	uint8_t proto;	 /* upper-layer protocol */
	uint8_t ttl;	 /* TTL or hop limit */
	uint8_t src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint16_t id;		/* IPv4 identification */
	bool df;		/* IPv4 don't-fragment */
	bool fragment;		/* part of a fragmented datagram */
	uint16_t frag_off;	/* in bytes */
	bool l4;		/* the upper-layer header below is complete */
	const uint8_t *payload; /* upper-layer header and data */
	size_t payload_len;
	uint16_t sport, dport; /* TCP and UDP */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq; /* echo request and reply */
	uint16_t icmp_mtu;	    /* frag-needed and packet-too-big */
};

enum pkt_error pkt_parse(const uint8_t *buf, size_t len, struct pkt *p);
const char *pkt_error_str(enum pkt_error e);
/*
 * The headers of a packet that may be cut short (the first fragment of a
 * datagram, say): addresses, protocol, fragment fields and the
 * upper-layer header, but no payload pointer.
 */
enum pkt_error pkt_parse_head(const uint8_t *buf, size_t len, struct pkt *p);
/*
 * Where the IP packet starts in buf: 0 when buf is an IP packet, 14 when
 * it is an Ethernet frame around one (what the kernel may hand a TUN
 * device when nftables forwards a received frame to it), and 0 when it is
 * neither.  The IP header's own length must fit, so the answer is never
 * past len.
 */
size_t pkt_link_header(const uint8_t *buf, size_t len);

/* What to build: an IPv4 or IPv6 packet carrying ICMP echo, UDP or TCP. */
struct pkt_spec {
	int version;
	uint8_t src[16], dst[16];
	uint8_t proto; /* IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_UDP, IPPROTO_TCP */
	uint8_t ttl;   /* 0 means 64 */
	bool df;
	uint16_t id;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint8_t icmp_type; /* 0 means echo request */
	uint16_t icmp_id, icmp_seq;
	const uint8_t *payload;
	size_t payload_len;
};

/* Writes the packet with valid checksums; returns its length or -1 if cap is too small. */
ssize_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *s);

/*
 * An ICMP "fragmentation needed" (IPv4) or ICMPv6 "packet too big" about
 * orig, telling its sender to use mtu.  It comes from src (an address that
 * is not the receiver's own) and quotes as much of orig as the rules allow.
 * orig may be a packet's first orig_len bytes only (its headers must be
 * there): those are quoted.  Returns the length, or -1 if orig is not a
 * packet one may answer this way.
 */
ssize_t pkt_build_too_big(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			  const uint8_t *src, int mtu);
/* Whether a parsed packet is itself an ICMP error, which never gets one in reply. */
bool pkt_is_icmp_error(const struct pkt *p);

/* One line: "IPv4 84 ICMP 172.31.255.7 → 172.31.9.200 echo-request id=1 seq=1 ttl=64". */
size_t pkt_decode(const uint8_t *buf, size_t len, char *out, size_t cap);

/*
 * Like pkt_decode, and when the packet is a tunnel datagram (UDP to or
 * from port), the packet inside too, plaintext or behind a PI header:
 * "IPv4 112 UDP ... 40000 → 1234 | inner IPv4 84 ICMP ...", or the
 * WireGuard message it carries: "... | WireGuard initiation sender 0x1a2b3c4d".
 */
size_t pkt_decode_encap(const uint8_t *buf, size_t len, uint16_t port, char *out, size_t cap);
/* Where the inner packet starts in a tunnel datagram, and the PI header's size; -1 if none. */
int pkt_inner(const struct pkt *outer, uint16_t port, size_t *offset, size_t *pi);
/* The WireGuard message a UDP datagram to or from port carries: 0, or -1 if none. */
struct wg_msg;
int pkt_wg_message(const struct pkt *outer, uint16_t port, struct wg_msg *m);

/* "172.31.9.200" or "fd00::1"; version 4 or 6. */
const char *pkt_addr_str(int version, const uint8_t *addr, char *out, size_t cap);
const char *pkt_proto_name(uint8_t proto);

#endif
