/* compensate_ledger.c: the compensation stage's ledger (compensate_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compensate_int.h"
#include "fields.h"
#include "money.h"
#include "rules.h"

/* The entry of incident id (n bytes), or NULL. */
struct entry *
pxr_comp_find_entry(struct comp *K, const char *id, size_t n)
{
	return pxr_hmap_get(&K->entries, id, n);
}

/* Keep a ledger row as its incident's entry (the stage's arena). */
struct entry *
pxr_comp_add_entry(struct comp *K, char **f, size_t *lens,
    enum pxr_lg_state state)
{
	struct pxr_error err;
	struct entry *e;
	void **slot;
	size_t i, size = sizeof(*e);
	char *p;

	for (i = 0; i < E_N; i++)
		size += lens[pxr_comp_shown[i]] + 1;
	e = pxr_arena_alloc(&K->mem, size);
	p = (char *)(e + 1);
	for (i = 0; i < E_N; i++) {
		memcpy(p, f[pxr_comp_shown[i]], lens[pxr_comp_shown[i]]);
		p[lens[pxr_comp_shown[i]]] = '\0';
		e->f[i] = p;
		p += lens[pxr_comp_shown[i]] + 1;
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
struct total *
pxr_comp_total_of(struct comp *K, struct pxr_hmap *map, const char *key,
    size_t n)
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
void
pxr_comp_subj_paid(struct comp *K, const char *s, const char *cur,
    int64_t amount)
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
struct total *
pxr_comp_cust_total(struct comp *K, const char *cust, size_t cn,
    const char *cur)
{
	pxr_buf_reset(&K->tmp);
	pxr_buf_add(&K->tmp, cust, cn);
	pxr_buf_addc(&K->tmp, '\0');
	pxr_buf_adds(&K->tmp, cur);
	return pxr_comp_total_of(K, &K->totals, K->tmp.p, K->tmp.len);
}

/* Count amount a paid at t into the customer's total when in the period. */
void
pxr_comp_count_at(struct comp *K, const char *cust, size_t cn, const char *cur,
    int64_t t, int64_t a)
{
	if (K->R->has_cap && t > K->now - K->R->cap_period && t <= K->now)
		(void)pxr_money_add(&pxr_comp_cust_total(K, cust, cn,
		    cur)->sum, a);
}

/* Count a ledger row (its texts) as count_at does. */
void
pxr_comp_count_row(struct comp *K, const char *cust, size_t cn, const char *cur,
    const char *at, const char *amount)
{
	struct pxr_error e;
	int64_t t, a;

	if (!K->R->has_cap || pxr_time_parse(at, strlen(at), NULL, &t, NULL,
	    &e) < 0 || pxr_money_parse_minor(amount, strlen(amount), &a,
	    &e) < 0)
		return;
	pxr_comp_count_at(K, cust, cn, cur, t, a);
}

/*
 * Keep an offered ledger row by its code (to book it when accepted), or
 * (issued) mark its offer as taken: booked once.
 */
void
pxr_comp_note_offer(struct comp *K, char **f, size_t *lens, int issued)
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
void
pxr_comp_change_entry(struct comp *K, struct entry *e, char **f, size_t *lens,
    enum pxr_lg_state next)
{
	if (pxr_ledger_counts(e->state) && !pxr_ledger_counts(next)) {
		if (K->R->has_cap && e->at > K->now - K->R->cap_period &&
		    e->at <= K->now) {
			struct total *t = pxr_comp_cust_total(K, f[L_CUST],
			    lens[L_CUST], f[L_CUR]);

			(void)pxr_money_sub(t->sum, e->amount, &t->sum);
		}
		if (f[L_SUBJ][0] != '\0')
			pxr_comp_subj_paid(K, f[L_SUBJ], f[L_CUR], -e->amount);
	}
	if (e->state == PXR_LG_OFFERED && next == PXR_LG_ISSUED) {
		/* An offer accepted: it counts from its booking on. */
		pxr_comp_note_offer(K, f, lens, 1);
		pxr_comp_count_row(K, f[L_CUST], lens[L_CUST], f[L_CUR],
		    f[L_AT], f[L_AMOUNT]);
		pxr_comp_note_paid(K, f[L_CUST], lens[L_CUST], f[L_AT]);
		if (f[L_SUBJ][0] != '\0')
			pxr_comp_subj_paid(K, f[L_SUBJ], f[L_CUR], e->amount);
	}
	e->state = next;
}

int
pxr_comp_ledger_row(void *ctx, char **f, size_t *lens, long line)
{
	struct comp *K = ctx;
	struct entry *e = pxr_comp_find_entry(K, f[L_ID], lens[L_ID]);
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
		pxr_comp_change_entry(K, e, f, lens, next);
		return 0;
	}
	pxr_comp_add_entry(K, f, lens, next);
	if (next == PXR_LG_OFFERED) {
		/* Nothing is paid until the customer accepts. */
		pxr_comp_note_offer(K, f, lens, 0);
		return 0;
	}
	pxr_comp_count_row(K, f[L_CUST], lens[L_CUST], f[L_CUR], f[L_AT],
	    f[L_AMOUNT]);
	pxr_comp_note_paid(K, f[L_CUST], lens[L_CUST], f[L_AT]);
	if (f[L_SUBJ][0] != '\0') {
		struct pxr_error e;
		int64_t a;

		if (pxr_money_parse_minor(f[L_AMOUNT], lens[L_AMOUNT], &a,
		    &e) < 0)
			a = 0;
		pxr_comp_subj_paid(K, f[L_SUBJ], f[L_CUR], a);
	}
	return 0;
}

/* Read the rows other runs added; say so when a torn tail was cut. */
int
pxr_comp_refresh(struct comp *K, struct pxr_error *err)
{
	size_t torn;

	if (K->st == NULL)
		return 0;
	if (pxr_state_refresh(K->st, pxr_comp_ledger_row, K, &torn, err) < 0)
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

/*
 * Must amt (in cur) wait for approval: above limits.approve_above_minor,
 * or above what limits.approve_night_above_minor leaves of this run's
 * total?  What does not wait is added to the run's total.
 */
int
pxr_comp_needs_approval(struct comp *K, const char *cur, int64_t amt)
{
	struct total *t;
	int64_t sum;

	if (K->R->has_approve && amt > K->R->approve_minor)
		return 1;
	if (!K->R->has_approve_night)
		return 0;
	t = pxr_comp_total_of(K, &K->night, cur, strlen(cur));
	sum = t->sum;
	if (pxr_money_add(&sum, amt) < 0 || sum > K->R->approve_night_minor)
		return 1;
	t->sum = sum;
	return 0;
}

/* The evidence of a new row: run, rule file, measure and unit. */
void
pxr_comp_evidence(struct comp *K, const struct pxr_rec *rec, const char **f)
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
void
pxr_comp_release(struct comp *K, const struct pxr_rec *rec,
    const struct plan *pl,
    struct entry *e)
{
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const struct pxr_val *tv = pxr_rec_get(rec, K->f_tier);
	const char *f[L_N];

	pxr_comp_evidence(K, rec, f);
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

/*
 * The ledger's entry of rec's incident when its customer was erased
 * (pxr-ledger forget) since: found as it is (e), its customer now a
 * pseudonym, or by the incident id with the customer id turned into its
 * pseudonym; else NULL.
 */
struct entry *
pxr_comp_erased_entry(struct comp *K, const struct pxr_rec *rec,
    struct entry *e)
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
	return pxr_comp_find_entry(K, K->tmp.p, K->tmp.len);
}
