/*
 * tunnel: a userspace VPN.  This file only turns the command line into a
 * struct config and hands it to the tunnel.
 */
#include "config.h"
#include "keytool.h"
#include "tunnel.h"
#include "lib/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* CAP_NET_ADMIN (bit 12) in the effective set, for tunnels run without root. */
static bool can_admin_net(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << 12);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct tunnel t;
	char err[256];
	int rc;

	/* Before any crypto: it picks the fastest ChaCha20 and Poly1305 this CPU runs. */
	if (keys_init()) {
		fprintf(stderr, "tunnel: cannot initialise libsodium\n");
		return 1;
	}
	rc = keytool_main(argc, argv, stdin, stdout, stderr);
	if (rc >= 0)
		return rc;
	switch (config_parse(argc, argv, &cfg, err, sizeof(err))) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "tunnel: %s (see tunnel --help)\n", err);
		return 2;
	case CONFIG_OK:
		break;
	}
	if (!can_admin_net()) {
		fprintf(stderr, "tunnel: must run as root (or with CAP_NET_ADMIN) to create %s\n",
			cfg.dev);
		return 1;
	}
	/* Lines, not blocks, so a log file follows the tunnel as it runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tunnel_start(&t, &cfg, err, sizeof(err))) {
		fprintf(stderr, "tunnel: %s\n", err);
		return 1;
	}
	rc = tunnel_run(&t);
	tunnel_summary(&t);
	tunnel_stop(&t);
	return rc ? 1 : 0;
}
