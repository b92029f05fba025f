/*
 * The map of a lab as text.  Everything is first put on a canvas of
 * cells, one cell a column on the screen, so that columns line up however
 * many bytes a box character takes, and colour is added only when the
 * canvas is printed.  A name from a lab file is untrusted: control
 * characters and broken UTF-8 are drawn as '?', never sent to the terminal.
 */
#include "graph.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define INDENT	  2 /* the map's left margin */
#define LINK_MIN  6 /* from a node's widest line to the next node: " ──── " */
#define LABEL_GAP 2 /* between two labels on one row */
#define LABEL_MAX 64

struct cell {
	char ch[4];
	uint8_t len; /* 0: never written, a blank */
	uint8_t color;
};

struct row {
	struct cell *c;
	int n;
};

struct canvas {
	struct row *rows;
	int nrows;
	bool oom;
};

/* One character of s, made safe to print: returns the bytes it took. */
static int next_char(const unsigned char *s, char out[4], uint8_t *len)
{
	unsigned char b = s[0];
	int n = b < 0x80	     ? 1
		: (b & 0xe0) == 0xc0 ? 2
		: (b & 0xf0) == 0xe0 ? 3
		: (b & 0xf8) == 0xf0 ? 4
				     : 0;

	/* C0 and C1 controls (ESC, CSI) would reach the terminal as commands. */
	if (n == 0 || (n == 1 && (b < 0x20 || b == 0x7f)) || (b == 0xc2 && s[1] < 0xa0))
		goto bad;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
	memcpy(out, s, (size_t)n);
	*len = (uint8_t)n;
	return n;
bad:
	out[0] = '?';
	*len = 1;
	return 1;
}

/* Columns on the screen: one a character (the map's own are all narrow). */
static int text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char ch[4];
	uint8_t len;
	int w = 0;

	while (*p) {
		p += next_char(p, ch, &len);
		w++;
	}
	return w;
}

static struct row *canvas_row(struct canvas *cv, int r, int upto)
{
	if (r >= cv->nrows) {
		struct row *rows = realloc(cv->rows, (size_t)(r + 1) * sizeof(*rows));

		if (!rows)
			return NULL;
		memset(rows + cv->nrows, 0, (size_t)(r + 1 - cv->nrows) * sizeof(*rows));
		cv->rows = rows;
		cv->nrows = r + 1;
	}
	if (upto > cv->rows[r].n) {
		struct cell *c = realloc(cv->rows[r].c, (size_t)upto * sizeof(*c));

		if (!c)
			return NULL;
		memset(c + cv->rows[r].n, 0, (size_t)(upto - cv->rows[r].n) * sizeof(*c));
		cv->rows[r].c = c;
		cv->rows[r].n = upto;
	}
	return &cv->rows[r];
}

/* Writes s at row r, column x; returns the column after it. */
static int put(struct canvas *cv, int r, int x, enum term_color color, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = text_width(s);
	struct row *row;

	if (!w)
		return x;
	row = canvas_row(cv, r, x + w);
	if (!row) {
		cv->oom = true;
		return x;
	}
	while (*p && x < row->n) {
		struct cell *c = &row->c[x++];

		p += next_char(p, c->ch, &c->len);
		c->color = (uint8_t)color;
	}
	return x;
}

static int put_repeat(struct canvas *cv, int r, int x, enum term_color color, const char *s,
		      int times)
{
	for (int i = 0; i < times; i++)
		x = put(cv, r, x, color, s);
	return x;
}

static void canvas_print(const struct canvas *cv, const struct term *term, FILE *out)
{
	for (int r = 0; r < cv->nrows; r++) {
		const struct row *row = &cv->rows[r];
		int last = row->n - 1, color = C_RESET;

		while (last >= 0 && (!row->c[last].len || row->c[last].ch[0] == ' '))
			last--;
		for (int x = 0; x <= last; x++) {
			const struct cell *c = &row->c[x];

			if (c->color != color) {
				if (color != C_RESET)
					fputs(term_c(term, C_RESET), out);
				if (c->color != C_RESET)
					fputs(term_c(term, c->color), out);
				color = c->color;
			}
			if (c->len)
				fwrite(c->ch, 1, c->len, out);
			else
				fputc(' ', out);
		}
		if (color != C_RESET)
			fputs(term_c(term, C_RESET), out);
		fputc('\n', out);
	}
}

static void canvas_free(struct canvas *cv)
{
	for (int r = 0; r < cv->nrows; r++)
		free(cv->rows[r].c);
	free(cv->rows);
}

/* ---- a tunnel, drawn the same way in both layouts ---- */

struct strs {
	char **v;
	int n;
	bool oom;
};

static void strs_add(struct strs *s, const char *fmt, ...)
{
	char **v = realloc(s->v, (size_t)(s->n + 1) * sizeof(*v));
	va_list ap;

	if (!v) {
		s->oom = true;
		return;
	}
	s->v = v;
	va_start(ap, fmt);
	if (vasprintf(&s->v[s->n], fmt, ap) < 0)
		s->oom = true;
	else
		s->n++;
	va_end(ap);
}

static void strs_free(struct strs *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * left[0] ═══ mid ═══ right[0], reaching at least from x0 to x1, and the
 * further lines of each side beneath, the left ones flush left and the
 * right ones flush right.  Returns the rows it took.
 */
static int draw_tunnel(struct canvas *cv, int r, int x0, int x1, const struct strs *left,
		       const struct strs *right, const char *mid)
{
	const char *l0 = left->n ? left->v[0] : "", *r0 = right->n ? right->v[0] : "";
	int bars = x1 - x0 - text_width(l0) - text_width(r0) - text_width(mid) - 4, x, end,
	    rows = 1;

	if (bars < 6)
		bars = 6;
	x = put(cv, r, x0, C_CYAN, l0);
	x = put(cv, r, x, C_CYAN, " ");
	x = put_repeat(cv, r, x, C_CYAN, "═", bars / 2);
	x = put(cv, r, x, C_CYAN, " ");
	x = put(cv, r, x, C_CYAN, mid);
	x = put(cv, r, x, C_CYAN, " ");
	x = put_repeat(cv, r, x, C_CYAN, "═", bars - bars / 2);
	x = put(cv, r, x, C_CYAN, " ");
	end = put(cv, r, x, C_CYAN, r0);
	for (int k = 1; k < left->n || k < right->n; k++, rows++) {
		int lw = k < left->n ? put(cv, r + rows, x0, C_CYAN, left->v[k]) : x0;

		if (k >= right->n)
			continue;
		/* A right line that would touch the left one goes on a row of its own. */
		if (end - text_width(right->v[k]) <= lw)
			rows++;
		put(cv, r + rows, end - text_width(right->v[k]), C_CYAN, right->v[k]);
	}
	return rows;
}

static void member_addrs(const struct topo_member *m, struct strs *s)
{
	for (size_t i = 0; i < m->naddrs; i++)
		strs_add(s, "%s", m->addrs[i]);
}

/* ---- the chain: a row of nodes ---- */

struct col {
	int node, left, right; /* the links on either side, or -1 */
	struct strs lines;
	enum term_color *colors;
	int namew, w, x;
};

struct gap {
	char (*labels)[LABEL_MAX];
	enum term_color *colors;
	int nlabels, w;
};

/* The nodes in chain order and the link after each, if t is one chain. */
static int chain_order(const struct topo *t, int *order, int *via)
{
	size_t n = t->nnodes;
	int *deg = calloc(n ? n : 1, sizeof(int)), start = 0, prev = -1, rc = -1;
	bool *seen = calloc(n ? n : 1, sizeof(bool));

	if (!deg || !seen || n == 0 || t->nlinks != n - 1)
		goto out;
	for (size_t i = 0; i < t->nlinks; i++) {
		if (t->links[i].a.node == t->links[i].b.node)
			goto out;
		if (++deg[t->links[i].a.node] > 2 || ++deg[t->links[i].b.node] > 2)
			goto out;
	}
	/* From the first node that ends the chain, so the map reads as the file does. */
	while (n > 1 && (size_t)start < n && deg[start] != 1)
		start++;
	if ((size_t)start == n)
		goto out;
	order[0] = start;
	seen[start] = true;
	for (size_t k = 1; k < n; k++) {
		int cur = order[k - 1], next = -1;

		for (size_t i = 0; i < t->nlinks && next < 0; i++) {
			const struct topo_link *l = &t->links[i];

			if ((int)i == prev || (l->a.node != cur && l->b.node != cur))
				continue;
			next = l->a.node == cur ? l->b.node : l->a.node;
			via[k - 1] = prev = (int)i;
		}
		if (next < 0 || seen[next])
			goto out;
		seen[next] = true;
		order[k] = next;
	}
	rc = 0;
out:
	free(deg);
	free(seen);
	return rc;
}

static int iface_on(const struct topo *t, int link, int node)
{
	if (link < 0)
		return -1;
	if (t->links[link].a.node == node)
		return t->links[link].a.iface;
	return t->links[link].b.iface;
}

static void col_line(struct col *c, enum term_color color, const char *fmt, const char *s)
{
	enum term_color *colors = realloc(c->colors, (size_t)(c->lines.n + 1) * sizeof(*colors));

	if (!colors) {
		c->lines.oom = true;
		return;
	}
	c->colors = colors;
	colors[c->lines.n] = color;
	strs_add(&c->lines, fmt, s);
}

/* An address of a linked interface without its length: the subnet above says it. */
static void col_addr(struct col *c, const char *cidr, bool linked)
{
	const char *slash = strchr(cidr, '/');
	int len = linked && slash ? (int)(slash - cidr) : (int)strlen(cidr);
	char *s = strndup(cidr, (size_t)len);

	if (!s) {
		c->lines.oom = true;
		return;
	}
	col_line(c, C_RESET, "%s", s);
	free(s);
}

/* What goes beneath a node: its interfaces, those facing its links first, and NAT. */
static void col_fill(const struct topo *t, struct col *c)
{
	const struct topo_node *n = &t->nodes[c->node];
	int lif = iface_on(t, c->left, c->node), rif = iface_on(t, c->right, c->node);

	for (int pass = 0; pass < 3; pass++) {
		for (size_t k = 0; k < n->nifaces; k++) {
			bool linked = (int)k == lif || (int)k == rif;

			if ((pass == 0 && (int)k != lif) ||
			    (pass == 1 && ((int)k != rif || k == (size_t)lif)) ||
			    (pass == 2 && linked))
				continue;
			col_line(c, C_YELLOW, "%s", n->ifaces[k].name);
			for (size_t a = 0; a < n->ifaces[k].naddrs; a++)
				col_addr(c, n->ifaces[k].addrs[a].cidr, linked);
		}
	}
	if (n->masquerade)
		col_line(c, C_DIM, "NAT out of %s", n->masquerade);
	c->namew = text_width(n->name);
	c->w = c->namew;
	for (int i = 0; i < c->lines.n; i++)
		if (text_width(c->lines.v[i]) > c->w)
			c->w = text_width(c->lines.v[i]);
}

static int gap_label(struct gap *g, enum term_color color, const char *s)
{
	char(*labels)[LABEL_MAX] = realloc(g->labels, (size_t)(g->nlabels + 1) * LABEL_MAX);
	enum term_color *colors;

	if (!labels)
		return -1;
	g->labels = labels;
	colors = realloc(g->colors, (size_t)(g->nlabels + 1) * sizeof(*colors));
	if (!colors)
		return -1;
	g->colors = colors;
	for (int i = 0; i < g->nlabels; i++)
		if (!strcmp(g->labels[i], s))
			return 0;
	snprintf(g->labels[g->nlabels], LABEL_MAX, "%s", s);
	g->colors[g->nlabels++] = color;
	return 0;
}

/* Above a link: the subnets of both ends, then its MTU and impairments. */
static int gap_fill(const struct topo *t, const struct topo_link *l, struct gap *g)
{
	const struct topo_end *ends[2] = {&l->a, &l->b};
	char notes[8][32], net[LABEL_MAX];
	int nn = graph_link_notes(l, notes, 8);

	g->w = LINK_MIN;
	for (int e = 0; e < 2; e++) {
		const struct topo_iface *ifc = &t->nodes[ends[e]->node].ifaces[ends[e]->iface];

		for (size_t a = 0; a < ifc->naddrs; a++)
			if (!graph_subnet(ifc->addrs[a].cidr, net, sizeof(net)) &&
			    gap_label(g, C_RESET, net))
				return -1;
	}
	for (int i = 0; i < nn; i++)
		if (gap_label(g, C_YELLOW, notes[i]))
			return -1;
	return 0;
}

static void place(struct col *cols, const struct gap *gaps, int n)
{
	cols[0].x = INDENT;
	for (int i = 1; i < n; i++)
		cols[i].x = cols[i - 1].x + cols[i - 1].w + gaps[i - 1].w;
}

/* Where label r of the link after column i starts: centred over its line. */
static int label_x(const struct col *cols, const struct gap *g, int i, int r)
{
	int s = cols[i].x + cols[i].namew + 1, e = cols[i + 1].x - 2;
	int x = s + (e - s + 1 - text_width(g->labels[r])) / 2;

	return x < INDENT ? INDENT : x;
}

/* Widens the links until no two labels on a row touch. */
static void make_room(struct col *cols, struct gap *gaps, int n)
{
	for (int changed = 1; changed;) {
		changed = 0;
		place(cols, gaps, n);
		for (int r = 0; !changed; r++) {
			int prev_end = INT_MIN / 2, any = 0;

			for (int i = 0; i < n - 1 && !changed; i++) {
				int x;

				if (r >= gaps[i].nlabels)
					continue;
				any = 1;
				x = label_x(cols, &gaps[i], i, r);
				if (x < prev_end + LABEL_GAP) {
					/* The centre moves half as far as the link grows. */
					gaps[i].w += 2 * (prev_end + LABEL_GAP - x);
					changed = 1;
				}
				prev_end = x + text_width(gaps[i].labels[r]);
			}
			if (!any)
				break;
		}
	}
}

static int chain_width(const struct col *cols, int n)
{
	return cols[n - 1].x + cols[n - 1].w;
}

static int draw_chain_tunnels(const struct topo *t, struct canvas *cv, int r,
			      const struct col *cols, const int *colof)
{
	char mid[128];

	for (size_t i = 0; i < t->ntunnels; i++) {
		const struct topo_tunnel *tu = &t->tunnels[i];

		graph_tunnel_text(tu, mid, sizeof(mid));
		if (!tu->nclients)
			put(cv, r++, INDENT, C_CYAN, mid);
		for (size_t j = 0; j < tu->nclients; j++) {
			const struct topo_member *a = &tu->clients[j], *b = &tu->server;
			struct strs left = {0}, right = {0};

			if (colof[a->node] > colof[b->node])
				a = &tu->server, b = &tu->clients[j];
			member_addrs(a, &left);
			member_addrs(b, &right);
			if (left.oom || right.oom)
				cv->oom = true;
			r += draw_tunnel(cv, r, cols[colof[a->node]].x,
					 cols[colof[b->node]].x + cols[colof[b->node]].w, &left,
					 &right, mid);
			strs_free(&left);
			strs_free(&right);
		}
	}
	return r;
}

static void draw_chain(const struct topo *t, struct canvas *cv, struct col *cols, struct gap *gaps,
		       int n, const int *colof)
{
	int rows = 0, below = 0, r;

	for (int i = 0; i < n - 1; i++)
		if (gaps[i].nlabels > rows)
			rows = gaps[i].nlabels;
	for (int i = 0; i < n - 1; i++)
		for (int k = 0; k < gaps[i].nlabels; k++)
			put(cv, k, label_x(cols, &gaps[i], i, k), gaps[i].colors[k],
			    gaps[i].labels[k]);
	for (int i = 0; i < n; i++) {
		int x = put(cv, rows, cols[i].x, C_BOLD, t->nodes[cols[i].node].name);

		if (i < n - 1) {
			x = put(cv, rows, x, C_RESET, " ");
			put_repeat(cv, rows, x, C_RESET, "─", cols[i + 1].x - 1 - x);
		}
		for (int k = 0; k < cols[i].lines.n; k++)
			put(cv, rows + 1 + k, cols[i].x, cols[i].colors[k], cols[i].lines.v[k]);
		if (cols[i].lines.n > below)
			below = cols[i].lines.n;
	}
	r = rows + 1 + below;
	if (t->ntunnels)
		put(cv, r++, 0, C_RESET, "");
	draw_chain_tunnels(t, cv, r, cols, colof);
}

/* 1 when drawn, 0 when t is no chain or does not fit in width, -1 out of memory. */
static int chain(const struct topo *t, struct canvas *cv, int width)
{
	int n = (int)t->nnodes, rc = -1;
	int *order = calloc((size_t)n, sizeof(int)), *via = calloc((size_t)n, sizeof(int));
	int *colof = calloc((size_t)n, sizeof(int));
	struct col *cols = calloc((size_t)n, sizeof(*cols));
	struct gap *gaps = calloc((size_t)n, sizeof(*gaps));

	if (!order || !via || !colof || !cols || !gaps)
		goto out;
	rc = 0;
	if (chain_order(t, order, via))
		goto out;
	for (int i = 0; i < n; i++) {
		cols[i] = (struct col){.node = order[i],
				       .left = i ? via[i - 1] : -1,
				       .right = i < n - 1 ? via[i] : -1};
		colof[order[i]] = i;
		col_fill(t, &cols[i]);
		if (cols[i].lines.oom)
			rc = -1;
		if (i < n - 1 && gap_fill(t, &t->links[via[i]], &gaps[i]))
			rc = -1;
	}
	if (rc)
		goto out;
	make_room(cols, gaps, n);
	if (width > 0 && chain_width(cols, n) > width)
		goto out;
	draw_chain(t, cv, cols, gaps, n, colof);
	rc = 1;
out:
	for (int i = 0; cols && gaps && i < n; i++) {
		strs_free(&cols[i].lines);
		free(cols[i].colors);
		free(gaps[i].labels);
		free(gaps[i].colors);
	}
	free(order);
	free(via);
	free(colof);
	free(cols);
	free(gaps);
	return rc;
}

/* ---- anything else: a tree from the first node ---- */

struct tree {
	const struct topo *t;
	struct canvas *cv;
	int row;
	bool *seen, *used; /* nodes drawn, links drawn as a branch */
};

static void link_notes_text(const struct topo_link *l, char *out, size_t cap)
{
	char notes[8][32];
	int n = graph_link_notes(l, notes, 8);
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, ", %s", notes[i]);
}

/* "(eth0 ─── lan, mtu 1492)": the link a branch stands for, seen from the parent. */
static int branch_text(const struct tree *tr, int link, int parent, char *out, size_t cap)
{
	const struct topo_link *l = &tr->t->links[link];
	const struct topo_end *p = l->a.node == parent ? &l->a : &l->b;
	const struct topo_end *c = p == &l->a ? &l->b : &l->a;
	char notes[256];

	link_notes_text(l, notes, sizeof(notes));
	return snprintf(out, cap, "(%s ─── %s%s)", tr->t->nodes[p->node].ifaces[p->iface].name,
			tr->t->nodes[c->node].ifaces[c->iface].name, notes);
}

static int tree_header(struct tree *tr, int node, int via, int parent, int x)
{
	const struct topo_node *n = &tr->t->nodes[node];
	char text[512];

	x = put(tr->cv, tr->row, x, C_BOLD, n->name);
	if (via >= 0) {
		branch_text(tr, via, parent, text, sizeof(text));
		x = put(tr->cv, tr->row, x, C_RESET, "  ");
		x = put(tr->cv, tr->row, x, C_RESET, text);
	}
	if (n->label) {
		x = put(tr->cv, tr->row, x, C_DIM, "  ");
		x = put(tr->cv, tr->row, x, C_DIM, n->label);
	}
	if (n->masquerade) {
		snprintf(text, sizeof(text), "  NAT out of %s", n->masquerade);
		x = put(tr->cv, tr->row, x, C_DIM, text);
	}
	tr->row++;
	return x;
}

static void tree_ifaces(struct tree *tr, int node, const char *prefix)
{
	const struct topo_node *n = &tr->t->nodes[node];

	for (size_t k = 0; k < n->nifaces; k++) {
		int x = put(tr->cv, tr->row, INDENT, C_RESET, prefix);

		x = put(tr->cv, tr->row, x, C_YELLOW, n->ifaces[k].name);
		for (size_t a = 0; a < n->ifaces[k].naddrs; a++) {
			x = put(tr->cv, tr->row, x, C_RESET, " ");
			x = put(tr->cv, tr->row, x, C_RESET, n->ifaces[k].addrs[a].cidr);
		}
		tr->row++;
	}
}

static int other_end(const struct topo_link *l, int node)
{
	return l->a.node == node ? l->b.node : l->a.node;
}

/* The links that lead from node to a node not yet drawn, marked as branches. */
static int tree_children(struct tree *tr, int node, int *kids)
{
	int n = 0;

	for (size_t i = 0; i < tr->t->nlinks; i++) {
		const struct topo_link *l = &tr->t->links[i];

		if (tr->used[i] || (l->a.node != node && l->b.node != node) ||
		    tr->seen[other_end(l, node)])
			continue;
		tr->used[i] = true;
		tr->seen[other_end(l, node)] = true;
		kids[n++] = (int)i;
	}
	return n;
}

static int tree_node(struct tree *tr, int node, int via, int parent, const char *prefix, bool last)
{
	int *kids = calloc(tr->t->nlinks + 1, sizeof(int)), nkids, rc = 0;
	size_t plen = strlen(prefix);
	char *sub = malloc(plen + 16), *body = malloc(plen + 32);

	if (!kids || !sub || !body) {
		rc = -1;
		goto out;
	}
	/* The branch to this node, then the prefix its own lines and branches carry on with. */
	snprintf(sub, plen + 16, "%s%s", prefix, via < 0 ? "" : last ? "    " : "│   ");
	put(tr->cv, tr->row, INDENT, C_RESET, prefix);
	tree_header(tr, node, via, parent,
		    via < 0 ? INDENT + text_width(prefix)
			    : put(tr->cv, tr->row, INDENT + text_width(prefix), C_RESET,
				  last ? "└── " : "├── "));
	nkids = tree_children(tr, node, kids);
	snprintf(body, plen + 32, "%s%s", sub, nkids ? "│ " : "  ");
	tree_ifaces(tr, node, body);
	for (int k = 0; k < nkids && !rc; k++)
		rc = tree_node(tr, other_end(&tr->t->links[kids[k]], node), kids[k], node, sub,
			       k == nkids - 1);
out:
	free(kids);
	free(sub);
	free(body);
	return rc;
}

/* Links that close a loop in the tree just drawn were not branches: a line each. */
static void tree_rest(struct tree *tr)
{
	const struct topo *t = tr->t;
	char line[512], notes[256];

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		if (tr->used[i] || !tr->seen[l->a.node] || !tr->seen[l->b.node])
			continue;
		tr->used[i] = true;
		link_notes_text(l, notes, sizeof(notes));
		snprintf(line, sizeof(line), "also %s:%s ─── %s:%s%s%s%s", t->nodes[l->a.node].name,
			 t->nodes[l->a.node].ifaces[l->a.iface].name, t->nodes[l->b.node].name,
			 t->nodes[l->b.node].ifaces[l->b.iface].name, *notes ? " (" : "",
			 *notes ? notes + 2 : "", *notes ? ")" : "");
		put(tr->cv, tr->row++, INDENT, C_RESET, line);
	}
}

static void tree_tunnels(struct tree *tr)
{
	const struct topo *t = tr->t;
	char mid[128];

	for (size_t i = 0; i < t->ntunnels; i++) {
		const struct topo_tunnel *tu = &t->tunnels[i];

		graph_tunnel_text(tu, mid, sizeof(mid));
		if (!tu->nclients) {
			put(tr->cv, tr->row++, INDENT, C_CYAN, mid);
			continue;
		}
		for (size_t j = 0; j < tu->nclients; j++) {
			struct strs left = {0}, right = {0};

			strs_add(&left, "%s", t->nodes[tu->clients[j].node].name);
			member_addrs(&tu->clients[j], &left);
			strs_add(&right, "%s", t->nodes[tu->server.node].name);
			member_addrs(&tu->server, &right);
			if (left.oom || right.oom)
				tr->cv->oom = true;
			tr->row += draw_tunnel(tr->cv, tr->row, INDENT, INDENT, &left, &right, mid);
			strs_free(&left);
			strs_free(&right);
		}
	}
}

static int tree(const struct topo *t, struct canvas *cv)
{
	struct tree tr = {.t = t, .cv = cv};
	int rc = 0;

	tr.seen = calloc(t->nnodes + 1, sizeof(bool));
	tr.used = calloc(t->nlinks + 1, sizeof(bool));
	if (!tr.seen || !tr.used)
		rc = -1;
	/* A node no link reaches starts a tree of its own. */
	for (size_t i = 0; i < t->nnodes && !rc; i++) {
		if (tr.seen[i])
			continue;
		if (i)
			put(cv, tr.row++, 0, C_RESET, "");
		tr.seen[i] = true;
		rc = tree_node(&tr, (int)i, -1, -1, "", true);
		if (!rc)
			tree_rest(&tr);
	}
	if (!rc && t->ntunnels) {
		put(cv, tr.row++, 0, C_RESET, "");
		tree_tunnels(&tr);
	}
	free(tr.seen);
	free(tr.used);
	return rc;
}

/* The terminal's width when out is one; 0 (no limit) otherwise. */
static int out_width(FILE *out)
{
	struct winsize ws;
	int fd = fileno(out);

	if (fd < 0 || !isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

int graph_ascii(const struct topo *t, const struct term *term, FILE *out)
{
	struct canvas cv = {0};
	int rc;

	if (!graph_sane(t)) {
		errno = EINVAL;
		return -1;
	}
	if (!t->nnodes) {
		fputs("  (no nodes)\n", out);
		return 0;
	}
	/* A row too wide for the terminal would wrap into a mess: the tree is narrow. */
	rc = chain(t, &cv, out_width(out));
	if (rc == 0)
		rc = tree(t, &cv);
	if (rc >= 0 && !cv.oom)
		canvas_print(&cv, term, out);
	canvas_free(&cv);
	if (rc < 0 || cv.oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
