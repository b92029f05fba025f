/* The UDP socket that carries the tunnel, moved a batch at a time. */
#ifndef TUNLAB_TUNNEL_SOCKET_H
#define TUNLAB_TUNNEL_SOCKET_H

#include "batch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct udp {
	int fd;
	int family;  /* of the socket; an IPv6 socket reaches IPv4 peers through mapped addresses */
	bool gso;    /* equal datagrams to one peer leave in one send (UDP_SEGMENT) */
	bool gso_ok; /* the kernel has it and it was asked for: gso may be turned back on */
	bool gro;    /* the kernel hands over runs of datagrams at once (UDP_GRO) */
	uint32_t mark; /* SO_MARK on what it sends; 0: none */
	uint64_t gso_sends, gso_datagrams;
};

/*
 * Asks for UDP segmentation and receive coalescing, each where the kernel
 * has it; u->gso and u->gro say what is on.
 */
void udp_offloads(struct udp *u, bool gso, bool gro);

/* A server binds port on every address, IPv6 and IPv4 both where it can. */
int udp_open_server(struct udp *u, uint16_t port, char *err, size_t errlen);
/* A client takes any port, in the server's family. */
int udp_open_client(struct udp *u, int family, char *err, size_t errlen);
void udp_close(struct udp *u);
/*
 * The same socket for another queue's thread to send on, with counters of
 * its own.  Not a second socket on the port (SO_REUSEPORT): that would let
 * another program join the port unnoticed, and one peer's datagrams, all
 * of one 4-tuple, would reach one socket anyway.
 */
int udp_open_twin(const struct udp *first, struct udp *twin, char *err, size_t errlen);

/*
 * Fills up to BATCH_MAX slots, each with the local address it arrived on;
 * returns how many, 0 when nothing waits, or -errno.  With GRO a slot may hold several datagrams of
 * gso_size bytes (the last one shorter): see udp_each_datagram.
 */
int udp_recv_batch(struct udp *u, struct batch *b);
/*
 * Sends every kept slot's out_len bytes to one endpoint from src, or (to
 * NULL) each to its slot's addr from its slot's src.  A source the kernel
 * no longer has (the address was removed) is forgotten, in the peer's
 * record that src points to, and the datagram sent again from the
 * kernel's choice.  A slot the kernel refuses loses keep and gets the
 * errno; returns how many failed.
 */
int udp_send_batch(struct udp *u, struct batch *b, const struct sockaddr_storage *to,
		   struct source *src);

/*
 * Calls fn for every datagram in slot s: s itself, or one view per
 * datagram of a coalesced run, each with the slot's source address.
 */
void udp_each_datagram(struct slot *s, void (*fn)(void *arg, struct slot *d), void *arg);

/* Lets the kernel fragment outer datagrams (for inner packets that allow it), or not. */
int udp_allow_fragments(struct udp *u, bool allow);
/* Marks every datagram the socket sends (SO_MARK), so policy routing can tell them apart. */
int udp_set_mark(struct udp *u, uint32_t mark);
int udp_send_one(struct udp *u, const uint8_t *buf, size_t len, const struct sockaddr_storage *to,
		 struct source *src);

#endif
