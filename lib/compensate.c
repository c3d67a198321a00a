/* compensate.c: compensations decided, recorded once, then emitted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "compensate.h"
#include "fields.h"
#include "hmap.h"
#include "ledger.h"
#include "money.h"
#include "pseudo.h"
#include "rules.h"
#include "sha256.h"
#include "state.h"

/* The ledger's columns (ledger.h), by shorter names. */
enum { L_AT = PXR_LG_AT, L_ID = PXR_LG_ID, L_CUST = PXR_LG_CUST,
	L_RULE = PXR_LG_RULE, L_TIER = PXR_LG_TIER, L_KIND = PXR_LG_KIND,
	L_AMOUNT = PXR_LG_AMOUNT, L_CUR = PXR_LG_CUR, L_CODE = PXR_LG_CODE,
	L_VALID = PXR_LG_VALID, L_SUBJ = PXR_LG_SUBJ, L_RUN = PXR_LG_RUN,
	L_SHA = PXR_LG_RULES_SHA, L_MEAS = PXR_LG_MEASURE, L_UNIT = PXR_LG_UNIT,
	L_STATE = PXR_LG_STATE, L_REASON = PXR_LG_REASON, L_N = PXR_LG__N };
#define L_OLD PXR_LG_NREQUIRED	/* a ledger from before subjects */

#define BATCH 4096

/* The columns of a ledger row a duplicate shows, in entry.f. */
static const int shown[] = { L_KIND, L_AMOUNT, L_CUR, L_CODE, L_VALID,
	L_CUST };
enum { E_KIND, E_AMOUNT, E_CUR, E_CODE, E_VALID, E_CUST, E_N };

/*
 * What a duplicate shows of a ledger row, kept by incident id: one block
 * of the stage's arena, the texts after the struct.
 */
struct entry {
	char	*f[E_N];
	enum pxr_lg_state state;	/* as of its last row */
	int64_t	 at;		/* issued_at of its first row */
	int64_t	 amount;	/* what it counts against the limits */
};

/* What a compensation subject (an order, say) was paid so far. */
struct subj {
	int64_t	 paid;
	char	 cur[4];
};

/* An issued total: a customer's in the cap period, or the batch's. */
struct total {
	int64_t	 sum;
};

/* An offer in the ledger: its row (to book when accepted), its expiry. */
struct offer {
	char	*f[L_N];	/* in the stage's arena; NULL: not read */
	int64_t	 expires;
	int	 accepted;
};

/* What an incident gets, before the ledger is consulted. */
struct plan {
	struct pxr_packed *p;
	const char *kind;	/* NULL: none */
	int	 has_amount;
	int64_t	 amount;
	char	 currency[4];
	int	 has_percent;
	int64_t	 percent_bp;
	const char *item;
	int	 has_valid;
	int64_t	 valid;
	const char *rule;
	char	*subject;	/* new; NULL: the incident alone */
	int	 survey;	/* the rule is a survey ("survey": true) */
	int	 offer;		/* an offer (advisory, coaching): booked when
				   accepted */
	int64_t	 offer_valid;	/* µs the offer stands */
	int	 left_out;	/* a survey the customer is not sent */
};

struct comp {
	struct pxr_mapper *m;
	struct pxr_rules *R;
	struct pxr_rule *last;	/* the rule of the last record */
	const char *ledger;
	long	 lock_ms;
	int	 dry;
	struct pxr_state *st;
	int64_t	 now;
	char	 now_text[40];
	struct pxr_schema *sch;
	size_t	 f_id, f_rule, f_tier, f_cust, f_cur, f_measure, f_unit;
	size_t	 f_kind, f_amount, f_currency, f_percent, f_item, f_code,
		 f_valid, f_status;
	struct pxr_hmap entries;	/* incident id -> struct entry */
	struct pxr_hmap totals;		/* customer \0 currency -> total */
	struct pxr_hmap budget;		/* currency -> this run's total */
	struct pxr_hmap night;		/* currency -> this run's issued total,
					   for approve_night_above_minor */
	char	*run;			/* the run id (evidence) */
	char	 sha[PXR_SHA256_HEX];	/* the rule file's (evidence) */
	struct pxr_pseudo *pseudo;	/* the state's key, if someone was
					   erased (pseudo.h) */
	struct pxr_hmap subjects;	/* subject -> struct subj */
	struct pxr_hmap offers;		/* code -> struct offer */
	const struct pxr_acceptance *acc;	/* borrowed */
	size_t	 nacc;
	int	 use_offers;		/* notify.fields.strategy is set */
	size_t	 f_strat;		/* the customer's strategy field */
	struct pxr_hmap lastpaid;	/* customer -> the last compensation's
					   time (int64_t, µs) for surveys */
	int	 use_subjects;		/* some rule has a subject */
	struct pxr_arena mem;		/* entries and totals */
	struct plan *batch;
	size_t	 nbatch;
	struct pxr_arena scratch;
	struct pxr_buf tmp;
};

static struct entry *
find_entry(struct comp *K, const char *id, size_t n)
{
	return pxr_hmap_get(&K->entries, id, n);
}

static struct entry *
add_entry(struct comp *K, char **f, size_t *lens, enum pxr_lg_state state)
{
	struct pxr_error err;
	struct entry *e;
	void **slot;
	size_t i, size = sizeof(*e);
	char *p;

	for (i = 0; i < E_N; i++)
		size += lens[shown[i]] + 1;
	e = pxr_arena_alloc(&K->mem, size);
	p = (char *)(e + 1);
	for (i = 0; i < E_N; i++) {
		memcpy(p, f[shown[i]], lens[shown[i]]);
		p[lens[shown[i]]] = '\0';
		e->f[i] = p;
		p += lens[shown[i]] + 1;
	}
	slot = pxr_hmap_put(&K->entries, f[L_ID], lens[L_ID], NULL);
	*slot = e;
	e->state = state;
	if (pxr_time_parse(f[L_AT], lens[L_AT], NULL, &e->at, NULL, &err) < 0)
		e->at = INT64_MIN;
	if (pxr_money_parse_minor(f[L_AMOUNT], lens[L_AMOUNT], &e->amount,
	    &err) < 0)
		e->amount = 0;
	return e;
}

/* The total of key (n bytes) in map, created at 0. */
static struct total *
total_of(struct comp *K, struct pxr_hmap *map, const char *key, size_t n)
{
	void **slot = pxr_hmap_put(map, key, n, NULL);

	if (*slot == NULL) {
		struct total *t = pxr_arena_alloc(&K->mem, sizeof(*t));

		t->sum = 0;
		*slot = t;
	}
	return *slot;
}

/* Count amount (text) in cur as paid for subject s. */
static void
subj_paid(struct comp *K, const char *s, const char *cur, int64_t amount)
{
	void **slot = pxr_hmap_put(&K->subjects, s, strlen(s), NULL);
	struct subj *x = *slot;

	if (x == NULL) {
		x = pxr_arena_alloc(&K->mem, sizeof(*x));
		x->paid = 0;
		snprintf(x->cur, sizeof(x->cur), "%s", cur);
		*slot = x;
	}
	if (strcmp(x->cur, cur) == 0)
		(void)pxr_money_add(&x->paid, amount);
}

/* The customer's total in the cap period in currency cur. */
static struct total *
cust_total(struct comp *K, const char *cust, size_t cn, const char *cur)
{
	pxr_buf_reset(&K->tmp);
	pxr_buf_add(&K->tmp, cust, cn);
	pxr_buf_addc(&K->tmp, '\0');
	pxr_buf_adds(&K->tmp, cur);
	return total_of(K, &K->totals, K->tmp.p, K->tmp.len);
}

/* Count amount a paid at t into the customer's total when in the period. */
static void
count_at(struct comp *K, const char *cust, size_t cn, const char *cur,
    int64_t t, int64_t a)
{
	if (K->R->has_cap && t > K->now - K->R->cap_period && t <= K->now)
		(void)pxr_money_add(&cust_total(K, cust, cn, cur)->sum, a);
}

/* Count a ledger row (its texts) as count_at does. */
static void
count_row(struct comp *K, const char *cust, size_t cn, const char *cur,
    const char *at, const char *amount)
{
	struct pxr_error e;
	int64_t t, a;

	if (!K->R->has_cap || pxr_time_parse(at, strlen(at), NULL, &t, NULL,
	    &e) < 0 || pxr_money_parse_minor(amount, strlen(amount), &a,
	    &e) < 0)
		return;
	count_at(K, cust, cn, cur, t, a);
}

/*
 * Note that customer cust (cn bytes) was compensated at the time text at:
 * a survey rule leaves them out for limits.no_survey_after.
 */
static void
note_paid(struct comp *K, const char *cust, size_t cn, const char *at)
{
	struct pxr_error e;
	int64_t t;
	void **slot;

	if (!K->R->has_no_survey || cn == 0 || pxr_time_parse(at, strlen(at),
	    NULL, &t, NULL, &e) < 0)
		return;
	slot = pxr_hmap_put(&K->lastpaid, cust, cn, NULL);
	if (*slot == NULL) {
		*slot = pxr_arena_alloc(&K->mem, sizeof(int64_t));
		*(int64_t *)*slot = t;
	} else if (t > *(int64_t *)*slot)
		*(int64_t *)*slot = t;
}

/*
 * Whether the incident of a survey rule is left out: its customer was
 * compensated within limits.no_survey_after before now (said with
 * --explain).  Never after a failure.
 */
static int
survey_left_out(struct comp *K, struct pxr_rec *rec, struct plan *pl)
{
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const int64_t *t;
	struct pxr_buf b = { 0 };

	if (!pl->survey || !K->R->has_no_survey || PXR_ISNULL(cv) ||
	    (t = pxr_hmap_get(&K->lastpaid, cv->s, cv->n)) == NULL ||
	    *t <= K->now - K->R->no_survey_after || *t > K->now)
		return 0;
	pxr_time_format(&b, *t);
	pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "incident %s: customer %s "
	    "left out of survey rule %s: compensated at %s, within "
	    "limits.no_survey_after", pxr_rec_get(rec, K->f_id)->s, cv->s,
	    pl->rule, b.p);
	pxr_buf_free(&b);
	pl->left_out = 1;
	return 1;
}

/*
 * Keep an offered ledger row by its code (to book it when accepted), or
 * (issued) mark its offer as taken: booked once.
 */
static void
note_offer(struct comp *K, char **f, size_t *lens, int issued)
{
	struct pxr_error e;
	struct offer *o;
	void **slot;
	size_t i;

	if (lens[L_CODE] == 0)
		return;
	slot = pxr_hmap_put(&K->offers, f[L_CODE], lens[L_CODE], NULL);
	if (*slot == NULL) {
		*slot = o = pxr_arena_alloc(&K->mem, sizeof(*o));
		memset(o, 0, sizeof(*o));
	}
	o = *slot;
	if (issued) {
		o->accepted = 1;
		return;
	}
	for (i = 0; i < L_N; i++)
		o->f[i] = pxr_arena_strndup(&K->mem, f[i], lens[i]);
	if (pxr_time_parse(f[L_VALID], lens[L_VALID], NULL, &o->expires, NULL,
	    &e) < 0)
		o->expires = INT64_MAX;
}

/*
 * A later row of e's incident (f) took it to state next: a compensation
 * rejected or reversed no longer counts against the customer's cap, nor
 * is its subject paid.
 */
static void
change_entry(struct comp *K, struct entry *e, char **f, size_t *lens,
    enum pxr_lg_state next)
{
	if (pxr_ledger_counts(e->state) && !pxr_ledger_counts(next)) {
		if (K->R->has_cap && e->at > K->now - K->R->cap_period &&
		    e->at <= K->now) {
			struct total *t = cust_total(K, f[L_CUST],
			    lens[L_CUST], f[L_CUR]);

			(void)pxr_money_sub(t->sum, e->amount, &t->sum);
		}
		if (f[L_SUBJ][0] != '\0')
			subj_paid(K, f[L_SUBJ], f[L_CUR], -e->amount);
	}
	if (e->state == PXR_LG_OFFERED && next == PXR_LG_ISSUED) {
		/* An offer accepted: it counts from its booking on. */
		note_offer(K, f, lens, 1);
		count_row(K, f[L_CUST], lens[L_CUST], f[L_CUR], f[L_AT],
		    f[L_AMOUNT]);
		note_paid(K, f[L_CUST], lens[L_CUST], f[L_AT]);
		if (f[L_SUBJ][0] != '\0')
			subj_paid(K, f[L_SUBJ], f[L_CUR], e->amount);
	}
	e->state = next;
}

static int
ledger_row(void *ctx, char **f, size_t *lens, long line)
{
	struct comp *K = ctx;
	struct entry *e = find_entry(K, f[L_ID], lens[L_ID]);
	enum pxr_lg_state rs = pxr_ledger_state(f[L_STATE]);
	enum pxr_lg_state next = pxr_ledger_next(e != NULL ? e->state :
	    PXR_LG_NONE, rs);

	if (next == PXR_LG_NONE && e != NULL && (rs == PXR_LG_ISSUED ||
	    rs == PXR_LG_PENDING)) {
		pxr_mapper_say(K->m, PXR_SAY_WARN, "%s:%ld: incident %s is in "
		    "the ledger twice; the first row counts", K->ledger, line,
		    f[L_ID]);
		return 0;
	}
	if (next == PXR_LG_NONE) {
		pxr_mapper_say(K->m, PXR_SAY_WARN, "%s:%ld: incident %s: a "
		    "'%s' row for a compensation that is %s: left out (see "
		    "pxr-ledger verify)", K->ledger, line, f[L_ID],
		    f[L_STATE], e != NULL ? pxr_ledger_state_name(e->state) :
		    "not in the ledger");
		return 0;
	}
	if (e != NULL) {
		change_entry(K, e, f, lens, next);
		return 0;
	}
	add_entry(K, f, lens, next);
	if (next == PXR_LG_OFFERED) {
		/* Nothing is paid until the customer accepts. */
		note_offer(K, f, lens, 0);
		return 0;
	}
	count_row(K, f[L_CUST], lens[L_CUST], f[L_CUR], f[L_AT], f[L_AMOUNT]);
	note_paid(K, f[L_CUST], lens[L_CUST], f[L_AT]);
	if (f[L_SUBJ][0] != '\0') {
		struct pxr_error e;
		int64_t a;

		if (pxr_money_parse_minor(f[L_AMOUNT], lens[L_AMOUNT], &a,
		    &e) < 0)
			a = 0;
		subj_paid(K, f[L_SUBJ], f[L_CUR], a);
	}
	return 0;
}

/* Read the rows other runs added; say so when a torn tail was cut. */
static int
refresh(struct comp *K, struct pxr_error *err)
{
	size_t torn;

	if (K->st == NULL)
		return 0;
	if (pxr_state_refresh(K->st, ledger_row, K, &torn, err) < 0)
		return -1;
	if (K->use_subjects && !pxr_state_has(K->st, L_SUBJ)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "this ledger was written "
		    "before compensation subjects and has no 'subject' "
		    "column, which rules with 'subject' need: start a new "
		    "ledger, or add ',subject' to its header line and ',' to "
		    "every row");
		return pxr_error_at(err, K->ledger, 1);
	}
	if (K->use_offers && !pxr_state_has(K->st, L_STATE)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "this ledger was written "
		    "before offers and has no 'state' column, which "
		    "notify.fields.strategy needs: start a new ledger");
		return pxr_error_at(err, K->ledger, 1);
	}
	if ((K->R->has_approve || K->R->has_approve_night) &&
	    !pxr_state_has(K->st, L_STATE)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "this ledger was written "
		    "before approvals and has no 'state' column, which "
		    "limits.approve_above_minor and "
		    "limits.approve_night_above_minor need: start a new "
		    "ledger");
		return pxr_error_at(err, K->ledger, 1);
	}
	if (torn > 0)
		pxr_mapper_say(K->m, PXR_SAY_WARN, "%s: a torn last row (%zu "
		    "bytes, from a run that died mid-write) was ignored%s",
		    K->ledger, torn, K->dry ? "" : " and cut off");
	return 0;
}

static int
comp_bind(struct pxr_mapper *mp, struct pxr_schema *sch,
    struct pxr_error *err)
{
	struct comp *K = mp->state;

	(void)err;
	K->sch = sch;
	pxr_rules_bind(K->R, sch);
	K->f_id = pxr_field_ref(sch, PXR_F_INCIDENT_ID);
	K->f_rule = pxr_field_ref(sch, PXR_F_RULE);
	K->f_tier = pxr_field_ref(sch, PXR_F_TIER);
	K->f_cust = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	K->f_cur = pxr_field_ref(sch, PXR_F_CURRENCY);
	K->f_measure = pxr_field_ref(sch, PXR_F_MEASURE);
	K->f_unit = pxr_field_ref(sch, PXR_F_UNIT);
	K->f_kind = pxr_field_add(sch, PXR_F_COMP_KIND);
	K->f_amount = pxr_field_add(sch, PXR_F_COMP_AMOUNT_MINOR);
	K->f_currency = pxr_field_add(sch, PXR_F_COMP_CURRENCY);
	K->f_percent = pxr_field_add(sch, PXR_F_COMP_PERCENT);
	K->f_item = pxr_field_add(sch, PXR_F_COMP_ITEM);
	K->f_code = pxr_field_add(sch, PXR_F_COMP_CODE);
	K->f_valid = pxr_field_add(sch, PXR_F_COMP_VALID_UNTIL);
	K->f_status = pxr_field_add(sch, PXR_F_COMP_STATUS);
	K->f_strat = K->R->notify.f_strategy != NULL ? pxr_schema_ref(sch,
	    K->R->notify.f_strategy, strlen(K->R->notify.f_strategy)) :
	    PXR_NOFIELD;
	return 0;
}

/* Put "rule R: compensation[i]: what: " before the error's text; -1. */
static int
rerr(struct pxr_error *err, const struct pxr_rule *r, size_t i,
    const char *what)
{
	char text[sizeof(err->text)];

	snprintf(text, sizeof(text), "%s", err->text);
	return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
	    "compensation[%zu]: %s: %s", r->id, i, what, text);
}

/* An integer count of minor units from a value; -1 if it is not one. */
static int
minor_units(struct pxr_error *err, struct pxr_value *v, int64_t *out)
{
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_money_parse_minor(v->s, v->n, out, err) < 0) {
			if (v->field != NULL) {
				char text[sizeof(err->text)];

				snprintf(text, sizeof(text), "%s", err->text);
				pxr_error_set(err, PXR_EXIT_DATAERR,
				    "column '%s': %s", v->field, text);
			}
			return -1;
		}
		return 0;
	}
	if (v->t == PXR_V_INT) {
		*out = v->i;
		return 0;
	}
	if (v->t == PXR_V_DBL)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "not a whole "
		    "number of minor units: %.15g", v->d);
	return pxr_error_set(err, PXR_EXIT_DATAERR, "expected minor "
	    "units, got %s", pxr_vt_name(v->t));
}

/* The amount of entry e (index i of rule r) for the incident in env. */
static int
amount_of(struct comp *K, struct pxr_error *err, const struct pxr_rule *r,
    size_t i, const struct pxr_comp *e, struct pxr_env *env,
    struct plan *pl)
{
	struct pxr_value v;

	(void)K;
	if (e->has_fixed)
		pl->amount = e->fixed_minor;
	else if (e->has_percent) {
		int64_t of;

		if (pxr_expr_eval(e->of, env, &v, err) < 0)
			return rerr(err, r, i, "of");
		if (v.t == PXR_V_NULL)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
			    "compensation[%zu]: of: null (nothing to take %s "
			    "of)", r->id, i, "a percentage");
		if (minor_units(err, &v, &of) < 0)
			return rerr(err, r, i, "of");
		if (pxr_money_percent(of, e->percent_bp, e->round,
		    &pl->amount) < 0)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
			    "compensation[%zu]: amount out of range", r->id, i);
		pl->has_percent = 1;
		pl->percent_bp = e->percent_bp;
	} else if (e->amount != NULL) {
		if (pxr_expr_eval(e->amount, env, &v, err) < 0)
			return rerr(err, r, i, "amount");
		if (v.t == PXR_V_NULL)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
			    "compensation[%zu]: amount: null", r->id, i);
		if (minor_units(err, &v, &pl->amount) < 0)
			return rerr(err, r, i, "amount");
	}
	if (pl->amount < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
		    "compensation[%zu]: a negative amount (%lld)", r->id, i,
		    (long long)pl->amount);
	if (e->has_min && pl->amount < e->min_minor)
		pl->amount = e->min_minor;
	if (e->has_max && pl->amount > e->max_minor)
		pl->amount = e->max_minor;
	return 0;
}

/* The currency: the entry's expression, the field, the default. */
static int
currency_of(struct comp *K, struct pxr_error *err, const struct pxr_rule *r,
    size_t i, const struct pxr_comp *e, struct pxr_env *env,
    const struct pxr_rec *rec, struct plan *pl)
{
	const struct pxr_val *cv;
	struct pxr_value v;

	if (e->currency != NULL) {
		if (pxr_expr_eval(e->currency, env, &v, err) < 0)
			return rerr(err, r, i, "currency");
		pxr_buf_reset(&K->tmp);
		pxr_value_text(&v, K->R->tz, &K->tmp);
		snprintf(pl->currency, sizeof(pl->currency), "%s",
		    K->tmp.p != NULL ? K->tmp.p : "");
		if (K->tmp.len != 3 || pxr_currency_exponent(pl->currency) < 0)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule "
			    "%s: compensation[%zu]: currency: '%s' is not an "
			    "ISO 4217 code", r->id, i, K->tmp.p != NULL ?
			    K->tmp.p : "");
	} else if (!PXR_ISNULL(cv = pxr_rec_get(rec, K->f_cur))) {
		if (cv->n == 3) {
			memcpy(pl->currency, cv->s, 3);
			pl->currency[3] = '\0';
		}
		if (cv->n != 3 || pxr_currency_exponent(pl->currency) < 0)
			return pxr_error_set(err, PXR_EXIT_DATAERR, "column "
			    "'currency': '%.*s' is not an ISO 4217 code",
			    (int)(cv->n > 20 ? 20 : cv->n), cv->s);
	} else if (K->R->currency != NULL)
		snprintf(pl->currency, sizeof(pl->currency), "%s",
		    K->R->currency);
	else if (pl->has_amount)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: no "
		    "currency: no 'currency' field and no defaults.currency",
		    r->id);
	return 0;
}

/*
 * Amounts written in the rules are in a stated currency, never the same
 * number in other units: fixed_minor, min_minor and max_minor in the
 * entry's currency when that is a constant ("'JPY'"), else in
 * defaults.currency; the limits in defaults.currency.  -1 (a bad
 * record) when the compensation's currency is another.
 */
static int
stated(struct comp *K, struct pxr_error *err, const struct pxr_rule *r,
    size_t i, const struct pxr_comp *e, const struct plan *pl)
{
	const char *what = NULL, *in = K->R->currency, *by = "defaults.currency";
	const char **names;
	int *cols;

	if (!pl->has_amount)
		return 0;
	if (e->has_fixed || e->has_min || e->has_max) {
		what = e->has_fixed ? "fixed_minor" : e->has_min ?
		    "min_minor" : "max_minor";
		if (e->currency != NULL && pxr_expr_fields(e->currency,
		    &names, &cols) == 0) {
			in = pl->currency;	/* a constant: stated */
			by = "its currency";
		}
		if (in == NULL || strcmp(in, pl->currency) != 0)
			goto bad;
	}
	if (K->R->has_cap || K->R->has_budget || K->R->has_approve ||
	    K->R->has_approve_night) {
		what = K->R->has_cap ? "limits.per_customer" :
		    K->R->has_budget ? "limits.batch_budget_minor" :
		    K->R->has_approve ? "limits.approve_above_minor" :
		    "limits.approve_night_above_minor";
		in = K->R->currency;
		by = "defaults.currency";
		if (in == NULL || strcmp(in, pl->currency) != 0)
			goto bad;
	}
	return 0;
bad:
	if (in == NULL)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
		    "compensation[%zu]: %s has no stated currency (set "
		    "defaults.currency), so it cannot be paid in %s", r->id, i,
		    what, pl->currency);
	return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
	    "compensation[%zu]: %s is in %s (%s), the compensation would be "
	    "in %s: refused, never the same number in other units", r->id,
	    i, what, in, by, pl->currency);
}

/*
 * What the compensation is for, when the rule says: "order_id=A1005"
 * (each subject expression's text and value, ':' between).
 */
static int
subject_of(struct comp *K, struct pxr_error *err, const struct pxr_rule *r,
    struct pxr_env *env, struct plan *pl)
{
	struct pxr_buf b = { 0 };
	struct pxr_value v;
	size_t i;

	for (i = 0; i < r->nsubject; i++) {
		const char *src = pxr_expr_src(r->subject[i]);

		if (pxr_expr_eval(r->subject[i], env, &v, err) < 0 ||
		    v.t == PXR_V_NULL) {
			char text[sizeof(err->text)];

			snprintf(text, sizeof(text), "%s", v.t == PXR_V_NULL ?
			    "null (nothing to tell the subject by)" : err->text);
			pxr_buf_free(&b);
			return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: "
			    "subject[%zu]: %s", r->id, i, text);
		}
		if (i > 0)
			pxr_buf_addc(&b, ':');
		pxr_id_part(&b, src, strlen(src));
		pxr_buf_addc(&b, '=');
		pxr_buf_reset(&K->tmp);
		pxr_value_text(&v, K->R->tz, &K->tmp);
		pxr_id_part(&b, K->tmp.p != NULL ? K->tmp.p : "", K->tmp.len);
	}
	pl->subject = b.p;	/* NULL when the rule has none */
	return 0;
}

/* Decide what rec gets by its rule alone: *pl. */
/*
 * The customer's strategy (PXR_STRAT_*) from the field that
 * notify.fields.strategy names; -1: none given; -2 and err: not one.
 */
static int
strategy_of(struct comp *K, struct pxr_rec *rec, struct pxr_error *err)
{
	const struct pxr_val *v;
	int k;

	if (K->f_strat == PXR_NOFIELD)
		return -1;
	v = pxr_rec_get(rec, K->f_strat);
	if (PXR_ISNULL(v) || v->n == 0)
		return -1;
	if ((k = pxr_strategy_of(v->s, v->n)) >= 0)
		return k;
	pxr_error_set(err, PXR_EXIT_DATAERR, "field %s: unknown strategy "
	    "'%.*s' (quick-response, advisory, coaching or automatic)",
	    K->R->notify.f_strategy, (int)v->n, v->s);
	return -2;
}

/*
 * Whether entry x is for a customer of strategy strat (-1: none): an
 * entry with when_strategy for those it names; one without for all but
 * quick-response customers, who are told, not compensated, unless an
 * entry names them.
 */
static int
strategy_fits(const struct pxr_comp *x, int strat)
{
	if (x->strategies != 0)
		return strat >= 0 && (x->strategies & (1 << strat)) != 0;
	return strat != PXR_STRAT_QUICK;
}

static int
plan(struct comp *K, struct pxr_error *err, struct pxr_rec *rec,
    struct plan *pl)
{
	struct pxr_rule *r = pxr_stage_rule(K->R, rec, K->f_rule, &K->last,
	    err);
	const struct pxr_val *tv;
	struct pxr_env env;
	struct pxr_comp *e = NULL;
	size_t i;
	int rc, strat;

	memset(pl, 0, sizeof(*pl));
	if (r == NULL)
		return -1;
	if ((strat = strategy_of(K, rec, err)) == -2)
		return -1;
	pl->rule = r->id;
	pl->survey = r->survey;
	if (PXR_ISNULL(pxr_rec_get(rec, K->f_id)))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "no "
		    "incident_id: is this the output of pxr-detect?");
	tv = pxr_rec_get(rec, K->f_tier);
	pxr_arena_reset(&K->scratch);
	env.now = K->now;
	env.tz = K->R->tz;
	env.rec = rec;
	env.arena = &K->scratch;
	for (i = 0; i < r->ncomp; i++) {
		struct pxr_comp *x = &r->comp[i];

		if (x->tier != NULL && (PXR_ISNULL(tv) || strlen(x->tier) !=
		    tv->n || memcmp(x->tier, tv->s, tv->n) != 0))
			continue;
		if (!strategy_fits(x, strat))
			continue;
		if (x->when != NULL) {
			if ((rc = pxr_expr_test(x->when, &env, err)) < 0)
				return rerr(err, r, i, "when");
			if (rc == 0)
				continue;
		}
		e = x;
		break;
	}
	if (e == NULL || strcmp(e->kind, "none") == 0)
		return 0;
	pl->kind = e->kind;
	pl->item = e->item;
	pl->offer = strat == PXR_STRAT_ADVISORY || strat == PXR_STRAT_COACHING;
	pl->offer_valid = e->offer_valid;
	pl->has_valid = e->has_valid;
	pl->valid = e->valid;
	if (strcmp(e->kind, "gift") != 0 || e->has_fixed || e->has_percent ||
	    e->amount != NULL) {
		pl->has_amount = 1;
		if (amount_of(K, err, r, i, e, &env, pl) < 0)
			return -1;
	}
	if (currency_of(K, err, r, i, e, &env, rec, pl) < 0 ||
	    stated(K, err, r, i, e, pl) < 0)
		return -1;
	return subject_of(K, err, r, &env, pl);
}

/* A voucher code: ten characters of an alphabet without look-alikes. */
static int
voucher_code(char *out, struct pxr_error *err)
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	unsigned char rnd[10];
	size_t i, k = 0;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		FILE *fp = fopen("/dev/urandom", "re");
		size_t got = fp != NULL ? fread(rnd, 1, sizeof(rnd), fp) : 0;

		if (fp != NULL)
			fclose(fp);
		if (got != sizeof(rnd))	/* no randomness: never a weak code */
			return pxr_error_set(err, PXR_EXIT_IOERR, "no random "
			    "bytes for a voucher code");
	}
	for (i = 0; i < sizeof(rnd); i++) {
		if (i == 5)
			out[k++] = '-';
		out[k++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	}
	out[k] = '\0';
	return 0;
}

static void
set_text(struct pxr_rec *rec, size_t f, const char *s)
{
	if (s == NULL || *s == '\0')
		pxr_rec_setnull(rec, f);
	else
		pxr_rec_set(rec, f, PXR_STR, s, strlen(s));
}

/* Already issued: the ledger's values, as they were. */
static void
set_duplicate(struct comp *K, struct pxr_rec *rec, const struct plan *pl,
    const struct entry *e)
{
	set_text(rec, K->f_kind, e->f[E_KIND]);
	if (pl->has_amount || strcmp(e->f[E_AMOUNT], "0") != 0)
		pxr_rec_set(rec, K->f_amount, PXR_NUM, e->f[E_AMOUNT],
		    strlen(e->f[E_AMOUNT]));
	else
		pxr_rec_setnull(rec, K->f_amount);
	set_text(rec, K->f_currency, e->f[E_CUR]);
	set_text(rec, K->f_code, e->f[E_CODE]);
	set_text(rec, K->f_valid, e->f[E_VALID]);
}

/* Reduce *amt to what a limit of `limit` leaves beside `sum`. */
static void
limit(int64_t limit, int64_t sum, int64_t *amt, const char **status)
{
	int64_t room;

	(void)pxr_money_sub(limit, sum, &room);
	if (room < *amt) {
		*amt = room > 0 ? room : 0;
		*status = *amt > 0 ? "capped" : "over_budget";
	}
}

/*
 * Must amt (in cur) wait for approval: above limits.approve_above_minor,
 * or above what limits.approve_night_above_minor leaves of this run's
 * total?  What does not wait is added to the run's total.
 */
static int
needs_approval(struct comp *K, const char *cur, int64_t amt)
{
	struct total *t;
	int64_t sum;

	if (K->R->has_approve && amt > K->R->approve_minor)
		return 1;
	if (!K->R->has_approve_night)
		return 0;
	t = total_of(K, &K->night, cur, strlen(cur));
	sum = t->sum;
	if (pxr_money_add(&sum, amt) < 0 || sum > K->R->approve_night_minor)
		return 1;
	t->sum = sum;
	return 0;
}

/* The evidence of a new row: run, rule file, measure and unit. */
static void
evidence(struct comp *K, const struct pxr_rec *rec, const char **f)
{
	const struct pxr_val *mv = pxr_rec_get(rec, K->f_measure);
	const struct pxr_val *uv = pxr_rec_get(rec, K->f_unit);

	f[L_RUN] = K->run;
	f[L_SHA] = K->sha;
	f[L_MEAS] = PXR_ISNULL(mv) ? "" : mv->s;
	f[L_UNIT] = PXR_ISNULL(uv) ? "" : uv->s;
	f[L_REASON] = "";
}

/*
 * An approved compensation handed on now: a row of state issued (the
 * ledger's values, this run's evidence), so that it is handed on once.
 */
static void
release(struct comp *K, const struct pxr_rec *rec, const struct plan *pl,
    struct entry *e)
{
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const struct pxr_val *tv = pxr_rec_get(rec, K->f_tier);
	const char *f[L_N];

	evidence(K, rec, f);
	f[L_AT] = K->now_text;
	f[L_ID] = pxr_rec_get(rec, K->f_id)->s;
	f[L_CUST] = PXR_ISNULL(cv) ? "" : cv->s;
	f[L_RULE] = pl->rule;
	f[L_TIER] = PXR_ISNULL(tv) ? "" : tv->s;
	f[L_KIND] = e->f[E_KIND];
	f[L_AMOUNT] = e->f[E_AMOUNT];
	f[L_CUR] = e->f[E_CUR];
	f[L_CODE] = e->f[E_CODE];
	f[L_VALID] = e->f[E_VALID];
	f[L_SUBJ] = pl->subject != NULL ? pl->subject : "";
	f[L_STATE] = pxr_ledger_state_name(PXR_LG_ISSUED);
	if (K->st != NULL && !K->dry)
		pxr_state_add(K->st, f);
	e->state = PXR_LG_ISSUED;
}

/* A new compensation: limits, code, validity; queued for the ledger. */
static int
issue(struct comp *K, struct pxr_error *err, struct pxr_rec *rec,
    const struct plan *pl, int64_t amt, const char **status)
{
	enum pxr_lg_state state = PXR_LG_ISSUED;
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const struct pxr_val *tv = pxr_rec_get(rec, K->f_tier);
	char code[16] = "", valid[40] = "", amount[32];
	const char *f[L_N];
	char *lf[L_N];
	size_t ll[L_N], k;

	if (pl->has_amount && K->R->has_cap && amt > 0)
		limit(K->R->cap_minor, cust_total(K, PXR_ISNULL(cv) ? "" :
		    cv->s, PXR_ISNULL(cv) ? 0 : cv->n, pl->currency)->sum, &amt,
		    status);
	if (pl->has_amount && K->R->has_budget && amt > 0) {
		struct total *t = total_of(K, &K->budget, pl->currency,
		    strlen(pl->currency));

		limit(K->R->budget_minor, t->sum, &amt, status);
		(void)pxr_money_add(&t->sum, amt);
	}
	if (pl->offer) {
		/* Paid only when accepted (pxr-compensate --acceptances). */
		state = PXR_LG_OFFERED;
		*status = pxr_ledger_state_name(state);
	} else if (pl->has_amount && amt > 0 && needs_approval(K,
	    pl->currency, amt)) {
		state = PXR_LG_PENDING;
		*status = pxr_ledger_state_name(state);
	}
	/* An offer has a code to accept it by, and stands offer_valid. */
	if ((strcmp(pl->kind, "voucher") == 0 || pl->offer ||
	    strcmp(pl->kind, "discount") == 0) && voucher_code(code, err) < 0)
		return -1;
	if (pl->has_valid || pl->offer) {
		struct pxr_buf b = { 0 };

		pxr_time_format(&b, K->now + (pl->offer ? pl->offer_valid :
		    pl->valid));
		snprintf(valid, sizeof(valid), "%s", b.p);
		pxr_buf_free(&b);
	}
	snprintf(amount, sizeof(amount), "%lld",
	    (long long)(pl->has_amount ? amt : 0));
	f[L_AT] = K->now_text;
	f[L_ID] = idv->s;
	f[L_CUST] = PXR_ISNULL(cv) ? "" : cv->s;
	f[L_RULE] = pl->rule;
	f[L_TIER] = PXR_ISNULL(tv) ? "" : tv->s;
	f[L_KIND] = pl->kind;
	f[L_AMOUNT] = amount;
	f[L_CUR] = pl->currency;
	f[L_CODE] = code;
	f[L_VALID] = valid;
	f[L_SUBJ] = pl->subject != NULL ? pl->subject : "";
	evidence(K, rec, f);
	f[L_STATE] = pxr_ledger_state_name(state);
	if (K->st != NULL && !K->dry)
		pxr_state_add(K->st, f);
	/* Known at once: a repeat in this run is a duplicate. */
	for (k = 0; k < L_N; k++) {
		lf[k] = (char *)f[k];
		ll[k] = strlen(f[k]);
	}
	add_entry(K, lf, ll, state);
	if (pl->offer)
		note_offer(K, lf, ll, 0);
	else
		note_paid(K, f[L_CUST], ll[L_CUST], K->now_text);
	/* The row just written, counted from the values in hand. */
	if (pl->has_amount && !pl->offer)
		count_at(K, f[L_CUST], ll[L_CUST], pl->currency, K->now,
		    amt);
	if (pl->subject != NULL && !pl->offer)
		subj_paid(K, pl->subject, pl->currency, pl->has_amount ? amt :
		    0);
	set_text(rec, K->f_kind, pl->kind);
	if (pl->has_amount)
		pxr_rec_set(rec, K->f_amount, PXR_NUM, amount, strlen(amount));
	else
		pxr_rec_setnull(rec, K->f_amount);
	set_text(rec, K->f_currency, pl->currency);
	set_text(rec, K->f_code, code);
	set_text(rec, K->f_valid, valid);
	return 0;
}

/*
 * The ledger's entry of rec's incident when its customer was erased
 * (pxr-ledger forget) since: found as it is (e), its customer now a
 * pseudonym, or by the incident id with the customer id turned into its
 * pseudonym; else NULL.
 */
static struct entry *
erased_entry(struct comp *K, const struct pxr_rec *rec, struct entry *e)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	char pn[PXR_PSEUDO_LEN];

	if (K->pseudo == NULL || PXR_ISNULL(cv) || cv->n == 0)
		return NULL;
	if (e != NULL) {
		if (strncmp(e->f[E_CUST], "pn-", 3) != 0)
			return NULL;
		pxr_pseudo_of(K->pseudo, cv->s, cv->n, pn);
		return strcmp(e->f[E_CUST], pn) == 0 ? e : NULL;
	}
	if (pxr_pseudo_text(K->pseudo, idv->s, idv->n, cv->s, cv->n,
	    &K->tmp) == 0)
		return NULL;
	return find_entry(K, K->tmp.p, K->tmp.len);
}

/* Decide one held record against the ledger; its fields set. */
static int
decide(struct comp *K, struct pxr_error *err, struct pxr_rec *rec,
    const struct plan *pl)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const char *status = "issued";
	struct entry *e = find_entry(K, idv->s, idv->n), *x;
	struct subj *s;

	if ((x = erased_entry(K, rec, e)) != NULL) {
		e = x;
		/* Paid and told before its customer was erased: never again. */
		set_duplicate(K, rec, pl, e);
		status = "erased";
	} else if (e != NULL) {
		set_duplicate(K, rec, pl, e);
		status = "duplicate";
		if (e->state == PXR_LG_APPROVED) {
			release(K, rec, pl, e);
			status = "issued";
		} else if (e->state != PXR_LG_ISSUED)
			status = pxr_ledger_state_name(e->state);
	} else if (pl->kind == NULL) {
		pxr_rec_setref(rec, K->f_kind, PXR_STR, "none", 4);
		pxr_rec_setnull(rec, K->f_amount);
		pxr_rec_setnull(rec, K->f_currency);
		pxr_rec_setnull(rec, K->f_code);
		pxr_rec_setnull(rec, K->f_valid);
		status = "none";
	} else if ((s = pl->subject != NULL ? pxr_hmap_get(&K->subjects,
	    pl->subject, strlen(pl->subject)) : NULL) != NULL) {
		/* Paid for before: only what this one is owed beyond that. */
		int64_t owed = pl->has_amount ? pl->amount : 0;

		if (strcmp(s->cur, pl->currency) != 0 && pl->has_amount)
			pxr_mapper_say(K->m, PXR_SAY_WARN, "incident %s: "
			    "subject %s was paid in %s, not paid again in %s",
			    idv->s, pl->subject, s->cur, pl->currency);
		if (strcmp(s->cur, pl->currency) != 0 || owed <= s->paid) {
			set_text(rec, K->f_kind, pl->kind);
			if (pl->has_amount)
				pxr_rec_setref(rec, K->f_amount, PXR_NUM, "0",
				    1);
			else
				pxr_rec_setnull(rec, K->f_amount);
			set_text(rec, K->f_currency, pl->currency);
			pxr_rec_setnull(rec, K->f_code);
			pxr_rec_setnull(rec, K->f_valid);
			status = "duplicate-subject";
		} else {
			status = "top-up";
			if (issue(K, err, rec, pl, owed - s->paid, &status) < 0)
				return -1;
		}
	} else if (issue(K, err, rec, pl, pl->amount, &status) < 0)
		return -1;
	pxr_buf_reset(&K->tmp);
	if (pl->has_percent)
		pxr_percent_format(&K->tmp, pl->percent_bp);
	if (K->tmp.len > 0)
		pxr_rec_set(rec, K->f_percent, PXR_NUM, K->tmp.p, K->tmp.len);
	else
		pxr_rec_setnull(rec, K->f_percent);
	set_text(rec, K->f_item, pl->item);
	pxr_rec_setref(rec, K->f_status, PXR_STR, status, strlen(status));
	return 0;
}

/* Decide, record and emit the batch. */
static int
flush_batch(struct comp *K, struct pxr_error *err)
{
	struct pxr_rec rec;
	size_t i;
	int rc = 0;

	if (K->nbatch == 0)
		return 0;
	if (K->st != NULL && pxr_state_lock(K->st, K->lock_ms, err) < 0)
		return -2;
	if (refresh(K, err) < 0) {
		pxr_state_unlock(K->st);
		return -2;
	}
	pxr_rec_init(&rec, K->sch);
	/*
	 * Decide, then check that every record can be passed on, then
	 * commit, then emit: nothing is paid that downstream never hears of.
	 * (Each record was checked as it came, so that a bad one followed
	 * --on-error; what the decision added is checked here.)
	 */
	for (i = 0; i < K->nbatch && rc == 0; i++) {
		pxr_rec_unpack(&rec, K->batch[i].p);
		if (survey_left_out(K, &rec, &K->batch[i]))
			continue;
		if (decide(K, err, &rec, &K->batch[i]) < 0)
			rc = -2;
		else if (pxr_mapper_check(K->m, &rec, err) < 0) {
			char text[sizeof(err->text)];

			snprintf(text, sizeof(text), "%s", err->text);
			pxr_error_set(err, PXR_EXIT_DATAERR, "%s (nothing of "
			    "this batch was recorded)", text);
			rc = -2;
		} else	/* Packed for emission after the commit. */
			pxr_rec_repack(&K->batch[i].p, &rec);
	}
	if (rc < 0 && K->st != NULL)
		pxr_state_discard(K->st);
	/* The ledger is durable before anyone downstream hears of it. */
	if (rc == 0 && K->st != NULL && !K->dry &&
	    pxr_state_commit(K->st, err) < 0)
		rc = -2;
	if (K->st != NULL)
		pxr_state_unlock(K->st);
	for (i = 0; i < K->nbatch; i++) {
		if (rc == 0 && !K->batch[i].left_out) {
			pxr_rec_unpack(&rec, K->batch[i].p);
			if (pxr_mapper_emit(K->m, &rec, err) < 0)
				rc = -2;
		}
		free(K->batch[i].p);
		free(K->batch[i].subject);
	}
	K->nbatch = 0;
	pxr_rec_fini(&rec);
	return rc;
}

static int
comp_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct comp *K = mp->state;
	struct plan pl;

	if (plan(K, err, rec, &pl) < 0)
		return -1;
	if (pxr_mapper_check(mp, rec, err) < 0) {
		free(pl.subject);
		return -1;
	}
	/* A plan points into the rules only; the record is packed. */
	pl.p = pxr_rec_pack(rec);
	K->batch[K->nbatch++] = pl;
	if (K->nbatch == BATCH)
		return flush_batch(K, err);
	return 0;
}

/*
 * Book the offers the customers accepted (--acceptances), each once,
 * under the ledger's lock: a row of state issued (this run's time and
 * evidence, the offer's other columns), within the customer's cap; an
 * expired offer is never issued.
 */
static int
accept_offers(struct comp *K, struct pxr_error *err)
{
	struct pxr_buf b = { 0 };
	size_t i, k;
	int rc = 0;

	if (K->nacc == 0 || K->st == NULL)
		return 0;
	if (pxr_state_lock(K->st, K->lock_ms, err) < 0)
		return -2;
	if (refresh(K, err) < 0) {
		pxr_state_unlock(K->st);
		return -2;
	}
	for (i = 0; i < K->nacc; i++) {
		const struct pxr_acceptance *a = &K->acc[i];
		struct offer *o = pxr_hmap_get(&K->offers, a->code,
		    strlen(a->code));
		const char *f[L_N], *st = "issued";
		struct pxr_error e;
		struct entry *en;
		char amount[32];
		int64_t amt;

		if (o == NULL || o->f[L_ID] == NULL) {
			pxr_mapper_say(K->m, PXR_SAY_WARN, "%s: no offer has "
			    "the code %s: nothing booked", a->where, a->code);
			continue;
		}
		if (o->accepted) {
			pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "offer %s "
			    "(incident %s): accepted before, booked once",
			    a->code, o->f[L_ID]);
			continue;
		}
		if (a->at > o->expires || a->at > K->now) {
			pxr_mapper_say(K->m, PXR_SAY_WARN, "%s: offer %s "
			    "(incident %s) %s %s: never issued", a->where,
			    a->code, o->f[L_ID], a->at > K->now ? "accepted "
			    "after --now, not before" : "expired at",
			    a->at > K->now ? K->now_text : o->f[L_VALID]);
			continue;
		}
		if (pxr_money_parse_minor(o->f[L_AMOUNT], strlen(
		    o->f[L_AMOUNT]), &amt, &e) < 0)
			amt = 0;
		if (K->R->has_cap && amt > 0)
			limit(K->R->cap_minor, cust_total(K, o->f[L_CUST],
			    strlen(o->f[L_CUST]), o->f[L_CUR])->sum, &amt, &st);
		snprintf(amount, sizeof(amount), "%lld", (long long)amt);
		for (k = 0; k < L_N; k++)
			f[k] = o->f[k];
		f[L_AT] = K->now_text;
		f[L_AMOUNT] = amount;
		f[L_RUN] = K->run != NULL ? K->run : "";
		f[L_STATE] = pxr_ledger_state_name(PXR_LG_ISSUED);
		if (!K->dry)
			pxr_state_add(K->st, f);
		o->accepted = 1;
		if ((en = find_entry(K, o->f[L_ID], strlen(o->f[L_ID]))) != NULL)
			en->state = PXR_LG_ISSUED;
		count_row(K, o->f[L_CUST], strlen(o->f[L_CUST]), o->f[L_CUR],
		    K->now_text, amount);
		note_paid(K, o->f[L_CUST], strlen(o->f[L_CUST]), K->now_text);
		pxr_buf_reset(&b);
		pxr_time_format(&b, a->at);
		pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "offer %s (incident %s) "
		    "accepted at %s: %s %s %s issued to customer %s%s",
		    a->code, o->f[L_ID], b.p, o->f[L_KIND], amount,
		    o->f[L_CUR], o->f[L_CUST], strcmp(st, "issued") != 0 ?
		    " (capped)" : "");
	}
	pxr_buf_free(&b);
	if (!K->dry && pxr_state_commit(K->st, err) < 0)
		rc = -2;
	pxr_state_unlock(K->st);
	K->nacc = 0;
	return rc;
}

static int
comp_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	if (accept_offers(mp->state, err) < 0)
		return -2;
	return flush_batch(mp->state, err);
}

static void
comp_free(void *p)
{
	struct comp *K = p;
	size_t i;

	if (K == NULL)
		return;
	for (i = 0; i < K->nbatch; i++) {
		free(K->batch[i].p);
		free(K->batch[i].subject);
	}
	free(K->batch);
	pxr_state_close(K->st);
	pxr_hmap_fini(&K->entries, NULL);
	pxr_hmap_fini(&K->totals, NULL);
	pxr_hmap_fini(&K->budget, NULL);
	pxr_hmap_fini(&K->night, NULL);
	free(K->run);
	pxr_pseudo_free(K->pseudo);
	pxr_hmap_fini(&K->subjects, NULL);
	pxr_hmap_fini(&K->lastpaid, NULL);
	pxr_hmap_fini(&K->offers, NULL);
	pxr_arena_free(&K->mem);
	pxr_arena_free(&K->scratch);
	pxr_buf_free(&K->tmp);
	free(K);
}

struct pxr_mapper *
pxr_compensate_new(const struct pxr_compensate_opts *o, struct pxr_rules *R,
    struct pxr_error *err)
{
	struct pxr_state_opts so = { 0 };
	struct pxr_buf b = { 0 };
	struct comp *K;
	size_t i;
	int missing;

	K = pxr_calloc(1, sizeof(*K));
	K->R = R;
	K->ledger = o->ledger;
	K->lock_ms = o->lock_ms;
	K->dry = o->dry_run;
	K->acc = o->acceptances;
	K->nacc = o->nacceptances;
	K->use_offers = R->notify.f_strategy != NULL;
	K->now = o->now;
	pxr_time_format(&b, K->now);
	snprintf(K->now_text, sizeof(K->now_text), "%s", b.p);
	pxr_buf_free(&b);
	K->run = pxr_strdup(o->run_id != NULL ? o->run_id : K->now_text);
	if (R->path != NULL && pxr_sha256_file(R->path, K->sha) < 0)
		K->sha[0] = '\0';	/* read a moment ago: evidence only */
	if (o->ledger != NULL) {
		so.readonly = o->dry_run;
		so.checked = 1;
		so.nrequired = L_OLD;
		K->st = pxr_state_open_opts(o->ledger, pxr_ledger_cols, &so,
		    err);
		if (K->st == NULL || ((K->pseudo = pxr_pseudo_open_near(
		    o->ledger, 0, &missing, err)) == NULL && !missing)) {
			comp_free(K);
			return NULL;
		}
	}
	for (i = 0; i < R->nrules; i++)
		if (R->rules[i].nsubject > 0)
			K->use_subjects = 1;
	K->batch = pxr_calloc(BATCH, sizeof(*K->batch));
	K->m = pxr_mapper_new("compensate", K, comp_bind, comp_map, comp_end,
	    comp_free);
	return K->m;
}
