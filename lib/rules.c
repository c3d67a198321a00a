/* rules.c: loading and checking the rule file. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "stream.h"

enum { J_STR = 1, J_INT, J_NUM, J_BOOL, J_OBJ, J_ARR, J_EXPR, J_DUR,
	J_STRARR, J_EXPRARR, J_MAP };

struct mdef {
	const char *name;
	int	 type;
	int	 req;
};

static const struct mdef top_defs[] = {
	{ "version", J_INT, 0 }, { "defaults", J_OBJ, 0 },
	{ "journey", J_OBJ, 0 }, { "input", J_OBJ, 0 },
	{ "rules", J_ARR, 1 }, { "limits", J_OBJ, 0 },
	{ "notify", J_OBJ, 0 }, { "fan", J_OBJ, 0 }, { NULL, 0, 0 }
};
static const struct mdef defaults_defs[] = {
	{ "currency", J_STR, 0 }, { "locale", J_STR, 0 },
	{ "timezone", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef journey_defs[] = {
	{ "name", J_STR, 0 }, { "phases", J_ARR, 1 }, { NULL, 0, 0 }
};
static const struct mdef phase_defs[] = {
	{ "id", J_STR, 1 }, { "name", J_STR, 0 }, { "description", J_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef input_defs[] = {
	{ "columns", J_MAP, 0 }, { "delimiter", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef rule_defs[] = {
	{ "id", J_STR, 1 }, { "phase", J_STR, 0 },
	{ "description", J_STR, 0 }, { "when", J_EXPR, 1 },
	{ "key", J_EXPRARR, 0 }, { "customer", J_EXPR, 0 },
	{ "at", J_EXPR, 0 }, { "measure", J_EXPR, 0 }, { "unit", J_STR, 0 },
	{ "tiers", J_ARR, 0 }, { "group", J_OBJ, 0 },
	{ "inhibits", J_STRARR, 0 }, { "compensation", J_ARR, 0 },
	{ "notify", J_OBJ, 0 }, { NULL, 0, 0 }
};
static const struct mdef tier_defs[] = {
	{ "name", J_STR, 1 }, { "min", J_NUM, 0 }, { "above", J_NUM, 0 },
	{ "max", J_NUM, 0 }, { "upto", J_NUM, 0 }, { NULL, 0, 0 }
};
static const struct mdef group_defs[] = {
	{ "by", J_EXPRARR, 1 }, { "window", J_STR, 1 },
	{ "aggregate", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef comp_defs[] = {
	{ "tier", J_STR, 0 }, { "when", J_EXPR, 0 }, { "kind", J_STR, 1 },
	{ "fixed_minor", J_INT, 0 }, { "percent", J_NUM, 0 },
	{ "of", J_EXPR, 0 }, { "amount", J_EXPR, 0 },
	{ "min_minor", J_INT, 0 }, { "max_minor", J_INT, 0 },
	{ "round", J_STR, 0 }, { "currency", J_EXPR, 0 },
	{ "item", J_STR, 0 }, { "valid", J_DUR, 0 }, { NULL, 0, 0 }
};
static const struct mdef rnotify_defs[] = {
	{ "channels", J_STRARR, 1 }, { "all", J_BOOL, 0 },
	{ "template", J_STR, 1 }, { "transactional", J_BOOL, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef limits_defs[] = {
	{ "per_customer", J_OBJ, 0 }, { "batch_budget_minor", J_INT, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef percust_defs[] = {
	{ "max_minor", J_INT, 1 }, { "period", J_DUR, 1 }, { NULL, 0, 0 }
};
static const struct mdef notify_defs[] = {
	{ "templates", J_STR, 0 }, { "fields", J_OBJ, 0 },
	{ "from", J_OBJ, 0 }, { "quiet_hours", J_OBJ, 0 },
	{ "max_per_customer", J_OBJ, 0 }, { NULL, 0, 0 }
};
static const struct mdef fields_defs[] = {
	{ "email", J_STR, 0 }, { "sms", J_STR, 0 }, { "push", J_STR, 0 },
	{ "locale", J_STR, 0 }, { "timezone", J_STR, 0 },
	{ "consent", J_STR, 0 }, { "name", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef from_defs[] = {
	{ "email", J_STR, 0 }, { "sms", J_STR, 0 }, { "push", J_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef quiet_defs[] = {
	{ "from", J_STR, 1 }, { "to", J_STR, 1 }, { NULL, 0, 0 }
};
static const struct mdef maxper_defs[] = {
	{ "count", J_INT, 1 }, { "period", J_DUR, 1 }, { NULL, 0, 0 }
};
static const struct mdef fan_defs[] = {
	{ "when", J_EXPR, 0 }, { "score", J_EXPR, 1 }, { "cooldown", J_DUR, 0 },
	{ "per_day", J_INT, 0 }, { "by", J_EXPR, 0 }, { "kind", J_STR, 0 },
	{ "item", J_STR, 0 }, { "template", J_STR, 0 },
	{ "fixed_minor", J_INT, 0 }, { "valid", J_DUR, 0 },
	{ "channels", J_STRARR, 0 }, { NULL, 0, 0 }
};

struct ld {
	struct pxr_rules *r;
	struct pxr_diags *d;
	struct pxr_diags own;
};

void
pxr_diag_add(struct pxr_diags *d, const struct pxr_jpos *pos, const char *path,
    int key, int sev, const char *check, const char *fmt, ...)
{
	struct pxr_diag *g;
	char msg[1024];
	va_list ap;

	if (d == NULL)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 16 : d->cap * 2;
		d->v = pxr_reallocarray(d->v, d->cap, sizeof(*d->v));
	}
	g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->path = pxr_strdup(path);
	g->msg = pxr_strdup(msg);
	g->sev = sev;
	snprintf(g->check, sizeof(g->check), "%s", check);
	g->line = 1;
	g->col = 1;
	if (pos != NULL)
		(void)pxr_jpos_find(pos, path, key, &g->line, &g->col);
	if (sev == PXR_SEV_ERROR)
		d->nerr++;
}

void
pxr_diags_free(struct pxr_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static int
diagcmp(const void *a, const void *b)
{
	const struct pxr_diag *x = a, *y = b;

	if ((x->file == NULL) != (y->file == NULL))
		return x->file == NULL ? -1 : 1;
	if (x->file != NULL && strcmp(x->file, y->file) != 0)
		return strcmp(x->file, y->file);
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

void
pxr_diags_sort(struct pxr_diags *d)
{
	/* Stable enough: equal positions keep insertion order via index. */
	size_t i;

	for (i = 1; i < d->n; i++) {
		struct pxr_diag t = d->v[i];
		size_t j = i;

		while (j > 0 && diagcmp(&d->v[j - 1], &t) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = t;
	}
}

static size_t
editdist(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, res;

	if (la > 64 || lb > 64)
		return 99;
	row = pxr_calloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j], best;

			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	res = row[lb];
	free(row);
	return res;
}

const char *
pxr_suggest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, bd = (size_t)-1, lim = strlen(s) / 3 + 1;

	if (lim > 3)
		lim = 3;
	for (i = 0; i < n; i++) {
		size_t d = editdist(s, names[i]);

		if (d < bd) {
			bd = d;
			best = names[i];
		}
	}
	return bd <= lim ? best : NULL;
}

#define ERR(L, path, check, ...) \
	pxr_diag_add((L)->d, (L)->r->pos, path, 0, PXR_SEV_ERROR, check, \
	    __VA_ARGS__)

static const char *
typename(int t)
{
	switch (t) {
	case J_STR: return "a string";
	case J_INT: return "an integer";
	case J_NUM: return "a number";
	case J_BOOL: return "true or false";
	case J_OBJ: case J_MAP: return "an object";
	case J_ARR: return "an array";
	case J_EXPR: return "an expression (a string)";
	case J_DUR: return "a duration such as \"30d\"";
	case J_STRARR: return "an array of strings";
	case J_EXPRARR: return "an array of expressions";
	}
	return "?";
}

static int
type_ok(json_t *v, int t)
{
	size_t i;
	json_t *x;

	switch (t) {
	case J_STR: case J_EXPR: case J_DUR: return json_is_string(v);
	case J_INT: return json_is_integer(v);
	case J_NUM: return json_is_number(v);
	case J_BOOL: return json_is_boolean(v);
	case J_OBJ: case J_MAP: return json_is_object(v);
	case J_ARR: return json_is_array(v);
	case J_STRARR:
	case J_EXPRARR:
		if (json_is_string(v) && t == J_EXPRARR)
			return 1;	/* one key: "key": "order_id" */
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, x)
			if (!json_is_string(x))
				return 0;
		return 1;
	}
	return 0;
}

/* Check an object's members against defs; 0 if it is an object at all. */
static int
check_obj(struct ld *L, json_t *o, const char *path, const struct mdef *defs)
{
	const char *k;
	json_t *v;
	char sub[512];
	const char *names[32];
	size_t n = 0, i;

	if (!json_is_object(o)) {
		ERR(L, path, "wrong-type", "%s: expected an object",
		    *path ? path : "(top level)");
		return -1;
	}
	for (i = 0; defs[i].name != NULL; i++)
		names[n++] = defs[i].name;
	json_object_foreach(o, k, v) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
		for (i = 0; defs[i].name != NULL; i++)
			if (strcmp(defs[i].name, k) == 0)
				break;
		if (defs[i].name == NULL) {
			const char *s = pxr_suggest(k, names, n);

			if (s != NULL)
				pxr_diag_add(L->d, L->r->pos, sub, 1,
				    PXR_SEV_ERROR, "unknown-member",
				    "%s: unknown member '%s' (did you mean "
				    "'%s'?)", sub, k, s);
			else
				pxr_diag_add(L->d, L->r->pos, sub, 1,
				    PXR_SEV_ERROR, "unknown-member",
				    "%s: unknown member '%s'", sub, k);
			continue;
		}
		if (!type_ok(v, defs[i].type))
			ERR(L, sub, "wrong-type", "%s: expected %s", sub,
			    typename(defs[i].type));
	}
	for (i = 0; defs[i].name != NULL; i++)
		if (defs[i].req && json_object_get(o, defs[i].name) == NULL)
			ERR(L, path, "missing-member", "%s: missing member "
			    "'%s'", *path ? path : "(top level)",
			    defs[i].name);
	return 0;
}

/* The member if present with the right type, else NULL. */
static json_t *
get(json_t *o, const char *name, int t)
{
	json_t *v = json_is_object(o) ? json_object_get(o, name) : NULL;

	return v != NULL && type_ok(v, t) ? v : NULL;
}

static char *
getstr(json_t *o, const char *name)
{
	json_t *v = get(o, name, J_STR);

	return v != NULL ? pxr_strdup(json_string_value(v)) : NULL;
}

static struct pxr_expr *
compile(struct ld *L, const char *path, json_t *s)
{
	struct pxr_error e;
	struct pxr_expr *x;
	const char *src = json_string_value(s), *check = "expr-syntax";
	size_t off = 0;
	long line, k;
	int col;

	pxr_error_clear(&e);
	x = pxr_expr_compile(src, json_string_length(s), L->r->columns,
	    L->r->ncolumns, &e);
	if (x != NULL)
		return x;
	/* Byte offset of the error inside the expression. */
	for (line = 1, k = 1; off < json_string_length(s); off++) {
		if (line == e.line && k == e.column)
			break;
		if (src[off] == '\n') {
			line++;
			k = 1;
		} else if (((unsigned char)src[off] & 0xc0) != 0x80)
			k++;
	}
	if (strstr(e.text, "bad regular expression") != NULL)
		check = "regex-compile";
	else if (strstr(e.text, "not a duration") != NULL)
		check = "bad-duration";
	else if (strstr(e.text, "not a time") != NULL)
		check = "bad-time";
	pxr_diag_add(L->d, L->r->pos, path, 0, PXR_SEV_ERROR, check, "%s:%s",
	    path, e.text);
	if (L->d != NULL && L->r->pos != NULL) {
		struct pxr_diag *g = &L->d->v[L->d->n - 1];

		pxr_jpos_strpos(L->r->pos, path, off, &line, &col);
		g->line = line;
		g->col = col;
	}
	return NULL;
}

static int
duration(struct ld *L, const char *path, json_t *v, int64_t *out)
{
	struct pxr_error e;

	if (v == NULL || !json_is_string(v))
		return -1;
	if (pxr_dur_parse(json_string_value(v), json_string_length(v), out,
	    &e) < 0) {
		ERR(L, path, "bad-duration", "%s: %s", path, e.text);
		return -1;
	}
	return 0;
}

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
		if (check_obj(L, t, path, tier_defs) < 0)
			continue;
		tr->name = getstr(t, "name");
		if (tr->name == NULL)
			tr->name = pxr_strdup("");
		if (get(t, "min", J_NUM) && get(t, "above", J_NUM))
			ERR(L, path, "tier-bounds", "%s: give 'min' or "
			    "'above', not both", path);
		if (get(t, "max", J_NUM) && get(t, "upto", J_NUM))
			ERR(L, path, "tier-bounds", "%s: give 'max' or "
			    "'upto', not both", path);
		if ((v = get(t, "min", J_NUM)) != NULL ||
		    (v = get(t, "above", J_NUM)) != NULL) {
			tr->has_lo = 1;
			tr->lo_incl = get(t, "min", J_NUM) != NULL;
			num_value(v, &tr->lo);
		}
		if ((v = get(t, "upto", J_NUM)) != NULL ||
		    (v = get(t, "max", J_NUM)) != NULL) {
			tr->has_hi = 1;
			tr->hi_incl = get(t, "upto", J_NUM) != NULL;
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
		if (check_obj(L, c, path, comp_defs) < 0)
			continue;
		cp->tier = getstr(c, "tier");
		cp->kind = getstr(c, "kind");
		cp->item = getstr(c, "item");
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
		if ((v = get(c, "round", J_STR)) != NULL) {
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
		if ((v = get(c, "fixed_minor", J_INT)) != NULL) {
			cp->has_fixed = 1;
			cp->fixed_minor = json_integer_value(v);
			namount++;
		}
		if ((v = get(c, "percent", J_NUM)) != NULL) {
			snprintf(sub, sizeof(sub), "%s.percent", path);
			cp->has_percent = percent_bp(L, sub, v, &cp->percent_bp)
			    == 0;
			namount++;
			if (get(c, "of", J_EXPR) == NULL)
				ERR(L, path, "comp-no-amount", "%s: 'percent' "
				    "needs 'of' (the amount it is a percentage "
				    "of, in minor units)", path);
		}
		if (get(c, "amount", J_EXPR) != NULL)
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
		if ((v = get(c, name, J_EXPR)) != NULL) { \
			snprintf(sub, sizeof(sub), "%s.%s", path, name); \
			cp->field = compile(L, sub, v); \
		}
		CEXPR("when", when)
		CEXPR("of", of)
		CEXPR("amount", amount)
		CEXPR("currency", currency)
#undef CEXPR
		if ((v = get(c, "min_minor", J_INT)) != NULL) {
			cp->has_min = 1;
			cp->min_minor = json_integer_value(v);
		}
		if ((v = get(c, "max_minor", J_INT)) != NULL) {
			cp->has_max = 1;
			cp->max_minor = json_integer_value(v);
		}
		if (cp->has_min && cp->has_max && cp->min_minor > cp->max_minor)
			ERR(L, path, "comp-no-amount", "%s: min_minor is above "
			    "max_minor", path);
		if ((v = get(c, "valid", J_DUR)) != NULL) {
			snprintf(sub, sizeof(sub), "%s.valid", path);
			cp->has_valid = duration(L, sub, v, &cp->valid) == 0;
		}
	}
}

static void
load_rule(struct ld *L, struct pxr_rule *r, json_t *o, size_t idx)
{
	json_t *v, *x;
	char sub[160];
	size_t i;

	snprintf(r->path, sizeof(r->path), "rules[%zu]", idx);
	if (check_obj(L, o, r->path, rule_defs) < 0)
		return;
	r->id = getstr(o, "id");
	r->phase = getstr(o, "phase");
	r->description = getstr(o, "description");
	r->unit = getstr(o, "unit");
	if (r->id != NULL && !valid_id(r->id)) {
		snprintf(sub, sizeof(sub), "%s.id", r->path);
		ERR(L, sub, "bad-id", "%s: '%s' is not a rule id (lower-case "
		    "letters, digits and '-', starting with a letter or "
		    "digit)", sub, r->id);
	}
#define REXPR(name, field) \
	if ((v = get(o, name, J_EXPR)) != NULL) { \
		snprintf(sub, sizeof(sub), "%s.%s", r->path, name); \
		r->field = compile(L, sub, v); \
	}
	REXPR("when", when)
	REXPR("customer", customer)
	REXPR("at", at)
	REXPR("measure", measure)
#undef REXPR
	if ((v = get(o, "key", J_EXPRARR)) != NULL) {
		if (json_is_string(v)) {
			r->nkey = 1;
			r->key = pxr_calloc(1, sizeof(*r->key));
			snprintf(sub, sizeof(sub), "%s.key", r->path);
			r->key[0] = compile(L, sub, v);
		} else {
			r->nkey = json_array_size(v);
			r->key = pxr_calloc(r->nkey + 1, sizeof(*r->key));
			json_array_foreach(v, i, x) {
				snprintf(sub, sizeof(sub), "%s.key[%zu]",
				    r->path, i);
				r->key[i] = compile(L, sub, x);
			}
		}
	}
	if ((v = get(o, "tiers", J_ARR)) != NULL)
		load_tiers(L, r, v, r->path);
	if ((v = get(o, "group", J_OBJ)) != NULL) {
		snprintf(sub, sizeof(sub), "%s.group", r->path);
		if (check_obj(L, v, sub, group_defs) == 0) {
			json_t *by = get(v, "by", J_EXPRARR), *w;
			static const char *wins[] = { "1d", "7d", "30d",
			    "calendar-month" };
			static const char *aggs[] = { "count", "sum", "max" };

			r->group = pxr_calloc(1, sizeof(*r->group));
			r->group->aggregate = PXR_AGG_COUNT;
			if (by != NULL && json_is_string(by)) {
				r->group->nby = 1;
				r->group->by = pxr_calloc(1, sizeof(void *));
				snprintf(sub, sizeof(sub), "%s.group.by",
				    r->path);
				r->group->by[0] = compile(L, sub, by);
			} else if (by != NULL) {
				r->group->nby = json_array_size(by);
				r->group->by = pxr_calloc(r->group->nby + 1,
				    sizeof(void *));
				json_array_foreach(by, i, x) {
					snprintf(sub, sizeof(sub),
					    "%s.group.by[%zu]", r->path, i);
					r->group->by[i] = compile(L, sub, x);
				}
			}
			if ((w = get(v, "window", J_STR)) != NULL) {
				for (i = 0; i < 4; i++)
					if (strcmp(json_string_value(w),
					    wins[i]) == 0)
						r->group->window = (int)i + 1;
				snprintf(sub, sizeof(sub), "%s.group.window",
				    r->path);
				if (r->group->window == 0)
					ERR(L, sub, "bad-duration", "%s: '%s' "
					    "is not a window (1d, 7d, 30d or "
					    "calendar-month)", sub,
					    json_string_value(w));
			}
			if ((w = get(v, "aggregate", J_STR)) != NULL) {
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
	if ((v = get(o, "inhibits", J_STRARR)) != NULL) {
		r->ninhibits = json_array_size(v);
		r->inhibits = pxr_calloc(r->ninhibits + 1, sizeof(char *));
		json_array_foreach(v, i, x)
			r->inhibits[i] = pxr_strdup(json_string_value(x));
	}
	if ((v = get(o, "compensation", J_ARR)) != NULL)
		load_comp(L, r, v, r->path);
	if ((v = get(o, "notify", J_OBJ)) != NULL) {
		snprintf(sub, sizeof(sub), "%s.notify", r->path);
		if (check_obj(L, v, sub, rnotify_defs) == 0) {
			json_t *ch = get(v, "channels", J_STRARR);

			r->notify = pxr_calloc(1, sizeof(*r->notify));
			r->notify->tmpl = getstr(v, "template");
			r->notify->all = json_is_true(json_object_get(v, "all"));
			r->notify->transactional =
			    json_is_true(json_object_get(v, "transactional"));
			if (ch != NULL) {
				r->notify->nchannels = json_array_size(ch);
				r->notify->channels = pxr_calloc(
				    r->notify->nchannels + 1, sizeof(char *));
				json_array_foreach(ch, i, x) {
					const char *c = json_string_value(x);

					r->notify->channels[i] = pxr_strdup(c);
					if (strcmp(c, "email") != 0 &&
					    strcmp(c, "sms") != 0 &&
					    strcmp(c, "push") != 0) {
						snprintf(sub, sizeof(sub),
						    "%s.notify.channels[%zu]",
						    r->path, i);
						ERR(L, sub, "wrong-type", "%s: "
						    "unknown channel '%s' "
						    "(email, sms or push)",
						    sub, c);
					}
				}
				if (r->notify->nchannels == 0) {
					snprintf(sub, sizeof(sub),
					    "%s.notify.channels", r->path);
					ERR(L, sub, "missing-member", "%s: no "
					    "channel", sub);
				}
			}
		}
	}
}

static void
load_top(struct ld *L)
{
	struct pxr_rules *R = L->r;
	json_t *root = R->root, *v, *x, *y;
	const char *k;
	size_t i, j;
	char sub[160];

	if (check_obj(L, root, "", top_defs) < 0)
		return;
	if ((v = get(root, "version", J_INT)) != NULL &&
	    json_integer_value(v) != 1)
		ERR(L, "version", "wrong-type", "version: this toolkit reads "
		    "version 1, not %lld", (long long)json_integer_value(v));
	R->tz = pxr_tz_env();
	if ((v = get(root, "defaults", J_OBJ)) != NULL &&
	    check_obj(L, v, "defaults", defaults_defs) == 0) {
		R->currency = getstr(v, "currency");
		R->locale = getstr(v, "locale");
		if ((x = get(v, "timezone", J_STR)) != NULL) {
			struct pxr_tz *z = pxr_tz_get(json_string_value(x));

			if (z == NULL)
				ERR(L, "defaults.timezone", "bad-timezone",
				    "defaults.timezone: unknown time zone "
				    "'%s'", json_string_value(x));
			else
				R->tz = z;
		}
		if (R->currency != NULL && (strlen(R->currency) != 3 ||
		    R->currency[0] < 'A' || R->currency[0] > 'Z' ||
		    R->currency[1] < 'A' || R->currency[1] > 'Z' ||
		    R->currency[2] < 'A' || R->currency[2] > 'Z'))
			ERR(L, "defaults.currency", "bad-currency",
			    "defaults.currency: '%s' is not an ISO 4217 code",
			    R->currency);
	}
	if ((v = get(root, "journey", J_OBJ)) != NULL &&
	    check_obj(L, v, "journey", journey_defs) == 0) {
		R->journey = getstr(v, "name");
		if ((x = get(v, "phases", J_ARR)) != NULL) {
			R->nphases = json_array_size(x);
			R->phases = pxr_calloc(R->nphases + 1,
			    sizeof(*R->phases));
			json_array_foreach(x, i, y) {
				snprintf(sub, sizeof(sub), "journey.phases[%zu]",
				    i);
				if (check_obj(L, y, sub, phase_defs) < 0)
					continue;
				R->phases[i].id = getstr(y, "id");
				R->phases[i].name = getstr(y, "name");
				for (j = 0; j < i && R->phases[i].id != NULL;
				    j++)
					if (R->phases[j].id != NULL &&
					    strcmp(R->phases[j].id,
					    R->phases[i].id) == 0) {
						snprintf(sub, sizeof(sub),
						    "journey.phases[%zu].id",
						    i);
						ERR(L, sub, "duplicate-rule-id",
						    "%s: phase id '%s' used "
						    "twice", sub,
						    R->phases[i].id);
					}
			}
		}
	}
	if ((v = get(root, "input", J_OBJ)) != NULL &&
	    check_obj(L, v, "input", input_defs) != 0)
		v = NULL;
	if ((x = get(v, "delimiter", J_STR)) != NULL &&
	    (R->delimiter = pxr_csv_delim_parse(json_string_value(x))) < 0) {
		R->delimiter = 0;
		ERR(L, "input.delimiter", "wrong-type", "input.delimiter: "
		    "expected one character such as ';' or '|', or \"tab\"");
	}
	if ((x = get(v, "columns", J_MAP)) != NULL) {
		R->columns = pxr_calloc(json_object_size(x) + 1,
		    sizeof(*R->columns));
		json_object_foreach(x, k, y) {
			int t = json_is_string(y) ?
			    pxr_ctype_parse(json_string_value(y)) : -1;

			snprintf(sub, sizeof(sub), "input.columns.%s", k);
			if (t < 0) {
				ERR(L, sub, "wrong-type", "%s: expected a type: "
				    "string, int, number, time, duration or "
				    "bool", sub);
				continue;
			}
			R->columns[R->ncolumns].name = pxr_strdup(k);
			R->columns[R->ncolumns++].type = t;
		}
	}
	if ((v = get(root, "limits", J_OBJ)) != NULL &&
	    check_obj(L, v, "limits", limits_defs) == 0) {
		if ((x = get(v, "per_customer", J_OBJ)) != NULL &&
		    check_obj(L, x, "limits.per_customer", percust_defs) == 0 &&
		    (y = get(x, "max_minor", J_INT)) != NULL &&
		    duration(L, "limits.per_customer.period",
		    get(x, "period", J_DUR), &R->cap_period) == 0) {
			R->has_cap = 1;
			R->cap_minor = json_integer_value(y);
		}
		if ((x = get(v, "batch_budget_minor", J_INT)) != NULL) {
			R->has_budget = 1;
			R->budget_minor = json_integer_value(x);
		}
	}
	if ((v = get(root, "notify", J_OBJ)) != NULL &&
	    check_obj(L, v, "notify", notify_defs) == 0) {
		int64_t d;

		if ((x = get(v, "fields", J_OBJ)) != NULL)
			check_obj(L, x, "notify.fields", fields_defs);
		if ((x = get(v, "from", J_OBJ)) != NULL)
			check_obj(L, x, "notify.from", from_defs);
		if ((x = get(v, "max_per_customer", J_OBJ)) != NULL &&
		    check_obj(L, x, "notify.max_per_customer", maxper_defs) == 0)
			(void)duration(L, "notify.max_per_customer.period",
			    get(x, "period", J_DUR), &d);
		if ((x = get(v, "quiet_hours", J_OBJ)) != NULL) {
			json_object_foreach(x, k, y) {
				snprintf(sub, sizeof(sub),
				    "notify.quiet_hours.%s", k);
				if (strcmp(k, "email") != 0 &&
				    strcmp(k, "sms") != 0 &&
				    strcmp(k, "push") != 0) {
					pxr_diag_add(L->d, R->pos, sub, 1,
					    PXR_SEV_ERROR, "unknown-member",
					    "%s: unknown channel '%s'", sub, k);
					continue;
				}
				if (check_obj(L, y, sub, quiet_defs) < 0)
					continue;
				for (j = 0; j < 2; j++) {
					const char *w = j == 0 ? "from" : "to";
					json_t *t = get(y, w, J_STR);
					const char *s;
					char sp[200];

					if (t == NULL)
						continue;
					s = json_string_value(t);
					snprintf(sp, sizeof(sp), "%s.%s", sub, w);
					if (strlen(s) != 5 || s[2] != ':' ||
					    s[0] < '0' || s[0] > '2' ||
					    s[1] < '0' || s[1] > '9' ||
					    s[3] < '0' || s[3] > '5' ||
					    s[4] < '0' || s[4] > '9' ||
					    (s[0] - '0') * 10 + s[1] - '0' > 23)
						ERR(L, sp, "bad-quiet-hours",
						    "%s: expected a time of day "
						    "hh:mm, not '%s'", sp, s);
				}
			}
		}
	}
	if ((v = get(root, "fan", J_OBJ)) != NULL &&
	    check_obj(L, v, "fan", fan_defs) == 0) {
		static const char *fx[] = { "when", "score", "by" };
		int64_t d;

		for (i = 0; i < 3; i++)
			if ((x = get(v, fx[i], J_EXPR)) != NULL) {
				struct pxr_expr *e;

				snprintf(sub, sizeof(sub), "fan.%s", fx[i]);
				e = compile(L, sub, x);
				pxr_expr_free(e);
			}
		(void)duration(L, "fan.cooldown", get(v, "cooldown", J_DUR), &d);
		(void)duration(L, "fan.valid", get(v, "valid", J_DUR), &d);
	}

	if ((v = get(root, "rules", J_ARR)) == NULL)
		return;
	R->nrules = json_array_size(v);
	R->rules = pxr_calloc(R->nrules + 1, sizeof(*R->rules));
	json_array_foreach(v, i, x)
		load_rule(L, &R->rules[i], x, i);
	/* Cross-references. */
	for (i = 0; i < R->nrules; i++) {
		struct pxr_rule *r = &R->rules[i];

		for (j = 0; j < i && r->id != NULL; j++)
			if (R->rules[j].id != NULL &&
			    strcmp(R->rules[j].id, r->id) == 0) {
				snprintf(sub, sizeof(sub), "%s.id", r->path);
				ERR(L, sub, "duplicate-rule-id", "%s: rule id "
				    "'%s' is already used by %s", sub, r->id,
				    R->rules[j].path);
			}
		if (r->phase != NULL) {
			const char **names = pxr_calloc(R->nphases + 1,
			    sizeof(*names));
			size_t n = 0;

			for (j = 0; j < R->nphases; j++)
				if (R->phases[j].id != NULL) {
					if (strcmp(R->phases[j].id, r->phase) ==
					    0)
						break;
					names[n++] = R->phases[j].id;
				}
			if (j == R->nphases) {
				const char *s = pxr_suggest(r->phase, names, n);

				snprintf(sub, sizeof(sub), "%s.phase", r->path);
				if (R->nphases == 0)
					ERR(L, sub, "unknown-phase", "%s: phase "
					    "'%s', but the file has no "
					    "journey.phases", sub, r->phase);
				else if (s != NULL)
					ERR(L, sub, "unknown-phase", "%s: "
					    "unknown phase '%s' (did you mean "
					    "'%s'?)", sub, r->phase, s);
				else
					ERR(L, sub, "unknown-phase", "%s: "
					    "unknown phase '%s'", sub, r->phase);
			}
			free(names);
		}
		for (j = 0; j < r->ninhibits; j++)
			if (pxr_rules_find(R, r->inhibits[j]) == NULL) {
				snprintf(sub, sizeof(sub), "%s.inhibits[%zu]",
				    r->path, j);
				ERR(L, sub, "unknown-member", "%s: no rule "
				    "'%s'", sub, r->inhibits[j]);
			}
		for (j = 0; j < r->ncomp; j++) {
			size_t t;

			if (r->comp[j].tier == NULL)
				continue;
			for (t = 0; t < r->ntiers; t++)
				if (r->tiers[t].name != NULL &&
				    strcmp(r->tiers[t].name, r->comp[j].tier) ==
				    0)
					break;
			if (t == r->ntiers && !(r->ntiers == 0 &&
			    strcmp(r->comp[j].tier, "default") == 0)) {
				snprintf(sub, sizeof(sub),
				    "%s.compensation[%zu].tier", r->path, j);
				ERR(L, sub, "comp-unknown-tier", "%s: rule "
				    "'%s' has no tier '%s'", sub,
				    r->id != NULL ? r->id : "?",
				    r->comp[j].tier);
			}
		}
	}
}

static struct pxr_rules *load(const char *, struct pxr_diags *, int);

struct pxr_rules *
pxr_rules_load(const char *path, struct pxr_diags *d)
{
	return load(path, d, 0);
}

struct pxr_rules *
pxr_rules_check(const char *path, struct pxr_diags *d)
{
	return load(path, d, 1);
}

static struct pxr_rules *
load(const char *path, struct pxr_diags *d, int keep)
{
	struct pxr_rules *R;
	struct ld L;
	json_error_t je;
	FILE *fp;
	struct pxr_buf text = { 0 };
	char chunk[65536];
	size_t n;
	const char *slash;

	memset(&L, 0, sizeof(L));
	L.d = d != NULL ? d : &L.own;
	R = pxr_calloc(1, sizeof(*R));
	L.r = R;
	R->path = pxr_strdup(path);
	slash = strrchr(path, '/');
	R->dir = slash != NULL ? pxr_strndup(path, (size_t)(slash - path)) :
	    pxr_strdup(".");
	if ((fp = fopen(path, "re")) == NULL) {
		pxr_diag_add(L.d, NULL, "", 0, PXR_SEV_ERROR, "io", "%s",
		    strerror(errno));
		goto fail;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		pxr_buf_add(&text, chunk, n);
	if (ferror(fp)) {
		pxr_diag_add(L.d, NULL, "", 0, PXR_SEV_ERROR, "io", "%s",
		    strerror(errno));
		fclose(fp);
		goto fail;
	}
	fclose(fp);
	if (text.p != NULL && memchr(text.p, '\0', text.len) != NULL) {
		/* jansson would stop reading there; so would a person. */
		struct pxr_diag *g;
		long line = 1;
		size_t i, nul = (size_t)((char *)memchr(text.p, '\0', text.len) -
		    text.p);

		for (i = 0; i < nul; i++)
			line += text.p[i] == '\n';
		pxr_diag_add(L.d, NULL, "", 0, PXR_SEV_ERROR, "json-syntax",
		    "a NUL byte in the file");
		g = &L.d->v[L.d->n - 1];
		g->line = line;
		goto fail;
	}
	R->root = json_loadb(text.p != NULL ? text.p : "", text.len,
	    JSON_REJECT_DUPLICATES, &je);
	if (R->root == NULL) {
		struct pxr_diag *g;

		pxr_diag_add(L.d, NULL, "", 0, PXR_SEV_ERROR, "json-syntax",
		    "%s", je.text);
		g = &L.d->v[L.d->n - 1];
		g->line = je.line > 0 ? je.line : 1;
		g->col = je.column > 0 ? je.column : 1;
		goto fail;
	}
	R->pos = pxr_jpos_new(text.p, text.len);
	pxr_buf_free(&text);
	load_top(&L);
	if (L.d->nerr > 0 && !keep)
		goto fail2;
	pxr_diags_free(&L.own);
	return R;
fail:
	pxr_buf_free(&text);
fail2:
	pxr_rules_free(R);
	pxr_diags_free(&L.own);
	return NULL;
}

static void
free_rule(struct pxr_rule *r)
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
	for (i = 0; i < r->ntiers; i++)
		free(r->tiers[i].name);
	free(r->tiers);
	if (r->group != NULL) {
		for (i = 0; i < r->group->nby; i++)
			pxr_expr_free(r->group->by[i]);
		free(r->group->by);
		free(r->group);
	}
	for (i = 0; i < r->ninhibits; i++)
		free(r->inhibits[i]);
	free(r->inhibits);
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
	if (r->notify != NULL) {
		for (i = 0; i < r->notify->nchannels; i++)
			free(r->notify->channels[i]);
		free(r->notify->channels);
		free(r->notify->tmpl);
		free(r->notify);
	}
}

void
pxr_rules_free(struct pxr_rules *R)
{
	size_t i;

	if (R == NULL)
		return;
	for (i = 0; i < R->nrules; i++)
		free_rule(&R->rules[i]);
	free(R->rules);
	for (i = 0; i < R->nphases; i++) {
		free(R->phases[i].id);
		free(R->phases[i].name);
	}
	free(R->phases);
	for (i = 0; i < R->ncolumns; i++)
		free((char *)R->columns[i].name);
	free(R->columns);
	free(R->currency);
	free(R->locale);
	free(R->journey);
	free(R->path);
	free(R->dir);
	pxr_jpos_free(R->pos);
	json_decref(R->root);
	free(R);
}

static void
bindx(struct pxr_expr *e, struct pxr_schema *s)
{
	if (e != NULL)
		pxr_expr_bind(e, s);
}

void
pxr_rules_bind(struct pxr_rules *R, struct pxr_schema *s)
{
	size_t i, j;

	for (i = 0; i < R->nrules; i++) {
		struct pxr_rule *r = &R->rules[i];

		bindx(r->when, s);
		bindx(r->customer, s);
		bindx(r->at, s);
		bindx(r->measure, s);
		for (j = 0; j < r->nkey; j++)
			bindx(r->key[j], s);
		if (r->group != NULL)
			for (j = 0; j < r->group->nby; j++)
				bindx(r->group->by[j], s);
		for (j = 0; j < r->ncomp; j++) {
			bindx(r->comp[j].when, s);
			bindx(r->comp[j].of, s);
			bindx(r->comp[j].amount, s);
			bindx(r->comp[j].currency, s);
		}
	}
}

struct pxr_rule *
pxr_rules_find(const struct pxr_rules *R, const char *id)
{
	size_t i;

	for (i = 0; i < R->nrules; i++)
		if (R->rules[i].id != NULL && strcmp(R->rules[i].id, id) == 0)
			return &R->rules[i];
	return NULL;
}

const char *
pxr_rules_phase_name(const struct pxr_rules *R, const char *id)
{
	size_t i;

	for (i = 0; i < R->nphases; i++)
		if (R->phases[i].id != NULL && strcmp(R->phases[i].id, id) == 0)
			return R->phases[i].name != NULL ? R->phases[i].name :
			    id;
	return id;
}
