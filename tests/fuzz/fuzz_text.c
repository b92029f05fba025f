/*
 * The small text parsers: CIDR prefixes, HOST[:PORT], the harness's
 * records, the key=value replies of a tunnel's control socket, the
 * lab's impairment settings (times, percentages, rates), and what bench
 * reads back from iperf3 -J and ping.
 */
#include "harness/control.h"
#include "harness/measure.h"
#include "harness/settings.h"
#include "harness/state.h"
#include "lib/addr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[256], err[256];
	struct control_reply *reply = malloc(sizeof(*reply));
	struct prefix p;
	struct record r;
	uint16_t port = 1;

	if (!s || !reply) {
		free(s);
		free(reply);
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (prefix_parse(s, false, &p, err, sizeof(err)) == 0 && p.len > 128)
		__builtin_trap();
	hostport_split(s, host, sizeof(host), &port, err, sizeof(err));
	control_parse(s, reply);
	control_get(reply, CTL_ENDPOINT);
	for (int i = 0; i < reply->n; i++)
		if (!reply->kv[i].key || !reply->kv[i].value)
			__builtin_trap();
	state_parse(s, &r);
	{
		uint64_t ns, rate;
		double pct;

		parse_duration(s, &ns);
		parse_percent(s, &pct);
		parse_rate(s, &rate);
	}
	{
		struct tcp_result tcp;
		struct udp_result udp;
		double ms[8];

		parse_iperf_tcp(s, &tcp);
		if (parse_iperf_udp(s, &udp) == 0 && udp.delivered_pps < 0)
			__builtin_trap();
		if (parse_ping(s, ms, 8) > 8)
			__builtin_trap();
	}
	free(reply);
	free(s);
	return 0;
}
