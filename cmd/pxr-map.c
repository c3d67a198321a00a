/* pxr-map: the customer journey and how each phase is watched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "fields.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-map -r RULES [--incidents FILE] [--format text|csv|json|dot]\n";

static const char help[] =
"List every phase of the rule file's journey, in order, with the rules\n"
"that watch it, what each does (detected, tiered, compensated, notified),\n"
"the phase's coverage (proactive: a rule tells the customer; partial:\n"
"detected only; none), incident counts from an incidents file, and the\n"
"headline 'proactively managed: N of M phases'.  --format dot draws the\n"
"journey for Graphviz (dot -Tsvg) in rows of five phases, with a legend.\n"
"\n"
"      --incidents FILE   any stage's output: incidents counted by rule\n"
"      --format F         text (default), csv, json or dot\n"
"\n"
"example:\n"
"  pxr-map -r plays.json --incidents tonight.csv --format dot | dot -Tsvg > map.svg\n";

enum { F_TEXT, F_CSV, F_JSON, F_DOT };

struct counts {
	char	**rule;
	long	*n;
	size_t	 len;
};

static long
count_of(const struct counts *k, const char *rule)
{
	size_t i;

	for (i = 0; i < k->len; i++)
		if (strcmp(k->rule[i], rule) == 0)
			return k->n[i];
	return 0;
}

static void
read_incidents(struct pxr_cli *c, const char *path, struct counts *k)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in;
	struct pxr_rec rec;
	size_t fr, fi, i;
	char **seen = NULL;
	size_t nseen = 0, capseen = 0;

	in = pxr_cli_sidein(c, path, sch);
	pxr_rec_init(&rec, sch);
	fr = pxr_field_ref(sch, PXR_F_RULE);
	fi = pxr_field_ref(sch, PXR_F_INCIDENT_ID);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const struct pxr_val *rv, *iv;

		rv = pxr_rec_get(&rec, fr);
		iv = pxr_rec_get(&rec, fi);
		if (PXR_ISNULL(rv))
			continue;
		/* One incident may have several rows (messages): count once. */
		if (!PXR_ISNULL(iv)) {
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], iv->s) == 0)
					break;
			if (i < nseen)
				continue;
			if (nseen == capseen) {
				capseen = capseen == 0 ? 256 : capseen * 2;
				seen = pxr_reallocarray(seen, capseen,
				    sizeof(*seen));
			}
			seen[nseen++] = pxr_strndup(iv->s, iv->n);
		}
		for (i = 0; i < k->len; i++)
			if (strcmp(k->rule[i], rv->s) == 0)
				break;
		if (i == k->len) {
			k->rule = pxr_reallocarray(k->rule, k->len + 1,
			    sizeof(*k->rule));
			k->n = pxr_reallocarray(k->n, k->len + 1, sizeof(*k->n));
			k->rule[k->len] = pxr_strndup(rv->s, rv->n);
			k->n[k->len++] = 0;
		}
		k->n[i]++;
	}
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
}

static int
compensates(const struct pxr_rule *r)
{
	size_t i;

	for (i = 0; i < r->ncomp; i++)
		if (r->comp[i].kind != NULL && strcmp(r->comp[i].kind, "none"))
			return 1;
	return 0;
}

static const char *
coverage(const struct pxr_rules *R, const char *phase, size_t *nrules)
{
	size_t i;
	int notified = 0;

	*nrules = 0;
	for (i = 0; i < R->nrules; i++)
		if (R->rules[i].phase != NULL && strcmp(R->rules[i].phase,
		    phase) == 0) {
			(*nrules)++;
			notified |= R->rules[i].notify != NULL;
		}
	return notified ? "proactive" : *nrules > 0 ? "partial" : "none";
}

static void
dot_quote(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

#define FONT	"Helvetica,Arial,sans-serif"
#define ROW	5	/* phases a row of the map: a long journey wraps */

/*
 * The edge into phase p: along its row, or from the end of the row above
 * to the start of p's row, which sits under the start of the row above.
 */
static void
dot_link(size_t p)
{
	if (p == 0)
		return;
	if (p % ROW != 0) {
		printf("\tp%zu -> p%zu;\n\t{ rank=same; p%zu; p%zu; }\n",
		    p - 1, p, p - 1, p);
		return;
	}
	printf("\tp%zu -> p%zu [constraint=false];\n", p - 1, p);
	printf("\tp%zu -> p%zu [style=invis];\n", p - ROW, p);
}

/* The legend under the map: what each colour means; then the end. */
static void
dot_legend(size_t nphases)
{
	size_t last = nphases - 1 - (nphases - 1) % ROW;

	printf("\tsubgraph cluster_legend {\n\t\tlabel=\"coverage\";\n"
	    "\t\tfontsize=12;\n\t\tcolor=\"#bbbbbb\";\n"
	    "\t\tl0 [label=\"proactive: a rule tells the customer\", "
	    "fillcolor=\"#7fc97f\"];\n"
	    "\t\tl1 [label=\"partial: detected only\", "
	    "fillcolor=\"#fdc086\"];\n"
	    "\t\tl2 [label=\"none: no rule watches it\", "
	    "fillcolor=\"#e0e0e0\"];\n"
	    "\t\t{ rank=same; l0; l1; l2; }\n"
	    "\t\tl0 -> l1 -> l2 [style=invis];\n\t}\n");
	printf("\tp%zu -> l0 [style=invis];\n}\n", last);
}

int
main(int argc, char **argv)
{
	enum { O_INC = OPT_CMD, O_FORMAT };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "incidents", required_argument, NULL, O_INC },
		{ "format", required_argument, NULL, O_FORMAT },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_cli c;
	struct pxr_rules *R;
	struct counts k = { 0 };
	const char *incidents = NULL;
	size_t p, i, nproactive = 0, width = 5;
	int ch, fmt = F_TEXT;
	long maxn = 0;
	json_t *jphases = json_array();

	pxr_cli_init(&c, argv, "pxr-map", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_INC:
			/* Repeatable: every file's incidents count. */
			incidents = optarg;
			read_incidents(&c, optarg, &k);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0) fmt = F_TEXT;
			else if (strcmp(optarg, "csv") == 0) fmt = F_CSV;
			else if (strcmp(optarg, "json") == 0) fmt = F_JSON;
			else if (strcmp(optarg, "dot") == 0) fmt = F_DOT;
			else pxr_cli_usage(&c, "--format: expected text, csv, "
			    "json or dot, got '%s'", optarg);
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (optind < argc)
		pxr_cli_usage(&c, "unexpected argument '%s'", argv[optind]);
	R = pxr_cli_rules(&c);
	if (R->nphases == 0) {
		fprintf(stderr, "pxr-map: %s: no journey.phases to map\n",
		    c.rules);
		exit(PXR_EXIT_CONFIG);
	}
	for (p = 0; p < R->nphases; p++) {
		size_t nr;

		if (strcmp(coverage(R, R->phases[p].id, &nr), "proactive") == 0)
			nproactive++;
		if (strlen(R->phases[p].id) > width)
			width = strlen(R->phases[p].id);
	}
	if (fmt == F_TEXT)
		printf("journey: %s\n\n%-*s  %-9s  %9s  %s\n", R->journey !=
		    NULL ? R->journey : "(unnamed)", (int)width, "phase",
		    "coverage", "incidents", "rules (d detected, t tiered, "
		    "c compensated, n notified)");
	else if (fmt == F_CSV)
		printf("phase,name,coverage,incidents,rule,detected,tiered,"
		    "compensated,notified,rule_incidents\n");
	else if (fmt == F_DOT) {
		char title[512];

		snprintf(title, sizeof(title), "%s: proactively managed: %zu "
		    "of %zu phases", R->journey != NULL ? R->journey :
		    "journey", nproactive, R->nphases);
		/* One font for the title, the phases and the legend. */
		printf("digraph journey {\n\tgraph [label=");
		dot_quote(title);
		printf(", labelloc=t, fontname=\"%s\", fontsize=16, "
		    "nodesep=0.3, ranksep=0.45];\n\tnode [shape=box, "
		    "style=\"rounded,filled\", fontname=\"%s\", fontsize=12];"
		    "\n\tedge [fontname=\"%s\", color=\"#555555\"];\n", FONT,
		    FONT, FONT);
		for (i = 0; i < k.len; i++)
			if (k.n[i] > maxn)
				maxn = k.n[i];
	}
	for (p = 0; p < R->nphases; p++) {
		const struct pxr_phase *ph = &R->phases[p];
		size_t nr;
		const char *cov = coverage(R, ph->id, &nr);
		long total = 0;
		struct pxr_buf rules = { 0 };
		json_t *jr = json_array();

		for (i = 0; i < R->nrules; i++) {
			const struct pxr_rule *r = &R->rules[i];
			long n;

			if (r->phase == NULL || strcmp(r->phase, ph->id) != 0)
				continue;
			n = count_of(&k, r->id);
			total += n;
			if (rules.len > 0)
				pxr_buf_adds(&rules, ", ");
			pxr_buf_printf(&rules, "%s (d%s%s%s)", r->id,
			    r->ntiers > 0 || r->group != NULL ? "t" : "",
			    compensates(r) ? "c" : "", r->notify != NULL ? "n" :
			    "");
			json_array_append_new(jr, json_pack("{s:s,s:b,s:b,s:b,"
			    "s:b}", "id", r->id, "detected", 1, "tiered",
			    r->ntiers > 0 || r->group != NULL, "compensated",
			    compensates(r), "notified", r->notify != NULL));
			if (incidents != NULL)
				json_object_set_new(json_array_get(jr,
				    json_array_size(jr) - 1), "incidents",
				    json_integer(n));
		}
		switch (fmt) {
		case F_TEXT:
			if (incidents != NULL)
				printf("%-*s  %-9s  %9ld  %s\n", (int)width,
				    ph->id, cov, total, nr > 0 ? rules.p : "-");
			else
				printf("%-*s  %-9s  %9s  %s\n", (int)width,
				    ph->id, cov, "", nr > 0 ? rules.p : "-");
			break;
		case F_CSV: {
			struct pxr_buf row = { 0 };
			size_t j;
			json_t *x;

			/* One row per (phase, rule); a phase without rules too. */
			for (j = 0; j < (nr > 0 ? json_array_size(jr) : 1); j++) {
				x = json_array_get(jr, j);
				pxr_buf_reset(&row);
				pxr_csv_field(&row, ph->id, strlen(ph->id));
				pxr_buf_addc(&row, ',');
				pxr_csv_field(&row, ph->name != NULL ? ph->name :
				    ph->id, strlen(ph->name != NULL ? ph->name :
				    ph->id));
				pxr_buf_printf(&row, ",%s,", cov);
				if (incidents != NULL)
					pxr_buf_printf(&row, "%ld", total);
				if (x != NULL) {
					const char *id = json_string_value(
					    json_object_get(x, "id"));

					pxr_buf_addc(&row, ',');
					pxr_csv_field(&row, id, strlen(id));
					pxr_buf_printf(&row, ",true,%s,%s,%s,",
					    json_is_true(json_object_get(x,
					    "tiered")) ? "true" : "false",
					    json_is_true(json_object_get(x,
					    "compensated")) ? "true" : "false",
					    json_is_true(json_object_get(x,
					    "notified")) ? "true" : "false");
					if (incidents != NULL)
						pxr_buf_printf(&row, "%lld",
						    (long long)json_integer_value(
						    json_object_get(x,
						    "incidents")));
				} else
					pxr_buf_adds(&row, ",,,,,,");
				printf("%s\n", row.p);
			}
			pxr_buf_free(&row);
			break;
		}
		case F_JSON: {
			json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "id", ph->id,
			    "name", ph->name != NULL ? ph->name : ph->id,
			    "coverage", cov, "rules", jr);

			jr = NULL;
			if (incidents != NULL)
				json_object_set_new(o, "incidents",
				    json_integer(total));
			json_array_append_new(jphases, o);
			break;
		}
		case F_DOT: {
			double w = 1.2;

			if (maxn > 0)
				w += 1.8 * (double)total / (double)maxn;
			printf("\tp%zu [label=\"", p);
			for (const char *s = ph->name != NULL ? ph->name :
			    ph->id; *s != '\0'; s++) {
				if (*s == '"' || *s == '\\')
					putchar('\\');
				putchar(*s);
			}
			printf("\\n%s", cov);
			if (incidents != NULL)
				printf("\\n%ld incident%s", total, total == 1 ?
				    "" : "s");
			printf("\", fillcolor=\"%s\", width=%.2f];\n",
			    strcmp(cov, "proactive") == 0 ? "#7fc97f" :
			    strcmp(cov, "partial") == 0 ? "#fdc086" : "#e0e0e0",
			    w);
			dot_link(p);
			break;
		}
		}
		json_decref(jr);
		pxr_buf_free(&rules);
	}
	if (fmt == F_TEXT)
		printf("\nproactively managed: %zu of %zu phases\n", nproactive,
		    R->nphases);
	else if (fmt == F_JSON) {
		json_t *o = json_pack("{s:s,s:o,s:i,s:i,s:s}", "journey",
		    R->journey != NULL ? R->journey : "", "phases", jphases,
		    "proactive", (int)nproactive, "total", (int)R->nphases,
		    "headline", "");
		char h[128];

		jphases = NULL;
		snprintf(h, sizeof(h), "proactively managed: %zu of %zu phases",
		    nproactive, R->nphases);
		json_object_set_new(o, "headline", json_string(h));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else if (fmt == F_DOT)
		dot_legend(R->nphases);
	json_decref(jphases);
	pxr_cli_exit(&c, 0);
}
