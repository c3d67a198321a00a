/* detect.c: events to incidents, one per (event, matching rule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "fields.h"
#include "rules.h"

struct det {
	struct pxr_mapper *m;
	struct pxr_rules *R;
	struct pxr_rule **act;	/* the rules to run, in file order */
	size_t	 nact;
	int64_t	 now;
	int	 adhoc;
	int	 strict;
	struct pxr_tz *tz;
	size_t	 f_id, f_rule, f_phase, f_cust, f_measure, f_unit, f_at,
		 f_detected;
	int	 add_customer;
	char	 detected[64];
	size_t	 ndetected;
	struct pxr_arena scratch;
	struct pxr_buf id;
	struct pxr_buf tmp;
	size_t	*keyfields;	/* default key: the input's visible fields */
	size_t	 nkeyfields;
};

/*
 * A field that x reads and a CSV header lacks: for an ad-hoc rule an
 * error with the nearest name, for a rule of the file a warning (with
 * strict an error).  0, 1 (warned), or -2.
 */
static int
check_expr(struct det *D, struct pxr_schema *sch, const struct pxr_rule *r,
    const char *what, const struct pxr_expr *x, struct pxr_error *err)
{
	const char **names, *near;
	size_t i, n, k;
	char hint[300];

	if (x == NULL)
		return 0;
	n = pxr_expr_fields(x, &names, NULL);
	for (i = 0; i < n; i++) {
		k = pxr_schema_find(sch, names[i], strlen(names[i]));
		if (k != PXR_NOFIELD && sch->visible[k])
			continue;
		hint[0] = '\0';
		if ((near = pxr_suggest(names[i], (const char *const *)
		    sch->names, sch->n)) != NULL &&
		    (k = pxr_schema_find(sch, near, strlen(near))) !=
		    PXR_NOFIELD && sch->visible[k])
			snprintf(hint, sizeof(hint), " (did you mean '%s'?)",
			    near);
		if (D->adhoc) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "%s: no field "
			    "'%s' in the input's header%s", what, names[i],
			    hint);
			return -2;
		}
		if (D->strict) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: %s: no "
			    "field '%s' in the input's header%s", r->id, what,
			    names[i], hint);
			return -2;
		}
		pxr_mapper_say(D->m, PXR_SAY_WARN, "rule %s: %s: no field "
		    "'%s' in the input's header%s", r->id, what, names[i],
		    hint);
		return 1;
	}
	return 0;
}

/* Every field the active rules read, against a CSV header. */
static int
check_fields(struct det *D, struct pxr_schema *sch, struct pxr_error *err)
{
	size_t i, j;

	int rc;

	/* The first absent field of each rule: one word a rule. */
	for (i = 0; i < D->nact; i++) {
		const struct pxr_rule *r = D->act[i];

		rc = check_expr(D, sch, r, D->adhoc ? "-e" : "when", r->when,
		    err);
		for (j = 0; rc == 0 && j < r->nkey; j++)
			rc = check_expr(D, sch, r, D->adhoc ? "--key" : "key",
			    r->key[j], err);
		if (rc == 0)
			rc = check_expr(D, sch, r, D->adhoc ? "--customer" :
			    "customer", r->customer, err);
		if (rc == 0)
			rc = check_expr(D, sch, r, D->adhoc ? "--at" : "at",
			    r->at, err);
		if (rc == 0)
			rc = check_expr(D, sch, r, D->adhoc ? "--measure" :
			    "measure", r->measure, err);
		if (rc < 0)
			return -2;
	}
	return 0;
}

static int
det_bind(struct pxr_mapper *mp, struct pxr_schema *sch, struct pxr_error *err)
{
	struct det *D = mp->state;
	size_t i;

	if (sch->header && check_fields(D, sch, err) < 0)
		return -2;
	/* The default key: every field the input has, in order. */
	D->keyfields = pxr_calloc(sch->norder + 1, sizeof(*D->keyfields));
	for (i = 0; i < sch->norder; i++)
		D->keyfields[D->nkeyfields++] = sch->order[i];
	i = pxr_schema_find(sch, "customer_id", 11);
	D->add_customer = i == PXR_NOFIELD || !sch->visible[i];
	pxr_rules_bind(D->R, sch);
	D->f_id = pxr_field_add(sch, PXR_F_INCIDENT_ID);
	D->f_rule = pxr_field_add(sch, PXR_F_RULE);
	D->f_phase = pxr_field_add(sch, PXR_F_PHASE);
	if (D->add_customer)
		D->f_cust = pxr_field_add(sch, PXR_F_CUSTOMER_ID);
	D->f_measure = pxr_field_add(sch, PXR_F_MEASURE);
	D->f_unit = pxr_field_add(sch, PXR_F_UNIT);
	D->f_at = pxr_field_add(sch, PXR_F_EVENT_AT);
	D->f_detected = pxr_field_add(sch, PXR_F_DETECTED_AT);
	return 0;
}

/* err becomes "rule ID: WHAT: its text"; -1 (a bad record). */
static int
fail(struct pxr_error *err, const struct pxr_rule *r, const char *what)
{
	char text[sizeof(err->text)];

	snprintf(text, sizeof(text), "%s", err->text);
	return pxr_error_set(err, PXR_EXIT_DATAERR, "rule %s: %s: %s", r->id,
	    what, text);
}

static void
set_value(struct det *D, struct pxr_rec *rec, size_t f,
    const struct pxr_value *v)
{
	pxr_buf_reset(&D->tmp);
	if (v->t == PXR_V_NULL) {
		pxr_rec_setnull(rec, f);
		return;
	}
	pxr_value_text(v, D->tz, &D->tmp);
	pxr_rec_set(rec, f, v->t == PXR_V_INT || v->t == PXR_V_DBL ? PXR_NUM :
	    v->t == PXR_V_BOOL ? PXR_BOOL : PXR_STR, D->tmp.p != NULL ?
	    D->tmp.p : "", D->tmp.len);
}

/* incident_id: RULE:KEY1:KEY2... into D->id. */
static int
make_id(struct det *D, const struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_env *env, struct pxr_error *err)
{
	struct pxr_value v;
	size_t i;

	pxr_buf_reset(&D->id);
	pxr_id_part(&D->id, r->id, strlen(r->id));
	if (r->nkey > 0) {
		for (i = 0; i < r->nkey; i++) {
			if (pxr_expr_eval(r->key[i], env, &v, err) < 0)
				return fail(err, r, "key");
			pxr_buf_reset(&D->tmp);
			pxr_value_text(&v, D->tz, &D->tmp);
			pxr_buf_addc(&D->id, ':');
			pxr_id_part(&D->id, D->tmp.p != NULL ? D->tmp.p : "",
			    D->tmp.len);
		}
		return 0;
	}
	for (i = 0; i < D->nkeyfields; i++) {
		const struct pxr_val *fv = pxr_rec_get(rec, D->keyfields[i]);

		pxr_buf_addc(&D->id, ':');
		pxr_id_part(&D->id, fv->s, fv->n);
	}
	return 0;
}

/* The measure's value into v: a number or null (1 without one). */
static int
measure(const struct pxr_rule *r, const struct pxr_env *env,
    struct pxr_value *v, struct pxr_error *err)
{
	if (r->measure == NULL) {
		memset(v, 0, sizeof(*v));
		v->t = PXR_V_INT;
		v->i = 1;
		return 0;
	}
	if (pxr_expr_eval(r->measure, env, v, err) < 0)
		return fail(err, r, "measure");
	if (v->t == PXR_V_FIELD && pxr_value_number(v, v, err) < 0)
		return fail(err, r, "measure");
	if (v->t != PXR_V_INT && v->t != PXR_V_DBL && v->t != PXR_V_NULL) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "expected a number, got "
		    "%s (for a duration use minutes(), hours() or days())",
		    pxr_vt_name(v->t));
		return fail(err, r, "measure");
	}
	return 0;
}

/* event_at from the rule's 'at' (detected_at without one). */
static int
event_at(struct det *D, struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_env *env, struct pxr_error *err)
{
	struct pxr_value v;

	if (r->at == NULL) {
		pxr_rec_setref(rec, D->f_at, PXR_STR, D->detected,
		    D->ndetected);
		return 0;
	}
	if (pxr_expr_eval(r->at, env, &v, err) < 0)
		return fail(err, r, "at");
	if (v.t == PXR_V_FIELD || v.t == PXR_V_STR) {
		int64_t t;
		int dateonly;

		if (pxr_time_parse(v.s, v.n, D->tz, &t, &dateonly, err) < 0) {
			if (v.field != NULL) {
				char text[sizeof(err->text)];

				snprintf(text, sizeof(text), "%s", err->text);
				pxr_error_set(err, PXR_EXIT_DATAERR,
				    "column '%s': %s", v.field, text);
			}
			return fail(err, r, "at");
		}
		v.t = PXR_V_TIME;
		v.i = t;
	}
	if (v.t == PXR_V_NULL)
		pxr_rec_setnull(rec, D->f_at);
	else if (v.t != PXR_V_TIME) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "expected a time, got %s",
		    pxr_vt_name(v.t));
		return fail(err, r, "at");
	} else {
		pxr_buf_reset(&D->tmp);
		pxr_time_format(&D->tmp, v.i);
		pxr_rec_set(rec, D->f_at, PXR_STR, D->tmp.p, D->tmp.len);
	}
	return 0;
}

static void
set_text(struct pxr_rec *rec, size_t f, const char *s)
{
	if (s != NULL)
		pxr_rec_setref(rec, f, PXR_STR, s, strlen(s));
	else
		pxr_rec_setnull(rec, f);
}

static int
fire(struct det *D, struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_env *env, struct pxr_error *err)
{
	struct pxr_value v;

	if (make_id(D, rec, r, env, err) < 0)
		return -1;
	/* Values first (they read the event), then set the fields. */
	if (r->customer != NULL) {
		if (pxr_expr_eval(r->customer, env, &v, err) < 0)
			return fail(err, r, "customer");
		if (D->add_customer)
			set_value(D, rec, D->f_cust, &v);
	} else if (D->add_customer)
		pxr_rec_setnull(rec, D->f_cust);
	if (measure(r, env, &v, err) < 0)
		return -1;
	set_value(D, rec, D->f_measure, &v);
	if (event_at(D, rec, r, env, err) < 0)
		return -1;
	pxr_rec_set(rec, D->f_id, PXR_STR, D->id.p, D->id.len);
	set_text(rec, D->f_rule, r->id);
	set_text(rec, D->f_phase, r->phase);
	set_text(rec, D->f_unit, r->unit);
	pxr_rec_setref(rec, D->f_detected, PXR_STR, D->detected,
	    D->ndetected);
	return pxr_mapper_emit(D->m, rec, err);
}

static int
det_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct det *D = mp->state;
	struct pxr_env env;
	size_t i;
	int rc;

	pxr_arena_reset(&D->scratch);
	env.now = D->now;
	env.tz = D->tz;
	env.rec = rec;
	env.arena = &D->scratch;
	for (i = 0; i < D->nact; i++) {
		const struct pxr_rule *r = D->act[i];

		if (mp->explain) {
			struct pxr_buf b = { 0 };

			rc = pxr_expr_explain(r->when, &env, &b, err);
			if (rc >= 0)
				pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: "
				    "rule %s: %s: %s", rec->file, rec->line,
				    r->id, rc ? "fired" : "not fired", b.p);
			pxr_buf_free(&b);
		} else
			rc = pxr_expr_test(r->when, &env, err);
		if (rc < 0)
			return fail(err, r, "when");
		if (rc == 0)
			continue;
		if ((rc = fire(D, rec, r, &env, err)) < 0)
			return rc;
	}
	return 0;
}

static void
det_free(void *p)
{
	struct det *D = p;

	if (D == NULL)
		return;
	free(D->act);
	free(D->keyfields);
	pxr_arena_free(&D->scratch);
	pxr_buf_free(&D->id);
	pxr_buf_free(&D->tmp);
	free(D);
}

struct pxr_mapper *
pxr_detect_new(const struct pxr_detect_opts *o, struct pxr_rules *R,
    struct pxr_error *err)
{
	struct pxr_buf b = { 0 };
	struct det *D;
	size_t i, j;

	for (j = 0; j < o->nonly; j++)
		if (pxr_rules_find(R, o->only[j]) == NULL) {
			pxr_error_set(err, PXR_EXIT_USAGE, "--rule: no rule "
			    "'%s' in %s", o->only[j], R->path != NULL ?
			    R->path : "-e");
			return NULL;
		}
	D = pxr_calloc(1, sizeof(*D));
	D->R = R;
	D->tz = R->tz;
	D->now = o->now;
	D->adhoc = o->adhoc;
	D->strict = o->strict;
	D->act = pxr_calloc(R->nrules + 1, sizeof(*D->act));
	for (i = 0; i < R->nrules; i++) {
		int on = o->nonly == 0;

		for (j = 0; j < o->nonly; j++)
			on |= strcmp(R->rules[i].id, o->only[j]) == 0;
		if (on)
			D->act[D->nact++] = &R->rules[i];
	}
	pxr_time_format(&b, D->now);
	snprintf(D->detected, sizeof(D->detected), "%s", b.p);
	D->ndetected = b.len;
	pxr_buf_free(&b);
	D->m = pxr_mapper_new("detect", D, det_bind, det_map, NULL,
	    det_free);
	return D->m;
}

/* One expression of an ad-hoc rule; -1 and err when it does not compile. */
static int
adhoc_expr(struct pxr_expr **x, const char *opt, const char *src,
    struct pxr_error *err)
{
	struct pxr_error e;

	if (src == NULL)
		return 0;
	pxr_error_clear(&e);
	if ((*x = pxr_expr_compile(src, strlen(src), NULL, 0, &e)) == NULL)
		return pxr_error_set(err, PXR_EXIT_USAGE, "%s:%s", opt, e.text);
	return 0;
}

struct pxr_rules *
pxr_detect_adhoc(const struct pxr_detect_adhoc *a, struct pxr_error *err)
{
	struct pxr_rules *R = pxr_calloc(1, sizeof(*R));
	struct pxr_rule *r;
	size_t i;

	R->tz = pxr_tz_env();
	R->nrules = 1;
	R->rules = r = pxr_calloc(1, sizeof(*r));
	r->id = pxr_strdup(a->id != NULL ? a->id : "adhoc");
	snprintf(r->path, sizeof(r->path), "-e");
	r->unit = a->unit != NULL ? pxr_strdup(a->unit) : NULL;
	r->phase = a->phase != NULL ? pxr_strdup(a->phase) : NULL;
	r->key = pxr_calloc(a->nkeys + 1, sizeof(*r->key));
	if (adhoc_expr(&r->when, "-e", a->expr, err) < 0 ||
	    adhoc_expr(&r->customer, "--customer", a->customer, err) < 0 ||
	    adhoc_expr(&r->at, "--at", a->at, err) < 0 ||
	    adhoc_expr(&r->measure, "--measure", a->measure, err) < 0)
		goto bad;
	for (i = 0; i < a->nkeys; i++, r->nkey++)
		if (adhoc_expr(&r->key[i], "--key", a->keys[i], err) < 0)
			goto bad;
	return R;
bad:
	pxr_rules_free(R);
	return NULL;
}
