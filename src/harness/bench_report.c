/* harness bench: the table, the ratios and goals, --json, and the SVG chart. */
#include "bench.h"
#include "json_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void progress(struct bench *b, const char *fmt, ...)
{
	bool tty = isatty(STDOUT_FILENO);
	va_list ap;

	if (b->json)
		return;
	printf(tty ? "\r\033[K  … " : "  … ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!tty)
		putchar('\n');
	fflush(stdout);
	b->progress_shown = true;
}

void progress_done(struct bench *b)
{
	if (b->progress_shown && isatty(STDOUT_FILENO))
		printf("\r\033[K");
	b->progress_shown = false;
}

/*
 * A path's added RTT as a multiple of the floor's, the least any userspace
 * tunnel adds (one read and one write per packet); -1 unless both are known.
 */
static double rtt_vs_floor(const struct bench *b, const struct path *p)
{
	const struct path *fl = bench_find(b, PATH_FLOOR);
	double floor_added = fl ? bench_added_rtt(b, fl) : -1;

	if (!fl || p == fl || p->kind == PATH_BARE || floor_added <= 0 || bench_added_rtt(b, p) < 0)
		return -1;
	return bench_added_rtt(b, p) / floor_added;
}

static void cell(double v, const char *fmt, int width)
{
	if (v < 0)
		printf(" %*s", width, "-"); /* the same space before it as before a number */
	else
		printf(fmt, width, v);
}

static void table(const struct bench *b)
{
	const struct term *t = &b->term;

	printf("%s%-13s %8s %8s %8s %8s %9s %6s %7s %7s %7s %7s %7s %6s%s\n", term_c(t, C_BOLD),
	       "path", "TCP1 up", "TCP1 dn", "TCP4 up", "TCP4 dn", "UDP64", "loss", "RTT", "p99",
	       "+RTT", "CPU", "CPU", "RSS", term_c(t, C_RESET));
	/* "µs/pkt" is 7 bytes but 6 columns wide: its field is a byte wider. */
	printf("%s%-13s %8s %8s %8s %8s %9s %6s %7s %7s %7s %7s %8s %6s%s\n", term_c(t, C_DIM), "",
	       "Mbit/s", "Mbit/s", "Mbit/s", "Mbit/s", "kpps", "%", "ms", "ms", "ms", "s/GB",
	       "µs/pkt", "MiB", term_c(t, C_RESET));
	for (int i = 0; i < b->npaths; i++) {
		const struct path *p = &b->paths[i];
		const struct figures *f = &p->fig;

		printf("%-13s", bench_path_name(p->kind));
		for (int k = 0; k < TEST_COUNT; k++)
			cell(b->quick && k ? -1 : f->tcp[k] / 1e6, " %*.0f", 8);
		cell(f->pps / 1e3, " %*.1f", 9);
		cell(f->loss, " %*.1f", 6);
		cell(f->rtt_median, " %*.3f", 7);
		cell(f->rtt_p99, " %*.3f", 7);
		cell(bench_added_rtt(b, p), " %*.3f", 7);
		cell(f->cpu_per_gb, " %*.2f", 7);
		cell(f->cpu_per_pkt, " %*.2f", 7);
		cell(f->rss < 0 ? -1 : f->rss / 1048576, " %*.1f", 6);
		putchar('\n');
	}
}

/* The floor's added RTT, and each tunnel's as a multiple of it. */
static void floor_ratios(const struct bench *b)
{
	const struct path *fl = bench_find(b, PATH_FLOOR);
	bool any = false;

	for (int i = 0; i < b->npaths; i++)
		any = any || rtt_vs_floor(b, &b->paths[i]) >= 0;
	if (!any)
		return;
	printf("\nRTT vs floor: added RTT as a multiple of the floor's %.3f ms (one read and one\n"
	       "write per packet at each end, no protocol)\n",
	       bench_added_rtt(b, fl));
	for (int i = 0; i < b->npaths; i++) {
		double r = rtt_vs_floor(b, &b->paths[i]);

		if (r >= 0)
			printf("%-13s %13.2f×\n", bench_path_name(b->paths[i].kind), r);
	}
}

static void ratios(const struct bench *b)
{
	const struct path *bare = bench_find(b, PATH_BARE), *go = bench_find(b, PATH_WIREGUARD_GO);

	if (!bare && !go)
		return;
	printf("\n%-13s %14s %14s\n", "TCP1 up", bare ? "of bare" : "",
	       go ? "of wireguard-go" : "");
	for (int i = 0; i < b->npaths; i++) {
		const struct path *p = &b->paths[i];

		if (p == bare)
			continue;
		printf("%-13s", bench_path_name(p->kind));
		if (bare)
			printf(" %13.1f%%",
			       100 * bench_ratio(p->fig.tcp[TCP1_UP], bare->fig.tcp[TCP1_UP]));
		if (go)
			printf(" %13.2f×", bench_ratio(p->fig.tcp[TCP1_UP], go->fig.tcp[TCP1_UP]));
		putchar('\n');
	}
}

static void goal_line(const struct bench *b, const struct goal *g)
{
	const struct term *t = &b->term;
	bool met = goal_met(g);

	printf("  %s%-4s%s %-52s %8.2f%s (goal %s %.3g%s)\n", term_c(t, met ? C_GREEN : C_RED),
	       met ? "met" : "not", term_c(t, C_RESET), g->what, g->value, g->unit,
	       g->at_most ? "≤" : "≥", g->target, g->unit);
}

static void goals(const struct bench *b)
{
	struct goal g[GOALS_MAX];
	int n = bench_goals(b, g, GOALS_MAX);

	if (!n)
		return;
	printf("\nGoals, as ratios measured in this run:\n");
	for (int i = 0; i < n; i++)
		goal_line(b, &g[i]);
}

/* What the console prints below the table, per path: TCP1 up of bare's and of wireguard-go's. */
static void json_ratios(const struct bench *b, const struct path *p, json_t *o)
{
	const struct path *bare = bench_find(b, PATH_BARE), *go = bench_find(b, PATH_WIREGUARD_GO);

	if (bare && p != bare)
		json_object_set_new(
		    o, "tcp1_up_of_bare",
		    jout_fixed(bench_ratio(p->fig.tcp[TCP1_UP], bare->fig.tcp[TCP1_UP]), 4));
	if (go)
		json_object_set_new(
		    o, "tcp1_up_of_wireguard_go",
		    jout_fixed(bench_ratio(p->fig.tcp[TCP1_UP], go->fig.tcp[TCP1_UP]), 4));
}

static json_t *json_figures(const struct bench *b, const struct path *p)
{
	const struct figures *f = &p->fig;
	json_t *o =
	    json_pack("{s:s, s:o}", "path", bench_path_name(p->kind), "lab", jout_text(p->lab));
	char key[64];

	if (!o)
		return NULL;
	for (int k = 0; k < TEST_COUNT; k++)
		if (!b->quick || k == TCP1_UP) {
			snprintf(key, sizeof(key), "%s_bps", bench_test_name((enum test)k));
			json_object_set_new(o, key, jout_whole(f->tcp[k]));
		}
	json_object_set_new(o, "udp64_pps", jout_whole(f->pps));
	json_object_set_new(o, "udp64_loss_percent", jout_fixed(f->loss, 2));
	json_object_set_new(o, "rtt_median_ms", jout_fixed(f->rtt_median, 4));
	json_object_set_new(o, "rtt_p99_ms", jout_fixed(f->rtt_p99, 4));
	if (bench_added_rtt(b, p) >= -1e9 && p->kind != PATH_BARE && bench_find(b, PATH_BARE))
		json_object_set_new(o, "rtt_added_ms", jout_fixed(bench_added_rtt(b, p), 4));
	if (rtt_vs_floor(b, p) >= 0)
		json_object_set_new(o, "rtt_vs_floor", jout_fixed(rtt_vs_floor(b, p), 3));
	if (f->cpu_per_gb >= 0)
		json_object_set_new(o, "cpu_seconds_per_gb", jout_fixed(f->cpu_per_gb, 3));
	if (f->cpu_per_pkt >= 0)
		json_object_set_new(o, "udp64_cpu_us_per_packet", jout_fixed(f->cpu_per_pkt, 3));
	if (f->rss >= 0)
		json_object_set_new(o, "peak_rss_bytes", jout_whole(f->rss));
	json_object_set_new(o, "rounds", json_integer(b->rounds));
	json_ratios(b, p, o);
	return o;
}

/* The goals, as the console prints them; none with --quick, which measures no speed. */
static json_t *json_goals(const struct bench *b)
{
	struct goal g[GOALS_MAX];
	int n = b->quick ? 0 : bench_goals(b, g, GOALS_MAX);
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:o, s:o, s:s, s:b}", "goal", g[i].key, "what",
				 g[i].what, "value", jout_fixed(g[i].value, 4), "target",
				 jout_fixed(g[i].target, 4), "compare",
				 g[i].at_most ? "at_most" : "at_least", "met", goal_met(&g[i])));
	return a;
}

void report(const struct bench *b)
{
	if (b->json) {
		json_t *paths = json_array();

		for (int i = 0; i < b->npaths; i++)
			json_array_append_new(paths, json_figures(b, &b->paths[i]));
		jout_print(json_pack("{s:i, s:i, s:o, s:o, s:o}", "seconds_per_run", b->seconds,
				     "rounds", b->rounds, "elapsed_seconds",
				     jout_fixed(b->elapsed, 1), "paths", paths, "goals",
				     json_goals(b)),
			   stdout);
		return;
	}
	printf(
	    "Medians of %d round%s, %d s per iperf3 run, paths taken in turn (%.0f s in all)\n\n",
	    b->rounds, b->rounds == 1 ? "" : "s", b->seconds, b->elapsed);
	table(b);
	floor_ratios(b);
	ratios(b);
	if (!b->quick)
		goals(b);
}

/* ---- the chart ---- */

#define BAR_W	 60
#define CHART_H	 240
#define CHART_X0 60
#define CHART_Y0 40

static const char *const colours[PATH_COUNT] = {"#888888", "#bbbbbb", "#4c72b0", "#55a868",
						"#c44e52", "#8172b2", "#ccb974", "#64b5cd"};

int plot(const struct bench *b, const char *file)
{
	FILE *f = fopen(file, "we");
	double top = 1;
	int ntests = b->quick ? 1 : TEST_COUNT;
	int width = CHART_X0 + ntests * (b->npaths * BAR_W + 40) + 20;

	if (!f)
		return -1;
	for (int i = 0; i < b->npaths; i++)
		for (int k = 0; k < ntests; k++)
			if (b->paths[i].fig.tcp[k] / 1e6 > top)
				top = b->paths[i].fig.tcp[k] / 1e6;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%d\" y=\"20\" "
		"font-size=\"15\">TCP throughput, Mbit/s (median of %d "
		"round%s)</text>\n",
		width, CHART_Y0 + CHART_H + 70, CHART_X0, b->rounds, b->rounds == 1 ? "" : "s");
	for (int k = 0; k < ntests; k++) {
		int gx = CHART_X0 + k * (b->npaths * BAR_W + 40);

		for (int i = 0; i < b->npaths; i++) {
			const struct path *p = &b->paths[i];
			double v = p->fig.tcp[k] / 1e6, h = v / top * CHART_H;
			int x = gx + i * BAR_W;

			fprintf(f,
				"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
				"fill=\"%s\"/>\n<text x=\"%d\" y=\"%.1f\" "
				"text-anchor=\"middle\">%.0f</text>\n",
				x, CHART_Y0 + CHART_H - h, BAR_W - 6, h, colours[p->kind],
				x + (BAR_W - 6) / 2, CHART_Y0 + CHART_H - h - 4, v);
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", gx, CHART_Y0 + CHART_H + 18,
			bench_test_name((enum test)k));
	}
	for (int i = 0; i < b->npaths; i++)
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text "
			"x=\"%d\" y=\"%d\">%s</text>\n",
			CHART_X0 + i * 130, CHART_Y0 + CHART_H + 36, colours[b->paths[i].kind],
			CHART_X0 + i * 130 + 16, CHART_Y0 + CHART_H + 46,
			bench_path_name(b->paths[i].kind));
	fprintf(f, "</svg>\n");
	return fclose(f);
}
