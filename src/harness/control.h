/*
 * The harness's one client of a tunnel's control socket: it sends one
 * command and gives back the reply, whole and cut into its key=value
 * lines.  The names of commands and keys are in lib/control_proto.h.
 */
#ifndef TUNLAB_HARNESS_CONTROL_H
#define TUNLAB_HARNESS_CONTROL_H

#include "lab.h"
#include "lib/control_proto.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for the stats of a server with every laptop --clients allows. */
#define CONTROL_REPLY_MAX 8192
#define CONTROL_KEYS_MAX  512

struct control_kv {
	const char *key, *value;
};

struct control_reply {
	char text[CONTROL_REPLY_MAX]; /* as the tunnel wrote it */
	char cut[CONTROL_REPLY_MAX];  /* the same, each line cut in two at its '=' */
	struct control_kv kv[CONTROL_KEYS_MAX];
	int n; /* how many of kv, in the reply's order */
};

/* Sends cmd to the socket at path and reads the reply into r; 0 or -errno. */
int control_ask(const char *path, const char *cmd, struct control_reply *r);
/* The same, to the tunnel named name in a lab's directory (ctl_path's NAME.ctl): a node's,
 * or a laptop's that up --clients added. */
int control_ask_name(const struct lab *lab, const char *name, const char *cmd,
		     struct control_reply *r);
/* The same, to the tunnel of a lab's node. */
int control_ask_node(const struct lab *lab, int node, const char *cmd, struct control_reply *r);
/* Reads text (which may be cut short anywhere) into r; a line without '=' is left out.
 * control_parse("", r) empties r. */
void control_parse(const char *text, struct control_reply *r);
/* The value of key, the first if it came twice; NULL if the reply has none. */
const char *control_get(const struct control_reply *r, const char *key);
/* The same as a number; fallback when the key is absent. */
long long control_num(const struct control_reply *r, const char *key, long long fallback);
/* Whether key is there with exactly this value. */
bool control_is(const struct control_reply *r, const char *key, const char *value);

#endif
