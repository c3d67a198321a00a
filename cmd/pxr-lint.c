/* pxr-lint: check rule files, their expressions and templates, for CI. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "lint.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-lint [--format gcc|github|json|sarif] [--sample DATA] [--strict]\n"
"                [--max-sms-parts N] RULES ...\n";

static const char help[] =
"Check rule files: JSON syntax, members and types, ids and phases,\n"
"expressions and regular expressions, fields (with input.columns or a\n"
"sample), tiers, compensation entries, templates for every reachable\n"
"locale and channel, surveys in recovery messages, SMS length.  Every\n"
"finding has a position and a check name.  Exit 1 on errors; warnings\n"
"alone exit 0, or 3 with --strict.\n"
"\n"
"      --format F         gcc (default), github, json or sarif\n"
"      --sample DATA      CSV or JSON Lines input: its fields, locales and\n"
"                         longest values\n"
"      --strict           warnings fail too (exit 3)\n"
"      --max-sms-parts N  an SMS longer than this warns (default 2)\n"
"\n"
"example:\n"
"  pxr-lint --strict --sample deliveries.csv plays.json\n";

enum { F_GCC, F_GITHUB, F_JSON, F_SARIF };

static const char *
sevname(int s)
{
	return s == PXR_SEV_ERROR ? "error" : s == PXR_SEV_WARNING ? "warning" :
	    "note";
}

/* GitHub workflow commands: data escapes %, CR, LF; properties : and , too. */
static void
gh_escape(const char *s, int property)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '%': fputs("%25", stdout); break;
		case '\r': fputs("%0D", stdout); break;
		case '\n': fputs("%0A", stdout); break;
		case ':': fputs(property ? "%3A" : ":", stdout); break;
		case ',': fputs(property ? "%2C" : ",", stdout); break;
		default: putchar(*s); break;
		}
	}
}

/*
 * gcc format: one finding a line, so control characters in a file name,
 * a member name or a value are written as C escapes (\n, \r, \t, \xHH).
 */
static void
gcc_escape(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* What the JSON and SARIF formats collect before they print. */
struct out {
	int	 fmt;
	json_t	*results;
	json_t	*rules;
	json_t	*seen;		/* check names already in rules */
	size_t	 replaced;	/* bytes that were not UTF-8 */
};

/* s as a JSON string (new), bytes that are not UTF-8 as U+FFFD. */
static json_t *
jstr(struct out *o, const char *s)
{
	struct pxr_buf b = { 0 };
	json_t *v;

	o->replaced += pxr_utf8_fix(&b, s, strlen(s));
	v = json_stringn(b.p != NULL ? b.p : "", b.len);
	pxr_buf_free(&b);
	return v;
}

/*
 * A file name as a URI reference (RFC 3986; new): every byte but the
 * unreserved characters and '/' percent-encoded, so a name with spaces,
 * '%', '#', '\\', ':' or non-ASCII letters points at that file.  Relative
 * names stay relative (to %SRCROOT%); absolute ones become file: URIs.
 */
static char *
file_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct pxr_buf b = { 0 };
	const unsigned char *p;

	if (path[0] == '/')
		pxr_buf_adds(&b, "file://");
	for (p = (const unsigned char *)path; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			pxr_buf_addc(&b, *p);
		else {
			pxr_buf_addc(&b, '%');
			pxr_buf_addc(&b, hex[*p >> 4]);
			pxr_buf_addc(&b, hex[*p & 15]);
		}
	if (b.p == NULL)
		pxr_buf_adds(&b, "");
	return b.p;
}

/* Print one finding (gcc, github) or keep it for the JSON output. */
static void
emit(struct out *o, const char *file, const struct pxr_diag *g)
{
	json_t *region;
	char *uri;

	switch (o->fmt) {
	case F_GCC:
		gcc_escape(file);
		printf(":%ld:%d: %s: ", g->line, g->col, sevname(g->sev));
		gcc_escape(g->msg);
		fputs(" [", stdout);
		gcc_escape(g->check);
		fputs("]\n", stdout);
		break;
	case F_GITHUB:
		printf("::%s file=", g->sev == PXR_SEV_NOTE ? "notice" :
		    sevname(g->sev));
		gh_escape(file, 1);
		printf(",line=%ld,col=%d,title=", g->line, g->col);
		gh_escape(g->check, 1);
		fputs("::", stdout);
		gh_escape(g->msg, 0);
		putchar('\n');
		break;
	case F_JSON:
		json_array_append_new(o->results, json_pack("{s:o,s:I,s:I,s:s,"
		    "s:s,s:o,s:o}", "file", jstr(o, file), "line",
		    (json_int_t)g->line, "column", (json_int_t)g->col,
		    "severity", sevname(g->sev), "check", g->check, "path",
		    jstr(o, g->path != NULL ? g->path : ""), "message",
		    jstr(o, g->msg)));
		break;
	default:
		uri = file_uri(file);
		region = json_pack("{s:I,s:I}", "startLine", (json_int_t)g->line,
		    "startColumn", (json_int_t)g->col);
		json_array_append_new(o->results, json_pack(
		    "{s:s,s:s,s:{s:o},s:[{s:{s:{s:s,s:s*},s:o}}]}",
		    "ruleId", g->check, "level", sevname(g->sev), "message",
		    "text", jstr(o, g->msg), "locations", "physicalLocation",
		    "artifactLocation", "uri", uri, "uriBaseId", file[0] == '/' ?
		    NULL : "%SRCROOT%", "region", region));
		free(uri);
		if (json_object_get(o->seen, g->check) == NULL) {
			json_object_set_new(o->seen, g->check, json_true());
			json_array_append_new(o->rules, json_pack(
			    "{s:s,s:{s:s}}", "id", g->check,
			    "shortDescription", "text", g->check));
		}
		break;
	}
}

/* The JSON and SARIF formats: print what was kept. */
static void
finish(struct pxr_cli *c, struct out *o)
{
	json_t *doc, *base;
	char cwd[PATH_MAX], *uri;

	if (o->fmt == F_JSON)
		doc = json_incref(o->results);
	else {
		base = json_pack("{s:{s:s}}", "description", "text",
		    "the directory pxr-lint ran in");
		if (getcwd(cwd, sizeof(cwd) - 1) != NULL && cwd[0] == '/') {
			if (strcmp(cwd, "/") != 0)
				strcat(cwd, "/");
			uri = file_uri(cwd);
			json_object_set_new(base, "uri", json_string(uri));
			free(uri);
		}
		doc = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:O}},"
		    "s:{s:o},s:s,s:O}]}", "version", "2.1.0", "$schema",
		    "https://json.schemastore.org/sarif-2.1.0.json",
		    "runs", "tool", "driver", "name", "pxr-lint",
		    "version", PXR_VERSION, "informationUri",
		    "https://example.invalid/pxr", "rules", o->rules,
		    "originalUriBaseIds", "%SRCROOT%", base, "columnKind",
		    "unicodeCodePoints", "results", o->results);
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	if (o->replaced > 0)
		pxr_cli_warn(c, "%zu byte%s that %s not UTF-8 replaced by "
		    "U+FFFD", o->replaced, o->replaced == 1 ? "" : "s",
		    o->replaced == 1 ? "was" : "were");
}

/* Note in s why field i's value v (at line) does not read as c says. */
static void
check_value(struct pxr_sample *s, size_t i, const struct pxr_coltype *c,
    const struct pxr_val *v, long line, struct pxr_tz *tz)
{
	struct pxr_typed t;
	struct pxr_error e;

	if (s->bad[i] != NULL || PXR_ISNULL(v) ||
	    pxr_coltype_read(c, v->s, v->n, tz, &t, &e) == 0)
		return;
	s->bad[i] = pxr_strdup(e.text);
	s->badline[i] = line;
}

static struct pxr_sample *
read_sample(struct pxr_cli *c, const char *path, const struct pxr_rules *R,
    const char *locale_field)
{
	struct pxr_sample *s = pxr_calloc(1, sizeof(*s));
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *rd;
	struct pxr_rec rec;
	size_t i, k, lf = PXR_NOFIELD, rows = 0;

	/* One side-input reader: a bad sample row follows --on-error. */
	rd = pxr_cli_sidein_dialect(c, path, sch, R->delimiter, R->encoding);
	pxr_rec_init(&rec, sch);
	while (pxr_cli_sidein_next(c, rd, &rec) > 0 && rows++ < 100000) {
		pxr_rec_fit(&rec);
		if (s->n < sch->n) {
			s->names = pxr_reallocarray(s->names, sch->n,
			    sizeof(*s->names));
			s->longest = pxr_reallocarray(s->longest, sch->n,
			    sizeof(*s->longest));
			s->bad = pxr_reallocarray(s->bad, sch->n,
			    sizeof(*s->bad));
			s->badline = pxr_reallocarray(s->badline, sch->n,
			    sizeof(*s->badline));
			for (i = s->n; i < sch->n; i++) {
				s->names[i] = pxr_strdup(sch->names[i]);
				s->longest[i] = NULL;
				s->bad[i] = NULL;
			}
			s->n = sch->n;
			if (locale_field != NULL)
				lf = pxr_schema_find(sch, locale_field,
				    strlen(locale_field));
		}
		for (k = 0; k < R->ncolumns; k++)
			if (pxr_coltype_formatted(&R->columns[k]) &&
			    (i = pxr_schema_find(sch, R->columns[k].name,
			    strlen(R->columns[k].name))) != PXR_NOFIELD &&
			    i < s->n)
				check_value(s, i, &R->columns[k],
				    pxr_rec_get(&rec, i), rec.line, R->tz);
		for (i = 0; i < s->n; i++) {
			const struct pxr_val *v = pxr_rec_get(&rec, i);

			if (PXR_ISNULL(v))
				continue;
			if (s->longest[i] == NULL || strlen(s->longest[i]) <
			    v->n) {
				free(s->longest[i]);
				s->longest[i] = pxr_strndup(v->s, v->n);
			}
		}
		if (lf != PXR_NOFIELD && !PXR_ISNULL(pxr_rec_get(&rec, lf))) {
			const struct pxr_val *v = pxr_rec_get(&rec, lf);

			for (i = 0; i < s->nlocales; i++)
				if (strcmp(s->locales[i], v->s) == 0)
					break;
			if (i == s->nlocales && s->nlocales < 64) {
				s->locales = pxr_reallocarray(s->locales,
				    s->nlocales + 1, sizeof(*s->locales));
				s->locales[s->nlocales++] = pxr_strndup(v->s,
				    v->n);
			}
		}
	}
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, rd);
	pxr_schema_free(sch);
	return s;
}

int
main(int argc, char **argv)
{
	enum { O_FORMAT = OPT_CMD, O_SAMPLE, O_STRICT, O_PARTS };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "format", required_argument, NULL, O_FORMAT },
		{ "sample", required_argument, NULL, O_SAMPLE },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "max-sms-parts", required_argument, NULL, O_PARTS },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_cli c;
	const char *sample = NULL;
	int ch, fmt = F_GCC, strict = 0, parts = 2, i;
	size_t nerr = 0, nwarn = 0, k;
	struct out o = { 0 };

	pxr_cli_init(&c, argv, "pxr-lint", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_FORMAT:
			if (strcmp(optarg, "gcc") == 0)
				fmt = F_GCC;
			else if (strcmp(optarg, "github") == 0)
				fmt = F_GITHUB;
			else if (strcmp(optarg, "json") == 0)
				fmt = F_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				fmt = F_SARIF;
			else
				pxr_cli_usage(&c, "--format: expected gcc, "
				    "github, json or sarif, got '%s'", optarg);
			break;
		case O_SAMPLE: sample = optarg; break;
		case O_STRICT: strict = 1; break;
		case O_PARTS:
			if ((parts = atoi(optarg)) < 1)
				pxr_cli_usage(&c, "--max-sms-parts: a number "
				    "from 1");
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (optind == argc && c.rules != NULL)
		argv[--optind] = (char *)c.rules;
	if (optind == argc)
		pxr_cli_usage(&c, "give one or more rule files");
	o.fmt = fmt;
	o.results = json_array();
	o.rules = json_array();
	o.seen = json_object();
	for (i = optind; i < argc; i++) {
		struct pxr_diags d;
		struct pxr_rules *R;
		struct pxr_sample *s = NULL;

		memset(&d, 0, sizeof(d));
		R = pxr_rules_check(argv[i], &d);
		if (d.n > 0 && strcmp(d.v[0].check, "io") == 0) {
			pxr_error_set(&c.err, PXR_EXIT_NOINPUT, "%s",
			    d.v[0].msg);
			pxr_error_at(&c.err, argv[i], 0);
			pxr_cli_die(&c, &c.err);
		}
		if (R != NULL) {
			if (sample != NULL)
				s = read_sample(&c, sample, R,
				    R->notify.f_locale != NULL ?
				    R->notify.f_locale : "locale");
			pxr_lint(R, s, parts, &d);
		}
		pxr_diags_sort(&d);
		for (k = 0; k < d.n; k++) {
			const struct pxr_diag *g = &d.v[k];
			const char *file = g->file != NULL ? g->file : argv[i];

			if (g->sev == PXR_SEV_ERROR)
				nerr++;
			else if (g->sev == PXR_SEV_WARNING)
				nwarn++;
			emit(&o, file, g);
		}
		pxr_diags_free(&d);
		pxr_rules_free(R);
		if (s != NULL) {
			size_t q;

			for (q = 0; q < s->n; q++) {
				free(s->names[q]);
				free(s->longest[q]);
				free(s->bad[q]);
			}
			for (q = 0; q < s->nlocales; q++)
				free(s->locales[q]);
			free(s->names);
			free(s->longest);
			free(s->bad);
			free(s->badline);
			free(s->locales);
			free(s);
		}
	}
	if (fmt == F_JSON || fmt == F_SARIF)
		finish(&c, &o);
	json_decref(o.results);
	json_decref(o.rules);
	json_decref(o.seen);
	if (fmt == F_GCC && !c.quiet && (nerr > 0 || nwarn > 0))
		pxr_cli_warn(&c, "%zu error%s, %zu warning%s", nerr,
		    nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
	pxr_cli_exit(&c, nerr > 0 ? PXR_EXIT_FINDINGS : strict && nwarn > 0 ?
	    PXR_EXIT_STRICT : 0);
}
