#include "peer.h"
#include "lib/addr.h"

#include <string.h>

void peer_init_server(struct peer *p)
{
	memset(p, 0, sizeof(*p));
}

void peer_init_client(struct peer *p, const struct sockaddr_storage *server)
{
	memset(p, 0, sizeof(*p));
	p->endpoint = *server;
	sockaddr_unmap(&p->endpoint);
	p->has_endpoint = true;
	p->fixed = true;
}

enum peer_verdict peer_receive(struct peer *p, const struct sockaddr_storage *from,
			       const struct source *local)
{
	static const struct source none;
	bool had = p->has_endpoint;

	if (!local)
		local = &none;
	if (had && sockaddr_same(&p->endpoint, from)) {
		if (source_same(&p->src, local))
			return PEER_SAME;
		p->src = *local;
		return PEER_NEW_SOURCE;
	}
	if (p->fixed)
		return PEER_STRANGER;
	/*
	 * Plaintext has nothing to authenticate, so the latest valid datagram
	 * wins: that is what lets a client behind NAT keep working when its
	 * mapping changes.
	 */
	p->endpoint = *from;
	sockaddr_unmap(&p->endpoint);
	p->has_endpoint = true;
	p->src = *local;
	if (!had)
		return PEER_LEARNED;
	p->moves++;
	return PEER_MOVED;
}
