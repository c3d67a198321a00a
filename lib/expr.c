/*
 * expr.c: the public entry of the expression language: compile, bind and
 * free a program; values and how they print.  The phases are in
 * expr_lex.c, expr_parse.c, expr_check.c, expr_eval.c and expr_builtin.c
 * (exprint.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exprint.h"

#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KIB 20000

static void
collect(struct pxr_expr *e, struct node *n)
{
	size_t i;

	if (n->op == N_FIELD) {
		for (i = 0; i < e->nfields; i++)
			if (strcmp(e->fnames[i], n->text) == 0)
				break;
		if (i == e->nfields) {
			e->fnames = pxr_reallocarray(e->fnames, e->nfields + 1,
			    sizeof(*e->fnames));
			e->fcols = pxr_reallocarray(e->fcols, e->nfields + 1,
			    sizeof(*e->fcols));
			e->fnames[e->nfields] = n->text;
			e->fcols[e->nfields++] = (int)n->start + 1;
		}
		n->ctype = PXR_C_ANY;
		n->decl = NULL;
		for (i = 0; i < e->ntypes; i++)
			if (strcmp(e->types[i].name, n->text) == 0) {
				/* Money is read as integer minor units. */
				n->ctype = e->types[i].type == PXR_C_MONEY ?
				    PXR_C_INT : e->types[i].type;
				if (pxr_coltype_formatted(&e->types[i]))
					n->decl = &e->types[i];
			}
	}
	for (i = 0; i < n->nkid; i++)
		collect(e, n->kid[i]);
}

struct pxr_expr *
pxr_expr_compile(const char *src, size_t n, const struct pxr_coltype *types,
    size_t ntypes, struct pxr_error *err)
{
	struct pxr_expr *e = pxr_calloc(1, sizeof(*e));
	struct lex l;
	size_t i;

	memset(&l, 0, sizeof(l));
	e->src = pxr_strndup(src, n);
	e->n = n;
	l.s = e->src;
	l.n = n;
	l.err = err;
	l.e = e;
	if (pxr_ex_next(&l) == 0) {
		if (l.tok == T_END)
			pxr_ex_perr(&l, 0, "empty expression");
		else
			e->root = pxr_ex_parse(&l);
	}
	if (e->root != NULL && l.tok != T_END) {
		pxr_ex_perr(&l, l.tstart, "unexpected %s after the expression",
		    pxr_ex_tokname(l.tok));
		pxr_ex_freenode(e->root);
		e->root = NULL;
	}
	pxr_buf_free(&l.text);
	if (e->root == NULL) {
		pxr_expr_free(e);
		return NULL;
	}
	e->types = pxr_calloc(ntypes + 1, sizeof(*e->types));
	for (i = 0; i < ntypes; i++)
		pxr_coltype_copy(&e->types[i], &types[i]);
	e->ntypes = ntypes;
	collect(e, e->root);
	e->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(e->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(e->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(e->mctx, HEAP_LIMIT_KIB);
	e->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (e->jstack != NULL)
		pcre2_jit_stack_assign(e->mctx, NULL, e->jstack);
	return e;
}

void
pxr_expr_free(struct pxr_expr *e)
{
	size_t i;

	if (e == NULL)
		return;
	pxr_ex_freenode(e->root);
	for (i = 0; i < e->ntypes; i++)
		pxr_coltype_fini(&e->types[i]);
	free(e->types);
	free(e->fnames);
	free(e->fcols);
	if (e->mctx != NULL)
		pcre2_match_context_free(e->mctx);
	if (e->jstack != NULL)
		pcre2_jit_stack_free(e->jstack);
	free(e->src);
	free(e);
}

static void
bind(struct node *n, struct pxr_schema *sch)
{
	size_t i;

	if (n->op == N_FIELD) {
		const char *dot = strchr(n->text, '.');

		n->col = pxr_schema_ref(sch, n->text, strlen(n->text));
		if (dot != NULL) {
			n->pcol = pxr_schema_ref(sch, n->text,
			    (size_t)(dot - n->text));
			n->path = dot + 1;
		}
	}
	for (i = 0; i < n->nkid; i++)
		bind(n->kid[i], sch);
}

void
pxr_expr_bind(struct pxr_expr *e, struct pxr_schema *sch)
{
	bind(e->root, sch);
}

const char *
pxr_expr_src(const struct pxr_expr *e)
{
	return e->src;
}

size_t
pxr_expr_fields(const struct pxr_expr *e, const char ***names, int **cols)
{
	*names = e->fnames;
	if (cols != NULL)
		*cols = e->fcols;
	return e->nfields;
}

/* ---- values ---- */

const char *
pxr_vt_name(int t)
{
	static const char *names[] = { "null", "boolean", "number", "number",
	    "text", "text", "time", "duration" };

	return t >= 0 && t <= PXR_V_DUR ? names[t] : "?";
}

int
pxr_number_parse(const char *s, size_t n, struct pxr_value *v)
{
	size_t i = 0;
	int isint = 1;
	char buf[64], *end;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	if (s[0] == '-')
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return 0;
	/* A leading zero followed by a digit is an identifier: 007. */
	if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < n && s[i] == '.') {
		isint = 0;
		i++;
		if (i == n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		isint = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i != n)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (isint) {
		long long x = strtoll(buf, &end, 10);

		if (errno == 0) {
			v->t = PXR_V_INT;
			v->i = x;
			return 1;
		}
		errno = 0;
	}
	v->d = strtod(buf, &end);
	if (errno == ERANGE && (v->d == HUGE_VAL || v->d == -HUGE_VAL))
		return 0;
	v->t = PXR_V_DBL;
	return 1;
}

static void
fmt_double(struct pxr_buf *b, double d)
{
	if (d == 0)
		d = 0;		/* no "-0" */
	pxr_buf_printf(b, "%.15g", d);
}

void
pxr_value_text(const struct pxr_value *v, struct pxr_tz *tz, struct pxr_buf *b)
{
	switch (v->t) {
	case PXR_V_NULL:
		break;
	case PXR_V_BOOL:
		pxr_buf_adds(b, v->i ? "true" : "false");
		break;
	case PXR_V_INT:
		pxr_buf_printf(b, "%lld", (long long)v->i);
		break;
	case PXR_V_DBL:
		fmt_double(b, v->d);
		break;
	case PXR_V_STR:
	case PXR_V_FIELD:
		pxr_buf_add(b, v->s, v->n);
		break;
	case PXR_V_TIME:
		if (v->dateonly)
			pxr_date_format(b, v->i, tz);
		else
			pxr_time_format(b, v->i);
		break;
	case PXR_V_DUR:
		pxr_dur_format(b, v->i);
		break;
	}
}

int64_t
pxr_ex_dur_days(const char *s, size_t n)
{
	size_t i = 0;
	int64_t v, days = 0;

	while (i < n) {
		for (v = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (s[i] - '0');
		if (i < n && s[i] == 'w')
			days += 7 * v;
		else if (i < n && s[i] == 'd')
			days += v;
		while (i < n && (s[i] < '0' || s[i] > '9'))
			i++;
	}
	return days;
}
