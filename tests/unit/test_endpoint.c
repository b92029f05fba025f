/* Endpoint learning: a server follows its client through NAT; a client trusts only its server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/addr.h"
#include "tunnel/endpoint.h"

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
	struct endpoint p;
	char s[64];

	(void)state;
	endpoint_init_server(&p);
	assert_false(p.has_endpoint);
	assert_int_equal(endpoint_receive(&p, &a, NULL), ENDPOINT_LEARNED);
	assert_true(p.has_endpoint);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40000");
	assert_int_equal(endpoint_receive(&p, &a, NULL), ENDPOINT_SAME);
	/* The NAT mapping changed: the port moved. */
	assert_int_equal(endpoint_receive(&p, &b, NULL), ENDPOINT_MOVED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40001");
	assert_int_equal(p.moves, 1);
	assert_int_equal(endpoint_receive(&p, &b, NULL), ENDPOINT_SAME);
	assert_int_equal(endpoint_receive(&p, &a, NULL), ENDPOINT_MOVED);
	assert_int_equal(p.moves, 2);
}

/* A dual-stack server sees IPv4 clients as IPv4-mapped IPv6: the same client. */
static void mapped_is_same(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000);
	struct sockaddr_storage m = v6("::ffff:198.51.100.2", 40000);
	struct endpoint p;
	char s[64];

	(void)state;
	endpoint_init_server(&p);
	assert_int_equal(endpoint_receive(&p, &m, NULL), ENDPOINT_LEARNED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "198.51.100.2:40000");
	assert_int_equal(p.endpoint.ss_family, AF_INET);
	assert_int_equal(endpoint_receive(&p, &a, NULL), ENDPOINT_SAME);
}

static void server_follows_across_families(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000), b = v6("2001:db8:198::2", 40000);
	struct endpoint p;
	char s[64];

	(void)state;
	endpoint_init_server(&p);
	endpoint_receive(&p, &a, NULL);
	assert_int_equal(endpoint_receive(&p, &b, NULL), ENDPOINT_MOVED);
	assert_string_equal(sockaddr_str(&p.endpoint, s, sizeof(s)), "[2001:db8:198::2]:40000");
}

static void client_refuses_strangers(void **state)
{
	struct sockaddr_storage srv = v4("203.0.113.10", 1234);
	struct sockaddr_storage other_port = v4("203.0.113.10", 1235);
	struct sockaddr_storage other_host = v4("198.51.100.1", 1234);
	struct sockaddr_storage mapped = v6("::ffff:203.0.113.10", 1234);
	struct endpoint p;

	(void)state;
	endpoint_init_client(&p, &srv);
	assert_true(p.has_endpoint);
	assert_int_equal(endpoint_receive(&p, &srv, NULL), ENDPOINT_SAME);
	assert_int_equal(endpoint_receive(&p, &mapped, NULL), ENDPOINT_SAME);
	assert_int_equal(endpoint_receive(&p, &other_port, NULL), ENDPOINT_STRANGER);
	assert_int_equal(endpoint_receive(&p, &other_host, NULL), ENDPOINT_STRANGER);
	/* A stranger never takes the endpoint over. */
	assert_true(sockaddr_same(&p.endpoint, &srv));
	assert_int_equal(p.moves, 0);
}

static struct source local4(const char *ip)
{
	struct source src = {.family = AF_INET, .ifindex = 2};

	inet_pton(AF_INET, ip, src.addr);
	return src;
}

/* Replies leave from the address the peer wrote to, and follow it when it writes to another. */
static void source_follows_the_address_written_to(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.2", 40000), b = v4("198.51.100.2", 40001);
	struct source ten = local4("203.0.113.10"), eleven = local4("203.0.113.11");
	struct endpoint p;

	(void)state;
	endpoint_init_server(&p);
	assert_int_equal(endpoint_receive(&p, &a, &eleven), ENDPOINT_LEARNED);
	assert_true(source_same(&p.src, &eleven));
	assert_int_equal(endpoint_receive(&p, &a, &eleven), ENDPOINT_SAME);
	/* Same client, now writing to our other address: not a move, but a new source. */
	assert_int_equal(endpoint_receive(&p, &a, &ten), ENDPOINT_NEW_SOURCE);
	assert_true(source_same(&p.src, &ten));
	assert_int_equal(p.moves, 0);
	/* A move takes the source it came with. */
	assert_int_equal(endpoint_receive(&p, &b, &eleven), ENDPOINT_MOVED);
	assert_true(source_same(&p.src, &eleven));
	/* Unknown (no packet info): the kernel chooses. */
	assert_int_equal(endpoint_receive(&p, &b, NULL), ENDPOINT_NEW_SOURCE);
	assert_int_equal(p.src.family, 0);
}

/* A client keeps its server, whichever of its own addresses the server's replies reach. */
static void client_source_changes_but_never_its_server(void **state)
{
	struct sockaddr_storage srv = v4("203.0.113.10", 1234), other = v4("203.0.113.11", 1234);
	struct source lan = local4("192.168.1.192");
	struct endpoint p;

	(void)state;
	endpoint_init_client(&p, &srv);
	assert_int_equal(endpoint_receive(&p, &srv, &lan), ENDPOINT_NEW_SOURCE);
	assert_int_equal(endpoint_receive(&p, &srv, &lan), ENDPOINT_SAME);
	assert_int_equal(endpoint_receive(&p, &other, &lan), ENDPOINT_STRANGER);
	assert_true(sockaddr_same(&p.endpoint, &srv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(server_learns_then_follows),
	    cmocka_unit_test(mapped_is_same),
	    cmocka_unit_test(server_follows_across_families),
	    cmocka_unit_test(client_refuses_strangers),
	    cmocka_unit_test(source_follows_the_address_written_to),
	    cmocka_unit_test(client_source_changes_but_never_its_server),
	};
	return cmocka_run_group_tests_name("peer", tests, NULL, NULL);
}
