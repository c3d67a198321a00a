/* expr_check.c: the checker: operands whose declared types never meet. */
#include <stdio.h>

#include "exprint.h"

/* The static kind of a node: a PXR_C_* type, or -1 when not known. */
static int
static_kind(const struct node *n)
{
	if (n->op == N_FIELD)
		return n->ctype != PXR_C_ANY ? n->ctype : -1;
	if (n->op == N_LIT) {
		switch (n->lit.t) {
		case PXR_V_INT: return PXR_C_INT;
		case PXR_V_DBL: return PXR_C_NUMBER;
		case PXR_V_DUR: return PXR_C_DURATION;
		case PXR_V_BOOL: return PXR_C_BOOL;
		case PXR_V_STR: return PXR_C_STRING;
		default: return -1;
		}
	}
	if (n->op == N_CALL)
		return n->bi->kind;
	return -1;
}

static int
numeric(int k)
{
	return k == PXR_C_INT || k == PXR_C_NUMBER;
}

static int
clash(const struct node *a, const struct node *b, int ka, int kb)
{
	/* A text literal may still read as a time, a number or a duration. */
	if (ka == PXR_C_STRING && a->op == N_LIT) {
		struct pxr_value v;

		if (kb == PXR_C_TIME || kb == PXR_C_DURATION ||
		    kb == PXR_C_BOOL)
			return 0;
		if (numeric(kb))
			return !pxr_number_parse(a->lit.s, a->lit.n, &v);
	}
	if (kb == PXR_C_STRING && b->op == N_LIT)
		return clash(b, a, kb, ka);
	if (ka == kb || (numeric(ka) && numeric(kb)))
		return 0;
	return 1;
}

static const char *
ckname(int k)
{
	static const char *names[] = { "any", "text", "integer", "number",
	    "time", "duration", "boolean" };

	return k >= 0 && k <= PXR_C_BOOL ? names[k] : "?";
}

static int
typecheck(const struct pxr_expr *e, const struct node *n, char *msg,
    size_t len, size_t *off)
{
	size_t i;

	if (n->nkid == 2 && ((n->op >= N_EQ && n->op <= N_GE) ||
	    n->op == N_ADD || n->op == N_SUB)) {
		const struct node *a = n->kid[0], *b = n->kid[1];
		int ka = static_kind(a), kb = static_kind(b);

		if (ka >= 0 && kb >= 0 && (a->op == N_FIELD ||
		    b->op == N_FIELD)) {
			int bad = clash(a, b, ka, kb);

			/* time - time, time +- duration are fine. */
			if ((n->op == N_ADD || n->op == N_SUB) && ((ka ==
			    PXR_C_TIME && kb == PXR_C_DURATION) ||
			    (ka == PXR_C_DURATION && kb == PXR_C_TIME)))
				bad = 0;
			if (bad) {
				snprintf(msg, len, "%.*s: %s meets %s",
				    (int)(n->end - n->start), e->src + n->start,
				    ckname(ka), ckname(kb));
				*off = n->start;
				return 1;
			}
		}
	}
	for (i = 0; i < n->nkid; i++)
		if (typecheck(e, n->kid[i], msg, len, off))
			return 1;
	return 0;
}

int
pxr_expr_typecheck(const struct pxr_expr *e, char *msg, size_t n, size_t *off)
{
	return typecheck(e, e->root, msg, n, off);
}
