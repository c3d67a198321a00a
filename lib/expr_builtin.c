/*
 * expr_builtin.c: the functions of the expression language.  Each is one
 * C function and one row of pxr_ex_builtins[] below (name, arguments,
 * result kind, function, help line); pxr-expr(7) lists the same names
 * (lib/tests/expr_test.c checks it).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exprint.h"

static int
utf8_len(const char *s, size_t n)
{
	size_t i;
	int c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Byte offset of character k of s (n bytes), clamped to n. */
static size_t
utf8_at(const char *s, size_t n, int64_t k)
{
	size_t i = 0;

	while (i < n && k > 0) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

static int
text_of(struct ev *x, struct pxr_value *v)
{
	struct pxr_buf b = { 0 };
	char *s;

	if (v->t == PXR_V_STR || v->t == PXR_V_FIELD || v->t == PXR_V_NULL)
		return 0;
	pxr_value_text(v, x->env->tz, &b);
	s = pxr_ex_scratch(x, b.len);
	memcpy(s, b.p, b.len);
	v->t = PXR_V_STR;
	v->s = s;
	v->n = b.len;
	pxr_buf_free(&b);
	return 0;
}

static int
dur_in(struct ev *x, struct pxr_value *a, int64_t unit, struct pxr_value *r)
{
	if (pxr_ex_as_dur(x, a) < 0)
		return -1;
	if (a->t == PXR_V_NULL)
		return 0;
	if (a->i % unit == 0) {
		r->t = PXR_V_INT;
		r->i = a->i / unit;
	} else {
		r->t = PXR_V_DBL;
		r->d = (double)a->i / (double)unit;
	}
	return 0;
}

static int
to_int(struct ev *x, double d, struct pxr_value *r)
{
	if (!(d >= -9.2e18 && d <= 9.2e18))
		return pxr_ex_rterr(x, "number out of integer range");
	r->t = PXR_V_INT;
	r->i = (int64_t)d;
	return 0;
}


/* ---- time ---- */

static int
bi_now(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	(void)a;
	r->t = PXR_V_TIME;
	r->i = x->env->now;
	return 0;
}

static int
bi_time(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	if (pxr_ex_as_time(x, &a[0]) < 0)
		return -1;
	*r = a[0];
	r->dateonly = 0;
	return 0;
}

static int
bi_date(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	struct pxr_civil c;

	(void)n;
	if (pxr_ex_as_time(x, &a[0]) < 0)
		return -1;
	pxr_time_civil(a[0].i, x->env->tz, &c);
	r->t = PXR_V_TIME;
	r->dateonly = 1;
	r->i = pxr_time_from_local(x->env->tz, c.year, c.month, c.day,
	    0, 0, 0, 0);
	return 0;
}

/* time() and date() of a literal: the text is checked now, not per record. */
static int
prep_time(struct lex *l, struct node *n)
{
	struct pxr_error de;
	int64_t t;

	if (n->kid[0]->op != N_LIT || n->kid[0]->lit.t != PXR_V_STR)
		return 0;
	if (pxr_time_parse(n->kid[0]->lit.s, n->kid[0]->lit.n, NULL, &t,
	    NULL, &de) < 0)
		return pxr_ex_perr(l, n->kid[0]->start, "%s", de.text);
	return 0;
}

/* seconds(), minutes(), hours(), days(): a duration in the row's unit. */
static int
bi_durin(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	return dur_in(x, &a[0], n->bi->arg, r);
}

/* hour() (row's arg 'h') and weekday() ('w') in the rule's zone. */
static int
bi_civil(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	struct pxr_civil c;

	if (pxr_ex_as_time(x, &a[0]) < 0)
		return -1;
	pxr_time_civil(a[0].i, x->env->tz, &c);
	r->t = PXR_V_INT;
	r->i = n->bi->arg == 'h' ? c.hour : c.wday;
	return 0;
}

/* ---- text ---- */

/* lower() (arg 'l'), upper() ('u'), trim() ('t'): a[0] as new text. */
static int
bi_recase(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	char *s;
	size_t st = 0, en, k;
	int how = n->bi->arg;

	text_of(x, &a[0]);
	en = a[0].n;
	if (how == 't') {
		while (st < en && (a[0].s[st] == ' ' || a[0].s[st] == '\t' ||
		    a[0].s[st] == '\r' || a[0].s[st] == '\n'))
			st++;
		while (en > st && (a[0].s[en - 1] == ' ' ||
		    a[0].s[en - 1] == '\t' || a[0].s[en - 1] == '\r' ||
		    a[0].s[en - 1] == '\n'))
			en--;
	}
	s = pxr_ex_scratch(x, en - st);
	for (k = st; k < en; k++) {
		char ch = a[0].s[k];

		if (how == 'l' && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (how == 'u' && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		s[k - st] = ch;
	}
	r->t = PXR_V_STR;
	r->s = s;
	r->n = en - st;
	return 0;
}

static int
bi_len(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	text_of(x, &a[0]);
	r->t = PXR_V_INT;
	r->i = utf8_len(a[0].s, a[0].n);
	return 0;
}

static int
bi_substr(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	size_t from, to;

	text_of(x, &a[0]);
	if (pxr_ex_as_number(x, &a[1]) < 0 || a[1].t != PXR_V_INT)
		return pxr_ex_rterr(x, "substr(): the start must be an "
		    "integer");
	if (n->nkid > 2 && (pxr_ex_as_number(x, &a[2]) < 0 ||
	    a[2].t != PXR_V_INT || a[2].i < 0))
		return pxr_ex_rterr(x, "substr(): the length must be a "
		    "whole number");
	if (a[1].i < 0)
		a[1].i = 0;
	from = utf8_at(a[0].s, a[0].n, a[1].i);
	to = n->nkid > 2 ? from + utf8_at(a[0].s + from, a[0].n - from,
	    a[2].i) : a[0].n;
	r->t = PXR_V_STR;
	r->s = a[0].s + from;
	r->n = to - from;
	return 0;
}

/* contains() (arg 'c'), startswith() ('s'), endswith() ('e'): a[1] in a[0]. */
static int
bi_affix(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	int how = n->bi->arg;

	text_of(x, &a[0]);
	text_of(x, &a[1]);
	r->t = PXR_V_BOOL;
	if (a[1].n > a[0].n)
		r->i = 0;
	else if (how == 's')
		r->i = memcmp(a[0].s, a[1].s, a[1].n) == 0;
	else if (how == 'e')
		r->i = memcmp(a[0].s + a[0].n - a[1].n, a[1].s, a[1].n) == 0;
	else
		r->i = a[1].n == 0 || memmem(a[0].s, a[0].n, a[1].s,
		    a[1].n) != NULL;
	return 0;
}

static int
bi_capture(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	int m, rc;
	PCRE2_SIZE *ov;

	if (pxr_ex_regex_match(x, n, &a[0], &m) < 0)
		return -1;
	if (!m)
		return 0;
	if (a[2].t == PXR_V_INT)
		rc = (int)a[2].i;
	else if (a[2].t == PXR_V_STR || a[2].t == PXR_V_FIELD) {
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)a[2].n, a[2].s);
		rc = pcre2_substring_number_from_name(n->re, (PCRE2_SPTR)name);
		if (rc < 0)
			return pxr_ex_rterr(x, "capture(): no group named "
			    "'%s'", name);
	} else
		return pxr_ex_rterr(x, "capture(): the group must be a "
		    "number or a name");
	if (rc < 0 || (uint32_t)rc >= pcre2_get_ovector_count(n->md))
		return pxr_ex_rterr(x, "capture(): no group %d", rc);
	ov = pcre2_get_ovector_pointer(n->md);
	if (ov[2 * rc] == PCRE2_UNSET)
		return 0;
	/* The subject text outlives this call (field or scratch). */
	text_of(x, &a[0]);
	r->t = PXR_V_STR;
	r->s = a[0].s + ov[2 * rc];
	r->n = ov[2 * rc + 1] - ov[2 * rc];
	return 0;
}

/* capture(): the pattern is compiled once, with the program. */
static int
prep_capture(struct lex *l, struct node *n)
{
	return pxr_ex_compile_regex(l, n, n->kid[1]);
}

static int
bi_str(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	*r = a[0];
	if (r->t == PXR_V_FIELD)
		r->t = PXR_V_STR;
	return text_of(x, r);
}

/* ---- any kind ---- */

static int
bi_coalesce(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	size_t i;

	(void)a;
	for (i = 0; i < n->nkid; i++) {
		if (pxr_ex_eval(x, n->kid[i], r) < 0)
			return -1;
		if (r->t != PXR_V_NULL)
			return 0;
	}
	return 0;
}

/* min() (arg -1), max() (1): the least or greatest argument, nulls left out. */
static int
bi_extreme(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	size_t i;

	(void)a;
	for (i = 0; i < n->nkid; i++) {
		struct pxr_value v;
		int cmp;

		if (pxr_ex_eval(x, n->kid[i], &v) < 0)
			return -1;
		if (v.t == PXR_V_NULL)
			continue;
		if (r->t == PXR_V_NULL) {
			*r = v;
			continue;
		}
		if (pxr_ex_unify(x, r, &v) < 0 ||
		    pxr_ex_compare(x, &v, r, &cmp) < 0)
			return -1;
		if (cmp == n->bi->arg)
			*r = v;
	}
	return 0;
}

/* ---- numbers ---- */

static int
bi_abs(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	if (pxr_ex_as_number(x, &a[0]) < 0)
		return -1;
	if (a[0].t == PXR_V_INT) {
		if (a[0].i == INT64_MIN)
			return pxr_ex_checked(x, 1, "abs()");
		r->t = PXR_V_INT;
		r->i = a[0].i < 0 ? -a[0].i : a[0].i;
	} else {
		r->t = PXR_V_DBL;
		r->d = fabs(a[0].d);
	}
	return 0;
}

/* round() (arg 'r'), floor() ('f'), ceil() ('c'): a[0] as an integer. */
static int
bi_integral(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	int how = n->bi->arg;

	if (pxr_ex_as_number(x, &a[0]) < 0)
		return -1;
	if (a[0].t == PXR_V_INT) {
		*r = a[0];
		return 0;
	}
	return to_int(x, how == 'r' ? round(a[0].d) : how == 'f' ?
	    floor(a[0].d) : ceil(a[0].d), r);
}

static int
bi_num(struct ev *x, const struct node *n, struct pxr_value *a,
    struct pxr_value *r)
{
	(void)n;
	if (a[0].t == PXR_V_STR)
		a[0].t = PXR_V_FIELD;
	if (a[0].t == PXR_V_FIELD && !pxr_number_parse(a[0].s, a[0].n, r)) {
		/* num() also reads 007 as 7. */
		char buf[32], *end;

		if (a[0].n < sizeof(buf)) {
			memcpy(buf, a[0].s, a[0].n);
			buf[a[0].n] = '\0';
			errno = 0;
			r->i = strtoll(buf, &end, 10);
			if (errno == 0 && end != buf && *end == '\0') {
				r->t = PXR_V_INT;
				return 0;
			}
		}
		if (a[0].field != NULL)
			return pxr_ex_field_err(x, &a[0], "a number");
		return pxr_ex_rterr(x, "num(): not a number: \"%.*s\"",
		    (int)(a[0].n > 64 ? 64 : a[0].n), a[0].s);
	}
	if (a[0].t != PXR_V_FIELD) {
		if (a[0].t == PXR_V_BOOL) {
			r->t = PXR_V_INT;
			r->i = a[0].i;
			return 0;
		}
		if (pxr_ex_as_number(x, &a[0]) < 0)
			return -1;
		*r = a[0];
	}
	return 0;
}

/* ---- the table ---- */

#define LAZY	PXR_EX_LAZY
#define NULLOK	PXR_EX_NULLOK

static const struct pxr_ex_builtin builtins[] = {
	{ "now", 0, 0, PXR_C_TIME, 0, bi_now, 0, NULL,
	    "now(): the batch's reference time (--now)" },
	{ "time", 1, 1, PXR_C_TIME, 0, bi_time, 0, prep_time,
	    "time(x): x read as a time" },
	{ "date", 1, 1, PXR_C_TIME, 0, bi_date, 0, prep_time,
	    "date(t): the calendar date of t in the rule's zone" },
	{ "seconds", 1, 1, PXR_C_NUMBER, 0, bi_durin, PXR_US_SEC, NULL,
	    "seconds(d): a duration in seconds" },
	{ "minutes", 1, 1, PXR_C_NUMBER, 0, bi_durin, PXR_US_MIN, NULL,
	    "minutes(d): a duration in minutes" },
	{ "hours", 1, 1, PXR_C_NUMBER, 0, bi_durin, PXR_US_HOUR, NULL,
	    "hours(d): a duration in hours" },
	{ "days", 1, 1, PXR_C_NUMBER, 0, bi_durin, PXR_US_DAY, NULL,
	    "days(d): a duration in days" },
	{ "hour", 1, 1, PXR_C_NUMBER, 0, bi_civil, 'h', NULL,
	    "hour(t): 0-23 in the rule's zone" },
	{ "weekday", 1, 1, PXR_C_NUMBER, 0, bi_civil, 'w', NULL,
	    "weekday(t): 1 = Monday - 7 = Sunday in the rule's zone" },
	{ "lower", 1, 1, PXR_C_STRING, 0, bi_recase, 'l', NULL,
	    "lower(s): ASCII lower case" },
	{ "upper", 1, 1, PXR_C_STRING, 0, bi_recase, 'u', NULL,
	    "upper(s): ASCII upper case" },
	{ "trim", 1, 1, PXR_C_STRING, 0, bi_recase, 't', NULL,
	    "trim(s): without white space at either end" },
	{ "len", 1, 1, PXR_C_NUMBER, 0, bi_len, 0, NULL,
	    "len(s): length in characters" },
	{ "substr", 2, 3, PXR_C_STRING, 0, bi_substr, 0, NULL,
	    "substr(s, start[, len]): characters from start (from 0)" },
	{ "contains", 2, 2, -1, 0, bi_affix, 'c', NULL,
	    "contains(s, sub): true if sub is in s" },
	{ "startswith", 2, 2, -1, 0, bi_affix, 's', NULL,
	    "startswith(s, p): true if s starts with p" },
	{ "endswith", 2, 2, -1, 0, bi_affix, 'e', NULL,
	    "endswith(s, p): true if s ends with p" },
	{ "capture", 3, 3, -1, NULLOK, bi_capture, 0, prep_capture,
	    "capture(s, pattern, group): a group's text (number or name)" },
	{ "coalesce", 1, -1, -1, LAZY, bi_coalesce, 0, NULL,
	    "coalesce(...): the first value that is not null" },
	{ "min", 1, -1, -1, LAZY, bi_extreme, -1, NULL,
	    "min(...): the least; nulls ignored" },
	{ "max", 1, -1, -1, LAZY, bi_extreme, 1, NULL,
	    "max(...): the greatest; nulls ignored" },
	{ "abs", 1, 1, PXR_C_NUMBER, 0, bi_abs, 0, NULL,
	    "abs(x): the absolute value" },
	{ "round", 1, 1, PXR_C_NUMBER, 0, bi_integral, 'r', NULL,
	    "round(x): to an integer, half away from zero" },
	{ "floor", 1, 1, PXR_C_NUMBER, 0, bi_integral, 'f', NULL,
	    "floor(x): to an integer, down" },
	{ "ceil", 1, 1, PXR_C_NUMBER, 0, bi_integral, 'c', NULL,
	    "ceil(x): to an integer, up" },
	{ "num", 1, 1, PXR_C_NUMBER, 0, bi_num, 0, NULL,
	    "num(x): x as a number (007 is 7)" },
	{ "str", 1, 1, PXR_C_STRING, 0, bi_str, 0, NULL,
	    "str(x): x as text" },
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

const struct pxr_ex_builtin *
pxr_ex_builtin_find(const char *name)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

const char *
pxr_expr_builtin(size_t i, const char **help)
{
	if (i >= NBUILTINS)
		return NULL;
	if (help != NULL)
		*help = builtins[i].help;
	return builtins[i].name;
}
