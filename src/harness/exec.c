/* harness exec and harness shell: run a command, or a shell, on a lab node. */
#include "commands.h"
#include "lib/netns.h"
#include "spawn.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f, bool shell)
{
	if (shell)
		fputs("usage: harness shell NODE [options]\n\n"
		      "Opens an interactive shell inside NODE's network namespace.\n\n",
		      f);
	else
		fputs("usage: harness exec NODE [options] [--] COMMAND [ARGS...]\n\n"
		      "Runs COMMAND inside NODE's network namespace and exits with its status.\n\n",
		      f);
	fputs("Nodes: home-laptop home-router internet office-server office-host\n\n" LAB_HELP, f);
}

/* Enters the node's namespace; returns 0 or an exit status after saying why not. */
static int enter(const char *cmd, const char *lab_name, const char *node)
{
	struct lab lab;
	char err[256], ns[64];
	int n, rc;

	if (lab_init(&lab, lab_name, err, sizeof(err))) {
		fprintf(stderr, "harness %s: %s\n", cmd, err);
		return 2;
	}
	n = lab_node(&lab, node);
	if (n < 0) {
		fprintf(stderr, "harness %s: '%s' is not a lab node (", cmd, node);
		for (size_t i = 0; i < lab.topo.nnodes; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", lab.topo.nodes[i].name);
		fprintf(stderr, ")\n");
		return 2;
	}
	lab_ns(&lab, n, ns, sizeof(ns));
	if (!netns_exists(ns)) {
		fprintf(stderr, "harness %s: lab '%s' is not up (no namespace %s)\n", cmd, lab.name,
			ns);
		return 1;
	}
	rc = netns_enter_name(ns);
	if (rc == NETNS_ROOT) {
		fprintf(stderr,
			"harness %s: %s is the root network namespace: the harness works only in "
			"namespaces it made\n",
			cmd, ns);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "harness %s: cannot enter %s: %s\n", cmd, ns, strerror(-rc));
		return 1;
	}
	setenv("TUNLAB_NODE", node, 1);
	return 0;
}

static int run(int argc, char **argv, bool shell)
{
	static const struct option opts[] = {COMMON_OPTIONS, {0}};
	const char *cmd = shell ? "shell" : "exec";
	struct common c = {0};
	int opt, rc;

	opterr = 0;
	/* '+': stop at the first word that is not ours, so COMMAND keeps its own flags. */
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		rc = common_option(cmd, opt, &c);
		if (rc == -2)
			return 2;
		if (rc < 0) {
			usage(stdout, shell);
			return 0;
		}
		if (rc == 0) {
			bad_option(cmd, opt, argv);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "harness %s: name a node (see harness %s --help)\n", cmd, cmd);
		return 2;
	}
	const char *node = argv[optind++];
	/* Options may also follow the node: "harness exec home-laptop --lab t1 -- ping ..." */
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		rc = common_option(cmd, opt, &c);
		if (rc <= 0) {
			if (rc != -2)
				bad_option(cmd, opt, argv);
			return 2;
		}
	}
	if (!shell && optind >= argc) {
		fprintf(stderr, "harness exec: give a command to run on %s\n", node);
		return 2;
	}
	if (shell && optind < argc) {
		fprintf(stderr, "harness shell: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	rc = enter(cmd, c.lab, node);
	if (rc)
		return rc;
	signal(SIGPIPE, SIG_DFL); /* the harness ignores it; the command should not */
	if (shell) {
		const char *sh = getenv("SHELL");
		char prompt[96];

		if (!sh || !*sh)
			sh = "/bin/bash";
		snprintf(prompt, sizeof(prompt), "[%s] \\w # ", node);
		setenv("PS1", prompt, 1);
		printf("A shell on %s; type 'exit' to leave.\n", node);
		fflush(stdout);
		/* --norc keeps the node's name in the prompt for bash users. */
		close_from(3); /* the harness's own descriptors stay with the harness */
		if (strstr(sh, "bash"))
			execl(sh, sh, "--norc", "-i", (char *)NULL);
		else
			execl(sh, sh, "-i", (char *)NULL);
		fprintf(stderr, "harness shell: cannot run %s: %s\n", sh, strerror(errno));
		return 127;
	}
	close_from(3);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "harness exec: cannot run %s: %s\n", argv[optind], strerror(errno));
	return 127;
}

int cmd_exec(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_shell(int argc, char **argv)
{
	return run(argc, argv, true);
}
