/*
 * Whether a lab file fits bench or torture, checked before either makes
 * anything: one line for what does not.
 */
#include "lab_fit.h"
#include "up_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lab_fit_load(struct lab *lab, const char *cmd, const char *file)
{
	char err[256], *text = NULL;
	size_t len = 0;
	int rc;

	/* up's own reader: what passes here is what up will build. */
	rc = up_file_load(lab, file, &text, &len, err, sizeof(err));
	if (rc && err[0])
		fprintf(stderr, "harness %s: %s\n", cmd, err);
	free(text);
	return rc ? -1 : 0;
}

int lab_fit_roles(const struct lab *lab, const char *cmd, const char *file, unsigned int roles)
{
	char line[512];
	size_t missing = lab_missing_roles(lab, roles, line, sizeof(line));

	if (!missing)
		return 0;
	fprintf(stderr, "harness %s: %s has no %s; name %s under 'roles:' in the lab file\n", cmd,
		file, line, missing > 1 ? "them" : "it");
	return -1;
}

int lab_fit_tunnel(const struct lab *lab, const char *cmd, const char *file, const char *what,
		   bool lone)
{
	const struct topo *t = &lab->topo;
	const struct topo_tunnel *tu = t->ntunnels ? &t->tunnels[0] : NULL;
	int server = lab_role(lab, ROLE_SERVER), client = lab_role(lab, ROLE_CLIENT);

	if (!tu) {
		fprintf(stderr, "harness %s: %s has no tunnel, which %s needs\n", cmd, file, what);
		return -1;
	}
	if (tu->server.node != server) {
		fprintf(stderr,
			"harness %s: %s: tunnel '%s' has its server on %s, not on the 'server' "
			"role's node %s, where %s needs it\n",
			cmd, file, tu->name, lab_name(lab, tu->server.node), lab_name(lab, server),
			what);
		return -1;
	}
	if (!tu->nclients || tu->clients[0].node != client) {
		fprintf(stderr,
			"harness %s: %s: the 'client' role's node %s is not tunnel '%s''s first "
			"client, where %s needs it\n",
			cmd, file, lab_name(lab, client), tu->name, what);
		return -1;
	}
	if (lone && tu->nclients > 1) {
		fprintf(stderr, "harness %s: %s: tunnel '%s' has %zu clients, and %s runs one\n",
			cmd, file, tu->name, tu->nclients, what);
		return -1;
	}
	if (!lab->at.server_vpn4[0]) {
		fprintf(stderr,
			"harness %s: %s: tunnel '%s' gives its server no IPv4 address inside, "
			"which %s sends to\n",
			cmd, file, tu->name, what);
		return -1;
	}
	return 0;
}
