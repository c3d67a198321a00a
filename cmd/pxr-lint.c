/* pxr-lint: check rule files, their expressions and templates, for CI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static struct pxr_sample *
read_sample(struct pxr_cli *c, const char *path, const char *locale_field)
{
	struct pxr_sample *s = pxr_calloc(1, sizeof(*s));
	struct pxr_reader_opts o;
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_reader *rd;
	struct pxr_rec rec;
	size_t i, lf = PXR_NOFIELD, rows = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rd = pxr_reader_open(path, &o, sch, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	pxr_rec_init(&rec, sch);
	while ((rc = pxr_reader_next(rd, &rec, &c->err)) != 0 &&
	    rows++ < 100000) {
		if (rc == -2)
			pxr_cli_die(c, &c->err);
		if (rc < 0)
			continue;
		pxr_rec_fit(&rec);
		if (s->n < sch->n) {
			s->names = pxr_reallocarray(s->names, sch->n,
			    sizeof(*s->names));
			s->longest = pxr_reallocarray(s->longest, sch->n,
			    sizeof(*s->longest));
			for (i = s->n; i < sch->n; i++) {
				s->names[i] = pxr_strdup(sch->names[i]);
				s->longest[i] = NULL;
			}
			s->n = sch->n;
			if (locale_field != NULL)
				lf = pxr_schema_find(sch, locale_field,
				    strlen(locale_field));
		}
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
	pxr_reader_close(rd);
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
	json_t *results = json_array(), *rules = json_array(), *seen =
	    json_object();

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
	for (i = optind; i < argc; i++) {
		struct pxr_diags d;
		struct pxr_rules *R;
		struct pxr_sample *s = NULL;

		memset(&d, 0, sizeof(d));
		R = pxr_rules_check(argv[i], &d);
		if (d.n > 0 && strcmp(d.v[0].check, "io") == 0) {
			fprintf(stderr, "pxr-lint: %s: %s\n", argv[i],
			    d.v[0].msg);
			exit(PXR_EXIT_NOINPUT);
		}
		if (R != NULL) {
			if (sample != NULL)
				s = read_sample(&c, sample,
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
			switch (fmt) {
			case F_GCC:
				printf("%s:%ld:%d: %s: %s [%s]\n", file, g->line,
				    g->col, sevname(g->sev), g->msg, g->check);
				break;
			case F_GITHUB:
				printf("::%s file=", g->sev == PXR_SEV_NOTE ?
				    "notice" : sevname(g->sev));
				gh_escape(file, 1);
				printf(",line=%ld,col=%d,title=", g->line,
				    g->col);
				gh_escape(g->check, 1);
				fputs("::", stdout);
				gh_escape(g->msg, 0);
				putchar('\n');
				break;
			default:
				json_array_append_new(results, json_pack(
				    "{s:s,s:s,s:{s:s},s:[{s:{s:{s:s},s:{s:I,s:I}}}],"
				    "s:s}", "ruleId", g->check, "level",
				    sevname(g->sev), "message", "text", g->msg,
				    "locations", "physicalLocation",
				    "artifactLocation", "uri", file, "region",
				    "startLine", (json_int_t)g->line,
				    "startColumn", (json_int_t)g->col,
				    "path", g->path));
				if (json_object_get(seen, g->check) == NULL) {
					json_object_set_new(seen, g->check,
					    json_true());
					json_array_append_new(rules, json_pack(
					    "{s:s,s:{s:s}}", "id", g->check,
					    "shortDescription", "text",
					    g->check));
				}
				break;
			}
		}
		pxr_diags_free(&d);
		pxr_rules_free(R);
		if (s != NULL) {
			size_t q;

			for (q = 0; q < s->n; q++) {
				free(s->names[q]);
				free(s->longest[q]);
			}
			for (q = 0; q < s->nlocales; q++)
				free(s->locales[q]);
			free(s->names);
			free(s->longest);
			free(s->locales);
			free(s);
		}
	}
	if (fmt == F_JSON || fmt == F_SARIF) {
		json_t *out;
		size_t idx;
		json_t *r;

		if (fmt == F_JSON) {
			/* Plain findings: file, line, column, severity, ... */
			out = json_array();
			json_array_foreach(results, idx, r) {
				json_t *loc = json_object_get(json_array_get(
				    json_object_get(r, "locations"), 0),
				    "physicalLocation");

				json_array_append_new(out, json_pack(
				    "{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "file",
				    json_object_get(json_object_get(loc,
				    "artifactLocation"), "uri"), "line",
				    json_object_get(json_object_get(loc,
				    "region"), "startLine"), "column",
				    json_object_get(json_object_get(loc,
				    "region"), "startColumn"), "severity",
				    json_object_get(r, "level"), "check",
				    json_object_get(r, "ruleId"), "path",
				    json_object_get(r, "path"), "message",
				    json_object_get(json_object_get(r,
				    "message"), "text")));
			}
		} else {
			json_array_foreach(results, idx, r)
				json_object_del(r, "path");
			out = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:O}},"
			    "s:O}]}", "version", "2.1.0", "$schema",
			    "https://json.schemastore.org/sarif-2.1.0.json",
			    "runs", "tool", "driver", "name", "pxr-lint",
			    "version", PXR_VERSION, "informationUri",
			    "https://example.invalid/pxr", "rules", rules,
			    "results", results);
		}
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	}
	json_decref(results);
	json_decref(rules);
	json_decref(seen);
	if (fmt == F_GCC && !c.quiet && (nerr > 0 || nwarn > 0))
		fprintf(stderr, "pxr-lint: %zu error%s, %zu warning%s\n", nerr,
		    nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
	pxr_cli_exit(&c, nerr > 0 ? PXR_EXIT_FINDINGS : strict && nwarn > 0 ?
	    PXR_EXIT_STRICT : 0);
}
