#include "mtu.h"

#include <stdio.h>
#include <string.h>

static const struct mtu_mode modes[] = {
    {"encrypted", "encrypted", MTU_WG_DATA, MTU_WG_PAD},
    {"plaintext", "plaintext", 0, 0},
    {"pi", "PI header", MTU_PI_HDR, 0},
};

const struct mtu_mode *mtu_mode_named(const char *name)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, name))
			return &modes[i];
	return NULL;
}

int mtu_ip_header(int family)
{
	return family == 6 ? MTU_IPV6_HDR : MTU_IPV4_HDR;
}

int mtu_overhead(int outer_family, int mode_overhead)
{
	return mtu_ip_header(outer_family) + MTU_UDP_HDR + mode_overhead;
}

int mtu_compute(int underlay, int outer_family, int mode_overhead, struct mtu_calc *out)
{
	out->underlay = underlay;
	out->outer_ip = mtu_ip_header(outer_family);
	out->udp = MTU_UDP_HDR;
	out->mode = mode_overhead;
	out->tunnel = underlay - mtu_overhead(outer_family, mode_overhead);
	return out->tunnel;
}

size_t mtu_explain(const struct mtu_calc *m, const char *mode_name, char *out, size_t cap)
{
	int n;

	if (m->mode)
		n = snprintf(out, cap, "%d (underlay) - %d (outer IPv%d) - %d (UDP) - %d (%s) = %d",
			     m->underlay, m->outer_ip, m->outer_ip == MTU_IPV6_HDR ? 6 : 4, m->udp,
			     m->mode, mode_name, m->tunnel);
	else
		n = snprintf(out, cap, "%d (underlay) - %d (outer IPv%d) - %d (UDP) = %d",
			     m->underlay, m->outer_ip, m->outer_ip == MTU_IPV6_HDR ? 6 : 4, m->udp,
			     m->tunnel);
	return n < 0 ? 0 : (size_t)n;
}

int mtu_ping_payload(int mtu, int inner_family)
{
	return mtu - mtu_ip_header(inner_family) - MTU_ICMP_HDR;
}

int mtu_mss(int mtu, int inner_family)
{
	return mtu - mtu_ip_header(inner_family) - MTU_TCP_HDR;
}

int mtu_largest_inner(int allowed, int device_mtu, int padding)
{
	if (device_mtu > 0 && device_mtu <= allowed)
		return device_mtu;
	if (padding <= 1 || allowed <= 0)
		return allowed;
	return allowed - allowed % padding;
}

size_t mtu_explain_largest(int allowed, int device_mtu, int padding, char *out, size_t cap)
{
	int largest = mtu_largest_inner(allowed, device_mtu, padding);
	int n;

	if (device_mtu > 0 && device_mtu <= allowed)
		n = snprintf(out, cap, "%d, the device MTU%s", largest,
			     padding > 1 ? ", where padding stops" : "");
	else if (largest == allowed)
		n = snprintf(out, cap, "%d, what the path allows", largest);
	else {
		int to = largest + padding < device_mtu ? largest + padding : device_mtu;

		n = snprintf(out, cap,
			     "%d rounded down to a multiple of %d: %d..%d are padded to %d%s and "
			     "do not fit",
			     allowed, padding, largest + 1, allowed, to,
			     to == device_mtu ? " (the device MTU)" : "");
	}
	return n < 0 ? 0 : (size_t)n;
}
