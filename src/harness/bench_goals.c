/*
 * harness bench: the project's speed goals, each a ratio of two paths
 * measured in the same run, so that the machine's mood falls on both.
 * The console and --json print the same list.
 */
#include "bench.h"

#include <stddef.h>

const struct path *bench_find(const struct bench *b, enum path_id k)
{
	for (int i = 0; i < b->npaths; i++)
		if (b->paths[i].kind == k)
			return &b->paths[i];
	return NULL;
}

double bench_ratio(double a, double b)
{
	return a >= 0 && b > 0 ? a / b : -1;
}

double bench_added_rtt(const struct bench *b, const struct path *p)
{
	const struct path *bare = bench_find(b, PATH_BARE);

	if (!bare || p->kind == PATH_BARE)
		return -1;
	return p->fig.rtt_median - bare->fig.rtt_median;
}

bool goal_met(const struct goal *g)
{
	return g->at_most ? g->value <= g->target : g->value >= g->target;
}

static void add(struct goal *g, int *n, int max, struct goal one)
{
	if (*n < max && one.value >= 0)
		g[(*n)++] = one;
}

/* The added RTT of p as a share of wireguard-go's: both must add something. */
static double rtt_share(const struct bench *b, const struct path *p, const struct path *go)
{
	double ours = bench_added_rtt(b, p), theirs = bench_added_rtt(b, go);

	return ours >= 0 && theirs > 0 ? ours / theirs : -1;
}

static void against_wireguard_go(const struct bench *b, struct goal *g, int *n, int max)
{
	const struct path *go = bench_find(b, PATH_WIREGUARD_GO),
			  *enc = bench_find(b, PATH_ENCRYPTED), *pt = bench_find(b, PATH_PLAINTEXT);

	if (!go)
		return;
	if (enc) {
		add(g, n, max,
		    (struct goal){"encrypted_tcp_of_wireguard_go",
				  "encrypted TCP throughput, of wireguard-go's",
				  bench_ratio(enc->fig.tcp[TCP1_UP], go->fig.tcp[TCP1_UP]), 8,
				  false, "×"});
		add(g, n, max,
		    (struct goal){
			"encrypted_cpu_of_wireguard_go", "encrypted CPU per GB, of wireguard-go's",
			bench_ratio(enc->fig.cpu_per_gb, go->fig.cpu_per_gb), 0.12, true, "×"});
		add(g, n, max,
		    (struct goal){"encrypted_pps_of_wireguard_go",
				  "encrypted 64-byte rate delivered, of wireguard-go's",
				  bench_ratio(enc->fig.pps, go->fig.pps), 3, false, "×"});
		add(g, n, max,
		    (struct goal){"encrypted_rtt_of_wireguard_go",
				  "encrypted added RTT, of wireguard-go's", rtt_share(b, enc, go),
				  1.0 / 3, true, "×"});
	}
	if (pt)
		add(g, n, max,
		    (struct goal){"plaintext_rtt_of_wireguard_go",
				  "plaintext added RTT, of wireguard-go's", rtt_share(b, pt, go),
				  1.0 / 3, true, "×"});
}

/*
 * Plaintext against the bare underlay: in the pair (two namespaces, one
 * link) the tunnel's own cost, held to 45%; through the lab's NAT and
 * routers, where the bare path never cuts a packet, to a third.
 */
static void against_bare(const struct bench *b, struct goal *g, int *n, int max)
{
	const struct path *bare = bench_find(b, PATH_BARE), *pt = bench_find(b, PATH_PLAINTEXT);

	if (!bare || !pt)
		return;
	add(g, n, max,
	    (struct goal){"plaintext_tcp_of_bare",
			  b->pair ? "plaintext TCP throughput, of the bare link's"
				  : "plaintext TCP throughput, of the bare underlay's",
			  bench_ratio(pt->fig.tcp[TCP1_UP], bare->fig.tcp[TCP1_UP]),
			  b->pair ? 0.45 : 0.33, false, "×"});
	add(g, n, max,
	    (struct goal){"plaintext_pps_of_bare", "plaintext 64-byte rate delivered, of bare's",
			  bench_ratio(pt->fig.pps, bare->fig.pps), 0.8, false, "×"});
}

int bench_goals(const struct bench *b, struct goal *g, int max)
{
	const struct path *enc = bench_find(b, PATH_ENCRYPTED), *pt = bench_find(b, PATH_PLAINTEXT);
	int n = 0;

	if (enc && pt)
		add(g, &n, max,
		    (struct goal){
			"encrypted_tcp_of_plaintext", "encrypted TCP throughput, of plaintext's",
			bench_ratio(enc->fig.tcp[TCP1_UP], pt->fig.tcp[TCP1_UP]), 0.6, false, "×"});
	against_wireguard_go(b, g, &n, max);
	against_bare(b, g, &n, max);
	for (int k = PATH_PLAINTEXT; k <= PATH_ENCRYPTED; k++) {
		const struct path *p = bench_find(b, (enum path_id)k);

		if (p && p->fig.rss >= 0)
			add(g, &n, max,
			    (struct goal){k == PATH_PLAINTEXT ? "plaintext_rss_mib"
							      : "encrypted_rss_mib",
					  k == PATH_PLAINTEXT ? "plaintext tunnel's peak RSS"
							      : "encrypted tunnel's peak RSS",
					  p->fig.rss / 1048576, 16, true, " MiB"});
	}
	return n;
}
