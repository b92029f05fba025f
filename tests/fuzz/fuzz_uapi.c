/*
 * The UAPI "set=1" request, as anyone who can open the socket could send
 * it: parsed, and when it parses, applied to a device and read back with
 * "get=1", so the apply and show paths see every shape the parser lets by.
 */
#include "tunnel/stats.h"
#include "tunnel/uapi.h"
#include "tunnel/wg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int no_send(void *io, const struct sockaddr_storage *to, const uint8_t *buf, size_t len)
{
	(void)io;
	(void)to;
	(void)buf;
	(void)len;
	return 0;
}

static int no_rebind(void *arg, int port)
{
	(void)arg;
	(void)port;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uapi_set s;
	struct stats st = {0};
	struct wg w;
	char err[256], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (uapi_parse_set((const char *)data, size, &s, err, sizeof(err))) {
		if (!err[0])
			__builtin_trap(); /* every refusal says why */
		return 0;
	}
	if (wg_init(&w, &st, no_send, NULL) == 0) {
		uapi_apply(&w, &s, 100, no_rebind, NULL);
		f = open_memstream(&out, &outlen);
		if (f) {
			uapi_write_get(&w, f);
			fclose(f);
		}
		free(out);
		wg_free(&w);
	}
	uapi_set_free(&s);
	return 0;
}
