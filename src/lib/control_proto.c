#include "control_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

const struct ctl_counter_names ctl_counter = {
#define CTL_X(name, what)		  .name = #name,
#define CTL_X_DROP(id, name, plain, what) .drop_##name = CTL_DROP_PREFIX #name,
    CTL_TRAFFIC(CTL_X) CTL_DROPS(CTL_X_DROP) CTL_PMTU_COUNTERS(CTL_X) CTL_UDP_OFFLOADS(CTL_X)
	CTL_TUN_OFFLOADS(CTL_X) CTL_WG_COUNTERS(CTL_X)
#undef CTL_X
#undef CTL_X_DROP
};

const char *ctl_peer_key(int n, const char *key, char *out, size_t cap)
{
	snprintf(out, cap, "peer%d_%s", n, key);
	return out;
}

bool ctl_drop_plain(const char *name)
{
#define CTL_X_DROP(id, n, plain, what)                                                             \
	if (!strcmp(name, #n))                                                                     \
		return plain;
	CTL_DROPS(CTL_X_DROP)
#undef CTL_X_DROP
	return false;
}

int ctl_path(const char *dir, const char *node, const char *tunnel, char *out, size_t cap)
{
	int n;

	if (tunnel && *tunnel)
		n = snprintf(out, cap, "%s/%s-%s" CTL_SUFFIX, dir, node, tunnel);
	else
		n = snprintf(out, cap, "%s/%s" CTL_SUFFIX, dir, node);
	if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	return 0;
}
