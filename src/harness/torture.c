/*
 * harness torture: a hostile network, one scenario at a time, each in a
 * lab of its own making (LAB-x; the kill loop uses LAB-k).  Each prints
 * what it did, what survived and how many bytes were lost.  This is the
 * command: its options, the table of scenarios, the run and the report;
 * each scenario is torture_NAME.c.
 */
#include "commands.h"
#include "json_out.h"
#include "lab_fit.h"
#include "torture_util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* In the order they run and are reported. */
static const struct torture_scenario *const scenarios[] = {
    &torture_lossy, &torture_restart, &torture_rebind,
    &torture_flood, &torture_soak,    &torture_killed,
};
#define NSCENARIOS ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

/* The command's own state beyond what the scenarios share. */
struct command {
	struct torture t;
	bool json;
	unsigned int want; /* bit per scenario */
	struct torture_result res[NSCENARIOS];
};

/* "  name     about", the about folded at word breaks to stay inside 80 columns. */
static void print_wrapped(FILE *f, const char *name, const char *about)
{
	const int indent = 11, width = 78;
	int col = fprintf(f, "  %-*s", indent - 2, name);

	while (*about) {
		size_t word = strcspn(about, " ");

		if (col > indent && col + 1 + (int)word > width)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		else if (col > indent)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", (int)word, about);
		about += word;
		about += strspn(about, " ");
	}
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fputs("usage: harness torture [--scenarios LIST] [--quick] [--mb N] [--soak S]\n"
	      "                       [--kills N] [options]\n"
	      "\n"
	      "A hostile network, one scenario after another, each in a lab of its own\n"
	      "(LAB-x and LAB-k). Each says what it did, what survived, and what was lost.\n"
	      "\n"
	      "  --scenarios LIST\n"
	      "                  comma-separated: lossy, restart, rebind, flood, soak,\n"
	      "                  killed (default: all)\n"
	      "  --mb N          the unit of the transfers, in MB (default 50; --quick 10):\n"
	      "                  lossy and soak move N, flood 10 N, rebind 32 N, restart\n"
	      "                  4 N and at least 200\n"
	      "  --soak S        seconds of the soak (default 600; --quick 20)\n"
	      "  --kills N       kill -9 of harness up, N times (default 20; --quick 5)\n"
	      "  --quick         the shortened run the tests use\n"
	      "  --file FILE     bring the labs up from lab file FILE (see docs/labs.md),\n"
	      "                  not the default lab; the roles each scenario needs and\n"
	      "                  a tunnel between client and server are checked first\n"
	      "  --lab NAME      the labs are NAME-x and NAME-k (default: torture)\n"
	      "  --json          the results, for scripts\n"
	      "  -h, --help      show this help\n"
	      "\n"
	      "Scenarios:\n",
	      f);
	for (int s = 0; s < NSCENARIOS; s++)
		print_wrapped(f, scenarios[s]->name, scenarios[s]->about);
}

/* The scenarios' names, as "a, b or c", for a message. */
static void list_names(char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int s = 0; s < NSCENARIOS && len < cap; s++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					!s		      ? ""
					: s == NSCENARIOS - 1 ? " or "
							      : ", ",
					scenarios[s]->name);
}

static int parse_scenarios(struct command *c, const char *arg)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	c->want = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int s = 0;

		while (s < NSCENARIOS && strcmp(w, scenarios[s]->name))
			s++;
		if (s == NSCENARIOS) {
			char names[128];

			list_names(names, sizeof(names));
			fprintf(stderr, "harness torture: --scenarios: '%s' is not %s\n", w, names);
			return -1;
		}
		c->want |= 1u << s;
	}
	return c->want ? 0 : (fprintf(stderr, "harness torture: --scenarios is empty\n"), -1);
}

static int number(const char *flag, const char *arg, long lo, long hi, long *out)
{
	if (!parse_whole(arg, lo, hi, out))
		return 0;
	fprintf(stderr, "harness torture: %s '%s' is not a number from %ld to %ld\n", flag, arg, lo,
		hi);
	return -1;
}

/*
 * --file: read and checked as up reads it, then held against the
 * scenarios asked for, before any lab is made: their roles, the tunnel
 * (a scenario that runs plaintext and pi too needs one client), and an
 * IPv4 address on the target for the transfers.
 */
static int check_file(struct command *c)
{
	struct torture *t = &c->t;
	const struct torture_scenario *first = NULL, *every = NULL;
	const char *f = t->file;
	unsigned int roles = 0;
	char what[64];

	for (int s = 0; s < NSCENARIOS; s++)
		if (c->want & 1u << s) {
			roles |= scenarios[s]->roles;
			if (!first && scenarios[s]->tunnel)
				first = scenarios[s];
			if (!every && scenarios[s]->every_mode)
				every = scenarios[s];
		}
	if (lab_fit_load(&t->lab, "torture", f) || lab_fit_roles(&t->lab, "torture", f, roles))
		return -1;
	if (!first)
		return 0;
	if (every)
		snprintf(what, sizeof(what), "%s (plaintext and pi too)", every->name);
	if (every ? lab_fit_tunnel(&t->lab, "torture", f, what, true)
		  : lab_fit_tunnel(&t->lab, "torture", f, first->name, false))
		return -1;
	if (!t->lab.at.target4[0] || !t->lab.at.client_vpn4[0]) {
		fprintf(stderr,
			"harness torture: %s: the transfers need an IPv4 address on the 'target' "
			"role's node and inside the tunnel on the client\n",
			f);
		return -1;
	}
	return 0;
}

static int parse(struct command *c, int argc, char **argv)
{
	static const struct option opts[] = {{"scenarios", required_argument, NULL, 's'},
					     {"quick", no_argument, NULL, 'q'},
					     {"mb", required_argument, NULL, 'm'},
					     {"soak", required_argument, NULL, 'S'},
					     {"kills", required_argument, NULL, 'k'},
					     {"file", required_argument, NULL, 'F'},
					     COMMON_OPTIONS,
					     {0}};
	struct torture *t = &c->t;
	struct common co = {0};
	long mb = 0, soak_s = 0, kills = 0;
	int opt, rc;
	char name[LAB_NAME_MAX + 1];

	c->want = (1u << NSCENARIOS) - 1;
	opterr = 0;
	while ((rc = next_option("torture", argc, argv, ":h", opts, &co, usage, &opt)) == ARG_OWN) {
		if ((opt == 's' && parse_scenarios(c, optarg)) ||
		    (opt == 'm' && number("--mb", optarg, 1, 10000, &mb)) ||
		    (opt == 'S' && number("--soak", optarg, 1, 86400, &soak_s)) ||
		    (opt == 'k' && number("--kills", optarg, 1, 1000, &kills)))
			return 2;
		if (opt == 'q')
			t->quick = true;
		if (opt == 'F')
			t->file = optarg;
	}
	if (rc != ARG_END)
		return rc == ARG_HELP ? 1 : 2;
	if (no_arguments("torture", argc, argv))
		return 2;
	t->bytes = (uint64_t)(mb ? mb : t->quick ? 10 : 50) * 1000000;
	t->soak_s = (int)(soak_s ? soak_s : t->quick ? 20 : 600);
	t->kills = (int)(kills ? kills : t->quick ? 5 : 20);
	c->json = co.json;
	snprintf(t->prefix, sizeof(t->prefix), "%s",
		 co.lab			? co.lab
		 : getenv("TUNLAB_LAB") ? getenv("TUNLAB_LAB")
					: "torture");
	if (strlen(t->prefix) > LAB_NAME_MAX - 2) {
		fprintf(stderr, "harness torture: --lab '%s' is longer than %d characters\n",
			t->prefix, LAB_NAME_MAX - 2);
		return 2;
	}
	snprintf(name, sizeof(name), "%s-x", t->prefix);
	if (lab_init(&t->lab, name, t->err, sizeof(t->err))) {
		fprintf(stderr, "harness torture: %s\n", t->err);
		return 2;
	}
	return t->file && check_file(c) ? 2 : 0;
}

static void report_json(const struct command *c)
{
	json_t *scen = json_array(), *rss = json_array();

	for (int s = 0; s < NSCENARIOS; s++) {
		const struct torture_result *r = &c->res[s];

		if (r->ran)
			json_array_append_new(
			    scen,
			    json_pack("{s:s, s:b, s:I, s:o, s:o}", "name", scenarios[s]->name,
				      "survived", r->survived, "lost_bytes", (json_int_t)r->lost,
				      "did", jout_text(r->did), "kept", jout_text(r->kept)));
	}
	for (int i = 0; i < c->t.nrss; i++)
		json_array_append_new(rss, jout_fixed(c->t.rss[i] / MiB, 2));
	jout_print(json_pack("{s:o, s:o}", "scenarios", scen, "soak_rss_mib", rss), stdout);
}

static void report(const struct command *c)
{
	const struct term *tm = &c->t.lab.term;
	int ok = 0, bad = 0;

	if (c->json) {
		report_json(c);
		return;
	}
	for (int s = 0; s < NSCENARIOS; s++) {
		const struct torture_result *r = &c->res[s];

		if (!r->ran)
			continue;
		r->survived ? ok++ : bad++;
		printf("\n%s%-8s%s %s%-9s%s lost %llu bytes\n", term_c(tm, C_BOLD),
		       scenarios[s]->name, term_c(tm, C_RESET),
		       term_c(tm, r->survived ? C_GREEN : C_RED),
		       r->survived ? "survived" : "FAILED", term_c(tm, C_RESET),
		       (unsigned long long)r->lost);
		printf("  did:  %s\n  kept: %s\n", r->did, r->kept);
	}
	printf("\n%d survived, %d failed\n", ok, bad);
}

static int run(struct command *c)
{
	struct torture *t = &c->t;
	bool all = true;

	for (int s = 0; s < NSCENARIOS; s++) {
		if (!(c->want & 1u << s))
			continue;
		if (!c->json)
			fprintf(stderr, "torture: %s...\n", scenarios[s]->name);
		if (held_signal_pending()) {
			snprintf(t->err, sizeof(t->err), "interrupted");
			torture_down(t);
			return -1;
		}
		c->res[s].ran = true;
		if (scenarios[s]->run(t, &c->res[s])) {
			torture_down(t);
			return -1;
		}
		all &= c->res[s].survived;
	}
	report(c);
	return all ? 0 : 1;
}

int cmd_torture(int argc, char **argv)
{
	struct command *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		fprintf(stderr, "harness torture: out of memory\n");
		return 1;
	}
	c->t.lab.lock_fd = -1;
	rc = parse(c, argc, argv);
	if (rc == 1) {
		rc = 0;
	} else if (rc == 0 && geteuid() != 0) {
		fprintf(stderr, "harness torture: must run as root: it builds labs\n");
		rc = 1;
	} else if (rc == 0) {
		hold_signals();
		term_init(&c->t.lab.term, STDOUT_FILENO);
		rc = run(c);
		if (rc < 0)
			fprintf(stderr, "harness torture: %s\n", c->t.err);
		rc = rc ? 1 : 0;
	}
	lab_fini(&c->t.lab);
	free(c);
	return rc;
}
