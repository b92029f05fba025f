#include "endpoint.h"
#include "lib/addr.h"

#include <string.h>

void endpoint_init_server(struct endpoint *p)
{
	memset(p, 0, sizeof(*p));
}

void endpoint_init_client(struct endpoint *p, const struct sockaddr_storage *server)
{
	memset(p, 0, sizeof(*p));
	p->endpoint = *server;
	sockaddr_unmap(&p->endpoint);
	p->has_endpoint = true;
	p->fixed = true;
}

enum endpoint_verdict endpoint_receive(struct endpoint *p, const struct sockaddr_storage *from,
				       const struct source *local)
{
	static const struct source none;
	bool had = p->has_endpoint;

	if (!local)
		local = &none;
	if (had && sockaddr_same(&p->endpoint, from)) {
		if (source_same(&p->src, local))
			return ENDPOINT_SAME;
		p->src = *local;
		return ENDPOINT_NEW_SOURCE;
	}
	if (p->fixed)
		return ENDPOINT_STRANGER;
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
		return ENDPOINT_LEARNED;
	p->moves++;
	return ENDPOINT_MOVED;
}
