/* The wg configuration format: a real file, and every malformed line refused where it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tunnel/wgconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRIV "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define PUB1 "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define PUB2 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="

static const char good[] = "# the laptop\n"
			   "[Interface]\n"
			   "PrivateKey = " PRIV "\n"
			   "ListenPort = 51820\n"
			   "Address = 172.31.255.7/24, fd00:172:31:255::7/64\n"
			   "MTU = 1420\n"
			   "\n"
			   "[Peer]  # the office\n"
			   "PublicKey = " PUB1 "\n"
			   "PresharedKey = " PUB2 "\n"
			   "Endpoint = 203.0.113.10:51820\n"
			   "AllowedIPs = 172.16.0.0/12,fd00:172:31::/48\n"
			   "PersistentKeepalive = 25\n"
			   "[peer]\n"
			   "publickey=" PUB2 "\n"
			   "endpoint = [2001:db8:203::10]:51820\n"
			   "allowedips = 10.0.0.1\n";

static void a_real_file(void **state)
{
	struct wg_config c;
	char err[256];

	(void)state;
	assert_int_equal(wg_config_parse(good, strlen(good), "wg0.conf", &c, err, sizeof(err)), 0);
	assert_true(c.has_private_key);
	assert_int_equal(c.listen_port, 51820);
	assert_int_equal(c.naddrs, 2);
	assert_int_equal(c.mtu, 1420);
	assert_int_equal(c.npeers, 2);
	assert_true(c.peers[0].has_preshared_key);
	assert_string_equal(c.peers[0].endpoint, "203.0.113.10:51820");
	assert_int_equal(c.peers[0].nallowed, 2);
	assert_int_equal(c.peers[0].allowed[0].len, 12);
	assert_int_equal(c.peers[0].keepalive, 25);
	assert_int_equal(c.peers[0].line, 8);
	assert_int_equal(c.peers[1].allowed[0].len, 32); /* a bare address is a host */
	assert_false(c.peers[1].has_preshared_key);
	wg_config_free(&c);
	assert_int_equal(c.npeers, 0);
}

/* Each bad text, the line it must name, and a word of the reason. */
static const struct {
	const char *text;
	const char *expect;
} bad[] = {
    {"PrivateKey = " PRIV "\n", "f.conf:1: PrivateKey comes before"},
    {"[Interface]\nPrivateKey = nope\n", "f.conf:2: PrivateKey is not a base64 key"},
    {"[Interface]\nPrivateKey = " PRIV "\nListenPort = 70000\n", "f.conf:3: ListenPort '70000'"},
    {"[Interface]\nPrivateKey = " PRIV "\nListenPort = 12ab\n", "f.conf:3: ListenPort '12ab'"},
    {"[Interface]\nPrivateKey = " PRIV "\nAddress = 10.0.0.300/24\n", "f.conf:3: Address:"},
    {"[Interface]\nPrivateKey = " PRIV "\nAddress = 10.0.0.1/33\n", "f.conf:3: Address:"},
    {"[Interface]\nPrivateKey = " PRIV "\nMTU = 20\n", "f.conf:3: MTU '20'"},
    {"[Interface]\nPrivateKey = " PRIV "\nDNS = 1.1.1.1\n", "f.conf:3: 'DNS' is not a key"},
    {"[Interface]\nPrivateKey = " PRIV "\nListenPort\n", "f.conf:3: expected 'Key = Value'"},
    {"[Interface]\nPrivateKey = " PRIV "\n= 5\n", "f.conf:3: a value without a key"},
    {"[Interface]\nPrivateKey = " PRIV "\nMTU =\n", "f.conf:3: MTU has no value"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Interface]\n", "f.conf:3: a second [Interface]"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peers]\n", "f.conf:3: unknown section [Peers]"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\nEndpoint = 1.2.3.4\n",
     "f.conf:5: Endpoint '1.2.3.4' has no port"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\nEndpoint = [::1\n",
     "f.conf:5: Endpoint:"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = ,\n",
     "f.conf:5: AllowedIPs is empty"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\nPersistentKeepalive = -1\n",
     "f.conf:5: PersistentKeepalive '-1'"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nEndpoint = h:1\n",
     "f.conf:3: this [Peer] has no PublicKey"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\n[Peer]\nPublicKey = " PUB1
     "\n",
     "f.conf:5: this [Peer] repeats the PublicKey of the one on line 3"},
    {"[Interface]\nListenPort = 1\n", "f.conf:1: [Interface] has no PrivateKey"},
    {"# nothing\n", "f.conf:1: no [Interface] section"},
    {"[Interface]\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " PUB1 "\nColour = red\n",
     "f.conf:5: 'Colour' is not a key of [Peer]"},
};

static void every_malformed_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct wg_config c;
		char err[256] = "";

		if (wg_config_parse(bad[i].text, strlen(bad[i].text), "f.conf", &c, err,
				    sizeof(err)) != -1)
			fail_msg("case %zu was accepted", i);
		if (strncmp(err, bad[i].expect, strlen(bad[i].expect)))
			fail_msg("case %zu: got '%s', wanted '%s...'", i, err, bad[i].expect);
		assert_null(strchr(err, '\n'));
	}
}

static void nul_and_long_lines(void **state)
{
	char text[2048], err[256];
	struct wg_config c;

	(void)state;
	assert_int_equal(wg_config_parse("[Interface]\n\0x", 14, "f", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:2: a NUL byte"));
	memset(text, 'a', sizeof(text));
	assert_int_equal(wg_config_parse(text, sizeof(text), "f", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:1: line longer"));
	assert_int_equal(wg_config_load("/nonexistent/wg0.conf", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/wg0.conf: "));
}

/* A file of exactly size bytes: the good configuration, then comment lines. */
static void write_padded(const char *path, size_t size)
{
	FILE *f = fopen(path, "w");
	size_t at = strlen(good);

	assert_non_null(f);
	assert_true(size >= at);
	fputs(good, f);
	while (at < size) {
		size_t line = size - at > 1000 ? 1000 : size - at; /* with its '\n' */

		fputc('#', f);
		for (size_t i = 2; i < line; i++)
			fputc('x', f);
		if (line > 1)
			fputc('\n', f);
		at += line;
	}
	assert_int_equal(fclose(f), 0);
}

/*
 * The file is read into memory that grows as it fills: files on each side
 * of where it grows load whole, and one byte past 1 MiB is refused.
 */
static void files_of_every_size(void **state)
{
	static const size_t sizes[] = {4095, 4096, 4097, 8192, 8193, 100000, 1 << 20};
	char path[] = "/tmp/test_wgconfig.XXXXXX", err[256];
	struct wg_config c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		write_padded(path, sizes[i]);
		if (wg_config_load(path, &c, err, sizeof(err)))
			fail_msg("a file of %zu bytes: %s", sizes[i], err);
		assert_int_equal(c.npeers, 2);
		assert_string_equal(c.peers[1].endpoint, "[2001:db8:203::10]:51820");
		wg_config_free(&c);
	}
	write_padded(path, (1 << 20) + 1);
	assert_int_equal(wg_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": larger than 1048576 bytes"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_real_file),
	    cmocka_unit_test(every_malformed_line),
	    cmocka_unit_test(nul_and_long_lines),
	    cmocka_unit_test(files_of_every_size),
	};
	return cmocka_run_group_tests_name("wgconfig", tests, NULL, NULL);
}
