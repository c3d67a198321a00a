/* threshold.c: tiers, drops, groups and inhibitions (see threshold.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "hmap.h"
#include "rules.h"
#include "threshold.h"
#include "winstore.h"

struct held {
	struct pxr_packed *p;
	struct pxr_rule *rule;
	struct group *g;	/* the group it stands for (first), or NULL */
	int	 first;		/* it stands for its group */
	int64_t	 at;		/* event_at, when its rule needs it */
	struct pxr_tz *zone;	/* a grouped incident's zone */
};

/* An incident of a grouped rule, of this input or of the store. */
struct member {
	char	*id;		/* its incident_id, or NULL */
	int64_t	 at;
	struct pxr_value m;
	long	 held;		/* index in held, -1: only in the store */
	struct pxr_tz *zone;
	struct bucket *b;
	struct group *g;	/* the group it counts in, once decided */
	char	*stored_group;	/* a member row of the store: its group */
	int	 stored;	/* an incident row of the store holds it */
};

/* The incidents of one rule with equal by values (and window start). */
struct bucket {
	char	*key;
	struct pxr_rule *rule;
	size_t	*m;		/* indices into mem */
	size_t	 n, cap;
};

struct group {
	char	*id;		/* the group's incident id */
	size_t	 count;
	struct pxr_value agg;
	long	 rep;		/* held index of the representative, -1 */
	int64_t	 rep_at;
	int	 fired;		/* a rolling group fired now: member rows due */
	struct bucket *b;
};

/* A customer with a kept incident of an inhibiting rule. */
struct mark {
	const struct pxr_rule *by;
	char	*cust;
	int64_t	 at;
	int	 stored;	/* from the store: counts for "within" only */
};

struct thr {
	struct pxr_mapper *m;
	struct pxr_rule *last;	/* the rule of the last record */
	struct pxr_rules *R;
	int	 keep;
	int	 hold;		/* some rule groups or inhibits */
	char	*needat;	/* per rule: it needs event_at */
	size_t	*zidx;		/* per rule: its group.zone_field's index */
	size_t	 f_rule, f_measure, f_id, f_cust, f_at, f_tier, f_rank,
		 f_count;
	struct held *held;
	size_t	 nheld, caph;
	struct member *mem;
	size_t	 nmem, capm;
	struct pxr_hmap byid;	/* rule "\n" incident id -> member + 1 */
	struct bucket **buckets;	/* in order of first sight */
	size_t	 nbuckets;
	struct pxr_hmap bmap;	/* bucket key -> bucket */
	struct group **groups;	/* in order of making */
	size_t	 ngroups;
	struct pxr_hmap gmap;	/* group id -> group */
	struct mark *marks;
	size_t	 nmarks;
	struct pxr_hmap markset;	/* rule, at, customer of a stored mark */
	struct pxr_winstore *ws;
	const char *ws_path;	/* borrowed from the options */
	long	 lock_ms;
	struct pxr_error *werr;	/* for a bad row of the store */
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
	for (i = 0; i < T->R->nrules; i++) {
		const struct pxr_group *g = T->R->rules[i].group;

		if (g != NULL)
			T->f_count = pxr_field_add(sch, PXR_F_GROUP_COUNT);
		T->zidx[i] = g != NULL && g->zone_field != NULL ?
		    pxr_schema_ref(sch, g->zone_field, strlen(g->zone_field)) :
		    (size_t)-1;
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

/* --explain: the bounds of tier t ("min 30, max 120") onto b. */
static void
tier_text(struct pxr_buf *b, const struct pxr_tier *t)
{
	if (t->has_lo) {
		pxr_buf_adds(b, t->lo_incl ? "min " : "above ");
		pxr_value_text(&t->lo, NULL, b);
	}
	if (t->has_hi) {
		pxr_buf_adds(b, t->has_lo ? ", " : "");
		pxr_buf_adds(b, t->hi_incl ? "upto " : "max ");
		pxr_value_text(&t->hi, NULL, b);
	}
	if (!t->has_lo && !t->has_hi)
		pxr_buf_adds(b, "any measure");
}

/*
 * --explain: why rec (incident id) got tier k of r, or none; what says
 * where the measure came from ("", " (count of the group's 3 incidents)").
 */
static void
explain_tier(struct thr *T, const struct pxr_rec *rec, const char *id,
    const struct pxr_rule *r, const struct pxr_value *m, const char *what,
    size_t k)
{
	struct pxr_buf b = { 0 };
	size_t i;

	pxr_buf_adds(&b, "measure ");
	if (m->t == PXR_V_NULL)
		pxr_buf_adds(&b, "null");
	else
		pxr_value_text(m, T->R->tz, &b);
	pxr_buf_adds(&b, what);
	if (k > 0 && r->ntiers == 0)
		pxr_buf_printf(&b, ": tier default (rule %s has no tiers)",
		    r->id);
	else if (k > 0) {
		pxr_buf_printf(&b, ": tier %s (", r->tiers[k - 1].name);
		tier_text(&b, &r->tiers[k - 1]);
		pxr_buf_printf(&b, "), rank %zu of rule %s", k, r->id);
	} else {
		pxr_buf_printf(&b, ": in no tier of rule %s (", r->id);
		for (i = 0; i < r->ntiers; i++) {
			pxr_buf_printf(&b, "%s%s: ", i > 0 ? "; " : "",
			    r->tiers[i].name);
			tier_text(&b, &r->tiers[i]);
		}
		pxr_buf_adds(&b, T->keep ? "): kept untiered (--keep-untiered)" :
		    "): dropped");
	}
	pxr_mapper_say(T->m, PXR_SAY_EXPLAIN, "%s:%ld: incident %s: %s",
	    rec->file, rec->line, id, b.p);
	pxr_buf_free(&b);
}

/* The record's incident id, for --explain ("" without one). */
static const char *
incident(struct thr *T, const struct pxr_rec *rec, struct pxr_buf *b)
{
	const struct pxr_val *v = pxr_rec_get(rec, T->f_id);

	pxr_buf_reset(b);
	if (!PXR_ISNULL(v))
		pxr_buf_add(b, v->s, v->n);
	else
		pxr_buf_adds(b, "(no incident_id)");
	return b->p;
}

/*
 * Set tier and tier_rank; 1 to keep the record, 0 to drop it.  what
 * says where the measure came from, for --explain.
 */
static int
set_tier(struct thr *T, struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_value *m, const char *what)
{
	size_t k = m->t == PXR_V_NULL ? 0 : tier_of(r, m);

	if (T->m->explain)
		explain_tier(T, rec, incident(T, rec, &T->tmp), r, m, what, k);
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

/* The start of the calendar window (day, week, month) holding t in tz. */
static void
window_start(struct pxr_buf *b, int win, int64_t t, struct pxr_tz *tz)
{
	struct pxr_civil cv;
	int64_t day;

	pxr_time_civil(t, tz, &cv);
	switch (win) {
	case PXR_WIN_WEEK:
		/* Its Monday. */
		day = pxr_days_from_civil(cv.year, cv.month, cv.day) -
		    (cv.wday - 1);
		pxr_date_format(b, day * PXR_US_DAY, NULL);
		return;
	case PXR_WIN_MONTH:
		cv.day = 1;
		break;
	default:
		break;
	}
	pxr_buf_printf(b, "%04d-%02d-%02d", cv.year, cv.month, cv.day);
}

/* t as 20261002T090000Z: a rolling group's start in its id. */
static void
compact_time(struct pxr_buf *b, int64_t t)
{
	struct pxr_civil cv;

	pxr_time_civil(t, pxr_tz_utc(), &cv);
	pxr_buf_printf(b, "%04d%02d%02dT%02d%02d%02dZ", cv.year, cv.month,
	    cv.day, cv.hour, cv.min, cv.sec);
}

/* The earliest time in the rolling window of g ending at t in tz. */
static int64_t
window_lo(const struct pxr_group *g, int64_t t, struct pxr_tz *tz)
{
	if (g->span % PXR_US_DAY == 0 && g->span / PXR_US_DAY <= 3650000)
		return pxr_time_add_days(tz, t, -(g->span / PXR_US_DAY));
	return t - g->span;
}

/* The zone of a grouped incident: its zone_field, the rule's, the file's. */
static int
zone_of(struct thr *T, struct pxr_error *err, const struct pxr_rec *rec,
    const struct pxr_rule *r, struct pxr_tz **tz)
{
	const struct pxr_val *v;
	char name[128];

	*tz = r->group->zone != NULL ? r->group->zone : T->R->tz;
	if (r->group->zone_field == NULL)
		return 0;
	v = pxr_rec_get(rec, T->zidx[r - T->R->rules]);
	if (PXR_ISNULL(v) || v->n == 0)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(v->n < 127 ? v->n : 127),
	    v->s);
	if (v->n >= 127 || (*tz = pxr_tz_get(name)) == NULL)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
		    "group.zone_field: column '%s': unknown time zone \"%s\"",
		    r->id, r->group->zone_field, name);
	return 0;
}

static struct bucket *
bucket_get(struct thr *T, struct pxr_rule *r, const char *key)
{
	void **slot = pxr_hmap_put(&T->bmap, key, strlen(key), NULL);
	struct bucket *b = *slot;

	if (b == NULL) {
		b = pxr_calloc(1, sizeof(*b));
		b->key = pxr_strdup(key);
		b->rule = r;
		*slot = b;
		T->buckets = pxr_reallocarray(T->buckets, T->nbuckets + 1,
		    sizeof(*T->buckets));
		T->buckets[T->nbuckets++] = b;
	}
	return b;
}

/*
 * The member of rule r with incident id id (NULL: none, never shared),
 * added to bucket key when new.
 */
static struct member *
member_get(struct thr *T, struct pxr_rule *r, const char *key,
    const char *id, size_t idn, int *added)
{
	struct member *mb;
	struct bucket *b;
	void **slot = NULL;

	*added = 0;
	if (id != NULL) {
		pxr_buf_reset(&T->tmp);
		pxr_buf_add(&T->tmp, r->id, strlen(r->id));
		pxr_buf_addc(&T->tmp, '\n');
		pxr_buf_add(&T->tmp, id, idn);
		slot = pxr_hmap_put(&T->byid, T->tmp.p, T->tmp.len, NULL);
		if (*slot != NULL)
			return &T->mem[(uintptr_t)*slot - 1];
	}
	if (T->nmem == T->capm) {
		T->capm = T->capm == 0 ? 256 : T->capm * 2;
		T->mem = pxr_reallocarray(T->mem, T->capm, sizeof(*T->mem));
	}
	mb = &T->mem[T->nmem];
	memset(mb, 0, sizeof(*mb));
	mb->id = id != NULL ? pxr_strndup(id, idn) : NULL;
	mb->held = -1;
	if (slot != NULL)
		*slot = (void *)(uintptr_t)(T->nmem + 1);
	b = bucket_get(T, r, key);
	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 8 : b->cap * 2;
		b->m = pxr_reallocarray(b->m, b->cap, sizeof(*b->m));
	}
	b->m[b->n++] = T->nmem++;
	mb->b = b;
	*added = 1;
	return mb;
}

static struct group *
group_new(struct thr *T, struct bucket *b, const char *id)
{
	void **slot = pxr_hmap_put(&T->gmap, id, strlen(id), NULL);
	struct group *g = *slot;

	if (g == NULL) {
		g = pxr_calloc(1, sizeof(*g));
		g->id = pxr_strdup(id);
		g->rep = -1;
		g->b = b;
		*slot = g;
		T->groups = pxr_reallocarray(T->groups, T->ngroups + 1,
		    sizeof(*T->groups));
		T->groups[T->ngroups++] = g;
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

/* The value a group's tier is chosen by: its aggregate or its count. */
static struct pxr_value
group_value(const struct group *g)
{
	struct pxr_value m = g->agg;

	if (g->b->rule->group->aggregate == PXR_AGG_COUNT) {
		m.t = PXR_V_INT;
		m.i = (int64_t)g->count;
	}
	return m;
}

/* The bucket key of a grouped incident: RULE:BY...[:WINDOWSTART]. */
static int
bucket_key(struct thr *T, struct pxr_error *err, struct pxr_rec *rec,
    struct pxr_rule *r, int64_t at, struct pxr_tz *tz)
{
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

		if (pxr_expr_eval(r->group->by[i], &env, &v, err) < 0) {
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
	if (r->group->window != PXR_WIN_ROLLING) {
		pxr_buf_addc(&T->tmp, ':');
		window_start(&T->tmp, r->group->window, at, tz);
	}
	return 0;
}

/* Hold an incident; for a grouped rule, make it a member of its bucket. */
static int
hold(struct thr *T, struct pxr_error *err, struct pxr_rec *rec, struct pxr_rule *r)
{
	struct held *h;
	struct pxr_value m;
	struct pxr_tz *tz = NULL;
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
		const struct pxr_val *iv = pxr_rec_get(rec, T->f_id);
		struct member *mb;
		char *key;
		int added;

		if (zone_of(T, err, rec, r, &tz) < 0 ||
		    bucket_key(T, err, rec, r, at, tz) < 0)
			return -1;
		key = pxr_strdup(T->tmp.p);
		mb = member_get(T, r, key, PXR_ISNULL(iv) ? NULL : iv->s,
		    PXR_ISNULL(iv) ? 0 : iv->n, &added);
		free(key);
		if (mb->held < 0) {
			/* New, or seen by the store: this input's record. */
			mb->held = (long)T->nheld;
			mb->at = at;
			mb->m = m;
			mb->zone = tz;
		}
	}
	if (T->nheld == T->caph) {
		T->caph = T->caph == 0 ? 1024 : T->caph * 2;
		T->held = pxr_reallocarray(T->held, T->caph, sizeof(*T->held));
	}
	h = &T->held[T->nheld];
	h->p = pxr_rec_pack(rec);
	h->rule = r;
	h->g = NULL;
	h->first = 0;
	h->at = at;
	h->zone = tz;
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
	if (!set_tier(T, rec, r, &m, ""))
		return 0;
	return pxr_mapper_emit(mp, rec, err);
}

/*
 * Is an incident of rule r for customer cust at at inhibited by a mark:
 * a kept incident of a rule inhibiting r for the same customer, any time
 * in this input (plain form) or within the window either side (also
 * one of an earlier night, from the store)?  The inhibiting rule, or
 * NULL.
 */
static const struct pxr_rule *
inhibited(const struct pxr_rule *r, const struct pxr_val *cust, int64_t at,
    const struct mark *marks, size_t nmarks)
{
	size_t i, j;

	if (PXR_ISNULL(cust))
		return NULL;
	for (i = 0; i < nmarks; i++) {
		const struct mark *k = &marks[i];

		if (strlen(k->cust) != cust->n ||
		    memcmp(k->cust, cust->s, cust->n) != 0)
			continue;
		for (j = 0; j < k->by->ninhibits; j++) {
			int64_t w = k->by->within[j];

			if (k->by->inhibits[j] == NULL ||
			    strcmp(k->by->inhibits[j], r->id) != 0)
				continue;
			if (w == 0 ? !k->stored : (at >= k->at - w &&
			    at <= k->at + w))
				return k->by;
		}
	}
	return NULL;
}

/* 1 if rule r inhibits some rule with a window (its marks are stored). */
static int
inhibits_within(const struct pxr_rule *r)
{
	size_t j;

	for (j = 0; j < r->ninhibits; j++)
		if (r->within[j] > 0)
			return 1;
	return 0;
}

static void
mark_add(struct thr *T, const struct pxr_rule *by, const char *cust,
    size_t n, int64_t at, int stored)
{
	struct mark *k;

	T->marks = pxr_reallocarray(T->marks, T->nmarks + 1,
	    sizeof(*T->marks));
	k = &T->marks[T->nmarks++];
	k->by = by;
	k->cust = pxr_strndup(cust, n);
	k->at = at;
	k->stored = stored;
}

/* The key of a mark in markset. */
static const char *
mark_key(struct thr *T, const char *rule, const char *cust, size_t n,
    int64_t at)
{
	pxr_buf_reset(&T->tmp);
	pxr_buf_printf(&T->tmp, "%s\n%" PRId64 "\n", rule, at);
	pxr_buf_add(&T->tmp, cust, n);
	return T->tmp.p;
}

static int
ws_bad(struct thr *T, long line, const char *what)
{
	pxr_error_set(T->werr, PXR_EXIT_DATAERR, "%s (a window store row "
	    "that pxr-threshold did not write: remove the row, or the "
	    "file to start afresh)", what);
	pxr_error_at(T->werr, T->ws_path, line);
	return -1;
}

/* A row of the window store. */
static int
ws_row(void *ctx, char **f, long line)
{
	struct thr *T = ctx;
	struct pxr_rule *r = pxr_rules_find(T->R, f[PXR_WS_RULE]);
	struct pxr_error e;
	struct member *mb;
	int64_t at = 0;
	int added;

	if (r == NULL)
		return 0;	/* a rule since removed */
	if (strcmp(f[PXR_WS_KIND], PXR_WS_MEMBER) != 0 &&
	    pxr_time_parse(f[PXR_WS_AT], strlen(f[PXR_WS_AT]), pxr_tz_utc(),
	    &at, NULL, &e) < 0)
		return ws_bad(T, line, "column 'at': not a time");
	if (strcmp(f[PXR_WS_KIND], PXR_WS_MARK) == 0) {
		const char *k = mark_key(T, r->id, f[PXR_WS_CUSTOMER],
		    strlen(f[PXR_WS_CUSTOMER]), at);
		int add;

		pxr_hmap_put(&T->markset, k, strlen(k), &add);
		if (add)
			mark_add(T, r, f[PXR_WS_CUSTOMER],
			    strlen(f[PXR_WS_CUSTOMER]), at, 1);
		return 0;
	}
	if (r->group == NULL || r->group->window == 0)
		return 0;	/* a rule that no longer groups */
	if (strcmp(f[PXR_WS_KIND], PXR_WS_INCIDENT) == 0) {
		mb = member_get(T, r, f[PXR_WS_BUCKET], f[PXR_WS_ID],
		    strlen(f[PXR_WS_ID]), &added);
		mb->stored = 1;
		if (!added)
			return 0;	/* this input has it too */
		mb->at = at;
		if (*f[PXR_WS_MEASURE] != '\0' && !pxr_number_parse(
		    f[PXR_WS_MEASURE], strlen(f[PXR_WS_MEASURE]), &mb->m))
			return ws_bad(T, line, "column 'measure': not a number");
		if ((mb->zone = pxr_tz_get(f[PXR_WS_ZONE])) == NULL)
			mb->zone = T->R->tz;
		return 0;
	}
	if (strcmp(f[PXR_WS_KIND], PXR_WS_MEMBER) == 0) {
		void *v;

		pxr_buf_reset(&T->tmp);
		pxr_buf_printf(&T->tmp, "%s\n%s", r->id, f[PXR_WS_ID]);
		if ((v = pxr_hmap_get(&T->byid, T->tmp.p, T->tmp.len)) ==
		    NULL)
			return ws_bad(T, line, "a member row of an incident "
			    "the store does not hold");
		mb = &T->mem[(uintptr_t)v - 1];
		free(mb->stored_group);
		mb->stored_group = pxr_strdup(f[PXR_WS_GROUP]);
		return 0;
	}
	return ws_bad(T, line, "column 'kind': not incident, member or mark");
}

static int
mem_cmp(const void *a, const void *b, void *ctx)
{
	const struct member *mem = ctx;
	const struct member *x = &mem[*(const size_t *)a],
	    *y = &mem[*(const size_t *)b];

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->held != y->held)
		return x->held < y->held ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Put member i into g. */
static int
join(struct thr *T, struct pxr_error *err, struct group *g, size_t i)
{
	struct member *mb = &T->mem[i];

	mb->g = g;
	if (mb->held >= 0 && (g->rep < 0 || mb->at >= g->rep_at)) {
		g->rep = mb->held;
		g->rep_at = mb->at;
	}
	return agg_add(err, g, g->b->rule->group->aggregate, &mb->m);
}

/* A new rolling group of b whose first incident is at at. */
static struct group *
rolling_group(struct thr *T, struct bucket *b, int64_t at)
{
	pxr_buf_reset(&T->tmp);
	pxr_buf_printf(&T->tmp, "%s:", b->key);
	compact_time(&T->tmp, at);
	while (pxr_hmap_get(&T->gmap, T->tmp.p, T->tmp.len) != NULL)
		pxr_buf_addc(&T->tmp, '+');
	return group_new(T, b, T->tmp.p);
}

/*
 * A rolling bucket: in time order, the incidents within the window
 * before each one that no group holds yet; when their aggregate falls in
 * a tier they become a group (fired), and count in no other.
 */
static int
roll(struct thr *T, struct pxr_error *err, struct bucket *b)
{
	const struct pxr_rule *r = b->rule;
	size_t a, k, *ix = pxr_reallocarray(NULL, b->n + 1, sizeof(*ix));
	long last = -1;
	int rc = 0;

	for (a = 0; a < b->n; a++) {
		struct member *mb = &T->mem[b->m[a]];

		ix[a] = b->m[a];
		if (mb->stored_group != NULL && rc == 0)
			rc = join(T, err, group_new(T, b, mb->stored_group),
			    b->m[a]);
	}
	qsort_r(ix, b->n, sizeof(*ix), mem_cmp, T->mem);
	for (a = 0; a < b->n && rc == 0; a++) {
		struct member *mb = &T->mem[ix[a]];
		struct group probe = { 0 }, *g;
		struct pxr_value m;
		int64_t lo;
		size_t first = a;

		if (mb->g != NULL)
			continue;
		last = (long)a;
		lo = window_lo(r->group, mb->at, mb->zone);
		probe.b = b;
		for (k = a + 1; k-- > 0 && T->mem[ix[k]].at >= lo;)
			if (T->mem[ix[k]].g == NULL) {
				first = k;
				if ((rc = agg_add(err, &probe,
				    r->group->aggregate, &T->mem[ix[k]].m)) < 0)
					break;
			}
		m = group_value(&probe);
		if (rc < 0 || m.t == PXR_V_NULL || tier_of(r, &m) == 0)
			continue;
		g = rolling_group(T, b, T->mem[ix[first]].at);
		g->fired = 1;
		for (k = first; k <= a && rc == 0; k++)
			if (T->mem[ix[k]].g == NULL && T->mem[ix[k]].at >= lo)
				rc = join(T, err, g, ix[k]);
		last = -1;
	}
	if (rc == 0 && last >= 0 && T->keep) {
		/* Below every tier: its latest window, for --keep-untiered. */
		struct member *mb = &T->mem[ix[last]];
		struct group *g;
		int64_t lo = window_lo(r->group, mb->at, mb->zone);

		for (k = (size_t)last + 1; k-- > 0 && T->mem[ix[k]].at >= lo;)
			;
		for (k++; T->mem[ix[k]].g != NULL; k++)
			;
		g = rolling_group(T, b, T->mem[ix[k]].at);
		for (; k <= (size_t)last && rc == 0; k++)
			if (T->mem[ix[k]].g == NULL)
				rc = join(T, err, g, ix[k]);
	}
	free(ix);
	return rc;
}

/* Make the groups of every bucket; their representatives stand for them. */
static int
make_groups(struct thr *T, struct pxr_error *err)
{
	size_t i, j;

	for (i = 0; i < T->nbuckets; i++) {
		struct bucket *b = T->buckets[i];

		if (b->rule->group->window == PXR_WIN_ROLLING) {
			if (roll(T, err, b) < 0)
				return -1;
			continue;
		}
		for (j = 0; j < b->n; j++)
			if (join(T, err, group_new(T, b, b->key), b->m[j]) < 0)
				return -1;
	}
	for (i = 0; i < T->ngroups; i++) {
		struct group *g = T->groups[i];

		if (g->rep >= 0) {
			T->held[g->rep].g = g;
			T->held[g->rep].first = 1;
		}
	}
	return 0;
}

/* Append what this run adds to the window store. */
static void
ws_write(struct thr *T)
{
	const char *f[PXR_WS__N];
	struct pxr_buf at = { 0 }, ms = { 0 };
	size_t i, j;

	for (i = 0; i < T->nmem; i++) {
		struct member *mb = &T->mem[i];

		if (mb->stored || mb->id == NULL)
			continue;
		for (j = 0; j < PXR_WS__N; j++)
			f[j] = "";
		pxr_buf_reset(&at);
		pxr_buf_reset(&ms);
		pxr_time_format(&at, mb->at);
		if (mb->m.t != PXR_V_NULL)
			pxr_value_text(&mb->m, T->R->tz, &ms);
		f[PXR_WS_KIND] = PXR_WS_INCIDENT;
		f[PXR_WS_RULE] = T->held[mb->held].rule->id;
		f[PXR_WS_BUCKET] = mb->b->key;
		f[PXR_WS_ID] = mb->id;
		f[PXR_WS_AT] = at.p;
		f[PXR_WS_MEASURE] = ms.p != NULL ? ms.p : "";
		f[PXR_WS_ZONE] = pxr_tz_name(mb->zone);
		pxr_winstore_add(T->ws, f);
	}
	for (i = 0; i < T->nmem; i++) {
		struct member *mb = &T->mem[i];

		if (mb->g == NULL || !mb->g->fired || mb->id == NULL)
			continue;
		for (j = 0; j < PXR_WS__N; j++)
			f[j] = "";
		f[PXR_WS_KIND] = PXR_WS_MEMBER;
		f[PXR_WS_RULE] = mb->g->b->rule->id;
		f[PXR_WS_ID] = mb->id;
		f[PXR_WS_GROUP] = mb->g->id;
		pxr_winstore_add(T->ws, f);
	}
	for (i = 0; i < T->nmarks; i++) {
		struct mark *k = &T->marks[i];
		const char *key;
		int add;

		if (k->stored || !inhibits_within(k->by))
			continue;
		key = mark_key(T, k->by->id, k->cust, strlen(k->cust), k->at);
		pxr_hmap_put(&T->markset, key, strlen(key), &add);
		if (!add)
			continue;
		for (j = 0; j < PXR_WS__N; j++)
			f[j] = "";
		pxr_buf_reset(&at);
		pxr_time_format(&at, k->at);
		f[PXR_WS_KIND] = PXR_WS_MARK;
		f[PXR_WS_RULE] = k->by->id;
		f[PXR_WS_CUSTOMER] = k->cust;
		f[PXR_WS_AT] = at.p;
		pxr_winstore_add(T->ws, f);
	}
	pxr_buf_free(&at);
	pxr_buf_free(&ms);
}

/* The aggregates' names, by PXR_AGG_*. */
static const char *const aggs[] = { "", "count", "sum", "max" };

/* --explain: h (not its group's representative) went into its group. */
static void
explain_member(struct thr *T, struct pxr_rec *rec, const struct held *h)
{
	const struct pxr_val *iv;
	const struct group *g = NULL;
	void *slot;

	pxr_rec_unpack(rec, h->p);
	iv = pxr_rec_get(rec, T->f_id);
	if (!PXR_ISNULL(iv)) {
		pxr_buf_reset(&T->tmp);
		pxr_buf_adds(&T->tmp, h->rule->id);
		pxr_buf_addc(&T->tmp, '\n');
		pxr_buf_add(&T->tmp, iv->s, iv->n);
		if ((slot = pxr_hmap_get(&T->byid, T->tmp.p,
		    T->tmp.len)) != NULL)
			g = T->mem[(uintptr_t)slot - 1].g;
	}
	if (g == NULL)
		pxr_mapper_say(T->m, PXR_SAY_EXPLAIN, "%s:%ld: incident %s: "
		    "counted in a window of rule %s where no group is due",
		    rec->file, rec->line, incident(T, rec, &T->tmp),
		    h->rule->id);
	else
		pxr_mapper_say(T->m, PXR_SAY_EXPLAIN, "%s:%ld: incident %s: "
		    "grouped into %s (%zu incidents of rule %s in its window, "
		    "measure: their %s)", rec->file, rec->line, incident(T,
		    rec, &T->tmp), g->id, g->count, h->rule->id,
		    aggs[h->rule->group->aggregate]);
}

static int
thr_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct thr *T = mp->state;
	struct pxr_rec rec;
	const struct pxr_rule *by;
	char what[64];
	size_t i;
	struct pxr_value m;
	int rc = 0;

	if (!T->hold)
		return 0;
	if (T->ws != NULL) {
		T->werr = err;
		if (pxr_winstore_lock(T->ws, T->lock_ms, ws_row, T, err) < 0)
			return -2;
	}
	if (make_groups(T, err) < 0)
		rc = -2;
	pxr_rec_init(&rec, T->sch);
	/* Pass 1: the tiered incidents of inhibiting rules mark customers. */
	for (i = 0; i < T->nheld && rc == 0; i++) {
		struct held *h = &T->held[i];
		const struct pxr_val *cv;

		if (h->rule->ninhibits == 0 || (h->rule->group != NULL &&
		    !h->first))
			continue;
		pxr_rec_unpack(&rec, h->p);
		if (h->g != NULL)
			m = group_value(h->g);
		else if (measure_of(T, err, &rec, &m) < 0) {
			rc = -2;
			break;
		}
		if (m.t == PXR_V_NULL || tier_of(h->rule, &m) == 0)
			continue;
		cv = pxr_rec_get(&rec, T->f_cust);
		if (!PXR_ISNULL(cv))
			mark_add(T, h->rule, cv->s, cv->n, h->g != NULL ?
			    h->g->rep_at : h->at, 0);
	}
	if (T->ws != NULL) {
		if (rc == 0) {
			ws_write(T);
			if (pxr_winstore_commit(T->ws, err) < 0)
				rc = -2;
		}
		pxr_winstore_unlock(T->ws);
	}
	/* Pass 2: in input order; a group where its representative stood. */
	for (i = 0; i < T->nheld && rc == 0; i++) {
		struct held *h = &T->held[i];

		if (h->rule->group != NULL && !h->first) {
			if (mp->explain)
				explain_member(T, &rec, h);
			continue;
		}
		pxr_rec_unpack(&rec, h->p);
		if ((by = inhibited(h->rule, pxr_rec_get(&rec, T->f_cust),
		    h->g != NULL ? h->g->rep_at : h->at, T->marks,
		    T->nmarks)) != NULL) {
			if (mp->explain)
				pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: "
				    "incident %s: dropped: the customer has a "
				    "tiered incident of rule %s, which inhibits "
				    "rule %s", rec.file, rec.line,
				    incident(T, &rec, &T->tmp), by->id,
				    h->rule->id);
			continue;
		}
		if (h->g != NULL) {
			struct pxr_buf t = { 0 };

			m = group_value(h->g);
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
			snprintf(what, sizeof(what), " (%s of the group's "
			    "%zu incident%s)", aggs[h->rule->group->aggregate],
			    h->g->count, h->g->count == 1 ? "" : "s");
		} else if (measure_of(T, err, &rec, &m) < 0) {
			rc = -2;
			break;
		} else
			what[0] = '\0';
		if (!set_tier(T, &rec, h->rule, &m, what))
			continue;
		if (pxr_mapper_emit(mp, &rec, err) < 0)
			rc = -2;
	}
	pxr_rec_fini(&rec);
	return rc;
}

static void
bucket_free(void *p)
{
	struct bucket *b = p;

	free(b->key);
	free(b->m);
	free(b);
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
	for (i = 0; i < T->nmem; i++) {
		free(T->mem[i].id);
		free(T->mem[i].stored_group);
	}
	free(T->mem);
	pxr_hmap_fini(&T->byid, NULL);
	pxr_hmap_fini(&T->bmap, bucket_free);
	free(T->buckets);
	pxr_hmap_fini(&T->gmap, group_free);
	free(T->groups);
	for (i = 0; i < T->nmarks; i++)
		free(T->marks[i].cust);
	free(T->marks);
	pxr_hmap_fini(&T->markset, NULL);
	pxr_winstore_close(T->ws);
	free(T->needat);
	free(T->zidx);
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

	T = pxr_calloc(1, sizeof(*T));
	T->R = R;
	T->keep = o != NULL && o->keep_untiered;
	T->lock_ms = o != NULL ? o->lock_ms : 0;
	T->zidx = pxr_calloc(R->nrules + 1, sizeof(*T->zidx));
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
	if (o != NULL && o->window_store != NULL && (T->ws =
	    pxr_winstore_open(o->window_store, err)) == NULL) {
		thr_free(T);
		return NULL;
	}
	T->ws_path = o != NULL ? o->window_store : NULL;
	T->m = pxr_mapper_new("threshold", T, thr_bind, thr_map, thr_end,
	    thr_free);
	return T->m;
}
