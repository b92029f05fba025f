/*
 * One WireGuard peer's sessions (previous, current, next) and the inner
 * packets that wait for a session: struct wg_peer is in wg.h, what is
 * done to its sessions and its queue is here.
 */
#ifndef TUNLAB_TUNNEL_PEER_H
#define TUNLAB_TUNNEL_PEER_H

#include "wg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void wg_peer_add_session(struct wg_peer *p, struct session *s);
/* A packet arrived on s: the responder's next session is confirmed. True if it was. */
bool wg_peer_confirm_session(struct wg_peer *p, struct session *s);
void wg_peer_clear_sessions(struct wg_peer *p);
/* Keeps an inner packet until a session exists; the oldest goes when the queue is full. */
bool wg_peer_stage(struct wg_peer *p, const uint8_t *pkt, size_t len);
void wg_peer_purge_staged(struct wg_peer *p);

#endif
