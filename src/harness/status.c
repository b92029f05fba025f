/* harness status: the lab's nodes, links and addresses, and its tunnels' counters. */
#include "commands.h"
#include "control.h"
#include "json_out.h"
#include "spawn.h"
#include "state.h"
#include "up.h"
#include "lib/netlink.h"
#include "lib/netns.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 16
#define MAX_ADDRS 8
#define TCOLS	  10 /* of the TUNNEL table */

struct link_view {
	struct nl_link link;
	struct prefix addrs[MAX_ADDRS];
	int naddrs;
};

struct node_view {
	char name[32];
	char ns[64];
	bool up;
	struct link_view links[MAX_LINKS];
	int nlinks;
};

static void usage(FILE *f)
{
	fputs("usage: harness status [options]\n"
	      "\n"
	      "Lists the lab's nodes with their links and addresses, and each tunnel\n"
	      "process with its endpoint and counters.\n"
	      "\n"
	      "  --json          the same, for scripts\n" LAB_HELP,
	      f);
}

static void take_link(const struct nl_link *l, void *arg)
{
	struct node_view *v = arg;

	if (v->nlinks < MAX_LINKS && strcmp(l->name, "lo") != 0)
		v->links[v->nlinks++].link = *l;
}

static void take_addr(const struct nl_addr *a, void *arg)
{
	struct node_view *v = arg;

	/* Link-local addresses are the kernel's own; they only clutter the view. */
	if (a->prefix.family == AF_INET6 && a->prefix.addr[0] == 0xfe &&
	    (a->prefix.addr[1] & 0xc0) == 0x80)
		return;
	for (int i = 0; i < v->nlinks; i++) {
		struct link_view *l = &v->links[i];

		if (l->link.index == a->index && l->naddrs < MAX_ADDRS)
			l->addrs[l->naddrs++] = a->prefix;
	}
}

/* A node's links and addresses, read in its namespace (v->ns). */
static void look(struct node_view *v)
{
	struct nl nl;
	int fd;

	fd = netns_open(v->ns);
	if (fd < 0)
		return;
	v->up = true;
	if (nl_open_in(&nl, fd) == 0) {
		nl_dump_links(&nl, take_link, v);
		nl_dump_addrs(&nl, take_addr, v);
		nl_close(&nl);
	}
	close(fd);
}

static int widest(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

/*
 * The lab's nodes, then each laptop that up --clients added (no node of
 * the lab's own), found by the namespace the lab recorded for it.
 */
static int views(const struct lab *lab, const struct record *recs, int nrecs,
		 struct node_view **out)
{
	struct node_view *v =
	    calloc(lab->topo.nnodes + (size_t)(nrecs > 0 ? nrecs : 0), sizeof(*v));
	int n = 0;

	*out = v;
	if (!v)
		return -1;
	for (; (size_t)n < lab->topo.nnodes; n++) {
		snprintf(v[n].name, sizeof(v[n].name), "%s", lab_name(lab, n));
		lab_ns(lab, n, v[n].ns, sizeof(v[n].ns));
	}
	for (int i = 0; i < nrecs; i++) {
		const char *node = lab_ns_node(lab, recs[i].name);

		if (recs[i].kind != REC_NETNS || !node || !lab_extra_laptop(node))
			continue;
		snprintf(v[n].name, sizeof(v[n].name), "%s", node);
		snprintf(v[n].ns, sizeof(v[n].ns), "%s", recs[i].name);
		n++;
	}
	for (int i = 0; i < n; i++)
		look(&v[i]);
	return n;
}

static void print_nodes(const struct lab *lab, const struct node_view *v, int nv)
{
	const struct term *t = &lab->term;
	int wn = 4, wl = 4; /* NODE and LINK: as wide as the longest name */
	char p[64];

	for (int n = 0; n < nv; n++) {
		wn = widest(wn, v[n].name);
		for (int i = 0; i < v[n].nlinks; i++)
			wl = widest(wl, v[n].links[i].link.name);
	}
	printf("%s%-*s %-*s %5s  %-5s %s%s\n", term_c(t, C_BOLD), wn, "NODE", wl, "LINK", "MTU",
	       "STATE", "ADDRESSES", term_c(t, C_RESET));
	for (int n = 0; n < nv; n++) {
		if (!v[n].up) {
			printf("%-*s %s(no namespace %s)%s\n", wn, v[n].name, term_c(t, C_RED),
			       v[n].ns, term_c(t, C_RESET));
			continue;
		}
		for (int i = 0; i < v[n].nlinks; i++) {
			const struct link_view *l = &v[n].links[i];

			/* No padding after the state when no address follows it. */
			printf("%-*s %-*s %5d  %s%-*s%s", wn, i ? "" : v[n].name, wl, l->link.name,
			       l->link.mtu, term_c(t, l->link.up ? C_GREEN : C_RED),
			       l->naddrs ? 5 : 0, l->link.up ? "up" : "down", term_c(t, C_RESET));
			for (int a = 0; a < l->naddrs; a++)
				printf(" %s", prefix_str(&l->addrs[a], p, sizeof(p)));
			putchar('\n');
		}
	}
}

/* One recorded process of the lab, as status shows it. */
struct proc_view {
	const struct record *r;
	bool running;
	bool tunnel; /* ours or another project's, not a delay line or an exec line */
	struct control_reply reply; /* our tunnel's stats from its control socket, or none */
	char col[TCOLS][64];
};

static bool is_tunnel(const char *what)
{
	return !strcmp(what, "tunnel") || !strcmp(what, "wireguard-go") || other_find(what);
}

/* The columns of a tunnel's row, as text, so the table can be as wide as they are. */
static void tunnel_cells(struct proc_view *p)
{
	const char *const keys[TCOLS] = {NULL,
					 NULL,
					 CTL_ROLE,
					 CTL_MODE,
					 CTL_ENDPOINT,
					 CTL_SOURCE,
					 ctl_counter.tx_packets,
					 ctl_counter.tx_bytes,
					 ctl_counter.rx_packets,
					 ctl_counter.rx_bytes};

	snprintf(p->col[0], sizeof(p->col[0]), "%s", p->r->name);
	snprintf(p->col[1], sizeof(p->col[1]), "%d", (int)p->r->pid);
	for (int k = 2; k < TCOLS; k++)
		snprintf(p->col[k], sizeof(p->col[k]), "-");
	if (!p->running)
		return;
	/* Another program (wireguard-go, openvpn...) has no control socket: name it. */
	if (!control_get(&p->reply, CTL_MODE)) {
		snprintf(p->col[3], sizeof(p->col[3]), "%s", p->r->what);
		return;
	}
	for (int k = 2; k < TCOLS; k++) {
		const char *v = control_get(&p->reply, keys[k]);

		snprintf(p->col[k], sizeof(p->col[k]), "%s", v ? v : "-");
	}
}

/*
 * Whether a drop counter means something in this mode: plaintext and pi
 * count only the reasons CTL_DROPS marks plain; a counter that is not 0
 * is shown whatever it is.
 */
static bool drop_applies(const char *name, const char *value, bool encrypted)
{
	return encrypted || value[0] != '0' || ctl_drop_plain(name);
}

static void print_tunnels(const struct lab *lab, struct proc_view *pv, int n)
{
	const struct term *t = &lab->term;
	static const char *const head[TCOLS] = {"TUNNEL",    "PID",  "ROLE",	  "MODE",
						"ENDPOINT",  "FROM", "SENT pkts", "bytes",
						"RECV pkts", "bytes"};
	int w[TCOLS];

	for (int k = 0; k < TCOLS; k++)
		w[k] = (int)strlen(head[k]);
	for (int i = 0; i < n; i++)
		for (int k = 0; pv[i].tunnel && k < TCOLS; k++)
			w[k] = widest(w[k], pv[i].col[k]);
	/* The counters' headers meet at the slash their values meet at. */
	printf("\n%s%-*s %*s  %-*s %-*s %-*s %-*s %*s/%-*s %*s/%s%s\n", term_c(t, C_BOLD), w[0],
	       head[0], w[1], head[1], w[2], head[2], w[3], head[3], w[4], head[4], w[5], head[5],
	       w[6], head[6], w[7], head[7], w[8], head[8], head[9], term_c(t, C_RESET));
	for (int i = 0; i < n; i++) {
		const struct proc_view *p = &pv[i];
		const char *mode = control_get(&p->reply, CTL_MODE);
		size_t plen = strlen(CTL_DROP_PREFIX);

		if (!p->tunnel)
			continue;
		if (!p->running) {
			printf("%-*s %*s  %snot running%s\n", w[0], p->col[0], w[1], p->col[1],
			       term_c(t, C_RED), term_c(t, C_RESET));
			continue;
		}
		printf("%-*s %*s  %-*s %-*s %-*s %-*s %*s/%-*s %*s/%s\n", w[0], p->col[0], w[1],
		       p->col[1], w[2], p->col[2], w[3], p->col[3], w[4], p->col[4], w[5],
		       p->col[5], w[6], p->col[6], w[7], p->col[7], w[8], p->col[8], p->col[9]);
		if (!mode)
			continue;
		printf("%-*s %*s  drops:", w[0], "", w[1], "");
		for (int k = 0; k < p->reply.n; k++) {
			const struct control_kv *kv = &p->reply.kv[k];

			if (!strncmp(kv->key, CTL_DROP_PREFIX, plen) &&
			    drop_applies(kv->key + plen, kv->value, !strcmp(mode, "encrypted")))
				printf(" %s=%s", kv->key + plen, kv->value);
		}
		putchar('\n');
	}
}

/* The lab's other processes: delay lines, a lab file's exec lines, iperf3. */
static void print_processes(const struct lab *lab, const struct proc_view *pv, int n)
{
	const struct term *t = &lab->term;
	int wn = 4, wp = 3, ww = 4;

	for (int i = 0; i < n; i++)
		if (!pv[i].tunnel) {
			wn = widest(wn, pv[i].col[0]);
			wp = widest(wp, pv[i].col[1]);
			ww = widest(ww, pv[i].r->what);
		}
	printf("\n%s%-*s %*s  %-*s %s%s\n", term_c(t, C_BOLD), wn, "NODE", wp, "PID", ww, "PROCESS",
	       "STATE", term_c(t, C_RESET));
	for (int i = 0; i < n; i++)
		if (!pv[i].tunnel)
			printf("%-*s %*s  %-*s %s%s%s\n", wn, pv[i].col[0], wp, pv[i].col[1], ww,
			       pv[i].r->what, term_c(t, pv[i].running ? C_GREEN : C_RED),
			       pv[i].running ? "running" : "not running", term_c(t, C_RESET));
}

static json_t *json_links(const struct node_view *v)
{
	json_t *links = json_array();
	char p[64];

	for (int i = 0; i < v->nlinks; i++) {
		const struct link_view *l = &v->links[i];
		json_t *addrs = json_array();

		for (int a = 0; a < l->naddrs; a++)
			json_array_append_new(addrs,
					      jout_text(prefix_str(&l->addrs[a], p, sizeof(p))));
		json_array_append_new(links, json_pack("{s:o, s:i, s:b, s:o}", "name",
						       jout_text(l->link.name), "mtu", l->link.mtu,
						       "up", l->link.up, "addresses", addrs));
	}
	return links;
}

static json_t *json_nodes(const struct node_view *v, int nv)
{
	json_t *nodes = json_array();

	for (int n = 0; n < nv; n++)
		json_array_append_new(nodes, json_pack("{s:o, s:o, s:b, s:o}", "name",
						       jout_text(v[n].name), "namespace",
						       jout_text(v[n].ns), "up", v[n].up, "links",
						       json_links(&v[n])));
	return nodes;
}

/* A process, and a running tunnel's counters as they came from its control socket. */
static json_t *json_proc(const struct proc_view *p)
{
	json_t *o = json_pack("{s:o, s:i, s:b, s:o}", "node", jout_text(p->r->name), "pid",
			      p->r->pid, "running", p->running, "what", jout_text(p->r->what));

	for (int i = 0; o && i < p->reply.n; i++)
		/* A key that is not UTF-8 cannot be a JSON key: it is left out. */
		json_object_set_new(o, p->reply.kv[i].key, jout_reply_value(p->reply.kv[i].value));
	return o;
}

/* "tunnels": the tunnels only; "processes": the lab's other processes. */
static void json_procs(json_t *out, const struct proc_view *pv, int n)
{
	for (int pass = 0; pass < 2; pass++) {
		json_t *a = json_array();

		for (int i = 0; i < n; i++)
			if (pv[i].tunnel == !pass)
				json_array_append_new(a, json_proc(&pv[i]));
		json_object_set_new(out, pass ? "processes" : "tunnels", a);
	}
}

/* The lab's recorded processes, with each running tunnel's counters; how many. */
static int collect(const struct lab *lab, const struct record *recs, int n, struct proc_view *pv)
{
	int m = 0;

	for (int i = 0; i < n; i++) {
		struct proc_view *p = &pv[m];
		int node = lab_node(lab, recs[i].name);
		bool extra = node < 0 && lab_extra_laptop(recs[i].name);

		if (recs[i].kind != REC_PROC || (node < 0 && !extra))
			continue;
		p->r = &recs[i];
		p->running = proc_running(recs[i].pid, recs[i].start);
		/* A delay line that "set" replaced or removed was stopped on purpose. */
		if (!p->running && !strncmp(recs[i].what, "delay-line", 10))
			continue;
		p->tunnel = is_tunnel(recs[i].what);
		control_parse("", &p->reply);
		if (p->tunnel && p->running &&
		    control_ask_name(lab, recs[i].name, CTL_STATS, &p->reply))
			control_parse("", &p->reply);
		tunnel_cells(p);
		m++;
	}
	return m;
}

static void show_procs(const struct lab *lab, const struct record *recs, int n, json_t *out)
{
	struct proc_view *pv = n > 0 ? calloc((size_t)n, sizeof(*pv)) : NULL;
	int m = pv ? collect(lab, recs, n, pv) : 0, tunnels = 0;

	for (int i = 0; i < m; i++)
		tunnels += pv[i].tunnel;
	if (out)
		json_procs(out, pv, m);
	else if (tunnels)
		print_tunnels(lab, pv, m);
	else
		printf("\nno tunnel\n");
	if (!lab->json && tunnels < m)
		print_processes(lab, pv, m);
	free(pv);
}

static int show(const struct lab *lab)
{
	struct node_view *v = NULL;
	struct record *recs = NULL;
	json_t *out = NULL;
	int n, nv;

	n = state_load(lab, &recs);
	nv = views(lab, recs, n, &v);
	if (nv < 0) {
		free(recs);
		return 1;
	}
	if (lab->json) {
		out = json_pack("{s:o, s:b, s:o}", "lab", jout_text(lab->name), "up", 1, "nodes",
				json_nodes(v, nv));
	} else {
		printf("Lab '%s'\n\n", lab->name);
		print_nodes(lab, v, nv);
	}
	show_procs(lab, recs, n < 0 ? 0 : n, out);
	if (lab->json)
		jout_print(out, stdout);
	free(recs);
	free(v);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct common c = {0};
	struct lab lab;
	char err[256];
	int rc;

	rc = parse_common("status", argc, argv, &c, usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (lab_init(&lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness status: %s\n", err);
		return 2;
	}
	lab.json = c.json;
	if (!state_exists(&lab)) {
		if (lab.json) {
			jout_print(json_pack("{s:o, s:b}", "lab", jout_text(lab.name), "up", 0),
				   stdout);
		} else {
			if (!strcmp(lab.name, LAB_DEFAULT))
				printf("Lab 'default' is not up (start it with: make lab, or "
				       "./harness up)\n");
			else
				printf("Lab '%s' is not up (start it with: ./harness up --lab %s "
				       "[FILE])\n",
				       lab.name, lab.name);
		}
		lab_fini(&lab);
		return 3;
	}
	rc = show(&lab);
	lab_fini(&lab);
	return rc;
}
