/* The harness's subcommands, one file each. */
#ifndef TUNLAB_HARNESS_COMMANDS_H
#define TUNLAB_HARNESS_COMMANDS_H

#include "lab.h"

#include <getopt.h>
#include <stdio.h>

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_walkthrough(int argc, char **argv);
int cmd_flood(int argc, char **argv);
int cmd_delay_line(int argc, char **argv);
int cmd_floor(int argc, char **argv);
int cmd_torture(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_graph(int argc, char **argv);

/*
 * Stops every recorded process and removes every recorded namespace and
 * file that a lab of this name could have made; returns how many records
 * it left alone (each said in one line), or -1.
 */
int lab_teardown(struct lab *lab, bool quiet);

/* Options every subcommand takes. */
#define COMMON_OPTIONS                                                                             \
	{"lab", required_argument, NULL, 'L'}, {"explain", no_argument, NULL, 'E'},                \
	    {"json", no_argument, NULL, 'J'},                                                      \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

/*
 * --explain and --json are in COMMON_OPTIONS so that a command without them
 * refuses each in one line (options.c says which command takes which); a
 * command with JSON output lists --json in its own help.  COMMON_HELP is
 * for the commands that build or change a lab (up, down, set), LAB_HELP
 * for the others that work on one.
 */
#define LAB_HELP                                                                                   \
	"  --lab NAME      work on lab NAME (default: $TUNLAB_LAB, else 'default')\n"              \
	"  -h, --help      show this help\n"
#define COMMON_HELP                                                                                \
	"  --lab NAME      work on lab NAME (default: $TUNLAB_LAB, else 'default')\n"              \
	"  --explain       print each step as the equivalent ip or nft command\n"                  \
	"  -h, --help      show this help\n"

struct common {
	const char *lab;
	bool explain;
	bool json;
};
/*
 * Handles a common option of command cmd: 1 if it was one, -1 for help, 0
 * if not common, -2 if cmd does not offer it (said in one line).
 */
int common_option(const char *cmd, int opt, struct common *c);
/*
 * For a command that takes only the common options: -1 after --help
 * (exit 0), 2 after a usage error (already reported), 0 to go on.
 */
int parse_common(const char *cmd, int argc, char **argv, struct common *c, void (*usage)(FILE *f));
/*
 * One step of getopt_long over a subcommand's arguments (set opterr = 0
 * first; shortopts starts with ':' and has 'h').  The common options are taken here; ARG_OWN leaves
 * in *opt one for the caller; ARG_HELP means usage was printed, ARG_BAD that a bad option was
 * reported.
 */
enum { ARG_END, ARG_OWN, ARG_HELP, ARG_BAD };
int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *opts, struct common *c, void (*usage)(FILE *f), int *opt);
/* 2, after one line, if words are left over; 0 if not. */
int no_arguments(const char *cmd, int argc, char **argv);
/* A whole decimal number from lo to hi, nothing else around it: 0, or -1. */
int parse_whole(const char *arg, long lo, long hi, long *out);
/* Holds SIGINT, SIGTERM and SIGHUP back, to be honoured between steps. */
void hold_signals(void);
/* Whether one of them came in meanwhile. */
bool held_signal_pending(void);
/* One line for an unknown option or a missing value, from getopt's state. */
void bad_option(const char *cmd, int opt, char **argv);

#endif
