/* The harness's subcommands, one file each. */
#ifndef TUNLAB_HARNESS_COMMANDS_H
#define TUNLAB_HARNESS_COMMANDS_H

#include "lab.h"

#include <stdio.h>

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_set(int argc, char **argv);

/* Stops every recorded process and removes every recorded namespace and file. */
int lab_teardown(struct lab *lab, bool quiet);

/* Options every subcommand takes. */
#define COMMON_OPTIONS                                                                             \
	{"lab", required_argument, NULL, 'L'}, {"explain", no_argument, NULL, 'E'},                \
	    {"json", no_argument, NULL, 'J'},                                                      \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

#define COMMON_HELP                                                                                \
	"  --lab NAME    work on lab NAME (default: $TUNLAB_LAB, else 'default')\n"                \
	"  --explain     print each step as the equivalent ip or nft command\n"                    \
	"  --json        machine-readable output\n"                                                \
	"  -h, --help    show this help\n"

/* Handles a common option; returns 1 if it was one, -1 for help, 0 if not common. */
struct common {
	const char *lab;
	bool explain;
	bool json;
};
int common_option(int opt, struct common *c);
/*
 * For a command that takes only the common options: -1 after --help
 * (exit 0), 2 after a usage error (already reported), 0 to go on.
 */
int parse_common(const char *cmd, int argc, char **argv, struct common *c, void (*usage)(FILE *f));
/* One line for an unknown option or a missing value, from getopt's state. */
void bad_option(const char *cmd, int opt, char **argv);

#endif
