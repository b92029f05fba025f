/*
 * The one peer of a plaintext tunnel and where to reach it.  A client
 * knows its server's endpoint from the start and accepts no one else; a
 * server learns the client's endpoint, as NAT rewrote it, from the
 * datagrams it receives, and follows it when it moves.
 */
#ifndef TUNLAB_TUNNEL_ENDPOINT_H
#define TUNLAB_TUNNEL_ENDPOINT_H

#include "lib/addr.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct endpoint {
	struct sockaddr_storage endpoint;
	struct source src; /* our address its datagrams arrive on: replies leave from it */
	bool has_endpoint;
	bool fixed; /* a client's server: never replaced */
	uint64_t moves;
};

enum endpoint_verdict {
	ENDPOINT_SAME,	     /* from the endpoint we have */
	ENDPOINT_LEARNED,    /* a server's first endpoint */
	ENDPOINT_MOVED,	     /* a server's client, from a new address or port */
	ENDPOINT_STRANGER,   /* a client got a datagram from someone not its server */
	ENDPOINT_NEW_SOURCE, /* from the endpoint we have, to another of our addresses */
};

void endpoint_init_server(struct endpoint *p);
void endpoint_init_client(struct endpoint *p, const struct sockaddr_storage *server);
/* Call only for a datagram that already parsed as valid; local: where it arrived, or NULL. */
enum endpoint_verdict endpoint_receive(struct endpoint *p, const struct sockaddr_storage *from,
				       const struct source *local);

#endif
