/*
 * bench --file and torture --file: the labs those commands make are
 * brought up from a lab file, so before anything is made the file is read
 * and checked as up reads it, and held against what the command needs:
 * its roles, and a tunnel up starts between them.  Each shortfall is one
 * line on stderr, naming the command and the file.
 */
#ifndef TUNLAB_HARNESS_LAB_FIT_H
#define TUNLAB_HARNESS_LAB_FIT_H

#include "lab.h"

#include <stdbool.h>

/*
 * lab->topo from the file (the lab itself need not be up): its faults as
 * validate prints them, "file:line:column: message" a line each; -1 then.
 */
int lab_fit_load(struct lab *lab, const char *cmd, const char *file);
/* Every role in roles (a bit each, 1 << ROLE_...) the file lacks, in one line; -1 if any. */
int lab_fit_roles(const struct lab *lab, const char *cmd, const char *file, unsigned int roles);
/*
 * The file's tunnel, as what needs it ("the encrypted path") uses it: its
 * server on the 'server' role's node, the 'client' role its first client
 * (where up starts a client), an IPv4 address inside for the server, and
 * with lone, a single client (a plaintext server has one peer, and the
 * other projects' tunnels run one).  Call after lab_fit_roles.
 */
int lab_fit_tunnel(const struct lab *lab, const char *cmd, const char *file, const char *what,
		   bool lone);

#endif
