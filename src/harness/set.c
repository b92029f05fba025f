/* harness set: change the broken-network settings of a running lab. */
#include "commands.h"
#include "settings.h"
#include "state.h"
#include "lib/netns.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness set [settings] [options]\n"
	      "\n"
	      "Changes a running lab: link MTUs, the ICMP firewall, the tunnel MTU, delay,\n"
	      "loss, rate and reordering on the internet links, and the home router's NAT.\n"
	      "Zero undoes an impairment.\n"
	      "\n" SETTINGS_HELP "  --allow-icmp    undo --block-icmp\n"
	      "  --nat-rebind    the home router forgets its NAT mappings and maps to new\n"
	      "                  ports, as after a reboot: the tunnel must roam\n\n" COMMON_HELP,
	      f);
}

/* One netlink socket per node of the lab, in nl (as many as lab->topo has nodes). */
static int open_nodes(const struct lab *lab, struct nl *nl, char *err, size_t errlen)
{
	char ns[64];

	for (size_t n = 0; n < lab->topo.nnodes; n++) {
		int fd = netns_open(lab_ns(lab, (int)n, ns, sizeof(ns))), rc;

		if (fd < 0) {
			snprintf(err, errlen, "lab '%s' is not up (no namespace %s)", lab->name,
				 ns);
			return -1;
		}
		rc = nl_open_in(&nl[n], fd);
		close(fd);
		if (rc) {
			snprintf(err, errlen, "cannot talk to %s: %s", ns, netns_error(rc));
			return -1;
		}
	}
	return 0;
}

static int parse(int argc, char **argv, struct common *c, struct settings *s)
{
	static const struct option opts[] = {SETTINGS_OPTIONS, COMMON_OPTIONS, {0}};
	char err[256];
	int opt, rc;

	opterr = 0;
	while ((rc = next_option("set", argc, argv, ":h", opts, c, usage, &opt)) == ARG_OWN) {
		if (opt == 'P') {
			fprintf(stderr,
				"harness set: --no-pmtu is a tunnel flag: give it to 'harness "
				"up'\n");
			return 2;
		}
		rc = settings_option(s, opt, optarg, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "harness set: %s\n", err);
		else if (rc == 0)
			bad_option("set", opt, argv);
		if (rc <= 0)
			return 2;
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? -1 : 2;
	if (no_arguments("set", argc, argv))
		return 2;
	if (!s->wan_mtu && !s->office_mtu && !s->tun_mtu && s->block_icmp < 0 && !s->impair &&
	    s->udp_timeout < 0 && !s->nat_rebind && s->reorder < 0) {
		fprintf(stderr, "harness set: nothing to change (see harness set --help)\n");
		return 2;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct nl *nl;
	struct settings s;
	struct common c = {0};
	struct lab lab;
	char err[512];
	int rc;

	settings_init(&s);
	rc = parse(argc, argv, &c, &s);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (lab_init(&lab, c.lab, err, sizeof(err))) {
		fprintf(stderr, "harness set: %s\n", err);
		return 2;
	}
	lab.explain = c.explain;
	if (geteuid() != 0) {
		fprintf(stderr, "harness set: must run as root: it changes network namespaces\n");
		return 1;
	}
	if (!state_exists(&lab)) {
		fprintf(stderr, "harness set: lab '%s' is not up\n", lab.name);
		return 1;
	}
	/* What the lab lacks for a setting is refused before anything changes. */
	if (settings_check(&lab, &s, true, err, sizeof(err))) {
		fprintf(stderr, "harness set: %s\n", err);
		lab_fini(&lab);
		return 2;
	}
	nl = calloc(lab.topo.nnodes, sizeof(*nl));
	rc = nl ? open_nodes(&lab, nl, err, sizeof(err)) : -1;
	if (!nl)
		snprintf(err, sizeof(err), "out of memory");
	if (!rc)
		rc = settings_apply(&lab, nl, &s, true, err, sizeof(err));
	for (size_t n = 0; nl && n < lab.topo.nnodes; n++)
		nl_close(&nl[n]);
	free(nl);
	lab_fini(&lab);
	if (rc) {
		fprintf(stderr, "harness set: %s\n", err);
		return 1;
	}
	return 0;
}
