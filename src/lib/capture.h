/*
 * libpcap captures opened inside a network namespace: the capture
 * socket belongs to the namespace it was opened in, so the caller's own
 * namespace is untouched.  Packets come back as IP packets, the link
 * header (Ethernet on a veth, none on a TUN device) already skipped.
 */
#ifndef TUNLAB_CAPTURE_H
#define TUNLAB_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct pcap;

struct capture {
	struct pcap *pcap;
	int link_type;
	char name[64]; /* "node:iface", for reports */
};

/* filter is a BPF expression, or NULL for everything. */
int capture_open(struct capture *c, const char *ns, const char *ifname, const char *filter,
		 const char *name, char *err, size_t errlen);
/* The next IP packet already captured, without waiting: 1, or 0 when there is none. */
int capture_next(struct capture *c, const uint8_t **ip, size_t *len, struct timeval *ts);
void capture_close(struct capture *c);

/* The IP packet inside a link-layer frame of this pcap link type; NULL if it is not IP. */
const uint8_t *capture_ip(int link_type, const uint8_t *frame, size_t caplen, size_t *len);

#endif
