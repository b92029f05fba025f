/*
 * The session keys of a lab's own encrypted tunnels, asked for over
 * their control sockets ("keys"; the harness starts them with
 * --export-keys), so that capture and walkthrough can open what they see.
 */
#ifndef TUNLAB_HARNESS_LABKEYS_H
#define TUNLAB_HARNESS_LABKEYS_H

#include "lab.h"
#include "lib/wgdecode.h"

/*
 * Wipes k, then fills it from every tunnel of the lab that answers
 * (home-laptop, office-server, and extra laptops).  Returns the number of
 * keys found; 0 when no tunnel exports any (a plaintext lab, or one
 * started without --export-keys).
 */
int labkeys_load(const struct lab *lab, struct wg_keyring *k);

#endif
