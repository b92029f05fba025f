/*
 * The lab file reader.  libyaml parses the whole file first, twice: an
 * event pass that refuses what a lab never needs (aliases, a second
 * document, more elements than any lab has) and finds syntax errors,
 * then its document API gives a tree with a position on every node.
 * The walk below only copies values into struct topo and notes unknown
 * keys and wrong types; what the values mean is topo_check's.
 */
#include "labfile.h"

#include "commands.h"
#include "lab.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

struct rd {
	const char *file;
	yaml_document_t *doc;
	struct topo *t;
	struct topo_errors *e;
	size_t found; /* errors this reader added */
};

static struct topo_pos at(const yaml_node_t *n)
{
	return (struct topo_pos){(unsigned)n->start_mark.line + 1,
				 (unsigned)n->start_mark.column + 1};
}

#define ERR(r, n, ...)                                                                             \
	do {                                                                                       \
		topo_error((r)->e, (r)->file, at(n), __VA_ARGS__);                                 \
		(r)->found++;                                                                      \
	} while (0)

static yaml_node_t *node(struct rd *r, int id)
{
	return yaml_document_get_node(r->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null"));
}

static bool want(struct rd *r, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	if (n->type == type)
		return true;
	if (type == YAML_MAPPING_NODE)
		ERR(r, n, "%s must be a mapping of keys to values", what);
	else if (type == YAML_SEQUENCE_NODE)
		ERR(r, n, "%s must be a list", what);
	else
		ERR(r, n, "%s must be a single value, not a list or a mapping", what);
	return false;
}

static size_t count(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return 0;
}

/* Whether a list or mapping holds at most max; one line if not. */
static bool bounded(struct rd *r, yaml_node_t *n, size_t max, const char *what)
{
	if (count(n) <= max)
		return true;
	ERR(r, n, "more than %zu %s", max, what);
	return false;
}

/* A scalar's text, checked for length and NUL bytes; NULL after one line. */
static const char *str(struct rd *r, yaml_node_t *n, const char *what)
{
	const char *v;

	if (!want(r, n, YAML_SCALAR_NODE, what))
		return NULL;
	v = (const char *)n->data.scalar.value;
	if (n->data.scalar.length > LABFILE_MAX_STRING) {
		ERR(r, n, "%s is longer than %d characters", what, LABFILE_MAX_STRING);
		return NULL;
	}
	if (strlen(v) != n->data.scalar.length) {
		ERR(r, n, "%s holds a NUL byte", what);
		return NULL;
	}
	return v;
}

static char *copy(struct rd *r, yaml_node_t *n, const char *what)
{
	const char *v = str(r, n, what);
	char *c;

	if (!v)
		return NULL;
	c = strdup(v);
	if (!c)
		ERR(r, n, "out of memory");
	return c;
}

static bool boolean(struct rd *r, yaml_node_t *n, const char *what, bool *out)
{
	const char *v = str(r, n, what);

	if (!v)
		return false;
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		*out = !strcmp(v, "true");
		return true;
	}
	ERR(r, n, "%s must be true or false, not '%s'", what, v);
	return false;
}

static bool whole(struct rd *r, yaml_node_t *n, const char *what, long lo, long hi, int *out)
{
	const char *v = str(r, n, what);
	long x;

	if (!v)
		return false;
	if (parse_whole(v, lo, hi, &x)) {
		ERR(r, n, "%s must be a whole number from %ld to %ld, not '%s'", what, lo, hi, v);
		return false;
	}
	*out = (int)x;
	return true;
}

/* Whether word is near enough to known to be a slip of the keyboard. */
static bool near(const char *word, const char *known)
{
	size_t d = topo_distance(word, known);

	return d <= (strlen(known) + 2) / 3 && d < strlen(known);
}

/* "unknown key 'adress', did you mean 'addresses'?", or the keys known there. */
static void unknown(struct rd *r, yaml_node_t *k, const char *word, const char *noun,
		    const char *place, const char *const *keys)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	char list[256] = "";
	size_t used = 0;

	for (size_t i = 0; keys[i]; i++) {
		size_t d = topo_distance(word, keys[i]);

		if (near(word, keys[i]) && d < bestd)
			best = keys[i], bestd = d;
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
					 "%s%s", i ? ", " : "", keys[i]);
		if (used >= sizeof(list))
			used = sizeof(list);
	}
	if (best)
		ERR(r, k, "unknown %s '%s', did you mean '%s'?", noun, word, best);
	else
		ERR(r, k, "unknown %s '%s' in %s (known: %s)", noun, word, place, list);
}

/*
 * The key of a pair: a scalar, not used before in the same mapping.
 * NULL after one line.
 */
static const char *key_name(struct rd *r, yaml_node_t *map, yaml_node_pair_t *p)
{
	yaml_node_t *k = node(r, p->key);
	const char *name = str(r, k, "a key");

	if (!name)
		return NULL;
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *qk = node(r, q->key);

		if (qk->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)qk->data.scalar.value, name)) {
			ERR(r, k, "'%s' is given twice (first at %u:%u)", name, at(qk).line,
			    at(qk).col);
			return NULL;
		}
	}
	return name;
}

/* Which of keys the pair's key is; -1 after one line (unknown, or twice). */
static int key_of(struct rd *r, yaml_node_t *map, yaml_node_pair_t *p, const char *const *keys,
		  const char *noun, const char *place)
{
	const char *name = key_name(r, map, p);

	if (!name)
		return -1;
	for (int i = 0; keys[i]; i++)
		if (!strcmp(keys[i], name))
			return i;
	unknown(r, node(r, p->key), name, noun, place, keys);
	return -1;
}

/*
 * One line for each required key (bit i of need: keys[i]) that the
 * mapping lacks, unless a key there is a slip for it: "unknown key
 * 'adress', did you mean 'addresses'?" has said it already.
 */
static void required(struct rd *r, yaml_node_t *map, unsigned seen, unsigned need,
		     const char *const *keys, const char *what)
{
	for (int i = 0; keys[i]; i++) {
		bool slip = false;

		if (!(need & (1u << i)) || (seen & (1u << i)))
			continue;
		for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
		     p < map->data.mapping.pairs.top && !slip; p++) {
			yaml_node_t *k = node(r, p->key);

			slip = k->type == YAML_SCALAR_NODE &&
			       near((const char *)k->data.scalar.value, keys[i]);
		}
		if (!slip)
			ERR(r, map, "%s has no '%s'", what, keys[i]);
	}
}

#define EACH_PAIR(p, n)                                                                            \
	for (yaml_node_pair_t *p = (n)->data.mapping.pairs.start; p < (n)->data.mapping.pairs.top; \
	     p++)
#define EACH_ITEM(i, n)                                                                            \
	for (yaml_node_item_t *i = (n)->data.sequence.items.start;                                 \
	     i < (n)->data.sequence.items.top; i++)

/* A list of strings, with the position of each. */
static void strings(struct rd *r, yaml_node_t *n, size_t max, const char *what, const char *one,
		    char ***out, struct topo_pos **pos, size_t *nout)
{
	if (is_null(n) || !want(r, n, YAML_SEQUENCE_NODE, what) || !bounded(r, n, max, what))
		return;
	*out = calloc(count(n) ? count(n) : 1, sizeof(**out));
	if (pos)
		*pos = calloc(count(n) ? count(n) : 1, sizeof(**pos));
	if (!*out || (pos && !*pos)) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_ITEM(i, n)
	{
		yaml_node_t *v = node(r, *i);
		char *s = copy(r, v, one);

		if (!s)
			continue;
		if (pos)
			(*pos)[*nout] = at(v);
		(*out)[(*nout)++] = s;
	}
}

static void interfaces(struct rd *r, struct topo_node *nd, yaml_node_t *n)
{
	if (!want(r, n, YAML_MAPPING_NODE, "'interfaces'") ||
	    !bounded(r, n, LABFILE_MAX_IFACES, "interfaces on a node"))
		return;
	nd->ifaces = calloc(count(n) ? count(n) : 1, sizeof(*nd->ifaces));
	if (!nd->ifaces) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_PAIR(p, n)
	{
		const char *name = key_name(r, n, p);
		yaml_node_t *v = node(r, p->value);
		struct topo_iface *f;

		if (!name)
			continue;
		f = &nd->ifaces[nd->nifaces];
		f->name = strdup(name);
		if (!f->name) {
			ERR(r, v, "out of memory");
			return;
		}
		f->pos = at(node(r, p->key));
		nd->nifaces++;
		if (is_null(v) || !want(r, v, YAML_SEQUENCE_NODE, "an interface's addresses") ||
		    !bounded(r, v, LABFILE_MAX_ADDRS, "addresses on an interface"))
			continue;
		f->addrs = calloc(count(v) ? count(v) : 1, sizeof(*f->addrs));
		if (!f->addrs) {
			ERR(r, v, "out of memory");
			return;
		}
		EACH_ITEM(i, v)
		{
			yaml_node_t *a = node(r, *i);
			char *cidr = copy(r, a, "an address");

			if (cidr)
				f->addrs[f->naddrs++] = (struct topo_addr){cidr, at(a)};
		}
	}
}

/* "DST via GW": the words are split here, their meaning checked later. */
static void route(struct rd *r, struct topo_node *nd, yaml_node_t *n)
{
	const char *v = str(r, n, "a route");
	char dst[LABFILE_MAX_STRING + 1], via[LABFILE_MAX_STRING + 1], word[8], extra;
	struct topo_route *rt;

	if (!v)
		return;
	if (sscanf(v, "%1024s %7s %1024s %c", dst, word, via, &extra) != 3 || strcmp(word, "via")) {
		ERR(r, n,
		    "a route is 'DESTINATION via GATEWAY' (DESTINATION: default or a prefix), "
		    "not '%s'",
		    v);
		return;
	}
	rt = &nd->routes[nd->nroutes];
	rt->dst = strdup(dst);
	rt->via = strdup(via);
	rt->pos = at(n);
	nd->nroutes++;
	if (!rt->dst || !rt->via)
		ERR(r, n, "out of memory");
}

static void routes(struct rd *r, struct topo_node *nd, yaml_node_t *n)
{
	if (is_null(n) || !want(r, n, YAML_SEQUENCE_NODE, "'routes'") ||
	    !bounded(r, n, LABFILE_MAX_ROUTES, "routes on a node"))
		return;
	nd->routes = calloc(count(n) ? count(n) : 1, sizeof(*nd->routes));
	if (!nd->routes) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_ITEM(i, n)
	route(r, nd, node(r, *i));
}

static void nat(struct rd *r, struct topo_node *nd, yaml_node_t *n)
{
	static const char *const keys[] = {"masquerade", NULL};
	unsigned seen = 0;

	if (!want(r, n, YAML_MAPPING_NODE, "'nat'"))
		return;
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);

		if (key_of(r, n, p, keys, "key", "'nat'") != 0)
			continue;
		seen |= 1;
		free(nd->masquerade);
		nd->masquerade = copy(r, v, "'masquerade'");
		nd->masquerade_pos = at(v);
	}
	required(r, n, seen, 1, keys, "'nat'");
}

static void node_body(struct rd *r, struct topo_node *nd, yaml_node_t *n)
{
	static const char *const keys[] = {"label",  "forward", "nat", "interfaces",
					   "routes", "exec",	NULL};

	if (is_null(n) || !want(r, n, YAML_MAPPING_NODE, "a node"))
		return;
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);

		switch (key_of(r, n, p, keys, "key", "a node")) {
		case 0:
			nd->label = copy(r, v, "'label'");
			break;
		case 1:
			boolean(r, v, "'forward'", &nd->forward);
			break;
		case 2:
			nat(r, nd, v);
			break;
		case 3:
			if (!is_null(v))
				interfaces(r, nd, v);
			break;
		case 4:
			routes(r, nd, v);
			break;
		case 5:
			strings(r, v, LABFILE_MAX_EXEC, "'exec'", "a command", &nd->exec, NULL,
				&nd->nexec);
			break;
		}
	}
}

static void nodes(struct rd *r, yaml_node_t *n)
{
	struct topo *t = r->t;

	if (!want(r, n, YAML_MAPPING_NODE, "'nodes'") || !bounded(r, n, LABFILE_MAX_NODES, "nodes"))
		return;
	t->nodes = calloc(count(n) ? count(n) : 1, sizeof(*t->nodes));
	if (!t->nodes) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_PAIR(p, n)
	{
		const char *name = key_name(r, n, p);
		struct topo_node *nd = &t->nodes[t->nnodes];

		if (!name)
			continue;
		nd->name = strdup(name);
		nd->pos = at(node(r, p->key));
		t->nnodes++;
		if (!nd->name) {
			ERR(r, n, "out of memory");
			return;
		}
		node_body(r, nd, node(r, p->value));
	}
}

static void endpoints(struct rd *r, struct topo_link *l, yaml_node_t *n)
{
	struct topo_end *ends[2] = {&l->a, &l->b};
	size_t k = 0;

	if (!want(r, n, YAML_SEQUENCE_NODE, "'endpoints'"))
		return;
	if (count(n) != 2) {
		ERR(r, n, "'endpoints' must name two ends (node:interface), not %zu", count(n));
		return;
	}
	/* k < 2 as well: the count above says so, and the analyser cannot see it. */
	for (yaml_node_item_t *i = n->data.sequence.items.start; k < 2; i++, k++) {
		yaml_node_t *v = node(r, *i);

		ends[k]->spec = copy(r, v, "a link's end");
		ends[k]->pos = at(v);
	}
}

static void link_value(struct rd *r, struct topo_link *l, int key, yaml_node_t *v)
{
	struct topo_impair *im = &l->im;
	const char *s;

	switch (key) {
	case 0:
		endpoints(r, l, v);
		return;
	case 1:
		whole(r, v, "'mtu'", 68, 65535, &im->mtu);
		return;
	case 6:
		boolean(r, v, "'block-icmp'", &im->block_icmp);
		return;
	}
	if (!(s = str(r, v, "an impairment")))
		return;
	if (key == 2 && parse_duration(s, &im->delay_ns))
		ERR(r, v, "'delay' must be a time such as 20ms, 1.5ms or 2s, not '%s'", s);
	if (key == 3 && parse_percent(s, &im->loss))
		ERR(r, v, "'loss' must be a percentage such as 1%% or 0.5, not '%s'", s);
	if (key == 4 && parse_rate(s, &im->rate))
		ERR(r, v, "'rate' must be a rate such as 10mbit, 500kbit or 1gbit, not '%s'", s);
	if (key == 5 && parse_percent(s, &im->reorder))
		ERR(r, v, "'reorder' must be a percentage such as 25%%, not '%s'", s);
}

static void links(struct rd *r, yaml_node_t *n)
{
	static const char *const keys[] = {"endpoints", "mtu",	   "delay",	 "loss",
					   "rate",	"reorder", "block-icmp", NULL};
	struct topo *t = r->t;

	if (is_null(n) || !want(r, n, YAML_SEQUENCE_NODE, "'links'") ||
	    !bounded(r, n, LABFILE_MAX_LINKS, "links"))
		return;
	t->links = calloc(count(n) ? count(n) : 1, sizeof(*t->links));
	if (!t->links) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_ITEM(i, n)
	{
		yaml_node_t *ln = node(r, *i);
		struct topo_link *l = &t->links[t->nlinks];
		unsigned seen = 0;

		if (!want(r, ln, YAML_MAPPING_NODE, "a link"))
			continue;
		l->pos = at(ln);
		l->a.node = l->a.iface = l->b.node = l->b.iface = -1;
		t->nlinks++;
		EACH_PAIR(p, ln)
		{
			int k = key_of(r, ln, p, keys, "key", "a link");

			if (k < 0)
				continue;
			seen |= 1u << k;
			link_value(r, l, k, node(r, p->value));
		}
		required(r, ln, seen, 1, keys, "a link");
	}
}

static void member(struct rd *r, struct topo_member *m, yaml_node_t *n, bool client)
{
	static const char *const keys[] = {"node", "addresses", "routes", "endpoint", NULL};
	static const char *const server_keys[] = {"node", "addresses", "routes", NULL};
	const char *what = client ? "a tunnel's client" : "a tunnel's server";
	unsigned seen = 0;

	m->node = -1;
	if (!want(r, n, YAML_MAPPING_NODE, what))
		return;
	m->pos = at(n);
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);
		int k = key_of(r, n, p, client ? keys : server_keys, "key", what);

		if (k < 0)
			continue;
		seen |= 1u << k;
		if (k == 0) {
			m->node_name = copy(r, v, "'node'");
		} else if (k == 1) {
			strings(r, v, LABFILE_MAX_ADDRS, "'addresses'", "an address", &m->addrs,
				&m->addr_pos, &m->naddrs);
		} else if (k == 2) {
			strings(r, v, LABFILE_MAX_ROUTES, "'routes'", "a route", &m->routes,
				&m->route_pos, &m->nroutes);
		} else {
			m->endpoint = copy(r, v, "'endpoint'");
			m->endpoint_pos = at(v);
		}
	}
	required(r, n, seen, 3, keys, what);
}

static void tunnel_value(struct rd *r, struct topo_tunnel *tu, int key, yaml_node_t *v)
{
	const char *s;

	switch (key) {
	case 0:
		if (!(s = str(r, v, "'mode'")))
			return;
		if (wire_mode_parse(s, &tu->mode))
			ERR(r, v, "'mode' must be encrypted, plaintext or pi, not '%s'", s);
		return;
	case 1:
		whole(r, v, "'port'", 1, 65535, &tu->port);
		return;
	case 2:
		tu->endpoint = copy(r, v, "'endpoint'");
		tu->endpoint_pos = at(v);
		return;
	case 3:
		member(r, &tu->server, v, false);
		return;
	}
	if (!want(r, v, YAML_SEQUENCE_NODE, "'clients'") ||
	    !bounded(r, v, LABFILE_MAX_CLIENTS, "clients in a tunnel"))
		return;
	tu->clients = calloc(count(v) ? count(v) : 1, sizeof(*tu->clients));
	if (!tu->clients) {
		ERR(r, v, "out of memory");
		return;
	}
	EACH_ITEM(i, v)
	member(r, &tu->clients[tu->nclients++], node(r, *i), true);
}

static void tunnels(struct rd *r, yaml_node_t *n)
{
	static const char *const keys[] = {"mode", "port", "endpoint", "server", "clients", NULL};
	struct topo *t = r->t;

	if (is_null(n) || !want(r, n, YAML_MAPPING_NODE, "'tunnels'") ||
	    !bounded(r, n, LABFILE_MAX_TUNNELS, "tunnels"))
		return;
	t->tunnels = calloc(count(n) ? count(n) : 1, sizeof(*t->tunnels));
	if (!t->tunnels) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_PAIR(p, n)
	{
		const char *name = key_name(r, n, p);
		yaml_node_t *v = node(r, p->value);
		struct topo_tunnel *tu = &t->tunnels[t->ntunnels];
		unsigned seen = 0;

		if (!name)
			continue;
		tu->name = strdup(name);
		tu->pos = at(node(r, p->key));
		tu->mode = MODE_ENCRYPTED;
		tu->port = TUNNEL_PORT;
		tu->server.node = -1;
		t->ntunnels++;
		if (!tu->name) {
			ERR(r, v, "out of memory");
			return;
		}
		if (!want(r, v, YAML_MAPPING_NODE, "a tunnel"))
			continue;
		EACH_PAIR(q, v)
		{
			int k = key_of(r, v, q, keys, "key", "a tunnel");

			if (k < 0)
				continue;
			seen |= 1u << k;
			tunnel_value(r, tu, k, node(r, q->value));
		}
		required(r, v, seen, (1u << 3) | (1u << 4), keys, "a tunnel");
	}
}

static void roles(struct rd *r, yaml_node_t *n)
{
	const char *keys[ROLE_COUNT + 1];
	struct topo *t = r->t;

	for (int i = 0; i < ROLE_COUNT; i++)
		keys[i] = topo_role_name((enum topo_role)i);
	keys[ROLE_COUNT] = NULL;
	if (is_null(n) || !want(r, n, YAML_MAPPING_NODE, "'roles'"))
		return;
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);
		int k = key_of(r, n, p, keys, "role", "'roles'");

		if (k < 0)
			continue;
		t->role_node[k] = copy(r, v, "a role's node");
		t->role_pos[k] = at(v);
	}
}

/* from and to, of an expectation or of a capture's ping. */
static void from_to(struct rd *r, struct topo_expect *x, yaml_node_t *n, const char *const *keys,
		    const char *what)
{
	unsigned seen = 0, need = 0;

	if (!want(r, n, YAML_MAPPING_NODE, what))
		return;
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], "largest"))
			need |= 1u << i;
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);
		int k = key_of(r, n, p, keys, "key", what);
		const char *name = k >= 0 ? keys[k] : "";

		if (k < 0)
			continue;
		seen |= 1u << k;
		if (!strcmp(name, "from")) {
			x->from = copy(r, v, "'from'");
			x->from_pos = at(v);
		} else if (!strcmp(name, "to")) {
			x->to = copy(r, v, "'to'");
			x->to_pos = at(v);
		} else if (!strcmp(name, "mtu")) {
			whole(r, v, "'mtu'", 68, 65535, &x->mtu);
		} else if (!strcmp(name, "largest")) {
			whole(r, v, "'largest'", 1, 65535, &x->largest);
		} else if (!strcmp(name, "at")) {
			x->at = copy(r, v, "'at'");
			x->at_pos = at(v);
		} else if (!strcmp(name, "filter")) {
			x->filter = copy(r, v, "'filter'");
		} else if (!strcmp(name, "sees")) {
			boolean(r, v, "'sees'", &x->sees);
		} else if (!strcmp(name, "ping")) {
			static const char *const ping_keys[] = {"from", "to", NULL};

			from_to(r, x, v, ping_keys, "'ping'");
		}
	}
	required(r, n, seen, need, keys, what);
}

static const char *const verdicts[] = {
    "consistent", "inconsistent", "fragmenting", "black hole", "MTU too high", "unreachable", NULL,
};

static void expectation(struct rd *r, struct topo_expect *x, int kind, yaml_node_t *v)
{
	static const char *const reach_keys[] = {"from", "to", NULL};
	static const char *const pmtu_keys[] = {"from", "to", "mtu", "largest", NULL};
	static const char *const capture_keys[] = {"at", "filter", "ping", "sees", NULL};
	const char *s;

	x->kind = (enum expect_kind)kind;
	switch (x->kind) {
	case EXPECT_REACH:
		return from_to(r, x, v, reach_keys, "'reach'");
	case EXPECT_NO_REACH:
		return from_to(r, x, v, reach_keys, "'no-reach'");
	case EXPECT_PATH_MTU:
		return from_to(r, x, v, pmtu_keys, "'path-mtu'");
	case EXPECT_CAPTURE:
		return from_to(r, x, v, capture_keys, "'capture'");
	case EXPECT_MTU_PROBE:
		if (!(s = str(r, v, "'mtu-probe'")))
			return;
		for (int i = 0; verdicts[i]; i++)
			if (!strcmp(s, verdicts[i]))
				x->verdict = strdup(s);
		if (!x->verdict)
			ERR(r, v,
			    "'mtu-probe' must be a verdict: consistent, inconsistent, fragmenting, "
			    "black hole, MTU too high or unreachable; not '%s'",
			    s);
		return;
	case EXPECT_CHECK:
		if (!(s = str(r, v, "'check'")))
			return;
		if (strcmp(s, "pass") && strcmp(s, "fail"))
			ERR(r, v, "'check' must be pass or fail, not '%s'", s);
		else
			x->verdict = strdup(s);
		return;
	}
}

static void expects(struct rd *r, yaml_node_t *n)
{
	/* In the order of enum expect_kind. */
	static const char *const kinds[] = {"reach", "no-reach", "path-mtu", "mtu-probe",
					    "check", "capture",	 NULL};
	struct topo *t = r->t;

	if (is_null(n) || !want(r, n, YAML_SEQUENCE_NODE, "'expect'") ||
	    !bounded(r, n, LABFILE_MAX_EXPECTS, "expectations"))
		return;
	t->expects = calloc(count(n) ? count(n) : 1, sizeof(*t->expects));
	if (!t->expects) {
		ERR(r, n, "out of memory");
		return;
	}
	EACH_ITEM(i, n)
	{
		yaml_node_t *item = node(r, *i);
		struct topo_expect *x = &t->expects[t->nexpects];
		int k;

		if (!want(r, item, YAML_MAPPING_NODE, "an expectation"))
			continue;
		if (count(item) != 1) {
			ERR(r, item,
			    "an expectation has one key (reach, no-reach, path-mtu, mtu-probe, "
			    "check or capture), not %zu",
			    count(item));
			continue;
		}
		k = key_of(r, item, item->data.mapping.pairs.start, kinds, "expectation",
			   "'expect'");
		if (k < 0)
			continue;
		x->pos = at(node(r, item->data.mapping.pairs.start->key));
		t->nexpects++;
		expectation(r, x, k, node(r, item->data.mapping.pairs.start->value));
	}
}

static void topology(struct rd *r, yaml_node_t *n)
{
	static const char *const keys[] = {"nodes", "links", NULL};
	unsigned seen = 0;

	if (!want(r, n, YAML_MAPPING_NODE, "'topology'"))
		return;
	EACH_PAIR(p, n)
	{
		int k = key_of(r, n, p, keys, "key", "'topology'");

		if (k < 0)
			continue;
		seen |= 1u << k;
		if (k == 0)
			nodes(r, node(r, p->value));
		else
			links(r, node(r, p->value));
	}
	required(r, n, seen, 1, keys, "'topology'");
}

static void top(struct rd *r, yaml_node_t *n)
{
	static const char *const keys[] = {"name", "topology", "tunnels", "roles", "expect", NULL};
	unsigned seen = 0;

	if (!want(r, n, YAML_MAPPING_NODE, "a lab file"))
		return;
	EACH_PAIR(p, n)
	{
		yaml_node_t *v = node(r, p->value);
		int k = key_of(r, n, p, keys, "key", "the lab file");

		if (k < 0)
			continue;
		seen |= 1u << k;
		if (k == 0) {
			r->t->name = copy(r, v, "'name'");
			r->t->name_pos = at(v);
		} else if (k == 1) {
			topology(r, v);
		} else if (k == 2) {
			tunnels(r, v);
		} else if (k == 3) {
			roles(r, v);
		} else {
			expects(r, v);
		}
	}
	required(r, n, seen, 3, keys, "the lab file");
}

static void syntax(struct rd *r, const yaml_parser_t *p)
{
	struct topo_pos pos = {(unsigned)p->problem_mark.line + 1,
			       (unsigned)p->problem_mark.column + 1};

	if (p->error == YAML_MEMORY_ERROR)
		topo_error(r->e, r->file, pos, "out of memory");
	else if (p->context)
		topo_error(r->e, r->file, pos, "%s, %s that starts at %zu:%zu",
			   p->problem ? p->problem : "bad YAML", p->context,
			   p->context_mark.line + 1, p->context_mark.column + 1);
	else
		topo_error(r->e, r->file, pos, "%s", p->problem ? p->problem : "bad YAML");
	r->found++;
}

/* The event pass: syntax, size, aliases and documents, before any tree is built. */
static int scan(struct rd *r, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t events = 0, docs = 0;
	int rc = -1;

	if (!yaml_parser_initialize(&p)) {
		topo_error(r->e, r->file, (struct topo_pos){0, 0}, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		struct topo_pos pos;

		if (!yaml_parser_parse(&p, &ev)) {
			syntax(r, &p);
			break;
		}
		pos = (struct topo_pos){(unsigned)ev.start_mark.line + 1,
					(unsigned)ev.start_mark.column + 1};
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			rc = 0;
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			topo_error(r->e, r->file, pos,
				   "aliases (*%s) are not allowed in a lab file",
				   (const char *)ev.data.alias.anchor);
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			topo_error(r->e, r->file, pos,
				   "a second YAML document; a lab file holds one lab");
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
		if (++events > LABFILE_MAX_EVENTS) {
			topo_error(r->e, r->file, pos, "more than %d YAML elements in one file",
				   LABFILE_MAX_EVENTS);
			break;
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

int labfile_parse(const char *name, const char *text, size_t len, struct topo *t,
		  struct topo_errors *e)
{
	struct rd r = {.file = name, .t = t, .e = e};
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_node_t *root;

	free(t->file);
	t->file = strdup(name);
	if (len > LABFILE_MAX_BYTES) {
		topo_error(e, name, (struct topo_pos){0, 0}, "larger than %d bytes",
			   LABFILE_MAX_BYTES);
		return -1;
	}
	if (scan(&r, text, len))
		return -1;
	if (!yaml_parser_initialize(&p)) {
		topo_error(e, name, (struct topo_pos){0, 0}, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &doc)) {
		syntax(&r, &p);
		yaml_parser_delete(&p);
		return -1;
	}
	r.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root || is_null(root))
		topo_error(e, name, (struct topo_pos){1, 1},
			   "the file is empty: a lab file names "
			   "a lab and its topology"),
		    r.found++;
	else
		top(&r, root);
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return r.found ? -1 : 0;
}

char *labfile_text(const char *path, size_t *len, struct topo_errors *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	*len = 0;
	if (fd < 0) {
		topo_error(e, path, (struct topo_pos){0, 0}, "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(LABFILE_MAX_BYTES + 2);
	if (!buf) {
		close(fd);
		topo_error(e, path, (struct topo_pos){0, 0}, "out of memory");
		return NULL;
	}
	/* One byte past the bound tells a file that is too large. */
	while (*len <= LABFILE_MAX_BYTES &&
	       (n = read(fd, buf + *len, LABFILE_MAX_BYTES + 1 - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			topo_error(e, path, (struct topo_pos){0, 0}, "cannot read: %s",
				   strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		*len += (size_t)n;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

int labfile_read(const char *path, struct topo *t, struct topo_errors *e)
{
	size_t len;
	char *buf = labfile_text(path, &len, e);
	int rc;

	if (!buf)
		return -1;
	rc = labfile_parse(path, buf, len, t, e);
	free(buf);
	return rc;
}

/* After reading: the check, once the shape is right, and the errors in file order. */
static int finish(int rc, struct topo *t, struct topo_errors *e)
{
	/*
	 * The check runs once the file's shape is right: on a half-read file
	 * it would only repeat the reader's faults in other words.
	 */
	if (rc == 0 && topo_check(t, e))
		rc = -1;
	topo_errors_sort(e);
	return rc;
}

int labfile_load(const char *path, struct topo *t, struct topo_errors *e)
{
	return finish(labfile_read(path, t, e), t, e);
}

int labfile_load_text(const char *name, const char *text, size_t len, struct topo *t,
		      struct topo_errors *e)
{
	return finish(labfile_parse(name, text, len, t, e), t, e);
}
