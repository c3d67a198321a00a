/* expr_eval.c: the evaluator: a tree and a record to a value. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "exprint.h"

int
pxr_ex_rterr(struct ev *x, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pxr_error_set(x->err, PXR_EXIT_DATAERR, "%s", msg);
}

int
pxr_ex_field_err(struct ev *x, const struct pxr_value *v, const char *what)
{
	return pxr_ex_rterr(x, "column '%s': not %s: \"%.*s\"", v->field, what,
	    (int)(v->n > 64 ? 64 : v->n), v->s);
}

char *
pxr_ex_scratch(struct ev *x, size_t n)
{
	return pxr_arena_alloc(x->env->arena, n + 1);
}

/* A FIELD (or STR) read as the given kind; other kinds pass through. */
int
pxr_ex_as_number(struct ev *x, struct pxr_value *v)
{
	if (v->t == PXR_V_INT || v->t == PXR_V_DBL || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD) {
		if (!pxr_number_parse(v->s, v->n, v))
			return pxr_ex_field_err(x, v, "a number");
		return 0;
	}
	return pxr_ex_rterr(x, "expected a number, got %s", pxr_vt_name(v->t));
}

int
pxr_ex_as_time(struct ev *x, struct pxr_value *v)
{
	struct pxr_error e;
	int dateonly;

	if (v->t == PXR_V_TIME || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_time_parse(v->s, v->n, x->env->tz, &v->i, &dateonly,
		    &e) < 0) {
			if (v->t == PXR_V_FIELD)
				return pxr_ex_rterr(x, "column '%s': %s",
				    v->field, e.text);
			return pxr_ex_rterr(x, "%s", e.text);
		}
		v->t = PXR_V_TIME;
		v->dateonly = dateonly;
		return 0;
	}
	return pxr_ex_rterr(x, "expected a time, got %s", pxr_vt_name(v->t));
}

int
pxr_ex_as_dur(struct ev *x, struct pxr_value *v)
{
	struct pxr_error e;

	if (v->t == PXR_V_DUR || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_dur_parse(v->s, v->n, &v->i, &e) < 0) {
			if (v->t == PXR_V_FIELD)
				return pxr_ex_rterr(x, "column '%s': %s",
				    v->field, e.text);
			return pxr_ex_rterr(x, "%s", e.text);
		}
		v->t = PXR_V_DUR;
		v->days = pxr_ex_dur_days(v->s, v->n);
		return 0;
	}
	return pxr_ex_rterr(x, "expected a duration, got %s",
	    pxr_vt_name(v->t));
}

int
pxr_ex_as_bool(struct ev *x, struct pxr_value *v)
{
	if (v->t == PXR_V_BOOL || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD) {
		if (v->n == 4 && strncasecmp(v->s, "true", 4) == 0) {
			v->t = PXR_V_BOOL;
			v->i = 1;
			return 0;
		}
		if (v->n == 5 && strncasecmp(v->s, "false", 5) == 0) {
			v->t = PXR_V_BOOL;
			v->i = 0;
			return 0;
		}
		return pxr_ex_field_err(x, v, "true or false");
	}
	return pxr_ex_rterr(x, "expected true or false, got %s",
	    pxr_vt_name(v->t));
}

static int
is_num(const struct pxr_value *v)
{
	return v->t == PXR_V_INT || v->t == PXR_V_DBL;
}

static double
dbl(const struct pxr_value *v)
{
	return v->t == PXR_V_INT ? (double)v->i : v->d;
}

/* Starts like an ISO date: four digits and a '-'. */
static int
looks_date(const struct pxr_value *v)
{
	return v->n >= 10 && v->s[0] >= '0' && v->s[0] <= '9' &&
	    v->s[1] >= '0' && v->s[1] <= '9' && v->s[2] >= '0' &&
	    v->s[2] <= '9' && v->s[3] >= '0' && v->s[3] <= '9' &&
	    v->s[4] == '-';
}

/*
 * Bring a and b to a common kind: a field takes the kind of what it
 * meets; two fields are numbers if both read as numbers, else times if
 * both read as times, else text.
 */
int
pxr_ex_unify(struct ev *x, struct pxr_value *a, struct pxr_value *b)
{
	struct pxr_value ta, tb;
	struct pxr_error e;
	int da, db, ra, rb;

	if ((a->t == PXR_V_FIELD || a->t == PXR_V_STR) &&
	    (b->t == PXR_V_FIELD || b->t == PXR_V_STR)) {
		if (pxr_number_parse(a->s, a->n, &ta) &&
		    pxr_number_parse(b->s, b->n, &tb)) {
			*a = ta;
			*b = tb;
			return 0;
		}
		ra = looks_date(a) && pxr_time_parse(a->s, a->n, x->env->tz,
		    &ta.i, &da, &e) == 0;
		rb = looks_date(b) && pxr_time_parse(b->s, b->n, x->env->tz,
		    &tb.i, &db, &e) == 0;
		if (ra && rb) {
			a->t = b->t = PXR_V_TIME;
			a->i = ta.i;
			b->i = tb.i;
			a->dateonly = da;
			b->dateonly = db;
			return 0;
		}
		/*
		 * A time against something dated that is no time (2026-13-01)
		 * is an error, not a text comparison that quietly misleads.
		 */
		if (ra && looks_date(b))
			return pxr_ex_as_time(x, b);
		if (rb && looks_date(a))
			return pxr_ex_as_time(x, a);
		return 0;	/* text */
	}
	if (b->t == PXR_V_FIELD) {
		struct pxr_value *t = a;

		a = b;
		b = t;
	}
	if (a->t != PXR_V_FIELD)
		return 0;
	switch (b->t) {
	case PXR_V_INT:
	case PXR_V_DBL:
		return pxr_ex_as_number(x, a);
	case PXR_V_TIME:
		return pxr_ex_as_time(x, a);
	case PXR_V_DUR:
		return pxr_ex_as_dur(x, a);
	case PXR_V_BOOL:
		return pxr_ex_as_bool(x, a);
	default:
		return 0;
	}
}

static int
is_null_lit(const struct node *n)
{
	return n->op == N_LIT && n->lit.t == PXR_V_NULL;
}

/*
 * The text of a field declared with a format, read by it (coltype.h); a
 * JSON number (isnum) has JSON's decimal point and no groups.
 */
static int
load_declared(struct ev *x, const struct node *n, const char *s, size_t len,
    int isnum, struct pxr_value *v)
{
	struct pxr_coltype json;
	const struct pxr_coltype *c = n->decl;
	struct pxr_typed t;
	struct pxr_error e;

	if (isnum) {
		json = *c;
		json.decimal = '.';
		json.group[0] = '\0';
		c = &json;
	}
	if (pxr_coltype_read(c, s, len, x->env->tz, &t, &e) < 0)
		return pxr_ex_rterr(x, "column '%s': %s", n->text, e.text);
	if (n->decl->type == PXR_C_TIME) {
		v->t = PXR_V_TIME;
		v->i = t.ival;
		v->dateonly = t.dateonly;
	} else if (t.isint) {
		v->t = PXR_V_INT;
		v->i = t.ival;
	} else if (n->decl->type == PXR_C_INT) {
		return pxr_ex_rterr(x, "column '%s': not an integer: \"%.*s\"",
		    n->text, (int)(len > 64 ? 64 : len), s);
	} else {
		v->t = PXR_V_DBL;
		v->d = t.dval;
	}
	return 0;
}

static int
load_field(struct ev *x, const struct node *n, struct pxr_value *v)
{
	const struct pxr_val *fv = pxr_rec_get(x->env->rec, n->col);

	memset(v, 0, sizeof(*v));
	v->field = n->text;
	if (fv->t == PXR_ABSENT && n->pcol != PXR_NOFIELD) {
		/* A dotted name reaching into a nested JSON member. */
		const struct pxr_val *pv = pxr_rec_get(x->env->rec, n->pcol);
		json_t *root, *j;
		const char *p = n->path;
		char part[256];

		if (pv->t != PXR_JSON)
			return 0;
		root = json_loadb(pv->s, pv->n, JSON_DECODE_ANY, NULL);
		j = root;
		while (j != NULL && *p != '\0') {
			const char *dot = strchr(p, '.');
			size_t k = dot != NULL ? (size_t)(dot - p) : strlen(p);

			snprintf(part, sizeof(part), "%.*s", (int)k, p);
			j = json_is_object(j) ? json_object_get(j, part) :
			    json_is_array(j) ? json_array_get(j,
			    (size_t)strtoul(part, NULL, 10)) : NULL;
			p += k + (dot != NULL);
		}
		if (j != NULL && !json_is_null(j)) {
			if (json_is_string(j)) {
				char *s = pxr_ex_scratch(x,
				    json_string_length(j));

				memcpy(s, json_string_value(j),
				    json_string_length(j));
				v->t = PXR_V_FIELD;
				v->s = s;
				v->n = json_string_length(j);
			} else if (json_is_integer(j)) {
				v->t = PXR_V_INT;
				v->i = json_integer_value(j);
			} else if (json_is_real(j)) {
				v->t = PXR_V_DBL;
				v->d = json_real_value(j);
			} else if (json_is_boolean(j)) {
				v->t = PXR_V_BOOL;
				v->i = json_is_true(j);
			} else {
				char *s = json_dumps(j, JSON_COMPACT |
				    JSON_ENCODE_ANY);
				size_t len = s != NULL ? strlen(s) : 0;
				char *c = pxr_ex_scratch(x, len);

				if (s != NULL)
					memcpy(c, s, len);
				free(s);
				v->t = PXR_V_STR;
				v->s = c;
				v->n = len;
			}
		}
		json_decref(root);
		goto typed;
	}
	if (n->decl != NULL && fv->t != PXR_ABSENT && fv->t != PXR_NULL)
		return load_declared(x, n, fv->s, fv->n, fv->t == PXR_NUM, v);
	switch (fv->t) {
	case PXR_ABSENT:
	case PXR_NULL:
		return 0;
	case PXR_NUM:
		if (!pxr_number_parse(fv->s, fv->n, v)) {
			v->t = PXR_V_FIELD;
			v->s = fv->s;
			v->n = fv->n;
		}
		break;
	case PXR_BOOL:
		v->t = PXR_V_BOOL;
		v->i = fv->s[0] == 't';
		break;
	default:
		v->t = PXR_V_FIELD;
		v->s = fv->s;
		v->n = fv->n;
		break;
	}
typed:
	switch (n->ctype) {
	case PXR_C_STRING:
		if (v->t == PXR_V_FIELD)
			v->t = PXR_V_STR;
		return 0;
	case PXR_C_INT:
		if (pxr_ex_as_number(x, v) < 0)
			return -1;
		if (v->t == PXR_V_DBL)
			return pxr_ex_rterr(x, "column '%s': not an integer",
			    n->text);
		return 0;
	case PXR_C_NUMBER:
		return pxr_ex_as_number(x, v);
	case PXR_C_TIME:
		return pxr_ex_as_time(x, v);
	case PXR_C_DURATION:
		return pxr_ex_as_dur(x, v);
	case PXR_C_BOOL:
		return pxr_ex_as_bool(x, v);
	default:
		return 0;
	}
}

/* -1 if a < b, 0 equal, 1 greater; kinds already unified. */
int
pxr_ex_compare(struct ev *x, const struct pxr_value *a,
    const struct pxr_value *b, int *out)
{
	if (is_num(a) && is_num(b)) {
		if (a->t == PXR_V_INT && b->t == PXR_V_INT)
			*out = a->i < b->i ? -1 : a->i > b->i;
		else {
			double p = dbl(a), q = dbl(b);

			*out = p < q ? -1 : p > q;
		}
		return 0;
	}
	if ((a->t == PXR_V_STR || a->t == PXR_V_FIELD) &&
	    (b->t == PXR_V_STR || b->t == PXR_V_FIELD)) {
		size_t m = a->n < b->n ? a->n : b->n;
		int c = m > 0 ? memcmp(a->s, b->s, m) : 0;

		*out = c != 0 ? (c < 0 ? -1 : 1) : a->n < b->n ? -1 :
		    a->n > b->n;
		return 0;
	}
	if (a->t == b->t && (a->t == PXR_V_TIME || a->t == PXR_V_DUR ||
	    a->t == PXR_V_BOOL)) {
		*out = a->i < b->i ? -1 : a->i > b->i;
		return 0;
	}
	return pxr_ex_rterr(x, "cannot compare %s with %s", pxr_vt_name(a->t),
	    pxr_vt_name(b->t));
}

static int
values_equal(struct ev *x, struct pxr_value a, struct pxr_value b, int *eq)
{
	int c;

	if (a.t == PXR_V_NULL || b.t == PXR_V_NULL) {
		*eq = a.t == b.t;
		return 0;
	}
	/* A field that is no number is simply not equal to a number. */
	if ((a.t == PXR_V_FIELD && is_num(&b)) || (b.t == PXR_V_FIELD &&
	    is_num(&a))) {
		struct pxr_value *f = a.t == PXR_V_FIELD ? &a : &b, t;

		if (!pxr_number_parse(f->s, f->n, &t)) {
			*eq = 0;
			return 0;
		}
	}
	if (pxr_ex_unify(x, &a, &b) < 0 || pxr_ex_compare(x, &a, &b, &c) < 0)
		return -1;
	*eq = c == 0;
	return 0;
}

int
pxr_ex_checked(struct ev *x, int ovf, const char *what)
{
	if (ovf)
		return pxr_ex_rterr(x, "integer overflow in %s", what);
	return 0;
}

static struct pxr_tz *
zone(struct ev *x)
{
	return x->env->tz != NULL ? x->env->tz : pxr_tz_utc();
}

/* The calendar day of t in the rule's zone, as days since 1970-01-01. */
static int64_t
civil_day(struct ev *x, int64_t t)
{
	struct pxr_civil c;

	pxr_time_civil(t, zone(x), &c);
	return pxr_days_from_civil(c.year, c.month, c.day);
}

/*
 * The time t moved by the duration d (back when neg): by d's calendar
 * days in the rule's zone, the wall clock kept, then by the exact rest.
 * A date moved by whole days stays a date.
 */
static int
time_plus(struct ev *x, struct pxr_value t, struct pxr_value d, int neg,
    struct pxr_value *r)
{
	const int64_t far = INT64_C(3650000) * PXR_US_DAY;
	int64_t days = d.days, rest = d.i;

	r->t = PXR_V_TIME;
	if (days != 0) {
		if (days > 3650000 || days < -3650000 || t.i > far ||
		    t.i < -far || __builtin_sub_overflow(d.i,
		    days * PXR_US_DAY, &rest))
			return pxr_ex_checked(x, 1, "time");
		t.i = pxr_time_add_days(zone(x), t.i, neg ? -days : days);
	}
	r->dateonly = t.dateonly && rest == 0;
	return pxr_ex_checked(x, neg ? __builtin_sub_overflow(t.i, rest,
	    &r->i) : __builtin_add_overflow(t.i, rest, &r->i), "time");
}

static int
arith(struct ev *x, int op, struct pxr_value a, struct pxr_value b,
    struct pxr_value *r)
{
	memset(r, 0, sizeof(*r));
	if (a.t == PXR_V_NULL || b.t == PXR_V_NULL)
		return 0;
	if ((op == N_ADD || op == N_SUB) && a.t == PXR_V_FIELD &&
	    b.t == PXR_V_DUR && looks_date(&a)) {
		if (pxr_ex_as_time(x, &a) < 0)
			return -1;
	} else if (op == N_ADD && b.t == PXR_V_FIELD && a.t == PXR_V_DUR &&
	    looks_date(&b)) {
		if (pxr_ex_as_time(x, &b) < 0)
			return -1;
	}
	if (a.t == PXR_V_FIELD && b.t == PXR_V_FIELD && op != N_SUB) {
		if (pxr_ex_as_number(x, &a) < 0 || pxr_ex_as_number(x, &b) < 0)
			return -1;
	} else if (pxr_ex_unify(x, &a, &b) < 0)
		return -1;
	if (a.t == PXR_V_FIELD && b.t == PXR_V_FIELD &&
	    (looks_date(&a) || looks_date(&b))) {
		/* Two dated texts that are not both times: name the bad one. */
		if (pxr_ex_as_time(x, &a) < 0 || pxr_ex_as_time(x, &b) < 0)
			return -1;
	}
	if (b.t == PXR_V_FIELD && pxr_ex_as_number(x, &b) < 0)
		return -1;
	if (a.t == PXR_V_FIELD && pxr_ex_as_number(x, &a) < 0)
		return -1;
	if (is_num(&a) && is_num(&b)) {
		if (a.t == PXR_V_INT && b.t == PXR_V_INT) {
			r->t = PXR_V_INT;
			switch (op) {
			case N_ADD:
				return pxr_ex_checked(x,
				    __builtin_add_overflow(a.i,
				    b.i, &r->i), "+");
			case N_SUB:
				return pxr_ex_checked(x,
				    __builtin_sub_overflow(a.i,
				    b.i, &r->i), "-");
			case N_MUL:
				return pxr_ex_checked(x,
				    __builtin_mul_overflow(a.i,
				    b.i, &r->i), "*");
			case N_DIV:
			case N_MOD:
				if (b.i == 0)
					return pxr_ex_rterr(x,
					    "division by zero");
				if (a.i == INT64_MIN && b.i == -1)
					return pxr_ex_checked(x, 1, "/");
				if (op == N_MOD) {
					r->i = a.i % b.i;
					return 0;
				}
				if (a.i % b.i == 0) {
					r->i = a.i / b.i;
					return 0;
				}
				r->t = PXR_V_DBL;
				r->d = (double)a.i / (double)b.i;
				return 0;
			}
		}
		r->t = PXR_V_DBL;
		switch (op) {
		case N_ADD: r->d = dbl(&a) + dbl(&b); break;
		case N_SUB: r->d = dbl(&a) - dbl(&b); break;
		case N_MUL: r->d = dbl(&a) * dbl(&b); break;
		case N_DIV:
		case N_MOD:
			if (dbl(&b) == 0)
				return pxr_ex_rterr(x, "division by zero");
			r->d = op == N_DIV ? dbl(&a) / dbl(&b) :
			    fmod(dbl(&a), dbl(&b));
			break;
		}
		if (!isfinite(r->d))
			return pxr_ex_rterr(x, "number out of range");
		return 0;
	}
	if (op == N_SUB && a.t == PXR_V_TIME && b.t == PXR_V_TIME) {
		r->t = PXR_V_DUR;
		if (a.dateonly && b.dateonly) {
			/* Two dates: a whole number of calendar days. */
			r->days = civil_day(x, a.i) - civil_day(x, b.i);
			r->i = r->days * PXR_US_DAY;
			return 0;
		}
		return pxr_ex_checked(x, __builtin_sub_overflow(a.i, b.i,
		    &r->i), "-");
	}
	if ((op == N_ADD || op == N_SUB) && a.t == PXR_V_TIME &&
	    b.t == PXR_V_DUR)
		return time_plus(x, a, b, op == N_SUB, r);
	if (op == N_ADD && a.t == PXR_V_DUR && b.t == PXR_V_TIME)
		return time_plus(x, b, a, 0, r);
	if ((op == N_ADD || op == N_SUB) && a.t == PXR_V_DUR &&
	    b.t == PXR_V_DUR) {
		r->t = PXR_V_DUR;
		r->days = op == N_ADD ? a.days + b.days : a.days - b.days;
		return pxr_ex_checked(x, op == N_ADD ?
		    __builtin_add_overflow(a.i, b.i, &r->i) :
		    __builtin_sub_overflow(a.i, b.i, &r->i), "duration");
	}
	if (op == N_MUL && ((a.t == PXR_V_DUR && is_num(&b)) ||
	    (b.t == PXR_V_DUR && is_num(&a)))) {
		struct pxr_value *d = a.t == PXR_V_DUR ? &a : &b;
		struct pxr_value *k = a.t == PXR_V_DUR ? &b : &a;

		r->t = PXR_V_DUR;
		/* Times a fraction the duration is exact time only. */
		if (k->t == PXR_V_INT)
			return pxr_ex_checked(x, __builtin_mul_overflow(d->i,
			    k->i, &r->i) | __builtin_mul_overflow(d->days,
			    k->i, &r->days), "duration");
		if (fabs((double)d->i * k->d) > 9e18)
			return pxr_ex_checked(x, 1, "duration");
		r->i = (int64_t)llround((double)d->i * k->d);
		return 0;
	}
	if (op == N_DIV && a.t == PXR_V_DUR && b.t == PXR_V_DUR) {
		if (b.i == 0)
			return pxr_ex_rterr(x, "division by zero");
		if (a.i % b.i == 0) {
			r->t = PXR_V_INT;
			r->i = a.i / b.i;
		} else {
			r->t = PXR_V_DBL;
			r->d = (double)a.i / (double)b.i;
		}
		return 0;
	}
	if (op == N_DIV && a.t == PXR_V_DUR && is_num(&b)) {
		if (dbl(&b) == 0)
			return pxr_ex_rterr(x, "division by zero");
		r->t = PXR_V_DUR;
		r->i = b.t == PXR_V_INT ? a.i / b.i :
		    (int64_t)llround((double)a.i / b.d);
		/* Calendar days stay so only when both parts divide. */
		if (b.t == PXR_V_INT && a.i % b.i == 0 && a.days % b.i == 0)
			r->days = a.days / b.i;
		return 0;
	}
	return pxr_ex_rterr(x, "cannot apply '%s' to %s and %s", op == N_ADD
	    ? "+" :
	    op == N_SUB ? "-" : op == N_MUL ? "*" : op == N_DIV ? "/" : "%",
	    pxr_vt_name(a.t), pxr_vt_name(b.t));
}

int
pxr_ex_regex_match(struct ev *x, const struct node *n,
    const struct pxr_value *v, int *matched)
{
	struct pxr_buf *tmp, local = { 0 };
	const char *s;
	size_t len;
	int rc;

	tmp = &local;
	if (v->t == PXR_V_STR || v->t == PXR_V_FIELD) {
		s = v->s;
		len = v->n;
	} else {
		pxr_value_text(v, x->env->tz, tmp);
		s = tmp->p != NULL ? tmp->p : "";
		len = tmp->len;
	}
	rc = pcre2_match(n->re, (PCRE2_SPTR)s, len, 0, 0, n->md, x->e->mctx);
	pxr_buf_free(&local);
	if (rc == PCRE2_ERROR_NOMATCH) {
		*matched = 0;
		return 0;
	}
	if (rc < 0) {
		char msg[256];

		pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof(msg));
		if (v->t == PXR_V_FIELD)
			return pxr_ex_rterr(x,
			    "column '%s': regular expression "
			    "failed: %s", v->field, msg);
		return pxr_ex_rterr(x, "regular expression failed: %s", msg);
	}
	*matched = 1;
	return 0;
}

/* Call n's builtin: its arguments evaluated unless it is lazy. */
static int
call(struct ev *x, const struct node *n, struct pxr_value *r)
{
	const struct pxr_ex_builtin *bi = n->bi;
	struct pxr_value a[PXR_EX_MAXARGS];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!(bi->flags & PXR_EX_LAZY)) {
		for (i = 0; i < n->nkid && i < PXR_EX_MAXARGS; i++) {
			if (pxr_ex_eval(x, n->kid[i], &a[i]) < 0)
				return -1;
			if (a[i].t == PXR_V_NULL && !(i > 0 &&
			    (bi->flags & PXR_EX_NULLOK)))
				return 0;	/* null in, null out */
		}
	}
	return bi->fn(x, n, a, r);
}

int
pxr_ex_truth(struct ev *x, const struct node *n, int *t)
{
	struct pxr_value v;

	if (pxr_ex_eval(x, n, &v) < 0 || pxr_ex_as_bool(x, &v) < 0)
		return -1;
	*t = v.t == PXR_V_NULL ? -1 : (int)v.i;	/* -1: null */
	return 0;
}

int
pxr_ex_eval(struct ev *x, const struct node *n, struct pxr_value *r)
{
	struct pxr_value a, b;
	int c, ta, tb;
	size_t i;

	switch (n->op) {
	case N_LIT:
		*r = n->lit;
		return 0;
	case N_FIELD:
		return load_field(x, n, r);
	case N_LIST:
		return pxr_ex_rterr(x, "a list is only allowed after 'in'");
	case N_CALL:
		return call(x, n, r);
	case N_NEG:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		if (a.t == PXR_V_NULL)
			return 0;
		if (a.t == PXR_V_DUR) {
			r->t = PXR_V_DUR;
			return pxr_ex_checked(x,
			    __builtin_sub_overflow((int64_t)0,
			    a.i, &r->i) | __builtin_sub_overflow((int64_t)0,
			    a.days, &r->days), "-");
		}
		if (pxr_ex_as_number(x, &a) < 0)
			return -1;
		if (a.t == PXR_V_INT) {
			r->t = PXR_V_INT;
			return pxr_ex_checked(x,
			    __builtin_sub_overflow((int64_t)0,
			    a.i, &r->i), "-");
		}
		r->t = PXR_V_DBL;
		r->d = -a.d;
		return 0;
	case N_NOT:
		if (pxr_ex_truth(x, n->kid[0], &ta) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		if (ta >= 0) {
			r->t = PXR_V_BOOL;
			r->i = !ta;
		}
		return 0;
	case N_AND:
	case N_OR:
		if (pxr_ex_truth(x, n->kid[0], &ta) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		if (n->op == N_AND && ta == 0) {
			r->t = PXR_V_BOOL;
			return 0;
		}
		if (n->op == N_OR && ta == 1) {
			r->t = PXR_V_BOOL;
			r->i = 1;
			return 0;
		}
		if (pxr_ex_truth(x, n->kid[1], &tb) < 0)
			return -1;
		if (n->op == N_AND) {
			if (tb == 0) {
				r->t = PXR_V_BOOL;
			} else if (ta == 1 && tb == 1) {
				r->t = PXR_V_BOOL;
				r->i = 1;
			}
		} else {
			if (tb == 1) {
				r->t = PXR_V_BOOL;
				r->i = 1;
			} else if (ta == 0 && tb == 0)
				r->t = PXR_V_BOOL;
		}
		return 0;
	case N_EQ:
	case N_NE:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0 || pxr_ex_eval(x,
		    n->kid[1], &b) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (is_null_lit(n->kid[0]) || is_null_lit(n->kid[1])) {
			/* x == null, x != null: a test of nullness. */
			c = a.t == PXR_V_NULL && b.t == PXR_V_NULL;
			r->i = n->op == N_EQ ? c : !c;
			return 0;
		}
		if (a.t == PXR_V_NULL || b.t == PXR_V_NULL)
			return 0;	/* comparisons with null are false */
		if (values_equal(x, a, b, &c) < 0)
			return -1;
		r->t = PXR_V_BOOL;
		r->i = n->op == N_EQ ? c : !c;
		return 0;
	case N_LT:
	case N_LE:
	case N_GT:
	case N_GE:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0 || pxr_ex_eval(x,
		    n->kid[1], &b) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL || b.t == PXR_V_NULL)
			return 0;
		if (pxr_ex_unify(x, &a, &b) < 0 || pxr_ex_compare(x, &a, &b,
		    &c) < 0)
			return -1;
		r->i = n->op == N_LT ? c < 0 : n->op == N_LE ? c <= 0 :
		    n->op == N_GT ? c > 0 : c >= 0;
		return 0;
	case N_MATCH:
	case N_NMATCH:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL)
			return 0;
		if (pxr_ex_regex_match(x, n, &a, &c) < 0)
			return -1;
		r->i = n->op == N_MATCH ? c : !c;
		return 0;
	case N_IN:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL)
			return 0;
		for (i = 0; i < n->kid[1]->nkid; i++) {
			if (pxr_ex_eval(x, n->kid[1]->kid[i], &b) < 0)
				return -1;
			if (b.t == PXR_V_NULL)
				continue;
			if (values_equal(x, a, b, &c) < 0)
				return -1;
			if (c) {
				r->i = 1;
				return 0;
			}
		}
		return 0;
	default:
		if (pxr_ex_eval(x, n->kid[0], &a) < 0 || pxr_ex_eval(x,
		    n->kid[1], &b) < 0)
			return -1;
		return arith(x, n->op, a, b, r);
	}
}

int
pxr_expr_eval(const struct pxr_expr *e, const struct pxr_env *env,
    struct pxr_value *v, struct pxr_error *err)
{
	struct ev x = { e, env, err };

	return pxr_ex_eval(&x, e->root, v);
}

int
pxr_expr_test(const struct pxr_expr *e, const struct pxr_env *env,
    struct pxr_error *err)
{
	struct ev x = { e, env, err };
	int t;

	if (pxr_ex_truth(&x, e->root, &t) < 0)
		return -1;
	return t == 1;
}

int
pxr_value_number(const struct pxr_value *v, struct pxr_value *out,
    struct pxr_error *err)
{
	struct pxr_env env;
	struct pxr_arena a = { 0 };
	struct ev x = { NULL, &env, err };
	int rc;

	memset(&env, 0, sizeof(env));
	env.arena = &a;
	*out = *v;
	rc = pxr_ex_as_number(&x, out);
	pxr_arena_free(&a);
	return rc;
}

/* ---- explain ---- */

static void
show(struct ev *x, const struct node *n, struct pxr_buf *b)
{
	struct pxr_value v;
	struct pxr_error e;
	struct ev y = *x;

	y.err = &e;
	pxr_buf_printf(b, "%.*s = ", (int)(n->end - n->start),
	    x->e->src + n->start);
	if (pxr_ex_eval(&y, n, &v) < 0) {
		pxr_buf_printf(b, "error (%s)", e.text);
		return;
	}
	if (v.t == PXR_V_NULL)
		pxr_buf_adds(b, "null");
	else if (v.t == PXR_V_STR || v.t == PXR_V_FIELD) {
		pxr_buf_addc(b, '"');
		pxr_value_text(&v, x->env->tz, b);
		pxr_buf_addc(b, '"');
	} else
		pxr_value_text(&v, x->env->tz, b);
}

static void
explain(struct ev *x, const struct node *n, struct pxr_buf *b)
{
	int t = -1;
	size_t i;

	if (n->op == N_AND) {
		for (i = 0; i < n->nkid; i++) {
			if (pxr_ex_truth(x, n->kid[i], &t) < 0 || t != 1) {
				explain(x, n->kid[i], b);
				return;
			}
		}
	}
	if (n->op == N_NOT) {
		pxr_buf_printf(b, "%.*s is ", (int)(n->end - n->start),
		    x->e->src + n->start);
		(void)pxr_ex_truth(x, n, &t);
		pxr_buf_adds(b, t == 1 ? "true" : t == 0 ? "false" : "null");
		return;
	}
	pxr_buf_printf(b, "%.*s is ", (int)(n->end - n->start),
	    x->e->src + n->start);
	if (pxr_ex_truth(x, n, &t) < 0) {
		pxr_buf_adds(b, "an error");
		return;
	}
	pxr_buf_adds(b, t == 1 ? "true" : t == 0 ? "false" : "null");
	if (n->nkid == 2 && n->op >= N_EQ && n->op <= N_IN) {
		pxr_buf_adds(b, " (");
		show(x, n->kid[0], b);
		if (n->op != N_MATCH && n->op != N_NMATCH && n->op != N_IN) {
			pxr_buf_adds(b, ", ");
			show(x, n->kid[1], b);
		}
		pxr_buf_addc(b, ')');
	} else if (n->op == N_OR) {
		pxr_buf_adds(b, " (");
		for (i = 0; i < n->nkid; i++) {
			if (i > 0)
				pxr_buf_adds(b, "; ");
			explain(x, n->kid[i], b);
		}
		pxr_buf_addc(b, ')');
	}
}

int
pxr_expr_explain(const struct pxr_expr *e, const struct pxr_env *env,
    struct pxr_buf *b, struct pxr_error *err)
{
	struct ev x = { e, env, err };
	int t;

	if (pxr_ex_truth(&x, e->root, &t) < 0)
		return -1;
	explain(&x, e->root, b);
	return t == 1;
}
