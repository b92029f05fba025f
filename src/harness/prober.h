/*
 * ICMP echo probes over a raw socket opened inside a lab node's
 * namespace: a given total size, DF set (or not), a given TTL, and the
 * answer read back and matched to the probe by its identifier and
 * sequence number.  It is the probe function the search drives.
 */
#ifndef TUNLAB_HARNESS_PROBER_H
#define TUNLAB_HARNESS_PROBER_H

#include "search.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct prober {
	int fd;
	int version;
	struct sockaddr_storage dst;
	uint16_t id;
	uint16_t seq;
	int ttl; /* 0: the default */
	bool df;
	int timeout_ms;
	uint16_t last_seq; /* of the last probe sent, for matching captures */
};

int prober_open(struct prober *p, const char *ns, const char *target, char *err, size_t errlen);
void prober_close(struct prober *p);
/* Sends one probe of size bytes (IP header included) and waits for its answer. */
enum answer prober_probe(void *ctx, int size, struct probe_answer *a);

/*
 * What one received ICMP message (from its ICMP header on) says about the
 * last probe: an enum answer, or -1 when it is about something else.
 */
int prober_judge(const struct prober *p, const uint8_t *icmp, size_t n, struct probe_answer *a);

#endif
