/* tmpl.c: templates, locale formatting of money and dates, SMS parts. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "money.h"
#include "stream.h"
#include "tmpl.h"

enum { F_NONE, F_MONEY, F_DATE, F_TIME, F_DATETIME, F_UPPER, F_LOWER,
	F_DEFAULT };

struct filter {
	int	 kind;
	char	*arg;		/* default:'text', money:'EUR' */
};

struct piece {
	char	*text;		/* literal, or NULL for a placeholder */
	size_t	 n;
	char	*field;
	size_t	 col;
	long	 line;
	int	 column;	/* of the "{{", in characters */
	struct filter *filters;
	size_t	 nfilters;
};

struct pxr_tmpl {
	struct piece *subj;
	size_t	 nsubj;
	struct piece *body;
	size_t	 nbody;
	const char **names;
	long	*lines;
	int	*columns;
	size_t	 nnames;
};

static int
terr(struct pxr_error *e, const char *path, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
terr(struct pxr_error *e, const char *path, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pxr_error_set(e, PXR_EXIT_CONFIG, "%s", msg);
	return pxr_error_at(e, path, line);
}

static char *
trim(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return pxr_strndup(s, n);
}

/* Parse "field | f1 | f2:'arg'" into p. */
static int
placeholder(struct piece *p, const char *s, size_t n, const char *path,
    long line, struct pxr_error *err)
{
	static const char *names[] = { "", "money", "date", "time",
	    "datetime", "upper", "lower", "default" };
	const char *bar = memchr(s, '|', n);
	size_t k;

	p->field = trim(s, bar != NULL ? (size_t)(bar - s) : n);
	p->line = line;
	if (*p->field == '\0')
		return terr(err, path, line, "empty placeholder {{ }}");
	while (bar != NULL) {
		const char *f = bar + 1, *end = s + n, *colon;
		char *name;
		struct filter *fl;

		bar = memchr(f, '|', (size_t)(end - f));
		if (bar != NULL)
			end = bar;
		colon = memchr(f, ':', (size_t)(end - f));
		name = trim(f, (size_t)((colon != NULL ? colon : end) - f));
		for (k = 1; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(names[k], name) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0])) {
			terr(err, path, line, "unknown filter '%s' (money, "
			    "date, time, datetime, upper, lower, default)",
			    name);
			free(name);
			return -1;
		}
		free(name);
		p->filters = pxr_reallocarray(p->filters, p->nfilters + 1,
		    sizeof(*p->filters));
		fl = &p->filters[p->nfilters++];
		fl->kind = (int)k;
		fl->arg = NULL;
		if (colon != NULL) {
			char *a = trim(colon + 1, (size_t)(end - colon - 1));
			size_t al = strlen(a);

			if (al >= 2 && (a[0] == '\'' || a[0] == '"') &&
			    a[al - 1] == a[0]) {
				memmove(a, a + 1, al - 2);
				a[al - 2] = '\0';
			}
			fl->arg = a;
		} else if (k == F_DEFAULT)
			return terr(err, path, line, "default needs a text: "
			    "default:'...'");
	}
	return 0;
}

/* Step line and column (in characters) over the byte c. */
static void
advance(char c, long *line, int *col)
{
	if (c == '\n') {
		(*line)++;
		*col = 1;
	} else if (((unsigned char)c & 0xc0) != 0x80)
		(*col)++;
}

static int
parse(const char *s, size_t n, long line0, int col0, const char *path,
    struct piece **out, size_t *nout, struct pxr_error *err)
{
	size_t i = 0, start = 0;
	long line = line0;
	int col = col0;

	*out = NULL;
	*nout = 0;
	while (i <= n) {
		if (i == n || (i + 1 < n && s[i] == '{' && s[i + 1] == '{')) {
			struct piece *p;

			if (i > start) {
				*out = pxr_reallocarray(*out, *nout + 1,
				    sizeof(**out));
				p = &(*out)[(*nout)++];
				memset(p, 0, sizeof(*p));
				p->text = pxr_strndup(s + start, i - start);
				p->n = i - start;
			}
			if (i == n)
				break;
			{
				const char *close = NULL;
				size_t j;

				for (j = i + 2; j + 1 < n; j++)
					if (s[j] == '}' && s[j + 1] == '}') {
						close = s + j;
						break;
					}
				if (close == NULL) {
					terr(err, path, line,
					    "'{{' without '}}'");
					err->column = col;	/* its "{{" */
					return -1;
				}
				*out = pxr_reallocarray(*out, *nout + 1,
				    sizeof(**out));
				p = &(*out)[(*nout)++];
				memset(p, 0, sizeof(*p));
				p->col = PXR_NOFIELD;
				p->column = col;
				if (placeholder(p, s + i + 2,
				    (size_t)(close - s - i - 2), path, line,
				    err) < 0) {
					err->column = col;	/* its "{{" */
					return -1;
				}
				for (; i < (size_t)(close - s) + 2; i++)
					advance(s[i], &line, &col);
				start = i;
				continue;
			}
		}
		advance(s[i], &line, &col);
		i++;
	}
	return 0;
}

static void
collect(struct pxr_tmpl *t, struct piece *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i].field == NULL)
			continue;
		for (j = 0; j < t->nnames; j++)
			if (strcmp(t->names[j], p[i].field) == 0)
				break;
		if (j < t->nnames)
			continue;
		t->names = pxr_reallocarray(t->names, t->nnames + 1,
		    sizeof(*t->names));
		t->lines = pxr_reallocarray(t->lines, t->nnames + 1,
		    sizeof(*t->lines));
		t->columns = pxr_reallocarray(t->columns, t->nnames + 1,
		    sizeof(*t->columns));
		t->names[t->nnames] = p[i].field;
		t->columns[t->nnames] = p[i].column;
		t->lines[t->nnames++] = p[i].line;
	}
}

struct pxr_tmpl *
pxr_tmpl_load(const char *path, int email, struct pxr_error *err)
{
	struct pxr_buf text = { 0 };
	struct pxr_tmpl *t;
	char chunk[8192];
	const char *body;
	size_t n, blen;
	long bline = 1;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		pxr_error_set(err, PXR_EXIT_NOINPUT, "%s", strerror(errno));
		pxr_error_at(err, path, 0);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		pxr_buf_add(&text, chunk, n);
		if (text.len > PXR_TMPL_MAX_OUTPUT) {
			fclose(fp);
			pxr_buf_free(&text);
			terr(err, path, 0, "template larger than %d bytes",
			    PXR_TMPL_MAX_OUTPUT);
			return NULL;
		}
	}
	fclose(fp);
	if (text.p == NULL)
		pxr_buf_adds(&text, "");
	if (!pxr_utf8_valid(text.p, text.len)) {
		pxr_buf_free(&text);
		terr(err, path, 0, "not UTF-8");
		return NULL;
	}
	t = pxr_calloc(1, sizeof(*t));
	body = text.p;
	blen = text.len;
	if (email) {
		const char *nl = strchr(text.p, '\n');

		if (strncmp(text.p, "Subject:", 8) != 0 || nl == NULL ||
		    nl[1] != '\n') {
			terr(err, path, 1, "an e-mail template starts with a "
			    "'Subject: ...' line and a blank line");
			goto fail;
		}
		if (parse(text.p + 8, (size_t)(nl - text.p - 8), 1, 9, path,
		    &t->subj, &t->nsubj, err) < 0)
			goto fail;
		/* Drop the space after "Subject:". */
		if (t->nsubj > 0 && t->subj[0].text != NULL &&
		    t->subj[0].text[0] == ' ') {
			memmove(t->subj[0].text, t->subj[0].text + 1,
			    t->subj[0].n);
			t->subj[0].n--;
		}
		body = nl + 2;
		blen = text.len - (size_t)(body - text.p);
		bline = 3;
	}
	if (parse(body, blen, bline, 1, path, &t->body, &t->nbody, err) < 0)
		goto fail;
	collect(t, t->subj, t->nsubj);
	collect(t, t->body, t->nbody);
	pxr_buf_free(&text);
	return t;
fail:
	pxr_buf_free(&text);
	pxr_tmpl_free(t);
	return NULL;
}

static void
free_pieces(struct piece *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(p[i].text);
		free(p[i].field);
		for (j = 0; j < p[i].nfilters; j++)
			free(p[i].filters[j].arg);
		free(p[i].filters);
	}
	free(p);
}

void
pxr_tmpl_free(struct pxr_tmpl *t)
{
	if (t == NULL)
		return;
	free_pieces(t->subj, t->nsubj);
	free_pieces(t->body, t->nbody);
	free(t->names);
	free(t->lines);
	free(t->columns);
	free(t);
}

void
pxr_tmpl_bind(struct pxr_tmpl *t, struct pxr_schema *sch)
{
	size_t i;

	for (i = 0; i < t->nsubj; i++)
		if (t->subj[i].field != NULL)
			t->subj[i].col = pxr_schema_ref(sch, t->subj[i].field,
			    strlen(t->subj[i].field));
	for (i = 0; i < t->nbody; i++)
		if (t->body[i].field != NULL)
			t->body[i].col = pxr_schema_ref(sch, t->body[i].field,
			    strlen(t->body[i].field));
}

size_t
pxr_tmpl_fields(const struct pxr_tmpl *t, const char ***names, long **lines,
    int **columns)
{
	*names = t->names;
	if (lines != NULL)
		*lines = t->lines;
	if (columns != NULL)
		*columns = t->columns;
	return t->nnames;
}

/* ---- locales ---- */

void
pxr_locale_base(const char *locale, char *out, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && locale[i] != '\0' && locale[i] != '-' &&
	    locale[i] != '_' && locale[i] != '.'; i++)
		out[i] = (char)(locale[i] >= 'A' && locale[i] <= 'Z' ?
		    locale[i] - 'A' + 'a' : locale[i]);
	out[i] = '\0';
}

struct lc {
	const char *lang;
	const char *dec, *group;
	const char *months[12];
	const char *datefmt;	/* %d day, %m month name, %y year */
	char	 timesep;
};

static const struct lc locales[] = {
	{ "sv", ",", "\xc2\xa0", { "januari", "februari", "mars", "april",
	    "maj", "juni", "juli", "augusti", "september", "oktober",
	    "november", "december" }, "%d %m %y", ':' },
	{ "da", ",", ".", { "januar", "februar", "marts", "april", "maj",
	    "juni", "juli", "august", "september", "oktober", "november",
	    "december" }, "%d. %m %y", '.' },
	{ "nb", ",", "\xc2\xa0", { "januar", "februar", "mars", "april",
	    "mai", "juni", "juli", "august", "september", "oktober",
	    "november", "desember" }, "%d. %m %y", ':' },
	{ "pl", ",", "\xc2\xa0", { "stycznia", "lutego", "marca", "kwietnia",
	    "maja", "czerwca", "lipca", "sierpnia", "wrze\xc5\x9bnia",
	    "pa\xc5\xba" "dziernika", "listopada", "grudnia" }, "%d %m %y",
	    ':' },
	{ "en", ".", ",", { "January", "February", "March", "April", "May",
	    "June", "July", "August", "September", "October", "November",
	    "December" }, "%d %m %y", ':' }
};

static const struct lc *
lc_of(const char *locale)
{
	char base[16];
	size_t i;

	pxr_locale_base(locale != NULL ? locale : "en", base, sizeof(base));
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]); i++)
		if (strcmp(locales[i].lang, base) == 0)
			return &locales[i];
	return &locales[4];
}

static void
number(struct pxr_buf *b, uint64_t whole, const struct lc *l, int sms)
{
	/* U+00A0 is outside GSM-7: an SMS groups with a plain space. */
	const char *group = sms && strcmp(l->group, "\xc2\xa0") == 0 ? " " :
	    l->group;
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu",
	    (unsigned long long)whole), i;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			pxr_buf_adds(b, group);
		pxr_buf_addc(b, digits[i]);
	}
}

static int money_fmt(struct pxr_buf *, int64_t, const char *, const char *,
    int);

int
pxr_money_format(struct pxr_buf *b, int64_t minor, const char *cur,
    const char *locale)
{
	return money_fmt(b, minor, cur, locale, 0);
}

int
pxr_money_format_sms(struct pxr_buf *b, int64_t minor, const char *cur,
    const char *locale)
{
	return money_fmt(b, minor, cur, locale, 1);
}

static int
money_fmt(struct pxr_buf *b, int64_t minor, const char *cur,
    const char *locale, int sms)
{
	const struct lc *l = lc_of(locale);
	int exp = pxr_currency_exponent(cur), i;
	uint64_t v, scale = 1, whole, frac;
	struct pxr_buf num = { 0 };
	const char *sym = NULL;
	int before = 0, space = 1;

	if (exp < 0)
		return -1;
	for (i = 0; i < exp; i++)
		scale *= 10;
	v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	whole = v / scale;
	frac = v % scale;
	if (minor < 0)
		pxr_buf_addc(&num, '-');
	number(&num, whole, l, sms);
	if (frac != 0)
		pxr_buf_printf(&num, "%s%0*llu", l->dec, exp,
		    (unsigned long long)frac);
	/* The symbol and where it stands, by locale and currency. */
	if (strcmp(l->lang, "sv") == 0 && strcmp(cur, "SEK") == 0)
		sym = "kr";
	else if (strcmp(l->lang, "da") == 0 && strcmp(cur, "DKK") == 0)
		sym = "kr.";
	else if (strcmp(l->lang, "nb") == 0 && strcmp(cur, "NOK") == 0) {
		sym = "kr";
		before = 1;
	} else if (strcmp(l->lang, "pl") == 0 && strcmp(cur, "PLN") == 0)
		sym = "z\xc5\x82";
	else if (strcmp(l->lang, "en") == 0) {
		before = 1;
		if (strcmp(cur, "EUR") == 0)
			sym = "\xe2\x82\xac";
		else if (strcmp(cur, "GBP") == 0)
			sym = "\xc2\xa3";
		else if (strcmp(cur, "USD") == 0)
			sym = "$";
		if (sym != NULL)
			space = 0;
	} else if (strcmp(cur, "EUR") == 0)
		sym = "\xe2\x82\xac";
	if (sym == NULL)
		sym = cur;
	if (before) {
		pxr_buf_adds(b, sym);
		if (space)
			pxr_buf_addc(b, ' ');
		pxr_buf_add(b, num.p, num.len);
	} else {
		pxr_buf_add(b, num.p, num.len);
		pxr_buf_addc(b, ' ');
		pxr_buf_adds(b, sym);
	}
	pxr_buf_free(&num);
	return 0;
}

void
pxr_locale_time(struct pxr_buf *b, int64_t t, struct pxr_tz *tz,
    const char *locale, int what)
{
	const struct lc *l = lc_of(locale);
	struct pxr_civil c;
	const char *f;

	pxr_time_civil(t, tz, &c);
	if (what == 'd' || what == 'b') {
		for (f = l->datefmt; *f != '\0'; f++) {
			if (*f != '%') {
				pxr_buf_addc(b, *f);
				continue;
			}
			f++;
			if (*f == 'd')
				pxr_buf_printf(b, "%d", c.day);
			else if (*f == 'm')
				pxr_buf_adds(b, l->months[c.month - 1]);
			else if (*f == 'y')
				pxr_buf_printf(b, "%d", c.year);
		}
	}
	if (what == 'b')
		pxr_buf_adds(b, strcmp(l->lang, "da") == 0 ? " kl. " :
		    strcmp(l->lang, "nb") == 0 ? " kl. " :
		    strcmp(l->lang, "sv") == 0 ? " kl. " :
		    strcmp(l->lang, "pl") == 0 ? ", godz. " : " at ");
	if (what == 't' || what == 'b')
		pxr_buf_printf(b, "%02d%c%02d", c.hour, l->timesep, c.min);
}

/* ---- rendering ---- */

/*
 * The text of a field declared with a format in input.columns, for a
 * money, date, time or datetime filter: replaced in v by what the filters
 * read (minor units; ISO-8601 UTC), *cur set to a money column's
 * currency.  0 (also for a field not declared), or -1 with err.
 */
static int
declared(const struct pxr_render *r, const char *field, struct pxr_buf *v,
    const char **cur, struct pxr_error *err)
{
	const struct pxr_coltype *c = NULL;
	struct pxr_typed t;
	struct pxr_error e;
	size_t i;

	for (i = 0; i < r->ntypes && c == NULL; i++)
		if (strcmp(r->types[i].name, field) == 0 &&
		    pxr_coltype_formatted(&r->types[i]))
			c = &r->types[i];
	if (c == NULL || (c->type != PXR_C_MONEY && c->type != PXR_C_TIME))
		return 0;
	if (pxr_coltype_read(c, v->p, v->len, r->readtz != NULL ? r->readtz :
	    r->tz, &t, &e) < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "{{%s}}: %s",
		    field, e.text);
	pxr_buf_reset(v);
	if (c->type == PXR_C_MONEY) {
		*cur = c->currency;
		pxr_buf_printf(v, "%" PRId64, t.ival);
	} else
		pxr_time_format(v, t.ival);
	return 0;
}

static int
render_pieces(const struct piece *p, size_t n, const struct pxr_render *r,
    struct pxr_buf *out, int oneline, struct pxr_error *err)
{
	size_t i, j;
	struct pxr_buf v = { 0 };

	for (i = 0; i < n; i++) {
		const struct pxr_val *fv;
		const char *dcur;
		int isnull, raw;

		if (p[i].field == NULL) {
			pxr_buf_add(out, p[i].text, p[i].n);
			continue;
		}
		fv = pxr_rec_get(r->rec, p[i].col);
		isnull = PXR_ISNULL(fv) || (fv->t == PXR_STR && fv->n == 0);
		raw = !isnull;
		dcur = NULL;
		pxr_buf_reset(&v);
		if (!isnull)
			pxr_buf_add(&v, fv->s, fv->n);
		for (j = 0; j < p[i].nfilters; j++) {
			const struct filter *f = &p[i].filters[j];
			struct pxr_buf t = { 0 };
			int64_t x;
			struct pxr_error e;

			/* The field's own text, before any filter changed it. */
			if (raw && f->kind != F_DEFAULT) {
				if (f->kind != F_UPPER && f->kind != F_LOWER &&
				    declared(r, p[i].field, &v, &dcur,
				    err) < 0) {
					pxr_buf_free(&v);
					return -1;
				}
				raw = 0;
			}

			if (f->kind == F_DEFAULT) {
				if (isnull) {
					pxr_buf_reset(&v);
					pxr_buf_adds(&v, f->arg);
					isnull = 0;
				}
				continue;
			}
			if (isnull)
				continue;
			switch (f->kind) {
			case F_MONEY: {
				const char *cur = f->arg != NULL ? f->arg :
				    dcur;
				char cbuf[8];

				if (cur == NULL && r->f_currency != PXR_NOFIELD &&
				    !PXR_ISNULL(pxr_rec_get(r->rec,
				    r->f_currency))) {
					const struct pxr_val *cv = pxr_rec_get(
					    r->rec, r->f_currency);

					snprintf(cbuf, sizeof(cbuf), "%.*s",
					    (int)(cv->n > 7 ? 7 : cv->n), cv->s);
					cur = cbuf;
				}
				if (cur == NULL)
					cur = r->currency;
				if (pxr_money_parse_minor(v.p, v.len, &x,
				    &e) < 0) {
					pxr_buf_free(&v);
					return pxr_error_set(err,
					    PXR_EXIT_DATAERR, "{{%s | money}}: "
					    "%s", p[i].field, e.text);
				}
				if (cur == NULL || money_fmt(&t, x, cur,
				    r->locale, r->sms) < 0) {
					pxr_buf_free(&v);
					return pxr_error_set(err,
					    PXR_EXIT_DATAERR, "{{%s | money}}: "
					    "no known currency", p[i].field);
				}
				break;
			}
			case F_DATE:
			case F_TIME:
			case F_DATETIME:
				if (pxr_time_parse(v.p, v.len, r->readtz !=
				    NULL ? r->readtz : r->tz, &x, NULL,
				    &e) < 0) {
					pxr_buf_free(&v);
					return pxr_error_set(err,
					    PXR_EXIT_DATAERR, "{{%s | date}}: "
					    "%s", p[i].field, e.text);
				}
				pxr_locale_time(&t, x, r->tz, r->locale,
				    f->kind == F_DATE ? 'd' : f->kind ==
				    F_TIME ? 't' : 'b');
				break;
			case F_UPPER:
			case F_LOWER:
				pxr_buf_add(&t, v.p, v.len);
				for (size_t k = 0; k < t.len; k++) {
					char ch = t.p[k];

					if (f->kind == F_UPPER && ch >= 'a' &&
					    ch <= 'z')
						t.p[k] = (char)(ch - 32);
					else if (f->kind == F_LOWER &&
					    ch >= 'A' && ch <= 'Z')
						t.p[k] = (char)(ch + 32);
				}
				break;
			}
			pxr_buf_reset(&v);
			pxr_buf_add(&v, t.p != NULL ? t.p : "", t.len);
			pxr_buf_free(&t);
		}
		if (oneline) {
			/* A value can never break a header line. */
			for (j = 0; j < v.len; j++)
				if (v.p[j] == '\r' || v.p[j] == '\n')
					v.p[j] = ' ';
		}
		if (v.len > 0)
			pxr_buf_add(out, v.p, v.len);
		if (out->len > PXR_TMPL_MAX_OUTPUT) {
			pxr_buf_free(&v);
			return pxr_error_set(err, PXR_EXIT_DATAERR, "message "
			    "longer than %d bytes", PXR_TMPL_MAX_OUTPUT);
		}
	}
	pxr_buf_free(&v);
	return 0;
}

/* The first placeholder of p[n] without a value or a default, or NULL. */
static const char *
missing(const struct piece *p, size_t n, const struct pxr_rec *rec)
{
	const struct pxr_val *fv;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i].field == NULL)
			continue;
		fv = pxr_rec_get(rec, p[i].col);
		if (!PXR_ISNULL(fv) && !(fv->t == PXR_STR && fv->n == 0))
			continue;
		for (j = 0; j < p[i].nfilters; j++)
			if (p[i].filters[j].kind == F_DEFAULT)
				break;
		if (j == p[i].nfilters)
			return p[i].field;
	}
	return NULL;
}

const char *
pxr_tmpl_missing(const struct pxr_tmpl *t, const struct pxr_rec *rec)
{
	const char *f = missing(t->subj, t->nsubj, rec);

	return f != NULL ? f : missing(t->body, t->nbody, rec);
}

int
pxr_tmpl_render(const struct pxr_tmpl *t, const struct pxr_render *r,
    struct pxr_buf *subject, struct pxr_buf *body, struct pxr_error *err)
{
	if (subject != NULL && render_pieces(t->subj, t->nsubj, r, subject, 1,
	    err) < 0)
		return -1;
	return render_pieces(t->body, t->nbody, r, body, 0, err);
}

/* ---- SMS ---- */

/* GSM 03.38: 1 for the basic set, 2 for the extension table, 0 neither. */
static int
gsm_cost(unsigned c)
{
	static const char basic[] =
	    "@$\n\r _!\"#%&'()*+,-./0123456789:;<=>?"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const unsigned basic_u[] = {
		0xa3, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0xd8, 0xf8,
		0xc5, 0xe5, 0x394, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8,
		0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf, 0xc9, 0xa4, 0xa1, 0xc4,
		0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0
	};
	size_t i;

	if (c < 0x80)
		return c != 0 && strchr(basic, (int)c) != NULL ? 1 :
		    strchr("^{}\\[~]|\f", (int)c) != NULL && c != 0 ? 2 : 0;
	if (c == 0x20ac)
		return 2;	/* the euro sign is in the extension table */
	for (i = 0; i < sizeof(basic_u) / sizeof(basic_u[0]); i++)
		if (basic_u[i] == c)
			return 1;
	return 0;
}

int
pxr_sms_segments(const char *s, size_t n, int *ucs2)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	size_t gsm = 0, units = 0;
	int isgsm = 1;

	while (p < e) {
		unsigned c = *p;
		int k = 1, cost;

		if (c >= 0xf0) {
			k = 4;
			c &= 0x07;
		} else if (c >= 0xe0) {
			k = 3;
			c &= 0x0f;
		} else if (c >= 0xc0) {
			k = 2;
			c &= 0x1f;
		}
		for (int i = 1; i < k && p + i < e; i++)
			c = (c << 6) | (p[i] & 0x3f);
		p += k;
		units += c >= 0x10000 ? 2 : 1;
		cost = gsm_cost(c);
		if (cost == 0)
			isgsm = 0;
		gsm += (size_t)cost;
	}
	*ucs2 = !isgsm;
	if (isgsm)
		return gsm <= 160 ? 1 : (int)((gsm + 152) / 153);
	return units <= 70 ? 1 : (int)((units + 66) / 67);
}

/* ---- finding a customer's template ---- */

size_t
pxr_tmpl_chain(const char *locale, const char *deflocale,
    char out[PXR_TMPL_CHAIN][32])
{
	char cand[PXR_TMPL_CHAIN][32];
	size_t i, k, n = 0, m = 0;

	if (locale != NULL && *locale != '\0') {
		snprintf(cand[n++], sizeof(cand[0]), "%s", locale);
		pxr_locale_base(locale, cand[n++], sizeof(cand[0]));
	}
	if (deflocale != NULL && *deflocale != '\0') {
		snprintf(cand[n++], sizeof(cand[0]), "%s", deflocale);
		pxr_locale_base(deflocale, cand[n++], sizeof(cand[0]));
	}
	snprintf(cand[n++], sizeof(cand[0]), "en");
	for (i = 0; i < n; i++) {
		for (k = 0; k < m; k++)
			if (strcmp(out[k], cand[i]) == 0)
				break;
		if (k == m && cand[i][0] != '\0')
			memcpy(out[m++], cand[i], sizeof(cand[0]));
	}
	return m;
}

static void
tmpl_path(struct pxr_buf *b, const char *dir, const char *name,
    const char *locale, const char *channel)
{
	pxr_buf_reset(b);
	pxr_buf_adds(b, dir != NULL ? dir : ".");
	pxr_buf_addc(b, '/');
	pxr_buf_adds(b, name);
	pxr_buf_addc(b, '.');
	pxr_buf_adds(b, locale);
	pxr_buf_addc(b, '.');
	pxr_buf_adds(b, channel);
}

int
pxr_tmpl_resolve(const char *dir, const char *name, const char *locale,
    const char *deflocale, const char *channel, struct pxr_buf *path,
    char *used)
{
	char chain[PXR_TMPL_CHAIN][32];
	size_t i, n = pxr_tmpl_chain(locale, deflocale, chain);

	for (i = 0; i < n; i++) {
		struct stat st;

		tmpl_path(path, dir, name, chain[i], channel);
		if (stat(path->p, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(path->p, R_OK) == 0) {
			memcpy(used, chain[i], sizeof(chain[0]));
			return 0;
		}
	}
	return -1;
}

/* What a request (name, locale, channel) resolved to. */
struct tsel {
	const struct pxr_tmpl *t;
	char	 used[32];
};

void
pxr_tmpls_init(struct pxr_tmpls *ts, const char *dir, const char *deflocale,
    struct pxr_schema *sch)
{
	memset(ts, 0, sizeof(*ts));
	ts->dir = pxr_strdup(dir != NULL ? dir : ".");
	ts->deflocale = deflocale != NULL ? pxr_strdup(deflocale) : NULL;
	ts->sch = sch;
}

static void
tmpl_free_v(void *t)
{
	pxr_tmpl_free(t);
}

void
pxr_tmpls_fini(struct pxr_tmpls *ts)
{
	pxr_hmap_fini(&ts->byreq, free);
	pxr_hmap_fini(&ts->bypath, tmpl_free_v);
	pxr_buf_free(&ts->key);
	pxr_buf_free(&ts->path);
	free(ts->dir);
	free(ts->deflocale);
}

const struct pxr_tmpl *
pxr_tmpls_get(struct pxr_tmpls *ts, const char *name, const char *locale,
    const char *channel, const char **used, struct pxr_error *err)
{
	struct tsel **sel;
	void **slot;
	int added;

	if (locale == NULL)
		locale = "";
	pxr_buf_reset(&ts->key);
	pxr_buf_adds(&ts->key, name);
	pxr_buf_addc(&ts->key, '\0');
	pxr_buf_adds(&ts->key, locale);
	pxr_buf_addc(&ts->key, '\0');
	pxr_buf_adds(&ts->key, channel);
	sel = (struct tsel **)pxr_hmap_put(&ts->byreq, ts->key.p, ts->key.len,
	    &added);
	if (added) {
		struct tsel *s = pxr_calloc(1, sizeof(*s));
		struct pxr_tmpl *t;

		*sel = s;
		if (pxr_tmpl_resolve(ts->dir, name, locale, ts->deflocale,
		    channel, &ts->path, s->used) == 0) {
			slot = pxr_hmap_put(&ts->bypath, ts->path.p,
			    ts->path.len, &added);
			if (added) {
				t = pxr_tmpl_load(ts->path.p,
				    strcmp(channel, "email") == 0, err);
				if (t == NULL) {
					/* Broken: the rule file's fault. */
					err->exit = PXR_EXIT_CONFIG;
					return NULL;
				}
				pxr_tmpl_bind(t, ts->sch);
				*slot = t;
			}
			s->t = *slot;
		}
	}
	if ((*sel)->t == NULL) {
		char chain[PXR_TMPL_CHAIN][32];
		size_t i, n = pxr_tmpl_chain(locale, ts->deflocale, chain);

		pxr_buf_reset(&ts->path);
		for (i = 0; i < n; i++) {
			pxr_buf_adds(&ts->path, i > 0 ? "," : "");
			pxr_buf_adds(&ts->path, chain[i]);
		}
		pxr_error_set(err, PXR_EXIT_DATAERR, "no template %s/%s.{%s}.%s",
		    ts->dir, name, ts->path.p, channel);
		return NULL;
	}
	*used = (*sel)->used;
	return (*sel)->t;
}
