#include "allowedips.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int family_slot(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static int bits_of(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static int bit_at(const uint8_t *addr, int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

void allowedips_init(struct allowedips *a)
{
	memset(a, 0, sizeof(*a));
}

static void free_tree(struct allowedips_node *n)
{
	/* Depth is at most 129, so recursion is bounded. */
	if (!n)
		return;
	free_tree(n->child[0]);
	free_tree(n->child[1]);
	free(n);
}

void allowedips_free(struct allowedips *a)
{
	free_tree(a->root[0]);
	free_tree(a->root[1]);
	memset(a, 0, sizeof(*a));
}

static struct allowedips_node *node_new(struct allowedips *a)
{
	struct allowedips_node *n = calloc(1, sizeof(*n));

	if (n)
		a->nodes++;
	return n;
}

int allowedips_insert(struct allowedips *a, const struct prefix *p, void *peer)
{
	struct allowedips_node **at = &a->root[family_slot(p->family)];

	if (p->len > bits_of(p->family))
		return -1;
	for (int i = 0;; i++) {
		if (!*at && !(*at = node_new(a)))
			return -1;
		if (i == p->len)
			break;
		at = &(*at)->child[bit_at(p->addr, i)];
	}
	(*at)->peer = peer;
	return 0;
}

/* Frees the nodes under n that lead to no prefix; returns whether n itself is now empty. */
static bool prune(struct allowedips *a, struct allowedips_node **at)
{
	struct allowedips_node *n = *at;

	if (!n)
		return true;
	if (prune(a, &n->child[0]))
		n->child[0] = NULL;
	if (prune(a, &n->child[1]))
		n->child[1] = NULL;
	if (n->peer || n->child[0] || n->child[1])
		return false;
	free(n);
	a->nodes--;
	*at = NULL;
	return true;
}

int allowedips_remove(struct allowedips *a, const struct prefix *p, const void *peer)
{
	struct allowedips_node *n = a->root[family_slot(p->family)];

	for (int i = 0; n && i < p->len; i++)
		n = n->child[bit_at(p->addr, i)];
	if (!n || n->peer != peer)
		return -1;
	n->peer = NULL;
	prune(a, &a->root[family_slot(p->family)]);
	return 0;
}

static void clear_peer(struct allowedips_node *n, const void *peer)
{
	if (!n)
		return;
	if (n->peer == peer)
		n->peer = NULL;
	clear_peer(n->child[0], peer);
	clear_peer(n->child[1], peer);
}

void allowedips_remove_peer(struct allowedips *a, const void *peer)
{
	for (int f = 0; f < 2; f++) {
		clear_peer(a->root[f], peer);
		prune(a, &a->root[f]);
	}
}

void *allowedips_lookup(const struct allowedips *a, int family, const uint8_t *addr)
{
	const struct allowedips_node *n = a->root[family_slot(family)];
	void *best = NULL;

	for (int i = 0; n; i++) {
		if (n->peer)
			best = n->peer;
		if (i == bits_of(family))
			break;
		n = n->child[bit_at(addr, i)];
	}
	return best;
}

struct walk {
	const void *peer;
	void (*fn)(const struct prefix *p, void *arg);
	void *arg;
	struct prefix at;
};

static void walk_node(const struct allowedips_node *n, struct walk *w, int depth)
{
	if (!n)
		return;
	if (n->peer == w->peer) {
		w->at.len = (uint8_t)depth;
		w->fn(&w->at, w->arg);
	}
	for (int b = 0; b < 2; b++) {
		uint8_t mask = (uint8_t)(0x80 >> (depth % 8));

		if (!n->child[b])
			continue;
		if (b)
			w->at.addr[depth / 8] |= mask;
		else
			w->at.addr[depth / 8] &= (uint8_t)~mask;
		walk_node(n->child[b], w, depth + 1);
		w->at.addr[depth / 8] &= (uint8_t)~mask;
	}
}

void allowedips_walk(const struct allowedips *a, const void *peer,
		     void (*fn)(const struct prefix *p, void *arg), void *arg)
{
	struct walk w = {.peer = peer, .fn = fn, .arg = arg};

	for (int f = 0; f < 2; f++) {
		memset(&w.at, 0, sizeof(w.at));
		w.at.family = f ? AF_INET6 : AF_INET;
		walk_node(a->root[f], &w, 0);
	}
}
