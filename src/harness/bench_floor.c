/*
 * harness bench --paths floor: the floor under every tunnel's added RTT.
 * A "harness floor" process at each end (floor.c) moves each packet with
 * one read and one write, between a TUN device and a UDP socket, and
 * nothing else.  It rides on the lab that bare rides on, between the same
 * two nodes as the tunnels (client and server, or internet and server in
 * a pair), with a device, a port and a /24 of its own beside the pair's
 * (bench_pair.c).  The harness makes the device and the socket inside each
 * node and hands them over, so the process needs no privilege; it is
 * recorded in the lab, and "down" stopping it removes the device.
 */
#include "bench.h"
#include "spawn.h"
#include "state.h"
#include "lib/addr.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOOR_DEV	 "floor"
#define FLOOR_PORT	 2236
#define FLOOR_CLIENT	 "10.96.0.1/24"
#define FLOOR_SERVER	 "10.96.0.2/24"
#define FLOOR_SERVER_ADR "10.96.0.2"
#define FLOOR_MTU	 1420 /* what our tunnels and WireGuard's take on a 1500-byte link */

struct floor_sock {
	const char *server; /* the client's end connects to it; NULL: bind FLOOR_PORT */
};

static int open_tun(void *arg)
{
	char err[256];
	int fd = tun_open(arg, false, err, sizeof(err));

	return fd < 0 ? -EIO : fd;
}

static int open_udp(void *arg)
{
	const struct floor_sock *s = arg;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(FLOOR_PORT)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -errno;
	if (s->server) {
		rc = inet_pton(AF_INET, s->server, &a.sin_addr) == 1
			 ? connect(fd, (struct sockaddr *)&a, sizeof(a))
			 : (errno = EINVAL, -1);
	} else {
		rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (rc) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* The device's address, its MTU, and up. */
static int ready_device(const char *ns, const char *addr, char *err, size_t errlen)
{
	struct nl nl;
	struct nl_link link;
	struct prefix p;
	int fd = netns_open(ns), rc;

	if (fd < 0) {
		snprintf(err, errlen, "cannot enter %s: %s", ns, netns_error(fd));
		return -1;
	}
	rc = nl_open_in(&nl, fd);
	close(fd);
	if (rc) {
		snprintf(err, errlen, "no netlink in %s: %s", ns, netns_error(rc));
		return -1;
	}
	rc = prefix_parse(addr, true, &p, err, errlen);
	if (!rc)
		rc = nl_link_get(&nl, FLOOR_DEV, 0, &link);
	if (!rc)
		rc = nl_addr_add(&nl, link.index, &p);
	if (!rc)
		rc = nl_link_set(&nl, link.index, true, FLOOR_MTU);
	nl_close(&nl);
	if (rc)
		snprintf(err, errlen, "cannot bring up %s in %s: %s", FLOOR_DEV, ns,
			 netns_error(rc));
	return rc ? -1 : 0;
}

/* One end: its device and socket made in the node, then its process; the PID. */
static pid_t start_end(struct bench *b, const struct lab *lab, int node, const char *addr,
		       const char *server)
{
	struct floor_sock s = {.server = server};
	char self[PATH_MAX], log[PATH_MAX], ns[64];
	char *argv[] = {self, "floor", NULL};
	int fds[2] = {-1, -1};
	pid_t pid = -1;

	if (sibling_path("harness", self, sizeof(self))) {
		snprintf(b->err, sizeof(b->err), "cannot find the harness binary to run the floor");
		return -1;
	}
	lab_ns(lab, node, ns, sizeof(ns));
	snprintf(log, sizeof(log), "%s/%s.floor.log", lab->dir, lab_name(lab, node));
	lab_explain(lab, "ip netns exec %s harness floor &   # on TUN %s, %s", ns, FLOOR_DEV, addr);
	fds[0] = netns_call_name(ns, open_tun, FLOOR_DEV);
	if (fds[0] < 0) {
		snprintf(b->err, sizeof(b->err), "cannot open TUN device %s in %s: %s", FLOOR_DEV,
			 ns, netns_error(fds[0]));
		return -1;
	}
	fds[1] = netns_call_name(ns, open_udp, &s);
	if (fds[1] < 0)
		snprintf(b->err, sizeof(b->err), "cannot open the floor's UDP socket in %s: %s", ns,
			 netns_error(fds[1]));
	else if (!ready_device(ns, addr, b->err, sizeof(b->err)))
		/* The device lives as long as the process holding it: down's kill removes it. */
		pid = spawn_in_ns(lab, ns, lab_name(lab, node), "floor", argv, log, fds, 2, b->err,
				  sizeof(b->err));
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return pid;
}

int floor_start(struct bench *b, struct path *p)
{
	struct lab lab;
	int client, server, rc = -1;

	p->ntunnels = 0;
	if (lab_init(&lab, p->lab, b->err, sizeof(b->err)))
		return -1;
	client = lab_role(&lab, b->pair ? ROLE_INTERNET : ROLE_CLIENT);
	server = lab_role(&lab, ROLE_SERVER);
	lab_ns(&lab, client, p->ns, sizeof(p->ns));
	snprintf(p->target, sizeof(p->target), "%s", FLOOR_SERVER_ADR);
	if (!lab.at.server_public4[0])
		snprintf(b->err, sizeof(b->err), "the floor needs the server's IPv4 address");
	else if (!state_lock(&lab, false, b->err, sizeof(b->err))) {
		p->tunnels[0] = start_end(b, &lab, server, FLOOR_SERVER, NULL);
		p->tunnels[1] = p->tunnels[0] > 0 ? start_end(b, &lab, client, FLOOR_CLIENT,
							      lab.at.server_public4)
						  : -1;
		rc = p->tunnels[1] > 0 ? 0 : -1;
	}
	if (!rc)
		p->ntunnels = 2;
	lab_fini(&lab);
	return rc;
}
