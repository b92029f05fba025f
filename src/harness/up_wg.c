/*
 * harness up, encrypted: a key pair for every node, a wg configuration
 * file for each, and the tunnels (or wireguard-go, configured by wg)
 * started from them.  Also the extra laptops of --clients.
 */
#include "up.h"
#include "spawn.h"
#include "state.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "lib/netns.h"
#include "lib/unixsock.h"
#include "lib/mtu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* FNV-1a: a short, stable tag for a lab name too long to be spelled out. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Each word's first letter: "office-server" is "os", an extra laptop "laptop-12" is "l12". */
static void abbreviate(const char *label, char *out, size_t cap)
{
	size_t n = 0;

	if (!strncmp(label, "laptop-", strlen("laptop-"))) {
		snprintf(out, cap, "l%s", label + strlen("laptop-"));
		return;
	}
	for (const char *p = label; *p && n + 1 < cap; p++)
		if (p == label || p[-1] == '-')
			out[n++] = *p;
	out[n] = '\0';
}

/*
 * Two of the lab's nodes may shorten alike ("srv-a" and "s-a" are both
 * "sa"): each then gets 3 hex digits of its name's hash, so their sockets
 * differ.
 */
static void abbreviate_unique(const struct lab *lab, const char *label, char *abbr, size_t cap)
{
	char other[16];

	abbreviate(label, abbr, cap);
	for (size_t i = 0; i < lab->topo.nnodes; i++) {
		const char *name = lab->topo.nodes[i].name;

		abbreviate(name, other, sizeof(other));
		if (strcmp(name, label) && !strcmp(other, abbr)) {
			size_t n = strlen(abbr);

			snprintf(abbr + n, cap - n, "%03x",
				 (unsigned int)(name_hash(label) & 0xfff));
			return;
		}
	}
}

void wg_name(const struct lab *lab, const char *label, char *out, size_t cap)
{
	char abbr[16];
	int room;

	abbreviate_unique(lab, label, abbr, sizeof(abbr));
	if (!strcmp(lab->name, LAB_DEFAULT)) {
		snprintf(out, cap, "%s", label);
		return;
	}
	/*
	 * Socket names follow interface names: at most 15 characters.  A lab
	 * name that does not fit keeps its start and gets 6 hex digits of its
	 * hash, so that two long names with the same start still differ.
	 */
	room = 15 - 1 - (int)strlen(abbr);
	if ((int)strlen(lab->name) <= room)
		snprintf(out, cap, "%s-%s", lab->name, abbr);
	else
		snprintf(out, cap, "%.*s%06x-%s", room - 6, lab->name,
			 (unsigned int)(name_hash(lab->name) & 0xffffff), abbr);
}

/* The socket of a node's tunnel in this lab is named from the node: is path it? */
static bool socket_named(const struct lab *lab, const char *label, const char *path)
{
	char name[32], want[PATH_MAX];

	wg_name(lab, label, name, sizeof(name));
	snprintf(want, sizeof(want), WG_SOCKET_DIR "/%s.sock", name);
	return !strcmp(path, want);
}

bool wg_socket_of(const struct lab *lab, const char *path)
{
	const struct topo *t = &lab->topo;
	char name[32], label[32], want[PATH_MAX];

	/* A lab file's tunnel members, each a node of its own. */
	for (size_t i = 0; i < t->ntunnels; i++)
		for (size_t k = 0; k < t->tunnels[i].nclients; k++)
			if (socket_named(lab, lab_name(lab, t->tunnels[i].clients[k].node), path))
				return true;

	for (int k = 0; k <= MAX_CLIENTS; k++) {
		if (k == 0)
			snprintf(label, sizeof(label), "%s",
				 lab_name(lab, lab_role(lab, ROLE_SERVER)));
		else if (k == 1)
			snprintf(label, sizeof(label), "%s",
				 lab_name(lab, lab_role(lab, ROLE_CLIENT)));
		else
			snprintf(label, sizeof(label), "laptop-%d", k);
		wg_name(lab, label, name, sizeof(name));
		snprintf(want, sizeof(want), WG_SOCKET_DIR "/%s.sock", name);
		if (!strcmp(path, want))
			return true;
	}
	return false;
}

int up_record_file(struct up *u, const char *path)
{
	struct record r = {.kind = REC_FILE};

	snprintf(r.name, sizeof(r.name), "%s", path);
	if (state_add(&u->lab, &r)) {
		snprintf(u->err, sizeof(u->err), "cannot record %s", path);
		return -1;
	}
	return 0;
}

/* Written 0600, and recorded first so that down removes it. */
int up_write_file(struct up *u, const char *path, const char *text)
{
	int fd;
	ssize_t n;

	if (up_record_file(u, path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(u->err, sizeof(u->err), "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, text, strlen(text));
	close(fd);
	if (n != (ssize_t)strlen(text)) {
		snprintf(u->err, sizeof(u->err), "cannot write %s", path);
		return -1;
	}
	return 0;
}

static void appendf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

static void new_keys(uint8_t priv[KEY_LEN], uint8_t pub[KEY_LEN])
{
	do
		key_generate_private(priv);
	while (key_public(pub, priv));
}

/* Strings joined by ", ", after what buf holds. */
static void append_list(char *buf, size_t cap, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		appendf(buf, cap, "%s%s", i ? ", " : "", v[i]);
}

static const struct topo_tunnel *vpn(const struct up *u)
{
	return &u->lab.topo.tunnels[0];
}

static const char *server_name(const struct up *u)
{
	return lab_name(&u->lab, vpn(u)->server.node);
}

/* with_address: our tunnel reads Address; wg setconf refuses it. */
static void server_conf(struct up *u, char *out, size_t cap, bool with_address)
{
	char b64[KEY_B64_LEN + 1];

	key_to_base64(b64, u->server_priv);
	snprintf(out, cap,
		 "# %s: the VPN server of lab '%s'\n[Interface]\nPrivateKey = "
		 "%s\nListenPort = %d\n",
		 server_name(u), u->lab.name, b64, vpn(u)->port);
	if (with_address) {
		appendf(out, cap, "Address = ");
		append_list(out, cap, vpn(u)->server.addrs, vpn(u)->server.naddrs);
		appendf(out, cap, "\n");
	}
	for (int i = 0; i < u->nclients; i++) {
		const struct topo_member *m = u->clients[i].member;

		key_to_base64(b64, u->clients[i].pub);
		appendf(out, cap,
			"\n[Peer]\n# %s\nPublicKey = %s\nAllowedIPs = ", u->clients[i].label, b64);
		if (m && i > 0) {
			/* A lab file's client owns exactly its own inner addresses. */
			for (size_t k = 0; k < m->naddrs; k++)
				appendf(out, cap, "%s%.*s/%d", k ? ", " : "",
					(int)strcspn(m->addrs[k], "/"), m->addrs[k],
					strchr(m->addrs[k], ':') ? 128 : 32);
		} else {
			appendf(out, cap, "%s/32", u->clients[i].vpn4);
		}
		if (i == 0 && u->lab.at.client_vpn6[0])
			appendf(out, cap, ", %s/128", u->lab.at.client_vpn6);
		/* The server's routes lead to the network behind its client (site to site). */
		for (size_t k = 0; i == 0 && k < vpn(u)->server.nroutes; k++)
			appendf(out, cap, ", %s", vpn(u)->server.routes[k]);
		appendf(out, cap, "\n");
	}
}

/* The VPN's own network (from the server's first inner address) and the client's routes. */
static void allowed_ips(struct up *u, const struct client *cl, char *out, size_t cap)
{
	const struct topo_member *c = cl->member ? cl->member : &vpn(u)->clients[0];
	char net[64];

	appendf(out, cap, "AllowedIPs = ");
	if (vpn(u)->server.naddrs &&
	    !lab_host_in(vpn(u)->server.addrs[0], 0, true, net, sizeof(net)))
		appendf(out, cap, "%s%s", net, c->nroutes ? ", " : "");
	append_list(out, cap, c->routes, c->nroutes);
	appendf(out, cap, "\n");
}

static void client_address(struct up *u, const struct client *c, char *out, size_t cap)
{
	const struct topo_member *m = &vpn(u)->clients[0];
	const char *len = m->naddrs ? strchr(m->addrs[0], '/') : NULL;

	appendf(out, cap, "Address = ");
	if (c->member)
		append_list(out, cap, c->member->addrs, c->member->naddrs);
	else if (c == &u->clients[0])
		append_list(out, cap, m->addrs, m->naddrs);
	else
		appendf(out, cap, "%s%s", c->vpn4, len ? len : "/24");
	appendf(out, cap, "\n");
}

static void client_conf(struct up *u, const struct client *c, char *out, size_t cap,
			bool with_address)
{
	char b64[KEY_B64_LEN + 1];

	key_to_base64(b64, c->priv);
	snprintf(out, cap, "# %s: a VPN client of lab '%s'\n[Interface]\nPrivateKey = %s\n",
		 c->label, u->lab.name, b64);
	if (with_address)
		client_address(u, c, out, cap);
	key_to_base64(b64, u->server_pub);
	appendf(out, cap, "\n[Peer]\n# %s\nPublicKey = %s\n", server_name(u), b64);
	if (c->member && c->member->endpoint)
		/* The lab file says what this client dials (an IPv6-only underlay, say). */
		appendf(out, cap,
			strchr(c->member->endpoint, ':') ? "Endpoint = [%s]:%d\n"
							 : "Endpoint = %s:%d\n",
			c->member->endpoint, u->lab.at.port);
	else if (u->underlay == 6)
		appendf(out, cap, "Endpoint = [%s]:%d\n", u->lab.at.server_public6, u->lab.at.port);
	else
		appendf(out, cap, "Endpoint = %s:%d\n", u->lab.at.server_public4, u->lab.at.port);
	/* The office and the VPN, as in plaintext mode; the keepalive holds the NAT open. */
	allowed_ips(u, c, out, cap);
	if (u->keepalive)
		appendf(out, cap, "PersistentKeepalive = %d\n", u->keepalive);
}

static int conf_path(struct up *u, const char *label, const char *ext, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.%s", u->lab.dir, label, ext);
	return 0;
}

static int start_ours(struct up *u, const char *ns, const char *label, const char *wgname,
		      const char *text)
{
	char conf[PATH_MAX], sock[PATH_MAX], keylog[PATH_MAX], rekey[16];
	/* The lab's own tunnels lend their session keys to capture and walkthrough. */
	char *args[12] = {"-c", conf, "--uapi", sock, "--export-keys", NULL};
	int n = 5;

	conf_path(u, label, "conf", conf, sizeof(conf));
	snprintf(sock, sizeof(sock), WG_SOCKET_DIR "/%s.sock", wgname);
	if (up_write_file(u, conf, text) || up_record_file(u, sock))
		return -1;
	if (u->keylog) {
		conf_path(u, label, "keys", keylog, sizeof(keylog));
		if (up_record_file(u, keylog))
			return -1;
		args[n++] = "--keylog";
		args[n++] = keylog;
	}
	if (u->rekey_after) {
		snprintf(rekey, sizeof(rekey), "%d", u->rekey_after);
		args[n++] = "--rekey-after";
		args[n++] = rekey;
	}
	args[n] = NULL;
	return start_tunnel_in(u, ns, label, args);
}

/* ---- wireguard-go, on one side ---- */

struct listen_job {
	const char *path;
	int fd;
};

static int listen_here(void *arg)
{
	struct listen_job *j = arg;

	j->fd = unix_listen(j->path, false);
	return 0;
}

/* In the node's namespace: the program holds no socket of another namespace. */
static int uapi_listener(struct up *u, const char *ns, const char *path)
{
	struct listen_job j = {.path = path, .fd = -EINVAL};

	mkdir(WG_SOCKET_DIR, 0700);
	if (netns_call_name(ns, listen_here, &j) < 0)
		j.fd = -EINVAL;
	if (j.fd < 0)
		snprintf(u->err, sizeof(u->err), "cannot open %s: %s", path, strerror(-j.fd));
	return j.fd;
}

/* wg setconf NAME FILE, as a person would configure wireguard-go. */
static int run_wg(struct up *u, const char *wgname, const char *conf, const char *log)
{
	char wg[PATH_MAX];
	int status, fd;
	pid_t pid;

	if (find_program("wg", wg, sizeof(wg))) {
		snprintf(u->err, sizeof(u->err), "the wg tool is not installed (wireguard-tools)");
		return -1;
	}
	lab_explain(&u->lab, "wg setconf %s %s", wgname, conf);
	pid = fork();
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		close_from(3);
		execl(wg, "wg", "setconf", wgname, conf, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		char last[256];

		last_log_line(log, last, sizeof(last));
		snprintf(u->err, sizeof(u->err), "wg setconf %s failed: %s", wgname, last);
		return -1;
	}
	return 0;
}

/*
 * Address, MTU, link up and routes on a device another program made:
 * what wg-quick would do, over our netlink.  The device ends up named
 * tun0, as the tunnel's is, so that captures and lessons find it.
 */
int up_configure_tun(struct up *u, int n, const char *dev, bool laptop, int mtu)
{
	const struct topo_member *m = laptop ? &vpn(u)->clients[0] : &vpn(u)->server;
	const struct topo_member *c = &vpn(u)->clients[0];
	struct prefix p;
	struct nl_link l;
	int idx, rc = 0;

	/* The program makes its device as it starts: wait for it, up to 5 s. */
	for (int waited = 0; nl_link_get(&u->nl[n], dev, 0, &l) && waited < 5000; waited += 20)
		clock_sleep_ms(20);
	idx = link_index(u, n, dev);
	if (idx < 0)
		return -1;
	if (strcmp(dev, "tun0"))
		rc = nl_link_rename(&u->nl[n], idx, "tun0");
	for (size_t i = 0; i < m->naddrs && !rc; i++)
		if (!(rc = prefix_parse(m->addrs[i], true, &p, u->err, sizeof(u->err))))
			rc = nl_addr_add(&u->nl[n], idx, &p);
	if (!rc)
		rc = nl_link_set(&u->nl[n], idx, true, u->set.tun_mtu ? u->set.tun_mtu : mtu);
	for (size_t i = 0; laptop && i < c->nroutes && !rc; i++)
		if (!(rc = prefix_parse(c->routes[i], true, &p, u->err, sizeof(u->err))))
			rc = nl_route_add(&u->nl[n], &p, NULL, idx);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot configure tun0 on %s: %s",
			 lab_name(&u->lab, n), strerror(rc < 0 ? -rc : EINVAL));
		return -1;
	}
	return 0;
}

static int start_wireguard_go(struct up *u, int n, const char *wgname, const char *text)
{
	char prog[PATH_MAX], conf[PATH_MAX], sock[PATH_MAX], log[PATH_MAX], ns[64];
	const char *label = lab_name(&u->lab, n);
	char *argv[] = {prog, "-f", (char *)wgname, NULL};
	int keep;
	pid_t pid;

	if (find_program("wireguard-go", prog, sizeof(prog))) {
		snprintf(u->err, sizeof(u->err),
			 "wireguard-go is not installed (apt-get install --no-install-recommends "
			 "wireguard-go wireguard-tools)");
		return -1;
	}
	conf_path(u, label, "wg.conf", conf, sizeof(conf));
	conf_path(u, label, "log", log, sizeof(log));
	snprintf(sock, sizeof(sock), WG_SOCKET_DIR "/%s.sock", wgname);
	if (up_write_file(u, conf, text) || up_record_file(u, sock))
		return -1;
	keep = uapi_listener(u, lab_ns(&u->lab, n, ns, sizeof(ns)), sock);
	if (keep < 0)
		return -1;
	/*
	 * wireguard-go takes its wg socket from us, as fd 3, so that it is
	 * recorded before it exists.  It watches the socket under its device's
	 * name, so the device starts under that name and becomes tun0 once
	 * configured.
	 */
	setenv("WG_UAPI_FD", "3", 1);
	setenv("WG_PROCESS_FOREGROUND", "1", 1);
	lab_explain(&u->lab, "ip netns exec %s wireguard-go -f %s > %s &",
		    lab_ns(&u->lab, n, ns, sizeof(ns)), wgname, log);
	pid = spawn_in_ns(&u->lab, ns, label, "wireguard-go", argv, log, &keep, 1, u->err,
			  sizeof(u->err));
	unsetenv("WG_UAPI_FD");
	unsetenv("WG_PROCESS_FOREGROUND");
	close(keep);
	if (pid < 0)
		return -1;
	if (run_wg(u, wgname, conf, log))
		return -1;
	return up_configure_tun(u, n, wgname, n != vpn(u)->server.node,
				MTU_ETHERNET - mtu_overhead(u->underlay, MTU_WG_DATA));
}

/* ---- the lab's encrypted tunnels ---- */

static bool go_on_server(const struct up *u)
{
	return u->wireguard_go && u->wg_side != WG_SIDE_LAPTOP;
}

static bool go_on_laptop(const struct up *u)
{
	return u->wireguard_go && u->wg_side != WG_SIDE_SERVER;
}

static int start_server(struct up *u)
{
	char text[16384], ns[64];

	server_conf(u, text, sizeof(text), !go_on_server(u));
	if (go_on_server(u)) {
		if (start_wireguard_go(u, vpn(u)->server.node, u->server_wgname, text))
			return -1;
		step(u, "wireguard-go on %s, configured by wg, UDP %d", server_name(u),
		     vpn(u)->port);
		return 0;
	}
	if (start_ours(u, lab_ns(&u->lab, vpn(u)->server.node, ns, sizeof(ns)), server_name(u),
		       u->server_wgname, text))
		return -1;
	step(u, "tunnel on %s, encrypted, UDP %d, %d peer%s", server_name(u), vpn(u)->port,
	     u->nclients, u->nclients == 1 ? "" : "s");
	return 0;
}

static int start_client(struct up *u, struct client *c)
{
	bool go = go_on_laptop(u) && c == &u->clients[0];
	char text[4096];

	client_conf(u, c, text, sizeof(text), !go);
	if (go)
		return start_wireguard_go(u, vpn(u)->clients[0].node, c->wgname, text);
	return start_ours(u, c->ns, c->label, c->wgname, text);
}

int up_encrypted(struct up *u)
{
	new_keys(u->server_priv, u->server_pub);
	wg_name(&u->lab, server_name(u), u->server_wgname, sizeof(u->server_wgname));
	for (int i = 0; i < u->nclients; i++) {
		new_keys(u->clients[i].priv, u->clients[i].pub);
		wg_name(&u->lab, u->clients[i].label, u->clients[i].wgname,
			sizeof(u->clients[i].wgname));
	}
	step(u, "keys: one X25519 pair for each of %d nodes", u->nclients + 1);
	if (start_server(u))
		return -1;
	for (int i = 0; i < u->nclients; i++)
		if (start_client(u, &u->clients[i]))
			return -1;
	if (go_on_laptop(u))
		step(u, "wireguard-go on %s, configured by wg, to %s", u->clients[0].label,
		     server_name(u));
	else
		step(u, "tunnel on %s%s, encrypted, to %s", u->clients[0].label,
		     u->nclients > 1 ? " and each laptop" : "", server_name(u));
	if (u->keylog)
		printf("  %s!%s session keys are logged to %s/*.keys: anyone with them reads the "
		       "traffic\n",
		       term_c(&u->lab.term, C_RED), term_c(&u->lab.term, C_RESET), u->lab.dir);
	return 0;
}

/* ---- --clients: more laptops behind the home router ---- */

static int add(struct up *u, struct nl *nl, int idx, const char *cidr, bool route, const char *via)
{
	struct prefix p, gw;
	int rc;

	if (prefix_parse(cidr, true, &p, u->err, sizeof(u->err)) ||
	    (via && prefix_parse(via, false, &gw, u->err, sizeof(u->err))))
		return -1;
	rc = route ? nl_route_add(nl, &p, via ? gw.addr : NULL, via ? 0 : idx)
		   : nl_addr_add(nl, idx, &p);
	if (rc)
		snprintf(u->err, sizeof(u->err), "%s %s: %s", route ? "route" : "address", cidr,
			 strerror(-rc));
	return rc ? -1 : 0;
}

/* The NAT's IPv4 address on its side toward the client, with its length: "192.168.1.1/24". */
static const char *nat_lan(const struct up *u, const char **ifname)
{
	const struct topo *t = &u->lab.topo;
	int nat = lab_role(&u->lab, ROLE_NAT),
	    i = nat < 0 ? -1 : lab_iface_toward(t, nat, lab_role(&u->lab, ROLE_CLIENT));

	for (size_t k = 0; i >= 0 && k < t->nodes[nat].ifaces[i].naddrs; k++)
		if (!strchr(t->nodes[nat].ifaces[i].addrs[k].cidr, ':')) {
			*ifname = t->nodes[nat].ifaces[i].name;
			return t->nodes[nat].ifaces[i].addrs[k].cidr;
		}
	return NULL;
}

/*
 * Laptop k gets its own veth to the home router, host 100+k of the home
 * LAN on its side; the router answers with its LAN address on each and
 * routes the /32 back.
 */
static int client_link(struct up *u, struct client *c, int k)
{
	const char *ifname = "", *cidr = nat_lan(u, &ifname);
	int nat = lab_role(&u->lab, ROLE_NAT);
	char lan[16], me[64], host[64], gw[64], gw32[64];
	struct nl_link l;
	int rc, ir;

	snprintf(lan, sizeof(lan), "%s%d", ifname, k);
	lab_host_in(cidr, 100 + (unsigned)k, true, me, sizeof(me));
	lab_host_in(cidr, 100 + (unsigned)k, false, host, sizeof(host));
	appendf(host, sizeof(host), "/32");
	snprintf(gw, sizeof(gw), "%.*s", (int)strcspn(cidr, "/"), cidr);
	snprintf(gw32, sizeof(gw32), "%s/32", gw);
	lab_explain(&u->lab, "ip -n %s link add eth0 type veth peer name %s netns ...", c->ns, lan);
	rc = nl_veth_add(&c->nl, "eth0", lan, u->nsfd[nat]);
	if (!rc)
		rc = nl_link_get(&c->nl, "eth0", 0, &l);
	if (!rc)
		rc = nl_link_set(&c->nl, l.index, true, 0);
	ir = rc ? -1 : link_index(u, nat, lan);
	if (rc || ir < 0 || nl_link_set(&u->nl[nat], ir, true, 0)) {
		snprintf(u->err, sizeof(u->err), "cannot link %s to %s", c->ns,
			 lab_name(&u->lab, nat));
		return -1;
	}
	return add(u, &c->nl, l.index, me, false, NULL) ||
		       add(u, &c->nl, 0, "0.0.0.0/0", true, gw) ||
		       add(u, &u->nl[nat], ir, gw32, false, NULL) ||
		       add(u, &u->nl[nat], ir, host, true, NULL)
		   ? -1
		   : 0;
}

/* What extra laptops need: a NAT with an IPv4 side toward the client, and an IPv4 VPN address. */
static const char *client_vpn_cidr(struct up *u)
{
	const struct topo_member *m = &vpn(u)->clients[0];
	const char *ifname;

	for (size_t i = 0; nat_lan(u, &ifname) && i < m->naddrs; i++)
		if (!strchr(m->addrs[i], ':'))
			return m->addrs[i];
	snprintf(u->err, sizeof(u->err),
		 "--clients needs a nat node linked to the client, and IPv4 on both");
	return NULL;
}

int up_clients(struct up *u)
{
	const char *vpn4 = client_vpn_cidr(u);

	if (!vpn4)
		return -1;
	for (int k = 2; k <= u->nclients; k++) {
		struct client *c = &u->clients[k - 1];

		char label[40], lab[LAB_NAME_MAX + 1];

		/* Built in locals first: the compiler cannot tell the fields apart. */
		snprintf(label, sizeof(label), "laptop-%d", k);
		snprintf(lab, sizeof(lab), "%s", u->lab.name);
		memcpy(c->label, label, sizeof(label));
		if (!strcmp(lab, LAB_DEFAULT))
			snprintf(c->ns, sizeof(c->ns), "%s", label);
		else
			snprintf(c->ns, sizeof(c->ns), "%s-%s", lab, label);
		lab_host_in(vpn4, 100 + (unsigned)k, false, c->vpn4, sizeof(c->vpn4));
		if (make_namespace(u, c->ns, &c->nsfd, &c->nl) || client_link(u, c, k))
			return -1;
	}
	step(u, "%d more laptops behind %s (laptop-2 to laptop-%d)", u->nclients - 1,
	     lab_name(&u->lab, lab_role(&u->lab, ROLE_NAT)), u->nclients);
	return 0;
}

void up_clients_close(struct up *u)
{
	for (int i = 1; i < u->nclients; i++) {
		nl_close(&u->clients[i].nl);
		if (u->clients[i].nsfd >= 0)
			close(u->clients[i].nsfd);
		u->clients[i].nsfd = -1;
	}
}
