/*
 * The map of a lab as SVG, laid out by Graphviz (libgvc, libcgraph): a box
 * per node with its name, label, roles and addresses; a line per link
 * with its interfaces at either end and its subnets, MTU and impairments
 * in the middle; a dashed blue line per tunnel, which does not pull its
 * ends together, with its mode, port and inner addresses.
 *
 * Graphviz is given only the two plugins the map needs, dot's layout and
 * the SVG renderer, taken from the plugin directory beside libgvc, and
 * never its Pango text layout: Graphviz 2.42's Pango plugin keeps a
 * pointer into the fonts of the first context it served, and reads it
 * after that context is freed when a process draws a second map.
 * Without it, Graphviz sizes labels from its own font metrics, the same
 * on every machine; in Courier, which every viewer draws as monospace at
 * much those widths, the labels fit their boxes.
 */
#include "graph.h"

#include <graphviz/gvc.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TUNNEL_COLOR "#1f6fb2"

static const char *const plugin_names[] = {"dot_layout", "core"};
#define NPLUGINS (sizeof(plugin_names) / sizeof(plugin_names[0]))

/* A Graphviz context that knows only the plugins we loaded, and their handles. */
struct gv {
	GVC_t *gvc;
	void *lib[NPLUGINS];
};

/* Graphviz's plugins live in "graphviz" beside libgvc itself. */
static int plugin_dir(char *out, size_t cap)
{
	Dl_info info;
	char *path;

	if (!dladdr((void *)gvContextPlugins, &info) || !info.dli_fname)
		return -1;
	path = strdup(info.dli_fname);
	if (!path)
		return -1;
	snprintf(out, cap, "%s/graphviz", dirname(path));
	free(path);
	return 0;
}

static int gv_open(struct gv *gv, char *err, size_t errlen)
{
	static const lt_symlist_t none[] = {{NULL, NULL}};
	char dir[512], file[640], symbol[64];

	memset(gv, 0, sizeof(*gv));
	if (plugin_dir(dir, sizeof(dir))) {
		snprintf(err, errlen, "cannot find where libgvc is installed");
		return -1;
	}
	gv->gvc = gvContextPlugins(none, 0);
	if (!gv->gvc) {
		snprintf(err, errlen, "cannot start Graphviz");
		return -1;
	}
	for (size_t i = 0; i < NPLUGINS; i++) {
		void *library;

		snprintf(file, sizeof(file), "%s/libgvplugin_%s.so.6", dir, plugin_names[i]);
		/* Loaded once for the process: dot keeps buffers in statics, for its next layout.
		 */
		gv->lib[i] = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
		if (!gv->lib[i]) {
			snprintf(err, errlen, "cannot load Graphviz's %s plugin: %s",
				 plugin_names[i], dlerror());
			return -1;
		}
		snprintf(symbol, sizeof(symbol), "gvplugin_%s_LTX_library", plugin_names[i]);
		library = dlsym(gv->lib[i], symbol);
		if (!library) {
			snprintf(err, errlen, "%s has no %s", file, symbol);
			return -1;
		}
		gvAddLibrary(gv->gvc, library);
	}
	return 0;
}

static void gv_close(struct gv *gv)
{
	if (gv->gvc)
		gvFreeContext(gv->gvc);
	for (size_t i = 0; i < NPLUGINS; i++)
		if (gv->lib[i])
			dlclose(gv->lib[i]);
}

/* A label being built; Graphviz reads "\n" in it as a new line. */
struct label {
	char *s;
	size_t len;
	FILE *f;
};

static int label_open(struct label *l)
{
	memset(l, 0, sizeof(*l));
	l->f = open_memstream(&l->s, &l->len);
	return l->f ? 0 : -1;
}

/* Text from a lab file, with Graphviz's escapes (\N, \G, \l...) made plain. */
static void label_text(struct label *l, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", l->f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc('?', l->f);
		else
			fputc(*p, l->f);
	}
}

static void label_line(struct label *l, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (ftell(l->f) > 0)
		fputs("\\n", l->f);
	label_text(l, s);
	free(s);
}

/* The finished label, or NULL; free it with free. */
static char *label_close(struct label *l)
{
	if (fclose(l->f)) {
		free(l->s);
		l->s = NULL;
	}
	return l->s;
}

static int set(void *obj, char *name, char *value)
{
	return value ? agsafeset(obj, name, value, "") : -1;
}

static int node_label(const struct topo *t, size_t i, struct label *l)
{
	const struct topo_node *n = &t->nodes[i];

	if (label_open(l))
		return -1;
	label_line(l, "%s", n->name);
	if (n->label)
		label_line(l, "%s", n->label);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (t->roles[r] == (int)i)
			label_line(l, "role: %s", topo_role_name(r));
	for (size_t k = 0; k < n->nifaces; k++)
		for (size_t a = 0; a < n->ifaces[k].naddrs; a++)
			label_line(l, "%s %s", n->ifaces[k].name, n->ifaces[k].addrs[a].cidr);
	if (n->masquerade)
		label_line(l, "NAT out of %s", n->masquerade);
	return 0;
}

static int add_nodes(const struct topo *t, Agraph_t *g, Agnode_t **nodes)
{
	for (size_t i = 0; i < t->nnodes; i++) {
		struct label l;
		int rc;

		nodes[i] = agnode(g, t->nodes[i].name, 1);
		if (!nodes[i] || node_label(t, i, &l))
			return -1;
		rc = set(nodes[i], "label", label_close(&l));
		free(l.s);
		if (rc)
			return -1;
	}
	return 0;
}

static int link_label(const struct topo *t, const struct topo_link *l, struct label *lb)
{
	const struct topo_end *ends[2] = {&l->a, &l->b};
	char notes[8][32], net[64], seen[16][64];
	int nn = graph_link_notes(l, notes, 8), nseen = 0;

	if (label_open(lb))
		return -1;
	for (int e = 0; e < 2; e++) {
		const struct topo_iface *ifc = &t->nodes[ends[e]->node].ifaces[ends[e]->iface];

		for (size_t a = 0; a < ifc->naddrs; a++) {
			int k = 0;

			if (graph_subnet(ifc->addrs[a].cidr, net, sizeof(net)))
				continue;
			while (k < nseen && strcmp(seen[k], net))
				k++;
			if (k < nseen || nseen == 16)
				continue;
			memcpy(seen[nseen++], net, sizeof(net));
			label_line(lb, "%s", net);
		}
	}
	for (int i = 0; i < nn; i++)
		label_line(lb, "%s", notes[i]);
	return 0;
}

static int add_links(const struct topo *t, Agraph_t *g, Agnode_t **nodes)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		Agedge_t *e = agedge(g, nodes[l->a.node], nodes[l->b.node], NULL, 1);
		struct label tail, head, mid;
		int rc;

		if (!e || label_open(&tail))
			return -1;
		label_text(&tail, t->nodes[l->a.node].ifaces[l->a.iface].name);
		rc = set(e, "taillabel", label_close(&tail));
		free(tail.s);
		if (rc || label_open(&head))
			return -1;
		label_text(&head, t->nodes[l->b.node].ifaces[l->b.iface].name);
		rc = set(e, "headlabel", label_close(&head));
		free(head.s);
		if (rc || link_label(t, l, &mid))
			return -1;
		rc = set(e, "label", label_close(&mid));
		free(mid.s);
		if (rc)
			return -1;
	}
	return 0;
}

static void member_line(struct label *l, const struct topo *t, const struct topo_member *m)
{
	label_line(l, "%s", t->nodes[m->node].name);
	for (size_t a = 0; a < m->naddrs; a++) {
		fputs(a ? ", " : " ", l->f);
		label_text(l, m->addrs[a]);
	}
}

static int add_tunnel(const struct topo *t, const struct topo_tunnel *tu, size_t j, Agraph_t *g,
		      Agnode_t **nodes)
{
	const struct topo_member *c = &tu->clients[j];
	Agedge_t *e = agedge(g, nodes[c->node], nodes[tu->server.node], NULL, 1);
	char text[128];
	struct label l;
	int rc;

	if (!e || label_open(&l))
		return -1;
	graph_tunnel_text(tu, text, sizeof(text));
	label_line(&l, "%s", text);
	member_line(&l, t, c);
	member_line(&l, t, &tu->server);
	rc = set(e, "label", label_close(&l));
	free(l.s);
	/*
	 * Weight 0: the tunnel does not pull its ends together, the links place
	 * the nodes.  Not constraint=false, nor minlen 0: an edge within one
	 * rank makes Graphviz 2.42's dot free its memory twice on cleanup.
	 */
	if (rc || set(e, "style", "dashed,bold") || set(e, "color", TUNNEL_COLOR) ||
	    set(e, "fontcolor", TUNNEL_COLOR) || set(e, "penwidth", "2") || set(e, "weight", "0"))
		return -1;
	return 0;
}

static int build(const struct topo *t, Agraph_t *g)
{
	Agnode_t **nodes = calloc(t->nnodes + 1, sizeof(*nodes));
	int rc = -1;

	if (!nodes)
		return -1;
	agattr(g, AGRAPH, "rankdir", "LR");
	agattr(g, AGRAPH, "fontname", "Courier");
	agattr(g, AGRAPH, "labelloc", "t");
	agattr(g, AGRAPH, "label", "");
	agattr(g, AGNODE, "shape", "box");
	agattr(g, AGNODE, "style", "rounded,filled");
	agattr(g, AGNODE, "fillcolor", "#f4f4f4");
	agattr(g, AGNODE, "fontname", "Courier");
	agattr(g, AGNODE, "fontsize", "10");
	agattr(g, AGEDGE, "fontname", "Courier");
	agattr(g, AGEDGE, "fontsize", "9");
	if (t->name) {
		struct label l;

		if (label_open(&l))
			goto out;
		label_text(&l, t->name);
		rc = set(g, "label", label_close(&l));
		free(l.s);
		if (rc)
			goto out;
		rc = -1;
	}
	if (add_nodes(t, g, nodes) || add_links(t, g, nodes))
		goto out;
	for (size_t i = 0; i < t->ntunnels; i++)
		for (size_t j = 0; j < t->tunnels[i].nclients; j++)
			if (add_tunnel(t, &t->tunnels[i], j, g, nodes))
				goto out;
	rc = 0;
out:
	free(nodes);
	return rc;
}

/* A name of our own beside path, made new: never an existing file or a link. */
static int open_temp(const char *path, char *tmp, size_t cap)
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -1;
		snprintf(tmp, cap, "%s.%08x.tmp", path, (unsigned)r);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_whole(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	size_t cap = strlen(path) + 16;
	char *tmp = malloc(cap);
	struct stat st;
	int fd, rc = -1;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is %s; not writing through it", path,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		free(tmp);
		return -1;
	}
	if (!tmp || (fd = open_temp(path, tmp, cap)) < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) || fsync(fd))
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	else if (close(fd) == 0 && (fd = -1, rename(tmp, path) == 0))
		rc = 0;
	else
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int graph_svg(const struct topo *t, const char *path, char *err, size_t errlen)
{
	struct gv gv;
	Agraph_t *g;
	char *data = NULL;
	unsigned int len = 0;
	int rc = -1;

	if (!graph_sane(t)) {
		snprintf(err, errlen,
			 "the topology's links or tunnels name nodes it does not have");
		return -1;
	}
	if (gv_open(&gv, err, errlen)) {
		gv_close(&gv);
		return -1;
	}
	g = agopen("lab", Agundirected, NULL);
	if (!g || build(t, g))
		snprintf(err, errlen, "out of memory while building the map");
	else if (gvLayout(gv.gvc, g, "dot"))
		snprintf(err, errlen, "Graphviz could not lay out the map");
	else if (gvRenderData(gv.gvc, g, "svg", &data, &len) || !data)
		snprintf(err, errlen, "Graphviz could not render the map as SVG");
	else
		rc = write_whole(path, data, len, err, errlen);
	if (data)
		gvFreeRenderData(data);
	if (g) {
		gvFreeLayout(gv.gvc, g);
		agclose(g);
	}
	gv_close(&gv);
	return rc;
}
