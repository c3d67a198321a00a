/* journey.c: the journey's phases, how each is watched, and the map. */
#include <stddef.h>
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
	struct pxr_hmap custs;	/* "rule\x1fcustomer" of every incident */
	struct pxr_arena mem;
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
	pxr_hmap_fini(&J->custs, NULL);
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
    const char *id, size_t idn, const char *cust, size_t cn)
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
	if (cust != NULL && cn > 0 && memchr(rule, 0x1f, rn) == NULL) {
		struct pxr_buf k = { 0 };

		pxr_buf_add(&k, rule, rn);
		pxr_buf_addc(&k, 0x1f);
		pxr_buf_add(&k, cust, cn);
		slot = pxr_hmap_put(&J->custs, k.p, k.len, NULL);
		*slot = J;	/* present */
		pxr_buf_free(&k);
	}
	slot = pxr_hmap_put(&J->rules, rule, rn, NULL);
	if (*slot == NULL) {
		*slot = pxr_arena_alloc(&J->mem, sizeof(long));
		*(long *)*slot = 0;
	}
	n = *slot;
	++*n;
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

/* What one phase has now: its incidents, customers and rank (0: none). */
struct phstat {
	long	 incidents;
	long	 customers;
	size_t	 rank;
};

static size_t
phase_index(const struct pxr_rules *R, const char *id)
{
	size_t p;

	for (p = 0; p < R->nphases; p++)
		if (R->phases[p].id != NULL && strcmp(R->phases[p].id, id) == 0)
			return p;
	return (size_t)-1;
}

/*
 * Each phase's incidents, its customers (each once a phase, over all its
 * rules), and its rank: most incidents first, then most customers, then
 * the journey's order; phases without incidents are not ranked.
 */
static void
phase_stats(const struct pxr_journey *J, const struct pxr_rules *R,
    struct phstat *st)
{
	struct pxr_hmap once = { 0 };
	const struct pxr_hent *e;
	struct pxr_buf k = { 0 };
	size_t p, q, i = 0;

	for (p = 0; p < R->nrules; p++)
		if (R->rules[p].phase != NULL && (q = phase_index(R,
		    R->rules[p].phase)) != (size_t)-1)
			st[q].incidents += count_of(J, R->rules[p].id);
	while (pxr_hmap_next(&J->custs, &i, &e)) {
		const char *sep = memchr(e->key, 0x1f, e->klen);
		const struct pxr_rule *r;
		int added;

		pxr_buf_reset(&k);
		pxr_buf_add(&k, e->key, (size_t)(sep - e->key));
		if ((r = pxr_rules_find(R, k.p)) == NULL || r->phase == NULL ||
		    (q = phase_index(R, r->phase)) == (size_t)-1)
			continue;
		pxr_buf_reset(&k);
		pxr_buf_printf(&k, "%zu\x1f", q);
		pxr_buf_add(&k, sep + 1, e->klen - (size_t)(sep + 1 - e->key));
		(void)pxr_hmap_put(&once, k.p, k.len, &added);
		if (added)
			st[q].customers++;
	}
	pxr_buf_free(&k);
	pxr_hmap_fini(&once, NULL);
	for (p = 0; p < R->nphases; p++) {
		if (st[p].incidents == 0)
			continue;
		st[p].rank = 1;
		for (q = 0; q < R->nphases; q++)
			if (st[q].incidents > st[p].incidents ||
			    (st[q].incidents == st[p].incidents &&
			    (st[q].customers > st[p].customers ||
			    (st[q].customers == st[p].customers && q < p))))
				st[p].rank++;
	}
}

/*
 * The strategies (1 << PXR_STRAT_* each) the compensation entries of the
 * rules watching phase ph name in when_strategy.
 */
static int
strategies(const struct pxr_rules *R, const struct pxr_phase *ph)
{
	size_t i, j;
	int m = 0;

	for (i = 0; i < R->nrules; i++)
		if (R->rules[i].phase != NULL && ph->id != NULL &&
		    strcmp(R->rules[i].phase, ph->id) == 0)
			for (j = 0; j < R->rules[i].ncomp; j++)
				m |= R->rules[i].comp[j].strategies;
	return m;
}

/* The strategies of mask m by name, joined by sep, into b. */
static void
join_strategies(struct pxr_buf *b, int m, const char *sep)
{
	int k, n = 0;

	for (k = 0; k < PXR_NSTRAT; k++)
		if (m & (1 << k)) {
			if (n++ > 0)
				pxr_buf_adds(b, sep);
			pxr_buf_adds(b, pxr_strategy_names[k]);
		}
	if (b->p == NULL)
		pxr_buf_adds(b, "");
}

/* Whether the map says more of phase ph than its id and name. */
static int
described(const struct pxr_rules *R, const struct pxr_phase *ph)
{
	return strategies(R, ph) != 0 ||
	    ph->description != NULL || ph->owner != NULL ||
	    ph->rational.n > 0 || ph->emotional.n > 0 || ph->choice.n > 0 ||
	    ph->recommendation.n > 0 || ph->touchpoints.n > 0 ||
	    ph->risks.n > 0;
}

/* The list l joined by "; " into b (after what b holds). */
static void
join_list(struct pxr_buf *b, const struct pxr_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			pxr_buf_adds(b, "; ");
		pxr_buf_adds(b, l->v[i]);
	}
	if (b->p == NULL)
		pxr_buf_adds(b, "");
}

/* The map's rows of a phase's members, as labelled in text and CSV. */
static const struct {
	const char *label;	/* text */
	const char *column;	/* CSV, JSON */
	size_t	 off;
} lists[] = {
	{ "rational needs", "needs_rational",
	    offsetof(struct pxr_phase, rational) },
	{ "emotional needs", "needs_emotional",
	    offsetof(struct pxr_phase, emotional) },
	{ "chosen for", "motivation_choice",
	    offsetof(struct pxr_phase, choice) },
	{ "recommended for", "motivation_recommendation",
	    offsetof(struct pxr_phase, recommendation) },
	{ "touchpoints", "touchpoints",
	    offsetof(struct pxr_phase, touchpoints) },
	{ "risks", "risks", offsetof(struct pxr_phase, risks) }
};
#define NLISTS	(sizeof(lists) / sizeof(lists[0]))
#define LIST(ph, i) \
	((const struct pxr_strlist *)((const char *)(ph) + lists[i].off))

/* A described phase in text: its heading, then one labelled line a member. */
static void
text_phase(FILE *fp, const struct pxr_rules *R, const struct pxr_phase *ph)
{
	struct pxr_buf b = { 0 };
	size_t i;

	fprintf(fp, "\n%s (%s)\n", ph->id, ph->name != NULL ? ph->name :
	    ph->id);
	if (ph->description != NULL)
		fprintf(fp, "  %-16s %s\n", "description", ph->description);
	if (ph->owner != NULL)
		fprintf(fp, "  %-16s %s\n", "owner", ph->owner);
	for (i = 0; i < NLISTS; i++) {
		if (LIST(ph, i)->n == 0)
			continue;
		pxr_buf_reset(&b);
		join_list(&b, LIST(ph, i));
		fprintf(fp, "  %-16s %s\n", lists[i].label, b.p);
	}
	if (strategies(R, ph) != 0) {
		pxr_buf_reset(&b);
		join_strategies(&b, strategies(R, ph), ", ");
		fprintf(fp, "  %-16s %s\n", "strategies", b.p);
	}
	pxr_buf_free(&b);
}

/* Where problems arise now: the ranked phases, in text. */
static void
text_ranking(FILE *fp, const struct pxr_rules *R, const struct phstat *st,
    int width)
{
	size_t r, p, n = 0;

	for (p = 0; p < R->nphases; p++)
		n += st[p].rank > 0;
	fprintf(fp, "\nwhere problems arise now:%s\n", n == 0 ?
	    " no incidents" : "");
	if (n > 0)
		fprintf(fp, "%4s  %-*s  %9s  %9s\n", "rank", width, "phase",
		    "incidents", "customers");
	for (r = 1; r <= n; r++)
		for (p = 0; p < R->nphases; p++)
			if (st[p].rank == r)
				fprintf(fp, "%4zu  %-*s  %9ld  %9ld\n", r, width,
				    R->phases[p].id, st[p].incidents,
				    st[p].customers);
}

/* The list l as a JSON array (new). */
static json_t *
json_list(const struct pxr_strlist *l)
{
	json_t *a = json_array();
	size_t j;

	for (j = 0; j < l->n; j++)
		json_array_append_new(a, json_string(l->v[j]));
	return a;
}

/* Set o.k to the list l, if it has any (a member of pxr-rules(5)). */
static void
json_set_list(json_t *o, const char *k, const struct pxr_strlist *l)
{
	if (l->n > 0)
		json_object_set_new(o, k, json_list(l));
}

/* A phase's members in JSON, into o (those it has), as in the rule file. */
static void
json_phase(json_t *o, const struct pxr_rules *R, const struct pxr_phase *ph)
{
	json_t *needs = json_object(), *mot = json_object();

	if (ph->description != NULL)
		json_object_set_new(o, "description",
		    json_string(ph->description));
	if (ph->owner != NULL)
		json_object_set_new(o, "owner", json_string(ph->owner));
	json_set_list(needs, "rational", &ph->rational);
	json_set_list(needs, "emotional", &ph->emotional);
	json_set_list(mot, "choice", &ph->choice);
	json_set_list(mot, "recommendation", &ph->recommendation);
	if (json_object_size(needs) > 0)
		json_object_set(o, "needs", needs);
	if (json_object_size(mot) > 0)
		json_object_set(o, "motivation", mot);
	json_decref(needs);
	json_decref(mot);
	json_set_list(o, "touchpoints", &ph->touchpoints);
	json_set_list(o, "risks", &ph->risks);
	if (strategies(R, ph) != 0) {
		json_t *a = json_array();
		int k;

		for (k = 0; k < PXR_NSTRAT; k++)
			if (strategies(R, ph) & (1 << k))
				json_array_append_new(a,
				    json_string(pxr_strategy_names[k]));
		json_object_set_new(o, "strategies", a);
	}
}

/* The heat of a phase's incidents against the most of any phase. */
static const char *const heat[] = {
	"#ffffff", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26"
};

static const char *
heat_of(long n, long maxn)
{
	if (n <= 0 || maxn <= 0)
		return heat[0];
	return heat[1 + (size_t)((n * 4 - 1) / maxn)];
}

static const char *
cov_colour(const char *cov)
{
	return strcmp(cov, "proactive") == 0 ? "#7fc97f" :
	    strcmp(cov, "partial") == 0 ? "#fdc086" : "#e0e0e0";
}

/* s into a DOT string (without its quotes). */
static void
dot_text(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

#define WRAP	18	/* characters a line of a phase's box, at most */

/* s into a DOT label, broken into lines of at most WRAP characters. */
static void
dot_wrapped(FILE *fp, const char *s)
{
	size_t col = 0, len, chars, k;

	while (*s == ' ')
		s++;
	while (*s != '\0') {
		for (len = chars = 0; s[len] != '\0' && s[len] != ' '; len++)
			chars += ((unsigned char)s[len] & 0xc0) != 0x80;
		if (col > 0 && col + 1 + chars > WRAP) {
			fputs("\\n", fp);
			col = 0;
		} else if (col > 0) {
			fputc(' ', fp);
			col++;
		}
		for (k = 0; k < len; k++) {
			if (s[k] == '"' || s[k] == '\\')
				fputc('\\', fp);
			fputc(s[k], fp);
		}
		col += chars;
		for (s += len; *s == ' '; s++)
			;
	}
}

/* A new line of a box: label then text, wrapped (b is scratch). */
static void
dot_line(FILE *fp, struct pxr_buf *b, const char *label, const char *text)
{
	pxr_buf_reset(b);
	pxr_buf_adds(b, label);
	pxr_buf_adds(b, text);
	fputs("\\n", fp);
	dot_wrapped(fp, b->p);
}

/* The legend under the map: what each colour means; then the end. */
static void
dot_legend(FILE *fp, size_t nphases, int counted)
{
	size_t last = nphases - 1 - (nphases - 1) % ROW;

	fprintf(fp, "\tsubgraph cluster_legend {\n\t\tlabel=\"coverage%s\";\n"
	    "\t\tfontsize=12;\n\t\tcolor=\"#bbbbbb\";\n"
	    "\t\tl0 [label=\"proactive: a rule tells the customer\", "
	    "%s=\"#7fc97f\"%s];\n"
	    "\t\tl1 [label=\"partial: detected only\", "
	    "%s=\"#fdc086\"%s];\n"
	    "\t\tl2 [label=\"none: no rule watches it\", "
	    "%s=\"#e0e0e0\"%s];\n"
	    "\t\t{ rank=same; l0; l1; l2; }\n"
	    "\t\tl0 -> l1 -> l2 [style=invis];\n", counted ? " (the border); "
	    "where problems arise now (the fill: incidents)" : "",
	    counted ? "color" : "fillcolor", counted ? ", penwidth=3, "
	    "fillcolor=\"#ffffff\"" : "", counted ? "color" : "fillcolor",
	    counted ? ", penwidth=3, fillcolor=\"#ffffff\"" : "",
	    counted ? "color" : "fillcolor", counted ? ", penwidth=3, "
	    "fillcolor=\"#ffffff\"" : "");
	if (counted)
		fprintf(fp, "\t\tl3 [label=\"fewest incidents\", "
		    "fillcolor=\"%s\"];\n\t\tl4 [label=\"most incidents\", "
		    "fillcolor=\"%s\"];\n\t\t{ rank=same; l3; l4; }\n"
		    "\t\tl0 -> l3 [style=invis];\n\t\tl3 -> l4 "
		    "[style=invis];\n", heat[1], heat[4]);
	fprintf(fp, "\t}\n\tp%zu -> l0 [style=invis];\n}\n", last);
}

/* A phase as a DOT node: name, coverage, owner, needs, incidents. */
static void
dot_phase(FILE *fp, const struct pxr_journey *J, const struct pxr_rules *R,
    const struct pxr_phase *ph, size_t p, const char *cov,
    const struct phstat *st, long maxn)
{
	struct pxr_buf b = { 0 };
	double w = 1.2;

	if (maxn > 0)
		w += 1.8 * (double)st->incidents / (double)maxn;
	fprintf(fp, "\tp%zu [label=\"", p);
	dot_text(fp, ph->name != NULL ? ph->name : ph->id);
	fprintf(fp, "\\n%s", cov);
	if (ph->owner != NULL)
		dot_line(fp, &b, "owner: ", ph->owner);
	if (ph->rational.n > 0 || ph->emotional.n > 0) {
		struct pxr_buf n = { 0 };

		join_list(&n, &ph->rational);
		if (ph->rational.n > 0 && ph->emotional.n > 0)
			pxr_buf_adds(&n, "; ");
		join_list(&n, &ph->emotional);
		dot_line(fp, &b, "needs: ", n.p);
		pxr_buf_free(&n);
	}
	if (strategies(R, ph) != 0) {
		struct pxr_buf n = { 0 };

		join_strategies(&n, strategies(R, ph), ", ");
		dot_line(fp, &b, "strategies: ", n.p);
		pxr_buf_free(&n);
	}
	pxr_buf_free(&b);
	if (J->counted) {
		fprintf(fp, "\\n%ld incident%s", st->incidents,
		    st->incidents == 1 ? "" : "s");
		if (st->customers > 0)
			fprintf(fp, ", %ld customer%s", st->customers,
			    st->customers == 1 ? "" : "s");
		if (st->rank > 0)
			fprintf(fp, " (#%zu)", st->rank);
		fprintf(fp, "\", color=\"%s\", penwidth=3, fillcolor=\"%s\"",
		    cov_colour(cov), heat_of(st->incidents, maxn));
	} else
		fprintf(fp, "\", fillcolor=\"%s\"", cov_colour(cov));
	if (ph->description != NULL) {
		fprintf(fp, ", tooltip=\"");
		dot_text(fp, ph->description);
		fputc('"', fp);
	}
	fprintf(fp, ", width=%.2f];\n", w);
	dot_link(fp, p);
}

/* A phase's CSV columns after the rule's: its description and members. */
static void
csv_phase(struct pxr_buf *row, const struct pxr_rules *R,
    const struct pxr_phase *ph)
{
	struct pxr_buf b = { 0 };
	size_t i;

	pxr_buf_addc(row, ',');
	if (ph->description != NULL)
		pxr_csv_field(row, ph->description, strlen(ph->description));
	pxr_buf_addc(row, ',');
	if (ph->owner != NULL)
		pxr_csv_field(row, ph->owner, strlen(ph->owner));
	for (i = 0; i < NLISTS; i++) {
		pxr_buf_addc(row, ',');
		pxr_buf_reset(&b);
		join_list(&b, LIST(ph, i));
		pxr_csv_field(row, b.p, b.len);
	}
	pxr_buf_reset(&b);
	join_strategies(&b, strategies(R, ph), "; ");
	pxr_buf_addc(row, ',');
	pxr_csv_field(row, b.p, b.len);
	pxr_buf_free(&b);
}

int
pxr_journey_write(const struct pxr_journey *J, const struct pxr_rules *R,
    int fmt, FILE *fp, struct pxr_error *err)
{
	size_t p, i, nproactive = 0, width = 5, ndesc = 0;
	long maxn = 0;
	json_t *jphases = json_array();
	struct phstat *st;

	if (R->nphases == 0) {
		json_decref(jphases);
		return pxr_error_set(err, PXR_EXIT_CONFIG, "no journey.phases "
		    "to map");
	}
	st = pxr_calloc(R->nphases, sizeof(*st));
	phase_stats(J, R, st);
	for (p = 0; p < R->nphases; p++) {
		size_t nr;

		if (strcmp(coverage(R, R->phases[p].id, &nr), "proactive") == 0)
			nproactive++;
		if (strlen(R->phases[p].id) > width)
			width = strlen(R->phases[p].id);
		if (st[p].incidents > maxn)
			maxn = st[p].incidents;
		ndesc += described(R, &R->phases[p]);
	}
	if (fmt == PXR_JOURNEY_TEXT)
		fprintf(fp, "journey: %s\n\n%-*s  %-9s  %9s  %s\n", R->journey !=
		    NULL ? R->journey : "(unnamed)", (int)width, "phase",
		    "coverage", "incidents", "rules (d detected, t tiered, "
		    "c compensated, n notified)");
	else if (fmt == PXR_JOURNEY_CSV) {
		fprintf(fp, "phase,name,coverage,incidents,rule,detected,tiered,"
		    "compensated,notified,rule_incidents");
		if (J->counted)
			fprintf(fp, ",customers,rank");
		if (ndesc > 0) {
			fprintf(fp, ",description,owner");
			for (i = 0; i < NLISTS; i++)
				fprintf(fp, ",%s", lists[i].column);
			fprintf(fp, ",strategies");
		}
		fputc('\n', fp);
	} else if (fmt == PXR_JOURNEY_DOT) {
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
	}
	for (p = 0; p < R->nphases; p++) {
		const struct pxr_phase *ph = &R->phases[p];
		size_t nr;
		const char *cov = coverage(R, ph->id, &nr);
		long total = st[p].incidents;
		struct pxr_buf rules = { 0 };
		json_t *jr = json_array();

		for (i = 0; i < R->nrules; i++) {
			const struct pxr_rule *r = &R->rules[i];
			long n;

			if (r->phase == NULL || strcmp(r->phase, ph->id) != 0)
				continue;
			n = count_of(J, r->id);
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
				if (J->counted) {
					pxr_buf_printf(&row, ",%ld,", st[p].customers);
					if (st[p].rank > 0)
						pxr_buf_printf(&row, "%zu",
						    st[p].rank);
				}
				if (ndesc > 0)
					csv_phase(&row, R, ph);
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
			json_phase(o, R, ph);
			if (J->counted) {
				json_object_set_new(o, "incidents",
				    json_integer(total));
				json_object_set_new(o, "customers",
				    json_integer(st[p].customers));
				json_object_set_new(o, "rank", st[p].rank > 0 ?
				    json_integer((json_int_t)st[p].rank) :
				    json_null());
			}
			json_array_append_new(jphases, o);
			break;
		}
		case PXR_JOURNEY_DOT:
			dot_phase(fp, J, R, ph, p, cov, &st[p], maxn);
			break;
		}
		json_decref(jr);
		pxr_buf_free(&rules);
	}
	if (fmt == PXR_JOURNEY_TEXT) {
		for (p = 0; p < R->nphases; p++)
			if (described(R, &R->phases[p]))
				text_phase(fp, R, &R->phases[p]);
		if (J->counted)
			text_ranking(fp, R, st, (int)width);
		fprintf(fp, "\nproactively managed: %zu of %zu phases\n", nproactive,
		    R->nphases);
	} else if (fmt == PXR_JOURNEY_JSON) {
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
		dot_legend(fp, R->nphases, J->counted);
	json_decref(jphases);
	free(st);
	if (ferror(fp))
		return pxr_error_set(err, PXR_EXIT_IOERR, "the map cannot be "
		    "written");
	return 0;
}
