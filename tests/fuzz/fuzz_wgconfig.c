/* The wg configuration parser, on anything a file could hold. */
#include "tunnel/wgconfig.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config c;
	char err[256];

	if (wg_config_parse((const char *)data, size, "fuzz.conf", &c, err, sizeof(err)) == 0) {
		if (!c.has_private_key || c.npeers < 0)
			__builtin_trap();
		wg_config_free(&c);
	} else if (!memchr(err, ':', sizeof(err))) {
		__builtin_trap(); /* every refusal names where */
	}
	return 0;
}
