/*
 * The map of a lab, drawn from topologies built here: a chain of five like
 * home-office with a tunnel and an impaired link, a star of four, a single
 * node without links.  The text map must name every node and address,
 * line each node's lines up under its name (in screen columns, where a
 * box character is three bytes), draw the tunnel, and send no escape to
 * a file; the SVG must be whole, name everything, and never be written
 * through a symbolic link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/graph.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building topologies ---- */

static char *xdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static int add_node(struct topo *t, const char *name, const char *label)
{
	struct topo_node *n;

	t->nodes = realloc(t->nodes, (t->nnodes + 1) * sizeof(*t->nodes));
	assert_non_null(t->nodes);
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = xdup(name);
	n->label = label ? xdup(label) : NULL;
	return (int)t->nnodes++;
}

/* An interface with one or two addresses (a6 may be NULL). */
static void add_iface(struct topo *t, int node, const char *name, const char *a4, const char *a6)
{
	struct topo_node *n = &t->nodes[node];
	struct topo_iface *ifc;

	n->ifaces = realloc(n->ifaces, (n->nifaces + 1) * sizeof(*n->ifaces));
	assert_non_null(n->ifaces);
	ifc = &n->ifaces[n->nifaces++];
	memset(ifc, 0, sizeof(*ifc));
	ifc->name = xdup(name);
	ifc->addrs = calloc(2, sizeof(*ifc->addrs));
	assert_non_null(ifc->addrs);
	ifc->addrs[ifc->naddrs++].cidr = xdup(a4);
	if (a6)
		ifc->addrs[ifc->naddrs++].cidr = xdup(a6);
}

static void set_end(struct topo *t, struct topo_end *e, const char *node, const char *iface)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "%s:%s", node, iface);
	e->spec = xdup(spec);
	e->node = topo_node(t, node);
	assert_true(e->node >= 0);
	e->iface = topo_iface(&t->nodes[e->node], iface);
	assert_true(e->iface >= 0);
}

static struct topo_link *add_link(struct topo *t, const char *an, const char *ai, const char *bn,
				  const char *bi)
{
	struct topo_link *l;

	t->links = realloc(t->links, (t->nlinks + 1) * sizeof(*t->links));
	assert_non_null(t->links);
	l = &t->links[t->nlinks++];
	memset(l, 0, sizeof(*l));
	set_end(t, &l->a, an, ai);
	set_end(t, &l->b, bn, bi);
	return l;
}

static void set_member(struct topo *t, struct topo_member *m, const char *node, const char *a4,
		       const char *a6)
{
	m->node_name = xdup(node);
	m->node = topo_node(t, node);
	assert_true(m->node >= 0);
	m->addrs = calloc(2, sizeof(char *));
	assert_non_null(m->addrs);
	m->addrs[m->naddrs++] = xdup(a4);
	if (a6)
		m->addrs[m->naddrs++] = xdup(a6);
}

static void add_tunnel(struct topo *t, const char *client, const char *server)
{
	struct topo_tunnel *tu;

	t->tunnels = calloc(1, sizeof(*t->tunnels));
	assert_non_null(t->tunnels);
	t->ntunnels = 1;
	tu = &t->tunnels[0];
	tu->name = xdup("vpn");
	tu->mode = MODE_ENCRYPTED;
	tu->port = 1234;
	set_member(t, &tu->server, server, "172.31.255.13/24", "fd00:172:31:255::13/64");
	tu->clients = calloc(1, sizeof(*tu->clients));
	assert_non_null(tu->clients);
	tu->nclients = 1;
	set_member(t, &tu->clients[0], client, "172.31.255.7/24", "fd00:172:31:255::7/64");
}

static const char *const chain_names[] = {"home-laptop", "home-router", "internet", "office-server",
					  "office-host"};

/* home-office, with its office uplink narrowed and impaired. */
static void chain5(struct topo *t)
{
	struct topo_link *l;

	topo_init(t);
	t->name = xdup("home-office");
	add_node(t, "home-laptop", "VPN client");
	add_iface(t, 0, "eth0", "192.168.1.192/24", "fd00:192:168:1::192/64");
	add_node(t, "home-router", "NAT router");
	add_iface(t, 1, "lan", "192.168.1.1/24", "fd00:192:168:1::1/64");
	add_iface(t, 1, "wan", "198.51.100.2/24", "2001:db8:198::2/64");
	t->nodes[1].masquerade = xdup("wan");
	t->nodes[1].forward = true;
	add_node(t, "internet", NULL);
	add_iface(t, 2, "home", "198.51.100.1/24", "2001:db8:198::1/64");
	add_iface(t, 2, "office", "203.0.113.1/24", "2001:db8:203::1/64");
	add_node(t, "office-server", "VPN server");
	add_iface(t, 3, "wan", "203.0.113.10/24", "2001:db8:203::10/64");
	add_iface(t, 3, "lan", "172.31.9.116/20", "fd00:172:31::116/64");
	add_node(t, "office-host", NULL);
	add_iface(t, 4, "eth0", "172.31.9.200/20", "fd00:172:31::200/64");
	add_link(t, "home-laptop", "eth0", "home-router", "lan");
	add_link(t, "home-router", "wan", "internet", "home");
	l = add_link(t, "internet", "office", "office-server", "wan");
	l->im = (struct topo_impair){.mtu = 1400,
				     .delay_ns = 20000000,
				     .loss = 1.5,
				     .rate = 1250000,
				     .reorder = 5,
				     .block_icmp = true};
	add_link(t, "office-server", "lan", "office-host", "eth0");
	add_tunnel(t, "home-laptop", "office-server");
	t->roles[ROLE_CLIENT] = 0;
	t->roles[ROLE_SERVER] = 3;
}

static const char *const star_names[] = {"hub", "leaf-a", "leaf-b", "leaf-c"};

/* A router with three leaves, and a tunnel between two leaves. */
static void star4(struct topo *t)
{
	topo_init(t);
	add_node(t, "hub", "router");
	add_iface(t, 0, "eth1", "10.0.1.1/24", NULL);
	add_iface(t, 0, "eth2", "10.0.2.1/24", NULL);
	add_iface(t, 0, "eth3", "10.0.3.1/24", "fd00:3::1/64");
	for (int i = 1; i <= 3; i++) {
		char a[32], hif[8];

		add_node(t, star_names[i], NULL);
		snprintf(a, sizeof(a), "10.0.%d.2/24", i);
		add_iface(t, i, "eth0", a, NULL);
		snprintf(hif, sizeof(hif), "eth%d", i);
		add_link(t, "hub", hif, star_names[i], "eth0");
	}
	t->links[1].im.mtu = 1280;
	add_tunnel(t, "leaf-a", "leaf-c");
}

static void single(struct topo *t)
{
	topo_init(t);
	add_node(t, "alone", "a node by itself");
	add_iface(t, 0, "eth0", "192.0.2.7/24", "2001:db8::7/64");
}

/* ---- reading the text map ---- */

struct map {
	char *text, *copy;
	size_t len;
	char **lines;
	int n;
};

static void draw(const struct topo *t, bool color, struct map *m)
{
	struct term term = {.color = color};
	FILE *f;
	char *save = NULL;

	memset(m, 0, sizeof(*m));
	f = open_memstream(&m->text, &m->len);
	assert_non_null(f);
	assert_int_equal(graph_ascii(t, &term, f), 0);
	assert_int_equal(fclose(f), 0);
	m->lines = calloc(m->len + 1, sizeof(char *));
	assert_non_null(m->lines);
	/* A copy cut into lines; text stays whole for strstr. */
	m->copy = xdup(m->text);
	for (char *line = strtok_r(m->copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		m->lines[m->n++] = line;
}

static void map_free(struct map *m)
{
	free(m->copy);
	free(m->lines);
	free(m->text);
}

/* The screen column of byte p of line: UTF-8 continuation bytes take none. */
static int column(const char *line, const char *p)
{
	int c = 0;

	for (const char *q = line; q < p; q++)
		if ((*q & 0xc0) != 0x80)
			c++;
	return c;
}

/* The byte of line at screen column col, or NULL. */
static const char *at_column(const char *line, int col)
{
	for (const char *p = line; *p; p++)
		if ((*p & 0xc0) != 0x80 && column(line, p) == col)
			return p;
	return NULL;
}

static int find_line(const struct map *m, const char *needle)
{
	for (int i = 0; i < m->n; i++)
		if (strstr(m->lines[i], needle))
			return i;
	return -1;
}

/* Every address of every interface appears, at least without its length. */
static void assert_addresses(const struct topo *t, const char *text)
{
	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t k = 0; k < t->nodes[i].nifaces; k++)
			for (size_t a = 0; a < t->nodes[i].ifaces[k].naddrs; a++) {
				char addr[64];

				snprintf(addr, sizeof(addr), "%s",
					 t->nodes[i].ifaces[k].addrs[a].cidr);
				*strchr(addr, '/') = '\0';
				if (!strstr(text, addr))
					fail_msg("address %s is not on the map", addr);
			}
}

static void test_chain_names_addresses(void **state)
{
	struct topo t;
	struct map m;

	(void)state;
	chain5(&t);
	draw(&t, false, &m);
	for (size_t i = 0; i < 5; i++)
		assert_non_null(strstr(m.text, chain_names[i]));
	assert_addresses(&t, m.text);
	/* The subnets above the links, NAT, the impairments of the office uplink. */
	assert_non_null(strstr(m.text, "192.168.1.0/24"));
	assert_non_null(strstr(m.text, "fd00:192:168:1::/64"));
	assert_non_null(strstr(m.text, "172.31.0.0/20"));
	assert_non_null(strstr(m.text, "NAT out of wan"));
	assert_non_null(strstr(m.text, "mtu 1400"));
	assert_non_null(strstr(m.text, "delay 20ms"));
	assert_non_null(strstr(m.text, "loss 1.5%"));
	assert_non_null(strstr(m.text, "rate 10mbit"));
	assert_non_null(strstr(m.text, "reorder 5%"));
	assert_non_null(strstr(m.text, "block-icmp"));
	assert_null(strchr(m.text, '\033'));
	map_free(&m);
	topo_free(&t);
}

/* The row of nodes, in order, joined by ───. */
static void test_chain_row(void **state)
{
	struct topo t;
	struct map m;
	int r;
	const char *prev = NULL;

	(void)state;
	chain5(&t);
	draw(&t, false, &m);
	r = find_line(&m, "home-laptop ─");
	assert_true(r >= 0);
	for (size_t i = 0; i < 5; i++) {
		const char *p = strstr(m.lines[r], chain_names[i]);

		assert_non_null(p);
		assert_true(!prev || p > prev);
		prev = p;
	}
	assert_non_null(strstr(m.lines[r], "home-router ─"));
	assert_non_null(strstr(m.lines[r], "─ office-host"));
	map_free(&m);
	topo_free(&t);
}

/*
 * Beneath each name, in the very column its name starts in: the interface
 * facing the link to its left (or its right, for the first), then that
 * interface's first address.
 */
static void test_chain_alignment(void **state)
{
	static const char *const below[5][2] = {
	    {"eth0", "192.168.1.192"}, {"lan", "192.168.1.1"},	 {"home", "198.51.100.1"},
	    {"wan", "203.0.113.10"},   {"eth0", "172.31.9.200"},
	};
	struct topo t;
	struct map m;
	int r;

	(void)state;
	chain5(&t);
	draw(&t, false, &m);
	r = find_line(&m, "home-laptop ─");
	assert_true(r >= 0 && r + 2 < m.n);
	for (size_t i = 0; i < 5; i++) {
		int col = column(m.lines[r], strstr(m.lines[r], chain_names[i]));

		for (int k = 0; k < 2; k++) {
			const char *p = at_column(m.lines[r + 1 + k], col);

			if (!p || strncmp(p, below[i][k], strlen(below[i][k])))
				fail_msg("%s is not under %s (column %d): '%s'", below[i][k],
					 chain_names[i], col, m.lines[r + 1 + k]);
		}
	}
	/* home-router's second interface follows its first, in its column too. */
	assert_non_null(strstr(m.lines[r + 4], "wan"));
	assert_int_equal(column(m.lines[r + 4], strstr(m.lines[r + 4], "wan")),
			 column(m.lines[r], strstr(m.lines[r], "home-router")));
	map_free(&m);
	topo_free(&t);
}

/* The tunnel: a ═══ line from under home-laptop to office-server's column. */
static void test_chain_tunnel(void **state)
{
	struct topo t;
	struct map m;
	int r, n, tl;

	(void)state;
	chain5(&t);
	draw(&t, false, &m);
	n = find_line(&m, "home-laptop ─");
	tl = find_line(&m, "vpn: UDP 1234, encrypted");
	assert_true(tl > n);
	r = tl;
	assert_non_null(strstr(m.lines[r], "═══"));
	assert_non_null(strstr(m.lines[r], "172.31.255.7/24 ═"));
	assert_non_null(strstr(m.lines[r], "═ 172.31.255.13/24"));
	assert_int_equal(column(m.lines[r], strstr(m.lines[r], "172.31.255.7")),
			 column(m.lines[n], strstr(m.lines[n], "home-laptop")));
	assert_true(r + 1 < m.n);
	assert_non_null(strstr(m.lines[r + 1], "fd00:172:31:255::7/64"));
	assert_non_null(strstr(m.lines[r + 1], "fd00:172:31:255::13/64"));
	/* The two ends of the line end in the same column. */
	assert_int_equal(column(m.lines[r], m.lines[r] + strlen(m.lines[r])),
			 column(m.lines[r + 1], m.lines[r + 1] + strlen(m.lines[r + 1])));
	/* No ═ on the row of nodes: the tunnel is a line of its own. */
	assert_null(strstr(m.lines[n], "═"));
	map_free(&m);
	topo_free(&t);
}

/* Colour on a terminal only, and never an escape from the lab's own words. */
static void test_colour_only_on_tty(void **state)
{
	struct topo t;
	struct map m;

	(void)state;
	chain5(&t);
	free(t.nodes[4].name);
	t.nodes[4].name = xdup("office\033[2Jhost");
	draw(&t, true, &m);
	assert_non_null(strchr(m.text, '\033'));
	assert_null(strstr(m.text, "\033[2J"));
	assert_non_null(strstr(m.text, "office?[2Jhost"));
	map_free(&m);
	draw(&t, false, &m);
	assert_null(strchr(m.text, '\033'));
	map_free(&m);
	topo_free(&t);
}

/* Not a chain: a tree from the hub, every node once, every address whole. */
static void test_star(void **state)
{
	struct topo t;
	struct map m;
	int branches = 0;

	(void)state;
	star4(&t);
	draw(&t, false, &m);
	for (size_t i = 0; i < 4; i++) {
		char *p = strstr(m.text, star_names[i]);

		assert_non_null(p);
	}
	for (size_t i = 0; i < t.nnodes; i++)
		for (size_t k = 0; k < t.nodes[i].nifaces; k++)
			for (size_t a = 0; a < t.nodes[i].ifaces[k].naddrs; a++)
				assert_non_null(strstr(m.text, t.nodes[i].ifaces[k].addrs[a].cidr));
	assert_int_equal(find_line(&m, "hub"), 0);
	for (int i = 0; i < m.n; i++)
		if (strstr(m.lines[i], "├── leaf-") || strstr(m.lines[i], "└── leaf-"))
			branches++;
	assert_int_equal(branches, 3);
	assert_true(find_line(&m, "└── leaf-c  (eth3 ─── eth0)") >= 0);
	assert_true(find_line(&m, "leaf-b  (eth2 ─── eth0, mtu 1280)") >= 0);
	assert_true(find_line(&m, "leaf-a ═") >= 0);
	assert_true(find_line(&m, "vpn: UDP 1234, encrypted ═") >= 0);
	assert_true(find_line(&m, "═ leaf-c") >= 0);
	assert_true(find_line(&m, "172.31.255.13/24") >= 0);
	assert_null(strchr(m.text, '\033'));
	map_free(&m);
	topo_free(&t);
}

/*
 * A loop of three and a node no link reaches: each node drawn once, the
 * link that closes the loop on a line of its own, the lone node a tree of
 * its own.
 */
static void test_loop_and_island(void **state)
{
	static const char *const names[] = {"r1", "r2", "r3"};
	struct topo t;
	struct map m;

	(void)state;
	topo_init(&t);
	for (int i = 0; i < 3; i++) {
		char a[32], b[32];

		add_node(&t, names[i], NULL);
		snprintf(a, sizeof(a), "10.%d.0.1/24", i);
		snprintf(b, sizeof(b), "10.%d.0.2/24", (i + 2) % 3);
		add_iface(&t, i, "left", a, NULL);
		add_iface(&t, i, "right", b, NULL);
	}
	add_node(&t, "island", NULL);
	add_iface(&t, 3, "eth0", "192.0.2.1/24", NULL);
	add_link(&t, "r1", "left", "r2", "right");
	add_link(&t, "r2", "left", "r3", "right");
	add_link(&t, "r3", "left", "r1", "right")->im.delay_ns = 1500000;
	draw(&t, false, &m);
	for (int i = 0; i < 3; i++) {
		char header[16];
		int n = 0;

		snprintf(header, sizeof(header), "── %s  (", names[i]);
		for (int l = 0; l < m.n; l++)
			n += strstr(m.lines[l], header) != NULL;
		assert_int_equal(n, i ? 1 : 0);
	}
	assert_int_equal(find_line(&m, "r1"), 0);
	assert_true(find_line(&m, "└── r3  (right ─── left, delay 1500us)") > 0);
	assert_true(find_line(&m, "also r2:left ─── r3:right") > 0);
	assert_true(find_line(&m, "island") > find_line(&m, "also"));
	/* The loop's line ends its own tree, before the blank line and the island. */
	assert_non_null(strstr(m.text, "also r2:left ─── r3:right\n\n  island\n"));
	assert_addresses(&t, m.text);
	map_free(&m);
	topo_free(&t);
}

static void test_single(void **state)
{
	struct topo t;
	struct map m;

	(void)state;
	single(&t);
	draw(&t, false, &m);
	assert_non_null(strstr(m.lines[0], "alone"));
	assert_addresses(&t, m.text);
	assert_null(strstr(m.text, "─"));
	assert_null(strstr(m.text, "═"));
	map_free(&m);
	topo_free(&t);
}

/* Indexes that point nowhere are refused before a byte is written. */
static void test_insane(void **state)
{
	struct term term = {0};
	struct topo t;
	char *text = NULL, err[256];
	size_t len = 0;
	FILE *f;

	(void)state;
	chain5(&t);
	t.links[2].b.iface = 7;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(graph_ascii(&t, &term, f), -1);
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
	assert_int_equal(graph_svg(&t, "/nonexistent/x.svg", err, sizeof(err)), -1);
	topo_free(&t);
	/* A name missing where the map would print it. */
	chain5(&t);
	free(t.nodes[2].ifaces[1].name);
	t.nodes[2].ifaces[1].name = NULL;
	assert_int_equal(graph_ascii(&t, &term, stdout), -1);
	topo_free(&t);
}

/* The topology for scripts: every field, and a label's quote escaped. */
static void test_json(void **state)
{
	static const char *const want[] = {
	    "{\"name\":\"home-office\",\"nodes\":[{\"name\":\"home-laptop\",\"label\":\"the "
	    "\\\"laptop\\\"\","
	    "\"roles\":[\"client\"],\"forward\":false,\"masquerade\":null,"
	    "\"interfaces\":[{\"name\":\"eth0\",\"addresses\":[\"192.168.1.192/"
	    "24\",\"fd00:192:168:1::192/64\"]}]}",
	    "{\"name\":\"home-router\",\"label\":\"NAT "
	    "router\",\"roles\":[],\"forward\":true,\"masquerade\":\"wan\"",
	    "{\"a\":{\"node\":\"internet\",\"interface\":\"office\"},\"b\":{\"node\":\"office-"
	    "server\","
	    "\"interface\":\"wan\"},\"mtu\":1400,\"delay_ns\":20000000,\"loss\":1.5,\"rate\":"
	    "1250000,"
	    "\"reorder\":5,\"block_icmp\":true}",
	    "\"tunnels\":[{\"name\":\"vpn\",\"mode\":\"encrypted\",\"port\":1234,\"server\":{"
	    "\"node\":"
	    "\"office-server\",\"addresses\":[\"172.31.255.13/24\",\"fd00:172:31:255::13/"
	    "64\"],\"routes\":[]},"
	    "\"clients\":[{\"node\":\"home-laptop\"",
	};
	struct topo t;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	chain5(&t);
	free(t.nodes[0].label);
	t.nodes[0].label = xdup("the \"laptop\"");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	graph_json(&t, f);
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("not in the JSON: %s\n%s", want[i], text);
	assert_int_equal(text[len - 1], '\n');
	free(text);
	topo_free(&t);
}

/* ---- the SVG ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Graphviz writes '-' as &#45;: read it back as text. */
static void unentity(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (!strncmp(r, "&#45;", 5))
			*w++ = '-', r += 5;
		else
			*w++ = *r++;
	}
	*w = '\0';
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_svg(void **state)
{
	char dir[] = "/tmp/test_graph.XXXXXX", path[128], err[256];
	struct topo t;
	char *svg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/map.svg", dir);
	chain5(&t);
	if (graph_svg(&t, path, err, sizeof(err)))
		fail_msg("graph_svg: %s", err);
	svg = slurp(path);
	assert_true(!strncmp(svg, "<?xml", 5) || !strncmp(svg, "<svg", 4));
	assert_non_null(strstr(svg, "</svg>"));
	unentity(svg);
	for (size_t i = 0; i < 5; i++)
		assert_non_null(strstr(svg, chain_names[i]));
	assert_non_null(strstr(svg, "vpn: UDP 1234, encrypted"));
	assert_non_null(strstr(svg, "home-laptop 172.31.255.7/24, fd00:172:31:255::7/64"));
	assert_non_null(strstr(svg, "stroke-dasharray"));
	assert_non_null(strstr(svg, "eth0 192.168.1.192/24"));
	assert_non_null(strstr(svg, "mtu 1400"));
	assert_non_null(strstr(svg, "delay 20ms"));
	assert_non_null(strstr(svg, "block-icmp"));
	assert_non_null(strstr(svg, "role: client"));
	free(svg);
	/* Written again over the old one, and no temporary file left beside it. */
	assert_int_equal(graph_svg(&t, path, err, sizeof(err)), 0);
	assert_int_equal(entries(dir), 1);
	unlink(path);
	rmdir(dir);
	topo_free(&t);
}

static void test_svg_star_and_single(void **state)
{
	char dir[] = "/tmp/test_graph.XXXXXX", path[128], err[256];
	struct topo t;
	char *svg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/star.svg", dir);
	star4(&t);
	assert_int_equal(graph_svg(&t, path, err, sizeof(err)), 0);
	svg = slurp(path);
	unentity(svg);
	for (size_t i = 0; i < 4; i++)
		assert_non_null(strstr(svg, star_names[i]));
	free(svg);
	topo_free(&t);
	single(&t);
	assert_int_equal(graph_svg(&t, path, err, sizeof(err)), 0);
	svg = slurp(path);
	assert_non_null(strstr(svg, "alone"));
	free(svg);
	topo_free(&t);
	unlink(path);
	rmdir(dir);
}

/* A link at the path is left alone, and so is the file it points to. */
static void test_svg_refuses_symlink(void **state)
{
	char dir[] = "/tmp/test_graph.XXXXXX", path[128], target[128], err[256];
	struct topo t;
	char *kept;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/map.svg", dir);
	snprintf(target, sizeof(target), "%s/precious", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_int_equal(symlink(target, path), 0);
	chain5(&t);
	assert_int_equal(graph_svg(&t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	kept = slurp(target);
	assert_string_equal(kept, "keep");
	free(kept);
	/* Only the link and its target: no temporary file left behind. */
	assert_int_equal(entries(dir), 2);
	unlink(path);
	unlink(target);
	rmdir(dir);
	topo_free(&t);
}

static void test_load(void **state)
{
	struct topo t;
	char err[256];

	(void)state;
	assert_int_equal(graph_load(NULL, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nnodes, 5);
	assert_int_equal(t.nlinks, 4);
	assert_int_equal(t.ntunnels, 1);
	assert_true(graph_sane(&t));
	topo_free(&t);
	/* A file that is not there is refused; the reader says why on stderr, file first. */
	assert_int_equal(graph_load("/nonexistent/lab.yml", &t, err, sizeof(err)), -1);
	topo_free(&t);
	/* A shipped lab reads as the map draws it. */
	assert_int_equal(graph_load(FIXTURES "/../../labs/site-to-site.yml", &t, err, sizeof(err)),
			 0);
	assert_true(graph_sane(&t));
	assert_int_equal(t.ntunnels, 1);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_names_addresses),
	    cmocka_unit_test(test_chain_row),
	    cmocka_unit_test(test_chain_alignment),
	    cmocka_unit_test(test_chain_tunnel),
	    cmocka_unit_test(test_colour_only_on_tty),
	    cmocka_unit_test(test_star),
	    cmocka_unit_test(test_loop_and_island),
	    cmocka_unit_test(test_single),
	    cmocka_unit_test(test_insane),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_svg),
	    cmocka_unit_test(test_svg_star_and_single),
	    cmocka_unit_test(test_svg_refuses_symlink),
	    cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
