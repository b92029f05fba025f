/* Checksums: the RFC 1071 example, real headers, and the pseudo-header sum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/checksum.h"

#include <arpa/inet.h>
#include <string.h>

/* The plain definition: big-endian words, one at a time. */
static uint32_t reference_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The fast sum folds to the same value as the definition, at every length and offset. */
static void matches_the_definition(void **state)
{
	static uint8_t buf[4096];

	(void)state;
	srand(3);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	memset(buf + 100, 0xff, 600); /* long runs of ones make the carries work */
	for (int round = 0; round < 3000; round++) {
		size_t off = (size_t)rand() % 64, len = (size_t)rand() % (sizeof(buf) - 64);
		uint32_t start = (uint32_t)rand() % 0x40000;

		assert_int_equal(csum_fold(csum_add(start, buf + off, len)),
				 csum_fold(reference_add(start, buf + off, len)));
	}
}

/* The largest packets, all ones and random, where the wide sums grow most. */
static void matches_the_definition_at_64k(void **state)
{
	static uint8_t buf[65535];

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	for (size_t len = sizeof(buf) - 17; len <= sizeof(buf); len++)
		assert_int_equal(csum_fold(csum_add(0xffff, buf, len)),
				 csum_fold(reference_add(0xffff, buf, len)));
	srand(5);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t len = sizeof(buf) - 17; len <= sizeof(buf); len++)
		assert_int_equal(csum_fold(csum_add(0, buf, len)),
				 csum_fold(reference_add(0, buf, len)));
}

/* The copy is exact, touches nothing around it, and sums what it copied. */
static void copy_and_sum(void **state)
{
	static uint8_t src[4096], dst[4096 + 128];

	(void)state;
	srand(9);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rand();
	for (int round = 0; round < 2000; round++) {
		size_t off = (size_t)rand() % 64, at = (size_t)rand() % 64;
		size_t len = (size_t)rand() % (sizeof(src) - 64);
		uint32_t start = (uint32_t)rand() % 0x40000;

		memset(dst, 0xa5, sizeof(dst));
		assert_int_equal(csum_fold(csum_copy(start, dst + at, src + off, len)),
				 csum_fold(reference_add(start, src + off, len)));
		assert_memory_equal(dst + at, src + off, len);
		for (size_t i = 0; i < at; i++)
			assert_int_equal(dst[i], 0xa5);
		for (size_t i = at + len; i < sizeof(dst); i++)
			assert_int_equal(dst[i], 0xa5);
	}
}

static void rfc1071_example(void **state)
{
	/* RFC 1071 section 3: these bytes sum to 0xddf2 (one's complement, before the ~). */
	const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint32_t sum = csum_add(0, data, sizeof(data));

	(void)state;
	assert_int_equal((uint16_t)~csum_fold(sum), 0xddf2);
}

static void ipv4_header(void **state)
{
	/* A captured header whose checksum field is 0xb861. */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint16_t c;

	(void)state;
	c = csum(h, sizeof(h));
	assert_int_equal(ntohs(c), 0xb861);
	memcpy(h + 10, &c, 2);
	/* A header with its checksum in place sums to zero. */
	assert_int_equal(csum(h, sizeof(h)), 0);
}

static void odd_length(void **state)
{
	const uint8_t a[] = {0x12, 0x34, 0x56};
	const uint8_t b[] = {0x12, 0x34, 0x56, 0x00};

	(void)state;
	/* An odd trailing byte counts as if padded with zero. */
	assert_int_equal(csum(a, sizeof(a)), csum(b, sizeof(b)));
}

static void empty(void **state)
{
	(void)state;
	assert_int_equal(csum("", 0), 0xffff);
}

static void pseudo_header_v4(void **state)
{
	const uint8_t src[4] = {192, 168, 1, 192}, dst[4] = {172, 31, 9, 200};
	uint32_t a = csum_pseudo(4, src, dst, 17, 12);
	uint32_t b = 0;
	const uint8_t manual[12] = {192, 168, 1, 192, 172, 31, 9, 200, 0, 17, 0, 12};

	(void)state;
	b = csum_add(0, manual, sizeof(manual));
	assert_int_equal(csum_fold(a), csum_fold(b));
}

/* RFC 8200 section 8.1's layout, written out byte by byte, with a length above 16 bits. */
static void pseudo_header_v6(void **state)
{
	uint8_t manual[40] = {0};
	const uint32_t len = 0x12345;

	(void)state;
	for (int i = 0; i < 32; i++)
		manual[i] = (uint8_t)(0xf0 + i * 37);
	manual[32] = (uint8_t)(len >> 24);
	manual[33] = (uint8_t)(len >> 16);
	manual[34] = (uint8_t)(len >> 8);
	manual[35] = (uint8_t)len;
	manual[39] = 6;
	assert_int_equal(csum_fold(csum_pseudo(6, manual, manual + 16, 6, len)),
			 csum_fold(reference_add(0, manual, sizeof(manual))));
}

static void pseudo_header_v6_differs_by_address(void **state)
{
	uint8_t src[16] = {0xfd}, dst[16] = {0xfd};
	uint16_t a, b;

	(void)state;
	dst[15] = 1;
	a = csum_fold(csum_pseudo(6, src, dst, 58, 8));
	dst[15] = 2;
	b = csum_fold(csum_pseudo(6, src, dst, 58, 8));
	assert_int_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matches_the_definition),
	    cmocka_unit_test(matches_the_definition_at_64k),
	    cmocka_unit_test(copy_and_sum),
	    cmocka_unit_test(rfc1071_example),
	    cmocka_unit_test(ipv4_header),
	    cmocka_unit_test(odd_length),
	    cmocka_unit_test(empty),
	    cmocka_unit_test(pseudo_header_v4),
	    cmocka_unit_test(pseudo_header_v6),
	    cmocka_unit_test(pseudo_header_v6_differs_by_address),
	};
	return cmocka_run_group_tests_name("checksum", tests, NULL, NULL);
}
