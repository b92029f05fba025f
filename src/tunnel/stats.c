#include "stats.h"

#include <inttypes.h>

static const char *const names[DROP_MAX] = {
#define DROP_NAME(id, name, plain, what) [DROP_##id] = #name,
    CTL_DROPS(DROP_NAME)
#undef DROP_NAME
};

/* The reasons plaintext and pi modes can count too. */
static const bool plain[DROP_MAX] = {
#define DROP_PLAIN(id, name, p, what) [DROP_##id] = p,
    CTL_DROPS(DROP_PLAIN)
#undef DROP_PLAIN
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
		if (plain[i] || s->drops[i])
			fprintf(f, "    %-13s %7" PRIu64 "\n", names[i], s->drops[i]);
	fprintf(f, "  %-10s %12" PRIu64 " ICMP too-big sent back into the tunnel\n", "pmtu",
		s->icmp_too_big);
}

void stats_write_kv(const struct stats *s, FILE *f)
{
#define KV(name, what) fprintf(f, #name "=%" PRIu64 "\n", s->name);
	CTL_TRAFFIC(KV)
	for (int i = 0; i < DROP_MAX; i++)
		fprintf(f, CTL_DROP_PREFIX "%s=%" PRIu64 "\n", names[i], s->drops[i]);
	CTL_PMTU_COUNTERS(KV)
#undef KV
}
