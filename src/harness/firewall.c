#include "firewall.h"
#include "lib/netns.h"
#include "reorder.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nft_job {
	const char *script;
	const char *ns;
	char *err;
	size_t errlen;
	char *out; /* what nft printed, when not NULL */
	size_t outlen;
};

static int run_nft(void *arg)
{
	struct nft_job *j = arg;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int rc;

	if (!nft) {
		snprintf(j->err, j->errlen, "cannot start libnftables");
		return 1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, j->script);
	if (!rc && j->out)
		snprintf(j->out, j->outlen, "%s", nft_ctx_get_output_buffer(nft));
	if (rc) {
		msg = nft_ctx_get_error_buffer(nft);
		snprintf(j->err, j->errlen, "nftables in %s refused the rules: %.*s", j->ns,
			 (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
	}
	nft_ctx_free(nft);
	return rc ? 1 : 0; /* positive: refused, with err set; negative is for netns_call */
}

/* Runs an nft script in a node's namespace; the nft context lives and dies there. */
static int nft_read_in_node(const struct lab *lab, int node, const char *script, char *out,
			    size_t outlen, char *err, size_t errlen)
{
	char ns[64];
	struct nft_job j = {script, lab_ns(lab, node, ns, sizeof(ns)), err, errlen, out, outlen};
	int rc = netns_call_name(ns, run_nft, &j);

	if (rc < 0)
		snprintf(err, errlen, "cannot enter namespace %s: %s", ns, netns_error(rc));
	return rc ? -1 : 0;
}

static int nft_in_node(const struct lab *lab, int node, const char *script, char *err,
		       size_t errlen)
{
	return nft_read_in_node(lab, node, script, NULL, 0, err, errlen);
}

static int masquerade(const struct lab *lab, int router, const char *wan, int lo, char *err,
		      size_t errlen)
{
	char script[768], ports[160] = "", ns[64];

	/* Ports can be mapped only where a rule names the transport protocol. */
	if (lo)
		snprintf(ports, sizeof(ports),
			 "    oifname \"%s\" meta l4proto { tcp, udp } masquerade to :%d-%d\n", wan,
			 lo, lo + NAT_RANGE_PORTS - 1);
	/* The inet family covers IPv4 and IPv6 with one table; the first two lines
	 * make "replace the table" one transaction whether or not it exists. */
	snprintf(script, sizeof(script),
		 "table inet tunlab {}\n"
		 "delete table inet tunlab\n"
		 "table inet tunlab {\n"
		 "  chain postrouting {\n"
		 "    type nat hook postrouting priority srcnat; policy accept;\n"
		 "%s"
		 "    oifname \"%s\" masquerade\n"
		 "  }\n"
		 "}\n",
		 ports, wan);
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, router, ns, sizeof(ns)), script);
	return nft_in_node(lab, router, script, err, errlen);
}

int nat_masquerade(const struct lab *lab, int router, const char *wan, char *err, size_t errlen)
{
	return masquerade(lab, router, wan, 0, err, errlen);
}

int nat_masquerade_range(const struct lab *lab, int router, const char *wan, int lo, char *err,
			 size_t errlen)
{
	char now[4096], lo_a[16];

	if (lo < 0) {
		/* The other of two ranges, so no mapping can keep its old port. */
		if (nft_read_in_node(lab, router, "list table inet tunlab\n", now, sizeof(now), err,
				     errlen))
			return -1;
		snprintf(lo_a, sizeof(lo_a), ":%d-", NAT_RANGE_A);
		lo = strstr(now, lo_a) ? NAT_RANGE_B : NAT_RANGE_A;
	}
	return masquerade(lab, router, wan, lo, err, errlen) ? -1 : lo;
}

/* Adding an empty table first makes the delete safe when there is none. */
static int drop_table(const struct lab *lab, int node, const char *table, char *err, size_t errlen)
{
	char script[256], ns[64];

	snprintf(script, sizeof(script), "add table inet %s\ndelete table inet %s\n", table, table);
	lab_explain(lab, "ip netns exec %s nft delete table inet %s",
		    lab_ns(lab, node, ns, sizeof(ns)), table);
	return nft_in_node(lab, node, script, err, errlen);
}

int firewall_block_icmp(const struct lab *lab, int node, bool on, char *err, size_t errlen)
{
	static const char rules[] =
	    "    icmp type destination-unreachable icmp code frag-needed counter drop\n"
	    "    icmpv6 type packet-too-big counter drop\n";
	char script[1024], ns[64];

	if (!on)
		return drop_table(lab, node, "tunlab_block", err, errlen);
	/* Both the router's own messages (output) and those it forwards. */
	snprintf(script, sizeof(script),
		 "table inet tunlab_block {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority filter; policy accept;\n%s"
		 "  }\n"
		 "  chain output {\n"
		 "    type filter hook output priority filter; policy accept;\n%s"
		 "  }\n"
		 "}\n",
		 rules, rules);
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, node, ns, sizeof(ns)), script);
	return nft_in_node(lab, node, script, err, errlen);
}

int firewall_loss(const struct lab *lab, int node, double percent, char *err, size_t errlen)
{
	char script[512], ns[64];

	if (drop_table(lab, node, "tunlab_loss", err, errlen))
		return -1;
	if (percent <= 0)
		return 0;
	/* In hundredths of a percent, so 0.5% is 50 in 10000. */
	snprintf(script, sizeof(script),
		 "table inet tunlab_loss {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority filter; policy accept;\n"
		 "    numgen random mod 10000 < %u counter drop\n"
		 "  }\n"
		 "}\n",
		 (unsigned int)(percent * 100 + 0.5));
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, node, ns, sizeof(ns)), script);
	return nft_in_node(lab, node, script, err, errlen);
}

/*
 * In hundredths of a percent.  Corruption overwrites byte 56 of a UDP
 * payload (inside the inner packet, or the ciphertext); duplicates go to the
 * next hop the original goes to, so each direction has its rule.
 */
/*
 * The internet node's side toward node to, as the routes go, and the
 * neighbour across it: where a duplicate is sent so it goes on as the
 * original does.  On cgnat that neighbour is the carrier, whose address is
 * what the home's packets carry there, not the home router's.
 */
static int side_toward(const struct lab *lab, int to, const char **side, char *hop, size_t cap,
		       char *err, size_t errlen)
{
	const struct topo *t = &lab->topo;
	int net = lab_role(lab, ROLE_INTERNET), i = lab_iface_route(t, net, to), peer = -1,
	    pif = i >= 0 ? lab_iface_peer(t, net, i, &peer) : -1;

	hop[0] = '\0';
	for (size_t k = 0; pif >= 0 && k < t->nodes[peer].ifaces[pif].naddrs && !hop[0]; k++) {
		const char *a = t->nodes[peer].ifaces[pif].addrs[k].cidr;

		if (strchr(a, '.'))
			snprintf(hop, cap, "%.*s", (int)strcspn(a, "/"), a);
	}
	if (!hop[0]) {
		snprintf(err, errlen, "no IPv4 neighbour of %s leads to %s", lab_name(lab, net),
			 lab_name(lab, to));
		return -1;
	}
	*side = t->nodes[net].ifaces[i].name;
	return 0;
}

int firewall_impair(const struct lab *lab, const struct impair *im, char *err, size_t errlen)
{
	char script[1024], ns[64], hop[2][48];
	const char *side[2];
	int net = lab_role(lab, ROLE_INTERNET);

	/* An ip table, not inet: nftables duplicates only within a family. */
	if (nft_in_node(lab, net, "add table ip tunlab_impair\ndelete table ip tunlab_impair\n",
			err, errlen))
		return -1;
	if (im->loss <= 0 && im->dup <= 0 && im->corrupt <= 0)
		return 0;
	if (side_toward(lab, lab_role(lab, ROLE_SERVER), &side[0], hop[0], sizeof(hop[0]), err,
			errlen) ||
	    side_toward(lab, lab_role(lab, ROLE_NAT), &side[1], hop[1], sizeof(hop[1]), err,
			errlen))
		return -1;
	/* Each direction by the side it leaves from: what crosses toward the home and the office.
	 */
	snprintf(script, sizeof(script),
		 "table ip tunlab_impair {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority filter; policy accept;\n"
		 "    meta l4proto udp numgen random mod 10000 < %u @th,512,8 set 0x5a counter\n"
		 "    numgen random mod 10000 < %u counter drop\n"
		 "    oifname \"%s\" numgen random mod 10000 < %u counter dup to %s device \"%s\"\n"
		 "    oifname \"%s\" numgen random mod 10000 < %u counter dup to %s device \"%s\"\n"
		 "  }\n"
		 "}\n",
		 (unsigned int)(im->corrupt * 100 + 0.5), (unsigned int)(im->loss * 100 + 0.5),
		 side[0], (unsigned int)(im->dup * 100 + 0.5), hop[0], side[0], side[1],
		 (unsigned int)(im->dup * 100 + 0.5), hop[1], side[1]);
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, net, ns, sizeof(ns)), script);
	return nft_in_node(lab, net, script, err, errlen);
}

int firewall_impaired(const struct lab *lab, unsigned long long counts[4], char *err, size_t errlen)
{
	char out[4096];
	const char *p = out;

	if (nft_read_in_node(lab, lab_role(lab, ROLE_INTERNET), "list table ip tunlab_impair", out,
			     sizeof(out), err, errlen))
		return -1;
	/* The rules in the order they were written: corrupt, drop, dup one way, the other. */
	for (int i = 0; i < 4; i++) {
		p = strstr(p, "counter packets ");
		if (!p)
			return -1;
		p += strlen("counter packets ");
		counts[i] = strtoull(p, NULL, 10);
	}
	return 0;
}

/*
 * Sends a share of the IP packets arriving on some of a node's devices to
 * a delay line's TUN device, at ingress, before routing: what the delay
 * line writes back is then routed as if it had just arrived.  Loss is
 * dropped there too, before the share is taken.  Only IP: ARP and IPv6
 * neighbour discovery stay on time, and are never lost, so the link's
 * neighbours stay known (a solicitation coming back out of the TUN device
 * would be answered for the wrong device).
 */
int firewall_divert(const struct lab *lab, int node, const struct divert *d, char *err,
		    size_t errlen)
{
	char script[4096], drop[160] = "", share[64] = "", fwd[160] = "", ns[64];
	unsigned int loss = (unsigned int)(d->loss * 100 + 0.5),
		     n = (unsigned int)(d->share * 100 + 0.5);
	size_t len;

	/* In hundredths of a percent; numgen's values run 0..9999, so every
	 * packet is said without it. */
	if (loss)
		snprintf(
		    drop, sizeof(drop),
		    "    meta protocol { ip, ip6 } numgen random mod 10000 < %u counter drop\n",
		    loss);
	if (n && n < 10000)
		snprintf(share, sizeof(share), "numgen random mod 10000 < %u ", n);
	if (n)
		snprintf(fwd, sizeof(fwd),
			 "    meta protocol { ip, ip6 } %scounter fwd to \"%s\"\n", share, d->dev);
	snprintf(script, sizeof(script), "add table netdev %s\ndelete table netdev %s\n", d->table,
		 d->table);
	if (nft_in_node(lab, node, script, err, errlen))
		return -1;
	if (!loss && !n)
		return 0;
	len = (size_t)snprintf(script, sizeof(script), "table netdev %s {\n", d->table);
	/* One chain a device, named by its place: lab interface names may start with a digit. */
	for (size_t i = 0; i < d->nifaces && len < sizeof(script); i++)
		len += (size_t)snprintf(
		    script + len, sizeof(script) - len,
		    "  chain in%zu {\n"
		    "    type filter hook ingress device \"%s\" priority filter; policy accept;\n"
		    "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, "
		    "nd-router-advert, nd-redirect } accept\n"
		    "%s%s"
		    "  }\n",
		    i, d->ifaces[i], drop, fwd);
	if (len < sizeof(script))
		snprintf(script + len, sizeof(script) - len, "}\n");
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, node, ns, sizeof(ns)), script);
	return nft_in_node(lab, node, script, err, errlen);
}

int firewall_diverted(const struct lab *lab, int node, const char *table, unsigned long long *count,
		      char *err, size_t errlen)
{
	char out[4096], cmd[128], *save = NULL;

	*count = 0;
	snprintf(cmd, sizeof(cmd), "list table netdev %s", table);
	if (nft_read_in_node(lab, node, cmd, out, sizeof(out), err, errlen))
		return -1;
	/* Only the rules that forward: a drop rule's counter is packets lost. */
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *c = strstr(line, "counter packets ");

		if (c && strstr(line, " fwd to "))
			*count += strtoull(c + strlen("counter packets "), NULL, 10);
	}
	return 0;
}

/* What harness set --reorder and --delay (without netem) divert: the internet's two sides. */
int firewall_reorder(const struct lab *lab, double percent, char *err, size_t errlen)
{
	int net = lab_role(lab, ROLE_INTERNET);
	const char *sides[2] = {lab_uplink(lab, net, lab_role(lab, ROLE_NAT)),
				lab_uplink(lab, net, lab_role(lab, ROLE_SERVER))};
	struct divert d = {.table = REORDER_TABLE,
			   .ifaces = sides,
			   .nifaces = 2,
			   .share = percent,
			   .dev = REORDER_DEV};

	if (!sides[0] || !sides[1]) {
		snprintf(err, errlen, "no link leads from %s to the NAT and the server",
			 lab_name(lab, net));
		return -1;
	}
	return firewall_divert(lab, net, &d, err, errlen);
}

int firewall_reordered(const struct lab *lab, unsigned long long *count, char *err, size_t errlen)
{
	return firewall_diverted(lab, lab_role(lab, ROLE_INTERNET), REORDER_TABLE, count, err,
				 errlen);
}
