/* expr_parse.c: the parser of the expression language: tokens to a tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exprint.h"

static struct node *
mknode(int op, size_t start)
{
	struct node *n = pxr_calloc(1, sizeof(*n));

	n->op = op;
	n->start = start;
	n->col = n->pcol = PXR_NOFIELD;
	return n;
}

static void
addkid(struct node *n, struct node *k)
{
	n->kid = pxr_reallocarray(n->kid, n->nkid + 1, sizeof(*n->kid));
	n->kid[n->nkid++] = k;
	if (k->end > n->end)
		n->end = k->end;
}

void
pxr_ex_freenode(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkid; i++)
		pxr_ex_freenode(n->kid[i]);
	free(n->kid);
	free(n->text);
	if (n->md != NULL)
		pcre2_match_data_free(n->md);
	if (n->re != NULL)
		pcre2_code_free(n->re);
	free(n);
}

static struct node *parse_or(struct lex *);

int
pxr_ex_compile_regex(struct lex *l, struct node *n, const struct node *pat)
{
	int ec;
	PCRE2_SIZE eo;
	char msg[256];

	if (pat->op != N_LIT || pat->lit.t != PXR_V_STR)
		return pxr_ex_perr(l, pat->start,
		    "the pattern must be a string "
		    "literal");
	n->re = pcre2_compile((PCRE2_SPTR)pat->lit.s, pat->lit.n,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
	if (n->re == NULL) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
		/* Point inside the literal: past its opening quote. */
		return pxr_ex_perr(l, pat->start + 1 + eo,
		    "bad regular expression: "
		    "%s", msg);
	}
	(void)pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);
	n->md = pcre2_match_data_create_from_pattern(n->re, NULL);
	return 0;
}

static struct node *
parse_primary(struct lex *l)
{
	struct node *n;
	size_t st = l->tstart;
	struct pxr_error de;

	if (++l->depth > PXR_EX_MAX_DEPTH) {
		pxr_ex_perr(l, st, "expression nested too deeply (over %d)",
		    PXR_EX_MAX_DEPTH);
		return NULL;
	}
	switch (l->tok) {
	case T_NUM:
		n = mknode(N_LIT, st);
		if (!pxr_number_parse(l->text.p, l->text.len, &n->lit)) {
			/* 007 and 1.2.3 are not numbers in the language. */
			if (l->text.len > 1 && l->text.p[0] == '0' &&
			    l->text.p[1] >= '0' && l->text.p[1] <= '9' &&
			    strchr(l->text.p, '.') == NULL) {
				char *end;

				errno = 0;
				n->lit.t = PXR_V_INT;
				n->lit.i = strtoll(l->text.p, &end, 10);
				if (errno == 0)
					break;
			}
			pxr_ex_perr(l, st, "bad number '%s'", l->text.p);
			pxr_ex_freenode(n);
			return NULL;
		}
		break;
	case T_DUR:
		n = mknode(N_LIT, st);
		n->lit.t = PXR_V_DUR;
		if (pxr_dur_parse(l->text.p, l->text.len, &n->lit.i, &de) < 0) {
			pxr_ex_perr(l, st, "%s", de.text);
			pxr_ex_freenode(n);
			return NULL;
		}
		n->lit.days = pxr_ex_dur_days(l->text.p, l->text.len);
		break;
	case T_STR:
		n = mknode(N_LIT, st);
		n->text = pxr_strndup(l->text.p, l->text.len);
		n->lit.t = PXR_V_STR;
		n->lit.s = n->text;
		n->lit.n = l->text.len;
		break;
	case T_TRUE:
	case T_FALSE:
		n = mknode(N_LIT, st);
		n->lit.t = PXR_V_BOOL;
		n->lit.i = l->tok == T_TRUE;
		break;
	case T_NULL:
		n = mknode(N_LIT, st);
		n->lit.t = PXR_V_NULL;
		break;
	case T_LP:
		if (pxr_ex_next(l) < 0)
			return NULL;
		n = parse_or(l);
		if (n == NULL)
			return NULL;
		if (l->tok != T_RP) {
			pxr_ex_perr(l, l->tstart, "expected ')', found %s",
			    pxr_ex_tokname(l->tok));
			pxr_ex_freenode(n);
			return NULL;
		}
		n->start = st;
		n->end = l->tend;
		break;
	case T_LB:
		n = mknode(N_LIST, st);
		if (pxr_ex_next(l) < 0)
			goto fail;
		while (l->tok != T_RB) {
			struct node *k = parse_or(l);

			if (k == NULL)
				goto fail;
			addkid(n, k);
			if (l->tok == T_COMMA) {
				if (pxr_ex_next(l) < 0)
					goto fail;
			} else if (l->tok != T_RB) {
				pxr_ex_perr(l, l->tstart,
				    "expected ',' or ']', "
				    "found %s", pxr_ex_tokname(l->tok));
				goto fail;
			}
		}
		break;
	case T_IDENT: {
		char *name = pxr_strndup(l->text.p, l->text.len);
		const struct pxr_ex_builtin *bi;

		if (l->s[l->tend] != '(' || l->s[l->tstart] == '`') {
			n = mknode(N_FIELD, st);
			n->text = name;
			break;
		}
		if ((bi = pxr_ex_builtin_find(name)) == NULL) {
			pxr_ex_perr(l, st, "unknown function '%s'", name);
			free(name);
			return NULL;
		}
		n = mknode(N_CALL, st);
		n->bi = bi;
		n->text = name;
		if (pxr_ex_next(l) < 0 || pxr_ex_next(l) < 0)	/* name, '(' */
			goto fail;
		while (l->tok != T_RP) {
			struct node *k = parse_or(l);

			if (k == NULL)
				goto fail;
			addkid(n, k);
			if (l->tok == T_COMMA) {
				if (pxr_ex_next(l) < 0)
					goto fail;
			} else if (l->tok != T_RP) {
				pxr_ex_perr(l, l->tstart,
				    "expected ',' or ')', "
				    "found %s", pxr_ex_tokname(l->tok));
				goto fail;
			}
		}
		if ((int)n->nkid < bi->min || (bi->max >= 0 &&
		    (int)n->nkid > bi->max)) {
			if (bi->min == bi->max)
				pxr_ex_perr(l, st, "%s() takes %d argument%s, "
				    "not %zu", name, bi->min, bi->min == 1 ?
				    "" : "s", n->nkid);
			else
				pxr_ex_perr(l, st, "%s() takes %d to %d "
				    "arguments, not %zu", name, bi->min,
				    bi->max, n->nkid);
			goto fail;
		}
		if (bi->prep != NULL && bi->prep(l, n) < 0)
			goto fail;
		break;
	}
	default:
		pxr_ex_perr(l, st, "expected a value, found %s",
		    pxr_ex_tokname(l->tok));
		return NULL;
	}
	n->end = l->tend;
	if (pxr_ex_next(l) < 0)
		goto fail;
	l->depth--;
	return n;
fail:
	pxr_ex_freenode(n);
	return NULL;
}

/* A prefix operator (op) over what self parses, nested no deeper than allowed. */
static struct node *
prefix(struct lex *l, int op, struct node *(*self)(struct lex *))
{
	struct node *n = mknode(op, l->tstart), *k;

	if (++l->depth > PXR_EX_MAX_DEPTH) {
		pxr_ex_perr(l, l->tstart, "expression nested too deeply");
		pxr_ex_freenode(n);
		return NULL;
	}
	if (pxr_ex_next(l) < 0 || (k = self(l)) == NULL) {
		pxr_ex_freenode(n);
		return NULL;
	}
	l->depth--;
	addkid(n, k);
	return n;
}

static struct node *
parse_unary(struct lex *l)
{
	if (l->tok == T_MINUS)
		return prefix(l, N_NEG, parse_unary);
	return parse_primary(l);
}

static struct node *
binary(struct lex *l, struct node *a, int op, struct node *(*sub)(struct lex *))
{
	struct node *n = mknode(op, a->start), *b;

	addkid(n, a);
	if (pxr_ex_next(l) < 0 || (b = sub(l)) == NULL) {
		pxr_ex_freenode(n);
		return NULL;
	}
	addkid(n, b);
	return n;
}

static struct node *
parse_mul(struct lex *l)
{
	struct node *n = parse_unary(l);

	while (n != NULL && (l->tok == T_STAR || l->tok == T_SLASH ||
	    l->tok == T_PCT))
		n = binary(l, n, l->tok == T_STAR ? N_MUL : l->tok == T_SLASH ?
		    N_DIV : N_MOD, parse_unary);
	return n;
}

static struct node *
parse_add(struct lex *l)
{
	struct node *n = parse_mul(l);

	while (n != NULL && (l->tok == T_PLUS || l->tok == T_MINUS))
		n = binary(l, n, l->tok == T_PLUS ? N_ADD : N_SUB, parse_mul);
	return n;
}

static struct node *
parse_cmp(struct lex *l)
{
	struct node *n = parse_add(l);
	int op;

	if (n == NULL)
		return NULL;
	switch (l->tok) {
	case T_EQ: op = N_EQ; break;
	case T_NE: op = N_NE; break;
	case T_LT: op = N_LT; break;
	case T_LE: op = N_LE; break;
	case T_GT: op = N_GT; break;
	case T_GE: op = N_GE; break;
	case T_MATCH: op = N_MATCH; break;
	case T_NMATCH: op = N_NMATCH; break;
	case T_IN: op = N_IN; break;
	default: return n;
	}
	n = binary(l, n, op, parse_add);
	if (n == NULL)
		return NULL;
	if ((op == N_MATCH || op == N_NMATCH) &&
	    pxr_ex_compile_regex(l, n, n->kid[1]) < 0) {
		pxr_ex_freenode(n);
		return NULL;
	}
	if (op == N_IN && n->kid[1]->op != N_LIST) {
		pxr_ex_perr(l, n->kid[1]->start,
		    "'in' needs a list: x in ['a', 'b']");
		pxr_ex_freenode(n);
		return NULL;
	}
	switch (l->tok) {
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
	case T_MATCH: case T_NMATCH: case T_IN:
		pxr_ex_perr(l, l->tstart,
		    "comparisons do not chain: use && between "
		    "them");
		pxr_ex_freenode(n);
		return NULL;
	default:
		break;
	}
	return n;
}

static struct node *
parse_not(struct lex *l)
{
	if (l->tok == T_NOT)
		return prefix(l, N_NOT, parse_not);
	return parse_cmp(l);
}

static struct node *
parse_and(struct lex *l)
{
	struct node *n = parse_not(l);

	while (n != NULL && l->tok == T_AND)
		n = binary(l, n, N_AND, parse_not);
	return n;
}

static struct node *
parse_or(struct lex *l)
{
	struct node *n = parse_and(l);

	while (n != NULL && l->tok == T_OR)
		n = binary(l, n, N_OR, parse_and);
	return n;
}

struct node *
pxr_ex_parse(struct lex *l)
{
	return parse_or(l);
}
