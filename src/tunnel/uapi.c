#include "uapi.h"
#include "wg.h"
#include "lib/unixsock.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

static int hex_key(const char *v, uint8_t out[KEY_LEN])
{
	if (strlen(v) != 2 * KEY_LEN)
		return -1;
	for (int i = 0; i < KEY_LEN; i++) {
		unsigned int b;

		if (sscanf(v + 2 * i, "%2x", &b) != 1 || !isxdigit((unsigned char)v[2 * i]) ||
		    !isxdigit((unsigned char)v[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static int number(const char *v, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return errno || end == v || *end || *out < 0 || *out > hi ? -1 : 0;
}

/* A key whose value may be repeated in a log line: not a secret, and a name wg knows. */
static bool value_shown(const char *key)
{
	static const char *const open[] = {"public_key",
					   "listen_port",
					   "fwmark",
					   "replace_peers",
					   "remove",
					   "update_only",
					   "replace_allowed_ips",
					   "endpoint",
					   "allowed_ip",
					   "persistent_keepalive_interval",
					   "protocol_version"};

	for (size_t i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		if (!strcmp(key, open[i]))
			return true;
	return false;
}

/*
 * The line that goes to the log.  The value of private_key and
 * preshared_key never does, nor that of a key we do not know (a
 * mistyped "private-key" holds a secret too), nor a key name that is not
 * a plain word: only its length.
 */
static int fail(char *err, size_t errlen, const char *key, const char *v, const char *why)
{
	size_t plain = strspn(key, "abcdefghijklmnopqrstuvwxyz_");

	if (value_shown(key))
		snprintf(err, errlen, "%s=%s: %s", key, v, why);
	else if (!key[plain] && plain <= 32)
		snprintf(err, errlen, "%s=(%zu characters, not shown): %s", key, strlen(v), why);
	else
		snprintf(err, errlen, "a line of %zu characters (not shown): %s",
			 strlen(key) + strlen(v) + (*v ? 1 : 0), why);
	return -EINVAL;
}

/* What is wrong with the request as a whole, or with a line that is not key=value. */
static int whole(char *err, size_t errlen, const char *fmt, size_t n)
{
	snprintf(err, errlen, fmt, n);
	return -EINVAL;
}

static struct uapi_peer *new_peer(struct uapi_set *s)
{
	struct uapi_peer *more = realloc(s->peers, (size_t)(s->npeers + 1) * sizeof(*more));

	if (!more)
		return NULL;
	s->peers = more;
	memset(&more[s->npeers], 0, sizeof(*more));
	more[s->npeers].keepalive = -1;
	return &more[s->npeers++];
}

static int add_allowed(struct uapi_peer *p, const char *v, char *err, size_t errlen)
{
	char why[160];

	if (p->nallowed == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		struct prefix *more = realloc(p->allowed, (size_t)cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		p->allowed = more;
		p->cap = cap;
	}
	if (prefix_parse(v, true, &p->allowed[p->nallowed], why, sizeof(why)))
		return fail(err, errlen, "allowed_ip", v, why);
	p->nallowed++;
	return 0;
}

static int interface_key(struct uapi_set *s, const char *k, const char *v, char *err, size_t errlen)
{
	long n;

	if (!strcmp(k, "private_key")) {
		if (hex_key(v, s->private_key))
			return fail(err, errlen, k, v, "not 64 hex digits");
		s->has_private_key = true;
	} else if (!strcmp(k, "listen_port")) {
		if (number(v, 65535, &n))
			return fail(err, errlen, k, v, "not a port");
		s->listen_port = (int)n;
	} else if (!strcmp(k, "fwmark")) {
		if (number(v, 0xffffffffL, &n))
			return fail(err, errlen, k, v, "not a mark");
		s->has_fwmark = true;
		s->fwmark = (uint32_t)n;
	} else if (!strcmp(k, "replace_peers")) {
		if (strcmp(v, "true"))
			return fail(err, errlen, k, v, "only 'true' is allowed");
		s->replace_peers = true;
	} else {
		return fail(err, errlen, k, v, "unknown key");
	}
	return 0;
}

/*
 * The peer keys that can only say "true".  Told by name first and set
 * after: a field's address tested for NULL reads as "p may be NULL".
 */
static bool is_peer_flag(const char *k)
{
	return !strcmp(k, "remove") || !strcmp(k, "update_only") ||
	       !strcmp(k, "replace_allowed_ips");
}

static void set_peer_flag(struct uapi_peer *p, const char *k)
{
	if (!strcmp(k, "remove"))
		p->remove = true;
	else if (!strcmp(k, "update_only"))
		p->update_only = true;
	else
		p->replace_allowed = true;
}

static int peer_key(struct uapi_peer *p, const char *k, const char *v, char *err, size_t errlen)
{
	char why[160];
	long n;

	if (is_peer_flag(k)) {
		if (strcmp(v, "true"))
			return fail(err, errlen, k, v, "only 'true' is allowed");
		set_peer_flag(p, k);
	} else if (!strcmp(k, "preshared_key")) {
		if (hex_key(v, p->psk))
			return fail(err, errlen, k, v, "not 64 hex digits");
		p->has_psk = true;
	} else if (!strcmp(k, "endpoint")) {
		if (hostport_resolve(v, 0, &p->endpoint, why, sizeof(why)) || !strchr(v, ':'))
			return fail(err, errlen, k, v, "not HOST:PORT");
		p->has_endpoint = true;
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (number(v, 65535, &n))
			return fail(err, errlen, k, v, "not 0 to 65535 seconds");
		p->keepalive = (int)n;
	} else if (!strcmp(k, "allowed_ip")) {
		return add_allowed(p, v, err, errlen);
	} else if (!strcmp(k, "protocol_version")) {
		if (strcmp(v, "1"))
			return fail(err, errlen, k, v, "only version 1 exists");
	} else {
		return fail(err, errlen, k, v, "unknown key");
	}
	return 0;
}

/* A real limit of one request: refused as too big, and said so. */
static int too_many(char *err, size_t errlen, const char *what, size_t max)
{
	snprintf(err, errlen, "more than %zu %s in one request", max, what);
	return -E2BIG;
}

int uapi_set_line(struct uapi_set *s, char *line, char *err, size_t errlen)
{
	char *eq = strchr(line, '=');
	struct uapi_peer *p;
	int rc;

	if (!eq)
		return whole(err, errlen, "a line of %zu characters (not shown): not key=value",
			     strlen(line));
	*eq = '\0';
	if (!strcmp(line, "public_key")) {
		if (s->npeers >= UAPI_MAX_PEERS)
			return too_many(err, errlen, "peers", UAPI_MAX_PEERS);
		p = new_peer(s);
		if (!p)
			return -ENOMEM;
		if (hex_key(eq + 1, p->public_key))
			return fail(err, errlen, line, eq + 1, "not 64 hex digits");
		return 0;
	}
	if (!s->npeers)
		return interface_key(s, line, eq + 1, err, errlen);
	if (!strcmp(line, "allowed_ip") && s->nallowed >= UAPI_MAX_ALLOWED)
		return too_many(err, errlen, "allowed IPs", UAPI_MAX_ALLOWED);
	rc = peer_key(&s->peers[s->npeers - 1], line, eq + 1, err, errlen);
	if (!rc && !strcmp(line, "allowed_ip"))
		s->nallowed++;
	return rc;
}

void uapi_set_begin(struct uapi_set *s)
{
	memset(s, 0, sizeof(*s));
	s->listen_port = -1;
}

void uapi_set_free(struct uapi_set *s)
{
	for (int i = 0; i < s->npeers; i++)
		free(s->peers[i].allowed);
	free(s->peers);
	key_wipe(s, sizeof(*s));
}

static int apply_peer(struct wg *w, const struct uapi_peer *u, double now)
{
	struct wg_peer *p = wg_peer_find(w, u->public_key);

	if (u->remove) {
		if (p)
			wg_peer_remove(w, p);
		return 0;
	}
	if (!p && u->update_only)
		return 0;
	if (!p && w->id.has_private && !memcmp(u->public_key, w->id.public_key, KEY_LEN))
		return 0; /* our own key: ignored, as wg does */
	if (!p && !(p = wg_peer_add(w, u->public_key)))
		return -ENOMEM;
	if (u->has_psk)
		wg_peer_set_psk(p, u->psk);
	if (u->has_endpoint)
		wg_peer_set_endpoint(p, &u->endpoint);
	if (u->replace_allowed)
		allowedips_remove_peer(&w->allowed, p);
	for (int i = 0; i < u->nallowed; i++)
		if (allowedips_insert(&w->allowed, &u->allowed[i], p))
			return -ENOMEM;
	if (u->keepalive >= 0)
		wg_peer_set_keepalive(p, u->keepalive, now);
	return 0;
}

int uapi_apply(struct wg *w, const struct uapi_set *s, double now,
	       int (*rebind)(void *arg, int port), void *arg)
{
	static const uint8_t zero[KEY_LEN];
	int rc;

	if (s->listen_port >= 0 && s->listen_port != w->listen_port && rebind) {
		rc = rebind(arg, s->listen_port);
		if (rc)
			return rc;
	}
	/* The data path puts it on its sockets (encrypted.c), old and new alike. */
	if (s->has_fwmark)
		w->fwmark = s->fwmark;
	if (s->has_private_key) {
		if (!memcmp(s->private_key, zero, KEY_LEN))
			wg_clear_private_key(w);
		else if (!wg_set_private_key(w, s->private_key))
			return -EINVAL;
	}
	if (s->replace_peers)
		while (w->npeers)
			wg_peer_remove(w, w->peers[0]);
	for (int i = 0; i < s->npeers; i++) {
		rc = apply_peer(w, &s->peers[i], now);
		if (rc)
			return rc;
	}
	return 0;
}

static void hex_line(FILE *f, const char *key, const uint8_t k[KEY_LEN])
{
	fprintf(f, "%s=", key);
	key_write_hex(f, k);
	fputc('\n', f);
}

static void allowed_line(const struct prefix *p, void *arg)
{
	char s[64];

	fprintf(arg, "allowed_ip=%s\n", prefix_str(p, s, sizeof(s)));
}

static void write_peer(const struct wg *w, const struct wg_peer *p, FILE *f)
{
	char ep[64];

	hex_line(f, "public_key", p->public_key);
	if (p->has_psk)
		hex_line(f, "preshared_key", p->hs.preshared_key);
	fprintf(f, "protocol_version=1\n");
	if (p->has_endpoint)
		fprintf(f, "endpoint=%s\n", sockaddr_str(&p->endpoint, ep, sizeof(ep)));
	fprintf(f, "last_handshake_time_sec=%lld\nlast_handshake_time_nsec=%ld\n",
		(long long)p->last_handshake.tv_sec, p->last_handshake.tv_nsec);
	fprintf(f, "tx_bytes=%llu\nrx_bytes=%llu\n", (unsigned long long)p->tx_bytes,
		(unsigned long long)p->rx_bytes);
	fprintf(f, "persistent_keepalive_interval=%d\n", p->timers.persistent_interval);
	allowedips_walk(&w->allowed, p, allowed_line, f);
}

void uapi_write_get(const struct wg *w, FILE *f)
{
	if (w->id.has_private)
		hex_line(f, "private_key", w->id.private_key);
	fprintf(f, "listen_port=%d\n", w->listen_port);
	if (w->fwmark)
		fprintf(f, "fwmark=%u\n", (unsigned int)w->fwmark);
	for (int i = 0; i < w->npeers; i++)
		write_peer(w, w->peers[i], f);
}

int uapi_open(struct uapi *u, const char *path, char *err, size_t errlen)
{
	char dir[sizeof(u->path)], *slash;
	struct epoll_event ev = {.events = EPOLLIN};
	int fd;

	u->path[0] = '\0';
	u->fd = -1;
	memset(u->clients, 0, sizeof(u->clients));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700); /* as wg's own socket directory is */
	}
	fd = unix_listen(path, true);
	if (fd == -ENAMETOOLONG) {
		snprintf(err, errlen, "--uapi: the path '%s' is too long for a socket", path);
		return -1;
	}
	if (fd == -EADDRINUSE) {
		snprintf(err, errlen, "the wg socket %s is live (another program listens there)",
			 path);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the wg socket %s: %s", path, strerror(-fd));
		return -1;
	}
	u->listen_fd = fd;
	u->fd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	if (u->fd < 0 || epoll_ctl(u->fd, EPOLL_CTL_ADD, fd, &ev)) {
		snprintf(err, errlen, "cannot watch the wg socket %s: %s", path, strerror(errno));
		if (u->fd >= 0)
			close(u->fd);
		u->fd = -1;
		close(fd);
		unlink(path);
		return -1;
	}
	snprintf(u->path, sizeof(u->path), "%s", path);
	return 0;
}

static void drop(struct uapi_client *c)
{
	close(c->fd);
	if (c->kind == REQ_SET)
		uapi_set_free(&c->set);
	if (c->buf)
		key_wipe(c->buf, c->len); /* an answer may hold keys */
	free(c->buf);
	key_wipe(c, sizeof(*c)); /* and the line being read */
}

void uapi_close(struct uapi *u)
{
	if (u->fd < 0)
		return;
	for (int i = 0; i < UAPI_CLIENTS; i++)
		if (u->clients[i].used)
			drop(&u->clients[i]);
	close(u->fd);
	close(u->listen_fd);
	unlink(u->path);
	u->fd = -1;
}

void uapi_expire(struct uapi *u, double now)
{
	if (u->fd < 0)
		return;
	for (int i = 0; i < UAPI_CLIENTS; i++)
		if (u->clients[i].used &&
		    (now >= u->clients[i].idle_until || now >= u->clients[i].deadline))
			drop(&u->clients[i]);
}

double uapi_next_deadline(const struct uapi *u)
{
	double next = 0;

	for (int i = 0; u->fd >= 0 && i < UAPI_CLIENTS; i++) {
		const struct uapi_client *c = &u->clients[i];
		double d = c->idle_until < c->deadline ? c->idle_until : c->deadline;

		if (c->used && (!next || d < next))
			next = d;
	}
	return next;
}

/* The request's first line says what it is; a get=1 has no more. */
static void first_line(struct uapi_client *c)
{
	/* "set=1\0..." is no set=1: the line is compared whole, not up to a NUL. */
	if (c->nul || c->too_long) {
		c->kind = REQ_BAD;
	} else if (!strcmp(c->line, "get=1")) {
		c->kind = REQ_GET;
	} else if (!strcmp(c->line, "set=1")) {
		c->kind = REQ_SET;
		uapi_set_begin(&c->set);
	} else {
		c->kind = REQ_BAD;
	}
}

/* One whole line of the request, its newline taken off. */
static void take_line(struct uapi_client *c)
{
	c->line[c->linelen] = '\0';
	if (c->kind == REQ_NONE)
		first_line(c);
	else if (c->kind == REQ_GET)
		c->kind = REQ_BAD;
	else if (c->kind == REQ_SET && !c->rc && c->too_long)
		c->rc = whole(c->err, sizeof(c->err), "a line longer than %zu characters",
			      UAPI_LINE_MAX);
	else if (c->kind == REQ_SET && !c->rc && c->nul)
		c->rc = whole(c->err, sizeof(c->err), "the request holds a NUL byte", 0);
	else if (c->kind == REQ_SET && !c->rc)
		c->rc = uapi_set_line(&c->set, c->line, c->err, sizeof(c->err));
	key_wipe(c->line, c->linelen + 1); /* a line may be a key in hex */
	c->linelen = 0;
	c->too_long = c->nul = false;
}

/* Bytes as they came: lines are cut out and taken; the blank one ends the request. */
static void feed(struct uapi_client *c, const char *data, size_t n)
{
	for (size_t i = 0; i < n && !c->complete; i++) {
		if (data[i] != '\n') {
			if (c->linelen < UAPI_LINE_MAX)
				c->line[c->linelen++] = data[i];
			else
				c->too_long = true;
			c->nul |= data[i] == '\0';
		} else if (c->after_newline) {
			c->complete = true; /* "\n\n": the blank line */
		} else {
			take_line(c);
		}
		c->after_newline = data[i] == '\n';
	}
}

static void answer(struct uapi_client *c, struct wg *w, double now,
		   int (*rebind)(void *arg, int port), void *arg, FILE *out, FILE *log)
{
	int rc = c->rc;

	if (c->kind == REQ_GET) {
		uapi_write_get(w, out);
		fprintf(out, "errno=0\n\n");
		return;
	}
	if (c->kind != REQ_SET) {
		fprintf(out, "errno=%d\n\n", EINVAL);
		return;
	}
	if (rc == 0) {
		rc = uapi_apply(w, &c->set, now, rebind, arg);
		snprintf(c->err, sizeof(c->err), "%s", strerror(-rc));
	}
	if (rc && log)
		fprintf(log, "uapi: set refused: %s\n", c->err);
	else if (log)
		fprintf(log, "uapi: configuration changed by set\n");
	fprintf(out, "errno=%d\n\n", -rc);
}

static void accept_all(struct uapi *u, double now)
{
	int fd;

	while ((fd = accept4(u->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
		struct uapi_client *c = NULL;

		for (int i = 0; i < UAPI_CLIENTS && !c; i++)
			if (!u->clients[i].used)
				c = &u->clients[i];
		/* All slots busy: the newcomer waits for none of them, it is turned away. */
		if (!c || epoll_ctl(u->fd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		*c = (struct uapi_client){.used = true,
					  .fd = fd,
					  .idle_until = now + UAPI_IDLE,
					  .deadline = now + UAPI_DEADLINE};
	}
}

/* Reads what is there; false when the client is done with (closed or broken). */
static bool take_input(struct uapi_client *c, double now)
{
	char chunk[16384];

	while (!c->complete) {
		ssize_t n = read(c->fd, chunk, sizeof(chunk));

		if (n <= 0) {
			key_wipe(chunk, sizeof(chunk));
			return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		}
		c->idle_until = now + UAPI_IDLE;
		feed(c, chunk, (size_t)n);
	}
	key_wipe(chunk, sizeof(chunk)); /* it held keys in hex */
	return true;
}

/* The whole answer, made in memory; what the request set is wiped. */
static bool make_answer(struct uapi_client *c, struct wg *w, double now,
			int (*rebind)(void *arg, int port), void *arg, FILE *log)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return false;
	answer(c, w, now, rebind, arg, out, log);
	fclose(out);
	if (c->kind == REQ_SET)
		uapi_set_free(&c->set);
	c->kind = REQ_NONE;
	c->buf = text;
	c->len = size;
	c->sent = 0;
	c->answering = true;
	return text != NULL;
}

/* Writes what the socket takes; false when the client is done with. */
static bool give_output(struct uapi *u, struct uapi_client *c, double now)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.fd = c->fd};

	while (c->sent < c->len) {
		ssize_t n =
		    send(c->fd, c->buf + c->sent, c->len - c->sent, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK) &&
			       !epoll_ctl(u->fd, EPOLL_CTL_MOD, c->fd, &ev);
		c->sent += (size_t)n;
		c->idle_until = now + UAPI_IDLE; /* a big answer read steadily is not idle */
	}
	return false; /* all written: the connection ends */
}

void uapi_serve(struct uapi *u, struct wg *w, double now, int (*rebind)(void *arg, int port),
		void *arg, FILE *log)
{
	struct epoll_event evs[UAPI_CLIENTS + 1];
	int n = epoll_wait(u->fd, evs, UAPI_CLIENTS + 1, 0);

	for (int i = 0; i < n; i++) {
		struct uapi_client *c = NULL;
		bool keep;

		if (evs[i].data.fd == u->listen_fd) {
			accept_all(u, now);
			continue;
		}
		for (int k = 0; k < UAPI_CLIENTS && !c; k++)
			if (u->clients[k].used && u->clients[k].fd == evs[i].data.fd)
				c = &u->clients[k];
		if (!c)
			continue;
		if (c->answering) {
			keep = give_output(u, c, now);
		} else {
			keep = take_input(c, now);
			if (keep && c->complete)
				keep = make_answer(c, w, now, rebind, arg, log) &&
				       give_output(u, c, now);
		}
		if (!keep)
			drop(c);
	}
	uapi_expire(u, now);
}
