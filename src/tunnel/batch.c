#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int batch_init(struct batch *b)
{
	memset(b, 0, sizeof(*b));
	b->max = BATCH_MAX;
	/* One allocation for every slot: no allocation on the packet path. */
	b->mem = malloc((size_t)BATCH_MAX * SLOT_SIZE);
	if (!b->mem)
		return -ENOMEM;
	for (unsigned int i = 0; i < BATCH_MAX; i++)
		b->slot[i].data = b->mem + (size_t)i * SLOT_SIZE + SLOT_HEADROOM;
	return 0;
}

void batch_free(struct batch *b)
{
	free(b->mem);
	b->mem = NULL;
}
