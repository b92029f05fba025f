#include "encrypted.h"
#include "tunnel.h"
#include "wg.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "lib/netlink.h"
#include "lib/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* Timers are checked this often; the protocol's shortest is seconds, its jitter 1/3 s. */

/*
 * The protocol sends to a peer's endpoint, or answers a datagram's source
 * with a cookie reply; either way from the address the peer wrote to.
 */
static struct source *source_for(struct tunnel *t, const struct sockaddr_storage *to)
{
	for (int i = 0; i < t->wg->npeers; i++)
		if (to == &t->wg->peers[i]->endpoint)
			return &t->wg->peers[i]->src;
	return &t->wg->rx_local;
}

static int send_datagram(void *io, const struct sockaddr_storage *to, const uint8_t *buf,
			 size_t len)
{
	struct tunnel *t = io;

	return udp_send_one(&t->q.udp, buf, len, to, source_for(t, to));
}

static void note(void *io, const char *line)
{
	struct tunnel *t = io;

	if (t->cfg->verbosity >= 1)
		fprintf(t->q.log, "wg: %s\n", line);
}

/* A route that an interface address already covers needs no route of its own. */
static bool covered(const struct config *c, const struct prefix *r)
{
	for (int i = 0; i < c->naddrs; i++) {
		const struct prefix *a = &c->addrs[i];

		if (a->family == r->family && a->len <= r->len && prefix_contains(a, r->addr))
			return true;
	}
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == r->family && c->routes[i].len == r->len &&
		    !memcmp(c->routes[i].addr, r->addr, 16))
			return true;
	return false;
}

static int add_route(struct config *c, const struct prefix *r, char *err, size_t errlen)
{
	struct prefix net = *r;

	/* The route is to the network: host bits cleared, as the kernel wants. */
	for (int bit = net.len; bit < (net.family == AF_INET6 ? 128 : 32); bit++)
		net.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	if (covered(c, &net))
		return 0;
	if (c->nroutes == CONFIG_MAX_ROUTES) {
		snprintf(err, errlen, "more than %d routes from AllowedIPs", CONFIG_MAX_ROUTES);
		return -1;
	}
	c->routes[c->nroutes++] = net;
	return 0;
}

static int add_peer(struct tunnel *t, const struct wg_peer_conf *pc, char *err, size_t errlen)
{
	struct wg_peer *p = wg_peer_add(t->wg, pc->public_key);
	struct sockaddr_storage ep;
	char why[160];

	if (!p) {
		snprintf(err, errlen, "%s:%d: this peer's PublicKey is our own", t->cfg->conf,
			 pc->line);
		return -1;
	}
	if (pc->has_preshared_key)
		wg_peer_set_psk(p, pc->preshared_key);
	if (pc->endpoint[0]) {
		if (hostport_resolve(pc->endpoint, 0, &ep, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d: Endpoint: %s", t->cfg->conf, pc->line, why);
			return -1;
		}
		wg_peer_set_endpoint(p, &ep);
	}
	p->timers.persistent_interval = pc->keepalive;
	for (int i = 0; i < pc->nallowed; i++) {
		if (allowedips_insert(&t->wg->allowed, &pc->allowed[i], p)) {
			snprintf(err, errlen, "out of memory for AllowedIPs");
			return -1;
		}
		if (add_route(&t->own, &pc->allowed[i], err, errlen))
			return -1;
	}
	return 0;
}

static int bound_port(const struct udp *u)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(u->fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

static void warn_if_readable(struct tunnel *t)
{
	struct stat st;

	/* As wg does: a private key others can read is no longer private. */
	if (!stat(t->cfg->conf, &st) && (st.st_mode & 077))
		fprintf(stderr, "tunnel: warning: %s is readable by group or others (mode %03o)\n",
			t->cfg->conf, st.st_mode & 0777);
}

static int load_config(struct tunnel *t, char *err, size_t errlen)
{
	if (wg_config_load(t->cfg->conf, &t->wgc, err, errlen))
		return -1;
	warn_if_readable(t);
	if (!t->wgc.has_private_key) {
		snprintf(err, errlen, "%s: [Interface] has no PrivateKey", t->cfg->conf);
		return -1;
	}
	t->own = *t->cfg;
	for (int i = 0; i < t->wgc.naddrs && i < CONFIG_MAX_ADDRS; i++)
		t->own.addrs[t->own.naddrs++] = t->wgc.addrs[i];
	if (t->wgc.mtu)
		t->own.mtu = t->wgc.mtu;
	t->cfg = &t->own;
	return 0;
}

/*
 * "tunnel IFNAME": no key, no peers, no addresses; the wg tool gives them
 * all through the socket, as it does to any userspace implementation.
 * Until it sets a port, the kernel picks one.
 */
static int prepare_bare(struct tunnel *t, char *err, size_t errlen)
{
	t->own = *t->cfg;
	t->cfg = &t->own;
	if (udp_open_server(&t->q.udp, 0, err, errlen))
		return -1;
	udp_offloads(&t->q.udp, !t->cfg->no_gso, !t->cfg->no_gro);
	t->wg->listen_port = bound_port(&t->q.udp);
	return 0;
}

int encrypted_prepare(struct tunnel *t, char *err, size_t errlen)
{
	t->wg = calloc(1, sizeof(*t->wg));
	if (!t->wg || wg_init(t->wg, &t->q.stats, send_datagram, t)) {
		snprintf(err, errlen, "out of memory for the WireGuard state");
		return -1;
	}
	t->wg->note = note;
	if (t->cfg->rekey_after)
		t->wg->rekey_after = t->cfg->rekey_after;
	if (t->cfg->bare)
		return prepare_bare(t, err, errlen);
	if (load_config(t, err, errlen))
		return -1;
	if (!wg_set_private_key(t->wg, t->wgc.private_key)) {
		snprintf(err, errlen, "%s: PrivateKey is not a usable key", t->cfg->conf);
		return -1;
	}
	for (int i = 0; i < t->wgc.npeers; i++)
		if (add_peer(t, &t->wgc.peers[i], err, errlen))
			return -1;
	if (udp_open_server(&t->q.udp, (uint16_t)t->wgc.listen_port, err, errlen) ||
	    (udp_offloads(&t->q.udp, !t->cfg->no_gso, !t->cfg->no_gro), 0))
		return -1;
	t->wg->listen_port = bound_port(&t->q.udp);
	return 0;
}

const struct sockaddr_storage *encrypted_endpoint(const struct tunnel *t)
{
	for (int i = 0; i < t->wg->npeers; i++)
		if (t->wg->peers[i]->has_endpoint)
			return &t->wg->peers[i]->endpoint;
	return NULL;
}

static int open_keylog(struct tunnel *t, char *err, size_t errlen)
{
	int fd = open(t->cfg->keylog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0 || !(t->keylog = fdopen(fd, "a"))) {
		snprintf(err, errlen, "--keylog: cannot open %s: %s", t->cfg->keylog,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	t->wg->keylog = t->keylog;
	fprintf(stderr,
		"tunnel: WARNING: --keylog writes this tunnel's session keys to %s.\n"
		"tunnel: WARNING: anyone who reads it can decrypt the traffic. For lessons "
		"only.\n",
		t->cfg->keylog);
	return 0;
}

int encrypted_start(struct tunnel *t, char *err, size_t errlen)
{
	char path[128];
	double now = clock_seconds();

	t->wg->mtu = t->q.dev.mtu;
	if (t->cfg->keylog && open_keylog(t, err, errlen))
		return -1;
	t->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	t->timer_armed = 0;
	if (t->timerfd < 0 || datapath_watch(&t->q, t->timerfd)) {
		snprintf(err, errlen, "cannot start the protocol timer: %s", strerror(errno));
		return -1;
	}
	if ((errno = -nl_open_link_events(&t->link_events)) ||
	    datapath_watch(&t->q, nl_fd(&t->link_events))) {
		snprintf(err, errlen, "cannot follow the device's link events: %s",
			 strerror(errno));
		return -1;
	}
	if (!t->cfg->no_uapi) {
		snprintf(path, sizeof(path), "/var/run/wireguard/%s.sock", t->cfg->dev);
		if (uapi_open(&t->uapi, t->cfg->uapi ? t->cfg->uapi : path, err, errlen) ||
		    datapath_watch(&t->q, t->uapi.fd))
			return -1;
	}
	/* Peers with PersistentKeepalive, and those we know where to find, speak first. */
	for (int i = 0; i < t->wg->npeers; i++) {
		struct wg_peer *p = t->wg->peers[i];
		int interval = p->timers.persistent_interval;

		p->timers.persistent_interval = 0;
		wg_peer_set_keepalive(p, interval, now);
	}
	return 0;
}

void encrypted_stop(struct tunnel *t)
{
	uapi_close(&t->uapi);
	if (t->timerfd >= 0)
		close(t->timerfd);
	t->timerfd = -1;
	nl_close(&t->link_events);
	if (t->keylog)
		fclose(t->keylog);
	t->keylog = NULL;
	if (t->wg) {
		wg_free(t->wg);
		free(t->wg);
		t->wg = NULL;
	}
	wg_config_free(&t->wgc);
}

/*
 * The device's MTU may be changed under the tunnel (ip link set mtu).  The
 * padding stops at the MTU, so it must follow, or a packet that fits the new
 * MTU is padded past it.  Asked again whenever the kernel tells of a link
 * change in the node (encrypted_link_event), not polled: a poll on the
 * protocol timer cost a netlink round trip ten times a second, idle or not.
 */
static void follow_device_mtu(struct tunnel *t)
{
	struct nl_link l;

	if (nl_link_get(&t->q.dev.nl, NULL, t->q.dev.index, &l) || l.mtu == t->q.dev.mtu)
		return;
	if (t->cfg->verbosity >= 1)
		fprintf(t->q.log, "%s: mtu %d -> %d, set from outside\n", t->cfg->dev, t->q.dev.mtu,
			l.mtu);
	t->q.dev.mtu = t->wg->mtu = l.mtu;
}

void encrypted_tick(struct tunnel *t)
{
	uint64_t ticks;

	if (read(t->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	t->timer_armed = 0;
	wg_tick(t->wg, clock_seconds());
	uapi_expire(&t->uapi, clock_seconds()); /* a client that stalls is dropped */
}

/*
 * The timer fires at the earliest deadline of any peer or wg socket
 * client, as the kernel module arms a timer per deadline, not on a fixed
 * tick: an idle tunnel sleeps.  Every packet sent moves some deadline
 * later; a later one leaves the timer as it is, so that a busy tunnel
 * makes no system call for it: it fires early, finds nothing due, and is
 * armed again for what is left.
 */
void encrypted_arm(struct tunnel *t)
{
	double wg = wg_next_deadline(t->wg), client = uapi_next_deadline(&t->uapi);
	double next = !wg || (client && client < wg) ? client : wg;
	struct itimerspec at = {{0, 0}, {0, 0}};

	if (!next || (t->timer_armed && t->timer_armed <= next))
		return;
	/* Rounded up, so that the clock read when it fires has reached the deadline. */
	at.it_value.tv_sec = (time_t)next;
	at.it_value.tv_nsec = (long)((next - (double)at.it_value.tv_sec) * 1e9) + 1;
	if (at.it_value.tv_nsec >= 1000000000L) {
		at.it_value.tv_sec++;
		at.it_value.tv_nsec -= 1000000000L;
	}
	if (timerfd_settime(t->timerfd, TFD_TIMER_ABSTIME, &at, NULL) == 0)
		t->timer_armed = next;
}

void encrypted_link_event(struct tunnel *t)
{
	if (nl_drain_events(&t->link_events))
		follow_device_mtu(t);
}

/* The wg tool may move the listening port: a new socket replaces the old. */
static int rebind(void *arg, int port)
{
	struct tunnel *t = arg;
	struct udp fresh;
	char err[160];

	if (udp_open_server(&fresh, (uint16_t)port, err, sizeof(err))) {
		fprintf(t->q.log, "uapi: %s\n", err);
		return -EADDRINUSE;
	}
	udp_offloads(&fresh, !t->cfg->no_gso, !t->cfg->no_gro);
	epoll_ctl(t->q.epfd, EPOLL_CTL_DEL, t->q.udp.fd, NULL);
	udp_close(&t->q.udp);
	t->q.udp = fresh;
	t->wg->listen_port = bound_port(&t->q.udp);
	return datapath_watch(&t->q, t->q.udp.fd) ? -errno : 0;
}

/* A mark the wg tool set goes on the socket at once; a rebound socket gets it too. */
static void follow_mark(struct tunnel *t)
{
	int rc;

	if (t->q.udp.mark == t->wg->fwmark)
		return;
	rc = udp_set_mark(&t->q.udp, t->wg->fwmark);
	if (rc)
		fprintf(t->q.log, "uapi: cannot mark the socket with fwmark %u: %s\n",
			(unsigned int)t->wg->fwmark, strerror(-rc));
}

void encrypted_uapi(struct tunnel *t)
{
	uapi_serve(&t->uapi, t->wg, clock_seconds(), rebind, t,
		   t->cfg->verbosity >= 1 ? t->q.log : NULL);
	follow_mark(t);
}

void encrypted_handshake(struct tunnel *t, FILE *reply)
{
	double now = clock_seconds();
	int sent = 0;

	for (int i = 0; i < t->wg->npeers; i++) {
		struct wg_peer *p = t->wg->peers[i];
		uint64_t before = t->wg->counters.initiations_sent;

		/* Root asked on the control socket: the once-per-REKEY_TIMEOUT limit
		 * guards against the network, not against the operator. */
		p->last_sent_handshake = now - REKEY_TIMEOUT;
		wg_send_initiation(t->wg, p, now, false);
		sent += t->wg->counters.initiations_sent > before;
	}
	fprintf(reply, "%s=%d\n", ctl_counter.initiations_sent, sent);
}

/* peerN_endpoint, _handshakes, _path_mtu and _source, N from 1. */
static void write_peer(const struct wg_peer *p, int n, FILE *f)
{
	char key[32], ep[64];

	fprintf(f, "%s=%s\n", ctl_peer_key(n, CTL_ENDPOINT, key, sizeof(key)),
		p->has_endpoint ? sockaddr_str(&p->endpoint, ep, sizeof(ep)) : "none");
	fprintf(f, "%s=%" PRIu64 "\n", ctl_peer_key(n, CTL_HANDSHAKES, key, sizeof(key)),
		p->handshakes);
	fprintf(f, "%s=%d\n", ctl_peer_key(n, CTL_PATH_MTU, key, sizeof(key)), p->pmtu.mtu);
	fprintf(f, "%s=%s\n", ctl_peer_key(n, CTL_SOURCE, key, sizeof(key)),
		source_str(&p->src, ep, sizeof(ep)));
}

void encrypted_write_kv(const struct tunnel *t, FILE *f)
{
	const struct wg_counters *c = &t->wg->counters;
	uint64_t moves = 0;
	char ep[64];

	for (int i = 0; i < t->wg->npeers; i++)
		moves += t->wg->peers[i]->endpoint_moves;
	fprintf(f, CTL_LISTEN_PORT "=%d\n" CTL_PEERS "=%d\n", t->wg->listen_port, t->wg->npeers);
	for (int i = 0; i < t->wg->npeers; i++)
		write_peer(t->wg->peers[i], i + 1, f);
	fprintf(f, CTL_ENDPOINT "=%s\n" CTL_ENDPOINT_MOVES "=%" PRIu64 "\n",
		t->wg->npeers && t->wg->peers[0]->has_endpoint
		    ? sockaddr_str(&t->wg->peers[0]->endpoint, ep, sizeof(ep))
		    : "none",
		moves);
	if (t->wg->npeers)
		fprintf(f, CTL_SOURCE "=%s\n", source_str(&t->wg->peers[0]->src, ep, sizeof(ep)));
#define KV(name, what) fprintf(f, #name "=%" PRIu64 "\n", c->name);
	CTL_WG_COUNTERS(KV)
#undef KV
	fprintf(f, CTL_RATELIMITED "=%" PRIu64 "\n", t->wg->limiter->refused);
}

static void write_session(const struct session *s, FILE *f)
{
	if (!s || !s->kp.valid)
		return;
	fprintf(f, CTL_KEYPAIR "=%08x %08x ", s->kp.local_index, s->kp.remote_index);
	key_write_hex(f, s->kp.send_key);
	fputc(' ', f);
	key_write_hex(f, s->kp.recv_key);
	fputc('\n', f);
}

void encrypted_write_keys(const struct tunnel *t, FILE *f)
{
	for (int i = 0; i < t->wg->npeers; i++) {
		const struct wg_peer *p = t->wg->peers[i];

		write_session(p->current, f);
		write_session(p->previous, f);
		write_session(p->next, f);
	}
}

void encrypted_forget_pmtu(struct tunnel *t)
{
	for (int i = 0; i < t->wg->npeers; i++)
		memset(&t->wg->peers[i]->pmtu, 0, sizeof(t->wg->peers[i]->pmtu));
}
