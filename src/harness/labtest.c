/*
 * harness test FILE...: brings each lab file's lab up under a name of its
 * own, observes every expectation the file lists, takes the lab down,
 * and prints one line per expectation.  Like the suite's own runner it
 * ends on "N passed, N failed"; --tap and --junit give the same results
 * to CI systems.
 */
#include "commands.h"
#include "expect.h"
#include "json_out.h"
#include "labfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct result_list {
	struct expect_result *v;
	const char **suite; /* the lab each result belongs to, one of labtest's names */
	size_t n, cap;
};

struct labtest {
	struct common c;
	struct term term;
	const char *mode; /* NULL: each file's own */
	const char *junit;
	bool tap, keep;
	char self[4096];
	struct result_list res;
	char **names; /* each file's suite name, freed at the end */
	size_t nnames;
	size_t passed, failed;
	int tap_n;
};

static void usage(FILE *f)
{
	fputs("usage: harness test FILE... [--mode M] [--tap] [--junit FILE] [options]\n"
	      "\n"
	      "Brings each lab file's lab up under a lab name of its own, observes every\n"
	      "expectation in the file's 'expect:' list, takes the lab down, and prints\n"
	      "one line per expectation. Ends with 'N passed, N failed'.\n"
	      "\n"
	      "  --mode M        run every tunnel in mode M (encrypted, plaintext, pi)\n"
	      "                  instead of the file's own\n"
	      "  --tap           write the results as TAP on standard output\n"
	      "  --junit FILE    also write the results as JUnit XML to FILE\n"
	      "  --keep          leave a lab up after a failed expectation, to look at it\n"
	      "  --json          the results as one JSON object\n"
	      "  -h, --help      show this help\n"
	      "\n"
	      "Each file's lab gets a name of its own, so no lab of yours is touched (no\n"
	      "lab name is taken).\n"
	      "\n"
	      "Exit status: 0 every expectation held, 1 one failed, 2 usage error.\n",
	      f);
}

static int keep_result(struct labtest *lt, const struct expect_result *r, const char *suite)
{
	struct result_list *l = &lt->res;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct expect_result *v = realloc(l->v, cap * sizeof(*v));
		const char **s;

		if (!v)
			return -1;
		l->v = v;
		if (!(s = realloc(l->suite, cap * sizeof(*s))))
			return -1;
		l->suite = s;
		l->cap = cap;
	}
	l->v[l->n] = *r;
	l->suite[l->n++] = suite;
	return 0;
}

#define TITLE_W 46 /* the column of an expectation's name */

/* Characters on the terminal, not bytes: a name may hold UTF-8 (a capture's filter). */
static int text_width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The detail and the time it took, in one pair of brackets when the detail ends in one. */
static void print_detail(const char *detail, double seconds)
{
	size_t n = strlen(detail);

	if (n && detail[n - 1] == ')')
		printf("%.*s; %.1f s)", (int)(n - 1), detail, seconds);
	else
		printf("%s (%.1f s)", detail, seconds);
}

static void report(struct labtest *lt, const struct expect_result *r, const char *suite)
{
	const struct term *t = &lt->term;

	if (r->pass)
		lt->passed++;
	else
		lt->failed++;
	if (keep_result(lt, r, suite))
		fprintf(stderr, "harness test: out of memory keeping a result\n");
	if (lt->c.json)
		return;
	if (lt->tap) {
		printf("%s %d - %s: %s\n", r->pass ? "ok" : "not ok", ++lt->tap_n, suite, r->title);
		if (!r->pass)
			printf("  ---\n  message: \"%s\"\n  ...\n", r->detail);
		return;
	}
	printf("  %s%-5s%s %s", term_c(t, r->pass ? C_GREEN : C_RED), r->pass ? "ok" : "FAIL",
	       term_c(t, C_RESET), r->title);
	/* A name wider than its column puts the detail on the next line, under the others'. */
	if (text_width(r->title) > TITLE_W)
		printf("\n%*s", 2 + 5 + 1 + TITLE_W + 1, "");
	else
		printf("%*s", TITLE_W + 1 - text_width(r->title), "");
	printf("%s", term_c(t, C_DIM));
	print_detail(r->detail, r->seconds);
	printf("%s\n", term_c(t, C_RESET));
}

/* A result that is not an expectation: the file did not read, the lab did not come up. */
static void report_step(struct labtest *lt, const char *suite, const char *title, bool pass,
			const char *detail)
{
	struct expect_result r = {.pass = pass};

	snprintf(r.title, sizeof(r.title), "%s", title);
	snprintf(r.detail, sizeof(r.detail), "%s", detail);
	report(lt, &r, suite);
}

/* The last line a subcommand printed, which says why it stopped. */
static const char *last_line(char *out)
{
	size_t n = strlen(out);
	char *p;

	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	p = strrchr(out, '\n');
	return p ? p + 1 : out;
}

static bool lab_up(struct labtest *lt, const char *lab, const char *file, const char *suite)
{
	char out[16384];
	char *argv[10] = {"harness", "up", "--lab", (char *)lab};
	int n = 4, status;

	if (lt->mode) {
		argv[n++] = "--mode";
		argv[n++] = (char *)lt->mode;
	}
	argv[n++] = (char *)file;
	argv[n] = NULL;
	status = run_self(lt->self, argv, out, sizeof(out), 300);
	if (status != 0)
		report_step(lt, suite, "the lab comes up", false, last_line(out));
	return status == 0;
}

static void lab_down(struct labtest *lt, const char *lab, const char *suite)
{
	char out[16384];
	char *argv[] = {"harness", "down", "--lab", (char *)lab, NULL};

	if (run_self(lt->self, argv, out, sizeof(out), 120) != 0)
		report_step(lt, suite, "the lab comes down", false, last_line(out));
}

/* The name a file's results go under: its lab's name, else the file's. */
static const char *suite_name(struct labtest *lt, const char *name)
{
	char **v = realloc(lt->names, (lt->nnames + 1) * sizeof(*v));
	char *s = strdup(name);

	if (!v || !s) {
		free(s);
		if (v)
			lt->names = v;
		return "(out of memory)";
	}
	lt->names = v;
	lt->names[lt->nnames++] = s;
	return s;
}

static int run_file(struct labtest *lt, const char *file, int idx)
{
	char lab[LAB_NAME_MAX + 1];
	size_t failed = lt->failed;
	struct topo_errors e;
	struct topo t;
	const char *suite;

	topo_init(&t);
	topo_errors_init(&e);
	if (labfile_load(file, &t, &e)) {
		char detail[64];

		/* One fault is said once, in the result; several each on a line of their own. */
		for (size_t i = 0; e.n > 1 && i < e.n; i++)
			fprintf(stderr, "%s\n", e.v[i].line);
		snprintf(detail, sizeof(detail), "%zu faults, each said on standard error", e.n);
		report_step(lt, suite_name(lt, file), "the lab file is valid", false,
			    e.n == 1 ? e.v[0].line
			    : e.n    ? detail
				     : "it could not be read");
		topo_errors_free(&e);
		topo_free(&t);
		return 0;
	}
	topo_errors_free(&e);
	suite = suite_name(lt, t.name ? t.name : file);
	snprintf(lab, sizeof(lab), "lt%d-%d", (int)(getpid() % 100000), idx);
	if (!lt->c.json && !lt->tap)
		printf("%s%s%s  (lab %s, %zu expectation%s%s%s)\n", term_c(&lt->term, C_BOLD), file,
		       term_c(&lt->term, C_RESET), lab, t.nexpects, t.nexpects == 1 ? "" : "s",
		       lt->mode ? ", tunnels in mode " : "", lt->mode ? lt->mode : "");
	if (lab_up(lt, lab, file, suite)) {
		struct expect_ctx c = {.topo = &t, .lab = lab, .self = lt->self};

		for (size_t i = 0; i < t.nexpects && !held_signal_pending(); i++) {
			struct expect_result r;

			expect_run(&c, &t.expects[i], &r);
			report(lt, &r, suite);
		}
	}
	if (lt->keep && lt->failed > failed)
		printf("  the lab is left up: ./harness down --lab %s\n", lab);
	else
		lab_down(lt, lab, suite);
	topo_free(&t);
	return held_signal_pending() ? -1 : 0;
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 has no place for other control characters. */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void junit_write(const struct labtest *lt, FILE *f)
{
	const struct result_list *l = &lt->res;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\">\n", l->n, lt->failed);
	for (size_t i = 0; i < l->n;) {
		size_t j = i, fails = 0;

		while (j < l->n && l->suite[j] == l->suite[i])
			fails += !l->v[j++].pass;
		fputs("  <testsuite name=\"", f);
		xml_text(f, l->suite[i]);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", j - i, fails);
		for (; i < j; i++) {
			fputs("    <testcase classname=\"", f);
			xml_text(f, l->suite[i]);
			fputs("\" name=\"", f);
			xml_text(f, l->v[i].title);
			fprintf(f, "\" time=\"%.3f\"", l->v[i].seconds);
			if (l->v[i].pass) {
				fputs("/>\n", f);
				continue;
			}
			fputs(">\n      <failure message=\"", f);
			xml_text(f, l->v[i].detail);
			fputs("\"/>\n    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
}

/* Written beside its final name and renamed, never through a symbolic link. */
static int junit_save(const struct labtest *lt)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", lt->junit, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	junit_write(lt, f);
	if (fclose(f) || rename(tmp, lt->junit)) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

static void json_write(const struct labtest *lt)
{
	const struct result_list *l = &lt->res;
	json_t *results = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(
		    results, json_pack("{s:o, s:o, s:b, s:o, s:o}", "lab", jout_text(l->suite[i]),
				       "expectation", jout_text(l->v[i].title), "pass",
				       l->v[i].pass, "detail", jout_text(l->v[i].detail), "seconds",
				       jout_fixed(l->v[i].seconds, 3)));
	jout_print(json_pack("{s:o, s:I, s:I}", "results", results, "passed",
			     (json_int_t)lt->passed, "failed", (json_int_t)lt->failed),
		   stdout);
}

static int parse(struct labtest *lt, int argc, char **argv)
{
	static const struct option opts[] = {{"mode", required_argument, NULL, 'm'},
					     {"tap", no_argument, NULL, 't'},
					     {"junit", required_argument, NULL, 'j'},
					     {"keep", no_argument, NULL, 'k'},
					     COMMON_OPTIONS,
					     {NULL, 0, NULL, 0}};
	int opt, rc;

	opterr = 0;
	while ((rc = next_option("test", argc, argv, ":h", opts, &lt->c, usage, &opt)) != ARG_END) {
		if (rc == ARG_HELP)
			return -1;
		if (rc == ARG_BAD)
			return 2;
		if (opt == 'm') {
			if (strcmp(optarg, "encrypted") && strcmp(optarg, "plaintext") &&
			    strcmp(optarg, "pi")) {
				fprintf(
				    stderr,
				    "harness test: mode '%s' is not encrypted, plaintext or pi\n",
				    optarg);
				return 2;
			}
			lt->mode = optarg;
		} else if (opt == 't') {
			lt->tap = true;
		} else if (opt == 'j') {
			lt->junit = optarg;
		} else if (opt == 'k') {
			lt->keep = true;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
			"harness test: name at least one lab file (see harness test --help)\n");
		return 2;
	}
	if (lt->c.lab) {
		fprintf(stderr, "harness test: --lab is not taken; each file's lab gets a name of "
				"its own\n");
		return 2;
	}
	return 0;
}

int cmd_test(int argc, char **argv)
{
	struct labtest *lt = calloc(1, sizeof(*lt));
	ssize_t n;
	int rc;

	if (!lt) {
		fprintf(stderr, "harness test: out of memory\n");
		return 1;
	}
	term_init(&lt->term, STDOUT_FILENO);
	rc = parse(lt, argc, argv);
	if (rc) {
		free(lt);
		return rc < 0 ? 0 : rc;
	}
	n = readlink("/proc/self/exe", lt->self, sizeof(lt->self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(lt->self) - 1) {
		fprintf(stderr, "harness test: cannot find the harness binary\n");
		free(lt);
		return 1;
	}
	hold_signals();
	if (lt->tap)
		printf("TAP version 13\n");
	for (int i = optind; i < argc; i++)
		if (run_file(lt, argv[i], i - optind + 1))
			break;
	if (lt->tap)
		printf("1..%d\n", lt->tap_n);
	if (lt->c.json)
		json_write(lt);
	if (lt->junit && (rc = junit_save(lt)))
		fprintf(stderr, "harness test: cannot write %s: %s\n", lt->junit, strerror(-rc));
	if (!lt->c.json && !lt->tap)
		printf("%zu passed, %zu failed\n", lt->passed, lt->failed);
	rc = held_signal_pending() ? 130 : lt->failed ? 1 : 0;
	for (size_t i = 0; i < lt->nnames; i++)
		free(lt->names[i]);
	free(lt->names);
	free(lt->res.v);
	free(lt->res.suite);
	free(lt);
	return rc;
}
