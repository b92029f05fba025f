/*
 * The properties "harness check" asserts, computed from what was captured
 * at the six points of the path and nothing else, so the same code runs on
 * a live lab and on saved capture files.  Probes are recognised by the
 * marker at the start of their payload.
 */
#ifndef TUNLAB_HARNESS_VERIFY_H
#define TUNLAB_HARNESS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERIFY_POINTS 6
#define MARKER	      "TUNLAB-PROBE-"
#define MARKER_LEN    16 /* the prefix, then 3 random bytes */

/* laptop tun0, laptop LAN, home-router WAN, office-server public, office-server tun0, office-host
 */
enum point { P_LAPTOP_TUN, P_LAPTOP_LAN, P_ROUTER_WAN, P_SERVER_WAN, P_SERVER_TUN, P_HOST };

struct packet_list {
	uint8_t **data;
	size_t *len;
	int n, cap;
};

enum property { PR_ONCE, PR_LENGTH, PR_NAT, PR_NO_FRAGMENTS, PR_NO_CLEAR, PR_COUNT };

/* What the verdicts need of the lab: the points' names, and whom the probes come from. */
struct verify_where {
	const char *points[VERIFY_POINTS]; /* "home-laptop:tun0", ... */
	const char *target;		   /* the node behind the last point: "office-host" */
	const char *client4, *client6;	   /* the client's VPN addresses, the probes' sources */
	const char *nat4;		   /* the NAT's public address */
};

/* The default lab's, which the committed captures come from. */
extern const struct verify_where verify_default;

struct verdict {
	int probes;
	int failed[PR_COUNT]; /* probes that broke the property */
	bool skipped[PR_COUNT];
	char evidence[PR_COUNT][256];
	bool marked[PR_COUNT];	       /* the probe being judged already failed this one */
	const struct verify_where *at; /* the lab judged */
};

extern const char *const property_names[PR_COUNT];

int packets_add(struct packet_list *l, const uint8_t *data, size_t len);
void packets_free(struct packet_list *l);

/*
 * Judges every probe seen at the laptop's tun0 against the other points.
 * pi: the wire mode carries the 4-byte PI header; tun_mtu: probes up to it
 * must not be fragmented.
 */
void verify(const struct packet_list pts[VERIFY_POINTS], bool pi, int tun_mtu, struct verdict *v);
/* The same, for the lab at says. */
void verify_in(const struct verify_where *at, const struct packet_list pts[VERIFY_POINTS], bool pi,
	       int tun_mtu, struct verdict *v);
/*
 * The same for encrypted mode, where the outer links show only data
 * messages: no inner byte in the clear, outer length = inner + 32 +
 * padding, each probe out once, the NAT's source, and no fragments.
 */
void verify_encrypted(const struct packet_list pts[VERIFY_POINTS], int tun_mtu, struct verdict *v);
void verify_encrypted_in(const struct verify_where *at, const struct packet_list pts[VERIFY_POINTS],
			 int tun_mtu, struct verdict *v);

#endif
