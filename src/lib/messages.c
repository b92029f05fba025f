#include "messages.h"

_Static_assert(sizeof(struct msg_initiation) == 148, "initiation is 148 bytes");
_Static_assert(sizeof(struct msg_response) == 92, "response is 92 bytes");
_Static_assert(sizeof(struct msg_cookie) == 64, "cookie reply is 64 bytes");
_Static_assert(sizeof(struct msg_data) == 16, "data header is 16 bytes");

enum msg_type msg_classify(const uint8_t *buf, size_t len)
{
	uint32_t type;

	if (len < 4)
		return MSG_INVALID;
	/* The reserved bytes are part of the type: anything but zero there is not ours. */
	type = get_le32(buf);
	switch (type) {
	case MSG_INITIATION:
		return len == MSG_INITIATION_LEN ? MSG_INITIATION : MSG_INVALID;
	case MSG_RESPONSE:
		return len == MSG_RESPONSE_LEN ? MSG_RESPONSE : MSG_INVALID;
	case MSG_COOKIE:
		return len == MSG_COOKIE_LEN ? MSG_COOKIE : MSG_INVALID;
	case MSG_DATA:
		return len >= MSG_DATA_MIN_LEN ? MSG_DATA : MSG_INVALID;
	}
	return MSG_INVALID;
}

const char *msg_type_name(enum msg_type t)
{
	switch (t) {
	case MSG_INITIATION:
		return "initiation";
	case MSG_RESPONSE:
		return "response";
	case MSG_COOKIE:
		return "cookie reply";
	case MSG_DATA:
		return "data";
	case MSG_INVALID:
		break;
	}
	return "invalid";
}

size_t msg_padded_len(size_t len, int mtu)
{
	size_t padded = (len + MSG_PADDING - 1) & ~(size_t)(MSG_PADDING - 1);

	/* A packet already at the MTU is not grown past it; nor one bigger (GSO). */
	if (mtu > 0 && padded > (size_t)mtu)
		padded = len > (size_t)mtu ? len : (size_t)mtu;
	return padded;
}

void msg_mac1_key(uint8_t key[HASH_LEN], const uint8_t receiver_public[32])
{
	static const char label_mac1[] = "mac1----";

	hash2(key, label_mac1, 8, receiver_public, 32);
}
