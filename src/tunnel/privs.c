#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's interface itself: two 32-bit words per set. */
static int set_caps(unsigned int keep)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {{0}};

	d[keep / 32].effective = d[keep / 32].permitted = 1u << (keep % 32);
	return (int)syscall(SYS_capset, &h, d);
}

static int drop_bounding(unsigned int keep)
{
	for (unsigned int c = 0; c <= 63; c++) {
		/*
		 * Only what the set holds: dropping takes CAP_SETPCAP, which a tunnel
		 * started without root and with CAP_NET_ADMIN alone (the systemd unit)
		 * lacks and needs not, its set holding nothing else.  A read below 0:
		 * no such capability on this kernel, and so nothing to drop.
		 */
		if (c == keep || prctl(PR_CAPBSET_READ, c, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
			return -1;
	}
	return 0;
}

static int become(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		snprintf(err, errlen, "--user: no user '%s'", user);
		return -1;
	}
	/*
	 * uid 0 must never mean privilege again (not on an exec either), and
	 * that stays so; then keep the permitted set across setuid, so
	 * CAP_NET_ADMIN survives it.
	 */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0) ||
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(pw->pw_gid) ||
	    setuid(pw->pw_uid)) {
		snprintf(err, errlen, "--user %s: cannot switch: %s", user, strerror(errno));
		return -1;
	}
	return 0;
}

int privs_drop(const char *user, char *err, size_t errlen)
{
	if (drop_bounding(CAP_NET_ADMIN)) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (user && become(user, err, errlen))
		return -1;
	if (set_caps(CAP_NET_ADMIN) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}
