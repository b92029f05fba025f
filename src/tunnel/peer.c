/* A peer's sessions and the packets that wait for one. */
#include "peer.h"

#include <stdlib.h>
#include <string.h>

static void session_free(struct wg_peer *p, struct session *s)
{
	if (!s)
		return;
	index_remove(&p->wg->index, &s->entry);
	keypair_wipe(&s->kp);
	free(s);
}

/*
 * The initiator may use a new session at once: it is current.  The
 * responder's waits as next until the initiator's first packet proves
 * that the initiator has it too.
 */
void wg_peer_add_session(struct wg_peer *p, struct session *s)
{
	if (s->kp.initiator) {
		if (p->next) {
			session_free(p, p->previous);
			p->previous = p->next;
			p->next = NULL;
			session_free(p, p->current);
		} else {
			session_free(p, p->previous);
			p->previous = p->current;
		}
		p->current = s;
	} else {
		session_free(p, p->next);
		p->next = s;
		session_free(p, p->previous);
		p->previous = NULL;
	}
}

bool wg_peer_confirm_session(struct wg_peer *p, struct session *s)
{
	if (s != p->next)
		return false;
	session_free(p, p->previous);
	p->previous = p->current;
	p->current = p->next;
	p->next = NULL;
	return true;
}

void wg_peer_clear_sessions(struct wg_peer *p)
{
	session_free(p, p->previous);
	session_free(p, p->current);
	session_free(p, p->next);
	p->previous = p->current = p->next = NULL;
}

bool wg_peer_stage(struct wg_peer *p, const uint8_t *pkt, size_t len)
{
	struct staged *slot;
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return false;
	if (len)
		memcpy(copy, pkt, len);
	/* A full queue loses its oldest packet, as a router's would. */
	if (p->staged_count == WG_STAGED_MAX) {
		free(p->staged[p->staged_head].buf);
		p->staged_head = (p->staged_head + 1) % WG_STAGED_MAX;
		p->staged_count--;
	}
	slot = &p->staged[(p->staged_head + p->staged_count) % WG_STAGED_MAX];
	slot->buf = copy;
	slot->len = len;
	p->staged_count++;
	return true;
}

void wg_peer_purge_staged(struct wg_peer *p)
{
	while (p->staged_count) {
		free(p->staged[p->staged_head].buf);
		p->staged[p->staged_head].buf = NULL;
		p->staged_head = (p->staged_head + 1) % WG_STAGED_MAX;
		p->staged_count--;
	}
}
