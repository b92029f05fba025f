/*
 * What harness capture prints for one packet: the decode of the packet
 * and of what it carries, a WireGuard transport message opened with the
 * lab's own session keys, and whether a packet is only IPv6 chatter
 * (MLD, router solicitation) that the capture leaves out unless --all.
 */
#ifndef TUNLAB_HARNESS_CAPTURE_LINE_H
#define TUNLAB_HARNESS_CAPTURE_LINE_H

#include "lab.h"
#include "lib/wgdecode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Asked of the tunnels again at most this often, when a receiver index is new. */
#define CAPTURE_KEYS_EVERY 0.2

struct capture_keys {
	const struct lab *lab;
	struct wg_keyring ring;
	double loaded_at;     /* clock_seconds(), 0 before the first load */
	uint8_t plain[65536]; /* an opened packet, wiped once decoded */
};

/*
 * An IPv6 MLD message or router solicitation, bare or inside a plaintext
 * tunnel datagram: the kernel's, not the lesson's.
 */
bool capture_is_chatter(const uint8_t *ip, size_t len);
/*
 * One line for ip: pkt_decode_encap's, and for WireGuard transport data
 * the inner packet too, when a key opens it ("| inner IPv4 84 ICMP ...").
 */
size_t capture_line(struct capture_keys *k, const uint8_t *ip, size_t len, char *out, size_t cap);
void capture_keys_wipe(struct capture_keys *k);

#endif
