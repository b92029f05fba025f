/*
 * harness floor: the least a userspace tunnel can do, for "harness bench
 * --paths floor" to measure.  Each packet crosses with one read and one
 * write: from the TUN device into a UDP datagram to the other end, and
 * back.  No protocol, no batching, no offloads, no timers.  What a tunnel
 * adds over this is what its protocol and its own code cost; what this
 * adds over the bare underlay is the floor no userspace tunnel gets under.
 *
 * Both descriptors arrive from the harness that made them: the TUN device
 * as fd 3 and the UDP socket as fd 4 (bound on the server's end, connected
 * on the client's).  So the process needs no privilege, and gives it up.
 */
#include "commands.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOOR_TUN    3
#define FLOOR_UDP    4
#define FLOOR_NOBODY 65534

struct floor {
	struct sockaddr_storage peer; /* where the last datagram came from */
	socklen_t peer_len;	      /* 0: the socket is connected, or nobody spoke yet */
	bool connected;
	unsigned long lost;
};

static void usage(FILE *f)
{
	fputs("usage: harness floor\n"
	      "\n"
	      "Started by 'harness bench' at each end of its floor path, with the TUN\n"
	      "device as fd 3 and a UDP socket as fd 4 (bound on the server, connected\n"
	      "on the client): moves each packet with one read and one write, between\n"
	      "the device and the other end. The server answers wherever the last\n"
	      "datagram came from. Not for use by hand.\n",
	      f);
}

/* The descriptors are all it needs: it runs as nobody, not as the harness. */
static int drop_privileges(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) || setgid(FLOOR_NOBODY) || setuid(FLOOR_NOBODY)) {
		fprintf(stderr, "harness floor: cannot give up root: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* One packet from the device to the other end; a send that fails is a packet lost. */
static int from_tun(struct floor *fl, unsigned char *buf, size_t cap)
{
	ssize_t n = read(FLOOR_TUN, buf, cap);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (fl->connected)
		n = send(FLOOR_UDP, buf, (size_t)n, 0) == n ? n : -1;
	else if (fl->peer_len)
		n = sendto(FLOOR_UDP, buf, (size_t)n, 0, (struct sockaddr *)&fl->peer,
			   fl->peer_len) == n
			? n
			: -1;
	else
		n = -1; /* the client has not spoken yet: nowhere to send */
	if (n < 0)
		fl->lost++;
	return 0;
}

/* One datagram from the other end into the device. */
static int from_udp(struct floor *fl, unsigned char *buf, size_t cap)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	ssize_t n = recvfrom(FLOOR_UDP, buf, cap, 0, (struct sockaddr *)&from, &len);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED ? 0 : -1;
	if (!fl->connected && len <= sizeof(fl->peer)) {
		memcpy(&fl->peer, &from, len);
		fl->peer_len = len;
	}
	if (write(FLOOR_TUN, buf, (size_t)n) != n)
		fl->lost++;
	return 0;
}

static int run(struct floor *fl)
{
	static unsigned char buf[65536];
	struct pollfd p[2] = {{.fd = FLOOR_TUN, .events = POLLIN},
			      {.fd = FLOOR_UDP, .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) || (p[1].revents & POLLNVAL))
			return -1;
		if ((p[0].revents & POLLIN) && from_tun(fl, buf, sizeof(buf)))
			return -1;
		if ((p[1].revents & (POLLIN | POLLERR)) && from_udp(fl, buf, sizeof(buf)))
			return -1;
	}
}

int cmd_floor(int argc, char **argv)
{
	struct floor fl = {0};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1) {
		usage(stderr);
		return 2;
	}
	if (drop_privileges())
		return 1;
	fl.connected = getpeername(FLOOR_UDP, (struct sockaddr *)&ss, &len) == 0;
	if (run(&fl)) {
		fprintf(stderr, "harness floor: %s (%lu packets lost)\n", strerror(errno), fl.lost);
		return 1;
	}
	return 0;
}
