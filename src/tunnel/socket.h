/* The UDP socket that carries the tunnel, moved a batch at a time. */
#ifndef TUNLAB_TUNNEL_SOCKET_H
#define TUNLAB_TUNNEL_SOCKET_H

#include "batch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct udp {
	int fd;
	int family; /* of the socket; an IPv6 socket reaches IPv4 peers through mapped addresses */
};

/* A server binds port on every address, IPv6 and IPv4 both where it can. */
int udp_open_server(struct udp *u, uint16_t port, char *err, size_t errlen);
/* A client takes any port, in the server's family. */
int udp_open_client(struct udp *u, int family, char *err, size_t errlen);
void udp_close(struct udp *u);

/* Fills up to BATCH_MAX slots; returns how many, 0 when nothing waits, or -errno. */
int udp_recv_batch(struct udp *u, struct batch *b);
/*
 * Sends every kept slot's out_len bytes to one endpoint, or (to NULL) each
 * to its slot's addr.  A slot the
 * kernel refuses loses keep and gets the errno; returns how many failed.
 */
int udp_send_batch(struct udp *u, struct batch *b, const struct sockaddr_storage *to);

/* Lets the kernel fragment outer datagrams (for inner packets that allow it), or not. */
int udp_allow_fragments(struct udp *u, bool allow);
int udp_send_one(struct udp *u, const uint8_t *buf, size_t len, const struct sockaddr_storage *to);

#endif
