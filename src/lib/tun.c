#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TUN_PATH "/dev/net/tun"

int tun_open(const char *name, bool pi, char *err, size_t errlen)
{
	struct ifreq ifr = {0};
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "device name '%s' is longer than %d characters", name,
			 IFNAMSIZ - 1);
		return -1;
	}
	/* TUNSETIFF would silently attach to an existing persistent device. */
	if (if_nametoindex(name)) {
		snprintf(err, errlen, "device %s already exists", name);
		return -1;
	}
	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			snprintf(err, errlen, "%s is missing: load the tun module (modprobe tun)",
				 TUN_PATH);
		else
			snprintf(err, errlen, "cannot open %s: %s", TUN_PATH, strerror(errno));
		return -1;
	}
	ifr.ifr_flags = IFF_TUN | (pi ? 0 : IFF_NO_PI);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EPERM)
			snprintf(err, errlen,
				 "not permitted to create %s: run as root (needs CAP_NET_ADMIN)",
				 name);
		else if (errno == EBUSY || errno == EEXIST)
			snprintf(err, errlen, "device %s is already in use", name);
		else
			snprintf(err, errlen, "cannot create %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

uint16_t tun_pi_proto(int version)
{
	return version == 6 ? ETH_P_IPV6 : ETH_P_IP;
}
