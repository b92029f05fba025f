/*
 * Encrypted mode inside the tunnel: loads the wg configuration, wires
 * struct wg to the tunnel's device and socket, and runs its side of the
 * event loop (the timer tick and the wg tool's socket).  Its packets go
 * through the data path (datapath.h) with the operations of mode_wg.c.
 */
#ifndef TUNLAB_TUNNEL_ENCRYPTED_H
#define TUNLAB_TUNNEL_ENCRYPTED_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

struct tunnel;

/* Before the device exists: keys, peers, port; fills the tunnel's own config copy. */
int encrypted_prepare(struct tunnel *t, char *err, size_t errlen);
/* After the device is up: the timer and the wg socket. */
int encrypted_start(struct tunnel *t, char *err, size_t errlen);
void encrypted_stop(struct tunnel *t);
void encrypted_tick(struct tunnel *t);
/* Before the loop waits: the timer set for the next deadline of a peer or a wg socket client. */
void encrypted_arm(struct tunnel *t);
/* A link changed in the node: the device's MTU is read again. */
void encrypted_link_event(struct tunnel *t);
void encrypted_uapi(struct tunnel *t);
/*
 * The control socket's "handshake": a new initiation to every peer with an
 * endpoint now, as a rekey would send, so a capture can show one.
 * Writes how many were sent.
 */
void encrypted_handshake(struct tunnel *t, FILE *reply);
/* key=value lines for the control socket. */
void encrypted_write_kv(const struct tunnel *t, FILE *f);
/* Every peer's path MTU back to unmeasured, as when its endpoint was set. */
void encrypted_forget_pmtu(struct tunnel *t);
/*
 * "keypair=LOCAL REMOTE SENDKEY RECVKEY" for every live session of every
 * peer, for the lab's decoder; only ever written to the control socket.
 */
void encrypted_write_keys(const struct tunnel *t, FILE *f);
/* The first peer's endpoint, which the device MTU follows; NULL if none has one. */
const struct sockaddr_storage *encrypted_endpoint(const struct tunnel *t);

#endif
