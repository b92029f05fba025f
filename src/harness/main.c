/*
 * harness: builds and drives tunlab's network labs.  This file only
 * dispatches to the subcommands, one file each.
 */
#include "commands.h"
#include "lib/keys.h"
#include "mtu_probe.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"up", cmd_up, "build the lab and start the tunnel"},
    {"down", cmd_down, "remove everything the lab made"},
    {"walkthrough", cmd_walkthrough, "follow one ping through every hop, layer by layer"},
    {"check", cmd_check, "prove the tunnel encapsulates correctly, from captures"},
    {"capture", cmd_capture, "capture on lab interfaces, decoded live, to pcap files"},
    {"mtu-probe", cmd_mtu_probe, "find, explain and fix the path MTU of underlay and tunnel"},
    {"bench", cmd_bench, "throughput, packet rate, latency, CPU and memory of each path"},
    {"flood", cmd_flood, "throw bad datagrams at the VPN server and show what it counted"},
    {"torture", cmd_torture,
     "a hostile network: loss, restarts, NAT rebinding, floods, soak, kills"},
    {"test", cmd_test, "bring up each lab file's lab and check its expectations"},
    {"set", cmd_set, "change MTUs, the ICMP firewall and impairments of a running lab"},
    {"validate", cmd_validate, "check lab files (docs/labs.md) without building anything"},
    {"status", cmd_status, "nodes, links, addresses and tunnel counters"},
    {"graph", cmd_graph, "draw the lab's map: text, SVG (--svg) or JSON"},
    {"exec", cmd_exec, "run a command on a node"},
    {"shell", cmd_shell, "open a shell on a node"},
    {"delay-line", cmd_delay_line, "(started by set --reorder and up FILE) hold packets back"},
    {"floor", cmd_floor, "(started by bench) one read and one write per packet"},
};

static void usage(FILE *f)
{
	fputs("usage: harness COMMAND [options]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'harness COMMAND --help' tells more. Every command but validate and test\n"
	      "takes --lab NAME (test names each file's lab itself).\n",
	      f);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A closed pipe on stdout must not stop a command halfway through building a lab. */
	signal(SIGPIPE, SIG_IGN);
	if (keys_init()) {
		fprintf(stderr, "harness: cannot initialise libsodium\n");
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "harness: unknown command '%s' (see harness --help)\n", argv[1]);
	return 2;
}
