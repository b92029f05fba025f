/*
 * The one peer of a plaintext tunnel and where to reach it.  A client
 * knows its server's endpoint from the start and accepts no one else; a
 * server learns the client's endpoint, as NAT rewrote it, from the
 * datagrams it receives, and follows it when it moves.
 */
#ifndef TUNLAB_TUNNEL_PEER_H
#define TUNLAB_TUNNEL_PEER_H

#include "lib/addr.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct peer {
	struct sockaddr_storage endpoint;
	struct source src; /* our address its datagrams arrive on: replies leave from it */
	bool has_endpoint;
	bool fixed; /* a client's server: never replaced */
	uint64_t moves;
};

enum peer_verdict {
	PEER_SAME,	 /* from the endpoint we have */
	PEER_LEARNED,	 /* a server's first endpoint */
	PEER_MOVED,	 /* a server's client, from a new address or port */
	PEER_STRANGER,	 /* a client got a datagram from someone not its server */
	PEER_NEW_SOURCE, /* from the endpoint we have, to another of our addresses */
};

void peer_init_server(struct peer *p);
void peer_init_client(struct peer *p, const struct sockaddr_storage *server);
/* Call only for a datagram that already parsed as valid; local: where it arrived, or NULL. */
enum peer_verdict peer_receive(struct peer *p, const struct sockaddr_storage *from,
			       const struct source *local);

#endif
