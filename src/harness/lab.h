/*
 * The lab: its topology as data, and the context every subcommand works
 * in.  A lab has a name; the default lab's nodes take the plain names
 * (home-laptop), any other lab's nodes carry its name in front
 * (t1-home-laptop), so a test lab never touches a user's.
 */
#ifndef TUNLAB_HARNESS_LAB_H
#define TUNLAB_HARNESS_LAB_H

#include "lib/term.h"
#include "topo.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define LAB_DEFAULT   "default"
#define LAB_RUN_DIR   "/run/tunlab"
#define LAB_NAME_MAX  16
#define WG_SOCKET_DIR "/var/run/wireguard"
#define TUNNEL_PORT   1234

enum node_id { HOME_LAPTOP, HOME_ROUTER, INTERNET, OFFICE_SERVER, OFFICE_HOST, NODE_COUNT };

struct node_def {
	const char *name;
	bool forwards; /* a router: IP forwarding on */
	const char *role;
};

struct link_def {
	enum node_id a;
	const char *a_if;
	enum node_id b;
	const char *b_if;
};

struct addr_def {
	enum node_id node;
	const char *ifname;
	const char *cidr;
};

struct route_def {
	enum node_id node;
	const char *dst; /* "default" or a CIDR */
	const char *via;
};

/* The six points a packet from home-laptop passes on its way to office-host. */
#define PATH_POINTS 6
struct path_point {
	enum node_id node;
	const char *ifname;
	const char *name; /* "home-router:wan" */
};

extern const struct node_def lab_nodes[NODE_COUNT];
extern const struct path_point lab_path[PATH_POINTS];
extern const struct link_def lab_links[];
extern const struct addr_def lab_addrs[];
extern const struct route_def lab_routes[];
extern const size_t lab_nlinks, lab_naddrs, lab_nroutes;

/* Addresses the lessons and tests name. */
#define SERVER_PUBLIC_V4 "203.0.113.10"
#define SERVER_PUBLIC_V6 "2001:db8:203::10"
#define SERVER_VPN_V4	 "172.31.255.13"
#define SERVER_VPN_V6	 "fd00:172:31:255::13"
#define CLIENT_VPN_V4	 "172.31.255.7"
#define CLIENT_VPN_V6	 "fd00:172:31:255::7"
#define OFFICE_HOST_V4	 "172.31.9.200"
#define OFFICE_HOST_V6	 "fd00:172:31::200"
#define HOME_WAN_V4	 "198.51.100.2"

struct lab {
	char name[LAB_NAME_MAX + 1];
	char dir[64]; /* LAB_RUN_DIR/<name>: records, logs, control sockets */
	bool explain; /* print each step as the ip or nft command a person would type */
	bool json;
	struct term term;
	int lock_fd;
};

/* Fills in the context from --lab (or TUNLAB_LAB); err names a bad name. */
int lab_init(struct lab *lab, const char *name, char *err, size_t errlen);
void lab_fini(struct lab *lab);
/* The namespace of a node in this lab. */
const char *lab_ns(const struct lab *lab, enum node_id n, char *out, size_t cap);
/* A node by its plain name; -1 if there is none. */
int lab_node(const char *name);
/* Paths of a node's files in the lab's directory. */
const char *lab_file(const struct lab *lab, enum node_id n, const char *ext, char *out, size_t cap);
/* With --explain, prints one equivalent command. */
void lab_explain(const struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *lab_mode_name(enum lab_mode m);
/* A raw IP socket (the caller writes whole packets) inside a node's namespace; fd or -errno. */
int lab_raw_socket(const struct lab *lab, enum node_id node, int family);
/* The node that owns a lab address ("192.168.1.1" is home-router), or NULL. */
const char *lab_who(const char *addr);

#endif
