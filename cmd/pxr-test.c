/* pxr-test: run rule unit tests through the real stages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

static const char usage[] =
"usage: pxr-test [--junit FILE] [-v] TESTS ...\n";

static const char help[] =
"Run rule unit tests: each file (by convention NAME.test.json beside its\n"
"rule file) names a rule file, a 'now' and cases of input records with\n"
"the rows expected at a stage (detect, threshold, compensate or notify;\n"
"default notify), comparing only the fields listed.  The records go\n"
"through the real commands with an empty ledger and sent log.  Prints a\n"
"line per failing case with what was expected and what came, then\n"
"'N passed, N failed'; exits 1 when any failed.\n"
"\n"
"      --junit FILE   also write a JUnit XML report\n"
"\n"
"example:\n"
"  pxr-test testdata/plays/*.test.json\n";

static const char *const stages[] = { "detect", "threshold", "compensate",
	"notify", NULL };

static char bindir[PATH_MAX];

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

/* Run the stages up to last (0..3) on in, writing out; stderr to err. */
static int
pipeline(const char *rules, const char *now, int last, const char *dir,
    const char *in, const char *out, const char *err)
{
	char cmd[4][8][PATH_MAX], *argv[4][10];
	char ledger[PATH_MAX], sent[PATH_MAX];
	pid_t pids[4];
	int i, k, prev, fd, status, rc = 0;

	snprintf(ledger, sizeof(ledger), "%s/ledger.csv", dir);
	snprintf(sent, sizeof(sent), "%s/sent.csv", dir);
	for (i = 0; i <= last; i++) {
		k = 0;
		if (snprintf(cmd[i][k], PATH_MAX, "%s/pxr-%s", bindir,
		    stages[i]) >= PATH_MAX)
			return -1;
		argv[i][k] = cmd[i][k];
		k++;
		argv[i][k++] = "-r";
		argv[i][k++] = (char *)rules;
		argv[i][k++] = "--now";
		argv[i][k++] = (char *)now;
		argv[i][k++] = "--out";
		argv[i][k++] = "jsonl";
		if (i == 2) {
			argv[i][k++] = "--ledger";
			argv[i][k++] = ledger;
		}
		if (i == 3) {
			argv[i][k++] = "--sent-log";
			argv[i][k++] = sent;
		}
		argv[i][k] = NULL;
	}
	if ((prev = open(in, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (i = 0; i <= last; i++) {
		int fds[2] = { -1, -1 };

		if (i < last && pipe2(fds, O_CLOEXEC) < 0)
			return -1;
		if ((pids[i] = fork()) == 0) {
			dup2(prev, 0);
			if (i < last)
				dup2(fds[1], 1);
			else {
				fd = open(out, O_WRONLY | O_CREAT | O_TRUNC,
				    0600);
				dup2(fd, 1);
			}
			fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0600);
			dup2(fd, 2);
			execv(argv[i][0], argv[i]);
			fprintf(stderr, "pxr-test: %s: %s\n", argv[i][0],
			    strerror(errno));
			_exit(127);
		}
		close(prev);
		if (i < last) {
			close(fds[1]);
			prev = fds[0];
		}
	}
	for (i = 0; i <= last; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = -1;
	}
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
	ssize_t n;
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
	n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	if (n <= 0)
		snprintf(bindir, sizeof(bindir), ".");
	else {
		bindir[n] = '\0';
		*strrchr(bindir, '/') = '\0';
	}
	for (a = optind; a < argc; a++) {
		json_error_t je;
		json_t *t = json_load_file(argv[a], JSON_REJECT_DUPLICATES, &je);
		json_t *cases, *cs;
		const char *rules, *now, *stage;
		char rpath[PATH_MAX], dir[PATH_MAX];

		if (t == NULL) {
			fprintf(stderr, "pxr-test: %s:%d:%d: %s\n", argv[a],
			    je.line, je.column, je.text);
			exit(je.line > 0 ? PXR_EXIT_CONFIG : PXR_EXIT_NOINPUT);
		}
		rules = json_string_value(json_object_get(t, "rules"));
		now = json_string_value(json_object_get(t, "now"));
		stage = json_string_value(json_object_get(t, "stage"));
		cases = json_object_get(t, "cases");
		if (rules == NULL || now == NULL || !json_is_array(cases)) {
			fprintf(stderr, "pxr-test: %s: a test file needs "
			    "\"rules\", \"now\" and \"cases\"\n", argv[a]);
			exit(PXR_EXIT_CONFIG);
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
