/*
 * A wire in memory between WireGuard devices, for the unit tests and fuzz
 * targets that drive the data path: what a device sends waits here, in
 * order, until the test hands it to the other device.
 */
#ifndef TUNLAB_TESTS_WIRE_H
#define TUNLAB_TESTS_WIRE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define WIRE_SLOTS    16
#define WIRE_SLOT_LEN 2048

struct wire {
	uint8_t buf[WIRE_SLOTS][WIRE_SLOT_LEN];
	size_t len[WIRE_SLOTS];
	int n;
	int lost; /* datagrams that did not fit: a test that expects none says so */
	struct sockaddr_storage from; /* the sender's address, as the receiver sees it */
};

/* A device's send function: keeps the datagram, or counts it lost. */
static inline int wire_send(void *io, const struct sockaddr_storage *to, const uint8_t *buf,
			    size_t len)
{
	struct wire *w = io;

	(void)to;
	if (w->n >= WIRE_SLOTS || len > WIRE_SLOT_LEN) {
		w->lost++;
		return 0;
	}
	memcpy(w->buf[w->n], buf, len);
	w->len[w->n++] = len;
	return 0;
}

static inline void sockaddr4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

#endif
