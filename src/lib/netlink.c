#include "netlink.h"
#include "netns.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A failure's errno, never 0: a caller that saw 0 would use a closed socket. */
static int failure(void)
{
	return errno ? -errno : -EIO;
}

/* groups: the multicast groups to listen to (0 for a socket that only asks). */
static int open_proto(struct nl *nl, int proto, int flags, unsigned int groups)
{
	/* Defined on every path, so a caller that goes on after a failure reads no garbage. */
	nl->seq = (uint32_t)time(NULL);
	nl->portid = 0;
	/* Close-on-exec: a process the harness starts must not inherit a node's netlink. */
	nl->sock = mnl_socket_open2(proto, SOCK_CLOEXEC | flags);
	if (!nl->sock)
		return failure();
	if (mnl_socket_bind(nl->sock, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = failure();
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return e;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

int nl_open(struct nl *nl)
{
	return open_proto(nl, NETLINK_ROUTE, 0, 0);
}

static int open_here(void *nl)
{
	return nl_open(nl);
}

int nl_open_in(struct nl *nl, int nsfd)
{
	return netns_call(nsfd, open_here, nl);
}

int nl_open_link_events(struct nl *nl)
{
	return open_proto(nl, NETLINK_ROUTE, SOCK_NONBLOCK, RTMGRP_LINK);
}

int nl_fd(const struct nl *nl)
{
	return nl->sock ? mnl_socket_get_fd(nl->sock) : -1;
}

int nl_drain_events(struct nl *nl)
{
	char buf[8192];
	int any = 0;

	/* What changed is asked afresh by the caller: the events are not parsed. */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

		if (n > 0 || (n < 0 && errno == ENOBUFS))
			any = 1; /* ENOBUFS: some were lost, so something changed */
		else if (n < 0 && errno == EINTR)
			continue;
		else
			return any;
	}
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* buf is MNL_SOCKET_BUFFER_SIZE long, every caller's. */
static struct nlmsghdr *msg_start(struct nl *nl, char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	/* libmnl leaves attribute padding as it finds it: zeroed, no stack bytes go to the kernel.
	 */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Sends one request and runs cb over every reply until the ack or the dump's end. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	char buf[32768]; /* the size libmnl suggests for dumps */
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, arg);
		if (rc < 0)
			return -errno;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

/* Attributes by type, for one message or one nest; types past max are skipped. */
struct attrs {
	const struct nlattr **tb;
	uint16_t max;
};

static int put_attr(const struct nlattr *a, void *data)
{
	struct attrs *t = data;

	if (mnl_attr_type_valid(a, t->max) > 0)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
			uint16_t max)
{
	struct attrs t = {tb, max};

	mnl_attr_parse(nlh, (unsigned int)hdrlen, put_attr, &t);
}

static void parse_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max)
{
	struct attrs t = {tb, max};

	mnl_attr_parse_nested(nest, put_attr, &t);
}

static void link_from_msg(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0}, *info[IFLA_INFO_MAX + 1] = {0};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	memset(l, 0, sizeof(*l));
	parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	l->index = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	l->running = ifi->ifi_flags & IFF_RUNNING;
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_STRING) == 0)
		snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
		l->mtu = (int)mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINK] && mnl_attr_validate(tb[IFLA_LINK], MNL_TYPE_U32) == 0)
		l->peer_index = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO]) {
		parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
		if (info[IFLA_INFO_KIND] &&
		    mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0)
			snprintf(l->kind, sizeof(l->kind), "%s",
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}
}

static int link_get_cb(const struct nlmsghdr *nlh, void *arg)
{
	link_from_msg(nlh, arg);
	return MNL_CB_OK;
}

int nl_link_get(struct nl *nl, const char *name, int index, struct nl_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(out, 0, sizeof(*out));
	return nl_talk(nl, nlh, link_get_cb, out);
}

int nl_link_set(struct nl *nl, int index, bool up, int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_link_rename(struct nl *nl, int index, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_link_del(struct nl *nl, int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_DELLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_veth_add(struct nl *nl, const char *name, const char *peer, int peer_nsfd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    msg_start(nl, buf, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi)), *pifi;
	struct nlattr *linkinfo, *data, *peerattr;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is described by its own ifinfomsg followed by its attributes. */
	peerattr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	memset(pifi, 0, sizeof(*pifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_nest_end(nlh, peerattr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_talk(nl, nlh, NULL, NULL);
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

int nl_addr_add(struct nl *nl, int index, const struct prefix *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    msg_start(nl, buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = (uint32_t)index;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(p->family), p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(p->family), p->addr);
	/* Lab addresses are unique by design: skip the seconds duplicate detection takes. */
	if (p->family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int route_change(struct nl *nl, uint16_t type, uint16_t flags, const struct prefix *dst,
			const uint8_t *gw, int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, type, NLM_F_ACK | flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	uint8_t net[16] = {0};

	/* The kernel wants the network address, with host bits cleared. */
	memcpy(net, dst->addr, addr_len(dst->family));
	for (unsigned int bit = dst->len; bit < addr_len(dst->family) * 8; bit++)
		net[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->len)
		mnl_attr_put(nlh, RTA_DST, addr_len(dst->family), net);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, addr_len(dst->family), gw);
	if (index > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_route_add(struct nl *nl, const struct prefix *dst, const uint8_t *gw, int index)
{
	return route_change(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, dst, gw, index);
}

int nl_route_del(struct nl *nl, const struct prefix *dst, const uint8_t *gw, int index)
{
	return route_change(nl, RTM_DELROUTE, 0, dst, gw, index);
}

struct route_reply {
	int family;
	int oif;
	int mtu;
	bool want_default;
	bool found;
};

static int metric_attr(const struct nlattr *a, void *data)
{
	int *mtu = data;

	if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*mtu = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_reply *r = arg;

	if (r->found || rtm->rtm_family != r->family)
		return MNL_CB_OK;
	if (r->want_default && (rtm->rtm_dst_len != 0 || rtm->rtm_table != RT_TABLE_MAIN ||
				rtm->rtm_type != RTN_UNICAST))
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (!tb[RTA_OIF] || mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_METRICS])
		mnl_attr_parse_nested(tb[RTA_METRICS], metric_attr, &r->mtu);
	r->found = true;
	return MNL_CB_OK;
}

int nl_route_get(struct nl *nl, int family, const uint8_t *addr, int *oif, int *mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_GETROUTE, NLM_F_ACK);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_reply r = {.family = family};
	int rc;

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(addr_len(family) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(family), addr);
	rc = nl_talk(nl, nlh, route_cb, &r);
	if (rc)
		return rc;
	if (!r.found)
		return -ENETUNREACH;
	*oif = r.oif;
	*mtu = r.mtu;
	return 0;
}

int nl_default_route(struct nl *nl, int family, int *oif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_reply r = {.family = family, .want_default = true};
	int rc;

	rtm->rtm_family = (uint8_t)family;
	rc = nl_talk(nl, nlh, route_cb, &r);
	if (rc)
		return rc;
	if (!r.found)
		return -ENETUNREACH;
	*oif = r.oif;
	return 0;
}

#define CACHED_MAX 64

struct cached6 {
	uint8_t dst[CACHED_MAX][16];
	uint32_t oif[CACHED_MAX], table[CACHED_MAX];
	int n;
};

static int cached6_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct cached6 *c = arg;

	if (rtm->rtm_family != AF_INET6 || !(rtm->rtm_flags & RTM_F_CLONED) || c->n == CACHED_MAX)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (!tb[RTA_DST] || mnl_attr_get_payload_len(tb[RTA_DST]) != 16)
		return MNL_CB_OK;
	memcpy(c->dst[c->n], mnl_attr_get_payload(tb[RTA_DST]), 16);
	c->oif[c->n] = tb[RTA_OIF] && mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) == 0
			   ? mnl_attr_get_u32(tb[RTA_OIF])
			   : 0;
	c->table[c->n] = tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == 0
			     ? mnl_attr_get_u32(tb[RTA_TABLE])
			     : rtm->rtm_table;
	c->n++;
	return MNL_CB_OK;
}

/* One exception away: a delete of the /128 with RTM_F_CLONED names the cached route. */
static int del_cached6(struct nl *nl, const uint8_t dst[16], uint32_t oif, uint32_t table)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_DELROUTE, NLM_F_ACK);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_flags = RTM_F_CLONED;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_flush_cached6(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct cached6 *c = calloc(1, sizeof(*c));
	int rc, gone = 0;

	if (!c)
		return -ENOMEM;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_flags = RTM_F_CLONED; /* the exceptions, not the routes */
	rc = nl_talk(nl, nlh, cached6_cb, c);
	for (int i = 0; !rc && i < c->n; i++)
		if (del_cached6(nl, c->dst[i], c->oif[i], c->table[i]) == 0)
			gone++;
	free(c);
	return rc ? rc : gone;
}

struct link_dump {
	nl_link_fn fn;
	void *arg;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct link_dump *d = arg;
	struct nl_link l;

	link_from_msg(nlh, &l);
	d->fn(&l, d->arg);
	return MNL_CB_OK;
}

/* A dump of every object of a type, in every family: the header is all zero. */
static int dump(struct nl *nl, uint16_t type, size_t hdrlen, mnl_cb_t cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg_start(nl, buf, type, NLM_F_DUMP);

	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nl_talk(nl, nlh, cb, arg);
}

int nl_dump_links(struct nl *nl, nl_link_fn fn, void *arg)
{
	struct link_dump d = {fn, arg};

	return dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), link_dump_cb, &d);
}

struct addr_dump {
	nl_addr_fn fn;
	void *arg;
};

static int addr_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[IFA_MAX + 1] = {0}, *a;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_dump *d = arg;
	struct nl_addr out = {0};
	size_t alen = addr_len(ifa->ifa_family);

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return MNL_CB_OK;
	out.index = (int)ifa->ifa_index;
	out.prefix.family = ifa->ifa_family;
	out.prefix.len = ifa->ifa_prefixlen;
	memcpy(out.prefix.addr, mnl_attr_get_payload(a), alen);
	d->fn(&out, d->arg);
	return MNL_CB_OK;
}

int nl_dump_addrs(struct nl *nl, nl_addr_fn fn, void *arg)
{
	struct addr_dump d = {fn, arg};

	return dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_dump_cb, &d);
}

/* ---- conntrack, over NETLINK_NETFILTER ---- */

static int flush_here(void *arg)
{
	struct nl nl;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int rc = open_proto(&nl, NETLINK_NETFILTER, 0, 0);

	(void)arg;
	if (rc)
		return rc;
	nlh = msg_start(&nl, buf, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, NLM_F_ACK);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	/* No tuple and no family: the kernel reads that as "every entry". */
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	rc = nl_talk(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return rc;
}

int nl_conntrack_flush(int nsfd)
{
	return netns_call(nsfd, flush_here, NULL);
}
