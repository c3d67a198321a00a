/* expr.c: lexer, parser and tree evaluator of the expression language. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "expr.h"

#define MAX_DEPTH 200
#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KIB 20000

enum op {
	N_LIT, N_FIELD, N_LIST, N_NEG, N_NOT, N_AND, N_OR,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_MATCH, N_NMATCH, N_IN,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD, N_CALL
};

enum fn {
	F_NOW, F_TIME, F_DATE, F_SECONDS, F_MINUTES, F_HOURS, F_DAYS, F_HOUR,
	F_WEEKDAY, F_LOWER, F_UPPER, F_TRIM, F_LEN, F_SUBSTR, F_CONTAINS,
	F_STARTSWITH, F_ENDSWITH, F_CAPTURE, F_COALESCE, F_MIN, F_MAX, F_ABS,
	F_ROUND, F_FLOOR, F_CEIL, F_NUM, F_STR
};

static const struct {
	const char *name;
	int	 fn;
	int	 min, max;	/* arguments; max -1: any */
} fns[] = {
	{ "now", F_NOW, 0, 0 }, { "time", F_TIME, 1, 1 },
	{ "date", F_DATE, 1, 1 }, { "seconds", F_SECONDS, 1, 1 },
	{ "minutes", F_MINUTES, 1, 1 }, { "hours", F_HOURS, 1, 1 },
	{ "days", F_DAYS, 1, 1 }, { "hour", F_HOUR, 1, 1 },
	{ "weekday", F_WEEKDAY, 1, 1 }, { "lower", F_LOWER, 1, 1 },
	{ "upper", F_UPPER, 1, 1 }, { "trim", F_TRIM, 1, 1 },
	{ "len", F_LEN, 1, 1 }, { "substr", F_SUBSTR, 2, 3 },
	{ "contains", F_CONTAINS, 2, 2 }, { "startswith", F_STARTSWITH, 2, 2 },
	{ "endswith", F_ENDSWITH, 2, 2 }, { "capture", F_CAPTURE, 3, 3 },
	{ "coalesce", F_COALESCE, 1, -1 }, { "min", F_MIN, 1, -1 },
	{ "max", F_MAX, 1, -1 }, { "abs", F_ABS, 1, 1 },
	{ "round", F_ROUND, 1, 1 }, { "floor", F_FLOOR, 1, 1 },
	{ "ceil", F_CEIL, 1, 1 }, { "num", F_NUM, 1, 1 },
	{ "str", F_STR, 1, 1 }
};

struct node {
	int	 op;
	int	 fn;
	size_t	 start, end;	/* source span */
	struct node **kid;
	size_t	 nkid;
	struct pxr_value lit;
	char	*text;		/* literal text, field name */
	/* fields */
	size_t	 col;		/* schema index */
	size_t	 pcol;		/* dotted name: index of the first part */
	const char *path;	/* dotted name: the rest */
	int	 ctype;
	/* regex */
	pcre2_code *re;
	pcre2_match_data *md;
};

struct pxr_expr {
	char	*src;
	size_t	 n;
	struct node *root;
	struct pxr_coltype *types;
	size_t	 ntypes;
	const char **fnames;
	int	*fcols;
	size_t	 nfields;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
};

/* ---- lexer ---- */

enum tok {
	T_END, T_NUM, T_DUR, T_STR, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_OR, T_AND, T_NOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH,
	T_NMATCH, T_IN, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_TRUE,
	T_FALSE, T_NULL
};

struct lex {
	const char *s;
	size_t	 n, i;
	int	 tok;
	size_t	 tstart, tend;
	struct pxr_buf text;	/* decoded string or identifier */
	struct pxr_error *err;
	struct pxr_expr *e;
	int	 depth;
	int	 failed;
};

static int
perr(struct lex *l, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct lex *l, size_t at, const char *fmt, ...)
{
	char msg[512];
	size_t i, line = 1, col = 1;
	va_list ap;

	if (l->failed)
		return -1;
	l->failed = 1;
	for (i = 0; i < at && i < l->n; i++) {
		if (l->s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)l->s[i] & 0xc0) != 0x80)
			col++;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pxr_error_set(l->err, PXR_EXIT_CONFIG, "%zu:%zu: %s", line, col, msg);
	if (l->err != NULL) {
		l->err->line = (long)line;
		l->err->column = (int)col;
	}
	return -1;
}

static int
isident(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && ((c >= '0' && c <= '9') || c == '.'));
}

static int
next(struct lex *l)
{
	const char *s = l->s;
	size_t i = l->i;

	while (i < l->n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	l->tstart = i;
	pxr_buf_reset(&l->text);
	if (i >= l->n) {
		l->tok = T_END;
		l->tend = l->i = i;
		return 0;
	}
#define TWO(a, b, t2, t1) \
	if (s[i] == (a)) { \
		if (i + 1 < l->n && s[i + 1] == (b)) { l->tok = t2; i += 2; } \
		else { l->tok = t1; i++; } \
		goto done; \
	}
	if (s[i] == '|' || s[i] == '&') {
		if (i + 1 < l->n && s[i + 1] == s[i]) {
			l->tok = s[i] == '|' ? T_OR : T_AND;
			i += 2;
			goto done;
		}
		return perr(l, i, "unexpected '%c' (did you mean '%c%c'?)",
		    s[i], s[i], s[i]);
	}
	if (s[i] == '=') {
		if (i + 1 < l->n && s[i + 1] == '=') { l->tok = T_EQ; i += 2; }
		else if (i + 1 < l->n && s[i + 1] == '~') {
			l->tok = T_MATCH; i += 2;
		} else
			return perr(l, i, "unexpected '=' (did you mean "
			    "'=='?)");
		goto done;
	}
	if (s[i] == '!') {
		if (i + 1 < l->n && s[i + 1] == '=') { l->tok = T_NE; i += 2; }
		else if (i + 1 < l->n && s[i + 1] == '~') {
			l->tok = T_NMATCH; i += 2;
		} else { l->tok = T_NOT; i++; }
		goto done;
	}
	TWO('<', '=', T_LE, T_LT)
	TWO('>', '=', T_GE, T_GT)
#undef TWO
	switch (s[i]) {
	case '(': l->tok = T_LP; i++; goto done;
	case ')': l->tok = T_RP; i++; goto done;
	case '[': l->tok = T_LB; i++; goto done;
	case ']': l->tok = T_RB; i++; goto done;
	case ',': l->tok = T_COMMA; i++; goto done;
	case '+': l->tok = T_PLUS; i++; goto done;
	case '-': l->tok = T_MINUS; i++; goto done;
	case '*': l->tok = T_STAR; i++; goto done;
	case '/': l->tok = T_SLASH; i++; goto done;
	case '%': l->tok = T_PCT; i++; goto done;
	default: break;
	}
	if (s[i] == '\'' || s[i] == '"') {
		char q = s[i++];

		for (;;) {
			if (i >= l->n)
				return perr(l, l->tstart, "unterminated string");
			if (s[i] == q) {
				i++;
				break;
			}
			if (s[i] == '\\') {
				if (i + 1 >= l->n)
					return perr(l, l->tstart,
					    "unterminated string");
				i++;
				switch (s[i]) {
				case 'n': pxr_buf_addc(&l->text, '\n'); break;
				case 't': pxr_buf_addc(&l->text, '\t'); break;
				case 'r': pxr_buf_addc(&l->text, '\r'); break;
				case '0': pxr_buf_addc(&l->text, '\0'); break;
				default: pxr_buf_addc(&l->text, s[i]); break;
				}
				i++;
				continue;
			}
			pxr_buf_addc(&l->text, s[i++]);
		}
		l->tok = T_STR;
		goto done;
	}
	if (s[i] == '`') {
		size_t st = ++i;

		while (i < l->n && s[i] != '`')
			i++;
		if (i >= l->n)
			return perr(l, l->tstart, "unterminated `name`");
		if (i == st)
			return perr(l, l->tstart, "empty `name`");
		pxr_buf_add(&l->text, s + st, i - st);
		i++;
		l->tok = T_IDENT;
		goto done;
	}
	if ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && i + 1 < l->n &&
	    s[i + 1] >= '0' && s[i + 1] <= '9')) {
		size_t st = i;

		while (i < l->n && ((s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.'))
			i++;
		if (i < l->n && (s[i] == 'e' || s[i] == 'E') &&
		    i + 1 < l->n && (s[i + 1] == '-' || s[i + 1] == '+' ||
		    (s[i + 1] >= '0' && s[i + 1] <= '9'))) {
			i += 2;
			while (i < l->n && s[i] >= '0' && s[i] <= '9')
				i++;
		} else if (i < l->n && isident((unsigned char)s[i], 1)) {
			/* A duration: digits and units, e.g. 1h30m. */
			while (i < l->n && (isident((unsigned char)s[i], 1) ||
			    (s[i] >= '0' && s[i] <= '9')))
				i++;
			pxr_buf_add(&l->text, s + st, i - st);
			l->tok = T_DUR;
			goto done;
		}
		pxr_buf_add(&l->text, s + st, i - st);
		l->tok = T_NUM;
		goto done;
	}
	if (isident((unsigned char)s[i], 1)) {
		size_t st = i;

		while (i < l->n && isident((unsigned char)s[i], 0))
			i++;
		pxr_buf_add(&l->text, s + st, i - st);
		if (strcmp(l->text.p, "and") == 0)
			l->tok = T_AND;
		else if (strcmp(l->text.p, "or") == 0)
			l->tok = T_OR;
		else if (strcmp(l->text.p, "not") == 0)
			l->tok = T_NOT;
		else if (strcmp(l->text.p, "in") == 0)
			l->tok = T_IN;
		else if (strcmp(l->text.p, "true") == 0)
			l->tok = T_TRUE;
		else if (strcmp(l->text.p, "false") == 0)
			l->tok = T_FALSE;
		else if (strcmp(l->text.p, "null") == 0)
			l->tok = T_NULL;
		else
			l->tok = T_IDENT;
		goto done;
	}
	return perr(l, i, "unexpected character '%c'", s[i]);
done:
	l->tend = l->i = i;
	return 0;
}

/* ---- parser ---- */

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

static void
freenode(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkid; i++)
		freenode(n->kid[i]);
	free(n->kid);
	free(n->text);
	if (n->md != NULL)
		pcre2_match_data_free(n->md);
	if (n->re != NULL)
		pcre2_code_free(n->re);
	free(n);
}

static struct node *parse_or(struct lex *);

static const char *
tokname(int t)
{
	static const char *names[] = {
		"end of expression", "number", "duration", "string", "name",
		"'('", "')'", "'['", "']'", "','", "'||'", "'&&'", "'!'",
		"'=='", "'!='", "'<'", "'<='", "'>'", "'>='", "'=~'", "'!~'",
		"'in'", "'+'", "'-'", "'*'", "'/'", "'%'", "'true'", "'false'",
		"'null'"
	};

	return names[t];
}

static int
compile_regex(struct lex *l, struct node *n, struct node *pat)
{
	int ec;
	PCRE2_SIZE eo;
	char msg[256];

	if (pat->op != N_LIT || pat->lit.t != PXR_V_STR)
		return perr(l, pat->start, "the pattern must be a string "
		    "literal");
	n->re = pcre2_compile((PCRE2_SPTR)pat->lit.s, pat->lit.n,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
	if (n->re == NULL) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
		/* Point inside the literal: past its opening quote. */
		return perr(l, pat->start + 1 + eo, "bad regular expression: "
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

	if (++l->depth > MAX_DEPTH) {
		perr(l, st, "expression nested too deeply (over %d)",
		    MAX_DEPTH);
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
			perr(l, st, "bad number '%s'", l->text.p);
			freenode(n);
			return NULL;
		}
		break;
	case T_DUR:
		n = mknode(N_LIT, st);
		n->lit.t = PXR_V_DUR;
		if (pxr_dur_parse(l->text.p, l->text.len, &n->lit.i, &de) < 0) {
			perr(l, st, "%s", de.text);
			freenode(n);
			return NULL;
		}
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
		if (next(l) < 0)
			return NULL;
		n = parse_or(l);
		if (n == NULL)
			return NULL;
		if (l->tok != T_RP) {
			perr(l, l->tstart, "expected ')', found %s",
			    tokname(l->tok));
			freenode(n);
			return NULL;
		}
		n->start = st;
		n->end = l->tend;
		break;
	case T_LB:
		n = mknode(N_LIST, st);
		if (next(l) < 0)
			goto fail;
		while (l->tok != T_RB) {
			struct node *k = parse_or(l);

			if (k == NULL)
				goto fail;
			addkid(n, k);
			if (l->tok == T_COMMA) {
				if (next(l) < 0)
					goto fail;
			} else if (l->tok != T_RB) {
				perr(l, l->tstart, "expected ',' or ']', "
				    "found %s", tokname(l->tok));
				goto fail;
			}
		}
		break;
	case T_IDENT: {
		char *name = pxr_strndup(l->text.p, l->text.len);
		size_t i;

		if (l->s[l->tend] != '(' || l->s[l->tstart] == '`') {
			n = mknode(N_FIELD, st);
			n->text = name;
			break;
		}
		for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			if (strcmp(fns[i].name, name) == 0)
				break;
		if (i == sizeof(fns) / sizeof(fns[0])) {
			perr(l, st, "unknown function '%s'", name);
			free(name);
			return NULL;
		}
		n = mknode(N_CALL, st);
		n->fn = fns[i].fn;
		n->text = name;
		if (next(l) < 0 || next(l) < 0)	/* name, '(' */
			goto fail;
		while (l->tok != T_RP) {
			struct node *k = parse_or(l);

			if (k == NULL)
				goto fail;
			addkid(n, k);
			if (l->tok == T_COMMA) {
				if (next(l) < 0)
					goto fail;
			} else if (l->tok != T_RP) {
				perr(l, l->tstart, "expected ',' or ')', "
				    "found %s", tokname(l->tok));
				goto fail;
			}
		}
		if ((int)n->nkid < fns[i].min || (fns[i].max >= 0 &&
		    (int)n->nkid > fns[i].max)) {
			if (fns[i].min == fns[i].max)
				perr(l, st, "%s() takes %d argument%s, not %zu",
				    name, fns[i].min, fns[i].min == 1 ? "" : "s",
				    n->nkid);
			else
				perr(l, st, "%s() takes %d to %d arguments, "
				    "not %zu", name, fns[i].min, fns[i].max,
				    n->nkid);
			goto fail;
		}
		if (n->fn == F_CAPTURE && compile_regex(l, n, n->kid[1]) < 0)
			goto fail;
		if ((n->fn == F_TIME || n->fn == F_DATE) &&
		    n->kid[0]->op == N_LIT && n->kid[0]->lit.t == PXR_V_STR) {
			/* A literal time is checked now, not per record. */
			int64_t t;

			if (pxr_time_parse(n->kid[0]->lit.s, n->kid[0]->lit.n,
			    NULL, &t, NULL, &de) < 0) {
				perr(l, n->kid[0]->start, "%s", de.text);
				goto fail;
			}
		}
		break;
	}
	default:
		perr(l, st, "expected a value, found %s", tokname(l->tok));
		return NULL;
	}
	n->end = l->tend;
	if (next(l) < 0)
		goto fail;
	l->depth--;
	return n;
fail:
	freenode(n);
	return NULL;
}

static struct node *
parse_unary(struct lex *l)
{
	if (l->tok == T_MINUS) {
		struct node *n = mknode(N_NEG, l->tstart), *k;

		if (++l->depth > MAX_DEPTH) {
			perr(l, l->tstart, "expression nested too deeply");
			freenode(n);
			return NULL;
		}
		if (next(l) < 0 || (k = parse_unary(l)) == NULL) {
			freenode(n);
			return NULL;
		}
		l->depth--;
		addkid(n, k);
		return n;
	}
	return parse_primary(l);
}

static struct node *
binary(struct lex *l, struct node *a, int op, struct node *(*sub)(struct lex *))
{
	struct node *n = mknode(op, a->start), *b;

	addkid(n, a);
	if (next(l) < 0 || (b = sub(l)) == NULL) {
		freenode(n);
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
	    compile_regex(l, n, n->kid[1]) < 0) {
		freenode(n);
		return NULL;
	}
	if (op == N_IN && n->kid[1]->op != N_LIST) {
		perr(l, n->kid[1]->start, "'in' needs a list: x in ['a', 'b']");
		freenode(n);
		return NULL;
	}
	switch (l->tok) {
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
	case T_MATCH: case T_NMATCH: case T_IN:
		perr(l, l->tstart, "comparisons do not chain: use && between "
		    "them");
		freenode(n);
		return NULL;
	default:
		break;
	}
	return n;
}

static struct node *
parse_not(struct lex *l)
{
	if (l->tok == T_NOT) {
		struct node *n = mknode(N_NOT, l->tstart), *k;

		if (++l->depth > MAX_DEPTH) {
			perr(l, l->tstart, "expression nested too deeply");
			freenode(n);
			return NULL;
		}
		if (next(l) < 0 || (k = parse_not(l)) == NULL) {
			freenode(n);
			return NULL;
		}
		l->depth--;
		addkid(n, k);
		return n;
	}
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
		for (i = 0; i < e->ntypes; i++)
			if (strcmp(e->types[i].name, n->text) == 0)
				n->ctype = e->types[i].type;
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
	if (next(&l) == 0) {
		if (l.tok == T_END)
			perr(&l, 0, "empty expression");
		else
			e->root = parse_or(&l);
	}
	if (e->root != NULL && l.tok != T_END) {
		perr(&l, l.tstart, "unexpected %s after the expression",
		    tokname(l.tok));
		freenode(e->root);
		e->root = NULL;
	}
	pxr_buf_free(&l.text);
	if (e->root == NULL) {
		pxr_expr_free(e);
		return NULL;
	}
	e->types = pxr_calloc(ntypes + 1, sizeof(*e->types));
	for (i = 0; i < ntypes; i++) {
		e->types[i].name = pxr_strdup(types[i].name);
		e->types[i].type = types[i].type;
	}
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
	freenode(e->root);
	for (i = 0; i < e->ntypes; i++)
		free((char *)e->types[i].name);
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

/* ---- evaluation ---- */

struct ev {
	const struct pxr_expr *e;
	const struct pxr_env *env;
	struct pxr_error *err;
};

static int
rterr(struct ev *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
rterr(struct ev *x, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pxr_error_set(x->err, PXR_EXIT_DATAERR, "%s", msg);
}

static int
field_err(struct ev *x, const struct pxr_value *v, const char *what)
{
	return rterr(x, "column '%s': not %s: \"%.*s\"", v->field, what,
	    (int)(v->n > 64 ? 64 : v->n), v->s);
}

static char *
scratch(struct ev *x, size_t n)
{
	return pxr_arena_alloc(x->env->arena, n + 1);
}

/* A FIELD (or STR) read as the given kind; other kinds pass through. */
static int
as_number(struct ev *x, struct pxr_value *v)
{
	if (v->t == PXR_V_INT || v->t == PXR_V_DBL || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD) {
		if (!pxr_number_parse(v->s, v->n, v))
			return field_err(x, v, "a number");
		return 0;
	}
	return rterr(x, "expected a number, got %s", pxr_vt_name(v->t));
}

static int
as_time(struct ev *x, struct pxr_value *v)
{
	struct pxr_error e;
	int dateonly;

	if (v->t == PXR_V_TIME || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_time_parse(v->s, v->n, x->env->tz, &v->i, &dateonly,
		    &e) < 0) {
			if (v->t == PXR_V_FIELD)
				return rterr(x, "column '%s': %s", v->field,
				    e.text);
			return rterr(x, "%s", e.text);
		}
		v->t = PXR_V_TIME;
		v->dateonly = dateonly;
		return 0;
	}
	return rterr(x, "expected a time, got %s", pxr_vt_name(v->t));
}

static int
as_dur(struct ev *x, struct pxr_value *v)
{
	struct pxr_error e;

	if (v->t == PXR_V_DUR || v->t == PXR_V_NULL)
		return 0;
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_dur_parse(v->s, v->n, &v->i, &e) < 0) {
			if (v->t == PXR_V_FIELD)
				return rterr(x, "column '%s': %s", v->field,
				    e.text);
			return rterr(x, "%s", e.text);
		}
		v->t = PXR_V_DUR;
		return 0;
	}
	return rterr(x, "expected a duration, got %s", pxr_vt_name(v->t));
}

static int
as_bool(struct ev *x, struct pxr_value *v)
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
		return field_err(x, v, "true or false");
	}
	return rterr(x, "expected true or false, got %s", pxr_vt_name(v->t));
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
static int
unify(struct ev *x, struct pxr_value *a, struct pxr_value *b)
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
			return as_time(x, b);
		if (rb && looks_date(a))
			return as_time(x, a);
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
		return as_number(x, a);
	case PXR_V_TIME:
		return as_time(x, a);
	case PXR_V_DUR:
		return as_dur(x, a);
	case PXR_V_BOOL:
		return as_bool(x, a);
	default:
		return 0;
	}
}

static int eval(struct ev *, const struct node *, struct pxr_value *);

static int
is_null_lit(const struct node *n)
{
	return n->op == N_LIT && n->lit.t == PXR_V_NULL;
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
				char *s = scratch(x, json_string_length(j));

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
				char *c = scratch(x, len);

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
		if (as_number(x, v) < 0)
			return -1;
		if (v->t == PXR_V_DBL)
			return rterr(x, "column '%s': not an integer",
			    n->text);
		return 0;
	case PXR_C_NUMBER:
		return as_number(x, v);
	case PXR_C_TIME:
		return as_time(x, v);
	case PXR_C_DURATION:
		return as_dur(x, v);
	case PXR_C_BOOL:
		return as_bool(x, v);
	default:
		return 0;
	}
}

/* -1 if a < b, 0 equal, 1 greater; kinds already unified. */
static int
compare(struct ev *x, const struct pxr_value *a, const struct pxr_value *b,
    int *out)
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

		*out = c != 0 ? (c < 0 ? -1 : 1) : a->n < b->n ? -1 : a->n > b->n;
		return 0;
	}
	if (a->t == b->t && (a->t == PXR_V_TIME || a->t == PXR_V_DUR ||
	    a->t == PXR_V_BOOL)) {
		*out = a->i < b->i ? -1 : a->i > b->i;
		return 0;
	}
	return rterr(x, "cannot compare %s with %s", pxr_vt_name(a->t),
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
	if (unify(x, &a, &b) < 0 || compare(x, &a, &b, &c) < 0)
		return -1;
	*eq = c == 0;
	return 0;
}

static int
checked(struct ev *x, int ovf, const char *what)
{
	if (ovf)
		return rterr(x, "integer overflow in %s", what);
	return 0;
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
		if (as_time(x, &a) < 0)
			return -1;
	} else if (op == N_ADD && b.t == PXR_V_FIELD && a.t == PXR_V_DUR &&
	    looks_date(&b)) {
		if (as_time(x, &b) < 0)
			return -1;
	}
	if (a.t == PXR_V_FIELD && b.t == PXR_V_FIELD && op != N_SUB) {
		if (as_number(x, &a) < 0 || as_number(x, &b) < 0)
			return -1;
	} else if (unify(x, &a, &b) < 0)
		return -1;
	if (a.t == PXR_V_FIELD && b.t == PXR_V_FIELD &&
	    (looks_date(&a) || looks_date(&b))) {
		/* Two dated texts that are not both times: name the bad one. */
		if (as_time(x, &a) < 0 || as_time(x, &b) < 0)
			return -1;
	}
	if (b.t == PXR_V_FIELD && as_number(x, &b) < 0)
		return -1;
	if (a.t == PXR_V_FIELD && as_number(x, &a) < 0)
		return -1;
	if (is_num(&a) && is_num(&b)) {
		if (a.t == PXR_V_INT && b.t == PXR_V_INT) {
			r->t = PXR_V_INT;
			switch (op) {
			case N_ADD:
				return checked(x, __builtin_add_overflow(a.i,
				    b.i, &r->i), "+");
			case N_SUB:
				return checked(x, __builtin_sub_overflow(a.i,
				    b.i, &r->i), "-");
			case N_MUL:
				return checked(x, __builtin_mul_overflow(a.i,
				    b.i, &r->i), "*");
			case N_DIV:
			case N_MOD:
				if (b.i == 0)
					return rterr(x, "division by zero");
				if (a.i == INT64_MIN && b.i == -1)
					return checked(x, 1, "/");
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
				return rterr(x, "division by zero");
			r->d = op == N_DIV ? dbl(&a) / dbl(&b) :
			    fmod(dbl(&a), dbl(&b));
			break;
		}
		if (!isfinite(r->d))
			return rterr(x, "number out of range");
		return 0;
	}
	if (op == N_SUB && a.t == PXR_V_TIME && b.t == PXR_V_TIME) {
		r->t = PXR_V_DUR;
		return checked(x, __builtin_sub_overflow(a.i, b.i, &r->i), "-");
	}
	if ((op == N_ADD || op == N_SUB) && a.t == PXR_V_TIME &&
	    b.t == PXR_V_DUR) {
		r->t = PXR_V_TIME;
		return checked(x, op == N_ADD ? __builtin_add_overflow(a.i, b.i,
		    &r->i) : __builtin_sub_overflow(a.i, b.i, &r->i), "time");
	}
	if (op == N_ADD && a.t == PXR_V_DUR && b.t == PXR_V_TIME) {
		r->t = PXR_V_TIME;
		return checked(x, __builtin_add_overflow(a.i, b.i, &r->i),
		    "time");
	}
	if ((op == N_ADD || op == N_SUB) && a.t == PXR_V_DUR &&
	    b.t == PXR_V_DUR) {
		r->t = PXR_V_DUR;
		return checked(x, op == N_ADD ? __builtin_add_overflow(a.i, b.i,
		    &r->i) : __builtin_sub_overflow(a.i, b.i, &r->i),
		    "duration");
	}
	if (op == N_MUL && ((a.t == PXR_V_DUR && is_num(&b)) ||
	    (b.t == PXR_V_DUR && is_num(&a)))) {
		struct pxr_value *d = a.t == PXR_V_DUR ? &a : &b;
		struct pxr_value *k = a.t == PXR_V_DUR ? &b : &a;

		r->t = PXR_V_DUR;
		if (k->t == PXR_V_INT)
			return checked(x, __builtin_mul_overflow(d->i, k->i,
			    &r->i), "duration");
		if (fabs((double)d->i * k->d) > 9e18)
			return checked(x, 1, "duration");
		r->i = (int64_t)llround((double)d->i * k->d);
		return 0;
	}
	if (op == N_DIV && a.t == PXR_V_DUR && b.t == PXR_V_DUR) {
		if (b.i == 0)
			return rterr(x, "division by zero");
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
			return rterr(x, "division by zero");
		r->t = PXR_V_DUR;
		r->i = b.t == PXR_V_INT ? a.i / b.i :
		    (int64_t)llround((double)a.i / b.d);
		return 0;
	}
	return rterr(x, "cannot apply '%s' to %s and %s", op == N_ADD ? "+" :
	    op == N_SUB ? "-" : op == N_MUL ? "*" : op == N_DIV ? "/" : "%",
	    pxr_vt_name(a.t), pxr_vt_name(b.t));
}

static int
regex_match(struct ev *x, const struct node *n, const struct pxr_value *v,
    int *matched)
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
			return rterr(x, "column '%s': regular expression "
			    "failed: %s", v->field, msg);
		return rterr(x, "regular expression failed: %s", msg);
	}
	*matched = 1;
	return 0;
}

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
	s = scratch(x, b.len);
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
	if (as_dur(x, a) < 0)
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
		return rterr(x, "number out of integer range");
	r->t = PXR_V_INT;
	r->i = (int64_t)d;
	return 0;
}

static int
call(struct ev *x, const struct node *n, struct pxr_value *r)
{
	struct pxr_value a[3];
	size_t i, k;
	struct pxr_civil c;

	memset(r, 0, sizeof(*r));
	switch (n->fn) {
	case F_NOW:
		r->t = PXR_V_TIME;
		r->i = x->env->now;
		return 0;
	case F_COALESCE:
		for (i = 0; i < n->nkid; i++) {
			if (eval(x, n->kid[i], r) < 0)
				return -1;
			if (r->t != PXR_V_NULL)
				return 0;
		}
		return 0;
	case F_MIN:
	case F_MAX:
		for (i = 0; i < n->nkid; i++) {
			struct pxr_value v;
			int cmp;

			if (eval(x, n->kid[i], &v) < 0)
				return -1;
			if (v.t == PXR_V_NULL)
				continue;
			if (r->t == PXR_V_NULL) {
				*r = v;
				continue;
			}
			if (unify(x, r, &v) < 0 || compare(x, &v, r, &cmp) < 0)
				return -1;
			if ((n->fn == F_MIN && cmp < 0) ||
			    (n->fn == F_MAX && cmp > 0))
				*r = v;
		}
		return 0;
	default:
		break;
	}
	for (i = 0; i < n->nkid && i < 3; i++) {
		if (eval(x, n->kid[i], &a[i]) < 0)
			return -1;
		if (a[i].t == PXR_V_NULL && !(n->fn == F_CAPTURE && i > 0))
			return 0;	/* null in, null out */
	}
	switch (n->fn) {
	case F_TIME:
		if (as_time(x, &a[0]) < 0)
			return -1;
		*r = a[0];
		r->dateonly = 0;
		return 0;
	case F_DATE:
		if (as_time(x, &a[0]) < 0)
			return -1;
		pxr_time_civil(a[0].i, x->env->tz, &c);
		r->t = PXR_V_TIME;
		r->dateonly = 1;
		r->i = pxr_time_from_local(x->env->tz, c.year, c.month, c.day,
		    0, 0, 0, 0);
		return 0;
	case F_SECONDS:
		return dur_in(x, &a[0], PXR_US_SEC, r);
	case F_MINUTES:
		return dur_in(x, &a[0], PXR_US_MIN, r);
	case F_HOURS:
		return dur_in(x, &a[0], PXR_US_HOUR, r);
	case F_DAYS:
		return dur_in(x, &a[0], PXR_US_DAY, r);
	case F_HOUR:
	case F_WEEKDAY:
		if (as_time(x, &a[0]) < 0)
			return -1;
		pxr_time_civil(a[0].i, x->env->tz, &c);
		r->t = PXR_V_INT;
		r->i = n->fn == F_HOUR ? c.hour : c.wday;
		return 0;
	case F_LOWER:
	case F_UPPER:
	case F_TRIM: {
		char *s;
		size_t st = 0, en;

		text_of(x, &a[0]);
		en = a[0].n;
		if (n->fn == F_TRIM) {
			while (st < en && (a[0].s[st] == ' ' ||
			    a[0].s[st] == '\t' || a[0].s[st] == '\r' ||
			    a[0].s[st] == '\n'))
				st++;
			while (en > st && (a[0].s[en - 1] == ' ' ||
			    a[0].s[en - 1] == '\t' || a[0].s[en - 1] == '\r' ||
			    a[0].s[en - 1] == '\n'))
				en--;
		}
		s = scratch(x, en - st);
		for (k = st; k < en; k++) {
			char ch = a[0].s[k];

			if (n->fn == F_LOWER && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			else if (n->fn == F_UPPER && ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 'a' + 'A');
			s[k - st] = ch;
		}
		r->t = PXR_V_STR;
		r->s = s;
		r->n = en - st;
		return 0;
	}
	case F_LEN:
		text_of(x, &a[0]);
		r->t = PXR_V_INT;
		r->i = utf8_len(a[0].s, a[0].n);
		return 0;
	case F_SUBSTR: {
		size_t from, to;

		text_of(x, &a[0]);
		if (as_number(x, &a[1]) < 0 || a[1].t != PXR_V_INT)
			return rterr(x, "substr(): the start must be an "
			    "integer");
		if (n->nkid > 2 && (as_number(x, &a[2]) < 0 ||
		    a[2].t != PXR_V_INT || a[2].i < 0))
			return rterr(x, "substr(): the length must be a "
			    "whole number");
		if (a[1].i < 0)
			a[1].i = 0;
		from = utf8_at(a[0].s, a[0].n, a[1].i);
		to = n->nkid > 2 ? from + utf8_at(a[0].s + from,
		    a[0].n - from, a[2].i) : a[0].n;
		r->t = PXR_V_STR;
		r->s = a[0].s + from;
		r->n = to - from;
		return 0;
	}
	case F_CONTAINS:
	case F_STARTSWITH:
	case F_ENDSWITH:
		text_of(x, &a[0]);
		text_of(x, &a[1]);
		r->t = PXR_V_BOOL;
		if (a[1].n > a[0].n)
			r->i = 0;
		else if (n->fn == F_STARTSWITH)
			r->i = memcmp(a[0].s, a[1].s, a[1].n) == 0;
		else if (n->fn == F_ENDSWITH)
			r->i = memcmp(a[0].s + a[0].n - a[1].n, a[1].s,
			    a[1].n) == 0;
		else
			r->i = a[1].n == 0 || memmem(a[0].s, a[0].n, a[1].s,
			    a[1].n) != NULL;
		return 0;
	case F_CAPTURE: {
		int m, rc;
		PCRE2_SIZE *ov;

		if (regex_match(x, n, &a[0], &m) < 0)
			return -1;
		if (!m)
			return 0;
		if (a[2].t == PXR_V_INT)
			rc = (int)a[2].i;
		else if (a[2].t == PXR_V_STR || a[2].t == PXR_V_FIELD) {
			char name[128];

			snprintf(name, sizeof(name), "%.*s", (int)a[2].n,
			    a[2].s);
			rc = pcre2_substring_number_from_name(n->re,
			    (PCRE2_SPTR)name);
			if (rc < 0)
				return rterr(x, "capture(): no group named "
				    "'%s'", name);
		} else
			return rterr(x, "capture(): the group must be a "
			    "number or a name");
		if (rc < 0 || (uint32_t)rc >= pcre2_get_ovector_count(n->md))
			return rterr(x, "capture(): no group %d", rc);
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
	case F_ABS:
		if (as_number(x, &a[0]) < 0)
			return -1;
		if (a[0].t == PXR_V_INT) {
			if (a[0].i == INT64_MIN)
				return checked(x, 1, "abs()");
			r->t = PXR_V_INT;
			r->i = a[0].i < 0 ? -a[0].i : a[0].i;
		} else {
			r->t = PXR_V_DBL;
			r->d = fabs(a[0].d);
		}
		return 0;
	case F_ROUND:
	case F_FLOOR:
	case F_CEIL:
		if (as_number(x, &a[0]) < 0)
			return -1;
		if (a[0].t == PXR_V_INT) {
			*r = a[0];
			return 0;
		}
		return to_int(x, n->fn == F_ROUND ? round(a[0].d) :
		    n->fn == F_FLOOR ? floor(a[0].d) : ceil(a[0].d), r);
	case F_NUM:
		if (a[0].t == PXR_V_STR)
			a[0].t = PXR_V_FIELD;
		if (a[0].t == PXR_V_FIELD && !pxr_number_parse(a[0].s, a[0].n,
		    r)) {
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
				return field_err(x, &a[0], "a number");
			return rterr(x, "num(): not a number: \"%.*s\"",
			    (int)(a[0].n > 64 ? 64 : a[0].n), a[0].s);
		}
		if (a[0].t != PXR_V_FIELD) {
			if (a[0].t == PXR_V_BOOL) {
				r->t = PXR_V_INT;
				r->i = a[0].i;
				return 0;
			}
			if (as_number(x, &a[0]) < 0)
				return -1;
			*r = a[0];
		}
		return 0;
	case F_STR:
		*r = a[0];
		if (r->t == PXR_V_FIELD)
			r->t = PXR_V_STR;
		return text_of(x, r);
	}
	return rterr(x, "internal: unknown function");
}

static int
truth(struct ev *x, const struct node *n, int *t)
{
	struct pxr_value v;

	if (eval(x, n, &v) < 0 || as_bool(x, &v) < 0)
		return -1;
	*t = v.t == PXR_V_NULL ? -1 : (int)v.i;	/* -1: null */
	return 0;
}

static int
eval(struct ev *x, const struct node *n, struct pxr_value *r)
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
		return rterr(x, "a list is only allowed after 'in'");
	case N_CALL:
		return call(x, n, r);
	case N_NEG:
		if (eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		if (a.t == PXR_V_NULL)
			return 0;
		if (a.t == PXR_V_DUR) {
			r->t = PXR_V_DUR;
			return checked(x, __builtin_sub_overflow((int64_t)0,
			    a.i, &r->i), "-");
		}
		if (as_number(x, &a) < 0)
			return -1;
		if (a.t == PXR_V_INT) {
			r->t = PXR_V_INT;
			return checked(x, __builtin_sub_overflow((int64_t)0,
			    a.i, &r->i), "-");
		}
		r->t = PXR_V_DBL;
		r->d = -a.d;
		return 0;
	case N_NOT:
		if (truth(x, n->kid[0], &ta) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		if (ta >= 0) {
			r->t = PXR_V_BOOL;
			r->i = !ta;
		}
		return 0;
	case N_AND:
	case N_OR:
		if (truth(x, n->kid[0], &ta) < 0)
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
		if (truth(x, n->kid[1], &tb) < 0)
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
		if (eval(x, n->kid[0], &a) < 0 || eval(x, n->kid[1], &b) < 0)
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
		if (eval(x, n->kid[0], &a) < 0 || eval(x, n->kid[1], &b) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL || b.t == PXR_V_NULL)
			return 0;
		if (unify(x, &a, &b) < 0 || compare(x, &a, &b, &c) < 0)
			return -1;
		r->i = n->op == N_LT ? c < 0 : n->op == N_LE ? c <= 0 :
		    n->op == N_GT ? c > 0 : c >= 0;
		return 0;
	case N_MATCH:
	case N_NMATCH:
		if (eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL)
			return 0;
		if (regex_match(x, n, &a, &c) < 0)
			return -1;
		r->i = n->op == N_MATCH ? c : !c;
		return 0;
	case N_IN:
		if (eval(x, n->kid[0], &a) < 0)
			return -1;
		memset(r, 0, sizeof(*r));
		r->t = PXR_V_BOOL;
		if (a.t == PXR_V_NULL)
			return 0;
		for (i = 0; i < n->kid[1]->nkid; i++) {
			if (eval(x, n->kid[1]->kid[i], &b) < 0)
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
		if (eval(x, n->kid[0], &a) < 0 || eval(x, n->kid[1], &b) < 0)
			return -1;
		return arith(x, n->op, a, b, r);
	}
}

int
pxr_expr_eval(const struct pxr_expr *e, const struct pxr_env *env,
    struct pxr_value *v, struct pxr_error *err)
{
	struct ev x = { e, env, err };

	return eval(&x, e->root, v);
}

int
pxr_expr_test(const struct pxr_expr *e, const struct pxr_env *env,
    struct pxr_error *err)
{
	struct ev x = { e, env, err };
	int t;

	if (truth(&x, e->root, &t) < 0)
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
	rc = as_number(&x, out);
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
	if (eval(&y, n, &v) < 0) {
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
			if (truth(x, n->kid[i], &t) < 0 || t != 1) {
				explain(x, n->kid[i], b);
				return;
			}
		}
	}
	if (n->op == N_NOT) {
		pxr_buf_printf(b, "%.*s is ", (int)(n->end - n->start),
		    x->e->src + n->start);
		(void)truth(x, n, &t);
		pxr_buf_adds(b, t == 1 ? "true" : t == 0 ? "false" : "null");
		return;
	}
	pxr_buf_printf(b, "%.*s is ", (int)(n->end - n->start),
	    x->e->src + n->start);
	if (truth(x, n, &t) < 0) {
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

	if (truth(&x, e->root, &t) < 0)
		return -1;
	explain(&x, e->root, b);
	return t == 1;
}

int
pxr_ctype_parse(const char *s)
{
	static const char *names[] = { "any", "string", "int", "number",
	    "time", "duration", "bool" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* ---- static types ---- */

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
		switch (n->fn) {
		case F_NOW: case F_TIME: case F_DATE: return PXR_C_TIME;
		case F_SECONDS: case F_MINUTES: case F_HOURS: case F_DAYS:
		case F_HOUR: case F_WEEKDAY: case F_LEN: case F_ROUND:
		case F_FLOOR: case F_CEIL: case F_NUM: case F_ABS:
			return PXR_C_NUMBER;
		case F_LOWER: case F_UPPER: case F_TRIM: case F_SUBSTR:
		case F_STR: return PXR_C_STRING;
		default: return -1;
		}
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

		if (kb == PXR_C_TIME || kb == PXR_C_DURATION || kb == PXR_C_BOOL)
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
