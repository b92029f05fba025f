#include "labkeys.h"
#include "control.h"
#include "lib/keys.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* Three sessions a peer, each two keys; a server with many laptops fills a few of these. */
static int ask(const char *ctl, struct wg_keyring *k)
{
	struct control_reply reply;
	int n = 0;

	if (!control_ask(ctl, CTL_KEYS, &reply))
		n = wg_keyring_add_reply(k, reply.text);
	key_wipe(&reply, sizeof(reply)); /* it held keys */
	return n;
}

/* Is name "laptop-N.ctl": an extra laptop of --clients, which has no node of its own. */
static bool extra_laptop(const char *name)
{
	size_t len = strlen(name), suffix = strlen(CTL_SUFFIX);
	char node[16];

	if (len <= suffix || len - suffix >= sizeof(node) ||
	    strcmp(name + len - suffix, CTL_SUFFIX))
		return false;
	memcpy(node, name, len - suffix);
	node[len - suffix] = '\0';
	return lab_extra_laptop(node);
}

int labkeys_load(const struct lab *lab, struct wg_keyring *k)
{
	char ctl[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	wg_keyring_wipe(k);
	for (size_t node = 0; node < lab->topo.nnodes; node++)
		if (!ctl_path(lab->dir, lab_name(lab, (int)node), NULL, ctl, sizeof(ctl)))
			n += ask(ctl, k);
	d = opendir(lab->dir);
	if (!d)
		return n;
	while ((e = readdir(d)))
		if (extra_laptop(e->d_name)) {
			snprintf(ctl, sizeof(ctl), "%s/%s", lab->dir, e->d_name);
			n += ask(ctl, k);
		}
	closedir(d);
	return n;
}
