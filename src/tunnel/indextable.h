/*
 * The receiver indices of handshakes and sessions.  Every message after
 * an initiation names its receiver by a 32-bit index that the receiver
 * chose at random; this table finds the handshake or session it means.
 */
#ifndef TUNLAB_TUNNEL_INDEXTABLE_H
#define TUNLAB_TUNNEL_INDEXTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define INDEX_BUCKETS 1024

enum index_kind { INDEX_HANDSHAKE = 1, INDEX_SESSION = 2 };

struct index_entry {
	uint32_t id;
	enum index_kind kind;
	void *peer;
	void *owner; /* the struct handshake's peer, or the struct session */
	struct index_entry *next;
	bool linked;
};

struct index_table {
	struct index_entry *bucket[INDEX_BUCKETS];
	unsigned int count;
};

void index_init(struct index_table *t);
/* Gives e a fresh random id no other entry has, and links it (unlinking it first). */
uint32_t index_insert(struct index_table *t, struct index_entry *e);
void index_remove(struct index_table *t, struct index_entry *e);
/* Moves an id from one entry to another: a session takes its handshake's index. */
void index_replace(struct index_table *t, struct index_entry *old, struct index_entry *e);
/* The entry for id if it is of one of the kinds in mask, or NULL. */
struct index_entry *index_lookup(const struct index_table *t, uint32_t id, unsigned int mask);

#endif
