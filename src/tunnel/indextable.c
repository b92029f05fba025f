#include "indextable.h"
#include "lib/crypto.h"

#include <string.h>

void index_init(struct index_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* Ids are random, so their low bits spread them evenly without hashing. */
static struct index_entry **chain(struct index_table *t, uint32_t id)
{
	return &t->bucket[id % INDEX_BUCKETS];
}

static struct index_entry *find(const struct index_table *t, uint32_t id)
{
	for (struct index_entry *e = t->bucket[id % INDEX_BUCKETS]; e; e = e->next)
		if (e->id == id)
			return e;
	return NULL;
}

void index_remove(struct index_table *t, struct index_entry *e)
{
	if (!e->linked)
		return;
	for (struct index_entry **at = chain(t, e->id); *at; at = &(*at)->next)
		if (*at == e) {
			*at = e->next;
			break;
		}
	e->next = NULL;
	e->linked = false;
	t->count--;
}

static void link_entry(struct index_table *t, struct index_entry *e)
{
	struct index_entry **head = chain(t, e->id);

	e->next = *head;
	*head = e;
	e->linked = true;
	t->count++;
}

uint32_t index_insert(struct index_table *t, struct index_entry *e)
{
	uint32_t id;

	index_remove(t, e);
	do
		random_bytes(&id, sizeof(id));
	while (find(t, id));
	e->id = id;
	link_entry(t, e);
	return id;
}

void index_replace(struct index_table *t, struct index_entry *old, struct index_entry *e)
{
	uint32_t id = old->id;

	if (!old->linked)
		return;
	index_remove(t, e);
	index_remove(t, old);
	e->id = id;
	link_entry(t, e);
}

struct index_entry *index_lookup(const struct index_table *t, uint32_t id, unsigned int mask)
{
	struct index_entry *e = find(t, id);

	return e && (e->kind & mask) ? e : NULL;
}
