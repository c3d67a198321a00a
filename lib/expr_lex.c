/* expr_lex.c: the lexer of the expression language: source to tokens. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exprint.h"

int
pxr_ex_perr(struct lex *l, size_t at, const char *fmt, ...)
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

int
pxr_ex_next(struct lex *l)
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
		return pxr_ex_perr(l, i,
		    "unexpected '%c' (did you mean '%c%c'?)",
		    s[i], s[i], s[i]);
	}
	if (s[i] == '=') {
		if (i + 1 < l->n && s[i + 1] == '=') { l->tok = T_EQ; i += 2; }
		else if (i + 1 < l->n && s[i + 1] == '~') {
			l->tok = T_MATCH; i += 2;
		} else
			return pxr_ex_perr(l, i, "unexpected '=' (did you mean "
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
				return pxr_ex_perr(l, l->tstart,
				    "unterminated string");
			if (s[i] == q) {
				i++;
				break;
			}
			if (s[i] == '\\') {
				if (i + 1 >= l->n)
					return pxr_ex_perr(l, l->tstart,
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
			return pxr_ex_perr(l, l->tstart, "unterminated `name`");
		if (i == st)
			return pxr_ex_perr(l, l->tstart, "empty `name`");
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
	return pxr_ex_perr(l, i, "unexpected character '%c'", s[i]);
done:
	l->tend = l->i = i;
	return 0;
}

const char *
pxr_ex_tokname(int t)
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
