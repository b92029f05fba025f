/*
 * What "harness up" builds with, shared by up.c (the lab and the
 * plaintext tunnel) and up_wg.c (keys, encrypted tunnels, wireguard-go
 * and extra laptops).
 */
#ifndef TUNLAB_HARNESS_UP_H
#define TUNLAB_HARNESS_UP_H

#include "lab.h"
#include "settings.h"
#include "lib/keys.h"
#include "lib/netlink.h"

#define MAX_CLIENTS 64
#define LAB_USER    "tunlab" /* the user the lab's tunnels run as, when it exists */

/* A laptop of the class: home-laptop is the first; the others are made by --clients. */
struct client {
	char ns[64];
	char label[40];	 /* its name in logs and records: home-laptop, laptop-2, ... */
	char wgname[16]; /* its wg socket's name, unique on the machine */
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	char vpn4[24];
	int nsfd;
	struct nl nl;
	const struct topo_member *member; /* a lab file's client; NULL for --clients' laptops */
};

enum wg_side { WG_SIDE_SERVER, WG_SIDE_LAPTOP, WG_SIDE_BOTH };

/* Another project's tunnel, run on both ends by --peer, for the benchmark. */
enum other_kind { OTHER_OPENVPN, OTHER_FASTD, OTHER_QUICKTUN };
struct other {
	enum other_kind kind;
	const char *name;    /* as --peer takes it, and as its process is recorded */
	const char *program; /* and its Debian package */
	int mtu;	     /* its tun0's, within a 1500-byte path */
	const char *cipher;
};

struct up {
	struct lab lab;
	enum wire_mode mode;
	int underlay; /* 4 or 6: the family the tunnel's datagrams use */
	struct settings set;
	struct nl *nl; /* one per node of lab.topo, and its namespace's fd */
	int *nsfd;
	bool wireguard_go;	   /* --peer wireguard-go */
	const struct other *other; /* --peer openvpn|fastd|quicktun */
	enum wg_side wg_side;
	bool keylog;
	const char *run_as; /* the user our tunnels become once set up; NULL: not chosen yet */
	int keepalive;	    /* the laptops' PersistentKeepalive, s; 0 for none */
	bool no_offload, no_gso, no_gro; /* our tunnels' fallbacks, for tests and benchmarks */
	int queues;			 /* --queues for our tunnels; 0: theirs */
	int batch;			 /* --batch for our tunnels; 0: theirs */
	int rekey_after;		 /* s, for our tunnels; 0: the protocol's 120 */
	int nclients;
	struct client clients[MAX_CLIENTS];
	uint8_t server_priv[KEY_LEN], server_pub[KEY_LEN];
	char server_wgname[16];
	const char *file; /* up FILE: the lab file; NULL for the default lab */
	char *file_text;  /* its text, read once: what was checked is what is kept */
	size_t file_len;
	char err[512];
};

void step(struct up *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A recorded namespace with lo up, and its fd and netlink socket. */
int make_namespace(struct up *u, const char *ns, int *nsfd, struct nl *nl);
int link_index(struct up *u, int n, const char *ifname);
/* The last non-empty line of a log, so the user sees a failed program's own words. */
void last_log_line(const char *log, char *out, size_t cap);
int make_link(struct up *u, const struct topo_link *l);
int sysctl_in(struct up *u, int n, const char *key, const char *value);
int start_tunnel(struct up *u, int n, char **args);
int start_tunnel_in(struct up *u, const char *ns, const char *label, char **args);

/* up_wg.c */
int up_encrypted(struct up *u);
int up_clients(struct up *u);
void up_clients_close(struct up *u);
/* A file the lab keeps: recorded first, so that down removes it; written 0600. */
int up_record_file(struct up *u, const char *path);
int up_write_file(struct up *u, const char *path, const char *text);
/* Addresses, MTU, link up and (on a laptop) routes on another program's device. */
int up_configure_tun(struct up *u, int n, const char *dev, bool laptop, int mtu);

/* up_others.c: --peer openvpn|fastd|quicktun, on both ends */
const struct other *other_find(const char *name);
int up_others(struct up *u);

/* The wg socket name of a node: its plain name in the default lab, LAB-xx in others. */
void wg_name(const struct lab *lab, const char *label, char *out, size_t cap);
/* Whether path is the wg socket of one of the lab's nodes. */
bool wg_socket_of(const struct lab *lab, const char *path);

#endif
