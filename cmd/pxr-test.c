/* pxr-test: run rule unit tests through the stages, in one process. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "compensate.h"
#include "detect.h"
#include "notify.h"
#include "rules.h"
#include "stage.h"
#include "threshold.h"

static const char usage[] =
"usage: pxr-test [--junit FILE] [-v] TESTS ...\n";

static const char help[] =
"Run rule unit tests: each file (by convention NAME.test.json beside its\n"
"rule file) names a rule file, a 'now' and cases of input records with\n"
"the rows expected at a stage (detect, threshold, compensate or notify;\n"
"default notify), comparing only the fields listed.  The records go\n"
"through the stages' own code (lib/), chained in this one process, with\n"
"an empty ledger and sent log.  Prints a line per failing case with what\n"
"was expected and what came, then 'N passed, N failed'; exits 1 when any\n"
"failed.\n"
"\n"
"      --junit FILE   also write a JUnit XML report\n"
"\n"
"example:\n"
"  pxr-test testdata/plays/*.test.json\n";

static const char *const stages[] = { "detect", "threshold", "compensate",
	"notify", NULL };

struct result {
	char	*file;
	char	*name;
	char	*failure;	/* NULL: passed */
};

static struct result *results;
static size_t nresults;

static void
add_result(const char *file, const char *name, const char *failure)
{
	results = pxr_reallocarray(results, nresults + 1, sizeof(*results));
	results[nresults].file = pxr_strdup(file);
	results[nresults].name = pxr_strdup(name);
	results[nresults].failure = failure != NULL ? pxr_strdup(failure) :
	    NULL;
	nresults++;
}

/*
 * The JUnit report (Jenkins' junit-10.xsd): a testsuite per test file, in
 * the order given.  Characters XML cannot carry are replaced (and said so).
 */
static void
write_junit(struct pxr_cli *c, const char *path)
{
	FILE *fp = fopen(path, "we");
	size_t i, j, tests, fails, bad = 0, all = 0, allfail = 0;

	if (fp == NULL) {
		pxr_error_set(&c->err, PXR_EXIT_CANTCREAT, "%s",
		    strerror(errno));
		pxr_error_at(&c->err, path, 0);
		pxr_cli_die(c, &c->err);
	}
	for (i = 0; i < nresults; i++) {
		all++;
		allfail += results[i].failure != NULL;
	}
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"pxr-test\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"0\">\n", all, allfail);
	for (i = 0; i < nresults; i = j) {
		tests = fails = 0;
		for (j = i; j < nresults && strcmp(results[j].file,
		    results[i].file) == 0; j++) {
			tests++;
			fails += results[j].failure != NULL;
		}
		fputs("<testsuite name=\"", fp);
		bad += pxr_xml_escape(fp, results[i].file);
		fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		    "skipped=\"0\">\n", tests, fails);
		for (; i < j; i++) {
			fputs("<testcase classname=\"", fp);
			bad += pxr_xml_escape(fp, results[i].file);
			fputs("\" name=\"", fp);
			bad += pxr_xml_escape(fp, results[i].name);
			fputs("\"", fp);
			if (results[i].failure == NULL) {
				fputs("/>\n", fp);
				continue;
			}
			fputs("><failure message=\"", fp);
			bad += pxr_xml_escape(fp, results[i].failure);
			fputs("\">", fp);
			bad += pxr_xml_escape(fp, results[i].failure);
			fputs("</failure></testcase>\n", fp);
		}
		fputs("</testsuite>\n", fp);
	}
	fputs("</testsuites>\n", fp);
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		pxr_error_set(&c->err, PXR_EXIT_IOERR, "%s", strerror(errno));
		pxr_error_at(&c->err, path, 0);
		pxr_cli_die(c, &c->err);
	}
	if (bad > 0)
		pxr_cli_warn(c, "%s: %zu character%s that XML cannot carry "
		    "(control characters, U+FFFE, U+FFFF, bytes that are not "
		    "UTF-8) replaced by U+FFFD", path, bad, bad == 1 ? "" : "s");
}

/*
 * A stage of a case, wrapped so that the stage a record fails in is
 * known (the chain only says that it failed): what it emits goes on
 * through the wrapper, what it says goes to the chain's sayer.
 */
struct tag {
	struct pxr_mapper *inner;
	int	*failed;	/* the run's: the first stage that failed */
	int	 idx;
};

static int
tag_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	return pxr_mapper_emit(arg, rec, err);
}

static int
tag_check(void *arg, const struct pxr_rec *rec, struct pxr_error *err)
{
	return pxr_mapper_check(arg, rec, err);
}

static int
tag_rc(struct tag *t, int rc)
{
	if (rc < 0 && *t->failed < 0)
		*t->failed = t->idx;
	return rc;
}

static int
tag_bind(struct pxr_mapper *w, struct pxr_schema *sch, struct pxr_error *err)
{
	struct tag *t = w->state;

	t->inner->sayer = w->sayer;
	return tag_rc(t, t->inner->bind != NULL ? t->inner->bind(t->inner,
	    sch, err) : 0);
}

static int
tag_map(struct pxr_mapper *w, struct pxr_rec *rec, struct pxr_error *err)
{
	struct tag *t = w->state;

	return tag_rc(t, t->inner->map(t->inner, rec, err));
}

static int
tag_end(struct pxr_mapper *w, struct pxr_error *err)
{
	struct tag *t = w->state;

	return tag_rc(t, t->inner->end != NULL ? t->inner->end(t->inner, err) :
	    0);
}

static void
tag_free(void *state)
{
	struct tag *t = state;

	pxr_mapper_free(t->inner);
	free(t);
}

/* Wrap m (stolen) as stage idx of a run whose first failure is *failed. */
static struct pxr_mapper *
tag_new(struct pxr_mapper *m, int idx, int *failed)
{
	struct tag *t = pxr_calloc(1, sizeof(*t));
	struct pxr_mapper *w;

	t->inner = m;
	t->failed = failed;
	t->idx = idx;
	w = pxr_mapper_new(m->name, t, tag_bind, tag_map, tag_end, tag_free);
	m->out.emit = tag_emit;
	m->out.check = tag_check;
	m->out.arg = w;
	return w;
}

/* What the last stage emits: JSON Lines, as the commands' --out jsonl. */
static int
run_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	return pxr_writer_write(arg, rec, err) < 0 ? -2 : 0;
}

static int
run_check(void *arg, const struct pxr_rec *rec, struct pxr_error *err)
{
	return pxr_writer_check(arg, rec, err);
}

/* What the stages say goes where the commands' stderr went. */
static void
run_say(void *arg, int level, const char *text)
{
	if (level == PXR_SAY_WARN)
		fprintf(arg, "%s\n", text);
}

/*
 * The stages up to last (0..3) in this process, as pxr_chain over their
 * mappers, with --now, an empty ledger and sent log in dir: the records
 * of in (JSON Lines) through them to out (JSON Lines); what a command
 * would have printed on stderr to errf.  0, or -1 when a stage failed.
 */
static int
pipeline(const char *rules, const char *now, int last, const char *dir,
    const char *in, const char *out, const char *errf)
{
	char ledger[PATH_MAX], sent[PATH_MAX], buf[2048];
	struct pxr_mapper *m[4] = { NULL };
	struct pxr_detect_opts dopt = { 0 };
	struct pxr_threshold_opts topt = { 0 };
	struct pxr_compensate_opts copt = { 0 };
	struct pxr_notify_opts nopt = { 0 };
	struct pxr_reader_opts ro = { 0 };
	struct pxr_diags d = { 0 };
	struct pxr_rules *R;
	struct pxr_schema *sch = NULL;
	struct pxr_reader *rd = NULL;
	struct pxr_writer *w = NULL;
	struct pxr_chain *ch = NULL;
	struct pxr_error e;
	struct pxr_rec rec;
	FILE *fo = NULL, *fe;
	int64_t t;
	int i, rc = 0, bound = 0, failed = -1, n = 0;
	size_t k;

	if ((fe = fopen(errf, "we")) == NULL)
		return -1;
	pxr_error_clear(&e);
	if ((R = pxr_rules_load(rules, &d)) == NULL) {
		for (k = 0; k < d.n; k++)
			fprintf(fe, "%s:%ld:%d: %s\n", rules, d.v[k].line,
			    d.v[k].col, d.v[k].msg);
		if (d.n == 0)
			fprintf(fe, "%s: cannot be loaded\n", rules);
		pxr_diags_free(&d);
		fclose(fe);
		return -1;
	}
	pxr_diags_free(&d);
	if (pxr_time_parse(now, strlen(now), R->tz, &t, NULL, &e) < 0) {
		fprintf(fe, "now: %s\n", e.text);
		rc = -1;
		goto done;
	}
	snprintf(ledger, sizeof(ledger), "%s/ledger.csv", dir);
	snprintf(sent, sizeof(sent), "%s/sent.csv", dir);
	dopt.now = copt.now = nopt.now = t;
	copt.ledger = ledger;
	nopt.sentlog = sent;
	copt.lock_ms = nopt.lock_ms = 60000;
	for (i = 0; i <= last && rc == 0; i++) {
		struct pxr_mapper *x = i == 0 ? pxr_detect_new(&dopt, R, &e) :
		    i == 1 ? pxr_threshold_new(&topt, R, &e) : i == 2 ?
		    pxr_compensate_new(&copt, R, &e) :
		    pxr_notify_new(&nopt, R, &e);

		if (x == NULL) {
			fprintf(fe, "pxr-%s: %s\n", stages[i],
			    pxr_error_str(&e, buf, sizeof(buf)));
			rc = -1;
			break;
		}
		m[n++] = tag_new(x, i, &failed);
	}
	if (rc < 0)
		goto done;
	if ((fo = fopen(out, "we")) == NULL) {
		rc = -1;
		goto done;
	}
	w = pxr_writer_new(fo, PXR_FMT_JSONL, 0);
	ch = pxr_chain_new(m, (size_t)n, (struct pxr_emitter){ run_emit, w,
	    run_check }, (struct pxr_sayer){ run_say, fe });
	sch = pxr_schema_new();
	ro.fmt = PXR_FMT_JSONL;
	if ((rd = pxr_reader_open(in, &ro, sch, &e)) == NULL) {
		fprintf(fe, "pxr-test: %s\n", pxr_error_str(&e, buf,
		    sizeof(buf)));
		rc = -1;
		pxr_schema_free(sch);
		sch = NULL;
		goto done;
	}
	pxr_rec_init(&rec, sch);
	while (rc == 0 && (i = pxr_reader_next(rd, &rec, &e)) != 0) {
		if (i < 0 || (!bound++ && pxr_chain_bind(ch, sch, &e) < 0) ||
		    pxr_chain_map(ch, &rec, &e) < 0) {
			if (e.file[0] == '\0')
				pxr_error_at(&e, "-", rec.line);
			rc = -1;
		}
	}
	if (rc == 0 && ((!bound && pxr_chain_bind(ch, sch, &e) < 0) ||
	    pxr_chain_end(ch, &e) < 0 || pxr_writer_flush(w, &e) < 0))
		rc = -1;
	if (rc < 0)
		fprintf(fe, "pxr-%s: %s\n", failed >= 0 ? stages[failed] :
		    "test", pxr_error_str(&e, buf, sizeof(buf)));
	pxr_rec_fini(&rec);
done:
	pxr_reader_close(rd);
	pxr_writer_free(w);
	if (fo != NULL && fclose(fo) != 0)
		rc = -1;
	pxr_chain_free(ch);
	for (i = 0; i < n; i++)
		pxr_mapper_free(m[i]);
	pxr_schema_free(sch);
	pxr_rules_free(R);
	fclose(fe);
	return rc;
}

/* A JSON scalar as text: strings bare, integers exact, null "null". */
static char *
text(json_t *v)
{
	char buf[64];

	if (v == NULL)
		return pxr_strdup("(absent)");
	if (json_is_string(v))
		return pxr_strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		return pxr_strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		return pxr_strdup(buf);
	}
	if (json_is_null(v))
		return pxr_strdup("null");
	if (json_is_boolean(v))
		return pxr_strdup(json_is_true(v) ? "true" : "false");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int
run_case(const char *file, const char *rules, const char *now,
    const char *defstage, json_t *c, size_t idx, int verbose)
{
	char dir[] = "/tmp/pxr-test-XXXXXX", in[PATH_MAX], out[PATH_MAX],
	    err[PATH_MAX], name[512];
	json_t *input = json_object_get(c, "input"), *expect =
	    json_object_get(c, "expect"), *v, *got = json_array();
	const char *stage = json_string_value(json_object_get(c, "stage"));
	struct pxr_buf why = { 0 };
	FILE *fp;
	size_t i;
	int last, ok;
	char line[65536];

	snprintf(name, sizeof(name), "%s", json_is_string(json_object_get(c,
	    "name")) ? json_string_value(json_object_get(c, "name")) : "");
	if (name[0] == '\0')
		snprintf(name, sizeof(name), "case %zu", idx + 1);
	if (stage == NULL)
		stage = defstage;
	for (last = 0; stages[last] != NULL; last++)
		if (strcmp(stages[last], stage) == 0)
			break;
	if (stages[last] == NULL || !json_is_array(input) ||
	    !json_is_array(expect)) {
		pxr_buf_printf(&why, "the case needs 'input' and 'expect' "
		    "arrays and a stage of detect, threshold, compensate or "
		    "notify");
		goto done;
	}
	if (mkdtemp(dir) == NULL) {
		pxr_buf_printf(&why, "mkdtemp: %s", strerror(errno));
		goto done;
	}
	snprintf(in, sizeof(in), "%s/in.jsonl", dir);
	snprintf(out, sizeof(out), "%s/out.jsonl", dir);
	snprintf(err, sizeof(err), "%s/err.txt", dir);
	fp = fopen(in, "we");
	json_array_foreach(input, i, v) {
		json_dumpf(v, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
	}
	fclose(fp);
	if (pipeline(rules, now, last, dir, in, out, err) < 0) {
		pxr_buf_printf(&why, "the stages failed:");
		if ((fp = fopen(err, "re")) != NULL) {
			while (fgets(line, sizeof(line), fp) != NULL) {
				line[strcspn(line, "\n")] = '\0';
				pxr_buf_printf(&why, "\n    %s", line);
			}
			fclose(fp);
		}
		goto clean;
	}
	if ((fp = fopen(out, "re")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			json_t *row = json_loads(line, 0, NULL);

			if (row != NULL)
				json_array_append_new(got, row);
		}
		fclose(fp);
	}
	if (json_array_size(got) != json_array_size(expect))
		pxr_buf_printf(&why, "expected %zu row%s, got %zu",
		    json_array_size(expect), json_array_size(expect) == 1 ? "" :
		    "s", json_array_size(got));
	json_array_foreach(expect, i, v) {
		json_t *g = json_array_get(got, i), *ev;
		const char *k;

		if (g == NULL)
			break;
		json_object_foreach(v, k, ev) {
			char *want = text(ev), *have = text(json_object_get(g,
			    k));

			if (strcmp(want, have) != 0)
				pxr_buf_printf(&why, "%srow %zu: %s: expected "
				    "%s, got %s", why.len > 0 ? "\n    " : "",
				    i + 1, k, want, have);
			free(want);
			free(have);
		}
	}
clean:
	unlink(in);
	unlink(out);
	unlink(err);
	snprintf(line, sizeof(line), "%s/ledger.csv", dir);
	unlink(line);
	snprintf(line, sizeof(line), "%s/sent.csv", dir);
	unlink(line);
	rmdir(dir);
done:
	ok = why.len == 0;
	if (!ok)
		printf("FAIL %s: %s: %s\n", file, name, why.p);
	else if (verbose)
		printf("ok %s: %s\n", file, name);
	add_result(file, name, ok ? NULL : why.p);
	pxr_buf_free(&why);
	json_decref(got);
	return ok;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "junit", required_argument, NULL, OPT_CMD },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_cli c;
	const char *junit = NULL;
	size_t pass = 0, fail = 0, i;
	int ch, a;

	pxr_cli_init(&c, argv, "pxr-test", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		if (ch == OPT_CMD)
			junit = optarg;
		else
			pxr_cli_usage(&c, NULL);
	}
	if (optind == argc)
		pxr_cli_usage(&c, "give one or more test files");
	for (a = optind; a < argc; a++) {
		json_error_t je;
		json_t *t = json_load_file(argv[a], JSON_REJECT_DUPLICATES, &je);
		json_t *cases, *cs;
		const char *rules, *now, *stage;
		char rpath[PATH_MAX], dir[PATH_MAX];

		if (t == NULL) {
			pxr_cli_fatal(&c, je.line > 0 ? PXR_EXIT_CONFIG :
			    PXR_EXIT_NOINPUT, "%s:%d:%d: %s", argv[a], je.line,
			    je.column, je.text);
		}
		rules = json_string_value(json_object_get(t, "rules"));
		now = json_string_value(json_object_get(t, "now"));
		stage = json_string_value(json_object_get(t, "stage"));
		cases = json_object_get(t, "cases");
		if (rules == NULL || now == NULL || !json_is_array(cases)) {
			pxr_cli_fatal(&c, PXR_EXIT_CONFIG, "%s: a test file "
			    "needs \"rules\", \"now\" and \"cases\"", argv[a]);
		}
		snprintf(dir, sizeof(dir), "%s", argv[a]);
		if (strrchr(dir, '/') != NULL)
			*strrchr(dir, '/') = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		if (rules[0] == '/')
			snprintf(rpath, sizeof(rpath), "%s", rules);
		else if (snprintf(rpath, sizeof(rpath), "%s/%s", dir, rules) >=
		    (int)sizeof(rpath))
			rpath[0] = '\0';
		json_array_foreach(cases, i, cs) {
			if (run_case(argv[a], rpath, now, stage != NULL ? stage :
			    "notify", cs, i, c.verbose))
				pass++;
			else
				fail++;
		}
		json_decref(t);
	}
	if (junit != NULL)
		write_junit(&c, junit);
	printf("%zu passed, %zu failed\n", pass, fail);
	pxr_cli_exit(&c, fail > 0 ? PXR_EXIT_FINDINGS : 0);
}
