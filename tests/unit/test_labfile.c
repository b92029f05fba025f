/*
 * Lab files: each malformed file gives exactly the lines it must
 * (file:line:column: message, in file order, every fault at once); the
 * shipped labs and every lab docs/labs.md shows read and check clean; the
 * default lab's file is read field by field.  Runs from the top of the
 * tree, as make unit does (it reads labs/ and docs/labs.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/labfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Every error line of a lab read from memory, each ended by a newline. */
static char *errors_of(const char *text, size_t len, size_t *count)
{
	struct topo t;
	struct topo_errors e;
	size_t cap = 1, used = 0;
	char *out;

	topo_init(&t);
	topo_errors_init(&e);
	labfile_load_text("t.yml", text, len, &t, &e);
	for (size_t i = 0; i < e.n; i++)
		cap += strlen(e.v[i].line) + 1;
	out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < e.n; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s\n", e.v[i].line);
	if (count)
		*count = topo_errors_count(&e);
	topo_errors_free(&e);
	topo_free(&t);
	return out;
}

struct bad {
	const char *name, *text, *want;
};

static const struct bad bad_files[] = {
    {"empty file", "", "t.yml:1:1: the file is empty: a lab file names a lab and its topology\n"},
    {"only a comment", "# nothing\n",
     "t.yml:1:1: the file is empty: a lab file names a lab and its topology\n"},
    {"syntax error",
     "name: t\n"
     "topology: [\n",
     "t.yml:3:1: did not find expected node content, while parsing a flow node that starts at "
     "3:1\n"},
    {"tab indentation",
     "name: t\n"
     "topology:\n"
     "\tnodes: {}\n",
     "t.yml:3:1: found character that cannot start any token, while scanning for the next token "
     "that starts at 3:1\n"},
    {"alias",
     "name: &n t\n"
     "topology:\n"
     "  nodes:\n"
     "    a: *n\n",
     "t.yml:4:8: aliases (*n) are not allowed in a lab file\n"},
    {"two documents",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "---\n"
     "name: u\n",
     "t.yml:12:1: a second YAML document; a lab file holds one lab\n"},
    {"top level a list",
     "- name\n"
     "- t\n",
     "t.yml:1:1: a lab file must be a mapping of keys to values\n"},
    {"misspelt top key",
     "nmae: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:1:1: unknown key 'nmae', did you mean 'name'?\n"},
    {"netns key refused",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "netns: host\n",
     "t.yml:12:1: unknown key 'netns' in the lab file (known: name, topology, tunnels, roles, "
     "expect)\n"},
    {"no topology", "name: t\n", "t.yml:1:1: the lab file has no 'topology'\n"},
    {"key given twice",
     "name: t\n"
     "name: u\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:2:1: 'name' is given twice (first at 1:1)\n"},
    {"node name with capitals",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    Host_A:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [Host_A:eth0, b:eth0]\n",
     "t.yml:4:5: node name 'Host_A' is not valid: 1 to 15 of a-z, 0-9 and '-', not starting with "
     "'-'\n"},
    {"node name too long",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a-very-long-node:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a-very-long-node:eth0, b:eth0]\n",
     "t.yml:4:5: node name 'a-very-long-node' is not valid: 1 to 15 of a-z, 0-9 and '-', not "
     "starting with '-'\n"},
    {"interface lo",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        lo: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:lo, b:eth0]\n",
     "t.yml:6:9: 'lo' is the node's own loopback, not an interface a link can make\n"},
    {"interface name too long",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        interface-number-1: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:interface-number-1, b:eth0]\n",
     "t.yml:6:9: interface name 'interface-number-1' is not valid: 1 to 15 of a-z, 0-9 and '-', "
     "not starting with '-'\n"},
    {"lab name not plain",
     "name: Home Office\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:1:7: lab name 'Home Office' is not valid: 1 to 16 of a-z, 0-9 and '-', not starting "
     "with '-'\n"},
    {"prefix length too long",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/33]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:6:16: '10.0.0.1/33' has a bad prefix length (0 to 32)\n"},
    {"address without length",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:6:16: '10.0.0.1' has no prefix length (write it as ADDR/LEN)\n"},
    {"not an address",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [ten/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:6:16: 'ten' is not an IPv4 or IPv6 address\n"},
    {"address off the link's subnet",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.1.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:6:16: 10.0.0.1/24 on a:eth0 shares no subnet with the other end of its link, b:eth0\n"
     "t.yml:9:16: 10.0.1.2/24 on b:eth0 shares no subnet with the other end of its link, a:eth0\n"},
    {"duplicate address",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:16: address 10.0.0.1/24 is also on a:eth0 (6:16)\n"},
    {"overlapping subnets on a node",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "        eth1: [10.0.0.129/25]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:7:9: interface a:eth1 is in no link (every interface is one end of a link)\n"
     "t.yml:7:16: 10.0.0.129/25 on a:eth1 overlaps 10.0.0.1/24 on a:eth0 (6:16)\n"},
    {"link to an undefined node",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, bb:eth0]\n",
     "t.yml:11:27: no node 'bb' in this lab\n"},
    {"link to an undefined interface",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth1]\n",
     "t.yml:11:27: node 'b' has no interface 'eth1'\n"},
    {"link end without a colon",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b]\n",
     "t.yml:11:27: 'b' is not NODE:INTERFACE\n"},
    {"link with three ends",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0, a:eth0]\n",
     "t.yml:11:18: 'endpoints' must name two ends (node:interface), not 3\n"},
    {"link joins a node to itself",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "        eth1: [10.0.0.3/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, a:eth1]\n",
     "t.yml:7:16: 10.0.0.3/24 on a:eth1 overlaps 10.0.0.1/24 on a:eth0 (6:16)\n"
     "t.yml:12:27: a link joins two nodes, but both ends are on 'a'\n"},
    {"interface in two links",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "    - endpoints: [b:eth0, a:eth0]\n",
     "t.yml:12:19: b:eth0 is already an end of the link at 11:7\n"
     "t.yml:12:27: a:eth0 is already an end of the link at 11:7\n"},
    {"interface in no link",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "        spare: []\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:10:9: interface b:spare is in no link (every interface is one end of a link)\n"},
    {"link without endpoints",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "    - mtu: 1400\n",
     "t.yml:12:7: a link has no 'endpoints'\n"},
    {"link mtu too small",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      mtu: 40\n",
     "t.yml:12:12: 'mtu' must be a whole number from 68 to 65535, not '40'\n"},
    {"link delay not a time",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      delay: soon\n",
     "t.yml:12:14: 'delay' must be a time such as 20ms, 1.5ms or 2s, not 'soon'\n"},
    {"link loss over 100",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      loss: 150%\n",
     "t.yml:12:13: 'loss' must be a percentage such as 1% or 0.5, not '150%'\n"},
    {"link rate not a rate",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      rate: fast\n",
     "t.yml:12:13: 'rate' must be a rate such as 10mbit, 500kbit or 1gbit, not 'fast'\n"},
    {"link reorder not a percentage",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      reorder: some\n",
     "t.yml:12:16: 'reorder' must be a percentage such as 25%, not 'some'\n"},
    {"block-icmp not a boolean",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      block-icmp: yes\n",
     "t.yml:12:19: 'block-icmp' must be true or false, not 'yes'\n"},
    {"unknown link key",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      dealy: 20ms\n",
     "t.yml:12:7: unknown key 'dealy', did you mean 'delay'?\n"},
    {"forward not a boolean",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      forward: 1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:8:16: 'forward' must be true or false, not '1'\n"},
    {"route without via",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes:\n"
     "        - default 10.0.0.1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:11: a route is 'DESTINATION via GATEWAY' (DESTINATION: default or a prefix), not "
     "'default 10.0.0.1'\n"},
    {"route gateway on no subnet",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes:\n"
     "        - default via 10.9.0.1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:11: gateway 10.9.0.1 is on no subnet of node 'b'\n"},
    {"route mixes families",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes:\n"
     "        - 2001:db8::/32 via 10.0.0.1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:11: route to 2001:db8::/32 via 10.0.0.1 mixes IPv4 and IPv6\n"},
    {"route destination with host bits",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes:\n"
     "        - 10.5.0.1/16 via 10.0.0.1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:11: destination 10.5.0.1/16 has bits set past its prefix length\n"},
    {"route via own address",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes:\n"
     "        - default via 10.0.0.2\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:9:11: gateway 10.0.0.2 is node 'b''s own address\n"},
    {"routes not a list",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      routes: default via 10.0.0.1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:8:15: 'routes' must be a list\n"},
    {"exec not a list",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      exec: sysctl -w net.ipv4.ip_forward=1\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:8:13: 'exec' must be a list\n"},
    {"masquerade on a missing interface",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:8:25: node 'b' has no interface 'wan' to masquerade out of\n"},
    {"unknown role with a slip",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "roles:\n"
     "  clinet: a\n",
     "t.yml:13:3: unknown role 'clinet', did you mean 'client'?\n"},
    {"role naming no node",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "roles:\n"
     "  client: c\n",
     "t.yml:13:11: no node 'c' (role 'client') in this lab\n"},
    {"expectation of an unknown kind",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - ping: {from: a, to: b}\n",
     "t.yml:13:5: unknown expectation 'ping' in 'expect' (known: reach, no-reach, path-mtu, "
     "mtu-probe, check, capture)\n"},
    {"expectation with two keys",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - reach: {from: a, to: b}\n"
     "    check: pass\n",
     "t.yml:13:5: an expectation has one key (reach, no-reach, path-mtu, mtu-probe, check or "
     "capture), not 2\n"},
    {"expectation to an outside address",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - reach: {from: a, to: 8.8.8.8}\n",
     "t.yml:13:26: 8.8.8.8 is no address in this lab (the lab only sends to its own)\n"},
    {"expectation from an undefined node",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - reach: {from: c, to: b}\n",
     "t.yml:13:19: no node 'c' in this lab\n"},
    {"reach without to",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - reach: {from: a}\n",
     "t.yml:13:12: 'reach' has no 'to'\n"},
    {"mtu-probe with an unknown verdict",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - mtu-probe: fine\n",
     "t.yml:13:16: 'mtu-probe' must be a verdict: consistent, inconsistent, fragmenting, black "
     "hole, MTU too high or unreachable; not 'fine'\n"},
    {"path-mtu largest not below mtu",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - path-mtu: {from: a, to: b, mtu: 1400, largest: 1400}\n",
     "t.yml:13:5: 'largest' (1400) must be below 'mtu' (1400)\n"},
    {"capture on an undefined interface",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - capture:\n"
     "      at: a:wan\n"
     "      filter: icmp\n"
     "      ping: {from: a, to: b}\n"
     "      sees: true\n",
     "t.yml:14:11: node 'a' has no interface 'wan'\n"},
    {"capture without sees",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - capture:\n"
     "      at: a:eth0\n"
     "      filter: icmp\n"
     "      ping: {from: a, to: b}\n",
     "t.yml:14:7: 'capture' has no 'sees'\n"},
    {"NUL byte in a value",
     "name: \"t\\0x\"\n"
     "topology:\n"
     "  nodes:\n"
     "    a:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.1/24]\n"
     "    b:\n"
     "      interfaces:\n"
     "        eth0: [10.0.0.2/24]\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n",
     "t.yml:1:7: 'name' holds a NUL byte\n"},
    {"tunnel mode unknown",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    mode: xor\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:25:11: 'mode' must be encrypted, plaintext or pi, not 'xor'\n"},
    {"tunnel port zero",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    port: 0\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:25:11: 'port' must be a whole number from 1 to 65535, not '0'\n"},
    {"tunnel server key misspelt",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      adress: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:27:7: unknown key 'adress', did you mean 'addresses'?\n"},
    {"tunnel client on an undefined node",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: cc\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:29:9: no node 'cc' (the client of tunnel 'vpn') in this lab\n"},
    {"tunnel client is the server",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: s\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:29:9: node 's' is the server of tunnel 'vpn', not a client\n"},
    {"tunnel client address off the server's subnet",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.254.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:30:21: 172.31.254.2/24 shares no subnet with the server's addresses\n"},
    {"tunnel client cannot route to the endpoint",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:27:9: client 'c' cannot reach the server's endpoint 203.0.113.10: 'c' has no route to "
     "it\n"},
    {"tunnel client behind a router that does not forward",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:28:9: client 'c' cannot reach the server's endpoint 203.0.113.10: 'r' does not "
     "forward\n"},
    {"tunnel endpoint not the server's",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    endpoint: 203.0.113.1\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:25:15: endpoint 203.0.113.1 is no address of the server 's'\n"},
    {"tunnel without clients",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients: []\n",
     "t.yml:24:3: tunnel 'vpn' has no clients\n"},
    {"tunnel route not a prefix",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0]\n",
     "t.yml:31:18: '172.16.0.0' has no prefix length (write it as ADDR/LEN)\n"},
    {"tunnel route is the client's own subnet",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [192.168.1.0/24]\n",
     "t.yml:31:18: tunnel route 192.168.1.0/24 is the subnet of c:eth0 (6:16): the node has a "
     "route to it already\n"},
    {"tunnel route is also a static route",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [0.0.0.0/0]\n",
     "t.yml:31:18: tunnel route 0.0.0.0/0 is also a route of node 'c' (8:11)\n"},
    {"two tunnels on one port of one server",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [203.0.113.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [203.0.113.10/24]\n"
     "      routes:\n"
     "        - default via 203.0.113.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n"
     "  vpn2:\n"
     "    server: {node: s, addresses: [172.31.254.1/24]}\n"
     "    clients:\n"
     "      - {node: c, addresses: [172.31.254.2/24]}\n",
     "t.yml:32:3: 2 tunnels; up starts one tunnel a lab so far\n"
     "t.yml:32:3: tunnel 'vpn2' listens on UDP 1234 of 's', as tunnel 'vpn' does (24:3)\n"},
    {"server with only private addresses",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c:\n"
     "      interfaces:\n"
     "        eth0: [192.168.1.2/24]\n"
     "      routes:\n"
     "        - default via 192.168.1.1\n"
     "    r:\n"
     "      forward: true\n"
     "      nat: {masquerade: wan}\n"
     "      interfaces:\n"
     "        lan: [192.168.1.1/24]\n"
     "        wan: [10.1.0.1/24]\n"
     "    s:\n"
     "      interfaces:\n"
     "        wan: [10.1.0.10/24]\n"
     "      routes:\n"
     "        - default via 10.1.0.1\n"
     "  links:\n"
     "    - endpoints: [c:eth0, r:lan]\n"
     "    - endpoints: [r:wan, s:wan]\n"
     "tunnels:\n"
     "  vpn:\n"
     "    server:\n"
     "      node: s\n"
     "      addresses: [172.31.255.1/24]\n"
     "    clients:\n"
     "      - node: c\n"
     "        addresses: [172.31.255.2/24]\n"
     "        routes: [172.16.0.0/12]\n",
     "t.yml:26:7: the server 's' has no public address for clients to dial; give 'endpoint'\n"},
    {"check without the roles it follows",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a: {interfaces: {eth0: [198.51.100.1/24]}}\n"
     "    b: {interfaces: {eth0: [198.51.100.2/24]}}\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "expect:\n"
     "  - check: pass\n"
     "  - mtu-probe: consistent\n",
     "t.yml:9:5: 'check' needs the lab's 'client' role, which it does not name\n"
     "t.yml:9:5: 'check' needs the lab's 'nat' role, which it does not name\n"
     "t.yml:9:5: 'check' needs the lab's 'internet' role, which it does not name\n"
     "t.yml:9:5: 'check' needs the lab's 'server' role, which it does not name\n"
     "t.yml:9:5: 'check' needs the lab's 'target' role, which it does not name\n"
     "t.yml:10:5: 'mtu-probe' needs the lab's 'client' role, which it does not name\n"
     "t.yml:10:5: 'mtu-probe' needs the lab's 'server' role, which it does not name\n"},
    {"check with some roles named, and not nat nor internet",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a: {interfaces: {eth0: [198.51.100.1/24]}}\n"
     "    b: {interfaces: {eth0: [198.51.100.2/24]}}\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "roles: {client: a, server: b, target: b}\n"
     "expect:\n"
     "  - check: pass\n",
     "t.yml:10:5: 'check' needs the lab's 'nat' role, which it does not name\n"
     "t.yml:10:5: 'check' needs the lab's 'internet' role, which it does not name\n"},
    {"a delay over 1s with reorder: the delay line holds 1s at most",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    a: {interfaces: {eth0: [10.0.0.1/24]}}\n"
     "    b: {interfaces: {eth0: [10.0.0.2/24]}}\n"
     "  links:\n"
     "    - endpoints: [a:eth0, b:eth0]\n"
     "      delay: 2s\n"
     "      reorder: 25%\n",
     "t.yml:7:7: delay over 1s with reorder; the delay line that reorders holds a packet 1s "
     "at most\n"},
    {"two tunnels: up starts one",
     "name: t\n"
     "topology:\n"
     "  nodes:\n"
     "    c: {interfaces: {eth0: [198.51.100.2/24]}}\n"
     "    s: {interfaces: {eth0: [198.51.100.1/24]}}\n"
     "  links:\n"
     "    - endpoints: [c:eth0, s:eth0]\n"
     "tunnels:\n"
     "  one:\n"
     "    server: {node: s, addresses: [172.31.255.1/24]}\n"
     "    clients:\n"
     "      - {node: c, addresses: [172.31.255.2/24]}\n"
     "  two:\n"
     "    port: 1235\n"
     "    server: {node: s, addresses: [172.31.254.1/24]}\n"
     "    clients:\n"
     "      - {node: c, addresses: [172.31.254.2/24]}\n",
     "t.yml:13:3: 2 tunnels; up starts one tunnel a lab so far\n"},
};

static void malformed_files(void **state)
{
	size_t wrong = 0, n = sizeof(bad_files) / sizeof(bad_files[0]);

	(void)state;
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		char *got = errors_of(bad_files[i].text, strlen(bad_files[i].text), NULL);

		if (strcmp(got, bad_files[i].want)) {
			print_error("%s:\n  want: %s  got:  %s", bad_files[i].name,
				    bad_files[i].want, got);
			wrong++;
		}
		free(got);
	}
	assert_int_equal(wrong, 0);
}

/* A string of n copies of piece, after head. */
static char *repeat(const char *head, const char *piece, size_t n)
{
	size_t len = strlen(head) + strlen(piece) * n + 1;
	char *s = malloc(len);

	assert_non_null(s);
	strcpy(s, head);
	for (size_t i = 0; i < n; i++)
		strcat(s + strlen(head) + strlen(piece) * i, piece);
	return s;
}

static void bounds(void **state)
{
	char *text, *got, line[64];
	size_t count;

	(void)state;
	/* One node past the bound. */
	text = repeat("name: t\ntopology:\n  nodes:\n", "", 0);
	for (int i = 0; i < LABFILE_MAX_NODES + 1; i++) {
		snprintf(line, sizeof(line), "    n%d: {}\n", i);
		text = realloc(text, strlen(text) + strlen(line) + 1);
		assert_non_null(text);
		strcat(text, line);
	}
	got = errors_of(text, strlen(text), NULL);
	assert_string_equal(got, "t.yml:4:5: more than 512 nodes\n");
	free(got);
	free(text);

	/* A value one character past the bound. */
	text = repeat("name: ", "x", LABFILE_MAX_STRING + 1);
	got = errors_of(text, strlen(text), NULL);
	assert_string_equal(got, "t.yml:1:1: the lab file has no 'topology'\n"
				 "t.yml:1:7: 'name' is longer than 1024 characters\n");
	free(got);
	free(text);

	/* A file one byte past the bound is refused before it is parsed. */
	text = repeat("", "#", LABFILE_MAX_BYTES + 1);
	got = errors_of(text, strlen(text), NULL);
	assert_string_equal(got, "t.yml: larger than 262144 bytes\n");
	free(got);
	free(text);

	/* More YAML elements than any lab has, in a small file. */
	text = repeat("expect: [", "1,", LABFILE_MAX_EVENTS);
	got = errors_of(text, strlen(text), NULL);
	assert_string_equal(got, "t.yml:1:40000: more than 20000 YAML elements in one file\n");
	free(got);
	free(text);

	/* Past TOPO_ERRORS_MAX errors are counted, not kept. */
	text = repeat("", "", 0);
	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "k%d: 1\n", i);
		text = realloc(text, strlen(text) + strlen(line) + 1);
		assert_non_null(text);
		strcat(text, line);
	}
	got = errors_of(text, strlen(text), &count);
	assert_int_equal(count, 302); /* 300 unknown keys, no name, no topology */
	assert_non_null(strstr(got, "t.yml:1:1: unknown key 'k0' in the lab file"));
	free(got);
	free(text);
}

/* A lab file's path from the top of the tree. */
static const char *const shipped[] = {
    "labs/home-office.yml",   "labs/cgnat.yml",	   "labs/site-to-site.yml",
    "labs/road-warriors.yml", "labs/mtu-maze.yml", "labs/routing-101.yml",
};

static void shipped_labs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		struct topo t;
		struct topo_errors e;
		int rc;

		topo_init(&t);
		topo_errors_init(&e);
		rc = labfile_load(shipped[i], &t, &e);
		for (size_t j = 0; j < e.n; j++)
			print_error("%s\n", e.v[j].line);
		assert_int_equal(rc, 0);
		assert_int_equal(topo_errors_count(&e), 0);
		assert_true(t.nnodes > 0 && t.nexpects > 0);
		topo_errors_free(&e);
		topo_free(&t);
	}
}

/* Every ```yaml block of a page is a whole lab, and a sound one; how many there are. */
static size_t yaml_blocks_sound(const char *page)
{
	FILE *f = fopen(page, "r");
	char line[1024], *block = NULL;
	size_t len = 0, blocks = 0, at = 0, start = 0;
	bool in = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		at++;
		if (!in && !strcmp(line, "```yaml\n")) {
			in = true;
			len = 0;
			start = at + 1;
			continue;
		}
		if (in && !strncmp(line, "```", 3)) {
			char *got = errors_of(block ? block : "", len, NULL);

			in = false;
			blocks++;
			if (*got)
				print_error("%s block at line %zu:\n%s", page, start, got);
			assert_string_equal(got, "");
			free(got);
			continue;
		}
		if (in) {
			block = realloc(block, len + strlen(line) + 1);
			assert_non_null(block);
			memcpy(block + len, line, strlen(line) + 1);
			len += strlen(line);
		}
	}
	fclose(f);
	free(block);
	assert_false(in);
	return blocks;
}

static void documented_labs(void **state)
{
	(void)state;
	assert_true(yaml_blocks_sound("docs/labs.md") >= 5);
	/* The README's smallest lab, too. */
	assert_true(yaml_blocks_sound("README.md") >= 1);
}

static void home_office_fields(void **state)
{
	struct topo t;
	struct topo_errors e;
	const struct topo_node *n;
	const struct topo_tunnel *tu;

	(void)state;
	topo_init(&t);
	topo_errors_init(&e);
	assert_int_equal(labfile_load("labs/home-office.yml", &t, &e), 0);
	assert_string_equal(t.name, "home-office");
	assert_string_equal(t.file, "labs/home-office.yml");

	assert_int_equal(t.nnodes, 5);
	const char *names[] = {"home-laptop", "home-router", "internet", "office-server",
			       "office-host"};
	const char *labels[] = {"VPN client", "NAT router", "router between the two sides",
				"VPN server, office gateway", "office LAN machine"};
	const bool forward[] = {false, true, true, true, false};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(t.nodes[i].name, names[i]);
		assert_string_equal(t.nodes[i].label, labels[i]);
		assert_int_equal(t.nodes[i].forward, forward[i]);
		assert_int_equal(t.nodes[i].nexec, 0);
	}
	n = &t.nodes[0];
	assert_int_equal(n->pos.line, 8);
	assert_int_equal(n->pos.col, 5);
	assert_int_equal(n->nifaces, 1);
	assert_string_equal(n->ifaces[0].name, "eth0");
	assert_int_equal(n->ifaces[0].naddrs, 2);
	assert_string_equal(n->ifaces[0].addrs[0].cidr, "192.168.1.192/24");
	assert_string_equal(n->ifaces[0].addrs[1].cidr, "fd00:192:168:1::192/64");
	assert_int_equal(n->ifaces[0].addrs[1].pos.line, 11);
	assert_int_equal(n->ifaces[0].addrs[1].pos.col, 34);
	assert_int_equal(n->nroutes, 2);
	assert_string_equal(n->routes[0].dst, "default");
	assert_string_equal(n->routes[0].via, "192.168.1.1");
	assert_string_equal(n->routes[1].via, "fd00:192:168:1::1");
	assert_null(n->masquerade);

	n = &t.nodes[1];
	assert_string_equal(n->masquerade, "wan");
	assert_int_equal(n->nifaces, 2);
	assert_string_equal(n->ifaces[0].name, "lan");
	assert_string_equal(n->ifaces[1].name, "wan");
	assert_string_equal(n->ifaces[1].addrs[0].cidr, "198.51.100.2/24");
	assert_string_equal(n->ifaces[1].addrs[1].cidr, "2001:db8:198::2/64");
	assert_string_equal(n->routes[0].via, "198.51.100.1");

	n = &t.nodes[2];
	assert_int_equal(n->nroutes, 0);
	assert_string_equal(n->ifaces[0].name, "home");
	assert_string_equal(n->ifaces[1].name, "office");
	assert_string_equal(n->ifaces[1].addrs[0].cidr, "203.0.113.1/24");

	n = &t.nodes[3];
	assert_string_equal(n->ifaces[0].name, "wan");
	assert_string_equal(n->ifaces[0].addrs[0].cidr, "203.0.113.10/24");
	assert_string_equal(n->ifaces[1].name, "lan");
	assert_string_equal(n->ifaces[1].addrs[0].cidr, "172.31.9.116/20");
	assert_string_equal(n->ifaces[1].addrs[1].cidr, "fd00:172:31::116/64");

	n = &t.nodes[4];
	assert_string_equal(n->ifaces[0].addrs[0].cidr, "172.31.9.200/20");
	assert_int_equal(n->nroutes, 2);
	assert_string_equal(n->routes[0].dst, "172.31.255.0/24");
	assert_string_equal(n->routes[0].via, "172.31.9.116");
	assert_string_equal(n->routes[1].dst, "fd00:172:31:255::/64");
	assert_string_equal(n->routes[1].via, "fd00:172:31::116");
	assert_int_equal(n->routes[1].pos.line, 51);
	assert_int_equal(n->routes[1].pos.col, 11);

	/* Links, with their ends resolved to node and interface indexes. */
	assert_int_equal(t.nlinks, 4);
	const int ends[4][4] = {{0, 0, 1, 0}, {1, 1, 2, 0}, {2, 1, 3, 0}, {3, 1, 4, 0}};
	for (int i = 0; i < 4; i++) {
		const struct topo_link *l = &t.links[i];

		assert_int_equal(l->a.node, ends[i][0]);
		assert_int_equal(l->a.iface, ends[i][1]);
		assert_int_equal(l->b.node, ends[i][2]);
		assert_int_equal(l->b.iface, ends[i][3]);
		assert_int_equal(l->im.mtu, 0);
		assert_int_equal(l->im.delay_ns, 0);
		assert_true(l->im.loss == 0 && l->im.reorder == 0);
		assert_int_equal(l->im.rate, 0);
		assert_false(l->im.block_icmp);
		assert_int_equal(l->pos.line, 54 + (unsigned)i);
		assert_int_equal(l->pos.col, 7);
	}
	assert_string_equal(t.links[1].a.spec, "home-router:wan");
	assert_string_equal(t.links[1].b.spec, "internet:home");

	/* The tunnel. */
	assert_int_equal(t.ntunnels, 1);
	tu = &t.tunnels[0];
	assert_string_equal(tu->name, "vpn");
	assert_int_equal(tu->mode, MODE_ENCRYPTED);
	assert_int_equal(tu->port, 1234);
	assert_null(tu->endpoint);
	assert_string_equal(tu->server.node_name, "office-server");
	assert_int_equal(tu->server.node, 3);
	assert_int_equal(tu->server.naddrs, 2);
	assert_string_equal(tu->server.addrs[0], "172.31.255.13/24");
	assert_string_equal(tu->server.addrs[1], "fd00:172:31:255::13/64");
	assert_int_equal(tu->server.nroutes, 0);
	assert_int_equal(tu->nclients, 1);
	assert_string_equal(tu->clients[0].node_name, "home-laptop");
	assert_int_equal(tu->clients[0].node, 0);
	assert_string_equal(tu->clients[0].addrs[0], "172.31.255.7/24");
	assert_string_equal(tu->clients[0].addrs[1], "fd00:172:31:255::7/64");
	assert_int_equal(tu->clients[0].nroutes, 2);
	assert_string_equal(tu->clients[0].routes[0], "172.16.0.0/12");
	assert_string_equal(tu->clients[0].routes[1], "fd00:172:31::/48");
	assert_null(tu->clients[0].endpoint);
	char ep[64];
	assert_string_equal(topo_endpoint(&t, 0, &tu->clients[0], ep, sizeof(ep)), "203.0.113.10");

	/* Roles, resolved. */
	assert_int_equal(t.roles[ROLE_CLIENT], 0);
	assert_int_equal(t.roles[ROLE_NAT], 1);
	assert_int_equal(t.roles[ROLE_INTERNET], 2);
	assert_int_equal(t.roles[ROLE_SERVER], 3);
	assert_int_equal(t.roles[ROLE_TARGET], 4);

	/* Expectations. */
	assert_int_equal(t.nexpects, 8);
	assert_int_equal(t.expects[0].kind, EXPECT_REACH);
	assert_string_equal(t.expects[0].from, "home-laptop");
	assert_string_equal(t.expects[0].to, "172.31.9.200");
	assert_string_equal(t.expects[1].to, "fd00:172:31::200");
	assert_int_equal(t.expects[2].kind, EXPECT_NO_REACH);
	assert_string_equal(t.expects[2].from, "office-host");
	assert_string_equal(t.expects[2].to, "192.168.1.192");
	assert_int_equal(t.expects[3].kind, EXPECT_PATH_MTU);
	assert_string_equal(t.expects[3].to, "203.0.113.10");
	assert_int_equal(t.expects[3].mtu, 1500);
	assert_int_equal(t.expects[3].largest, 1472);
	assert_int_equal(t.expects[4].kind, EXPECT_MTU_PROBE);
	assert_string_equal(t.expects[4].verdict, "consistent");
	assert_int_equal(t.expects[5].kind, EXPECT_CHECK);
	assert_string_equal(t.expects[5].verdict, "pass");
	for (int i = 6; i < 8; i++) {
		assert_int_equal(t.expects[i].kind, EXPECT_CAPTURE);
		assert_string_equal(t.expects[i].at, "home-router:wan");
		assert_string_equal(t.expects[i].from, "home-laptop");
		assert_string_equal(t.expects[i].to, "172.31.9.200");
	}
	assert_string_equal(t.expects[6].filter, "udp port 1234");
	assert_true(t.expects[6].sees);
	assert_string_equal(t.expects[7].filter, "icmp and host 172.31.9.200");
	assert_false(t.expects[7].sees);
	assert_int_equal(t.expects[0].pos.line, 79);
	assert_int_equal(t.expects[0].pos.col, 5);
	topo_errors_free(&e);
	topo_free(&t);
}

/* Impairments, a client's own endpoint and an IPv6-only dial. */
static void other_fields(void **state)
{
	struct topo t;
	struct topo_errors e;
	char ep[64];

	(void)state;
	topo_init(&t);
	topo_errors_init(&e);
	assert_int_equal(labfile_load("labs/mtu-maze.yml", &t, &e), 0);
	assert_int_equal(t.links[1].im.mtu, 1492);
	assert_int_equal(t.links[2].im.mtu, 1280);
	assert_true(t.links[2].im.block_icmp);
	assert_int_equal(t.expects[1].kind, EXPECT_MTU_PROBE);
	assert_string_equal(t.expects[1].verdict, "black hole");
	topo_errors_free(&e);
	topo_free(&t);

	topo_init(&t);
	topo_errors_init(&e);
	assert_int_equal(labfile_load("labs/road-warriors.yml", &t, &e), 0);
	assert_int_equal(t.tunnels[0].nclients, 3);
	assert_string_equal(topo_endpoint(&t, 0, &t.tunnels[0].clients[0], ep, sizeof(ep)),
			    "203.0.113.10");
	assert_string_equal(topo_endpoint(&t, 0, &t.tunnels[0].clients[2], ep, sizeof(ep)),
			    "2001:db8:203::10");
	topo_errors_free(&e);
	topo_free(&t);

	static const char impaired[] =
	    "name: t\n"
	    "topology:\n"
	    "  nodes:\n"
	    "    a: {interfaces: {eth0: [10.0.0.1/24]}, exec: [echo hi, 'true']}\n"
	    "    b: {interfaces: {eth0: [10.0.0.2/24]}}\n"
	    "  links:\n"
	    "    - endpoints: [a:eth0, b:eth0]\n"
	    "      delay: 20ms\n"
	    "      loss: 1%\n"
	    "      rate: 10mbit\n"
	    "      reorder: 25%\n";
	topo_init(&t);
	topo_errors_init(&e);
	assert_int_equal(labfile_load_text("t.yml", impaired, strlen(impaired), &t, &e), 0);
	assert_int_equal(t.links[0].im.delay_ns, 20000000);
	assert_true(fabs(t.links[0].im.loss - 1.0) < 1e-9);
	assert_int_equal(t.links[0].im.rate, 1250000);
	assert_true(fabs(t.links[0].im.reorder - 25.0) < 1e-9);
	assert_int_equal(t.nodes[0].nexec, 2);
	assert_string_equal(t.nodes[0].exec[0], "echo hi");
	assert_string_equal(t.nodes[0].exec[1], "true");
	assert_int_equal(t.roles[ROLE_CLIENT], -1);
	topo_errors_free(&e);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(malformed_files),	  cmocka_unit_test(bounds),
	    cmocka_unit_test(shipped_labs),	  cmocka_unit_test(documented_labs),
	    cmocka_unit_test(home_office_fields), cmocka_unit_test(other_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
