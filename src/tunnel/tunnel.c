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
	vfprintf(t->log, fmt, ap);
	va_end(ap);
}

static double uptime(const struct tunnel *t)
{
	return clock_seconds() - t->started;
}

/* -v: one decoded line per packet, or the reason it was dropped. */
static void log_packet(struct tunnel *t, const char *dir, const struct sockaddr_storage *ep,
		       const uint8_t *inner, size_t len, const char *drop)
{
	char line[256], who[64];

	if (t->cfg->verbosity < 2)
		return;
	pkt_decode(inner, len, line, sizeof(line));
	sockaddr_str(ep, who, sizeof(who));
	fprintf(t->log, "%10.6f %s%-4s%s %-22s %s%s%s\n", uptime(t),
		term_c(&t->term, drop		 ? C_RED
				 : dir[0] == 's' ? C_CYAN
						 : C_GREEN),
		dir, term_c(&t->term, C_RESET), who, line, drop ? "  DROP " : "", drop ? drop : "");
}

static void drop(struct tunnel *t, struct slot *s, enum drop why, const char *dir,
		 const struct sockaddr_storage *ep, size_t hdr)
{
	s->keep = false;
	t->stats.drops[why]++;
	if (s->len > hdr)
		log_packet(t, dir, ep, s->data + hdr, s->len - hdr, drop_name(why));
	else
		log_packet(t, dir, ep, s->data, 0, drop_name(why));
}

static int outer_version(const struct tunnel *t)
{
	return t->peer.endpoint.ss_family == AF_INET6 ? 6 : 4;
}

/* Outer IP header, UDP header and the mode's own header. */
static size_t overhead(const struct tunnel *t)
{
	return (size_t)mtu_overhead(outer_version(t), wire_mode_mtu(t->mode)->overhead);
}

/* Reads what the kernel queued about our datagrams; a smaller path MTU is what matters. */
static void read_errors(struct tunnel *t)
{
	struct pmtu_report r;
	char ep[64], hop[64];
	int rc;

	while ((rc = pmtu_read_error(t->udp.fd, &r)) >= 0) {
		if (rc == 0 || !t->peer.has_endpoint || !sockaddr_same(&r.dest, &t->peer.endpoint))
			continue;
		if (t->cfg->no_pmtu || !(t->sh ? queues_pmtu(t, &r) : pmtu_apply(&t->pmtu, &r)))
			continue;
		sockaddr_str(&t->peer.endpoint, ep, sizeof(ep));
		if (r.from_icmp)
			sockaddr_addr_str(&r.offender, hop, sizeof(hop));
		say(t, 1, "pmtu: the path to %s carries %d bytes (%s%s); inner packets up to %d\n",
		    ep, t->pmtu.mtu, r.from_icmp ? "ICMP from " : "the local route",
		    r.from_icmp ? hop : "", pmtu_inner(&t->pmtu, overhead(t)));
	}
}

/* Tells the inner sender, through the TUN device, that its packet does not fit. */
static void send_too_big(struct tunnel *t, const struct pkt *p, const uint8_t *inner, size_t len)
{
	uint8_t room[TUN_VNET_HDR_LEN + TUN_PI_LEN + 1280], *icmp = room + TUN_VNET_HDR_LEN;
	size_t hdr = wire_overhead(t->mode);
	ssize_t n;

	/* From the packet's destination: an address of our own would be a martian. */
	n = pkt_build_too_big(icmp + hdr, sizeof(room) - TUN_VNET_HDR_LEN - hdr, inner, len, p->dst,
			      pmtu_inner(&t->pmtu, overhead(t)));
	if (n < 0)
		return;
	if (hdr) {
		uint16_t proto = htons(tun_pi_proto(p->version));

		memset(icmp, 0, hdr);
		memcpy(icmp + 2, &proto, 2);
	}
	if (device_write(&t->dev, icmp, hdr + (size_t)n) == (ssize_t)(hdr + (size_t)n))
		t->stats.icmp_too_big++;
}

/* A packet that is larger than the path: ICMP back if it may not be fragmented. */
static void too_big(struct tunnel *t, struct slot *s)
{
	size_t hdr = wire_overhead(t->mode);
	struct pkt p;

	s->keep = false;
	if (pkt_parse(s->data + hdr, s->out_len - hdr, &p) != PKT_OK)
		return;
	switch (t->cfg->no_pmtu ? PMTU_TOO_BIG
				: pmtu_fate(&t->pmtu, p.len, overhead(t), p.version, p.df)) {
	case PMTU_FRAGMENT:
		s->fragment = true;
		return;
	case PMTU_TOO_BIG:
		if (!t->cfg->no_pmtu)
			send_too_big(t, &p, s->data + hdr, p.len);
		/* fall through */
	case PMTU_FITS:
		drop(t, s, DROP_TOO_BIG, "send", &t->peer.endpoint, hdr);
	}
}

/* Inner packets that allow it go out in fragmented datagrams, one by one: they are rare. */
static void send_fragmented(struct tunnel *t, struct batch *b)
{
	bool any = false;

	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		if (!s->fragment)
			continue;
		if (!any)
			udp_allow_fragments(&t->udp, true);
		any = true;
		if (udp_send_one(&t->udp, s->data, s->out_len, &t->peer.endpoint, &t->peer.src) ==
		    0)
			s->keep = true;
		else
			drop(t, s, DROP_IO, "send", &t->peer.endpoint, wire_overhead(t->mode));
	}
	if (any)
		udp_allow_fragments(&t->udp, false);
}

/* Breaks what is about to be sent, the way the fault says; before the kernel sees it. */
void tunnel_inject(struct tunnel *t, struct batch *b, size_t min_len)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		if (!s->keep && !s->fragment)
			continue;
		t->faults++;
		if (t->fault == FAULT_DROP && t->faults % 2) {
			s->keep = s->fragment = false; /* every other datagram vanishes */
		} else if (t->fault == FAULT_TRUNCATE && s->out_len > min_len) {
			s->out_len -= 8;
		} else if (t->fault == FAULT_FRAGMENT) {
			s->keep = false;
			s->fragment = true; /* sent without DF, for a smaller link to split */
		}
	}
}

/* Judges every packet read from the TUN device, then sends what is kept. */
static void send_batch(struct tunnel *t, struct batch *b)
{
	size_t hdr = wire_overhead(t->mode);
	struct pkt p;
	enum drop why;

	if (t->sh)
		queues_sync(t);
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		s->keep = true;
		s->fragment = false;
		s->err = 0;
		if (!wire_encap(t->mode, s->data, s->len, outer_version(t), &p, &s->out_len, &why))
			drop(t, s, why, "send", &t->peer.endpoint, hdr);
		else if (!t->peer.has_endpoint)
			drop(t, s, DROP_NO_PEER, "send", &t->peer.endpoint, hdr);
		else if (!t->cfg->no_pmtu && t->fault != FAULT_FRAGMENT &&
			 pmtu_fate(&t->pmtu, p.len, overhead(t), p.version, p.df) != PMTU_FITS)
			too_big(t, s);
	}
	if (t->fault)
		tunnel_inject(t, b, 8);
	udp_send_batch(&t->udp, b, &t->peer.endpoint, &t->peer.src);
	if (t->fault == FAULT_DUP)
		udp_send_batch(&t->udp, b, &t->peer.endpoint, &t->peer.src);
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		if (s->err == EMSGSIZE) {
			/* The kernel knew a smaller path MTU than we did: learn it, then judge
			 * again. */
			read_errors(t);
			too_big(t, s);
		} else if (s->err) {
			drop(t, s, DROP_IO, "send", &t->peer.endpoint, hdr);
		}
	}
	send_fragmented(t, b);
	for (unsigned int i = 0; i < b->n; i++) {
		struct slot *s = &b->slot[i];

		if (!s->keep)
			continue;
		t->stats.tx_packets++;
		t->stats.tx_bytes += s->out_len - hdr;
		log_packet(t, "send", &t->peer.endpoint, s->data + hdr, s->out_len - hdr, NULL);
	}
}

static void flush_out(void *arg, struct batch *b)
{
	send_batch(arg, b);
}

static void tun_to_udp(struct tunnel *t)
{
	device_read(&t->dev, &t->out, 0, SLOT_DATA, ROUNDS_PER_WAKEUP * BATCH_MAX, flush_out, t);
}

static void note_endpoint(struct tunnel *t, enum endpoint_verdict v)
{
	char ep[64];

	/* Every datagram comes through here: format only when there is news. */
	if (v != ENDPOINT_LEARNED && v != ENDPOINT_MOVED)
		return;
	/* With several queues, queues_learn looked it up under the lock. */
	if (!t->sh)
		t->pmtu.mtu = pmtu_route_mtu(&t->dev.nl, &t->peer.endpoint);
	sockaddr_str(&t->peer.endpoint, ep, sizeof(ep));
	if (v == ENDPOINT_LEARNED)
		say(t, 1, "peer: learned client endpoint %s\n", ep);
	else if (v == ENDPOINT_MOVED)
		say(t, 1, "peer: client endpoint moved to %s\n", ep);
}

/* Judges one datagram: parse first, then check who sent it. */
static void receive_one(struct tunnel *t, struct slot *s)
{
	size_t hdr = wire_overhead(t->mode);
	enum endpoint_verdict v;
	struct pkt p;
	enum drop why;

	s->keep = true;
	if (s->truncated) {
		drop(t, s, DROP_TOO_BIG, "recv", &s->addr, hdr);
		return;
	}
	if (!wire_decap(t->mode, s->data, s->len, &p, &s->out_len, &why)) {
		drop(t, s, why, "recv", &s->addr, hdr);
		return;
	}
	v = t->sh ? queues_learn(t, &s->addr, &s->local)
		  : endpoint_receive(&t->peer, &s->addr, &s->local);
	if (v == ENDPOINT_STRANGER) {
		drop(t, s, DROP_STRANGER, "recv", &s->addr, hdr);
		return;
	}
	note_endpoint(t, v);
}

/* One datagram from the network, judged and written to the TUN device. */
static void deliver(void *arg, struct slot *s)
{
	struct tunnel *t = arg;
	size_t hdr = wire_overhead(t->mode);

	receive_one(t, s);
	if (!s->keep)
		return;
	device_deliver(&t->dev, s->data, s->out_len);
	t->stats.rx_packets++;
	t->stats.rx_bytes += s->out_len - hdr;
	log_packet(t, "recv", &s->addr, s->data + hdr, s->out_len - hdr, NULL);
}

static void udp_to_tun(struct tunnel *t)
{
	struct batch *b = &t->in;

	for (int round = 0; round < ROUNDS_PER_WAKEUP; round++) {
		int n = udp_recv_batch(&t->udp, b);

		if (n < 0) {
			read_errors(t); /* an ICMP error surfaced instead of data */
			continue;
		}
		if (n == 0)
			return;
		for (unsigned int i = 0; i < b->n; i++)
			udp_each_datagram(&b->slot[i], deliver, t);
		device_flush(&t->dev);
		if (b->n < b->max)
			return;
	}
}

struct sums {
	struct stats stats;
	uint64_t gso_sends, gso_datagrams, super_reads, cut_errors, gro_merged, write_errors;
};

static void add_queue(const struct tunnel *q, void *arg)
{
	struct sums *sum = arg;

	queues_add_stats(&sum->stats, &q->stats);
	sum->gso_sends += queues_read(&q->udp.gso_sends);
	sum->gso_datagrams += queues_read(&q->udp.gso_datagrams);
	sum->super_reads += queues_read(&q->dev.super_reads);
	sum->cut_errors += queues_read(&q->dev.cut_errors);
	sum->gro_merged += queues_read(&q->dev.gro.merged);
	sum->write_errors += queues_read(&q->dev.write_errors);
}

/* Every queue's counters added up: each queue counts only its own. */
static void add_up(const struct tunnel *t, struct sums *sum)
{
	memset(sum, 0, sizeof(*sum));
	queues_each(t, add_queue, sum);
}

/* Which offloads are on, and how much they carried. */
static void write_offloads(const struct tunnel *t, const struct sums *sum, FILE *reply)
{
	fprintf(reply, "queues=%d\nbatch=%u\n", t->nqueues, t->out.max);
	fprintf(reply, "gso=%s\ngro=%s\ngso_sends=%llu\ngso_datagrams=%llu\n",
		t->udp.gso ? "on" : "off", t->udp.gro ? "on" : "off",
		(unsigned long long)sum->gso_sends, (unsigned long long)sum->gso_datagrams);
	fprintf(reply, "offload=%s\nsuper_reads=%llu\ncut_errors=%llu\ngro_merged=%llu\n",
		t->dev.offload ? "on" : "off", (unsigned long long)sum->super_reads,
		(unsigned long long)sum->cut_errors, (unsigned long long)sum->gro_merged);
	fprintf(reply, "tun_write_errors=%llu\n", (unsigned long long)sum->write_errors);
}

static const char *const fault_names[] = {"none", "drop", "dup", "truncate", "fragment"};

/* "fault=NAME": only root reaches the control socket, and only tests need it. */
static void set_fault(struct tunnel *t, const char *name, FILE *reply)
{
	for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
		if (!strcmp(name, fault_names[i])) {
			t->fault = (enum fault)i;
			t->faults = 0;
			queues_set_fault(t, (int)i);
			say(t, 1, "fault: %s\n", name);
			fprintf(reply, "fault=%s\n", name);
			return;
		}
	fprintf(reply, "error=unknown fault '%s' (none, drop, dup, truncate, fragment)\n", name);
}

/*
 * "keys": the session keys, for the lab's capture to open its own traffic.
 * Only with --export-keys, and only here: the socket is root's alone, in
 * a directory that is root's alone.  Never to a log.
 */
static void write_keys(struct tunnel *t, FILE *reply)
{
	if (t->mode != MODE_ENCRYPTED)
		fprintf(reply, "error=no session keys: this tunnel runs %s mode\n",
			wire_mode_name(t->mode));
	else if (!t->cfg->export_keys)
		fprintf(reply, "error=keys are not exported: the tunnel was started without "
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
	} else if (t->sh) {
		queues_forget_pmtu(t);
	} else {
		memset(&t->pmtu, 0, sizeof(t->pmtu));
		if (t->peer.has_endpoint)
			t->pmtu.mtu = pmtu_route_mtu(&t->dev.nl, &t->peer.endpoint);
	}
	say(t, 1, "pmtu: forgotten; the path MTU is the route's again\n");
	fprintf(reply, "pmtu=forgotten\n");
}

static void answer(const char *cmd, FILE *reply, void *arg)
{
	struct tunnel *t = arg;
	struct sums sum;
	char ep[64];

	if (t->sh)
		queues_sync(t);
	if (!strncmp(cmd, "fault=", 6)) {
		set_fault(t, cmd + 6, reply);
		return;
	}
	/* "gso=off" for a while: a capture on a veth shows a GSO run as one packet. */
	if (!strcmp(cmd, "gso=off") || !strcmp(cmd, "gso=on")) {
		t->udp.gso = cmd[5] == 'n' && t->udp.gso_ok;
		queues_set_gso(t, cmd[5] == 'n');
		fprintf(reply, "gso=%s\n", t->udp.gso ? "on" : "off");
		return;
	}
	if (!strcmp(cmd, "handshake")) {
		if (t->mode == MODE_ENCRYPTED)
			encrypted_handshake(t, reply);
		else
			fprintf(reply, "error=handshake: only encrypted mode has handshakes\n");
		return;
	}
	if (!strcmp(cmd, "pmtu=forget")) {
		forget_pmtu(t, reply);
		return;
	}
	if (!strcmp(cmd, "keys")) {
		write_keys(t, reply);
		return;
	}
	if (strcmp(cmd, "stats") != 0) {
		fprintf(reply, "error=unknown command (try 'stats')\n");
		return;
	}
	if (t->mode == MODE_ENCRYPTED) {
		fprintf(reply, "role=peer\ndev=%s\nmode=encrypted\nmtu=%d\n", t->cfg->dev,
			t->dev.mtu);
		add_up(t, &sum);
		write_offloads(t, &sum, reply);
		encrypted_write_kv(t, reply);
		fprintf(reply, "fault=%s\n", fault_names[t->fault]);
		fprintf(reply, "uptime=%.1f\n", uptime(t));
		stats_write_kv(&sum.stats, reply);
		return;
	}
	fprintf(reply, "role=%s\ndev=%s\nmode=%s\nmtu=%d\n",
		t->cfg->role == ROLE_SERVER ? "server" : "client", t->cfg->dev,
		wire_mode_name(t->mode), t->dev.mtu);
	fprintf(reply, "endpoint=%s\nendpoint_moves=%llu\n",
		t->peer.has_endpoint ? sockaddr_str(&t->peer.endpoint, ep, sizeof(ep)) : "none",
		(unsigned long long)t->peer.moves);
	fprintf(reply, "source=%s\n", source_str(&t->peer.src, ep, sizeof(ep)));
	fprintf(reply, "path_mtu=%d\npmtu_follow=%s\n", t->pmtu.mtu,
		t->cfg->no_pmtu ? "off" : "on");
	add_up(t, &sum);
	write_offloads(t, &sum, reply);
	fprintf(reply, "fault=%s\n", fault_names[t->fault]);
	fprintf(reply, "uptime=%.1f\n", uptime(t));
	stats_write_kv(&sum.stats, reply);
}

static void print_stats(struct tunnel *t, const char *title)
{
	struct sums sum;

	add_up(t, &sum);
	fprintf(t->log, "%s (%.1f s):\n", title, uptime(t));
	stats_print(&sum.stats, t->log);
	fflush(t->log);
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

/* Encrypted mode's own descriptors; false for those the two modes share. */
static bool on_encrypted(struct tunnel *t, int fd, uint32_t events)
{
	if (fd == t->dev.fd)
		encrypted_tun_to_udp(t);
	else if (fd == t->udp.fd) {
		/* An unread error keeps the socket ready: read it, or spin. */
		if (events & EPOLLERR)
			encrypted_read_errors(t);
		if (events & EPOLLIN)
			encrypted_udp_to_tun(t);
	} else if (fd == t->timerfd)
		encrypted_tick(t);
	else if (fd == t->uapi.fd)
		encrypted_uapi(t);
	else
		return false;
	return true;
}

void tunnel_set_batch(struct tunnel *t)
{
	t->out.max = t->in.max = t->cfg->batch ? (unsigned int)t->cfg->batch : BATCH_MAX;
}

void tunnel_event(struct tunnel *t, int fd, uint32_t events)
{
	if (fd == t->dev.fd)
		tun_to_udp(t);
	else if (fd == t->udp.fd && (events & EPOLLERR))
		read_errors(t);
	if (fd == t->udp.fd && (events & EPOLLIN))
		udp_to_tun(t);
}

int tunnel_run(struct tunnel *t)
{
	struct epoll_event ev[8];

	for (;;) {
		int n = epoll_wait(t->epfd, ev, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tunnel: epoll_wait: %s\n", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (t->mode == MODE_ENCRYPTED && on_encrypted(t, fd, ev[i].events))
				continue;
			if (fd == t->ctl.fd)
				control_serve(&t->ctl, answer, t);
			else if (fd == t->sigfd && !on_signal(t))
				return 0;
			else
				tunnel_event(t, fd, ev[i].events);
		}
		if (t->dev.gone) {
			/* As the device's owner would: it was deleted, so the tunnel is over. */
			fprintf(t->log, "%s: the device was deleted; stopping\n", t->cfg->dev);
			return 0;
		}
		fflush(t->log);
	}
}

int tunnel_watch(struct tunnel *t, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return fd < 0 ? 0 : epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev);
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
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->sigfd < 0 || t->epfd < 0 || tunnel_watch(t, t->sigfd) ||
	    tunnel_watch(t, t->dev.fd) || tunnel_watch(t, t->udp.fd)) {
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
	mtu = pmtu_default_mtu(&t->dev.nl, peer, mode_overhead, &m, why, sizeof(why));
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
		endpoint_init_server(&t->peer);
		if (udp_open_server(&t->udp, t->cfg->port, err, errlen))
			return -1;
	} else {
		if (hostport_resolve(t->cfg->server, t->cfg->port, server, err, errlen))
			return -1;
		endpoint_init_client(&t->peer, server);
		say(t, 1, "server: %s\n", sockaddr_str(server, ep, sizeof(ep)));
		if (udp_open_client(&t->udp, server->ss_family, err, errlen))
			return -1;
	}
	udp_offloads(&t->udp, !t->cfg->no_gso, !t->cfg->no_gro);
	return 0;
}

static void init(struct tunnel *t, const struct config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->mode = config_mode(cfg);
	t->dev.fd = t->udp.fd = t->ctl.fd = t->epfd = t->sigfd = -1;
	t->timerfd = t->uapi.fd = t->q_stopfd = -1;
	t->nqueues = queues_wanted(cfg);
	t->log = stdout;
	term_init(&t->term, STDOUT_FILENO);
	t->started = clock_seconds();
}

/*
 * Multi-queue where asked for and the kernel has it; a kernel without
 * IFF_MULTI_QUEUE refuses the flag, and one queue carries everything.
 */
static int open_device(struct tunnel *t, int mtu, char *err, size_t errlen)
{
	t->dev.multi = t->nqueues > 1;
	if (device_up(&t->dev, t->cfg, mtu, err, errlen) == 0)
		return 0;
	if (!t->dev.multi)
		return -1;
	t->dev.multi = false;
	if (device_up(&t->dev, t->cfg, mtu, err, errlen))
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
	if (batch_init(&t->out) || batch_init(&t->in)) {
		snprintf(err, errlen, "out of memory for packet buffers");
		goto fail;
	}
	tunnel_set_batch(t);
	rc = nl_open(&t->dev.nl);
	if (rc) {
		snprintf(err, errlen, "cannot open rtnetlink: %s", strerror(-rc));
		goto fail;
	}
	if (t->mode == MODE_ENCRYPTED) {
		if (encrypted_prepare(t, err, errlen))
			goto fail;
		cfg = t->cfg; /* now with the file's addresses and routes */
		mtu = choose_mtu(t, encrypted_endpoint(t), err, errlen);
	} else {
		if (open_socket(t, &server, err, errlen))
			goto fail;
		mtu = choose_mtu(t, cfg->role == ROLE_CLIENT ? &server : NULL, err, errlen);
	}
	if (mtu < 0)
		goto fail;
	if (cfg->role == ROLE_CLIENT)
		t->pmtu.mtu = pmtu_route_mtu(&t->dev.nl, &server);
	if (open_device(t, mtu, err, errlen))
		goto fail;
	if (setup_events(t, err, errlen))
		goto fail;
	if (t->nqueues > 1 && queues_start(t, t->nqueues, err, errlen))
		goto fail;
	if (t->mode == MODE_ENCRYPTED && encrypted_start(t, err, errlen))
		goto fail;
	/* Opened last: whoever waits for the socket may take it as "ready". */
	if (cfg->control && control_open(&t->ctl, cfg->control, err, errlen))
		goto fail;
	if (cfg->control && tunnel_watch(t, t->ctl.fd)) {
		snprintf(err, errlen, "cannot watch the control socket: %s", strerror(errno));
		goto fail;
	}
	/* Everything is open: what reads the network from here on needs no more. */
	if (privs_drop(cfg->user, err, errlen) || queues_run(t, err, errlen))
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
	fflush(t->log);
	return 0;
fail:
	tunnel_stop(t);
	return -1;
}

void tunnel_stop(struct tunnel *t)
{
	queues_stop(t);
	encrypted_stop(t);
	device_down(&t->dev, t->cfg);
	nl_close(&t->dev.nl);
	udp_close(&t->udp);
	control_close(&t->ctl);
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->sigfd >= 0)
		close(t->sigfd);
	t->epfd = t->sigfd = -1;
	batch_free(&t->out);
	batch_free(&t->in);
}

void tunnel_summary(struct tunnel *t)
{
	if (t->cfg->verbosity >= 1)
		print_stats(t, "summary");
}
