/* Lab files: the reader and, on what it reads cleanly, the check. */
#include "harness/labfile.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo t;
	struct topo_errors e;

	topo_init(&t);
	topo_errors_init(&e);
	labfile_load_text("fuzz.yml", (const char *)data, size, &t, &e);
	topo_errors_free(&e);
	topo_free(&t);
	return 0;
}
