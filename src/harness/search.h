/*
 * The path-MTU search, apart from any socket: it asks a probe function to
 * send one DF packet of a given size and says what came back, and from
 * those answers finds the largest size that gets through and how it knows.
 * An ICMP "too big" is believed and jumped to (RFC 1191, RFC 8201);
 * silence is retried, so loss is not taken for a limit, and then searched
 * by halves, the way a black-hole search must (RFC 8899).
 */
#ifndef TUNLAB_HARNESS_SEARCH_H
#define TUNLAB_HARNESS_SEARCH_H

#include <netinet/in.h>
#include <stdbool.h>

enum answer {
	ANS_REPLY,   /* the destination answered */
	ANS_HOP,     /* a router at the TTL limit answered: the packet got that far */
	ANS_TOO_BIG, /* ICMP "fragmentation needed" or "packet too big" */
	ANS_LOCAL,   /* the local stack refused the size (EMSGSIZE) */
	ANS_SILENCE, /* nothing came back in time */
	ANS_UNREACH, /* another ICMP error: the path is broken, not small */
};

struct probe_answer {
	enum answer kind;
	int mtu;		     /* ANS_TOO_BIG: the next-hop MTU it reported */
	char from[INET6_ADDRSTRLEN]; /* who answered */
	double rtt_ms;
};

typedef enum answer (*probe_fn)(void *ctx, int size, struct probe_answer *a);

enum method {
	BY_REPLY,   /* the largest size allowed locally got through */
	BY_ICMP,    /* a router reported the limit */
	BY_SILENCE, /* larger packets vanished without a word: a black hole */
	BY_LOCAL,   /* the sending host's own route or device refused more */
	BY_NOTHING, /* not even the smallest size got through */
};

struct search {
	/* in */
	int floor;   /* smallest size to try: 68 for IPv4, 1280 for IPv6 */
	int ceiling; /* largest size the first hop allows */
	int retries; /* extra tries before silence counts */
	/* out */
	int largest; /* largest size that got through; 0 if none */
	enum method method;
	bool icmp; /* an ICMP "too big" came back */
	int icmp_mtu;
	char icmp_from[INET6_ADDRSTRLEN];
	bool silence; /* some size got no answer at all, even after retries */
	bool reached; /* the largest passing probe was answered by the destination */
	char answered_by[INET6_ADDRSTRLEN];
	int probes;
};

/* Runs the search; returns 0, or -1 if the path is unreachable (not small). */
int search_run(struct search *s, probe_fn probe, void *ctx);
const char *method_name(enum method m);

#endif
