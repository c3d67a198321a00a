/* rules_rule.c: loading one rule of the rule file (see rules_int.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const struct mdef rule_defs[] = {
	{ "id", J_STR, 1 }, { "phase", J_STR, 0 },
	{ "description", J_STR, 0 }, { "when", J_EXPR, 1 },
	{ "key", J_EXPRARR, 0 }, { "customer", J_EXPR, 0 },
	{ "at", J_EXPR, 0 }, { "measure", J_EXPR, 0 }, { "unit", J_STR, 0 },
	{ "tiers", J_ARR, 0 }, { "group", J_OBJ, 0 },
	{ "inhibits", J_ARR, 0 }, { "compensation", J_ARR, 0 },
	{ "subject", J_EXPRARR, 0 }, { "notify", J_OBJ, 0 },
	{ "survey", J_BOOL, 0 }, { NULL, 0, 0 }
};
static const struct mdef tier_defs[] = {
	{ "name", J_STR, 1 }, { "min", J_NUM, 0 }, { "above", J_NUM, 0 },
	{ "max", J_NUM, 0 }, { "upto", J_NUM, 0 }, { NULL, 0, 0 }
};
static const struct mdef group_defs[] = {
	{ "by", J_EXPRARR, 1 }, { "window", J_STR, 1 },
	{ "align", J_STR, 0 }, { "zone", J_STR, 0 },
	{ "zone_field", J_STR, 0 }, { "aggregate", J_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef inhibit_defs[] = {
	{ "rule", J_STR, 1 }, { "within", J_DUR, 0 }, { NULL, 0, 0 }
};
static const struct mdef comp_defs[] = {
	{ "tier", J_STR, 0 }, { "when", J_EXPR, 0 }, { "kind", J_STR, 1 },
	{ "fixed_minor", J_INT, 0 }, { "percent", J_NUM, 0 },
	{ "of", J_EXPR, 0 }, { "amount", J_EXPR, 0 },
	{ "min_minor", J_INT, 0 }, { "max_minor", J_INT, 0 },
	{ "round", J_STR, 0 }, { "currency", J_EXPR, 0 },
	{ "item", J_STR, 0 }, { "valid", J_DUR, 0 },
	{ "when_strategy", J_STRARR, 0 }, { "offer_valid", J_DUR, 0 },
	{ NULL, 0, 0 }
};

static int
valid_id(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return 0;
	return 1;
}

static int
num_value(json_t *v, struct pxr_value *out)
{
	memset(out, 0, sizeof(*out));
	if (json_is_integer(v)) {
		out->t = PXR_V_INT;
		out->i = json_integer_value(v);
	} else {
		out->t = PXR_V_DBL;
		out->d = json_real_value(v);
	}
	return 0;
}

static double
numd(const struct pxr_value *v)
{
	return v->t == PXR_V_INT ? (double)v->i : v->d;
}

static void
load_tiers(struct ld *L, struct pxr_rule *r, json_t *arr, const char *rpath)
{
	json_t *t;
	size_t i, j;
	char path[128];

	r->ntiers = json_array_size(arr);
	r->tiers = pxr_calloc(r->ntiers + 1, sizeof(*r->tiers));
	json_array_foreach(arr, i, t) {
		struct pxr_tier *tr = &r->tiers[i];
		json_t *v;

		snprintf(path, sizeof(path), "%s.tiers[%zu]", rpath, i);
		if (pxr_rl_check_obj(L, t, path, tier_defs) < 0)
			continue;
		tr->name = pxr_rl_getstr(t, "name");
		if (tr->name == NULL)
			tr->name = pxr_strdup("");
		if (pxr_rl_get(t, "min", J_NUM) && pxr_rl_get(t, "above", J_NUM))
			ERR(L, path, "tier-bounds", "%s: give 'min' or "
			    "'above', not both", path);
		if (pxr_rl_get(t, "max", J_NUM) && pxr_rl_get(t, "upto", J_NUM))
			ERR(L, path, "tier-bounds", "%s: give 'max' or "
			    "'upto', not both", path);
		if ((v = pxr_rl_get(t, "min", J_NUM)) != NULL ||
		    (v = pxr_rl_get(t, "above", J_NUM)) != NULL) {
			tr->has_lo = 1;
			tr->lo_incl = pxr_rl_get(t, "min", J_NUM) != NULL;
			num_value(v, &tr->lo);
		}
		if ((v = pxr_rl_get(t, "upto", J_NUM)) != NULL ||
		    (v = pxr_rl_get(t, "max", J_NUM)) != NULL) {
			tr->has_hi = 1;
			tr->hi_incl = pxr_rl_get(t, "upto", J_NUM) != NULL;
			num_value(v, &tr->hi);
		}
		if (!tr->has_lo && !tr->has_hi)
			ERR(L, path, "tier-bounds", "%s: tier '%s' has no "
			    "bound (min, above, max or upto)", path, tr->name);
		if (tr->has_lo && tr->has_hi && (numd(&tr->lo) > numd(&tr->hi) ||
		    (numd(&tr->lo) == numd(&tr->hi) && !(tr->lo_incl &&
		    tr->hi_incl))))
			ERR(L, path, "tier-bounds", "%s: tier '%s' can never "
			    "match: its lower bound is not below its upper "
			    "bound", path, tr->name);
		for (j = 0; j < i; j++)
			if (r->tiers[j].name != NULL &&
			    strcmp(r->tiers[j].name, tr->name) == 0)
				ERR(L, path, "tier-bounds", "%s: tier name "
				    "'%s' used twice", path, tr->name);
	}
}

static int
percent_bp(struct ld *L, const char *path, json_t *v, int64_t *bp)
{
	double d = json_number_value(v), x = d * 100;

	if (!(d >= 0 && d <= 1000) || fabs(x - round(x)) > 1e-6) {
		ERR(L, path, "bad-percent", "%s: a percentage from 0 to 1000 "
		    "with at most two decimals, not %g", path, d);
		return -1;
	}
	*bp = (int64_t)llround(x);
	return 0;
}


/* The expressions of v (one string, or a list of them) at path.name. */
static struct pxr_expr **
expr_list(struct ld *L, const char *path, const char *name, json_t *v,
    size_t *n)
{
	struct pxr_expr **e;
	char sub[96];
	json_t *x;
	size_t i;

	if (json_is_string(v)) {
		*n = 1;
		e = pxr_calloc(2, sizeof(*e));
		snprintf(sub, sizeof(sub), "%s.%s", path, name);
		e[0] = pxr_rl_compile(L, sub, v);
		return e;
	}
	*n = json_array_size(v);
	e = pxr_calloc(*n + 1, sizeof(*e));
	json_array_foreach(v, i, x) {
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, name, i);
		e[i] = pxr_rl_compile(L, sub, x);
	}
	return e;
}

static void
load_comp(struct ld *L, struct pxr_rule *r, json_t *arr, const char *rpath)
{
	static const char *kinds[] = { "credit", "refund", "voucher",
	    "discount", "gift", "none" };
	static const char *rounds[] = { "half-up", "half-even", "down", "up" };
	json_t *c, *v;
	size_t i, k;
	char path[128], sub[160];

	r->ncomp = json_array_size(arr);
	r->comp = pxr_calloc(r->ncomp + 1, sizeof(*r->comp));
	json_array_foreach(arr, i, c) {
		struct pxr_comp *cp = &r->comp[i];
		int namount = 0;

		snprintf(path, sizeof(path), "%s.compensation[%zu]", rpath, i);
		if (pxr_rl_check_obj(L, c, path, comp_defs) < 0)
			continue;
		cp->tier = pxr_rl_getstr(c, "tier");
		cp->kind = pxr_rl_getstr(c, "kind");
		cp->item = pxr_rl_getstr(c, "item");
		if (cp->kind != NULL) {
			for (k = 0; k < 6; k++)
				if (strcmp(cp->kind, kinds[k]) == 0)
					break;
			if (k == 6) {
				snprintf(sub, sizeof(sub), "%s.kind", path);
				ERR(L, sub, "wrong-type", "%s: unknown kind "
				    "'%s' (credit, refund, voucher, discount, "
				    "gift or none)", sub, cp->kind);
			}
		}
		if ((v = pxr_rl_get(c, "round", J_STR)) != NULL) {
			for (k = 0; k < 4; k++)
				if (strcmp(json_string_value(v), rounds[k]) == 0)
					break;
			snprintf(sub, sizeof(sub), "%s.round", path);
			if (k == 4)
				ERR(L, sub, "wrong-type", "%s: unknown rounding "
				    "'%s' (half-up, half-even, down or up)",
				    sub, json_string_value(v));
			else
				cp->round = (int)k;
		}
		if ((v = pxr_rl_get(c, "fixed_minor", J_INT)) != NULL) {
			cp->has_fixed = 1;
			cp->fixed_minor = json_integer_value(v);
			namount++;
		}
		if ((v = pxr_rl_get(c, "percent", J_NUM)) != NULL) {
			snprintf(sub, sizeof(sub), "%s.percent", path);
			cp->has_percent = percent_bp(L, sub, v, &cp->percent_bp)
			    == 0;
			namount++;
			if (pxr_rl_get(c, "of", J_EXPR) == NULL)
				ERR(L, path, "comp-no-amount", "%s: 'percent' "
				    "needs 'of' (the amount it is a percentage "
				    "of, in minor units)", path);
		}
		if (pxr_rl_get(c, "amount", J_EXPR) != NULL)
			namount++;
		if (namount > 1)
			ERR(L, path, "comp-no-amount", "%s: give one of "
			    "fixed_minor, percent or amount", path);
		if (namount == 0 && cp->kind != NULL &&
		    strcmp(cp->kind, "none") != 0 &&
		    strcmp(cp->kind, "gift") != 0)
			ERR(L, path, "comp-no-amount", "%s: no amount: give "
			    "fixed_minor, percent (with of) or amount", path);
#define CEXPR(name, field) \
		if ((v = pxr_rl_get(c, name, J_EXPR)) != NULL) { \
			snprintf(sub, sizeof(sub), "%s.%s", path, name); \
			cp->field = pxr_rl_compile(L, sub, v); \
		}
		CEXPR("when", when)
		CEXPR("of", of)
		CEXPR("amount", amount)
		CEXPR("currency", currency)
#undef CEXPR
		if ((v = pxr_rl_get(c, "min_minor", J_INT)) != NULL) {
			cp->has_min = 1;
			cp->min_minor = json_integer_value(v);
		}
		if ((v = pxr_rl_get(c, "max_minor", J_INT)) != NULL) {
			cp->has_max = 1;
			cp->max_minor = json_integer_value(v);
		}
		if (cp->has_min && cp->has_max && cp->min_minor > cp->max_minor)
			ERR(L, path, "comp-no-amount", "%s: min_minor is above "
			    "max_minor", path);
		if ((v = pxr_rl_get(c, "valid", J_DUR)) != NULL) {
			snprintf(sub, sizeof(sub), "%s.valid", path);
			cp->has_valid = pxr_rl_duration(L, sub, v, &cp->valid) == 0;
		}
		pxr_rl_load_strategies(L, cp, c, path);
	}
}

/*
 * group.window, align, zone, zone_field.  "day", "week", "month" (and
 * "calendar-month") are calendar windows; a duration is rolling, except
 * that "1d" and "7d" (or "1w") without "align" stay the calendar day and
 * the Monday week they always were.
 */
static void
load_window(struct ld *L, struct pxr_rule *r, json_t *g)
{
	static const char *names[] = { "day", "week", "month",
	    "calendar-month" };
	struct pxr_group *G = r->group;
	json_t *w = pxr_rl_get(g, "window", J_STR), *a;
	const char *ws, *as = NULL;
	struct pxr_error e;
	char sub[160];
	int cal = 0;
	size_t i;

	if ((a = pxr_rl_get(g, "align", J_STR)) != NULL) {
		as = json_string_value(a);
		snprintf(sub, sizeof(sub), "%s.group.align", r->path);
		if (strcmp(as, "rolling") != 0 && strcmp(as, "calendar") != 0) {
			ERR(L, sub, "bad-window", "%s: '%s' is not an "
			    "alignment (rolling or calendar)", sub, as);
			as = NULL;
		}
	}
	if ((a = pxr_rl_get(g, "zone", J_STR)) != NULL &&
	    (G->zone = pxr_tz_get(json_string_value(a))) == NULL) {
		snprintf(sub, sizeof(sub), "%s.group.zone", r->path);
		ERR(L, sub, "bad-timezone", "%s: unknown time zone '%s'", sub,
		    json_string_value(a));
	}
	G->zone_field = pxr_rl_getstr(g, "zone_field");
	if (w == NULL)
		return;
	ws = json_string_value(w);
	snprintf(sub, sizeof(sub), "%s.group.window", r->path);
	for (i = 0; i < 4; i++)
		if (strcmp(ws, names[i]) == 0)
			G->window = i < 3 ? PXR_WIN_DAY + (int)i : PXR_WIN_MONTH;
	if (G->window != 0)
		cal = 1;
	else if (pxr_dur_parse(ws, strlen(ws), &G->span, &e) < 0 ||
	    G->span <= 0) {
		ERR(L, sub, "bad-window", "%s: '%s' is not a window (a "
		    "duration such as 30d or 72h, or day, week or month)", sub,
		    ws);
		return;
	} else if (as == NULL && G->span == PXR_US_DAY)
		G->window = PXR_WIN_DAY;
	else if (as == NULL && G->span == 7 * PXR_US_DAY)
		G->window = PXR_WIN_WEEK;
	else
		G->window = PXR_WIN_ROLLING;
	if (as != NULL && strcmp(as, "rolling") == 0 && cal) {
		ERR(L, sub, "bad-window", "%s: a rolling window is a "
		    "duration such as 30d, not '%s'", sub, ws);
		G->window = 0;
	} else if (as != NULL && strcmp(as, "calendar") == 0 && !cal) {
		if (G->span == PXR_US_DAY)
			G->window = PXR_WIN_DAY;
		else if (G->span == 7 * PXR_US_DAY)
			G->window = PXR_WIN_WEEK;
		else {
			ERR(L, sub, "bad-window", "%s: a calendar window is "
			    "day, week or month (1d, 7d), not '%s'", sub, ws);
			G->window = 0;
		}
	}
}

/*
 * inhibits: rule ids ("same run, any time") or {rule, within}: the
 * incidents of that rule within the duration either side.
 */
static void
load_inhibits(struct ld *L, struct pxr_rule *r, json_t *arr)
{
	json_t *x, *w;
	char sub[160];
	size_t i;

	r->ninhibits = json_array_size(arr);
	r->inhibits = pxr_calloc(r->ninhibits + 1, sizeof(char *));
	r->within = pxr_calloc(r->ninhibits + 1, sizeof(int64_t));
	json_array_foreach(arr, i, x) {
		snprintf(sub, sizeof(sub), "%s.inhibits[%zu]", r->path, i);
		if (json_is_string(x)) {
			r->inhibits[i] = pxr_strdup(json_string_value(x));
			continue;
		}
		if (!json_is_object(x)) {
			ERR(L, sub, "wrong-type", "%s: expected a rule id or "
			    "{\"rule\": ID, \"within\": DURATION}", sub);
			continue;
		}
		if (pxr_rl_check_obj(L, x, sub, inhibit_defs) < 0)
			continue;
		r->inhibits[i] = pxr_rl_getstr(x, "rule");
		if ((w = pxr_rl_get(x, "within", J_DUR)) != NULL) {
			snprintf(sub, sizeof(sub), "%s.inhibits[%zu].within",
			    r->path, i);
			if (pxr_rl_duration(L, sub, w, &r->within[i]) == 0 &&
			    r->within[i] <= 0)
				ERR(L, sub, "bad-duration", "%s: a window "
				    "longer than 0", sub);
		}
	}
}

void
pxr_rl_load_rule(struct ld *L, struct pxr_rule *r, json_t *o, size_t idx)
{
	json_t *v, *x;
	char sub[160];
	size_t i;

	snprintf(r->path, sizeof(r->path), "rules[%zu]", idx);
	if (pxr_rl_check_obj(L, o, r->path, rule_defs) < 0)
		return;
	r->id = pxr_rl_getstr(o, "id");
	r->phase = pxr_rl_getstr(o, "phase");
	r->description = pxr_rl_getstr(o, "description");
	r->unit = pxr_rl_getstr(o, "unit");
	r->survey = json_is_true(pxr_rl_get(o, "survey", J_BOOL));
	if (r->id != NULL && !valid_id(r->id)) {
		snprintf(sub, sizeof(sub), "%s.id", r->path);
		ERR(L, sub, "bad-id", "%s: '%s' is not a rule id (lower-case "
		    "letters, digits and '-', starting with a letter or "
		    "digit)", sub, r->id);
	}
#define REXPR(name, field) \
	if ((v = pxr_rl_get(o, name, J_EXPR)) != NULL) { \
		snprintf(sub, sizeof(sub), "%s.%s", r->path, name); \
		r->field = pxr_rl_compile(L, sub, v); \
	}
	REXPR("when", when)
	REXPR("customer", customer)
	REXPR("at", at)
	REXPR("measure", measure)
#undef REXPR
	if ((v = pxr_rl_get(o, "key", J_EXPRARR)) != NULL) {
		r->key_is_str = json_is_string(v);
		r->key = expr_list(L, r->path, "key", v, &r->nkey);
	}
	if ((v = pxr_rl_get(o, "subject", J_EXPRARR)) != NULL)
		r->subject = expr_list(L, r->path, "subject", v, &r->nsubject);
	if ((v = pxr_rl_get(o, "tiers", J_ARR)) != NULL)
		load_tiers(L, r, v, r->path);
	if ((v = pxr_rl_get(o, "group", J_OBJ)) != NULL) {
		snprintf(sub, sizeof(sub), "%s.group", r->path);
		if (pxr_rl_check_obj(L, v, sub, group_defs) == 0) {
			json_t *by = pxr_rl_get(v, "by", J_EXPRARR), *w;
			static const char *aggs[] = { "count", "sum", "max" };

			r->group = pxr_calloc(1, sizeof(*r->group));
			r->group->aggregate = PXR_AGG_COUNT;
			if (by != NULL && json_is_string(by)) {
				r->group->nby = 1;
				r->group->by = pxr_calloc(1, sizeof(void *));
				snprintf(sub, sizeof(sub), "%s.group.by",
				    r->path);
				r->group->by[0] = pxr_rl_compile(L, sub, by);
			} else if (by != NULL) {
				r->group->nby = json_array_size(by);
				r->group->by = pxr_calloc(r->group->nby + 1,
				    sizeof(void *));
				json_array_foreach(by, i, x) {
					snprintf(sub, sizeof(sub),
					    "%s.group.by[%zu]", r->path, i);
					r->group->by[i] = pxr_rl_compile(L, sub, x);
				}
			}
			load_window(L, r, v);
			if ((w = pxr_rl_get(v, "aggregate", J_STR)) != NULL) {
				r->group->aggregate = 0;
				for (i = 0; i < 3; i++)
					if (strcmp(json_string_value(w),
					    aggs[i]) == 0)
						r->group->aggregate = (int)i + 1;
				snprintf(sub, sizeof(sub), "%s.group.aggregate",
				    r->path);
				if (r->group->aggregate == 0)
					ERR(L, sub, "wrong-type", "%s: '%s' is "
					    "not an aggregate (count, sum or "
					    "max)", sub, json_string_value(w));
			}
		}
	}
	if ((v = pxr_rl_get(o, "inhibits", J_ARR)) != NULL)
		load_inhibits(L, r, v);
	if ((v = pxr_rl_get(o, "compensation", J_ARR)) != NULL)
		load_comp(L, r, v, r->path);
	if ((v = pxr_rl_get(o, "notify", J_OBJ)) != NULL) {
		snprintf(sub, sizeof(sub), "%s.notify", r->path);
		r->notify = pxr_calloc(1, sizeof(*r->notify));
		pxr_rl_load_rnotify(L, r->notify, v, sub);
	}
}

void
pxr_rl_free_rule(struct pxr_rule *r)
{
	size_t i;

	free(r->id);
	free(r->phase);
	free(r->description);
	free(r->unit);
	pxr_expr_free(r->when);
	pxr_expr_free(r->customer);
	pxr_expr_free(r->at);
	pxr_expr_free(r->measure);
	for (i = 0; i < r->nkey; i++)
		pxr_expr_free(r->key[i]);
	free(r->key);
	for (i = 0; i < r->nsubject; i++)
		pxr_expr_free(r->subject[i]);
	free(r->subject);
	for (i = 0; i < r->ntiers; i++)
		free(r->tiers[i].name);
	free(r->tiers);
	if (r->group != NULL) {
		for (i = 0; i < r->group->nby; i++)
			pxr_expr_free(r->group->by[i]);
		free(r->group->by);
		free(r->group->zone_field);
		free(r->group);
	}
	for (i = 0; i < r->ninhibits; i++)
		free(r->inhibits[i]);
	free(r->inhibits);
	free(r->within);
	for (i = 0; i < r->ncomp; i++) {
		struct pxr_comp *c = &r->comp[i];

		free(c->tier);
		free(c->kind);
		free(c->item);
		pxr_expr_free(c->when);
		pxr_expr_free(c->of);
		pxr_expr_free(c->amount);
		pxr_expr_free(c->currency);
	}
	free(r->comp);
	pxr_rl_free_rnotify(r->notify);
}
