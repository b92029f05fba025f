#include "firewall.h"
#include "lib/netns.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Runs an nft script in a node's namespace; the nft context lives and dies there. */
static int nft_in_node(const struct lab *lab, enum node_id node, const char *script, char *err,
		       size_t errlen)
{
	struct nft_ctx *nft;
	const char *msg;
	char ns[64];
	int home, rc;

	lab_ns(lab, node, ns, sizeof(ns));
	home = netns_current();
	if (home < 0 || netns_enter_name(ns)) {
		snprintf(err, errlen, "cannot enter namespace %s", ns);
		if (home >= 0)
			close(home);
		return -1;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(err, errlen, "cannot start libnftables");
		rc = -1;
		goto out;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, script);
	if (rc) {
		msg = nft_ctx_get_error_buffer(nft);
		snprintf(err, errlen, "nftables in %s refused the rules: %.*s", ns,
			 (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
	}
	nft_ctx_free(nft);
out:
	netns_enter(home);
	close(home);
	return rc ? -1 : 0;
}

int nat_masquerade(const struct lab *lab, enum node_id router, const char *wan, char *err,
		   size_t errlen)
{
	char script[512], ns[64];

	/* The inet family covers IPv4 and IPv6 with one table. */
	snprintf(script, sizeof(script),
		 "table inet tunlab {\n"
		 "  chain postrouting {\n"
		 "    type nat hook postrouting priority srcnat; policy accept;\n"
		 "    oifname \"%s\" masquerade\n"
		 "  }\n"
		 "}\n",
		 wan);
	lab_explain(lab, "ip netns exec %s nft -f - <<'EOF'\n%sEOF",
		    lab_ns(lab, router, ns, sizeof(ns)), script);
	return nft_in_node(lab, router, script, err, errlen);
}

/* Adding an empty table first makes the delete safe when there is none. */
static int drop_table(const struct lab *lab, enum node_id node, const char *table, char *err,
		      size_t errlen)
{
	char script[256], ns[64];

	snprintf(script, sizeof(script), "add table inet %s\ndelete table inet %s\n", table, table);
	lab_explain(lab, "ip netns exec %s nft delete table inet %s",
		    lab_ns(lab, node, ns, sizeof(ns)), table);
	return nft_in_node(lab, node, script, err, errlen);
}

int firewall_block_icmp(const struct lab *lab, enum node_id node, bool on, char *err, size_t errlen)
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

int firewall_loss(const struct lab *lab, enum node_id node, double percent, char *err,
		  size_t errlen)
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
