/*
 * The lab: the context every subcommand works in, with the topology it
 * is made of.  A lab has a name; the default lab's nodes take the plain names
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
#define LAB_FILE_KEPT "lab.yml" /* the lab file a lab was built from, in its directory */
#define LAB_NAME_MAX  16
#define WG_SOCKET_DIR "/var/run/wireguard"
#define TUNNEL_PORT   1234

/* The six points a packet from the client passes on its way to the target. */
#define PATH_POINTS 6
struct path_point {
	int node; /* -1: the lab has not the roles to place it */
	char ifname[16];
	char name[48]; /* "home-router:wan" */
};

/* Addresses the subcommands name, from the roles and the tunnel; "" when the lab has none. */
#define LAB_ADDR_MAX 48
struct lab_where {
	char server_public4[LAB_ADDR_MAX], server_public6[LAB_ADDR_MAX];
	char server_vpn4[LAB_ADDR_MAX], server_vpn6[LAB_ADDR_MAX];
	char client_vpn4[LAB_ADDR_MAX], client_vpn6[LAB_ADDR_MAX];
	char target4[LAB_ADDR_MAX], target6[LAB_ADDR_MAX];
	char nat_wan4[LAB_ADDR_MAX];  /* the address the NAT masquerades as */
	char internet4[LAB_ADDR_MAX]; /* the internet router's, on the server's side */
	int port;		      /* the tunnel's UDP port */
};

struct lab {
	char name[LAB_NAME_MAX + 1];
	char dir[64]; /* LAB_RUN_DIR/<name>: records, logs, control sockets */
	bool explain; /* print each step as the ip or nft command a person would type */
	bool json;
	struct term term;
	int lock_fd;
	struct topo topo; /* what the lab is made of */
	struct path_point path[PATH_POINTS];
	struct lab_where at;
};

/* Fills in the context from --lab (or TUNLAB_LAB); err names a bad name. */
int lab_init(struct lab *lab, const char *name, char *err, size_t errlen);
void lab_fini(struct lab *lab);
/* The node (an index into lab->topo.nodes) that plays a role; -1 if none does. */
int lab_role(const struct lab *lab, enum topo_role r);
/*
 * For a command that needs roles (a bit each, 1 << ROLE_...): 0 when the
 * lab has them all, else one line naming every missing one, and -1.
 */
int lab_need_roles(const struct lab *lab, const char *cmd, unsigned int roles);
/* The roles of the set the lab lacks, as "'nat' role (...), no 'internet' role (...)"; how many. */
size_t lab_missing_roles(const struct lab *lab, unsigned int roles, char *out, size_t cap);
#define ROLES_ALL ((1u << ROLE_COUNT) - 1)
/* What a role's node is, for messages: "the VPN server". */
const char *lab_role_what(enum topo_role r);
/* A node's plain name: "home-laptop". */
const char *lab_name(const struct lab *lab, int n);
/* The namespace of a node in this lab. */
const char *lab_ns(const struct lab *lab, int n, char *out, size_t cap);
/* A node by its plain name; -1 if there is none. */
int lab_node(const struct lab *lab, const char *name);
/* "laptop-N": a laptop that up --clients adds, which is no node of the lab's own. */
bool lab_extra_laptop(const char *name);
/* The node a namespace of this lab is for ("LAB-NODE", or "NODE" in the default lab); NULL if none.
 */
const char *lab_ns_node(const struct lab *lab, const char *ns);
/* Paths of a node's files in the lab's directory. */
const char *lab_file(const struct lab *lab, int n, const char *ext, char *out, size_t cap);
/* With --explain, prints one equivalent command. */
void lab_explain(const struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A raw IP socket (the caller writes whole packets) inside a node's namespace; fd or -errno. */
int lab_raw_socket(const struct lab *lab, int node, int family);
/* The node that owns a lab address ("192.168.1.1" is home-router), or NULL. */
const char *lab_who(const struct lab *lab, const char *addr);
/* lab_path.c: the interface of node from on its link to node to, or -1. */
int lab_iface_toward(const struct topo *t, int from, int to);
/* lab_path.c: the node and interface across the link of node's interface iface; -1 if none. */
int lab_iface_peer(const struct topo *t, int node, int iface, int *peer);
/* lab_path.c: the interface of node from on the first hop of a shortest path to node to;
 * -1 when no path joins them. */
int lab_iface_route(const struct topo *t, int from, int to);
/* lab_path.c: its name; NULL when no path joins them, and the caller refuses. */
const char *lab_uplink(const struct lab *lab, int from, int to);
/* lab_path.c: the walkthrough's points (lab->path), from the roles. */
void lab_path_find(struct lab *lab);
/* lab_where.c: the addresses the subcommands name (lab->at), from the roles and the tunnel. */
void lab_where_find(struct lab *lab);
/* lab_where.c: host number host in an IPv4 CIDR's network ("192.168.1.1/24", 102:
 * "192.168.1.102", with "/24" if with_len); -1 if cidr is not IPv4. */
int lab_host_in(const char *cidr, unsigned host, bool with_len, char *out, size_t cap);

#endif
