/* harness status: the lab's nodes, links and addresses, and its tunnels' counters. */
#include "commands.h"
#include "control.h"
#include "spawn.h"
#include "state.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "lib/netns.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 16
#define MAX_ADDRS 8

struct link_view {
	struct nl_link link;
	struct prefix addrs[MAX_ADDRS];
	int naddrs;
};

struct node_view {
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
	      "  --json          the same, for scripts\n" COMMON_HELP,
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

static void look(const struct lab *lab, int n, struct node_view *v)
{
	struct nl nl;
	int fd;

	memset(v, 0, sizeof(*v));
	lab_ns(lab, n, v->ns, sizeof(v->ns));
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

static void print_nodes(const struct lab *lab, const struct node_view *v)
{
	const struct term *t = &lab->term;
	char p[64];

	printf("%s%-15s %-7s %5s  %-5s %s%s\n", term_c(t, C_BOLD), "NODE", "LINK", "MTU", "STATE",
	       "ADDRESSES", term_c(t, C_RESET));
	for (int n = 0; (size_t)n < lab->topo.nnodes; n++) {
		if (!v[n].up) {
			printf("%-15s %s(no namespace %s)%s\n", lab_name(lab, n), term_c(t, C_RED),
			       v[n].ns, term_c(t, C_RESET));
			continue;
		}
		for (int i = 0; i < v[n].nlinks; i++) {
			const struct link_view *l = &v[n].links[i];

			printf("%-15s %-7s %5d  %s%-5s%s", i ? "" : lab_name(lab, n), l->link.name,
			       l->link.mtu, term_c(t, l->link.up ? C_GREEN : C_RED),
			       l->link.up ? "up" : "down", term_c(t, C_RESET));
			for (int a = 0; a < l->naddrs; a++)
				printf(" %s", prefix_str(&l->addrs[a], p, sizeof(p)));
			putchar('\n');
		}
	}
}

static const char *val(const char *reply, const char *key, char *buf, size_t cap)
{
	const char *v = control_value(reply, key, buf, cap);

	return v ? v : "-";
}

static void print_tunnel(const struct lab *lab, const struct record *r, bool running,
			 const char *reply)
{
	char a[64], b[64], c[64], d[64], e[64], f[64], g[64], h[64];

	if (!running) {
		printf("%-15s %7d  %s%s%s\n", r->name, r->pid, term_c(&lab->term, C_RED),
		       "not running", term_c(&lab->term, C_RESET));
		return;
	}
	/* Another program (wireguard-go, openvpn...) has no control socket: name it. */
	if (!control_value(reply, "mode", b, sizeof(b))) {
		printf("%-15s %7d  %-7s %-10s\n", r->name, r->pid, "-", r->what);
		return;
	}
	/* FROM: our address the peer's datagrams arrive on, which replies leave from. */
	printf("%-15s %7d  %-7s %-10s %-22s %-17s %10s/%-10s %10s/%-10s\n", r->name, r->pid,
	       val(reply, "role", a, sizeof(a)), val(reply, "mode", b, sizeof(b)),
	       val(reply, "endpoint", c, sizeof(c)), val(reply, "source", h, sizeof(h)),
	       val(reply, "tx_packets", d, sizeof(d)), val(reply, "tx_bytes", e, sizeof(e)),
	       val(reply, "rx_packets", f, sizeof(f)), val(reply, "rx_bytes", g, sizeof(g)));
	printf("%-15s %7s  drops:", "", "");
	for (const char *line = reply; line && *line; line = control_next_line(line))
		if (!strncmp(line, "drop_", 5))
			printf(" %.*s", (int)strcspn(line + 5, "\n"), line + 5);
	putchar('\n');
}

static void json_nodes(const struct lab *lab, const struct node_view *v)
{
	char p[64];

	printf("\"nodes\":[");
	for (int n = 0; (size_t)n < lab->topo.nnodes; n++) {
		printf("%s{\"name\":", n ? "," : "");
		json_str(stdout, lab_name(lab, n));
		printf(",\"namespace\":");
		json_str(stdout, v[n].ns);
		printf(",\"up\":%s,\"links\":[", v[n].up ? "true" : "false");
		for (int i = 0; i < v[n].nlinks; i++) {
			const struct link_view *l = &v[n].links[i];

			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, l->link.name);
			printf(",\"mtu\":%d,\"up\":%s,\"addresses\":[", l->link.mtu,
			       l->link.up ? "true" : "false");
			for (int a = 0; a < l->naddrs; a++) {
				printf("%s", a ? "," : "");
				json_str(stdout, prefix_str(&l->addrs[a], p, sizeof(p)));
			}
			printf("]}");
		}
		printf("]}");
	}
	printf("]");
}

static void json_tunnel(const struct record *r, bool running, const char *reply, bool first)
{
	printf("%s{\"node\":", first ? "" : ",");
	json_str(stdout, r->name);
	printf(",\"pid\":%d,\"running\":%s", r->pid, running ? "true" : "false");
	for (const char *line = reply; running && line && *line; line = control_next_line(line)) {
		size_t k = strcspn(line, "="), len = strcspn(line, "\n");
		char key[64], value[128];

		if (k >= len || k >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)k, line);
		snprintf(value, sizeof(value), "%.*s", (int)(len - k - 1), line + k + 1);
		printf(",");
		json_str(stdout, key);
		printf(":");
		json_value(stdout, value);
	}
	printf("}");
}

static void show_tunnels(const struct lab *lab, const struct record *recs, int n)
{
	char ctl[PATH_MAX], reply[2048];
	bool first = true;

	if (lab->json)
		printf(",\"tunnels\":[");
	else
		/* The counters' headers meet at the slash their values meet at. */
		printf("\n%s%-15s %7s  %-7s %-10s %-22s %-17s %10s/%-10s %10s/%-10s%s\n",
		       term_c(&lab->term, C_BOLD), "TUNNEL", "PID", "ROLE", "MODE", "ENDPOINT",
		       "FROM", "SENT pkts", "bytes", "RECV pkts", "bytes",
		       term_c(&lab->term, C_RESET));
	for (int i = 0; i < n; i++) {
		int node = lab_node(lab, recs[i].name);
		bool running;

		if (recs[i].kind != REC_PROC || node < 0)
			continue;
		running = proc_running(recs[i].pid, recs[i].start);
		/* A delay line that "set" replaced or removed was stopped on purpose. */
		if (!running && !strcmp(recs[i].what, "delay-line"))
			continue;
		reply[0] = '\0';
		lab_file(lab, node, "ctl", ctl, sizeof(ctl));
		if (running && control_query(ctl, "stats", reply, sizeof(reply)))
			reply[0] = '\0';
		if (lab->json)
			json_tunnel(&recs[i], running, reply, first);
		else
			print_tunnel(lab, &recs[i], running, reply);
		first = false;
	}
	if (lab->json)
		printf("]");
}

static int show(const struct lab *lab)
{
	struct node_view *v = calloc(lab->topo.nnodes, sizeof(*v));
	struct record *recs = NULL;
	int n;

	if (!v)
		return 1;
	n = state_load(lab, &recs);
	for (size_t i = 0; i < lab->topo.nnodes; i++)
		look(lab, (int)i, &v[i]);
	if (lab->json) {
		printf("{\"lab\":");
		json_str(stdout, lab->name);
		printf(",\"up\":true,");
		json_nodes(lab, v);
	} else {
		printf("Lab '%s'\n\n", lab->name);
		print_nodes(lab, v);
	}
	show_tunnels(lab, recs, n < 0 ? 0 : n);
	if (lab->json)
		printf("}\n");
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
			printf("{\"lab\":");
			json_str(stdout, lab.name);
			printf(",\"up\":false}\n");
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
