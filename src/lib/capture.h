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
struct pcap_dumper;

struct capture {
	struct pcap *pcap;
	struct pcap_dumper *dump; /* every packet also goes to a file, when set */
	unsigned long packets;
	/* When set, packets it is true of are passed over: not counted, written or returned. */
	bool (*skip)(const uint8_t *ip, size_t len);
	unsigned long skipped;
	unsigned long other; /* of packets: frames that carry no IP (ARP), never returned */
	int link_type;
	char name[64]; /* "node:iface", for reports */
};

/*
 * filter is a BPF expression, or NULL for everything.  snaplen bounds
 * what is kept of each packet (0: all of it); the ring holds
 * CAPTURE_RING bytes of frames, and a frame takes about snaplen, so a
 * small snaplen lets a burst wait in the ring until it is read.
 */
#define CAPTURE_RING	    (8 << 20)
#define CAPTURE_LAB_SNAPLEN 2048 /* a whole lab frame: the links are 1500 bytes */
int capture_open(struct capture *c, const char *ns, const char *ifname, const char *filter,
		 int snaplen, const char *name, char *err, size_t errlen);
/* The next IP packet already captured, without waiting: 1, or 0 when there is none. */
int capture_next(struct capture *c, const uint8_t **ip, size_t *len, struct timeval *ts);
/* From now on, every packet captured is also written to path (a pcap file, never
 * through a symbolic link). */
int capture_write(struct capture *c, const char *path, char *err, size_t errlen);
/* The fd to poll for packets. */
int capture_fd(const struct capture *c);
void capture_close(struct capture *c);
/* Reads a pcap file; capture_next then returns its packets. */
int capture_open_file(struct capture *c, const char *path, char *err, size_t errlen);

/* The IP packet inside a link-layer frame of this pcap link type; NULL if it is not IP. */
const uint8_t *capture_ip(int link_type, const uint8_t *frame, size_t caplen, size_t *len);

#endif
