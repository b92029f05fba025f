/* Packet and byte counters, and why packets were dropped. */
#ifndef TUNLAB_TUNNEL_STATS_H
#define TUNLAB_TUNNEL_STATS_H

#include "lib/control_proto.h"

#include <stdint.h>
#include <stdio.h>

/* One a reason of CTL_DROPS: DROP_TRUNCATED, DROP_IO, DROP_AUTH... */
enum drop {
#define DROP_ENUM(id, name, plain, what) DROP_##id,
	CTL_DROPS(DROP_ENUM)
#undef DROP_ENUM
	    DROP_MAX,
};

/* Each field a counter of lib/control_proto.h's tables, by its name there. */
struct stats {
#define STATS_FIELD(name, what) uint64_t name;
	CTL_TRAFFIC(STATS_FIELD)
	uint64_t drops[DROP_MAX];
	CTL_PMTU_COUNTERS(STATS_FIELD)
#undef STATS_FIELD
};

const char *drop_name(enum drop d);
uint64_t stats_dropped(const struct stats *s);
/* An aligned table, for SIGUSR1 and the summary at exit. */
void stats_print(const struct stats *s, FILE *f);
/* key=value lines, for the control socket. */
void stats_write_kv(const struct stats *s, FILE *f);

#endif
