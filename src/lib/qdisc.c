#include "qdisc.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>

/* Large enough for the queue to cover a few milliseconds at 10 Gbit/s. */
#define QUEUE_PACKETS 10000

static struct nlmsghdr *qdisc_msg(struct nl *nl, char *buf, uint16_t type, uint16_t flags,
				  int index, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = index;
	tcm->tcm_parent = TC_H_ROOT;
	if (kind)
		mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return nlh;
}

/*
 * netem's TCA_OPTIONS is a struct followed by attributes, not a plain
 * nest, so the attribute header is written by hand and sized at the end.
 */
static struct nlattr *options_start(struct nlmsghdr *nlh, const void *head, size_t len)
{
	struct nlattr *opt = mnl_nlmsg_get_payload_tail(nlh);

	opt->nla_type = TCA_OPTIONS;
	nlh->nlmsg_len += MNL_ATTR_HDRLEN;
	memcpy(mnl_nlmsg_get_payload_tail(nlh), head, len);
	nlh->nlmsg_len += MNL_ALIGN(len);
	return opt;
}

static void options_end(struct nlmsghdr *nlh, struct nlattr *opt)
{
	opt->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)opt);
}

static int talk(struct nl *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, NULL, NULL);
	return rc < 0 ? -errno : 0;
}

int qdisc_netem(struct nl *nl, int index, const struct netem *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    qdisc_msg(nl, buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, index, "netem");
	struct tc_netem_qopt q = {.limit = QUEUE_PACKETS};
	struct nlattr *opt;

	q.loss = (uint32_t)(n->loss / 100.0 * (double)UINT32_MAX);
	opt = options_start(nlh, &q, sizeof(q));
	if (n->delay_ns)
		mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, n->delay_ns);
	if (n->rate) {
		struct tc_netem_rate r = {.rate = n->rate > UINT32_MAX ? UINT32_MAX
								       : (uint32_t)n->rate};

		mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(r), &r);
		if (n->rate > UINT32_MAX)
			mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, n->rate);
	}
	options_end(nlh, opt);
	return talk(nl, nlh);
}

int qdisc_tbf(struct nl *nl, int index, uint64_t rate)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    qdisc_msg(nl, buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, index, "tbf");
	struct tc_tbf_qopt q = {0};
	struct nlattr *opt;
	/* A burst of 10 ms at the rate (at least 64 KiB), and a queue of 50 ms. */
	uint32_t burst = rate / 100 > 65536 ? (uint32_t)(rate / 100) : 65536;

	q.rate.rate = rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
	q.limit = (uint32_t)(rate / 20 > 131072 ? rate / 20 : 131072);
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	mnl_attr_put_u64(nlh, TCA_TBF_RATE64, rate);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(nlh, opt);
	return talk(nl, nlh);
}

int qdisc_clear(struct nl *nl, int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = qdisc_msg(nl, buf, RTM_DELQDISC, 0, index, NULL);
	int rc = talk(nl, nlh);

	/* Nothing to delete comes back as ENOENT, or EINVAL for the default qdisc. */
	return rc == -ENOENT || rc == -EINVAL ? 0 : rc;
}
