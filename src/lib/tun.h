/* The TUN device: one file descriptor that reads and writes IP packets. */
#ifndef TUNLAB_TUN_H
#define TUNLAB_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The 4-byte header a TUN device adds without IFF_NO_PI: flags, then the EtherType. */
#define TUN_PI_LEN 4

/*
 * Creates the device name (which must not exist yet) and returns a
 * non-blocking fd, or -1 with one line in err that says why.
 */
int tun_open(const char *name, bool pi, char *err, size_t errlen);

/*
 * Multi-queue: the first open asks for IFF_MULTI_QUEUE (tun_open_flags
 * with TUN_MULTI), and each further queue attaches to the device that
 * already exists with the same flags.  The kernel spreads flows over the
 * queues by their hash, so each queue can have a thread of its own.
 */
#define TUN_MULTI 0x1
#define TUN_PI	  0x2
int tun_open_flags(const char *name, int flags, char *err, size_t errlen);
/* Another queue of the device fd belongs to; -1 with err on failure. */
int tun_add_queue(int fd, char *err, size_t errlen);

/* The virtio-net header in front of every packet once offloads are on. */
#define TUN_VNET_HDR_LEN 10

/* What tun_open_offload_flags got from the kernel. */
struct tun_offloads {
	bool on;  /* packets come and go behind a virtio-net header */
	bool uso; /* UDP super-packets too, both ways (Linux 6.2 and later) */
};

/*
 * Like tun_open_flags (TUN_MULTI or not), asking for segmentation offload:
 * every packet then comes and goes behind a virtio-net header, and the
 * kernel may hand over TCP (and, where it can, UDP) super-packets of up to
 * 64 KB for the tunnel to cut, and take them the other way.  *got says
 * what took; when the kernel refuses, the device is opened plainly.
 */
int tun_open_offload_flags(const char *name, int flags, struct tun_offloads *got, char *err,
			   size_t errlen);
/* The EtherType a PI header carries for an IP packet of this version. */
uint16_t tun_pi_proto(int version);

#endif
