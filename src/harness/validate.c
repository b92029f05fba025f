/*
 * harness validate FILE...: reads and checks lab files, and runs nothing.
 * A sound file gets one line on stdout; each fault in a bad one gets a
 * line "file:line:column: message" on stderr, in file order.
 */
#include "commands.h"
#include "json_out.h"
#include "labfile.h"

#include <stdio.h>

static void usage(FILE *f)
{
	fputs("usage: harness validate [options] FILE...\n"
	      "\n"
	      "Reads each lab file and checks it: its keys, its names, its addresses and\n"
	      "routes, and whether each tunnel client can route to its server.  Builds\n"
	      "nothing.  Prints 'FILE: ok (...)' for a sound file and each fault of a bad\n"
	      "one as 'FILE:LINE:COLUMN: message' on stderr; exits 2 if any file is bad.\n"
	      "The format is in docs/labs.md.\n"
	      "\n"
	      "  --json          one JSON object with every file's counts and faults\n"
	      "  -h, --help      show this help\n",
	      f);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_text(const char *path, const struct topo *t, const struct topo_errors *e)
{
	if (!topo_errors_count(e)) {
		printf("%s: ok (%zu %s, %zu %s, %zu %s, %zu %s)\n", path, t->nnodes,
		       plural(t->nnodes, "node", "nodes"), t->nlinks,
		       plural(t->nlinks, "link", "links"), t->ntunnels,
		       plural(t->ntunnels, "tunnel", "tunnels"), t->nexpects,
		       plural(t->nexpects, "expectation", "expectations"));
		return;
	}
	topo_errors_print(e, path, stderr);
}

static json_t *file_json(const char *path, const struct topo *t, const struct topo_errors *e)
{
	json_t *errors = json_array();

	for (size_t i = 0; i < e->n; i++)
		json_array_append_new(
		    errors, json_pack("{s:i, s:i, s:o}", "line", (int)e->v[i].pos.line, "column",
				      (int)e->v[i].pos.col, "message", jout_text(e->v[i].msg)));
	return json_pack("{s:o, s:b, s:I, s:I, s:I, s:I, s:o, s:I}", "file", jout_text(path), "ok",
			 !topo_errors_count(e), "nodes", (json_int_t)t->nnodes, "links",
			 (json_int_t)t->nlinks, "tunnels", (json_int_t)t->ntunnels, "expectations",
			 (json_int_t)t->nexpects, "errors", errors, "not_shown",
			 (json_int_t)e->dropped);
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {COMMON_OPTIONS, {0}};
	struct common c = {0};
	json_t *files = NULL;
	int opt, bad = 0;

	opterr = 0;
	switch (next_option("validate", argc, argv, ":h", opts, &c, usage, &opt)) {
	case ARG_HELP:
		return 0;
	case ARG_END:
		break;
	case ARG_OWN:
		bad_option("validate", opt, argv);
		/* fall through */
	default:
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "harness validate: name at least one lab file (see --help)\n");
		return 2;
	}
	if (c.json)
		files = json_array();
	for (int i = optind; i < argc; i++) {
		struct topo t;
		struct topo_errors e;

		topo_init(&t);
		topo_errors_init(&e);
		labfile_load(argv[i], &t, &e);
		if (topo_errors_count(&e))
			bad++;
		if (c.json)
			json_array_append_new(files, file_json(argv[i], &t, &e));
		else
			print_text(argv[i], &t, &e);
		topo_errors_free(&e);
		topo_free(&t);
	}
	if (c.json)
		jout_print(json_pack("{s:o, s:i}", "files", files, "bad", bad), stdout);
	return bad ? 2 : 0;
}
