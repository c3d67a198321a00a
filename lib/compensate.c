/* compensate.c: compensations decided, recorded once, then emitted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "compensate_int.h"
#include "fields.h"
#include "hmap.h"
#include "ledger.h"
#include "money.h"
#include "pseudo.h"
#include "rules.h"
#include "sha256.h"
#include "state.h"

#define BATCH 4096

const int pxr_comp_shown[] = PXR_COMP_SHOWN;

/*
 * Note that customer cust (cn bytes) was compensated at the time text at:
 * a survey rule leaves them out for limits.no_survey_after.
 */
void
pxr_comp_note_paid(struct comp *K, const char *cust, size_t cn, const char *at)
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
		pl->of = of;
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
	pl->raw = pl->amount;
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
	pl->entry = e;
	pl->ientry = i;
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

/* --explain: the limit by (of max, sum so far) reduced the amount. */
static void
limited(struct comp *K, const char *by, int64_t max, int64_t sum)
{
	K->lim_by = by;
	K->lim_max = max;
	K->lim_sum = sum;
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
	const char *f[L_N], *was = *status;
	char *lf[L_N];
	size_t ll[L_N], k;

	if (pl->has_amount && K->R->has_cap && amt > 0) {
		int64_t sum = pxr_comp_cust_total(K, PXR_ISNULL(cv) ? "" :
		    cv->s, PXR_ISNULL(cv) ? 0 : cv->n, pl->currency)->sum;

		limit(K->R->cap_minor, sum, &amt, status);
		if (*status != was)
			limited(K, "limits.per_customer", K->R->cap_minor, sum);
	}
	if (pl->has_amount && K->R->has_budget && amt > 0) {
		struct total *t = pxr_comp_total_of(K, &K->budget, pl->currency,
		    strlen(pl->currency));

		was = *status;
		limit(K->R->budget_minor, t->sum, &amt, status);
		if (*status != was)
			limited(K, "limits.batch_budget_minor",
			    K->R->budget_minor, t->sum);
		(void)pxr_money_add(&t->sum, amt);
	}
	if (pl->offer) {
		/* Paid only when accepted (pxr-compensate --acceptances). */
		state = PXR_LG_OFFERED;
		*status = pxr_ledger_state_name(state);
	} else if (pl->has_amount && amt > 0 && pxr_comp_needs_approval(K,
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
	pxr_comp_evidence(K, rec, f);
	f[L_STATE] = pxr_ledger_state_name(state);
	if (K->st != NULL && !K->dry)
		pxr_state_add(K->st, f);
	/* Known at once: a repeat in this run is a duplicate. */
	for (k = 0; k < L_N; k++) {
		lf[k] = (char *)f[k];
		ll[k] = strlen(f[k]);
	}
	pxr_comp_add_entry(K, lf, ll, state);
	if (pl->offer)
		pxr_comp_note_offer(K, lf, ll, 0);
	else
		pxr_comp_note_paid(K, f[L_CUST], ll[L_CUST], K->now_text);
	/* The row just written, counted from the values in hand. */
	if (pl->has_amount && !pl->offer)
		pxr_comp_count_at(K, f[L_CUST], ll[L_CUST], pl->currency, K->now,
		    amt);
	if (pl->subject != NULL && !pl->offer)
		pxr_comp_subj_paid(K, pl->subject, pl->currency, pl->has_amount ? amt :
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

/* The rounding rules' names, by PXR_ROUND_*. */
static const char *const roundings[] = { "half-up", "half-even", "down",
	"up" };

/* --explain: which entry of the rule decided, and how its amount came. */
static void
explain_entry(struct pxr_buf *b, const struct plan *pl)
{
	const struct pxr_comp *e = pl->entry;

	pxr_buf_printf(b, "rule %s: ", pl->rule);
	if (e == NULL) {
		pxr_buf_adds(b, "no compensation entry matches");
		return;
	}
	pxr_buf_printf(b, "compensation[%zu] (tier %s", pl->ientry,
	    e->tier != NULL ? e->tier : "any");
	if (e->strategies != 0) {
		size_t k;

		pxr_buf_adds(b, ", when_strategy");
		for (k = 0; k < PXR_NSTRAT; k++)
			if (e->strategies & (1 << k))
				pxr_buf_printf(b, " %s", pxr_strategy_names[k]);
	}
	if (e->when != NULL)
		pxr_buf_printf(b, ", when %s", pxr_expr_src(e->when));
	pxr_buf_printf(b, "): %s", e->kind);
	if (!pl->has_amount)
		return;
	if (e->has_fixed)
		pxr_buf_printf(b, ", fixed_minor %lld", (long long)pl->raw);
	else if (e->has_percent) {
		pxr_buf_adds(b, ", ");
		pxr_percent_format(b, e->percent_bp);
		pxr_buf_printf(b, " %% of %s (%lld), rounded %s: %lld",
		    pxr_expr_src(e->of), (long long)pl->of,
		    roundings[e->round], (long long)pl->raw);
	} else if (e->amount != NULL)
		pxr_buf_printf(b, ", amount %s: %lld", pxr_expr_src(e->amount),
		    (long long)pl->raw);
	if (pl->amount != pl->raw)
		pxr_buf_printf(b, ", %s to %s %lld", pl->amount > pl->raw ?
		    "raised" : "lowered", pl->amount > pl->raw ? "min_minor" :
		    "max_minor", (long long)pl->amount);
	pxr_buf_printf(b, " %s", pl->currency);
}

/*
 * --explain: one line for rec: the entry and amount of its plan pl, then
 * what the ledger (e: the incident's row), a subject paid before (s) or
 * a limit made of it (status).
 */
static void
explain(struct comp *K, const struct pxr_rec *rec, const struct plan *pl,
    const struct entry *e, const struct subj *s, const char *status)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const struct pxr_val *av = pxr_rec_get(rec, K->f_amount);
	const char *pending = pxr_ledger_state_name(PXR_LG_PENDING);
	struct pxr_buf b = { 0 };

	explain_entry(&b, pl);
	pxr_buf_adds(&b, ": ");
	if (e != NULL && strcmp(status, "erased") == 0)
		pxr_buf_printf(&b, "paid before its customer was erased (%s "
		    "%s %s): nothing more", e->f[E_KIND], e->f[E_AMOUNT],
		    e->f[E_CUR]);
	else if (e != NULL && strcmp(status, "issued") == 0)
		pxr_buf_printf(&b, "approved in the ledger (pxr-ledger "
		    "approve): issued now, %s %s %s", e->f[E_KIND],
		    e->f[E_AMOUNT], e->f[E_CUR]);
	else if (e != NULL && strcmp(status, "duplicate") == 0)
		pxr_buf_printf(&b, "already in the ledger (%s %s %s): not "
		    "paid again", e->f[E_KIND], e->f[E_AMOUNT], e->f[E_CUR]);
	else if (e != NULL)
		pxr_buf_printf(&b, "in the ledger as %s (%s %s %s): not paid "
		    "now", status, e->f[E_KIND], e->f[E_AMOUNT], e->f[E_CUR]);
	else if (pl->kind == NULL)
		pxr_buf_adds(&b, "nothing to pay");
	else if (s != NULL && strcmp(status, "duplicate-subject") == 0)
		pxr_buf_printf(&b, "subject %s already paid %lld %s: not paid "
		    "again", pl->subject, (long long)s->paid, s->cur);
	else {
		if (s != NULL && strcmp(status, "top-up") == 0)
			pxr_buf_printf(&b, "subject %s already paid %lld %s: "
			    "the rest, ", pl->subject, (long long)s->paid -
			    (PXR_ISNULL(av) ? 0 : atoll(av->s)), s->cur);
		if (K->lim_by != NULL)
			pxr_buf_printf(&b, "reduced by %s (%lld, %lld so far "
			    "in %s): ", K->lim_by, (long long)K->lim_max,
			    (long long)K->lim_sum, pl->currency);
		if (strcmp(status, pending) == 0 && K->R->has_approve &&
		    !PXR_ISNULL(av) && atoll(av->s) > K->R->approve_minor)
			pxr_buf_printf(&b, "above limits.approve_above_minor "
			    "(%lld): ", (long long)K->R->approve_minor);
		else if (strcmp(status, pending) == 0)
			pxr_buf_printf(&b, "beyond what limits."
			    "approve_night_above_minor (%lld) leaves of the "
			    "night: ", (long long)K->R->approve_night_minor);
		else if (pl->offer)
			pxr_buf_adds(&b, "the customer's strategy makes it an "
			    "offer, booked when accepted: ");
		pxr_buf_printf(&b, "%s", status);
		if (!PXR_ISNULL(av))
			pxr_buf_printf(&b, " %.*s %s", (int)av->n, av->s,
			    pl->currency);
		if (pl->offer || strcmp(status, "offered") == 0)
			pxr_buf_printf(&b, " until %s", pxr_rec_get(rec,
			    K->f_valid)->s);
	}
	if (rec->line > 0)
		pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "%s:%ld: incident %.*s: "
		    "%s", rec->file != NULL ? rec->file : "-", rec->line,
		    (int)idv->n, idv->s, b.p);
	else	/* from held.csv */
		pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "%s: incident %.*s: %s",
		    K->held_path, (int)idv->n, idv->s, b.p);
	pxr_buf_free(&b);
}

/* Decide one held record against the ledger; its fields set. */
static int
decide(struct comp *K, struct pxr_error *err, struct pxr_rec *rec,
    const struct plan *pl)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const char *status = "issued";
	struct entry *e = pxr_comp_find_entry(K, idv->s, idv->n), *x;
	struct subj *s = NULL;

	if ((x = pxr_comp_erased_entry(K, rec, e)) != NULL) {
		e = x;
		/* Paid and told before its customer was erased: never again. */
		set_duplicate(K, rec, pl, e);
		status = "erased";
	} else if (e != NULL) {
		set_duplicate(K, rec, pl, e);
		status = "duplicate";
		if (e->state == PXR_LG_APPROVED) {
			pxr_comp_release(K, rec, pl, e);
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
	if (K->m->explain)
		explain(K, rec, pl, e, s, status);
	return 0;
}

/*
 * After the decision: keep the incident of a compensation that waits for
 * approval (held.csv); pass on one from held.csv only when it is issued
 * (now, or before: the stages after tell it once).
 */
static int
held(struct comp *K, struct pxr_error *err, struct pxr_rec *rec,
    struct plan *pl)
{
	const struct pxr_val *sv = pxr_rec_get(rec, K->f_status);
	const char *pending = pxr_ledger_state_name(PXR_LG_PENDING);

	if (pl->released) {
		if (sv->n == 6 && memcmp(sv->s, "issued", 6) == 0)
			pxr_comp_held_released(K, rec);
		else if (sv->n != 9 || memcmp(sv->s, "duplicate", 9) != 0)
			pl->left_out = 1;
		return 0;
	}
	if (sv->n == strlen(pending) && memcmp(sv->s, pending, sv->n) == 0)
		return pxr_comp_hold(K, rec, err);
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
	if (pxr_comp_refresh(K, err) < 0) {
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
		if (decide(K, err, &rec, &K->batch[i]) < 0 ||
		    held(K, err, &rec, &K->batch[i]) < 0)
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
	if (rc < 0 && K->st != NULL) {
		pxr_state_discard(K->st);
		pxr_comp_held_discard(K);
	}
	/*
	 * The held incidents are durable before the pending rows that need
	 * them, the ledger before anyone downstream hears of it.
	 */
	if (rc == 0 && pxr_comp_held_commit(K, err) < 0)
		rc = -2;
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
	pl.released = K->releasing;
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
	if (pxr_comp_refresh(K, err) < 0) {
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
			limit(K->R->cap_minor, pxr_comp_cust_total(K, o->f[L_CUST],
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
		if ((en = pxr_comp_find_entry(K, o->f[L_ID], strlen(o->f[L_ID]))) != NULL)
			en->state = PXR_LG_ISSUED;
		pxr_comp_count_row(K, o->f[L_CUST], strlen(o->f[L_CUST]), o->f[L_CUR],
		    K->now_text, amount);
		pxr_comp_note_paid(K, o->f[L_CUST], strlen(o->f[L_CUST]), K->now_text);
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

/*
 * Hand on the approved compensations whose incidents this run's input
 * did not have, from held.csv (compensate_held.c), through the same
 * decision: issued once, told by the stages after.
 */
static int
release_held(struct comp *K, struct pxr_error *err)
{
	struct pxr_rec rec;
	size_t it = 0;
	int rc;

	if (K->held_path == NULL || K->sch == NULL || K->sch->norder == 0)
		return 0;	/* no input, no columns to pass them on in */
	if (K->st != NULL) {
		if (pxr_state_lock(K->st, K->lock_ms, err) < 0)
			return -2;
		rc = pxr_comp_refresh(K, err);
		pxr_state_unlock(K->st);
		if (rc < 0)
			return -2;
	}
	pxr_rec_init(&rec, K->sch);
	while ((rc = pxr_comp_held_next(K, &it, &rec, err)) > 0) {
		pxr_mapper_say(K->m, PXR_SAY_EXPLAIN, "incident %s: not in this "
		    "input, its compensation %s: from %s", pxr_rec_get(&rec,
		    K->f_id)->s, pxr_comp_find_entry(K, pxr_rec_get(&rec,
		    K->f_id)->s, pxr_rec_get(&rec, K->f_id)->n)->state ==
		    PXR_LG_APPROVED ? "approved" : "issued lately (told once)",
		    K->held_path);
		K->releasing = 1;
		rc = comp_map(K->m, &rec, err);
		K->releasing = 0;
		if (rc < 0)
			break;
	}
	pxr_rec_fini(&rec);
	return rc < 0 ? -2 : flush_batch(K, err);
}

static int
comp_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	if (accept_offers(mp->state, err) < 0 ||
	    flush_batch(mp->state, err) < 0)
		return -2;
	return release_held(mp->state, err);
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
	pxr_state_close(K->heldst);
	free(K->held_path);
	pxr_hmap_fini(&K->held, NULL);
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
		    o->ledger, 0, &missing, err)) == NULL && !missing) ||
		    pxr_comp_held_open(K, err) < 0) {
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
