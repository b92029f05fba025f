/* harness graph: the map of a lab, on the terminal, as SVG, or as JSON. */
#include "commands.h"
#include "control.h"
#include "graph.h"
#include "lib/control_proto.h"
#include "lib/mode.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: harness graph [FILE] [--svg OUT.svg] [options]\n"
	      "\n"
	      "Draws the map of a lab from its description, whether or not it is up:\n"
	      "nodes with their interfaces and addresses, the links between them with\n"
	      "their subnets, MTU and impairments, and each tunnel with its mode, port\n"
	      "and inner addresses.  Without FILE, the lab (--lab, see below).\n"
	      "\n"
	      "  --svg OUT.svg   also write the map as SVG, laid out by Graphviz\n"
	      "  --json          the topology as JSON, instead of the map\n"
	      "  --lab NAME      without FILE: the lab to draw (see below)\n"
	      "  -h, --help      show this help\n"
	      "\n"
	      "Without FILE, the lab NAME (--lab, else $TUNLAB_LAB, else 'default') is\n"
	      "drawn as it was built: from the lab file it keeps, else the default lab\n"
	      "(labs/home-office.yml), and while it is up with its tunnel's running mode.\n",
	      f);
}

static int draw(const struct topo *t, const char *svg, bool json)
{
	struct term term;
	char err[512];

	if (svg && graph_svg(t, svg, err, sizeof(err))) {
		fprintf(stderr, "harness graph: %s\n", err);
		return 1;
	}
	if (json) {
		graph_json(t, stdout);
		return 0;
	}
	term_init(&term, STDOUT_FILENO);
	if (graph_ascii(t, &term, stdout)) {
		fprintf(stderr, "harness graph: the topology does not hold together\n");
		return 1;
	}
	if (svg)
		printf("\nWrote %s\n", svg);
	return 0;
}

/*
 * A running tunnel's mode, as its server says: "up --mode" overrides the
 * file's, and is kept nowhere else.  A lab that is not up keeps the file's.
 */
static void running_modes(struct lab *lab)
{
	struct control_reply *r = malloc(sizeof(*r));

	for (size_t i = 0; r && i < lab->topo.ntunnels; i++) {
		struct topo_tunnel *tu = &lab->topo.tunnels[i];
		const char *mode;

		if (control_ask_node(lab, tu->server.node, CTL_STATS, r) == 0 &&
		    (mode = control_get(r, CTL_MODE)))
			wire_mode_parse(mode,
					&tu->mode); /* a name it does not know leaves the file's */
	}
	free(r);
}

/* A lab's topology as the lab has it: from the file it was built from, or the default. */
static int lab_topology(const char *name, struct topo *t, char *err, size_t errlen)
{
	struct lab lab;

	topo_init(t);
	if (lab_init(&lab, name, err, errlen))
		return -1;
	running_modes(&lab);
	*t = lab.topo; /* taken over: the lab lets go of it */
	topo_init(&lab.topo);
	lab_fini(&lab);
	return 0;
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"svg", required_argument, NULL, 's'}, COMMON_OPTIONS, {0}};
	struct common c = {0};
	const char *svg = NULL, *file = NULL;
	struct topo t;
	char err[512];
	int opt, rc;

	opterr = 0;
	for (;;) {
		rc = next_option("graph", argc, argv, ":hs:", opts, &c, usage, &opt);
		if (rc == ARG_END)
			break;
		if (rc == ARG_HELP)
			return 0;
		if (rc == ARG_BAD)
			return 2;
		svg = optarg;
	}
	if (optind < argc)
		file = argv[optind++];
	if (no_arguments("graph", argc, argv))
		return 2;
	if (svg && !*svg) {
		fprintf(stderr, "harness graph: --svg needs a file name\n");
		return 2;
	}
	if (!file) {
		rc = lab_topology(c.lab, &t, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "harness graph: %s\n", err);
			return 1;
		}
	} else if (graph_load(file, &t, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "harness graph: %s\n", err);
		topo_free(&t);
		return 2; /* a lab file that is missing or has faults, as validate and up say */
	}
	rc = draw(&t, svg, c.json);
	topo_free(&t);
	return rc;
}
