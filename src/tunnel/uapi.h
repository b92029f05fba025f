/*
 * The cross-platform userspace API: a unix socket on which the wg tool
 * asks "get=1" (show) and "set=1" (configure), in key=value lines.  The
 * request is parsed whole into a struct uapi_set before any of it is
 * applied, so a bad line changes nothing.
 */
#ifndef TUNLAB_TUNNEL_UAPI_H
#define TUNLAB_TUNNEL_UAPI_H

#include "lib/keys.h"
#include "lib/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

struct wg;

/*
 * A request is read a line at a time and kept only as what it sets, so
 * its size is bounded by what a configuration may hold, not by its text:
 * every a.b.0.0/16 of IPv4 on one peer is 65,536 lines.
 */
#define UAPI_LINE_MAX	 512	   /* the longest line wg sends is an endpoint: under 80 */
#define UAPI_MAX_PEERS	 65536	   /* in one request */
#define UAPI_MAX_ALLOWED (1 << 21) /* allowed IPs in one request, all peers together */

struct uapi_peer {
	uint8_t public_key[KEY_LEN];
	bool remove, update_only;
	bool has_psk;
	uint8_t psk[KEY_LEN];
	bool has_endpoint;
	struct sockaddr_storage endpoint;
	int keepalive; /* -1: unchanged */
	bool replace_allowed;
	struct prefix *allowed;
	int nallowed, cap;
};

struct uapi_set {
	bool has_private_key;
	uint8_t private_key[KEY_LEN]; /* all zero: remove it */
	int listen_port;	      /* -1: unchanged */
	bool has_fwmark;
	uint32_t fwmark; /* 0: none */
	bool replace_peers;
	struct uapi_peer *peers;
	int npeers;
	size_t nallowed; /* of all peers, against UAPI_MAX_ALLOWED */
};

/* errno-style results, as the protocol reports them. */
void uapi_set_begin(struct uapi_set *s);
/* One line of a set=1 request, without its newline; the serving reads a request a line at a time.
 */
int uapi_set_line(struct uapi_set *s, char *line, char *err, size_t errlen);
void uapi_set_free(struct uapi_set *s);
/* Applies a parsed request; rebind is called when the listen port changes. */
int uapi_apply(struct wg *w, const struct uapi_set *s, double now,
	       int (*rebind)(void *arg, int port), void *arg);
/* The "get=1" answer, without the final errno line. */
void uapi_write_get(const struct wg *w, FILE *f);

#define UAPI_CLIENTS  8
#define UAPI_IDLE     2.0  /* seconds a client may go without sending or reading anything */
#define UAPI_DEADLINE 60.0 /* seconds a client has for its whole request and our answer */

enum uapi_request { REQ_NONE, REQ_GET, REQ_SET, REQ_BAD };

/* One connection, read and written a piece at a time, never waited on. */
struct uapi_client {
	bool used;
	int fd;
	enum uapi_request kind; /* from the first line */
	struct uapi_set set;	/* what a set=1 says so far */
	int rc;			/* the first error in it; the rest is read and ignored */
	char err[256];
	char line[UAPI_LINE_MAX + 1]; /* the line being read */
	size_t linelen;
	bool too_long, nul; /* the line being read is past UAPI_LINE_MAX, or holds a NUL */
	bool after_newline; /* the last byte read was a newline */
	bool complete;	    /* its blank line came: "\n\n" */
	char *buf;	    /* the answer */
	size_t len, sent;
	bool answering;
	double idle_until, deadline;
};

/*
 * fd is what the tunnel's loop watches: an epoll set of the listening
 * socket and the clients, so a client that sends slowly, or reads its
 * answer slowly, never holds up packet forwarding.
 */
struct uapi {
	int fd;
	int listen_fd;
	struct uapi_client clients[UAPI_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

int uapi_open(struct uapi *u, const char *path, char *err, size_t errlen);
void uapi_close(struct uapi *u);
/* Does whatever the listener and the clients are ready for, without blocking. */
void uapi_serve(struct uapi *u, struct wg *w, double now, int (*rebind)(void *arg, int port),
		void *arg, FILE *log);
/* Drops the clients whose deadline has passed. */
void uapi_expire(struct uapi *u, double now);
/* When uapi_expire next has something to do: the earliest client deadline, or 0. */
double uapi_next_deadline(const struct uapi *u);

#endif
