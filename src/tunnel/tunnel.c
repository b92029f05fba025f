#include "tunnel.h"
#include "encrypted.h"
#include "privs.h"
#include "queues.h"
#include "wg.h"
#include "lib/clock.h"
#include "lib/addr.h"
#include "lib/mode.h"
#include "lib/mtu.h"
#include "lib/tun.h"

#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void say(struct tunnel *t, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct tunnel *t, int level, const char *fmt, ...)
{
	va_list ap;

	if (t->cfg->verbosity < level)
		return;
	va_start(ap, fmt);
	vfprintf(t->q.log, fmt, ap);
	va_end(ap);
}

static double uptime(const struct tunnel *t)
{
	return datapath_uptime(&t->q);
}

struct sums {
	struct stats stats;
#define SUM_FIELD(name, what) uint64_t name;
	CTL_UDP_OFFLOADS(SUM_FIELD)
	CTL_TUN_OFFLOADS(SUM_FIELD)
#undef SUM_FIELD
};

static void add_queue(const struct queue *q, void *arg)
{
	struct sums *sum = arg;

	queues_add_stats(&sum->stats, &q->stats);
	sum->gso_sends += queues_read(&q->udp.gso_sends);
	sum->gso_datagrams += queues_read(&q->udp.gso_datagrams);
	sum->super_reads += queues_read(&q->dev.super_reads);
	sum->cut_errors += queues_read(&q->dev.cut_errors);
	sum->gro_merged += queues_read(&q->dev.gro.merged);
	sum->tun_write_errors += queues_read(&q->dev.write_errors);
}

/* Every queue's counters added up: each queue counts only its own. */
static void add_up(const struct tunnel *t, struct sums *sum)
{
	memset(sum, 0, sizeof(*sum));
	queues_each(&t->q, t->more, add_queue, sum);
}

/* Which offloads are on, and how much they carried. */
static void write_offloads(const struct tunnel *t, const struct sums *sum, FILE *reply)
{
	fprintf(reply, CTL_QUEUES "=%d\n" CTL_BATCH "=%u\n", t->nqueues, t->q.out.max);
#define KV(name, what) fprintf(reply, #name "=%llu\n", (unsigned long long)sum->name);
	fprintf(reply, CTL_GSO "=%s\n" CTL_GRO "=%s\n", t->q.udp.gso ? "on" : "off",
		t->q.udp.gro ? "on" : "off");
	CTL_UDP_OFFLOADS(KV)
	fprintf(reply, CTL_OFFLOAD "=%s\n", t->q.dev.offload ? "on" : "off");
	CTL_TUN_OFFLOADS(KV)
#undef KV
}

static const char *const fault_names[] = {"none", "drop", "dup", "truncate", "fragment"};

/* "fault=NAME": only root reaches the control socket, and only tests need it. */
static void set_fault(struct tunnel *t, const char *name, FILE *reply)
{
	for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
		if (!strcmp(name, fault_names[i])) {
			t->q.fault = (enum fault)i;
			t->q.faults = 0;
			queues_set_fault(&t->q, (int)i);
			say(t, 1, "fault: %s\n", name);
			fprintf(reply, CTL_FAULT "=%s\n", name);
			return;
		}
	fprintf(reply, CTL_ERROR "=unknown fault '%s' (none, drop, dup, truncate, fragment)\n",
		name);
}

/*
 * "keys": the session keys, for the lab's capture to open its own traffic.
 * Only with --export-keys, and only here: the socket is root's alone, in
 * a directory that is root's alone.  Never to a log.
 */
static void write_keys(struct tunnel *t, FILE *reply)
{
	if (t->mode != MODE_ENCRYPTED)
		fprintf(reply, CTL_ERROR "=no session keys: this tunnel runs %s mode\n",
			wire_mode_name(t->mode));
	else if (!t->cfg->export_keys)
		fprintf(reply, CTL_ERROR "=keys are not exported: the tunnel was started without "
					 "--export-keys\n");
	else
		encrypted_write_keys(t, reply);
}

/*
 * "pmtu=forget": what the path MTU was learned to be is forgotten, and the
 * route's figure (the kernel's, once its own cache is flushed) is used
 * again.  A test that narrowed a link for a while puts the tunnel back so.
 */
static void forget_pmtu(struct tunnel *t, FILE *reply)
{
	if (t->mode == MODE_ENCRYPTED) {
		encrypted_forget_pmtu(t);
	} else if (t->q.sh) {
		queues_forget_pmtu(&t->q);
	} else {
		memset(&t->q.pmtu, 0, sizeof(t->q.pmtu));
		if (t->q.peer.has_endpoint)
			t->q.pmtu.mtu = pmtu_route_mtu(&t->q.dev.nl, &t->q.peer.endpoint);
	}
	say(t, 1, "pmtu: forgotten; the path MTU is the route's again\n");
	fprintf(reply, CTL_PMTU "=forgotten\n");
}

/* Encrypted mode has peers, each its own role; the other modes, one. */
static const char *role_name(const struct tunnel *t)
{
	if (t->mode == MODE_ENCRYPTED)
		return "peer";
	return t->cfg->role == ROLE_SERVER ? "server" : "client";
}

/* Plaintext and pi modes' one peer: where it is and the path toward it. */
static void write_peer(const struct tunnel *t, FILE *reply)
{
	char ep[64];

	fprintf(reply, CTL_ENDPOINT "=%s\n" CTL_ENDPOINT_MOVES "=%llu\n",
		t->q.peer.has_endpoint ? sockaddr_str(&t->q.peer.endpoint, ep, sizeof(ep)) : "none",
		(unsigned long long)t->q.peer.moves);
	fprintf(reply, CTL_SOURCE "=%s\n", source_str(&t->q.peer.src, ep, sizeof(ep)));
	fprintf(reply, CTL_PATH_MTU "=%d\n" CTL_PMTU_FOLLOW "=%s\n", t->q.pmtu.mtu,
		t->cfg->no_pmtu ? "off" : "on");
}

static void answer(const char *cmd, FILE *reply, void *arg)
{
	struct tunnel *t = arg;
	struct sums sum;

	if (t->q.sh)
		queues_sync(&t->q);
	if (!strncmp(cmd, CTL_SET_FAULT, strlen(CTL_SET_FAULT))) {
		set_fault(t, cmd + strlen(CTL_SET_FAULT), reply);
		return;
	}
	/* "gso=off" for a while: a capture on a veth shows a GSO run as one packet. */
	if (!strcmp(cmd, CTL_GSO_OFF) || !strcmp(cmd, CTL_GSO_ON)) {
		bool on = !strcmp(cmd, CTL_GSO_ON);

		t->q.udp.gso = on && t->q.udp.gso_ok;
		queues_set_gso(&t->q, on);
		fprintf(reply, CTL_GSO "=%s\n", t->q.udp.gso ? "on" : "off");
		return;
	}
	if (!strcmp(cmd, CTL_HANDSHAKE)) {
		if (t->mode == MODE_ENCRYPTED)
			encrypted_handshake(t, reply);
		else
			fprintf(reply,
				CTL_ERROR "=handshake: only encrypted mode has handshakes\n");
		return;
	}
	if (!strcmp(cmd, CTL_PMTU_FORGET)) {
		forget_pmtu(t, reply);
		return;
	}
	if (!strcmp(cmd, CTL_KEYS)) {
		write_keys(t, reply);
		return;
	}
	if (strcmp(cmd, CTL_STATS) != 0) {
		fprintf(reply, CTL_ERROR "=unknown command (try '" CTL_STATS "')\n");
		return;
	}
	add_up(t, &sum);
	fprintf(reply, CTL_ROLE "=%s\n" CTL_DEV "=%s\n" CTL_MODE "=%s\n" CTL_MTU "=%d\n",
		role_name(t), t->cfg->dev, wire_mode_name(t->mode), t->q.dev.mtu);
	if (t->mode != MODE_ENCRYPTED)
		write_peer(t, reply);
	write_offloads(t, &sum, reply);
	if (t->mode == MODE_ENCRYPTED)
		encrypted_write_kv(t, reply);
	fprintf(reply, CTL_FAULT "=%s\n", fault_names[t->q.fault]);
	fprintf(reply, CTL_UPTIME "=%.1f\n", uptime(t));
	stats_write_kv(&sum.stats, reply);
}

static void print_stats(struct tunnel *t, const char *title)
{
	struct sums sum;

	add_up(t, &sum);
	fprintf(t->q.log, "%s (%.1f s):\n", title, uptime(t));
	stats_print(&sum.stats, t->q.log);
	fflush(t->q.log);
}

/* Returns false when the tunnel should stop. */
static bool on_signal(struct tunnel *t)
{
	struct signalfd_siginfo si;

	while (read(t->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			print_stats(t, "counters");
		else
			return false;
	}
	return true;
}

/* Encrypted mode's own descriptors: the protocol's timer and the wg socket. */
static bool on_encrypted(struct tunnel *t, int fd)
{
	if (fd == t->timerfd)
		encrypted_tick(t);
	else if (fd == nl_fd(&t->link_events))
		encrypted_link_event(t);
	else if (fd == t->uapi.fd)
		encrypted_uapi(t);
	else
		return false;
	return true;
}

int tunnel_run(struct tunnel *t)
{
	struct epoll_event ev[8];

	for (;;) {
		int n;

		if (t->mode == MODE_ENCRYPTED)
			encrypted_arm(t);
		n = epoll_wait(t->q.epfd, ev, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tunnel: epoll_wait: %s\n", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (t->mode == MODE_ENCRYPTED && on_encrypted(t, fd))
				continue;
			if (fd == t->ctl.fd)
				control_serve(&t->ctl, answer, t);
			else if (fd == t->sigfd && !on_signal(t))
				return 0;
			else
				datapath_event(&t->q, fd, ev[i].events);
		}
		if (t->q.dev.gone) {
			/* As the device's owner would: it was deleted, so the tunnel is over. */
			fprintf(t->q.log, "%s: the device was deleted; stopping\n", t->cfg->dev);
			return 0;
		}
		fflush(t->q.log);
	}
}

static int setup_events(struct tunnel *t, char *err, size_t errlen)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	t->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (datapath_open(&t->q, true, err, errlen))
		return -1;
	if (t->sigfd < 0 || datapath_watch(&t->q, t->sigfd)) {
		snprintf(err, errlen, "cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The device MTU: as given, or the route toward peer less the outer
 * headers and the mode's own.  Encrypted mode without an endpoint yet
 * assumes IPv6 outer headers, since any peer may come over IPv6.
 */
static int choose_mtu(struct tunnel *t, const struct sockaddr_storage *peer, char *err,
		      size_t errlen)
{
	int mode_overhead = wire_mode_mtu(t->mode)->overhead;
	bool assume_v6 = t->mode == MODE_ENCRYPTED && !peer;
	char why[160], sum[160];
	struct mtu_calc m;
	int mtu, v4;

	if (t->cfg->mtu) {
		say(t, 1, "mtu: %d, as given by %s\n", t->cfg->mtu,
		    t->mode == MODE_ENCRYPTED && t->wgc.mtu ? "MTU in the configuration" : "--mtu");
		return t->cfg->mtu;
	}
	mtu = pmtu_default_mtu(&t->q.dev.nl, peer, mode_overhead, &m, why, sizeof(why));
	/* What an IPv4 outer header would give, so that both ends' figures compare. */
	v4 = m.outer_ip == MTU_IPV4_HDR ? mtu : 0;
	if (assume_v6)
		mtu = mtu_compute(m.underlay, 6, mode_overhead, &m);
	mtu_explain(&m, wire_mode_mtu(t->mode)->what, sum, sizeof(sum));
	say(t, 1, "mtu: %s\n     underlay: %s\n", sum, why);
	if (assume_v6 && v4)
		say(t, 1,
		    "     outer IPv6 assumed: no endpoint yet, and a peer may come over IPv6 "
		    "(over IPv4 it would be %d)\n",
		    v4);
	if (mtu < 68) {
		snprintf(err, errlen, "the underlay MTU %d leaves no room for a tunnel (%d)",
			 m.underlay, mtu);
		return -1;
	}
	return mtu;
}

static int open_socket(struct tunnel *t, struct sockaddr_storage *server, char *err, size_t errlen)
{
	char ep[64];

	if (t->cfg->role == ROLE_SERVER) {
		endpoint_init_server(&t->q.peer);
		if (udp_open_server(&t->q.udp, t->cfg->port, err, errlen))
			return -1;
	} else {
		if (hostport_resolve(t->cfg->server, t->cfg->port, server, err, errlen))
			return -1;
		endpoint_init_client(&t->q.peer, server);
		say(t, 1, "server: %s\n", sockaddr_str(server, ep, sizeof(ep)));
		if (udp_open_client(&t->q.udp, server->ss_family, err, errlen))
			return -1;
	}
	udp_offloads(&t->q.udp, !t->cfg->no_gso, !t->cfg->no_gro);
	return 0;
}

static void init(struct tunnel *t, const struct config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->mode = config_mode(cfg);
	datapath_init(&t->q, cfg, mode_ops_of(t->mode));
	t->ctl.fd = t->sigfd = -1;
	t->timerfd = t->uapi.fd = -1;
	t->nqueues = queues_wanted(cfg);
	term_init(&t->q.term, STDOUT_FILENO);
	t->q.started = clock_seconds();
}

/*
 * Multi-queue where asked for and the kernel has it; a kernel without
 * IFF_MULTI_QUEUE refuses the flag, and one queue carries everything.
 */
static int open_device(struct tunnel *t, int mtu, char *err, size_t errlen)
{
	t->q.dev.multi = t->nqueues > 1;
	if (device_up(&t->q.dev, t->cfg, mtu, err, errlen) == 0)
		return 0;
	if (!t->q.dev.multi)
		return -1;
	t->q.dev.multi = false;
	if (device_up(&t->q.dev, t->cfg, mtu, err, errlen))
		return -1;
	say(t, 1, "queues: the kernel refused a multi-queue device; one queue\n");
	t->nqueues = 1;
	return 0;
}

int tunnel_start(struct tunnel *t, const struct config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage server;
	char p[64];
	int mtu, rc;

	init(t, cfg);
	rc = nl_open(&t->q.dev.nl);
	if (rc) {
		snprintf(err, errlen, "cannot open rtnetlink: %s", strerror(-rc));
		goto fail;
	}
	if (t->mode == MODE_ENCRYPTED) {
		if (encrypted_prepare(t, err, errlen))
			goto fail;
		cfg = t->q.cfg = t->cfg; /* now with the file's addresses and routes */
		t->q.ctx = t->wg;
		mtu = choose_mtu(t, encrypted_endpoint(t), err, errlen);
	} else {
		if (open_socket(t, &server, err, errlen))
			goto fail;
		mtu = choose_mtu(t, cfg->role == ROLE_CLIENT ? &server : NULL, err, errlen);
	}
	if (mtu < 0)
		goto fail;
	if (cfg->role == ROLE_CLIENT)
		t->q.pmtu.mtu = pmtu_route_mtu(&t->q.dev.nl, &server);
	if (open_device(t, mtu, err, errlen))
		goto fail;
	if (setup_events(t, err, errlen))
		goto fail;
	if (t->nqueues > 1 && queues_start(&t->more, &t->q, t->nqueues, err, errlen))
		goto fail;
	if (t->mode == MODE_ENCRYPTED && encrypted_start(t, err, errlen))
		goto fail;
	/* Opened last: whoever waits for the socket may take it as "ready". */
	if (cfg->control && control_open(&t->ctl, cfg->control, err, errlen))
		goto fail;
	if (cfg->control && datapath_watch(&t->q, t->ctl.fd)) {
		snprintf(err, errlen, "cannot watch the control socket: %s", strerror(errno));
		goto fail;
	}
	/* Everything is open: what reads the network from here on needs no more. */
	if (privs_drop(cfg->user, err, errlen) || queues_run(&t->more, &t->q, err, errlen))
		goto fail;
	if (t->nqueues > 1)
		say(t, 1, "queues: %d, a thread each\n", t->nqueues);
	say(t, 1, "%s: up, mtu %d, mode %s", cfg->dev, mtu, wire_mode_name(t->mode));
	for (int i = 0; i < cfg->naddrs; i++)
		say(t, 1, ", %s", prefix_str(&cfg->addrs[i], p, sizeof(p)));
	say(t, 1, "\n");
	for (int i = 0; i < cfg->nroutes; i++)
		say(t, 1, "route: %s dev %s\n", prefix_str(&cfg->routes[i], p, sizeof(p)),
		    cfg->dev);
	if (cfg->role == ROLE_SERVER)
		say(t, 1, "listening on UDP port %u; waiting for a client\n", cfg->port);
	if (t->mode == MODE_ENCRYPTED)
		say(t, 1, "listening on UDP port %d; %d peer%s; wg socket %s\n", t->wg->listen_port,
		    t->wg->npeers, t->wg->npeers == 1 ? "" : "s",
		    t->uapi.fd >= 0 ? t->uapi.path : "off");
	fflush(t->q.log);
	return 0;
fail:
	tunnel_stop(t);
	return -1;
}

void tunnel_stop(struct tunnel *t)
{
	queues_stop(&t->more, &t->q);
	encrypted_stop(t);
	device_down(&t->q.dev, t->cfg);
	nl_close(&t->q.dev.nl);
	udp_close(&t->q.udp);
	control_close(&t->ctl);
	datapath_close(&t->q);
	if (t->sigfd >= 0)
		close(t->sigfd);
	t->sigfd = -1;
}

void tunnel_summary(struct tunnel *t)
{
	if (t->cfg->verbosity >= 1)
		print_stats(t, "summary");
}
