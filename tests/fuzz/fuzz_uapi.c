/*
 * The wg socket as anyone who can open it sees it: the input is what one
 * or more clients send, served by the real listener (uapi_serve) on a
 * unix socket in a directory of our own, each answer read back.
 *
 * The input is cut into clients at each blank line: a client's bytes run
 * up to and with its first "\n\n" (a whole request: get=1, set=1 or
 * anything else), the last client takes what is left (a request never
 * finished).  At most UAPI_CLIENTS + 1 clients: all connect before the
 * server looks, so the last of nine is turned away.  Then, one after the
 * other, each writes its bytes, the server reads and answers, and the
 * client reads the answer; so a set=1 followed by a get=1 sees what it
 * set.  A client that never finished its request is dropped once the
 * clock passes its deadline.  In an input of odd length each client
 * writes its first line apart, and the server reads it before the rest
 * comes; the length picks, as this costs a third more time, and every
 * input still means one thing.
 *
 * Checked: a whole request gets one answer ending "errno=N" and a blank
 * line, get=1 "errno=0"; an unfinished one gets none; no client is left
 * behind after its deadline; each set=1 logs one line, a refusal says
 * why and never repeats the value of a private or preshared key; and the
 * device can be emptied again by the same call a set=1 makes.
 */
#include "tunnel/stats.h"
#include "tunnel/uapi.h"
#include "tunnel/wg.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NOW	    100.0
#define MAX_CLIENTS (UAPI_CLIENTS + 1)
/* A port "another program" holds: the rebind to it fails, as a real one would. */
#define TAKEN_PORT 9

struct buf {
	char *p;
	size_t len, cap;
};

/*
 * What lives as long as the process: the listener and the device, as the
 * tunnel has them for its whole life, and the buffers the log and the
 * answers are read into.  Making them again for each input cost more than
 * the rest together (the device's handshake rate limiter is a large
 * allocation, and fresh memory is slow under ASan); each input leaves the
 * device empty instead.  The socket's directory goes at exit; a crash,
 * which ends the process at once, leaves it behind.
 */
struct fuzz_uapi {
	char dir[64];
	struct uapi u;
	struct stats st;
	struct wg w;
	FILE *log;
	struct buf log_text;
	struct buf got[MAX_CLIENTS];
};

static struct fuzz_uapi *ctx;

struct client {
	int fd;
	const uint8_t *bytes;
	size_t len;
	bool whole; /* ends with a blank line */
	bool hung_up;
	struct buf *got; /* the answer, as read */
};

static void append(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *more;

		while (cap < b->len + n)
			cap *= 2;
		more = realloc(b->p, cap);
		if (!more)
			abort();
		b->p = more;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static ssize_t log_write(void *cookie, const char *p, size_t n)
{
	append(cookie, p, n);
	return (ssize_t)n;
}

static int no_send(void *io, const struct sockaddr_storage *to, const uint8_t *buf, size_t len)
{
	(void)io;
	(void)to;
	(void)buf;
	(void)len;
	return 0;
}

/* The tunnel's rebind opens a UDP socket on the port and takes its number. */
static int rebind(void *arg, int port)
{
	struct wg *w = arg;

	if (port == TAKEN_PORT)
		return -EADDRINUSE;
	w->listen_port = port;
	return 0;
}

static void cleanup(void)
{
	uapi_close(&ctx->u);
	rmdir(ctx->dir);
	wg_free(&ctx->w);
	fclose(ctx->log);
	free(ctx->log_text.p);
	for (int i = 0; i < MAX_CLIENTS; i++)
		free(ctx->got[i].p);
	free(ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cookie_io_functions_t io = {.write = log_write};
	char path[sizeof(ctx->u.path)], err[256];

	(void)argc;
	(void)argv;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx || wg_init(&ctx->w, &ctx->st, no_send, NULL))
		abort();
	ctx->log = fopencookie(&ctx->log_text, "w", io);
	if (!ctx->log || setvbuf(ctx->log, NULL, _IONBF, 0))
		abort();
	snprintf(ctx->dir, sizeof(ctx->dir), "/tmp/fuzz_uapi.XXXXXX");
	if (!mkdtemp(ctx->dir))
		abort();
	snprintf(path, sizeof(path), "%s/wg.sock", ctx->dir);
	if (uapi_open(&ctx->u, path, err, sizeof(err))) {
		fprintf(stderr, "fuzz_uapi: %s\n", err);
		abort();
	}
	atexit(cleanup);
	return 0;
}

/* Cuts the input into clients; returns how many. */
static int cut(const uint8_t *data, size_t size, struct client *cs)
{
	int n = 0;
	size_t at = 0;

	while (at < size && n < MAX_CLIENTS) {
		const uint8_t *end = NULL;

		for (size_t i = at; n < MAX_CLIENTS - 1 && i + 1 < size && !end; i++)
			if (data[i] == '\n' && data[i + 1] == '\n')
				end = data + i + 2;
		cs[n] = (struct client){.fd = -1, .bytes = data + at, .got = &ctx->got[n]};
		cs[n].len = end ? (size_t)(end - (data + at)) : size - at;
		cs[n].whole = cs[n].len >= 2 && cs[n].bytes[cs[n].len - 2] == '\n' &&
			      cs[n].bytes[cs[n].len - 1] == '\n';
		cs[n].got->len = 0;
		at += cs[n].len;
		n++;
	}
	return n;
}

static int dial(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctx->u.path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		__builtin_trap(); /* no way in: nothing below would be tested */
	return fd;
}

static void serve(double now)
{
	uapi_serve(&ctx->u, &ctx->w, now, rebind, &ctx->w, ctx->log);
}

/* Writes len bytes, the server reading after each write. */
static void put(struct client *c, const uint8_t *p, size_t len)
{
	for (int full = 0; len && full < 100;) {
		ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN)
			return; /* the server hung up: turned away, or done with it */
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else {
			full++; /* a server that reads nothing more: give up */
		}
		serve(NOW);
	}
}

/* Reads what the server has sent so far, and whether it hung up. */
static void take(struct client *c)
{
	char chunk[4096];

	while (!c->hung_up) {
		ssize_t n = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			c->hung_up = true; /* closed, or reset */
		else
			append(c->got, chunk, (size_t)n);
	}
}

/*
 * The server's close reaches the client at once, unless another process
 * holds the socket's file for a moment (anything that looks at this
 * process's descriptors under /proc does): then the hang-up comes when
 * that one lets go.  Two long runs on a busy machine saw it: the server's
 * slot for the client already free, the hang-up there a moment later.  So
 * wait for it, without running the server: a server that keeps the
 * connection open still fails the check, after a second.
 */
static void await_hangup(struct client *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLRDHUP};

	take(c);
	for (int tries = 0; !c->hung_up && tries < 100; tries++) {
		poll(&p, 1, 10);
		take(c);
	}
}

static bool ends_with(const struct buf *b, const char *tail)
{
	size_t t = strlen(tail);

	return b->len >= t && !memcmp(b->p + b->len - t, tail, t);
}

/* One answer: anything, then "errno=DIGITS\n\n" on a line of its own. */
static bool one_answer(const struct buf *b)
{
	size_t i;

	if (!ends_with(b, "\n\n"))
		return false;
	i = b->len - 2;
	while (i > 0 && b->p[i - 1] >= '0' && b->p[i - 1] <= '9')
		i--;
	return i < b->len - 2 && i >= 6 && !memcmp(b->p + i - 6, "errno=", 6) &&
	       (i == 6 || b->p[i - 7] == '\n');
}

/*
 * Runs one client's request; the server has accepted it already.  Apart:
 * the first line goes in a write of its own, and the server reads it
 * before the rest is sent, so the request comes in two reads (for get=1,
 * the blank line is cut in two).
 */
static void speak(struct client *c, bool apart)
{
	const uint8_t *nl = memchr(c->bytes, '\n', c->len);
	size_t first = apart && nl ? (size_t)(nl - c->bytes) + 1 : c->len;

	put(c, c->bytes, first);
	put(c, c->bytes + first, c->len - first);
	take(c);
}

static bool starts(const struct client *c, const char *s)
{
	return c->len >= strlen(s) && !memcmp(c->bytes, s, strlen(s));
}

/* What the log says about the set=1 requests: one line each, a refusal with its reason. */
static void check_log(const struct buf *b, int sets)
{
	static const char refused[] = "uapi: set refused: ";
	const char *line = b->p, *end = b->len ? b->p + b->len : b->p;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *why = line + strlen(refused);

		if (!nl)
			__builtin_trap(); /* a log line without its end */
		if (!strncmp(line, refused, strlen(refused))) {
			if (why == nl)
				__builtin_trap(); /* a refusal must say why */
			if ((!strncmp(why, "private_key=", 12) && why[12] != '(') ||
			    (!strncmp(why, "preshared_key=", 14) && why[14] != '('))
				__builtin_trap(); /* a secret key's value in the log */
		}
		sets--;
		line = nl + 1;
	}
	if (sets)
		__builtin_trap(); /* a set=1 with no log line, or a line for none */
}

/*
 * Back to the empty device every input starts from, by the same call a
 * set=1 request makes: no private key, no peers, no port.
 */
static void empty(struct wg *w)
{
	struct uapi_set none = {.has_private_key = true, .listen_port = 0, .replace_peers = true};

	if (uapi_apply(w, &none, NOW, rebind, w) || w->npeers || w->id.has_private ||
	    w->listen_port)
		__builtin_trap(); /* what one input set would leak into the next */
}

/*
 * The server's side when the check fails: each slot, what the client
 * sent, and whether one more round of the server ends the connection
 * (a close that came late) or not (one that never comes).
 */
static void show_server(struct client *c)
{
	for (int i = 0; i < UAPI_CLIENTS; i++) {
		const struct uapi_client *s = &ctx->u.clients[i];

		if (s->used)
			fprintf(
			    stderr,
			    "  slot %d: fd %d kind %d complete %d answering %d sent %zu of %zu\n",
			    i, s->fd, (int)s->kind, s->complete, s->answering, s->sent, s->len);
	}
	fprintf(stderr, "  client fd %d sent: ", c->fd);
	for (size_t k = 0; k < c->len && k < 200; k++)
		fprintf(stderr, c->bytes[k] >= 32 && c->bytes[k] < 127 ? "%c" : "\\x%02x",
			c->bytes[k]);
	fprintf(stderr, "\n");
	serve(NOW);
	take(c);
	fprintf(stderr, "  after one more round: got %zu, %s\n", c->got->len,
		c->hung_up ? "hung up" : "still open");
}

/*
 * This check once failed in a long run, on an input that passed when run
 * again alone: before trapping, say what each client sent and got, so the
 * next time tells which part went wrong.
 */
static void no_answer(struct client *cs, int n, int which)
{
	fprintf(stderr, "fuzz_uapi: client %d of %d sent a whole request without a proper answer\n",
		which, n);
	for (int i = 0; i < n; i++) {
		const struct buf *g = cs[i].got;
		size_t shown = g->len < 120 ? g->len : 120;

		fprintf(stderr, "  client %d: sent %zu bytes%s, got %zu%s: ", i, cs[i].len,
			cs[i].whole ? " (whole)" : "", g->len, cs[i].hung_up ? ", hung up" : "");
		for (size_t k = 0; k < shown; k++)
			fprintf(stderr, g->p[k] >= 32 && g->p[k] < 127 ? "%c" : "\\x%02x",
				(unsigned char)g->p[k]);
		fprintf(stderr, "%s\n", shown < g->len ? "..." : "");
	}
	show_server(&cs[which]);
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client cs[MAX_CLIENTS];
	int n = cut(data, size, cs), sets = 0;
	bool apart = size % 2, waiting = false;

	ctx->log_text.len = 0;
	for (int i = 0; i < n; i++)
		cs[i].fd = dial();
	serve(NOW); /* accepts them all, or as many as there are places */
	for (int i = 0; i < n; i++) {
		speak(&cs[i], apart);
		if (i < UAPI_CLIENTS && cs[i].whole) {
			await_hangup(&cs[i]);
			if (!one_answer(cs[i].got) || !cs[i].hung_up)
				no_answer(cs, n, i); /* a whole request, and no proper answer */
			if (starts(&cs[i], "get=1\n\n") && !ends_with(cs[i].got, "errno=0\n\n"))
				__builtin_trap(); /* get=1 always works */
			sets += starts(&cs[i], "set=1\n");
		} else if (cs[i].got->len) {
			__builtin_trap(); /* an answer to no request */
		}
	}
	/* The clients still waiting run out of time. */
	for (int i = 0; i < n; i++)
		waiting |= !cs[i].hung_up;
	if (waiting)
		serve(NOW + UAPI_DEADLINE);
	for (int i = 0; i < UAPI_CLIENTS; i++)
		if (ctx->u.clients[i].used)
			__builtin_trap(); /* kept past its deadline */
	for (int i = 0; i < n; i++) {
		await_hangup(&cs[i]);
		if (!cs[i].hung_up || (!cs[i].whole && cs[i].got->len))
			__builtin_trap(); /* still connected, or a late answer */
		close(cs[i].fd);
	}
	check_log(&ctx->log_text, sets);
	empty(&ctx->w);
	return 0;
}

/*
 * Each request makes the server allocate (its read buffer, the answer's
 * memory stream), so under ASan's default quarantine of 256 MB nearly
 * every allocation lands on a page never touched before, and a fresh page
 * costs more than serving the request.  16 MB still holds what some
 * hundreds of inputs freed: a use after free within an input, or in the
 * next ones, is still caught.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
