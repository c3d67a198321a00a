/*
 * rules.c: loading and checking the rule file: the reading, the top-level
 * sections and the findings.  Rules are in rules_rule.c, the notify and
 * fan sections in rules_notify.c, the journey in rules_journey.c, the
 * input section (delimiter, encoding, typed columns) in rules_input.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "phone.h"
#include "rules_int.h"
#include "stream.h"

static const struct mdef top_defs[] = {
	{ "version", J_INT, 0 }, { "defaults", J_OBJ, 0 },
	{ "journey", J_OBJ, 0 }, { "input", J_OBJ, 0 },
	{ "rules", J_ARR, 1 }, { "limits", J_OBJ, 0 },
	{ "notify", J_OBJ, 0 }, { "fan", J_OBJ, 0 }, { NULL, 0, 0 }
};
static const struct mdef defaults_defs[] = {
	{ "currency", J_STR, 0 }, { "locale", J_STR, 0 },
	{ "timezone", J_STR, 0 }, { "country", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef limits_defs[] = {
	{ "per_customer", J_OBJ, 0 }, { "batch_budget_minor", J_INT, 0 },
	{ "no_survey_after", J_DUR, 0 },
	{ "approve_above_minor", J_INT, 0 },
	{ "approve_night_above_minor", J_INT, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef percust_defs[] = {
	{ "max_minor", J_INT, 1 }, { "period", J_DUR, 1 }, { NULL, 0, 0 }
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
	case J_STROBJ: return "a string or an object";
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
	case J_STROBJ: return json_is_string(v) || json_is_object(v);
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

int
pxr_rl_check_obj(struct ld *L, json_t *o, const char *path, const struct mdef *defs)
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

json_t *
pxr_rl_get(json_t *o, const char *name, int t)
{
	json_t *v = json_is_object(o) ? json_object_get(o, name) : NULL;

	return v != NULL && type_ok(v, t) ? v : NULL;
}

char *
pxr_rl_getstr(json_t *o, const char *name)
{
	json_t *v = pxr_rl_get(o, name, J_STR);

	return v != NULL ? pxr_strdup(json_string_value(v)) : NULL;
}

struct pxr_expr *
pxr_rl_compile(struct ld *L, const char *path, json_t *s)
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

int
pxr_rl_currency(struct ld *L, const char *path, const char *code)
{
	const char *now;
	int year = 0;

	if (strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' ||
	    code[1] < 'A' || code[1] > 'Z' || code[2] < 'A' || code[2] > 'Z') {
		ERR(L, path, "bad-currency", "%s: '%s' is not an ISO 4217 code",
		    path, code);
		return -1;
	}
	if (pxr_currency_exponent(code) >= 0)
		return 0;
	if ((now = pxr_currency_successor(code, &year)) != NULL)
		ERR(L, path, "bad-currency", "%s: '%s' was withdrawn from ISO "
		    "4217 in %d: use '%s'", path, code, year, now);
	else
		ERR(L, path, "bad-currency", "%s: '%s' is not a current ISO "
		    "4217 code", path, code);
	return -1;
}

int
pxr_rl_duration(struct ld *L, const char *path, json_t *v, int64_t *out)
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

/* The rules r inhibits exist (did you mean), and none is r itself. */
static void
check_inhibits(struct ld *L, const struct pxr_rule *r)
{
	struct pxr_rules *R = L->r;
	const char **names = pxr_calloc(R->nrules + 1, sizeof(*names));
	const char *s;
	char sub[160];
	size_t i, j, n = 0;

	for (i = 0; i < R->nrules; i++)
		if (R->rules[i].id != NULL)
			names[n++] = R->rules[i].id;
	for (j = 0; j < r->ninhibits; j++) {
		if (r->inhibits[j] == NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s.inhibits[%zu]", r->path, j);
		if (r->id != NULL && strcmp(r->inhibits[j], r->id) == 0)
			ERR(L, sub, "self-inhibit", "%s: rule '%s' inhibits "
			    "itself", sub, r->id);
		else if (pxr_rules_find(R, r->inhibits[j]) != NULL)
			continue;
		else if ((s = pxr_suggest(r->inhibits[j], names, n)) != NULL)
			ERR(L, sub, "unknown-rule", "%s: no rule '%s' (did "
			    "you mean '%s'?)", sub, r->inhibits[j], s);
		else
			ERR(L, sub, "unknown-rule", "%s: no rule '%s'", sub,
			    r->inhibits[j]);
	}
	free(names);
}

static void
load_top(struct ld *L, json_t *root)
{
	struct pxr_rules *R = L->r;
	json_t *v, *x, *y;
	size_t i, j;
	char sub[160];

	if (pxr_rl_check_obj(L, root, "", top_defs) < 0)
		return;
	if ((v = pxr_rl_get(root, "version", J_INT)) != NULL &&
	    json_integer_value(v) != 1)
		ERR(L, "version", "wrong-type", "version: this toolkit reads "
		    "version 1, not %lld", (long long)json_integer_value(v));
	R->tz = pxr_tz_env();
	if ((v = pxr_rl_get(root, "defaults", J_OBJ)) != NULL &&
	    pxr_rl_check_obj(L, v, "defaults", defaults_defs) == 0) {
		R->currency = pxr_rl_getstr(v, "currency");
		R->locale = pxr_rl_getstr(v, "locale");
		R->country = pxr_rl_getstr(v, "country");
		if (R->country != NULL && pxr_phone_plan(R->country,
		    strlen(R->country)) == NULL)
			ERR(L, "defaults.country", "bad-country",
			    "defaults.country: '%s' is no country pxr has a "
			    "numbering plan for (ISO 3166 alpha-2: %s)",
			    R->country, pxr_phone_countries());
		if ((x = pxr_rl_get(v, "timezone", J_STR)) != NULL) {
			struct pxr_tz *z = pxr_tz_get(json_string_value(x));

			if (z == NULL)
				ERR(L, "defaults.timezone", "bad-timezone",
				    "defaults.timezone: unknown time zone "
				    "'%s'", json_string_value(x));
			else
				R->tz = z;
		}
		if (R->currency != NULL)
			(void)pxr_rl_currency(L, "defaults.currency",
			    R->currency);
	}
	pxr_rl_load_journey(L, pxr_rl_get(root, "journey", J_OBJ));
	pxr_rl_load_input(L, pxr_rl_get(root, "input", J_OBJ));
	if ((v = pxr_rl_get(root, "limits", J_OBJ)) != NULL &&
	    pxr_rl_check_obj(L, v, "limits", limits_defs) == 0) {
		if ((x = pxr_rl_get(v, "per_customer", J_OBJ)) != NULL &&
		    pxr_rl_check_obj(L, x, "limits.per_customer", percust_defs) == 0 &&
		    (y = pxr_rl_get(x, "max_minor", J_INT)) != NULL &&
		    pxr_rl_duration(L, "limits.per_customer.period",
		    pxr_rl_get(x, "period", J_DUR), &R->cap_period) == 0) {
			R->has_cap = 1;
			R->cap_minor = json_integer_value(y);
		}
		if ((x = pxr_rl_get(v, "batch_budget_minor", J_INT)) != NULL) {
			R->has_budget = 1;
			R->budget_minor = json_integer_value(x);
		}
		if (pxr_rl_duration(L, "limits.no_survey_after", pxr_rl_get(v,
		    "no_survey_after", J_DUR), &R->no_survey_after) == 0)
			R->has_no_survey = 1;
		if ((x = pxr_rl_get(v, "approve_above_minor", J_INT)) != NULL) {
			R->has_approve = 1;
			R->approve_minor = json_integer_value(x);
		}
		if ((x = pxr_rl_get(v, "approve_night_above_minor",
		    J_INT)) != NULL) {
			R->has_approve_night = 1;
			R->approve_night_minor = json_integer_value(x);
		}
	}
	pxr_rl_load_notify(L, pxr_rl_get(root, "notify", J_OBJ));
	pxr_rl_load_fan(L, pxr_rl_get(root, "fan", J_OBJ));

	if ((v = pxr_rl_get(root, "rules", J_ARR)) == NULL)
		return;
	R->nrules = json_array_size(v);
	R->rules = pxr_calloc(R->nrules + 1, sizeof(*R->rules));
	json_array_foreach(v, i, x)
		pxr_rl_load_rule(L, &R->rules[i], x, i);
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
		check_inhibits(L, r);
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
	json_t *root;
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
	root = json_loadb(text.p != NULL ? text.p : "", text.len,
	    JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
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
	load_top(&L, root);
	json_decref(root);	/* the model is all that is kept */
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

void
pxr_rules_free(struct pxr_rules *R)
{
	size_t i;

	if (R == NULL)
		return;
	for (i = 0; i < R->nrules; i++)
		pxr_rl_free_rule(&R->rules[i]);
	free(R->rules);
	pxr_rl_free_journey(R);
	for (i = 0; i < R->ncolumns; i++)
		pxr_coltype_fini(&R->columns[i]);
	free(R->columns);
	free(R->currency);
	free(R->locale);
	free(R->country);
	free(R->path);
	free(R->dir);
	pxr_jpos_free(R->pos);
	pxr_rl_free_sections(R);
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
		for (j = 0; j < r->nsubject; j++)
			bindx(r->subject[j], s);
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
