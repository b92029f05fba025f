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

static int open_flags(const char *name, short flags, char *err, size_t errlen);

int tun_open(const char *name, bool pi, char *err, size_t errlen)
{
	return open_flags(name, (short)(IFF_TUN | (pi ? 0 : IFF_NO_PI)), err, errlen);
}

int tun_open_offload(const char *name, bool *offload, char *err, size_t errlen)
{
	/* TSO for both families and checksums left to us; USO too where the kernel has it. */
	const unsigned int base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	const unsigned int uso = 0x20 | 0x40; /* TUN_F_USO4 | TUN_F_USO6, from Linux 6.2 */
	int fd = open_flags(name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, err, errlen);
	int size = TUN_VNET_HDR_LEN;

	*offload = false;
	if (fd < 0)
		return tun_open(name, false, err, errlen);
	if (ioctl(fd, TUNSETVNETHDRSZ, &size) == 0 &&
	    (ioctl(fd, TUNSETOFFLOAD, base | uso) == 0 || ioctl(fd, TUNSETOFFLOAD, base) == 0)) {
		*offload = true;
		return fd;
	}
	/* Without offloads the header is only a cost: start again without it. */
	close(fd);
	return tun_open(name, false, err, errlen);
}

static int open_flags(const char *name, short flags, char *err, size_t errlen)
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
	ifr.ifr_flags = flags;
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
