/*
 * The default lab built in C says what labs/home-office.yml says, and
 * what the harness finds from its roles (the walkthrough's points, the
 * addresses the subcommands name) is what the lab always used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/lab.h"
#include "harness/topo_default.h"

#include <string.h>

static void home_office_has_what_the_file_says(void **state)
{
	struct topo t;
	size_t naddrs = 0, nroutes = 0;

	(void)state;
	assert_int_equal(topo_home_office(&t), 0);
	assert_string_equal(t.name, "home-office");
	assert_int_equal(t.nnodes, 5);
	assert_int_equal(t.nlinks, 4);
	for (size_t n = 0; n < t.nnodes; n++) {
		for (size_t i = 0; i < t.nodes[n].nifaces; i++)
			naddrs += t.nodes[n].ifaces[i].naddrs;
		nroutes += t.nodes[n].nroutes;
	}
	assert_int_equal(naddrs, 16);
	assert_int_equal(nroutes, 8);
	assert_string_equal(t.nodes[t.roles[ROLE_NAT]].name, "home-router");
	assert_string_equal(t.nodes[t.roles[ROLE_NAT]].masquerade, "wan");
	assert_true(t.nodes[t.roles[ROLE_INTERNET]].forward);
	assert_false(t.nodes[t.roles[ROLE_TARGET]].forward);
	/* Every link end names a real interface. */
	for (size_t i = 0; i < t.nlinks; i++) {
		assert_true(t.links[i].a.node >= 0 && t.links[i].a.iface >= 0);
		assert_true(t.links[i].b.node >= 0 && t.links[i].b.iface >= 0);
	}
	assert_int_equal(t.ntunnels, 1);
	assert_int_equal(t.tunnels[0].port, 1234);
	assert_int_equal(t.tunnels[0].mode, MODE_ENCRYPTED);
	assert_int_equal(t.tunnels[0].server.node, t.roles[ROLE_SERVER]);
	assert_int_equal(t.tunnels[0].clients[0].node, t.roles[ROLE_CLIENT]);
	assert_string_equal(t.tunnels[0].clients[0].routes[1], "fd00:172:31::/48");
	topo_free(&t);
	assert_int_equal(t.nnodes, 0);
}

static void the_path_and_addresses_come_from_the_roles(void **state)
{
	static const char *const points[PATH_POINTS] = {
	    "home-laptop:tun0",	 "home-laptop:eth0",   "home-router:wan",
	    "office-server:wan", "office-server:tun0", "office-host:eth0",
	};
	struct lab lab;
	char err[128];

	(void)state;
	assert_int_equal(lab_init(&lab, "default", err, sizeof(err)), 0);
	for (int i = 0; i < PATH_POINTS; i++)
		assert_string_equal(lab.path[i].name, points[i]);
	assert_string_equal(lab.at.server_public4, "203.0.113.10");
	assert_string_equal(lab.at.server_public6, "2001:db8:203::10");
	assert_string_equal(lab.at.server_vpn4, "172.31.255.13");
	assert_string_equal(lab.at.server_vpn6, "fd00:172:31:255::13");
	assert_string_equal(lab.at.client_vpn4, "172.31.255.7");
	assert_string_equal(lab.at.client_vpn6, "fd00:172:31:255::7");
	assert_string_equal(lab.at.target4, "172.31.9.200");
	assert_string_equal(lab.at.target6, "fd00:172:31::200");
	assert_string_equal(lab.at.nat_wan4, "198.51.100.2");
	assert_string_equal(lab.at.internet4, "203.0.113.1");
	assert_int_equal(lab.at.port, 1234);
	assert_string_equal(lab_who(&lab, "192.168.1.1"), "home-router");
	assert_string_equal(lab_who(&lab, "172.31.255.7"), "home-laptop");
	assert_string_equal(lab_who(&lab, "fd00:172:31:255::13"), "office-server");
	assert_null(lab_who(&lab, "10.0.0.1"));
	assert_string_equal(
	    lab_uplink(&lab, lab_role(&lab, ROLE_INTERNET), lab_role(&lab, ROLE_SERVER)), "office");
	lab_fini(&lab);
}

static void host_numbers_stay_in_their_network(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(lab_host_in("192.168.1.1/24", 102, true, out, sizeof(out)), 0);
	assert_string_equal(out, "192.168.1.102/24");
	assert_int_equal(lab_host_in("172.31.255.7/24", 103, false, out, sizeof(out)), 0);
	assert_string_equal(out, "172.31.255.103");
	assert_int_equal(lab_host_in("172.31.255.13/24", 0, true, out, sizeof(out)), 0);
	assert_string_equal(out, "172.31.255.0/24");
	assert_int_equal(lab_host_in("fd00::1/64", 2, true, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(home_office_has_what_the_file_says),
	    cmocka_unit_test(the_path_and_addresses_come_from_the_roles),
	    cmocka_unit_test(host_numbers_stay_in_their_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
