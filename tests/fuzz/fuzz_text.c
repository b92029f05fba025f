/*
 * The small text parsers: CIDR prefixes, HOST[:PORT], the harness's
 * records, and the key=value replies of a tunnel's control socket.
 */
#include "harness/control.h"
#include "harness/state.h"
#include "lib/addr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[256], err[256], val[128];
	struct prefix p;
	struct record r;
	uint16_t port = 1;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (prefix_parse(s, false, &p, err, sizeof(err)) == 0 && p.len > 128)
		__builtin_trap();
	hostport_split(s, host, sizeof(host), &port, err, sizeof(err));
	control_value(s, "endpoint", val, sizeof(val));
	state_parse(s, &r);
	free(s);
	return 0;
}
