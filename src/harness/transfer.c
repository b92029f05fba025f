#include "transfer.h"
#include "lib/clock.h"
#include "lib/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536

/* The stream: word i is splitmix64(i), so any offset can be checked alone. */
static uint64_t word_at(uint64_t i)
{
	uint64_t z = i + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t byte_at(uint64_t off)
{
	return (uint8_t)(word_at(off / 8) >> (8 * (off % 8)));
}

static void fill(uint8_t *buf, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = byte_at(off + i);
}

/* A child that dies with the harness and runs inside node's namespace. */
static pid_t child_in(const struct lab *lab, int node)
{
	char ns[64];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (netns_enter_name(lab_ns(lab, node, ns, sizeof(ns))) < 0)
		_exit(3);
	return 0;
}

struct report {
	uint64_t received, intact;
	double seconds;
};

static void receive(int lfd, int out, uint64_t bytes)
{
	uint8_t buf[CHUNK], want[CHUNK];
	struct report r = {0};
	bool same = true;
	double t0 = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n;

	if (fd >= 0)
		t0 = clock_seconds();
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		fill(want, r.received, (size_t)n);
		for (ssize_t i = 0; same && i < n; i++)
			same = buf[i] == want[i] && r.received + (uint64_t)i < bytes;
		r.received += (uint64_t)n;
		if (same)
			r.intact = r.received;
	}
	if (!same && r.intact == r.received)
		r.intact = r.received - 1; /* the first difference was in the last read */
	r.seconds = t0 ? clock_seconds() - t0 : 0;
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	_exit(0);
}

static int listen_on(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int on = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return -1;
	return fd;
}

static void send_stream(const char *addr, int port, uint64_t bytes)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	uint8_t buf[CHUNK];
	uint64_t off = 0;
	int fd = -1;

	inet_pton(AF_INET, addr, &a.sin_addr);
	/* The tunnel may still be shaking hands: try for 10 s. */
	for (int i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		clock_sleep_ms(100);
	}
	if (fd < 0)
		_exit(5);
	while (off < bytes) {
		size_t n = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
		ssize_t w;

		fill(buf, off, n);
		w = write(fd, buf, n);
		if (w <= 0)
			_exit(6);
		off += (uint64_t)w;
	}
	shutdown(fd, SHUT_WR);
	/* Until the receiver closes: the bytes are delivered, not just queued. */
	while (read(fd, buf, sizeof(buf)) > 0) {
	}
	_exit(0);
}

int transfer_start(struct transfer *t, const struct lab *lab, int from, int to, const char *addr,
		   int port, uint64_t bytes)
{
	int p[2], ready[2];
	char c;

	memset(t, 0, sizeof(*t));
	t->bytes = bytes;
	t->result_fd = -1;
	if (pipe2(p, O_CLOEXEC) || pipe2(ready, O_CLOEXEC)) {
		snprintf(t->err, sizeof(t->err), "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	t->receiver = child_in(lab, to);
	if (t->receiver == 0) {
		int lfd = listen_on(port);

		close(p[0]);
		close(ready[0]);
		if (lfd < 0 || write(ready[1], "r", 1) != 1)
			_exit(2);
		close(ready[1]);
		receive(lfd, p[1], bytes);
	}
	close(p[1]);
	close(ready[1]);
	t->result_fd = p[0];
	if (t->receiver < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		snprintf(t->err, sizeof(t->err), "cannot listen on %s:%d in %s", addr, port,
			 lab_name(lab, to));
		transfer_wait(t, 0);
		return -1;
	}
	close(ready[0]);
	t->sender = child_in(lab, from);
	if (t->sender == 0)
		send_stream(addr, port, bytes);
	return 0;
}

static void reap(pid_t pid, bool stop)
{
	if (pid <= 0)
		return;
	if (stop)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void transfer_wait(struct transfer *t, double timeout_s)
{
	struct pollfd pfd = {.fd = t->result_fd, .events = POLLIN};
	struct report r = {0};
	bool got = false;

	if (t->result_fd >= 0 && poll(&pfd, 1, (int)(timeout_s * 1000)) == 1)
		got = read(t->result_fd, &r, sizeof(r)) == sizeof(r);
	reap(t->receiver, !got);
	reap(t->sender, true);
	t->receiver = t->sender = 0;
	if (t->result_fd >= 0)
		close(t->result_fd);
	t->result_fd = -1;
	t->received = r.received;
	t->intact = r.intact;
	t->seconds = r.seconds;
	t->done = got && r.intact == t->bytes && r.received == t->bytes;
	if (!got && !t->err[0])
		snprintf(t->err, sizeof(t->err), "not finished after %.0f s", timeout_s);
}

double transfer_rate(const struct transfer *t)
{
	return t->seconds > 0 ? (double)t->intact * 8 / t->seconds : 0;
}
