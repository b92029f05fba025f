#include "checksum.h"

#include <arpa/inet.h>
#include <string.h>

/*
 * Sums 16-bit big-endian words; an odd trailing byte is padded with zero.
 * The one's-complement sum does not care about byte order (RFC 1071), so
 * the words are added eight bytes at a time in the host's order, with the
 * carries wrapped round, and the folded result is put into network order
 * at the end: on large packets this is several times faster than a word
 * at a time, and the tunnel checksums every segment it cuts.
 */
uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0, v;
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

uint32_t csum_pseudo(int version, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     uint32_t len)
{
	size_t alen = version == 6 ? 16 : 4;
	uint8_t tail[4] = {len >> 24, len >> 16, len >> 8, len};
	uint32_t sum = 0;

	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	/* IPv4 uses a 16-bit length; its top half is zero, so one form serves both. */
	sum = csum_add(sum, tail, 4);
	sum += proto;
	return sum;
}
