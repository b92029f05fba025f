/*
 * harness delay-line: the process behind "set --reorder", and behind a lab
 * file's reorder (and, without netem, delay) on each end of a link.  This kernel
 * has no netem, and nftables can drop, duplicate and mangle but never
 * wait.  So the internet node diverts a share of what it forwards into a
 * TUN device, and this process holds each diverted packet for a while
 * before it writes it back into the node's stack.  Everything sent after
 * it overtakes it: that is reordering, made of a plain delay.
 *
 * The TUN device arrives as fd 3 from the harness that made it, so the
 * process needs no privilege and touches nothing else.
 */
#include "commands.h"
#include "lib/clock.h"
#include "lib/packet.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOTS	  4096 /* packets held at once; more are released early */
#define SLOT_SIZE 2048 /* the lab's links carry 1500 bytes */

struct held {
	double due;
	uint16_t len;
	uint8_t data[SLOT_SIZE];
};

struct line {
	int fd;
	double hold;
	struct held *ring;
	unsigned int head, count;
	unsigned long diverted, early, too_long, lost;
};

static void usage(FILE *f)
{
	fputs("usage: harness delay-line --hold TIME\n"
	      "\n"
	      "Started by 'harness set --reorder' inside the internet node, and by\n"
	      "'harness up FILE' at each end of a link with reorder (or, without\n"
	      "netem, delay), with the TUN device it reads as fd 3: holds each packet\n"
	      "for TIME, then writes it back, so packets sent after it overtake it.\n"
	      "Not for use by hand.\n"
	      "\n"
	      "  --hold TIME     how long each packet waits (1ms, 500us; at most 1s)\n",
	      f);
}

static void put_back(struct line *l, const uint8_t *pkt, size_t len)
{
	/* A write that fails is a packet lost, as on any link: count it, go on. */
	if (write(l->fd, pkt, len) != (ssize_t)len)
		l->lost++;
}

/* Writes back every packet whose time has come; returns ms to the next. */
static int release_due(struct line *l)
{
	double now = clock_seconds();

	while (l->count) {
		struct held *h = &l->ring[l->head];

		if (h->due > now)
			return (int)((h->due - now) * 1e3) + 1;
		put_back(l, h->data, h->len);
		l->head = (l->head + 1) % SLOTS;
		l->count--;
	}
	return -1;
}

static void take(struct line *l, const uint8_t *pkt, size_t len)
{
	struct held *h;
	size_t link = pkt_link_header(pkt, len);

	/* Some kernels hand over the Ethernet frame; the TUN device takes IP. */
	pkt += link;
	len -= link;
	l->diverted++;
	if (len > SLOT_SIZE) {
		l->too_long++;
		put_back(l, pkt, len);
		return;
	}
	if (l->count == SLOTS) {
		/* Full: the oldest goes now rather than being dropped. */
		h = &l->ring[l->head];
		put_back(l, h->data, h->len);
		l->head = (l->head + 1) % SLOTS;
		l->count--;
		l->early++;
	}
	h = &l->ring[(l->head + l->count) % SLOTS];
	h->due = clock_seconds() + l->hold;
	h->len = (uint16_t)len;
	memcpy(h->data, pkt, len);
	l->count++;
}

static void run(struct line *l, const volatile sig_atomic_t *stop)
{
	uint8_t buf[65536]; /* a GSO burst the kernel did not split would be larger */

	while (!*stop) {
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		int wait = release_due(l);
		ssize_t n;

		if (poll(&p, 1, wait) < 0 && errno != EINTR)
			break;
		while ((n = read(l->fd, buf, sizeof(buf))) > 0)
			take(l, buf, (size_t)n);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
}

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

int cmd_delay_line(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"hold", required_argument, NULL, 'H'}, {"help", no_argument, NULL, 'h'}, {0}};
	struct line l = {.fd = 3};
	uint64_t hold_ns = 0;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt != 'H' || parse_duration(optarg, &hold_ns) || hold_ns > 1000000000ull) {
			fprintf(stderr, "harness delay-line: %s\n",
				opt == 'H' ? "--hold is not a time from 0 to 1s"
					   : "unknown option or missing value (see --help)");
			return 2;
		}
	}
	if (fcntl(l.fd, F_SETFL, O_NONBLOCK)) {
		fprintf(stderr, "harness delay-line: fd 3 is not the TUN device: %s\n",
			strerror(errno));
		return 2;
	}
	l.hold = (double)hold_ns / 1e9;
	l.ring = calloc(SLOTS, sizeof(*l.ring));
	if (!l.ring) {
		fprintf(stderr, "harness delay-line: out of memory\n");
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("holding each packet %.3f ms\n", l.hold * 1e3);
	fflush(stdout);
	run(&l, &stopping);
	printf("diverted %lu, released early %lu, too long to hold %lu, lost %lu\n", l.diverted,
	       l.early, l.too_long, l.lost);
	free(l.ring);
	return 0;
}
