#include "checksum.h"

#include <arpa/inet.h>
#include <string.h>

/* Eight 32-bit lanes: one AVX2 register, or two SSE2 ones. */
typedef uint32_t lanes __attribute__((vector_size(32)));

/*
 * x86-64 picks the AVX2 build of sum_bulk and copy_bulk at load time where
 * the CPU has it.  CHECKSUM_PLAIN leaves only the plain build, so that the
 * unit tests run it too on a machine that would always pick AVX2.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CHECKSUM_PLAIN)
#define BULK_TARGETS __attribute__((target_clones("avx2", "default")))
#else
#define BULK_TARGETS
#endif

/*
 * The 16-bit words of the first len & ~31 bytes, summed in the host's
 * order, and copied to dst on the way when there is one.  Each 32-bit lane
 * holds the low and the high word of its slot in two sums, so there are no
 * carries to chase and the steps are independent vector adds.  A lane
 * gains at most 0xffff per 32 bytes, so lanes are emptied every 64 KiB,
 * long before they could overflow.  On this project's 2-core machine this
 * went from a seventh of the plaintext server's CPU with a carry chain to
 * a few per cent.
 */
static inline uint64_t bulk(uint8_t *dst, const uint8_t *p, size_t len)
{
	uint64_t acc = 0;

	len &= ~(size_t)31;
	while (len) {
		size_t chunk = len < 65536 ? len : 65536;
		lanes lo = {0}, hi = {0}, x;

		for (size_t i = 0; i < chunk; i += 32) {
			memcpy(&x, p + i, 32);
			if (dst)
				memcpy(dst + i, &x, 32);
			lo += x & 0xffff;
			hi += x >> 16;
		}
		for (int k = 0; k < 8; k++)
			acc += (uint64_t)lo[k] + hi[k];
		p += chunk;
		dst = dst ? dst + chunk : NULL;
		len -= chunk;
	}
	return acc;
}

BULK_TARGETS static uint64_t sum_bulk(const uint8_t *p, size_t len)
{
	return bulk(NULL, p, len);
}

BULK_TARGETS static uint64_t copy_bulk(uint8_t *dst, const uint8_t *p, size_t len)
{
	return bulk(dst, p, len);
}

/* The words of a short tail added to acc, folded, and added to sum. */
static uint32_t finish(uint32_t sum, uint64_t acc, const uint8_t *p, size_t len)
{
	uint64_t v;
	uint16_t w = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&v, p, 8);
		acc += v;
		acc += acc < v; /* end-around carry */
	}
	for (; len >= 2; p += 2, len -= 2) {
		memcpy(&w, p, 2);
		acc += w;
		acc += acc < w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, 1); /* the first byte in memory is the word's high byte */
		acc += w;
		acc += acc < w;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	sum += ntohs((uint16_t)acc);
	if (sum & 0x80000000u)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * Sums 16-bit big-endian words; an odd trailing byte is padded with zero.
 * The one's-complement sum does not care about byte order (RFC 1071), so
 * the words are added in the host's order, many bytes at a time, and the
 * folded result is put into network order at the end: the tunnel
 * checksums every segment it cuts, and checks every one it glues.
 */
uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n = len & ~(size_t)31;

	/* Headers are shorter than a step: they skip the call. */
	return finish(sum, n ? sum_bulk(p, n) : 0, p + n, len - n);
}

/* One pass where a copy and a sum of the same bytes would take two. */
uint32_t csum_copy(uint32_t sum, void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *p = src;
	size_t n = len & ~(size_t)31;
	uint64_t acc = n ? copy_bulk(d, p, n) : 0;

	memcpy(d + n, p + n, len - n);
	return finish(sum, acc, d + n, len - n);
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum(const void *data, size_t len)
{
	return htons(csum_fold(csum_add(0, data, len)));
}

/* Big-endian 16-bit words, summed without a call: every segment needs this. */
static uint32_t add_words(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

uint32_t csum_pseudo(int version, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     uint32_t len)
{
	size_t alen = version == 6 ? 16 : 4;
	uint32_t sum;

	/* At most 16 words of 0xffff plus the rest: no overflow, folded by the caller. */
	sum = add_words(add_words(0, src, alen), dst, alen);
	/* IPv4 uses a 16-bit length; its top half is zero, so one form serves both. */
	return sum + (len >> 16) + (len & 0xffff) + proto;
}
