#include "lab.h"
#include "default_lab.h"
#include "labfile.h"
#include "topo_check.h"
#include "lib/addr.h"
#include "lib/netns.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A lab that is up was built from the file it kept (up FILE), else it is
 * the default lab.  The kept file is trusted only as root's alone, in the
 * lab's own directory, and not through a link: what anyone else could
 * have written there would steer what root does next.
 */
static int load_topology(struct lab *lab, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct topo_errors e;
	struct stat st;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", lab->dir, LAB_FILE_KEPT);
	topo_errors_init(&e);
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
			snprintf(err, errlen, "%s is not root's alone: not trusted", path);
			return -1;
		}
		rc = labfile_load(path, &lab->topo, &e);
	} else {
		rc = default_lab_load(&lab->topo, &e);
	}
	if (rc)
		snprintf(err, errlen, "%s", e.n ? e.v[0].line : "the lab's topology does not read");
	topo_errors_free(&e);
	return rc ? -1 : 0;
}

int lab_init(struct lab *lab, const char *name, char *err, size_t errlen)
{
	memset(lab, 0, sizeof(*lab));
	lab->lock_fd = -1;
	topo_init(&lab->topo);
	if (!name)
		name = getenv("TUNLAB_LAB");
	if (!name || !*name)
		name = LAB_DEFAULT;
	/* A lab's name follows the rule of a node's: it prefixes node names. */
	if (!topo_name_ok(name, LAB_NAME_MAX)) {
		snprintf(err, errlen,
			 "lab name '%s' is not valid: 1 to %d of a-z, 0-9 and '-', not starting "
			 "with '-'",
			 name, LAB_NAME_MAX);
		return -1;
	}
	snprintf(lab->name, sizeof(lab->name), "%s", name);
	snprintf(lab->dir, sizeof(lab->dir), "%s/%s", LAB_RUN_DIR, name);
	/* The one place the topology comes from. */
	if (load_topology(lab, err, errlen))
		return -1;
	lab_path_find(lab);
	lab_where_find(lab);
	term_init(&lab->term, STDOUT_FILENO);
	return 0;
}

void lab_fini(struct lab *lab)
{
	if (lab->lock_fd >= 0)
		close(lab->lock_fd);
	lab->lock_fd = -1;
	topo_free(&lab->topo);
}

const char *lab_role_what(enum topo_role r)
{
	static const char *const what[ROLE_COUNT] = {
	    [ROLE_CLIENT] = "the VPN client the pings start from",
	    [ROLE_NAT] = "the router that masquerades the client",
	    [ROLE_INTERNET] = "the router between the two sides",
	    [ROLE_SERVER] = "the VPN server",
	    [ROLE_TARGET] = "where the pings go",
	};

	return r < ROLE_COUNT && what[r] ? what[r] : "?";
}

size_t lab_missing_roles(const struct lab *lab, unsigned int roles, char *out, size_t cap)
{
	size_t len = 0, missing = 0;

	if (cap)
		out[0] = '\0';
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(roles & (1u << r)) || lab_role(lab, (enum topo_role)r) >= 0)
			continue;
		len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s'%s' role (%s)",
					missing++ ? ", no " : "", topo_role_name((enum topo_role)r),
					lab_role_what((enum topo_role)r));
	}
	return missing;
}

int lab_need_roles(const struct lab *lab, const char *cmd, unsigned int roles)
{
	char line[512];
	size_t missing = lab_missing_roles(lab, roles, line, sizeof(line));

	if (!missing)
		return 0;
	fprintf(stderr, "harness %s: lab '%s' has no %s; name %s under 'roles:' in the lab file\n",
		cmd, lab->name, line, missing > 1 ? "them" : "it");
	return -1;
}

int lab_role(const struct lab *lab, enum topo_role r)
{
	return r < ROLE_COUNT ? lab->topo.roles[r] : -1;
}

const char *lab_name(const struct lab *lab, int n)
{
	return n >= 0 && (size_t)n < lab->topo.nnodes ? lab->topo.nodes[n].name : "?";
}

const char *lab_ns(const struct lab *lab, int n, char *out, size_t cap)
{
	if (!strcmp(lab->name, LAB_DEFAULT))
		snprintf(out, cap, "%s", lab_name(lab, n));
	else
		snprintf(out, cap, "%s-%s", lab->name, lab_name(lab, n));
	return out;
}

int lab_node(const struct lab *lab, const char *name)
{
	return topo_node(&lab->topo, name);
}

bool lab_extra_laptop(const char *name)
{
	size_t digits;

	if (strncmp(name, "laptop-", 7))
		return false;
	/* At most two digits: --clients allows no more laptops than that. */
	digits = strlen(name + 7);
	return digits >= 1 && digits <= 2 && strspn(name + 7, "0123456789") == digits;
}

const char *lab_ns_node(const struct lab *lab, const char *ns)
{
	size_t len = strlen(lab->name);

	if (!strcmp(lab->name, LAB_DEFAULT))
		return ns;
	return !strncmp(ns, lab->name, len) && ns[len] == '-' ? ns + len + 1 : NULL;
}

const char *lab_file(const struct lab *lab, int n, const char *ext, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.%s", lab->dir, lab_name(lab, n), ext);
	return out;
}

void lab_explain(const struct lab *lab, const char *fmt, ...)
{
	va_list ap;

	if (!lab->explain)
		return;
	printf("%s$ ", term_c(&lab->term, C_DIM));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", term_c(&lab->term, C_RESET));
}

static bool same_addr(const struct prefix *a, const char *cidr)
{
	struct prefix b;
	char err[64];

	return prefix_parse(cidr, true, &b, err, sizeof(err)) == 0 && a->family == b.family &&
	       !memcmp(a->addr, b.addr, 16);
}

static const char *member_who(const struct topo *t, const struct topo_member *m,
			      const struct prefix *a)
{
	for (size_t i = 0; i < m->naddrs; i++)
		if (m->node >= 0 && same_addr(a, m->addrs[i]))
			return t->nodes[m->node].name;
	return NULL;
}

static const char *node_who(const struct topo_node *n, const struct prefix *a)
{
	for (size_t i = 0; i < n->nifaces; i++)
		for (size_t k = 0; k < n->ifaces[i].naddrs; k++)
			if (same_addr(a, n->ifaces[i].addrs[k].cidr))
				return n->name;
	return NULL;
}

/* The tunnels' inner addresses first, then every interface's. */
const char *lab_who(const struct lab *lab, const char *addr)
{
	const struct topo *t = &lab->topo;
	const char *who = NULL;
	struct prefix a;
	char err[64];

	if (prefix_parse(addr, false, &a, err, sizeof(err)))
		return NULL;
	for (size_t i = 0; i < t->ntunnels && !who; i++) {
		who = member_who(t, &t->tunnels[i].server, &a);
		for (size_t j = 0; j < t->tunnels[i].nclients && !who; j++)
			who = member_who(t, &t->tunnels[i].clients[j], &a);
	}
	for (size_t n = 0; n < t->nnodes && !who; n++)
		who = node_who(&t->nodes[n], &a);
	return who;
}

static int open_raw(void *arg)
{
	int fd = socket(*(int *)arg, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	return fd < 0 ? -errno : fd;
}

int lab_raw_socket(const struct lab *lab, int node, int family)
{
	char ns[64];

	return netns_call_name(lab_ns(lab, node, ns, sizeof(ns)), open_raw, &family);
}
