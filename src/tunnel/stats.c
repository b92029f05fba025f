#include "stats.h"

#include <inttypes.h>

static const char *const names[DROP_MAX] = {
    [DROP_TRUNCATED] = "truncated",	[DROP_NOT_IP] = "not_ip",
    [DROP_TOO_BIG] = "too_big",		[DROP_NO_PEER] = "no_peer",
    [DROP_STRANGER] = "stranger",	[DROP_IO] = "io_error",
    [DROP_MALFORMED] = "malformed",	[DROP_MAC] = "bad_mac",
    [DROP_RATELIMITED] = "ratelimited", [DROP_HANDSHAKE] = "bad_handshake",
    [DROP_REPLAY] = "replay",		[DROP_UNKNOWN_INDEX] = "unknown_index",
    [DROP_AUTH] = "bad_auth",		[DROP_EXPIRED] = "expired",
    [DROP_NOT_ALLOWED] = "not_allowed", [DROP_NO_ROUTE] = "no_route",
    [DROP_CRYPTO] = "crypto_error",
};

const char *drop_name(enum drop d)
{
	return d < DROP_MAX ? names[d] : "unknown";
}

uint64_t stats_dropped(const struct stats *s)
{
	uint64_t n = 0;

	for (int i = 0; i < DROP_MAX; i++)
		n += s->drops[i];
	return n;
}

void stats_print(const struct stats *s, FILE *f)
{
	fprintf(f, "  %-10s %12" PRIu64 " packets %14" PRIu64 " bytes\n", "sent", s->tx_packets,
		s->tx_bytes);
	fprintf(f, "  %-10s %12" PRIu64 " packets %14" PRIu64 " bytes\n", "received", s->rx_packets,
		s->rx_bytes);
	fprintf(f, "  %-10s %12" PRIu64 " packets\n", "dropped", stats_dropped(s));
	/* The plaintext reasons always, so a class sees what can go wrong; the rest when seen. */
	for (int i = 0; i < DROP_MAX; i++)
		if (i <= DROP_IO || s->drops[i])
			fprintf(f, "    %-13s %7" PRIu64 "\n", names[i], s->drops[i]);
	fprintf(f, "  %-10s %12" PRIu64 " ICMP too-big sent back into the tunnel\n", "pmtu",
		s->icmp_too_big);
}

void stats_write_kv(const struct stats *s, FILE *f)
{
	fprintf(f, "tx_packets=%" PRIu64 "\ntx_bytes=%" PRIu64 "\n", s->tx_packets, s->tx_bytes);
	fprintf(f, "rx_packets=%" PRIu64 "\nrx_bytes=%" PRIu64 "\n", s->rx_packets, s->rx_bytes);
	for (int i = 0; i < DROP_MAX; i++)
		fprintf(f, "drop_%s=%" PRIu64 "\n", names[i], s->drops[i]);
	fprintf(f, "icmp_too_big=%" PRIu64 "\n", s->icmp_too_big);
}
