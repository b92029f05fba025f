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

static short kernel_flags(int flags)
{
	return (short)(IFF_TUN | (flags & TUN_PI ? 0 : IFF_NO_PI) |
		       (flags & TUN_MULTI ? IFF_MULTI_QUEUE : 0));
}

int tun_open(const char *name, bool pi, char *err, size_t errlen)
{
	return tun_open_flags(name, pi ? TUN_PI : 0, err, errlen);
}

int tun_open_flags(const char *name, int flags, char *err, size_t errlen)
{
	return open_flags(name, kernel_flags(flags), err, errlen);
}

int tun_open_offload_flags(const char *name, int flags, struct tun_offloads *got, char *err,
			   size_t errlen)
{
	/* TSO for both families and checksums left to us; USO too where the kernel has it. */
	const unsigned int base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	const unsigned int uso = 0x20 | 0x40; /* TUN_F_USO4 | TUN_F_USO6, from Linux 6.2 */
	int fd =
	    open_flags(name, (short)(kernel_flags(flags & ~TUN_PI) | IFF_VNET_HDR), err, errlen);
	int size = TUN_VNET_HDR_LEN;

	got->on = got->uso = false;
	if (fd < 0)
		return tun_open_flags(name, flags & ~TUN_PI, err, errlen);
	if (ioctl(fd, TUNSETVNETHDRSZ, &size) == 0) {
		if (ioctl(fd, TUNSETOFFLOAD, base | uso) == 0)
			got->on = got->uso = true;
		else if (ioctl(fd, TUNSETOFFLOAD, base) == 0)
			got->on = true;
	}
	if (got->on)
		return fd;
	/* Without offloads the header is only a cost: start again without it. */
	close(fd);
	return tun_open_flags(name, flags & ~TUN_PI, err, errlen);
}

int tun_add_queue(int fd, char *err, size_t errlen)
{
	struct ifreq ifr = {0};
	int q;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		snprintf(err, errlen, "cannot read the TUN device's flags: %s", strerror(errno));
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_MULTI_QUEUE)) {
		snprintf(err, errlen, "%s has a single queue", ifr.ifr_name);
		return -1;
	}
	q = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (q < 0) {
		snprintf(err, errlen, "cannot open %s: %s", TUN_PATH, strerror(errno));
		return -1;
	}
	/* TUNGETIFF reports IFF_TUN and the rest as set; they are what TUNSETIFF wants. */
	if (ioctl(q, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "cannot add a queue to %s: %s", ifr.ifr_name,
			 strerror(errno));
		close(q);
		return -1;
	}
	return q;
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
