/* The options every subcommand shares, and how a bad one is reported. */
#include "commands.h"
#include <stdlib.h>
#include <signal.h>
#include <errno.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { TAKES_LAB = 1, TAKES_EXPLAIN = 2, TAKES_JSON = 4 };

/*
 * Which common options a command takes.  --explain where the command runs
 * ip and nft steps (it builds, changes or removes a lab); --json where it
 * prints JSON; --lab but for validate and test, which build no lab of a
 * given name (test names its own labs, and says so itself when given --lab).
 */
static unsigned common_taken(const char *cmd)
{
	static const struct {
		const char *cmd;
		unsigned takes;
	} table[] = {
	    {"up", TAKES_LAB | TAKES_EXPLAIN},
	    {"down", TAKES_LAB | TAKES_EXPLAIN},
	    {"set", TAKES_LAB | TAKES_EXPLAIN},
	    {"status", TAKES_LAB | TAKES_JSON},
	    {"mtu-probe", TAKES_LAB | TAKES_JSON},
	    {"check", TAKES_LAB | TAKES_JSON},
	    {"graph", TAKES_LAB | TAKES_JSON},
	    {"bench", TAKES_LAB | TAKES_JSON},
	    {"torture", TAKES_LAB | TAKES_JSON},
	    {"flood", TAKES_LAB | TAKES_JSON},
	    {"validate", TAKES_JSON},
	    {"test", TAKES_LAB | TAKES_JSON},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(cmd, table[i].cmd))
			return table[i].takes;
	return TAKES_LAB; /* capture, walkthrough, exec, shell */
}

static int not_offered(const char *cmd, const char *option)
{
	fprintf(stderr, "harness %s: %s is not offered by %s\n", cmd, option, cmd);
	return -2;
}

int common_option(const char *cmd, int opt, struct common *c)
{
	unsigned takes = common_taken(cmd);

	switch (opt) {
	case 'L':
		if (!(takes & TAKES_LAB))
			return not_offered(cmd, "--lab");
		c->lab = optarg;
		return 1;
	case 'E':
		if (!(takes & TAKES_EXPLAIN))
			return not_offered(cmd, "--explain");
		c->explain = true;
		return 1;
	case 'J':
		if (!(takes & TAKES_JSON))
			return not_offered(cmd, "--json");
		c->json = true;
		return 1;
	case 'h':
		return -1;
	}
	return 0;
}

void bad_option(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		fprintf(stderr, "harness %s: option '%s' needs a value\n", cmd, argv[optind - 1]);
	else if (opt == '?' && optopt)
		fprintf(stderr, "harness %s: unknown option '-%c' (see harness %s --help)\n", cmd,
			optopt, cmd);
	else
		fprintf(stderr, "harness %s: unknown option '%s' (see harness %s --help)\n", cmd,
			argv[optind - 1], cmd);
}

int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *opts, struct common *c, void (*usage)(FILE *f), int *opt)
{
	int rc;

	for (;;) {
		*opt = getopt_long(argc, argv, shortopts, opts, NULL);
		if (*opt == -1)
			return ARG_END;
		rc = common_option(cmd, *opt, c);
		if (rc == -2)
			return ARG_BAD;
		if (rc < 0) {
			usage(stdout);
			return ARG_HELP;
		}
		if (rc > 0)
			continue;
		if (*opt == '?' || *opt == ':') {
			bad_option(cmd, *opt, argv);
			return ARG_BAD;
		}
		return ARG_OWN;
	}
}

int no_arguments(const char *cmd, int argc, char **argv)
{
	if (optind < argc) {
		fprintf(stderr, "harness %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return 2;
	}
	return 0;
}

int parse_common(const char *cmd, int argc, char **argv, struct common *c, void (*usage)(FILE *f))
{
	static const struct option opts[] = {COMMON_OPTIONS, {0}};
	int opt;

	opterr = 0;
	switch (next_option(cmd, argc, argv, ":h", opts, c, usage, &opt)) {
	case ARG_HELP:
		return -1;
	case ARG_END:
		return no_arguments(cmd, argc, argv);
	case ARG_OWN:
		bad_option(cmd, opt, argv);
		/* fall through */
	default:
		return 2;
	}
}

int parse_whole(const char *arg, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!arg || !*arg)
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

void hold_signals(void)
{
	sigset_t held;

	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigprocmask(SIG_BLOCK, &held, NULL);
}

bool held_signal_pending(void)
{
	sigset_t pending;

	sigpending(&pending);
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
	       sigismember(&pending, SIGHUP);
}
