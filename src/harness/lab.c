#include "lab.h"
#include "lib/addr.h"
#include "lib/netns.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The blog's home and office, joined by an emulated internet that uses
 * only documentation prefixes (RFC 5737, and RFC 3849 for IPv6).
 */
const struct node_def lab_nodes[NODE_COUNT] = {
    [HOME_LAPTOP] = {"home-laptop", false, "VPN client"},
    [HOME_ROUTER] = {"home-router", true, "NAT router"},
    [INTERNET] = {"internet", true, "router between the two sides"},
    [OFFICE_SERVER] = {"office-server", true, "VPN server, office gateway"},
    [OFFICE_HOST] = {"office-host", false, "office LAN machine"},
};

const struct path_point lab_path[PATH_POINTS] = {
    {HOME_LAPTOP, "tun0", "home-laptop:tun0"},	   {HOME_LAPTOP, "eth0", "home-laptop:eth0"},
    {HOME_ROUTER, "wan", "home-router:wan"},	   {OFFICE_SERVER, "wan", "office-server:wan"},
    {OFFICE_SERVER, "tun0", "office-server:tun0"}, {OFFICE_HOST, "eth0", "office-host:eth0"},
};

const struct link_def lab_links[] = {
    {HOME_LAPTOP, "eth0", HOME_ROUTER, "lan"},
    {HOME_ROUTER, "wan", INTERNET, "home"},
    {INTERNET, "office", OFFICE_SERVER, "wan"},
    {OFFICE_SERVER, "lan", OFFICE_HOST, "eth0"},
};

const struct addr_def lab_addrs[] = {
    {HOME_LAPTOP, "eth0", "192.168.1.192/24"}, {HOME_LAPTOP, "eth0", "fd00:192:168:1::192/64"},
    {HOME_ROUTER, "lan", "192.168.1.1/24"},    {HOME_ROUTER, "lan", "fd00:192:168:1::1/64"},
    {HOME_ROUTER, "wan", "198.51.100.2/24"},   {HOME_ROUTER, "wan", "2001:db8:198::2/64"},
    {INTERNET, "home", "198.51.100.1/24"},     {INTERNET, "home", "2001:db8:198::1/64"},
    {INTERNET, "office", "203.0.113.1/24"},    {INTERNET, "office", "2001:db8:203::1/64"},
    {OFFICE_SERVER, "wan", "203.0.113.10/24"}, {OFFICE_SERVER, "wan", "2001:db8:203::10/64"},
    {OFFICE_SERVER, "lan", "172.31.9.116/20"}, {OFFICE_SERVER, "lan", "fd00:172:31::116/64"},
    {OFFICE_HOST, "eth0", "172.31.9.200/20"},  {OFFICE_HOST, "eth0", "fd00:172:31::200/64"},
};

const struct route_def lab_routes[] = {
    {HOME_LAPTOP, "default", "192.168.1.1"},
    {HOME_LAPTOP, "default", "fd00:192:168:1::1"},
    {HOME_ROUTER, "default", "198.51.100.1"},
    {HOME_ROUTER, "default", "2001:db8:198::1"},
    {OFFICE_SERVER, "default", "203.0.113.1"},
    {OFFICE_SERVER, "default", "2001:db8:203::1"},
    /* The office LAN reaches VPN clients through the VPN server. */
    {OFFICE_HOST, "172.31.255.0/24", "172.31.9.116"},
    {OFFICE_HOST, "fd00:172:31:255::/64", "fd00:172:31::116"},
};

const size_t lab_nlinks = sizeof(lab_links) / sizeof(lab_links[0]);
const size_t lab_naddrs = sizeof(lab_addrs) / sizeof(lab_addrs[0]);
const size_t lab_nroutes = sizeof(lab_routes) / sizeof(lab_routes[0]);

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LAB_NAME_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int lab_init(struct lab *lab, const char *name, char *err, size_t errlen)
{
	memset(lab, 0, sizeof(*lab));
	lab->lock_fd = -1;
	if (!name)
		name = getenv("TUNLAB_LAB");
	if (!name || !*name)
		name = LAB_DEFAULT;
	if (!name_ok(name)) {
		snprintf(err, errlen,
			 "lab name '%s' is not valid: 1 to %d of a-z, 0-9 and '-', not starting "
			 "with '-'",
			 name, LAB_NAME_MAX);
		return -1;
	}
	snprintf(lab->name, sizeof(lab->name), "%s", name);
	snprintf(lab->dir, sizeof(lab->dir), "%s/%s", LAB_RUN_DIR, name);
	term_init(&lab->term, STDOUT_FILENO);
	return 0;
}

void lab_fini(struct lab *lab)
{
	if (lab->lock_fd >= 0)
		close(lab->lock_fd);
	lab->lock_fd = -1;
}

const char *lab_ns(const struct lab *lab, enum node_id n, char *out, size_t cap)
{
	if (!strcmp(lab->name, LAB_DEFAULT))
		snprintf(out, cap, "%s", lab_nodes[n].name);
	else
		snprintf(out, cap, "%s-%s", lab->name, lab_nodes[n].name);
	return out;
}

int lab_node(const char *name)
{
	for (int i = 0; i < NODE_COUNT; i++)
		if (!strcmp(lab_nodes[i].name, name))
			return i;
	return -1;
}

const char *lab_file(const struct lab *lab, enum node_id n, const char *ext, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.%s", lab->dir, lab_nodes[n].name, ext);
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

const char *lab_mode_name(enum lab_mode m)
{
	return m == MODE_PI ? "pi" : m == MODE_ENCRYPTED ? "encrypted" : "plaintext";
}

const char *lab_who(const char *addr)
{
	static const struct {
		const char *addr, *node;
	} vpn[] = {{SERVER_VPN_V4, "office-server"},
		   {SERVER_VPN_V6, "office-server"},
		   {CLIENT_VPN_V4, "home-laptop"},
		   {CLIENT_VPN_V6, "home-laptop"}};
	struct prefix a, b;
	char err[64];

	if (prefix_parse(addr, false, &a, err, sizeof(err)))
		return NULL;
	for (size_t i = 0; i < sizeof(vpn) / sizeof(vpn[0]); i++)
		if (prefix_parse(vpn[i].addr, false, &b, err, sizeof(err)) == 0 &&
		    a.family == b.family && !memcmp(a.addr, b.addr, 16))
			return vpn[i].node;
	for (size_t i = 0; i < lab_naddrs; i++)
		if (prefix_parse(lab_addrs[i].cidr, true, &b, err, sizeof(err)) == 0 &&
		    a.family == b.family && !memcmp(a.addr, b.addr, 16))
			return lab_nodes[lab_addrs[i].node].name;
	return NULL;
}

static int open_raw(void *arg)
{
	int fd = socket(*(int *)arg, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	return fd < 0 ? -errno : fd;
}

int lab_raw_socket(const struct lab *lab, enum node_id node, int family)
{
	char ns[64];

	return netns_call_name(lab_ns(lab, node, ns, sizeof(ns)), open_raw, &family);
}
