/* journey.c: the journey's phases, how each is watched, and the map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hmap.h"
#include "journey.h"
#include "rules.h"
#include "stream.h"

struct pxr_journey {
	struct pxr_hmap seen;	/* incident ids counted */
	struct pxr_hmap rules;	/* rule -> count (a long in the arena) */
	struct pxr_arena mem;
	long	 maxn;		/* the largest count of a rule */
	int	 counted;	/* incidents were given */
};

struct pxr_journey *
pxr_journey_new(void)
{
	return pxr_calloc(1, sizeof(struct pxr_journey));
}

void
pxr_journey_free(struct pxr_journey *J)
{
	if (J == NULL)
		return;
	pxr_hmap_fini(&J->seen, NULL);
	pxr_hmap_fini(&J->rules, NULL);
	pxr_arena_free(&J->mem);
	free(J);
}

void
pxr_journey_counting(struct pxr_journey *J)
{
	J->counted = 1;
}

void
pxr_journey_count(struct pxr_journey *J, const char *rule, size_t rn,
    const char *id, size_t idn)
{
	void **slot;
	long *n;
	int added;

	J->counted = 1;
	if (id != NULL) {
		(void)pxr_hmap_put(&J->seen, id, idn, &added);
		if (!added)
			return;	/* one incident, several rows (messages) */
	}
	slot = pxr_hmap_put(&J->rules, rule, rn, NULL);
	if (*slot == NULL) {
		*slot = pxr_arena_alloc(&J->mem, sizeof(long));
		*(long *)*slot = 0;
	}
	n = *slot;
	if (++*n > J->maxn)
		J->maxn = *n;
}

static long
count_of(const struct pxr_journey *J, const char *rule)
{
	long *n = pxr_hmap_get(&J->rules, rule, strlen(rule));

	return n != NULL ? *n : 0;
}

int
pxr_journey_format(const char *name)
{
	static const char *const names[] = { "text", "csv", "json", "dot" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
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
dot_quote(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

#define FONT	"Helvetica,Arial,sans-serif"
#define ROW	5	/* phases a row of the map: a long journey wraps */

/*
 * The edge into phase p: along its row, or from the end of the row above
 * to the start of p's row, which sits under the start of the row above.
 */
static void
dot_link(FILE *fp, size_t p)
{
	if (p == 0)
		return;
	if (p % ROW != 0) {
		fprintf(fp, "\tp%zu -> p%zu;\n\t{ rank=same; p%zu; p%zu; }\n",
		    p - 1, p, p - 1, p);
		return;
	}
	fprintf(fp, "\tp%zu -> p%zu [constraint=false];\n", p - 1, p);
	fprintf(fp, "\tp%zu -> p%zu [style=invis];\n", p - ROW, p);
}

/* The legend under the map: what each colour means; then the end. */
static void
dot_legend(FILE *fp, size_t nphases)
{
	size_t last = nphases - 1 - (nphases - 1) % ROW;

	fprintf(fp, "\tsubgraph cluster_legend {\n\t\tlabel=\"coverage\";\n"
	    "\t\tfontsize=12;\n\t\tcolor=\"#bbbbbb\";\n"
	    "\t\tl0 [label=\"proactive: a rule tells the customer\", "
	    "fillcolor=\"#7fc97f\"];\n"
	    "\t\tl1 [label=\"partial: detected only\", "
	    "fillcolor=\"#fdc086\"];\n"
	    "\t\tl2 [label=\"none: no rule watches it\", "
	    "fillcolor=\"#e0e0e0\"];\n"
	    "\t\t{ rank=same; l0; l1; l2; }\n"
	    "\t\tl0 -> l1 -> l2 [style=invis];\n\t}\n");
	fprintf(fp, "\tp%zu -> l0 [style=invis];\n}\n", last);
}

int
pxr_journey_write(const struct pxr_journey *J, const struct pxr_rules *R,
    int fmt, FILE *fp, struct pxr_error *err)
{
	size_t p, i, nproactive = 0, width = 5;
	long maxn = 0;
	json_t *jphases = json_array();

	if (R->nphases == 0) {
		json_decref(jphases);
		return pxr_error_set(err, PXR_EXIT_CONFIG, "no journey.phases "
		    "to map");
	}
	for (p = 0; p < R->nphases; p++) {
		size_t nr;

		if (strcmp(coverage(R, R->phases[p].id, &nr), "proactive") == 0)
			nproactive++;
		if (strlen(R->phases[p].id) > width)
			width = strlen(R->phases[p].id);
	}
	if (fmt == PXR_JOURNEY_TEXT)
		fprintf(fp, "journey: %s\n\n%-*s  %-9s  %9s  %s\n", R->journey !=
		    NULL ? R->journey : "(unnamed)", (int)width, "phase",
		    "coverage", "incidents", "rules (d detected, t tiered, "
		    "c compensated, n notified)");
	else if (fmt == PXR_JOURNEY_CSV)
		fprintf(fp, "phase,name,coverage,incidents,rule,detected,tiered,"
		    "compensated,notified,rule_incidents\n");
	else if (fmt == PXR_JOURNEY_DOT) {
		char title[512];

		snprintf(title, sizeof(title), "%s: proactively managed: %zu "
		    "of %zu phases", R->journey != NULL ? R->journey :
		    "journey", nproactive, R->nphases);
		/* One font for the title, the phases and the legend. */
		fprintf(fp, "digraph journey {\n\tgraph [label=");
		dot_quote(fp, title);
		fprintf(fp, ", labelloc=t, fontname=\"%s\", fontsize=16, "
		    "nodesep=0.3, ranksep=0.45];\n\tnode [shape=box, "
		    "style=\"rounded,filled\", fontname=\"%s\", fontsize=12];"
		    "\n\tedge [fontname=\"%s\", color=\"#555555\"];\n", FONT,
		    FONT, FONT);
		maxn = J->maxn;
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
			n = count_of(J, r->id);
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
			if (J->counted)
				json_object_set_new(json_array_get(jr,
				    json_array_size(jr) - 1), "incidents",
				    json_integer(n));
		}
		switch (fmt) {
		case PXR_JOURNEY_TEXT:
			if (J->counted)
				fprintf(fp, "%-*s  %-9s  %9ld  %s\n", (int)width,
				    ph->id, cov, total, nr > 0 ? rules.p : "-");
			else
				fprintf(fp, "%-*s  %-9s  %9s  %s\n", (int)width,
				    ph->id, cov, "", nr > 0 ? rules.p : "-");
			break;
		case PXR_JOURNEY_CSV: {
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
				if (J->counted)
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
					if (J->counted)
						pxr_buf_printf(&row, "%lld",
						    (long long)json_integer_value(
						    json_object_get(x,
						    "incidents")));
				} else
					pxr_buf_adds(&row, ",,,,,,");
				fprintf(fp, "%s\n", row.p);
			}
			pxr_buf_free(&row);
			break;
		}
		case PXR_JOURNEY_JSON: {
			json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "id", ph->id,
			    "name", ph->name != NULL ? ph->name : ph->id,
			    "coverage", cov, "rules", jr);

			jr = NULL;
			if (J->counted)
				json_object_set_new(o, "incidents",
				    json_integer(total));
			json_array_append_new(jphases, o);
			break;
		}
		case PXR_JOURNEY_DOT: {
			double w = 1.2;

			if (maxn > 0)
				w += 1.8 * (double)total / (double)maxn;
			fprintf(fp, "\tp%zu [label=\"", p);
			for (const char *s = ph->name != NULL ? ph->name :
			    ph->id; *s != '\0'; s++) {
				if (*s == '"' || *s == '\\')
					fputc('\\', fp);
				fputc(*s, fp);
			}
			fprintf(fp, "\\n%s", cov);
			if (J->counted)
				fprintf(fp, "\\n%ld incident%s", total, total == 1 ?
				    "" : "s");
			fprintf(fp, "\", fillcolor=\"%s\", width=%.2f];\n",
			    strcmp(cov, "proactive") == 0 ? "#7fc97f" :
			    strcmp(cov, "partial") == 0 ? "#fdc086" : "#e0e0e0",
			    w);
			dot_link(fp, p);
			break;
		}
		}
		json_decref(jr);
		pxr_buf_free(&rules);
	}
	if (fmt == PXR_JOURNEY_TEXT)
		fprintf(fp, "\nproactively managed: %zu of %zu phases\n", nproactive,
		    R->nphases);
	else if (fmt == PXR_JOURNEY_JSON) {
		json_t *o = json_pack("{s:s,s:o,s:i,s:i,s:s}", "journey",
		    R->journey != NULL ? R->journey : "", "phases", jphases,
		    "proactive", (int)nproactive, "total", (int)R->nphases,
		    "headline", "");
		char h[128];

		jphases = NULL;
		snprintf(h, sizeof(h), "proactively managed: %zu of %zu phases",
		    nproactive, R->nphases);
		json_object_set_new(o, "headline", json_string(h));
		json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
		json_decref(o);
	} else if (fmt == PXR_JOURNEY_DOT)
		dot_legend(fp, R->nphases);
	json_decref(jphases);
	if (ferror(fp))
		return pxr_error_set(err, PXR_EXIT_IOERR, "the map cannot be "
		    "written");
	return 0;
}
