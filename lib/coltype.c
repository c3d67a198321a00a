/* coltype.c: typed input columns: numbers, money and times of exports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coltype.h"
#include "mem.h"

static const char *const ctype_names[] = { "any", "string", "int",
    "number", "time", "duration", "bool", "money" };

const char *const *
pxr_ctype_names(size_t *n)
{
	*n = sizeof(ctype_names) / sizeof(ctype_names[0]);
	return ctype_names;
}

int
pxr_ctype_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(ctype_names) / sizeof(ctype_names[0]); i++)
		if (strcmp(s, ctype_names[i]) == 0)
			return (int)i;
	return -1;
}

int
pxr_coltype_formatted(const struct pxr_coltype *c)
{
	switch (c->type) {
	case PXR_C_MONEY:
		return 1;
	case PXR_C_INT:
	case PXR_C_NUMBER:
		return (c->decimal != 0 && c->decimal != '.') ||
		    c->group[0] != '\0';
	case PXR_C_TIME:
		return c->format != NULL;
	default:
		return 0;
	}
}

/* The length of a group separator of c at s[i], or 0. */
static size_t
group_at(const struct pxr_coltype *c, const char *s, size_t n, size_t i)
{
	size_t g = strlen(c->group);

	if (g == 0)
		return 0;
	if (i + g <= n && memcmp(s + i, c->group, g) == 0)
		return g;
	/* A space group also takes the no-break spaces Excel writes. */
	if (strcmp(c->group, " ") == 0) {
		if (i + 2 <= n && memcmp(s + i, "\xc2\xa0", 2) == 0)
			return 2;
		if (i + 3 <= n && memcmp(s + i, "\xe2\x80\xaf", 3) == 0)
			return 3;
	}
	return 0;
}

/* A number's parts, cut from the text by the column's marks. */
struct parts {
	int	 neg;
	char	 in[24];	/* integer digits, without groups */
	size_t	 nin;
	char	 fr[24];	/* fraction digits */
	size_t	 nfr;
};

/*
 * Cut s into sign, integer digits (groups of three after the first of one
 * to three, when c has a group) and fraction digits: 0, or -1 with why.
 */
static int
cut(const struct pxr_coltype *c, const char *s, size_t n, struct parts *p,
    const char **why)
{
	char dec = c->decimal != 0 ? c->decimal : '.';
	size_t i = 0, run = 0, g;
	int grouped = 0;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		p->neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (p->nin == sizeof(p->in)) {
				*why = "too many digits";
				return -1;
			}
			p->in[p->nin++] = s[i];
			run++;
			continue;
		}
		if ((g = group_at(c, s, n, i)) > 0) {
			if (run == 0 || run > 3 || (grouped && run != 3) ||
			    i + g >= n || s[i + g] < '0' || s[i + g] > '9') {
				*why = "digit groups are of three";
				return -1;
			}
			grouped = 1;
			run = 0;
			i += g - 1;
			continue;
		}
		break;
	}
	if (p->nin == 0)
		return -1;
	if (grouped && run != 3) {
		*why = "digit groups are of three";
		return -1;
	}
	if (i < n && s[i] == dec) {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (p->nfr == sizeof(p->fr)) {
				*why = "too many digits";
				return -1;
			}
			p->fr[p->nfr++] = s[i];
		}
		if (p->nfr == 0)
			return -1;
	}
	return i == n ? 0 : -1;
}

static int
read_number(const struct pxr_coltype *c, const char *s, size_t n,
    struct pxr_typed *out, struct pxr_error *err)
{
	struct parts p;
	const char *why;
	char buf[64], *end;
	int64_t v = 0;
	size_t i;

	if (cut(c, s, n, &p, &why) < 0)
		goto bad;
	if (p.nfr == 0) {
		for (i = 0; i < p.nin; i++)
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, p.in[i] - '0', &v)) {
				why = "out of range";
				goto bad;
			}
		out->isint = 1;
		out->ival = p.neg ? -v : v;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s%.*s.%.*s", p.neg ? "-" : "",
	    (int)p.nin, p.in, (int)p.nfr, p.fr);
	errno = 0;
	out->isint = 0;
	out->dval = strtod(buf, &end);
	if (errno == 0 && *end == '\0')
		return 0;
	why = "out of range";
bad:
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not a number: \"%.*s\"%s%s%s",
	    (int)(n > 64 ? 64 : n), s, why != NULL ? " (" : "",
	    why != NULL ? why : "", why != NULL ? ")" : "");
}

static int
read_money(const struct pxr_coltype *c, const char *s, size_t n,
    struct pxr_typed *out, struct pxr_error *err)
{
	struct parts p;
	const char *why;
	char more[64];
	int64_t v = 0;
	size_t i;

	if (cut(c, s, n, &p, &why) < 0)
		goto bad;
	if (p.nfr > (size_t)c->exponent) {
		snprintf(more, sizeof(more), "%zu decimal%s, %s has %d", p.nfr,
		    p.nfr == 1 ? "" : "s",
		    c->currency, c->exponent);
		why = more;
		goto bad;
	}
	for (i = 0; i < p.nin + (size_t)c->exponent; i++) {
		int d = i < p.nin ? p.in[i] - '0' : i - p.nin < p.nfr ?
		    p.fr[i - p.nin] - '0' : 0;

		/* Negative as we go: INT64_MIN minor units read too. */
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_sub_overflow(v, d, &v)) {
			why = "past 64 bits of minor units";
			goto bad;
		}
	}
	if (!p.neg && v == INT64_MIN) {
		why = "past 64 bits of minor units";
		goto bad;
	}
	out->isint = 1;
	out->ival = p.neg ? v : -v;
	return 0;
bad:
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not an amount in %s: "
	    "\"%.*s\"%s%s%s", c->currency, (int)(n > 64 ? 64 : n), s,
	    why != NULL ? " (" : "", why != NULL ? why : "",
	    why != NULL ? ")" : "");
}

/* The directives of the time format subset, and the most digits each. */
static int
directive_width(char d)
{
	switch (d) {
	case 'Y':
		return 4;
	case 'm': case 'd': case 'H': case 'M': case 'S':
		return 2;
	case 'z': case '%':
		return 0;
	default:
		return -1;
	}
}

int
pxr_timefmt_check(const char *fmt, char *msg, size_t n)
{
	int seen[128] = { 0 };
	const char *p;

	for (p = fmt; *p != '\0'; p++) {
		unsigned char d;

		if (*p != '%')
			continue;
		d = (unsigned char)*++p;
		if (d == '\0') {
			snprintf(msg, n, "a lone '%%' at the end");
			return -1;
		}
		if (d >= 128 || directive_width((char)d) < 0) {
			snprintf(msg, n, "unknown directive '%%%c' (known: %%Y "
			    "%%m %%d %%H %%M %%S %%z %%%%)", d >= 32 && d < 127 ?
			    d : '?');
			return -1;
		}
		if (d != '%' && seen[d]++) {
			snprintf(msg, n, "'%%%c' twice", d);
			return -1;
		}
		if ((d == 'M' && !seen['H']) || (d == 'S' && !seen['M']) ||
		    (d == 'z' && !seen['H'])) {
			snprintf(msg, n, "'%%%c' needs '%%%c' before it", d,
			    d == 'M' || d == 'z' ? 'H' : 'M');
			return -1;
		}
	}
	if (!seen['Y'] || !seen['m'] || !seen['d']) {
		snprintf(msg, n, "a date needs %%Y, %%m and %%d");
		return -1;
	}
	return 0;
}

/* Read 1..max digits (exactly max when exact) at s[*i] into *v. */
static int
num(const char *s, size_t n, size_t *i, int max, int exact, int *v)
{
	int k = 0;

	*v = 0;
	while (k < max && *i < n && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k == 0 || (exact && k != max) ? -1 : 0;
}

/* An offset "Z", "+hh:mm" or "+hhmm" at s[*i] into *off seconds. */
static int
offset(const char *s, size_t n, size_t *i, int32_t *off)
{
	int sign, h, m;

	if (*i < n && s[*i] == 'Z') {
		(*i)++;
		*off = 0;
		return 0;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return -1;
	sign = s[(*i)++] == '-' ? -1 : 1;
	if (num(s, n, i, 2, 1, &h) < 0)
		return -1;
	if (*i < n && s[*i] == ':')
		(*i)++;
	if (num(s, n, i, 2, 1, &m) < 0 || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

static int
read_time(const struct pxr_coltype *c, const char *s, size_t n,
    struct pxr_tz *tz, struct pxr_typed *out, struct pxr_error *err)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, hasz = 0, hash = 0;
	int32_t off = 0;
	const char *p, *why = NULL;
	size_t i = 0;

	for (p = c->format; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '%') {
			p += *p == '%';
			if (i >= n || s[i] != *p)
				goto bad;
			i++;
			continue;
		}
		switch (*++p) {
		case 'Y':
			if (num(s, n, &i, 4, 1, &y) < 0)
				goto bad;
			break;
		case 'm':
			if (num(s, n, &i, 2, 0, &mo) < 0)
				goto bad;
			break;
		case 'd':
			if (num(s, n, &i, 2, 0, &d) < 0)
				goto bad;
			break;
		case 'H':
			hash = 1;
			if (num(s, n, &i, 2, 0, &h) < 0)
				goto bad;
			break;
		case 'M':
			if (num(s, n, &i, 2, 1, &mi) < 0)
				goto bad;
			break;
		case 'S':
			if (num(s, n, &i, 2, 1, &se) < 0)
				goto bad;
			break;
		case 'z':
			hasz = 1;
			if (offset(s, n, &i, &off) < 0) {
				why = "bad offset";
				goto bad;
			}
			break;
		default:
			goto bad;	/* refused by pxr_timefmt_check */
		}
	}
	if (i != n)
		goto bad;
	if (y < 1) {
		why = "years 0001-9999";
		goto bad;
	}
	if (!pxr_date_valid(y, mo, d)) {
		why = "no such date";
		goto bad;
	}
	if (h > 23 || mi > 59 || se > 59) {
		why = "hour 0-23, minute and second 0-59";
		goto bad;
	}
	out->dateonly = !hash;
	if (hasz)
		out->ival = pxr_days_from_civil(y, mo, d) * PXR_US_DAY +
		    (int64_t)h * PXR_US_HOUR + (int64_t)mi * PXR_US_MIN +
		    (int64_t)se * PXR_US_SEC - (int64_t)off * PXR_US_SEC;
	else
		out->ival = pxr_time_from_local(tz, y, mo, d, h, mi, se, 0);
	return 0;
bad:
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not a time in the format "
	    "'%s': \"%.*s\"%s%s%s", c->format, (int)(n > 64 ? 64 : n), s,
	    why != NULL ? " (" : "", why != NULL ? why : "",
	    why != NULL ? ")" : "");
}

int
pxr_coltype_read(const struct pxr_coltype *c, const char *s, size_t n,
    struct pxr_tz *tz, struct pxr_typed *out, struct pxr_error *err)
{
	memset(out, 0, sizeof(*out));
	switch (c->type) {
	case PXR_C_MONEY:
		return read_money(c, s, n, out, err);
	case PXR_C_TIME:
		if (c->format != NULL)
			return read_time(c, s, n, tz, out, err);
		break;
	case PXR_C_NUMBER:
	case PXR_C_INT:
		return read_number(c, s, n, out, err);
	}
	return pxr_error_set(err, PXR_EXIT_DATAERR, "column '%s': no format "
	    "to read", c->name);
}

void
pxr_coltype_copy(struct pxr_coltype *dst, const struct pxr_coltype *src)
{
	*dst = *src;
	dst->name = src->name != NULL ? pxr_strdup(src->name) : NULL;
	dst->format = src->format != NULL ? pxr_strdup(src->format) : NULL;
}

void
pxr_coltype_fini(struct pxr_coltype *c)
{
	if (c == NULL)
		return;
	free((char *)c->name);
	free((char *)c->format);
	c->name = c->format = NULL;
}
