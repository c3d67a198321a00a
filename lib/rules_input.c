/*
 * rules_input.c: the input section of a rule file: the CSV delimiter, the
 * encoding and the typed columns (a type name, or an object with the type
 * and its format: decimal mark, digit group, currency, time format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "rules_int.h"
#include "stream.h"

static const struct mdef input_defs[] = {
	{ "columns", J_MAP, 0 }, { "delimiter", J_STR, 0 },
	{ "encoding", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef column_defs[] = {
	{ "type", J_STR, 1 }, { "decimal", J_STR, 0 }, { "group", J_STR, 0 },
	{ "currency", J_STR, 0 }, { "format", J_STR, 0 }, { NULL, 0, 0 }
};

/* The digit group separators a column may declare. */
static const char *const groups[] = { " ", "\xc2\xa0", "\xe2\x80\xaf", ".",
    ",", "'", "" };

/* The type named s at path into *t: 0, or -1 with a finding. */
static int
coltype_name(struct ld *L, const char *path, const char *s, int *t)
{
	size_t n;
	const char *const *names = pxr_ctype_names(&n);
	const char *near;

	if ((*t = pxr_ctype_parse(s)) >= 0)
		return 0;
	if ((near = pxr_suggest(s, names + 1, n - 1)) != NULL)
		ERR(L, path, "wrong-type", "%s: unknown type '%s' (did you "
		    "mean '%s'?)", path, s, near);
	else
		ERR(L, path, "wrong-type", "%s: expected a type: string, int, "
		    "number, money, time, duration or bool", path);
	return -1;
}

/* A member of a column's object that its type does not take. */
static int
not_for(struct ld *L, json_t *o, const char *path, const char *member,
    const char *type)
{
	char sub[512];

	if (json_object_get(o, member) == NULL)
		return 0;
	snprintf(sub, sizeof(sub), "%s.%s", path, member);
	ERR(L, sub, "unknown-member", "%s: a %s column has no %s", sub, type,
	    member);
	return -1;
}

/* The decimal mark and group of a number or money column c. */
static int
marks(struct ld *L, json_t *o, const char *path, struct pxr_coltype *c)
{
	json_t *x;
	char sub[512];
	const char *s;
	size_t i;
	int bad = 0;

	c->decimal = '.';
	if ((x = pxr_rl_get(o, "decimal", J_STR)) != NULL) {
		s = json_string_value(x);
		snprintf(sub, sizeof(sub), "%s.decimal", path);
		if (strcmp(s, ".") == 0 || strcmp(s, ",") == 0)
			c->decimal = s[0];
		else {
			ERR(L, sub, "bad-format", "%s: the decimal mark is "
			    "'.' or ','", sub);
			bad = -1;
		}
	}
	if ((x = pxr_rl_get(o, "group", J_STR)) != NULL) {
		s = json_string_value(x);
		snprintf(sub, sizeof(sub), "%s.group", path);
		for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			if (strcmp(s, groups[i]) == 0)
				break;
		if (i == sizeof(groups) / sizeof(groups[0])) {
			ERR(L, sub, "bad-format", "%s: the digit group is one "
			    "of ' ', U+00A0, U+202F, '.', ',', \"'\" or \"\"",
			    sub);
			bad = -1;
		} else if (s[0] == c->decimal && s[1] == '\0') {
			ERR(L, sub, "bad-format", "%s: the group '%s' is also "
			    "the decimal mark", sub, s);
			bad = -1;
		} else
			snprintf(c->group, sizeof(c->group), "%s", s);
	}
	return bad;
}

/* One column k: a type name, or an object; 0, or -1 (findings made). */
static int
load_column(struct ld *L, const char *k, json_t *y, struct pxr_coltype *c)
{
	char path[512], sub[600];
	json_t *x;
	int bad = 0;

	snprintf(path, sizeof(path), "input.columns.%s", k);
	memset(c, 0, sizeof(*c));
	if (json_is_string(y))
		return coltype_name(L, path, json_string_value(y), &c->type);
	if (!json_is_object(y)) {
		ERR(L, path, "wrong-type", "%s: expected a type name or an "
		    "object with one", path);
		return -1;
	}
	if (pxr_rl_check_obj(L, y, path, column_defs) != 0 ||
	    (x = pxr_rl_get(y, "type", J_STR)) == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s.type", path);
	if (coltype_name(L, sub, json_string_value(x), &c->type) < 0)
		return -1;
	if (c->type != PXR_C_NUMBER && c->type != PXR_C_MONEY &&
	    c->type != PXR_C_INT)
		bad |= not_for(L, y, path, "decimal", json_string_value(x)) |
		    not_for(L, y, path, "group", json_string_value(x));
	if (c->type != PXR_C_MONEY)
		bad |= not_for(L, y, path, "currency", json_string_value(x));
	if (c->type != PXR_C_TIME)
		bad |= not_for(L, y, path, "format", json_string_value(x));
	if (bad)
		return -1;
	switch (c->type) {
	case PXR_C_INT:
	case PXR_C_NUMBER:
		return marks(L, y, path, c);
	case PXR_C_MONEY:
		if (marks(L, y, path, c) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.currency", path);
		if ((x = pxr_rl_get(y, "currency", J_STR)) == NULL &&
		    L->r->currency == NULL) {
			ERR(L, path, "missing-member", "%s: a money column "
			    "needs a currency (or defaults.currency)", path);
			return -1;
		}
		snprintf(c->currency, sizeof(c->currency), "%s", x != NULL ?
		    json_string_value(x) : L->r->currency);
		if (x != NULL && pxr_rl_currency(L, sub,
		    json_string_value(x)) < 0)
			return -1;
		if ((c->exponent = pxr_currency_exponent(c->currency)) < 0)
			return -1;	/* defaults.currency has its finding */
		return 0;
	case PXR_C_TIME:
		if ((x = pxr_rl_get(y, "format", J_STR)) != NULL) {
			char msg[200];

			snprintf(sub, sizeof(sub), "%s.format", path);
			if (pxr_timefmt_check(json_string_value(x), msg,
			    sizeof(msg)) < 0) {
				ERR(L, sub, "bad-format", "%s: %s", sub, msg);
				return -1;
			}
			c->format = pxr_strdup(json_string_value(x));
		}
		return 0;
	}
	return 0;
}

void
pxr_rl_load_input(struct ld *L, json_t *v)
{
	struct pxr_rules *R = L->r;
	const char *k;
	json_t *x, *y;

	if (v == NULL || pxr_rl_check_obj(L, v, "input", input_defs) != 0)
		return;
	if ((x = pxr_rl_get(v, "delimiter", J_STR)) != NULL &&
	    (R->delimiter = pxr_csv_delim_parse(json_string_value(x))) < 0) {
		R->delimiter = 0;
		ERR(L, "input.delimiter", "wrong-type", "input.delimiter: "
		    "expected one character such as ';' or '|', or \"tab\"");
	}
	if ((x = pxr_rl_get(v, "encoding", J_STR)) != NULL &&
	    (R->encoding = pxr_enc_parse(json_string_value(x))) < 0) {
		R->encoding = 0;
		ERR(L, "input.encoding", "wrong-type", "input.encoding: "
		    "expected utf-8, windows-1252, iso-8859-1 or utf-16");
	}
	if ((x = pxr_rl_get(v, "columns", J_MAP)) == NULL)
		return;
	R->columns = pxr_calloc(json_object_size(x) + 1, sizeof(*R->columns));
	json_object_foreach(x, k, y) {
		struct pxr_coltype *c = &R->columns[R->ncolumns];

		if (load_column(L, k, y, c) < 0) {
			pxr_coltype_fini(c);
			memset(c, 0, sizeof(*c));
			continue;
		}
		c->name = pxr_strdup(k);
		R->ncolumns++;
	}
}
