/* threshold.c: tiers, drops, groups and inhibitions (see threshold.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "hmap.h"
#include "rules.h"
#include "threshold.h"

struct held {
	struct pxr_packed *p;
	struct pxr_rule *rule;
	struct group *g;	/* its group, for a grouped rule */
	int	 first;		/* it stands for its group */
	int64_t	 at;		/* event_at, when its rule needs it */
};

/* A customer with a kept incident of an inhibiting rule. */
struct mark {
	const struct pxr_rule *by;
	char	*cust;
	int64_t	 at;
};

struct group {
	char	*id;		/* the group's incident id */
	size_t	 count;
	struct pxr_value agg;
	size_t	 rep;		/* held index of the representative */
	int64_t	 rep_at;
};

struct thr {
	struct pxr_mapper *m;
	struct pxr_rule *last;	/* the rule of the last record */
	struct pxr_rules *R;
	int	 keep;
	int	 hold;		/* some rule groups or inhibits */
	char	*needat;	/* per rule: it needs event_at */
	size_t	 f_rule, f_measure, f_id, f_cust, f_at, f_tier, f_rank,
		 f_count;
	struct held *held;
	size_t	 nheld, caph;
	struct pxr_hmap groups;	/* group id -> struct group */
	struct pxr_schema *sch;
	struct pxr_buf tmp;
	struct pxr_arena scratch;
};


static int
thr_bind(struct pxr_mapper *mp, struct pxr_schema *sch, struct pxr_error *err)
{
	struct thr *T = mp->state;
	size_t i;

	(void)err;
	T->sch = sch;
	pxr_rules_bind(T->R, sch);
	T->f_rule = pxr_field_ref(sch, PXR_F_RULE);
	T->f_measure = pxr_field_ref(sch, PXR_F_MEASURE);
	T->f_id = pxr_field_ref(sch, PXR_F_INCIDENT_ID);
	T->f_cust = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	T->f_at = pxr_field_ref(sch, PXR_F_EVENT_AT);
	T->f_tier = pxr_field_add(sch, PXR_F_TIER);
	T->f_rank = pxr_field_add(sch, PXR_F_TIER_RANK);
	for (i = 0; i < T->R->nrules; i++)
		if (T->R->rules[i].group != NULL) {
			T->f_count = pxr_field_add(sch, PXR_F_GROUP_COUNT);
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
measure_of(struct thr *T, struct pxr_error *err, const struct pxr_rec *rec,
    struct pxr_value *m)
{
	const struct pxr_val *v = pxr_rec_get(rec, T->f_measure);

	memset(m, 0, sizeof(*m));
	if (PXR_ISNULL(v))
		return 0;
	if (!pxr_number_parse(v->s, v->n, m))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "column "
		    "'measure': not a number: \"%.*s\"", (int)(v->n > 40 ? 40 :
		    v->n), v->s);
	return 0;
}

/* Set tier and tier_rank; 1 to keep the record, 0 to drop it. */
static int
set_tier(struct thr *T, struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_value *m)
{
	size_t k = m->t == PXR_V_NULL ? 0 : tier_of(r, m);

	if (k == 0) {
		if (!T->keep)
			return 0;
		pxr_rec_setnull(rec, T->f_tier);
		pxr_rec_setnull(rec, T->f_rank);
		return 1;
	}
	if (r->ntiers == 0)
		pxr_rec_setref(rec, T->f_tier, PXR_STR, "default", 7);
	else
		pxr_rec_setref(rec, T->f_tier, PXR_STR, r->tiers[k - 1].name,
		    strlen(r->tiers[k - 1].name));
	pxr_rec_setf(rec, T->f_rank, PXR_NUM, "%zu", k);
	return 1;
}

/* The start of the aligned window holding t, as text. */
static void
window_start(struct thr *T, struct pxr_buf *b, int win, int64_t t)
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
		pxr_time_civil(t, T->R->tz, &cv);
		pxr_buf_printf(b, "%04d-%02d-01", cv.year, cv.month);
		return;
	default:
		break;
	}
	pxr_date_format(b, day * PXR_US_DAY, NULL);
}

static struct group *
group_get(struct thr *T, const char *id)
{
	void **slot = pxr_hmap_put(&T->groups, id, strlen(id), NULL);
	struct group *g = *slot;

	if (g == NULL) {
		g = pxr_calloc(1, sizeof(*g));
		g->id = pxr_strdup(id);
		*slot = g;
	}
	return g;
}

static int
agg_add(struct pxr_error *err, struct group *g, int how, const struct pxr_value *m)
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
			return pxr_error_set(err, PXR_EXIT_DATAERR,
			    "integer overflow in the sum of group %s", g->id);
		return 0;
	}
	g->agg.d = dbl(&g->agg) + dbl(m);
	g->agg.t = PXR_V_DBL;
	return 0;
}

/* Hold an incident; for a grouped rule, count it into its group. */
static int
hold(struct thr *T, struct pxr_error *err, struct pxr_rec *rec, struct pxr_rule *r)
{
	struct held *h;
	struct pxr_value m;
	struct group *g = NULL;
	int64_t at = 0;

	if (measure_of(T, err, rec, &m) < 0)
		return -1;
	if (T->needat[r - T->R->rules]) {
		const struct pxr_val *av = pxr_rec_get(rec, T->f_at);
		struct pxr_error e;

		if (PXR_ISNULL(av) || pxr_time_parse(av->s, av->n, T->R->tz, &at,
		    NULL, &e) < 0)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule "
			    "%s: %s: column 'event_at': not a time", r->id,
			    r->group != NULL ? "group" : "inhibits within");
	}
	if (r->group != NULL) {
		struct pxr_env env;
		struct pxr_value v;
		size_t i;

		pxr_arena_reset(&T->scratch);
		env.now = 0;
		env.tz = T->R->tz;
		env.rec = rec;
		env.arena = &T->scratch;
		pxr_buf_reset(&T->tmp);
		pxr_id_part(&T->tmp, r->id, strlen(r->id));
		for (i = 0; i < r->group->nby; i++) {
			struct pxr_buf t = { 0 };

			if (pxr_expr_eval(r->group->by[i], &env, &v,
			    err) < 0) {
				char text[sizeof(err->text)];

				snprintf(text, sizeof(text), "%s", err->text);
				return pxr_error_set(err, PXR_EXIT_DATAERR,
				    "rule %s: group.by: %s", r->id, text);
			}
			pxr_value_text(&v, T->R->tz, &t);
			pxr_buf_addc(&T->tmp, ':');
			pxr_id_part(&T->tmp, t.p != NULL ? t.p : "", t.len);
			pxr_buf_free(&t);
		}
		pxr_buf_addc(&T->tmp, ':');
		window_start(T, &T->tmp, r->group->window, at);
		g = group_get(T, T->tmp.p);
		if (agg_add(err, g, r->group->aggregate, &m) < 0)
			return -1;
	}
	if (T->nheld == T->caph) {
		T->caph = T->caph == 0 ? 1024 : T->caph * 2;
		T->held = pxr_reallocarray(T->held, T->caph, sizeof(*T->held));
	}
	h = &T->held[T->nheld];
	h->p = pxr_rec_pack(rec);
	h->rule = r;
	h->g = g;
	h->first = 0;
	h->at = at;
	if (g != NULL && (g->count == 1 || at >= g->rep_at)) {
		/* The group shows its latest incident's fields. */
		if (g->count > 1)
			T->held[g->rep].first = 0;
		g->rep = T->nheld;
		g->rep_at = at;
		h->first = 1;
	}
	T->nheld++;
	return 0;
}

static int
thr_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct thr *T = mp->state;
	struct pxr_rule *r = pxr_stage_rule(T->R, rec, T->f_rule, &T->last,
	    err);
	struct pxr_value m;

	if (r == NULL)
		return -1;
	if (T->hold)
		return hold(T, err, rec, r);
	if (measure_of(T, err, rec, &m) < 0)
		return -1;
	if (!set_tier(T, rec, r, &m))
		return 0;
	return pxr_mapper_emit(mp, rec, err);
}

/*
 * Is an incident of rule r for customer cust at at inhibited by a mark:
 * a kept incident of a rule inhibiting r for the same customer, any time
 * in this input (plain form) or within the window either side?
 */
static int
inhibited(const struct pxr_rule *r, const struct pxr_val *cust, int64_t at,
    const struct mark *marks, size_t nmarks)
{
	size_t i, j;

	if (PXR_ISNULL(cust))
		return 0;
	for (i = 0; i < nmarks; i++) {
		const struct mark *k = &marks[i];

		if (strlen(k->cust) != cust->n ||
		    memcmp(k->cust, cust->s, cust->n) != 0)
			continue;
		for (j = 0; j < k->by->ninhibits; j++)
			if (k->by->inhibits[j] != NULL &&
			    strcmp(k->by->inhibits[j], r->id) == 0 &&
			    (k->by->within[j] == 0 || (at >= k->at -
			    k->by->within[j] && at <= k->at +
			    k->by->within[j])))
				return 1;
	}
	return 0;
}

static int
thr_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct thr *T = mp->state;
	struct pxr_rec rec;
	struct mark *marks = NULL;
	size_t i, nmarks = 0;
	struct pxr_value m;
	int rc;

	if (!T->hold)
		return 0;
	pxr_rec_init(&rec, T->sch);
	/* Pass 1: the tiered incidents of inhibiting rules mark customers. */
	for (i = 0; i < T->nheld; i++) {
		struct held *h = &T->held[i];
		const struct pxr_val *cv;

		if (h->rule->ninhibits == 0 || (h->g != NULL && !h->first))
			continue;
		pxr_rec_unpack(&rec, h->p);
		if (h->g != NULL)
			m = h->g->agg;
		else if (measure_of(T, err, &rec, &m) < 0)
			return -2;
		if (h->g != NULL && h->rule->group->aggregate == PXR_AGG_COUNT) {
			m.t = PXR_V_INT;
			m.i = (int64_t)h->g->count;
		}
		if (m.t == PXR_V_NULL || tier_of(h->rule, &m) == 0)
			continue;
		cv = pxr_rec_get(&rec, T->f_cust);
		if (PXR_ISNULL(cv))
			continue;
		marks = pxr_reallocarray(marks, nmarks + 1, sizeof(*marks));
		marks[nmarks].by = h->rule;
		marks[nmarks].cust = pxr_strndup(cv->s, cv->n);
		marks[nmarks++].at = h->g != NULL ? h->g->rep_at : h->at;
	}
	/* Pass 2: in input order; a group where its representative stood. */
	for (i = 0; i < T->nheld; i++) {
		struct held *h = &T->held[i];

		if (h->g != NULL && !h->first)
			continue;
		pxr_rec_unpack(&rec, h->p);
		if (inhibited(h->rule, pxr_rec_get(&rec, T->f_cust),
		    h->g != NULL ? h->g->rep_at : h->at, marks, nmarks))
			continue;
		if (h->g != NULL) {
			struct pxr_buf t = { 0 };

			m = h->g->agg;
			if (h->rule->group->aggregate == PXR_AGG_COUNT) {
				m.t = PXR_V_INT;
				m.i = (int64_t)h->g->count;
			}
			pxr_rec_set(&rec, T->f_id, PXR_STR, h->g->id,
			    strlen(h->g->id));
			pxr_value_text(&m, T->R->tz, &t);
			if (m.t == PXR_V_NULL)
				pxr_rec_setnull(&rec, T->f_measure);
			else
				pxr_rec_set(&rec, T->f_measure, PXR_NUM, t.p,
				    t.len);
			pxr_buf_free(&t);
			pxr_rec_setf(&rec, T->f_count, PXR_NUM, "%zu",
			    h->g->count);
		} else if (measure_of(T, err, &rec, &m) < 0)
			return -2;
		if (!set_tier(T, &rec, h->rule, &m))
			continue;
		if ((rc = pxr_mapper_emit(mp, &rec, err)) < 0)
			return -2;
	}
	for (i = 0; i < nmarks; i++)
		free(marks[i].cust);
	free(marks);
	pxr_rec_fini(&rec);
	return 0;
}


static void
group_free(void *p)
{
	struct group *g = p;

	free(g->id);
	free(g);
}

static void
thr_free(void *p)
{
	struct thr *T = p;
	size_t i;

	if (T == NULL)
		return;
	for (i = 0; i < T->nheld; i++)
		free(T->held[i].p);
	free(T->held);
	pxr_hmap_fini(&T->groups, group_free);
	free(T->needat);
	pxr_buf_free(&T->tmp);
	pxr_arena_free(&T->scratch);
	free(T);
}

struct pxr_mapper *
pxr_threshold_new(const struct pxr_threshold_opts *o, struct pxr_rules *R,
    struct pxr_error *err)
{
	struct thr *T;
	size_t i;

	(void)err;
	T = pxr_calloc(1, sizeof(*T));
	T->R = R;
	T->keep = o != NULL && o->keep_untiered;
	T->needat = pxr_calloc(R->nrules + 1, 1);
	for (i = 0; i < R->nrules; i++) {
		const struct pxr_rule *r = &R->rules[i];
		size_t j;
		struct pxr_rule *to;

		if (r->group != NULL || r->ninhibits > 0)
			T->hold = 1;
		if (r->group != NULL)
			T->needat[i] = 1;
		for (j = 0; j < r->ninhibits; j++)
			if (r->within[j] > 0 && r->inhibits[j] != NULL &&
			    (to = pxr_rules_find(R, r->inhibits[j])) != NULL) {
				T->needat[i] = 1;
				T->needat[to - R->rules] = 1;
			}
	}
	T->m = pxr_mapper_new("threshold", T, thr_bind, thr_map, thr_end,
	    thr_free);
	return T->m;
}
