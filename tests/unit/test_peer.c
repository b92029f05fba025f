/* Endpoint learning: a server follows its client through NAT; a client trusts only its server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/addr.h"
#include "tunnel/peer.h"

#include <arpa/inet.h>
#include <string.h>

static struct sockaddr_storage v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &s->sin6_addr);
	return ss;
}

static void server_learns_then_follows(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000), b = v4("198.51.100.2", 40001);
	struct peer p;
	char s[64];

	(void)state;
	peer_init_server(&p);
	assert_false(p.has_endpoint);
	assert_int_equal(peer_receive(&p, &a), PEER_LEARNED);
	assert_true(p.has_endpoint);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40000");
	assert_int_equal(peer_receive(&p, &a), PEER_SAME);
	/* The NAT mapping changed: the port moved. */
	assert_int_equal(peer_receive(&p, &b), PEER_MOVED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40001");
	assert_int_equal(p.moves, 1);
	assert_int_equal(peer_receive(&p, &b), PEER_SAME);
	assert_int_equal(peer_receive(&p, &a), PEER_MOVED);
	assert_int_equal(p.moves, 2);
}

/* A dual-stack server sees IPv4 clients as IPv4-mapped IPv6: the same client. */
static void mapped_is_same(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000);
	struct sockaddr_storage m = v6("::ffff:198.51.100.2", 40000);
	struct peer p;
	char s[64];

	(void)state;
	peer_init_server(&p);
	assert_int_equal(peer_receive(&p, &m), PEER_LEARNED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40000");
	assert_int_equal(p.endpoint.ss_family, AF_INET);
	assert_int_equal(peer_receive(&p, &a), PEER_SAME);
}

static void server_follows_across_families(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000), b = v6("2001:db8:198::2", 40000);
	struct peer p;
	char s[64];

	(void)state;
	peer_init_server(&p);
	peer_receive(&p, &a);
	assert_int_equal(peer_receive(&p, &b), PEER_MOVED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "[2001:db8:198::2]:40000");
}

static void client_refuses_strangers(void **state)
{
	struct sockaddr_storage srv = v4("203.0.113.10", 1234);
	struct sockaddr_storage other_port = v4("203.0.113.10", 1235);
	struct sockaddr_storage other_host = v4("198.51.100.1", 1234);
	struct sockaddr_storage mapped = v6("::ffff:203.0.113.10", 1234);
	struct peer p;

	(void)state;
	peer_init_client(&p, &srv);
	assert_true(p.has_endpoint);
	assert_int_equal(peer_receive(&p, &srv), PEER_SAME);
	assert_int_equal(peer_receive(&p, &mapped), PEER_SAME);
	assert_int_equal(peer_receive(&p, &other_port), PEER_STRANGER);
	assert_int_equal(peer_receive(&p, &other_host), PEER_STRANGER);
	/* A stranger never takes the endpoint over. */
	assert_true(sockaddr_same(&p.endpoint, &srv));
	assert_int_equal(p.moves, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(server_learns_then_follows),
	    cmocka_unit_test(mapped_is_same),
	    cmocka_unit_test(server_follows_across_families),
	    cmocka_unit_test(client_refuses_strangers),
	};
	return cmocka_run_group_tests_name("peer", tests, NULL, NULL);
}
