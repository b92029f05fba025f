#include "checksum.h"

#include <arpa/inet.h>

/* Sums 16-bit big-endian words; an odd trailing byte is padded with zero. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
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
