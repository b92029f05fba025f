/* Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-header sums. */
#ifndef TUNLAB_CHECKSUM_H
#define TUNLAB_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t csum_add(uint32_t sum, const void *data, size_t len);
/* Copies len bytes from src to dst (apart) and returns csum_add(sum, src, len). */
uint32_t csum_copy(uint32_t sum, void *dst, const void *src, size_t len);
uint16_t csum_fold(uint32_t sum);
/* The finished checksum of a buffer, as stored in a header (network order). */
uint16_t csum(const void *data, size_t len);
/* Sum of the pseudo-header that TCP, UDP and ICMPv6 checksums cover. */
uint32_t csum_pseudo(int version, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     uint32_t len);

#endif
