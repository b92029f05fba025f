/*
 * The four WireGuard messages as they sit on the wire.  Every field is a
 * byte array, so the structs have no padding and no alignment: a buffer
 * of the exact length may be read through them once its length and type
 * are checked by msg_classify().
 */
#ifndef TUNLAB_LIB_MESSAGES_H
#define TUNLAB_LIB_MESSAGES_H

#include "crypto.h"

#include <stddef.h>
#include <stdint.h>

enum msg_type {
	MSG_INVALID = 0,
	MSG_INITIATION = 1,
	MSG_RESPONSE = 2,
	MSG_COOKIE = 3,
	MSG_DATA = 4,
};

#define TIMESTAMP_LEN 12

struct msg_macs {
	uint8_t mac1[MAC_LEN];
	uint8_t mac2[MAC_LEN];
};

struct msg_initiation {
	uint8_t type[4]; /* the type byte, then three zero bytes */
	uint8_t sender[4];
	uint8_t ephemeral[32];
	uint8_t encrypted_static[32 + AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[TIMESTAMP_LEN + AEAD_TAG_LEN];
	struct msg_macs macs;
};

struct msg_response {
	uint8_t type[4];
	uint8_t sender[4];
	uint8_t receiver[4];
	uint8_t ephemeral[32];
	uint8_t encrypted_nothing[AEAD_TAG_LEN];
	struct msg_macs macs;
};

struct msg_cookie {
	uint8_t type[4];
	uint8_t receiver[4];
	uint8_t nonce[XNONCE_LEN];
	uint8_t encrypted_cookie[MAC_LEN + AEAD_TAG_LEN];
};

struct msg_data {
	uint8_t type[4];
	uint8_t receiver[4];
	uint8_t counter[8];
	/* then the encrypted packet and its tag */
};

#define MSG_INITIATION_LEN sizeof(struct msg_initiation) /* 148 */
#define MSG_RESPONSE_LEN   sizeof(struct msg_response)	 /* 92 */
#define MSG_COOKIE_LEN	   sizeof(struct msg_cookie)	 /* 64 */
#define MSG_DATA_HDR_LEN   sizeof(struct msg_data)	 /* 16 */
#define MSG_DATA_MIN_LEN   (MSG_DATA_HDR_LEN + AEAD_TAG_LEN)
/* What encryption adds to an inner packet, before padding. */
#define MSG_DATA_OVERHEAD MSG_DATA_MIN_LEN
#define MSG_PADDING	  16

/*
 * The type of a datagram whose length fits that type exactly (at least
 * 32 bytes for data), or MSG_INVALID.  Nothing else is read.
 */
enum msg_type msg_classify(const uint8_t *buf, size_t len);
const char *msg_type_name(enum msg_type t);

/*
 * The key of mac1 for messages to a receiver: a hash of its public key,
 * so anyone who knows the key can make a mac1 and nobody else can.
 */
void msg_mac1_key(uint8_t key[HASH_LEN], const uint8_t receiver_public[32]);

/* The padded length of an inner packet: a multiple of 16, but never past mtu. */
size_t msg_padded_len(size_t len, int mtu);

static inline uint32_t get_le32(const uint8_t b[4])
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void put_le32(uint8_t b[4], uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t get_le64(const uint8_t b[8])
{
	return (uint64_t)get_le32(b) | (uint64_t)get_le32(b + 4) << 32;
}

static inline void put_le64(uint8_t b[8], uint64_t v)
{
	put_le32(b, (uint32_t)v);
	put_le32(b + 4, (uint32_t)(v >> 32));
}

static inline void msg_set_type(uint8_t type[4], enum msg_type t)
{
	put_le32(type, (uint32_t)t);
}

#endif
