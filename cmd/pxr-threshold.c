/* pxr-threshold: tier incidents, drop the ones that do not matter, group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-threshold -r RULES [--keep-untiered] [options] [INPUT ...]\n";

static const char help[] =
"Give each incident (from pxr-detect) the first tier of its rule whose\n"
"bounds hold its measure: fields tier and tier_rank.  Incidents that match\n"
"no tier are dropped; incidents of a rule with 'group' become one per\n"
"group and window (measure: the aggregate, plus group_count); incidents\n"
"inhibited by another rule's incident for the same customer are dropped.\n"
"\n"
"      --keep-untiered  keep incidents that match no tier (empty tier)\n"
"\n"
"example:\n"
"  pxr-detect -r plays.json < events.csv | pxr-threshold -r plays.json\n";

struct held {
	struct pxr_packed *p;
	struct pxr_rule *rule;
	struct group *g;	/* its group, for a grouped rule */
	int	 first;		/* it stands for its group */
};

struct group {
	char	*id;		/* the group's incident id */
	struct group *next;	/* hash chain */
	size_t	 count;
	struct pxr_value agg;
	size_t	 rep;		/* held index of the representative */
	int64_t	 rep_at;
};

struct thr {
	struct pxr_rules *R;
	int	 keep;
	int	 hold;		/* some rule groups or inhibits */
	size_t	 f_rule, f_measure, f_id, f_cust, f_at, f_tier, f_rank,
		 f_count;
	struct held *held;
	size_t	 nheld, caph;
	struct group **tab;
	size_t	 ntab;
	struct pxr_buf tmp;
	struct pxr_arena scratch;
};

static struct thr T;

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	size_t i;

	(void)c;
	pxr_rules_bind(T.R, sch);
	T.f_rule = pxr_schema_ref(sch, "rule", 4);
	T.f_measure = pxr_schema_ref(sch, "measure", 7);
	T.f_id = pxr_schema_ref(sch, "incident_id", 11);
	T.f_cust = pxr_schema_ref(sch, "customer_id", 11);
	T.f_at = pxr_schema_ref(sch, "event_at", 8);
	T.f_tier = pxr_schema_add(sch, "tier", 4);
	T.f_rank = pxr_schema_add(sch, "tier_rank", 9);
	for (i = 0; i < T.R->nrules; i++)
		if (T.R->rules[i].group != NULL) {
			T.f_count = pxr_schema_add(sch, "group_count", 11);
			break;
		}
	return 0;
}

static double
dbl(const struct pxr_value *v)
{
	return v->t == PXR_V_INT ? (double)v->i : v->d;
}

/* -1, 0, 1 as a < b. */
static int
numcmp(const struct pxr_value *a, const struct pxr_value *b)
{
	if (a->t == PXR_V_INT && b->t == PXR_V_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	return dbl(a) < dbl(b) ? -1 : dbl(a) > dbl(b);
}

/* The 1-based rank of the first tier holding m, or 0. */
static size_t
tier_of(const struct pxr_rule *r, const struct pxr_value *m)
{
	size_t i;

	if (r->ntiers == 0)
		return 1;
	for (i = 0; i < r->ntiers; i++) {
		const struct pxr_tier *t = &r->tiers[i];
		int c;

		if (t->has_lo) {
			c = numcmp(m, &t->lo);
			if (c < 0 || (c == 0 && !t->lo_incl))
				continue;
		}
		if (t->has_hi) {
			c = numcmp(m, &t->hi);
			if (c > 0 || (c == 0 && !t->hi_incl))
				continue;
		}
		return i + 1;
	}
	return 0;
}

static int
measure_of(struct pxr_cli *c, const struct pxr_rec *rec, struct pxr_value *m)
{
	const struct pxr_val *v = pxr_rec_get(rec, T.f_measure);

	memset(m, 0, sizeof(*m));
	if (PXR_ISNULL(v))
		return 0;
	if (!pxr_number_parse(v->s, v->n, m))
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "column "
		    "'measure': not a number: \"%.*s\"", (int)(v->n > 40 ? 40 :
		    v->n), v->s);
	return 0;
}

/* Set tier and tier_rank; 1 to keep the record, 0 to drop it. */
static int
set_tier(struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_value *m)
{
	size_t k = m->t == PXR_V_NULL ? 0 : tier_of(r, m);

	if (k == 0) {
		if (!T.keep)
			return 0;
		pxr_rec_setnull(rec, T.f_tier);
		pxr_rec_setnull(rec, T.f_rank);
		return 1;
	}
	if (r->ntiers == 0)
		pxr_rec_setref(rec, T.f_tier, PXR_STR, "default", 7);
	else
		pxr_rec_setref(rec, T.f_tier, PXR_STR, r->tiers[k - 1].name,
		    strlen(r->tiers[k - 1].name));
	pxr_rec_setf(rec, T.f_rank, PXR_NUM, "%zu", k);
	return 1;
}

/* The start of the aligned window holding t, as text. */
static void
window_start(struct pxr_buf *b, int win, int64_t t)
{
	int64_t day = t >= 0 ? t / PXR_US_DAY : -((-t + PXR_US_DAY - 1) /
	    PXR_US_DAY);
	struct pxr_civil cv;

	switch (win) {
	case PXR_WIN_7D:
		/* Weeks from Monday: 1970-01-05 was one. */
		day -= ((day - 4) % 7 + 7) % 7;
		break;
	case PXR_WIN_30D:
		day -= (day % 30 + 30) % 30;
		break;
	case PXR_WIN_MONTH:
		pxr_time_civil(t, T.R->tz, &cv);
		pxr_buf_printf(b, "%04d-%02d-01", cv.year, cv.month);
		return;
	default:
		break;
	}
	pxr_date_format(b, day * PXR_US_DAY, NULL);
}

static struct group *
group_get(const char *id)
{
	struct group **slot, *g;

	if (T.ntab == 0) {
		T.ntab = 4096;
		T.tab = pxr_calloc(T.ntab, sizeof(*T.tab));
	}
	slot = &T.tab[pxr_hash(id, strlen(id)) & (T.ntab - 1)];
	for (g = *slot; g != NULL; g = g->next)
		if (strcmp(g->id, id) == 0)
			return g;
	g = pxr_calloc(1, sizeof(*g));
	g->id = pxr_strdup(id);
	g->next = *slot;
	*slot = g;
	return g;
}

static int
agg_add(struct pxr_cli *c, struct group *g, int how, const struct pxr_value *m)
{
	g->count++;
	if (how == PXR_AGG_COUNT || m->t == PXR_V_NULL)
		return 0;
	if (g->agg.t == PXR_V_NULL) {
		g->agg = *m;
		return 0;
	}
	if (how == PXR_AGG_MAX) {
		if (numcmp(m, &g->agg) > 0)
			g->agg = *m;
		return 0;
	}
	if (g->agg.t == PXR_V_INT && m->t == PXR_V_INT) {
		if (__builtin_add_overflow(g->agg.i, m->i, &g->agg.i))
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
			    "integer overflow in the sum of group %s", g->id);
		return 0;
	}
	g->agg.d = dbl(&g->agg) + dbl(m);
	g->agg.t = PXR_V_DBL;
	return 0;
}

/* Hold an incident; for a grouped rule, count it into its group. */
static int
hold(struct pxr_cli *c, struct pxr_rec *rec, struct pxr_rule *r)
{
	struct held *h;
	struct pxr_value m;
	struct group *g = NULL;
	int64_t at = 0;

	if (measure_of(c, rec, &m) < 0)
		return -1;
	if (r->group != NULL) {
		struct pxr_env env;
		struct pxr_value v;
		const struct pxr_val *av = pxr_rec_get(rec, T.f_at);
		struct pxr_error e;
		size_t i;

		if (PXR_ISNULL(av) || pxr_time_parse(av->s, av->n, T.R->tz, &at,
		    NULL, &e) < 0)
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule "
			    "%s: group: column 'event_at': not a time", r->id);
		pxr_arena_reset(&T.scratch);
		env.now = 0;
		env.tz = T.R->tz;
		env.rec = rec;
		env.arena = &T.scratch;
		pxr_buf_reset(&T.tmp);
		pxr_id_part(&T.tmp, r->id, strlen(r->id));
		for (i = 0; i < r->group->nby; i++) {
			struct pxr_buf t = { 0 };

			if (pxr_expr_eval(r->group->by[i], &env, &v,
			    &c->err) < 0) {
				char text[sizeof(c->err.text)];

				snprintf(text, sizeof(text), "%s", c->err.text);
				return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "rule %s: group.by: %s", r->id, text);
			}
			pxr_value_text(&v, T.R->tz, &t);
			pxr_buf_addc(&T.tmp, ':');
			pxr_id_part(&T.tmp, t.p != NULL ? t.p : "", t.len);
			pxr_buf_free(&t);
		}
		pxr_buf_addc(&T.tmp, ':');
		window_start(&T.tmp, r->group->window, at);
		g = group_get(T.tmp.p);
		if (agg_add(c, g, r->group->aggregate, &m) < 0)
			return -1;
	}
	if (T.nheld == T.caph) {
		T.caph = T.caph == 0 ? 1024 : T.caph * 2;
		T.held = pxr_reallocarray(T.held, T.caph, sizeof(*T.held));
	}
	h = &T.held[T.nheld];
	h->p = pxr_rec_pack(rec);
	h->rule = r;
	h->g = g;
	h->first = 0;
	if (g != NULL && (g->count == 1 || at >= g->rep_at)) {
		/* The group shows its latest incident's fields. */
		if (g->count > 1)
			T.held[g->rep].first = 0;
		g->rep = T.nheld;
		g->rep_at = at;
		h->first = 1;
	}
	T.nheld++;
	return 0;
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	struct pxr_rule *r = pxr_cli_rule_of(c, T.R, rec, T.f_rule);
	struct pxr_value m;

	if (r == NULL)
		return -1;
	if (T.hold)
		return hold(c, rec, r);
	if (measure_of(c, rec, &m) < 0)
		return -1;
	if (!set_tier(rec, r, &m))
		return 0;
	return pxr_cli_emit(c, rec);
}

/* Customers with a kept incident of rule r: is s inhibited? */
static int
inhibited(const struct pxr_rule *r, const struct pxr_val *cust, char **marks,
    size_t nmarks)
{
	size_t i, j;

	if (PXR_ISNULL(cust))
		return 0;
	for (i = 0; i < nmarks; i += 2) {
		const struct pxr_rule *by = (const struct pxr_rule *)marks[i];

		for (j = 0; j < by->ninhibits; j++)
			if (strcmp(by->inhibits[j], r->id) == 0 &&
			    strlen(marks[i + 1]) == cust->n &&
			    memcmp(marks[i + 1], cust->s, cust->n) == 0)
				return 1;
	}
	return 0;
}

static int
end(struct pxr_cli *c)
{
	struct pxr_rec rec;
	char **marks = NULL;
	size_t i, nmarks = 0;
	struct pxr_value m;
	int rc;

	if (!T.hold)
		return 0;
	pxr_rec_init(&rec, c->sch);
	/* Pass 1: the tiered incidents of inhibiting rules mark customers. */
	for (i = 0; i < T.nheld; i++) {
		struct held *h = &T.held[i];
		const struct pxr_val *cv;

		if (h->rule->ninhibits == 0 || (h->g != NULL && !h->first))
			continue;
		pxr_rec_unpack(&rec, h->p);
		if (h->g != NULL)
			m = h->g->agg;
		else if (measure_of(c, &rec, &m) < 0)
			return -2;
		if (h->g != NULL && h->rule->group->aggregate == PXR_AGG_COUNT) {
			m.t = PXR_V_INT;
			m.i = (int64_t)h->g->count;
		}
		if (m.t == PXR_V_NULL || tier_of(h->rule, &m) == 0)
			continue;
		cv = pxr_rec_get(&rec, T.f_cust);
		if (PXR_ISNULL(cv))
			continue;
		marks = pxr_reallocarray(marks, nmarks + 2, sizeof(*marks));
		marks[nmarks++] = (char *)h->rule;
		marks[nmarks++] = pxr_strndup(cv->s, cv->n);
	}
	/* Pass 2: in input order; a group where its representative stood. */
	for (i = 0; i < T.nheld; i++) {
		struct held *h = &T.held[i];

		if (h->g != NULL && !h->first)
			continue;
		pxr_rec_unpack(&rec, h->p);
		if (inhibited(h->rule, pxr_rec_get(&rec, T.f_cust), marks,
		    nmarks))
			continue;
		if (h->g != NULL) {
			struct pxr_buf t = { 0 };

			m = h->g->agg;
			if (h->rule->group->aggregate == PXR_AGG_COUNT) {
				m.t = PXR_V_INT;
				m.i = (int64_t)h->g->count;
			}
			pxr_rec_set(&rec, T.f_id, PXR_STR, h->g->id,
			    strlen(h->g->id));
			pxr_value_text(&m, T.R->tz, &t);
			if (m.t == PXR_V_NULL)
				pxr_rec_setnull(&rec, T.f_measure);
			else
				pxr_rec_set(&rec, T.f_measure, PXR_NUM, t.p,
				    t.len);
			pxr_buf_free(&t);
			pxr_rec_setf(&rec, T.f_count, PXR_NUM, "%zu",
			    h->g->count);
		} else if (measure_of(c, &rec, &m) < 0)
			return -2;
		if (!set_tier(&rec, h->rule, &m))
			continue;
		if ((rc = pxr_cli_emit(c, &rec)) < 0)
			return -2;
	}
	for (i = 1; i < nmarks; i += 2)
		free(marks[i]);
	free(marks);
	pxr_rec_fini(&rec);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "keep-untiered", no_argument, NULL, OPT_CMD },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, end };
	struct pxr_cli c;
	size_t i;
	int ch;

	pxr_cli_init(&c, argv, "pxr-threshold", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		if (ch == OPT_CMD)
			T.keep = 1;
		else
			pxr_cli_usage(&c, NULL);
	}
	T.R = pxr_cli_rules(&c);
	for (i = 0; i < T.R->nrules; i++)
		if (T.R->rules[i].group != NULL || T.R->rules[i].ninhibits > 0)
			T.hold = 1;
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
