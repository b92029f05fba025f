#include "wire.h"
#include "lib/tun.h"

#include <arpa/inet.h>
#include <string.h>

/* The largest UDP payload one outer packet can hold: 65535 less the headers. */
#define UDP_MAX_PAYLOAD_V4 (65535 - 20 - 8)
#define UDP_MAX_PAYLOAD_V6 (65535 - 8)

size_t wire_overhead(enum wire_mode m)
{
	return m == MODE_PI ? TUN_PI_LEN : 0;
}

static enum drop parse_error(enum pkt_error e)
{
	return e == PKT_TRUNCATED ? DROP_TRUNCATED : DROP_NOT_IP;
}

/* The inner packet behind the mode's header, checked against that header. */
static bool inner(enum wire_mode m, const uint8_t *buf, size_t len, struct pkt *p, enum drop *why)
{
	size_t hdr = wire_overhead(m);
	enum pkt_error e;

	if (len < hdr + 1) {
		*why = DROP_TRUNCATED;
		return false;
	}
	e = pkt_parse(buf + hdr, len - hdr, p);
	if (e != PKT_OK) {
		*why = parse_error(e);
		return false;
	}
	if (m == MODE_PI) {
		uint16_t proto;

		memcpy(&proto, buf + 2, 2);
		if (ntohs(proto) != tun_pi_proto(p->version)) {
			*why = DROP_NOT_IP;
			return false;
		}
	}
	return true;
}

bool wire_decap(enum wire_mode m, const uint8_t *dg, size_t len, struct pkt *p, size_t *out_len,
		enum drop *why)
{
	if (!inner(m, dg, len, p, why))
		return false;
	*out_len = wire_overhead(m) + p->len;
	return true;
}

bool wire_encap(enum wire_mode m, const uint8_t *buf, size_t len, int outer_version, struct pkt *p,
		size_t *out_len, enum drop *why)
{
	size_t max = outer_version == 6 ? UDP_MAX_PAYLOAD_V6 : UDP_MAX_PAYLOAD_V4;

	if (!inner(m, buf, len, p, why))
		return false;
	*out_len = wire_overhead(m) + p->len;
	if (*out_len > max) {
		*why = DROP_TOO_BIG;
		return false;
	}
	return true;
}
