/* Following the path MTU: when an inner packet gets ICMP back, and what that ICMP says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/checksum.h"
#include "lib/packet.h"
#include "tunnel/pmtu.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static void fates(void **state)
{
	struct pmtu p = {.mtu = 1400};

	(void)state;
	/* 1372 + 28 = 1400 fits exactly; one byte more does not. */
	assert_int_equal(pmtu_fate(&p, 1372, 28, 4, true), PMTU_FITS);
	assert_int_equal(pmtu_fate(&p, 1373, 28, 4, true), PMTU_TOO_BIG);
	assert_int_equal(pmtu_fate(&p, 1373, 28, 4, false), PMTU_FRAGMENT);
	/* IPv6 is never fragmented on the way: always ICMP. */
	assert_int_equal(pmtu_fate(&p, 1373, 28, 6, false), PMTU_TOO_BIG);
	assert_int_equal(pmtu_inner(&p, 28), 1372);
	assert_int_equal(pmtu_inner(&p, 32), 1368); /* PI mode */
	/* Unknown path MTU: everything is sent, the kernel will say if it fails. */
	p.mtu = 0;
	assert_int_equal(pmtu_fate(&p, 9000, 28, 4, true), PMTU_FITS);
}

static void reports(void **state)
{
	struct pmtu p = {.mtu = 1500};
	struct pmtu_report r = {.mtu = 1400, .from_icmp = true};

	(void)state;
	assert_true(pmtu_apply(&p, &r));
	assert_int_equal(p.mtu, 1400);
	assert_int_equal(p.updates, 1);
	assert_false(pmtu_apply(&p, &r)); /* the same figure again changes nothing */
	r.mtu = 0;
	assert_false(pmtu_apply(&p, &r));
}

static size_t echo(uint8_t *buf, size_t cap, int version, size_t payload, bool df)
{
	static uint8_t data[2000];
	struct pkt_spec s = {.version = version, .proto = IPPROTO_ICMP, .df = df};

	inet_pton(version == 6 ? AF_INET6 : AF_INET,
		  version == 6 ? "fd00:172:31:255::7" : "172.31.255.7", s.src);
	inet_pton(version == 6 ? AF_INET6 : AF_INET,
		  version == 6 ? "fd00:172:31::200" : "172.31.9.200", s.dst);
	s.payload = data;
	s.payload_len = payload;
	return (size_t)pkt_build(buf, cap, &s);
}

static void too_big_v4(void **state)
{
	uint8_t orig[2048], icmp[2048];
	size_t n = echo(orig, sizeof(orig), 4, 1444, true);
	struct pkt o, p, q;
	ssize_t len;

	(void)state;
	assert_int_equal(pkt_parse(orig, n, &o), PKT_OK);
	len = pkt_build_too_big(icmp, sizeof(icmp), orig, n, o.dst, 1372);
	assert_true(len > 0);
	assert_true(len <= 576); /* RFC 1812's limit on an ICMP error */
	assert_int_equal(pkt_parse(icmp, (size_t)len, &p), PKT_OK);
	assert_int_equal(p.proto, IPPROTO_ICMP);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 4);
	assert_int_equal(p.icmp_mtu, 1372);
	/* From the packet's destination, to its source. */
	assert_memory_equal(p.src, o.dst, 4);
	assert_memory_equal(p.dst, o.src, 4);
	assert_int_equal(csum(icmp, 20), 0);
	assert_int_equal(csum(p.payload, p.payload_len), 0);
	/* It quotes the original header, which the sender matches to its socket. */
	assert_int_equal(pkt_parse_head(p.payload + 8, p.payload_len - 8, &q), PKT_OK);
	assert_memory_equal(q.dst, o.dst, 4);
	assert_int_equal(q.icmp_type, 8);
	assert_false(pkt_is_icmp_error(&o));
	assert_true(pkt_is_icmp_error(&p));
}

static void too_big_v6(void **state)
{
	uint8_t orig[2048], icmp[2048];
	size_t n = echo(orig, sizeof(orig), 6, 1400, false);
	struct pkt o, p;
	ssize_t len;
	uint32_t sum;

	(void)state;
	assert_int_equal(pkt_parse(orig, n, &o), PKT_OK);
	len = pkt_build_too_big(icmp, sizeof(icmp), orig, n, o.dst, 1280);
	assert_int_equal(len, 1280); /* as much as fits in the IPv6 minimum */
	assert_int_equal(pkt_parse(icmp, (size_t)len, &p), PKT_OK);
	assert_int_equal(p.proto, IPPROTO_ICMPV6);
	assert_int_equal(p.icmp_type, 2);
	assert_int_equal(p.icmp_mtu, 1280);
	sum = csum_pseudo(6, p.src, p.dst, IPPROTO_ICMPV6, (uint32_t)p.payload_len);
	assert_int_equal(csum_fold(csum_add(sum, p.payload, p.payload_len)), 0);
}

/*
 * A packet's first bytes only, as kept before a seal in place: those are
 * quoted, under the original header, which still says the whole length.
 */
static void too_big_from_the_first_bytes(void **state)
{
	uint8_t orig[2048], icmp[2048];
	size_t n = echo(orig, sizeof(orig), 4, 1444, true);
	struct pkt o, p;
	ssize_t len;

	(void)state;
	assert_int_equal(pkt_parse(orig, n, &o), PKT_OK);
	len = pkt_build_too_big(icmp, sizeof(icmp), orig, 64, o.dst, 1328);
	assert_int_equal(len, 20 + 8 + 64);
	assert_int_equal(pkt_parse(icmp, (size_t)len, &p), PKT_OK);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 4);
	assert_int_equal(p.icmp_mtu, 1328);
	assert_memory_equal(p.dst, o.src, 4);
	assert_int_equal(csum(p.payload, p.payload_len), 0);
	assert_memory_equal(p.payload + 8, orig, 64);
	/* Too few bytes for the IP header: nothing to answer. */
	assert_int_equal(pkt_build_too_big(icmp, sizeof(icmp), orig, 12, o.dst, 1328), -1);
	/* IPv6: its 40-byte header and 8 more. */
	n = echo(orig, sizeof(orig), 6, 1400, true);
	assert_int_equal(pkt_parse(orig, n, &o), PKT_OK);
	len = pkt_build_too_big(icmp, sizeof(icmp), orig, 48, o.dst, 1280);
	assert_int_equal(len, 40 + 8 + 48);
	assert_int_equal(pkt_parse(icmp, (size_t)len, &p), PKT_OK);
	assert_int_equal(p.icmp_type, 2);
	assert_memory_equal(p.payload + 8, orig, 48);
}

static void never_about_errors_or_later_fragments(void **state)
{
	uint8_t orig[2048], icmp[2048], again[2048];
	size_t n = echo(orig, sizeof(orig), 4, 1444, true);
	struct pkt o;
	ssize_t len;

	(void)state;
	assert_int_equal(pkt_parse(orig, n, &o), PKT_OK);
	len = pkt_build_too_big(icmp, sizeof(icmp), orig, n, o.dst, 1372);
	/* No ICMP error about an ICMP error. */
	assert_int_equal(pkt_build_too_big(again, sizeof(again), icmp, (size_t)len, o.src, 576),
			 -1);
	/* No answer to a later fragment: it has no header to quote. */
	orig[6] = 0x00;
	orig[7] = 0x10;
	assert_int_equal(pkt_build_too_big(again, sizeof(again), orig, n, o.dst, 1372), -1);
	/* Nor to garbage, nor into a buffer too small. */
	assert_int_equal(
	    pkt_build_too_big(again, sizeof(again), (const uint8_t *)"junk", 4, o.dst, 1372), -1);
	n = echo(orig, sizeof(orig), 4, 100, true);
	assert_int_equal(pkt_build_too_big(again, 40, orig, n, o.dst, 1372), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fates),
	    cmocka_unit_test(reports),
	    cmocka_unit_test(too_big_v4),
	    cmocka_unit_test(too_big_v6),
	    cmocka_unit_test(too_big_from_the_first_bytes),
	    cmocka_unit_test(never_about_errors_or_later_fragments),
	};
	return cmocka_run_group_tests_name("pmtu", tests, NULL, NULL);
}
