/* time.c: ISO-8601 parsing, civil time, zones through the system's tzdata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "time.h"

/*
 * Offsets are cached per zone in 15-minute buckets of UTC.  A bucket is
 * cached only when its first and last second have the same offset; a
 * bucket with a transition inside it (St_Johns, Casey, Gaza change off
 * the quarter hour) is asked of the C library at the exact second.
 */
#define BUCKET (15 * 60)
#define NCACHE 4096
#define MIXED INT32_MIN

struct pxr_tz {
	struct pxr_tz *next;
	char	*name;
	char	*tzenv;		/* the TZ value that selects it */
	int	 utc;
	int64_t	 ckey[NCACHE];
	int32_t	 coff[NCACHE];
};

static struct pxr_tz *zones;
static const struct pxr_tz *current;	/* the zone TZ is set to */

static int
known_zone(const char *name)
{
	char path[512];
	struct stat st;
	const char *p;

	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL ||
	    strlen(name) > 200)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!(*p == '/' || *p == '_' || *p == '-' || *p == '+' ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return 1;
}

static struct pxr_tz *
intern(const char *name, int utc)
{
	struct pxr_tz *z;
	size_t i;

	for (z = zones; z != NULL; z = z->next)
		if (strcmp(z->name, name) == 0)
			return z;
	z = pxr_calloc(1, sizeof(*z));
	z->name = pxr_strdup(name);
	z->utc = utc;
	z->tzenv = pxr_malloc(strlen(name) + 2);
	snprintf(z->tzenv, strlen(name) + 2, ":%s", name);
	for (i = 0; i < NCACHE; i++)
		z->ckey[i] = INT64_MIN;
	z->next = zones;
	zones = z;
	return z;
}

struct pxr_tz *
pxr_tz_utc(void)
{
	return intern("UTC", 1);
}

struct pxr_tz *
pxr_tz_get(const char *name)
{
	struct pxr_tz *z;

	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "Z") == 0)
		return pxr_tz_utc();
	/* A zone once found is not looked for on disk again. */
	for (z = zones; z != NULL; z = z->next)
		if (strcmp(z->name, name) == 0)
			return z;
	if (!known_zone(name))
		return NULL;
	return intern(name, 0);
}

struct pxr_tz *
pxr_tz_env(void)
{
	const char *tz = getenv("TZ");
	struct pxr_tz *z;

	if (tz == NULL || *tz == '\0')
		return pxr_tz_utc();
	if (*tz == ':')
		tz++;
	z = pxr_tz_get(tz);
	return z != NULL ? z : pxr_tz_utc();
}

const char *
pxr_tz_name(const struct pxr_tz *z)
{
	return z->name;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* The C library's offset of z at the second sec. */
static int32_t
sys_offset(struct pxr_tz *z, int64_t sec)
{
	struct tm tm;
	time_t tt = (time_t)sec;

	if (current != z) {
		setenv("TZ", z->tzenv, 1);
		tzset();
		current = z;
	}
	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

int32_t
pxr_tz_offset(struct pxr_tz *z, int64_t t)
{
	int64_t sec = floordiv(t, PXR_US_SEC), key = floordiv(sec, BUCKET);
	size_t slot = (size_t)((uint64_t)key % NCACHE);
	int32_t first, last;

	if (z->utc)
		return 0;
	if (z->ckey[slot] == key && z->coff[slot] != MIXED)
		return z->coff[slot];
	if (z->ckey[slot] != key) {
		first = sys_offset(z, key * BUCKET);
		last = sys_offset(z, key * BUCKET + BUCKET - 1);
		z->ckey[slot] = key;
		z->coff[slot] = first == last ? first : MIXED;
		if (first == last)
			return first;
	}
	return sys_offset(z, sec);
}

int64_t
pxr_days_from_civil(int64_t y, int m, int d)
{
	/* H. Hinnant's days_from_civil. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
pxr_date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap, max;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

void
pxr_time_civil(int64_t t, struct pxr_tz *z, struct pxr_civil *c)
{
	int64_t local, days, rem;

	c->off = z == NULL ? 0 : pxr_tz_offset(z, t);
	local = t + (int64_t)c->off * PXR_US_SEC;
	days = floordiv(local, PXR_US_DAY);
	rem = local - days * PXR_US_DAY;
	civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (int)(rem / PXR_US_HOUR);
	c->min = (int)(rem / PXR_US_MIN % 60);
	c->sec = (int)(rem / PXR_US_SEC % 60);
	c->usec = (int)(rem % PXR_US_SEC);
	c->wday = (int)((days % 7 + 7 + 3) % 7) + 1;	/* 1970-01-01: Thu */
}

int64_t
pxr_time_from_local(struct pxr_tz *z, int y, int mo, int d, int h, int mi,
    int s, int us)
{
	int64_t wall, o1, o2, t1, t2;

	wall = pxr_days_from_civil(y, mo, d) * PXR_US_DAY +
	    (int64_t)h * PXR_US_HOUR + (int64_t)mi * PXR_US_MIN +
	    (int64_t)s * PXR_US_SEC + us;
	if (z == NULL || z->utc)
		return wall;
	/*
	 * Offsets a day either side cover every transition there is; try
	 * the earlier offset first so that an overlap picks the earlier
	 * instant.
	 */
	o1 = pxr_tz_offset(z, wall - PXR_US_DAY);
	o2 = pxr_tz_offset(z, wall + PXR_US_DAY);
	if (o1 < o2) {
		int64_t k = o1;

		o1 = o2;
		o2 = k;
	}
	/* o1 is the larger offset (the earlier instant). */
	t1 = wall - o1 * PXR_US_SEC;
	if (pxr_tz_offset(z, t1) == o1)
		return t1;
	t2 = wall - o2 * PXR_US_SEC;
	if (pxr_tz_offset(z, t2) == o2)
		return t2;
	/* A gap: read with the offset before it. */
	return wall - pxr_tz_offset(z, wall - PXR_US_DAY) * PXR_US_SEC;
}

int64_t
pxr_time_add_days(struct pxr_tz *z, int64_t t, int64_t days)
{
	struct pxr_civil c;
	int y, m, d;

	pxr_time_civil(t, z, &c);
	civil_from_days(pxr_days_from_civil(c.year, c.month, c.day) + days,
	    &y, &m, &d);
	return pxr_time_from_local(z, y, m, d, c.hour, c.min, c.sec, c.usec);
}

static int
digits(const char *s, size_t n, size_t at, int count, int *out)
{
	int v = 0, i;

	if (at + (size_t)count > n)
		return -1;
	for (i = 0; i < count; i++) {
		char c = s[at + (size_t)i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

static int
bad_time(struct pxr_error *err, const char *s, size_t n, const char *why)
{
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not a time: \"%.*s\"%s%s%s",
	    (int)(n > 64 ? 64 : n), s, why != NULL ? " (" : "",
	    why != NULL ? why : "", why != NULL ? ")" : "");
}

/*
 * 0 if t lies in years 0001-9999 UTC, the years an ISO-8601 time of four
 * digits can be written in; else -1 with err's text.
 */
static int
in_range(const char *s, size_t n, int64_t t, struct pxr_error *err)
{
	if (t < pxr_days_from_civil(1, 1, 1) * PXR_US_DAY ||
	    t >= pxr_days_from_civil(10000, 1, 1) * PXR_US_DAY)
		return bad_time(err, s, n, "years 0001-9999 in UTC");
	return 0;
}

int
pxr_time_parse(const char *s, size_t n, struct pxr_tz *z, int64_t *out,
    int *dateonly, struct pxr_error *err)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, us = 0, oh, om, sign;
	size_t i = 10;
	int64_t t;

	if (dateonly != NULL)
		*dateonly = 0;
	if (n < 10 || digits(s, n, 0, 4, &y) < 0 || s[4] != '-' ||
	    digits(s, n, 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s, n, 8, 2, &d) < 0)
		return bad_time(err, s, n, NULL);
	if (y < 1)
		return bad_time(err, s, n, "years 0001-9999");
	if (!pxr_date_valid(y, mo, d))
		return bad_time(err, s, n, "no such date");
	if (i == n) {
		if (dateonly != NULL)
			*dateonly = 1;
		*out = pxr_time_from_local(z, y, mo, d, 0, 0, 0, 0);
		return in_range(s, n, *out, err);
	}
	if (s[i] != 'T' && s[i] != ' ' && s[i] != 't')
		return bad_time(err, s, n, NULL);
	i++;
	if (digits(s, n, i, 2, &h) < 0 || i + 2 >= n || s[i + 2] != ':' ||
	    digits(s, n, i + 3, 2, &mi) < 0)
		return bad_time(err, s, n, NULL);
	i += 5;
	if (i < n && s[i] == ':') {
		if (digits(s, n, i + 1, 2, &sec) < 0)
			return bad_time(err, s, n, NULL);
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			int k = 0;

			i++;
			if (i >= n || s[i] < '0' || s[i] > '9')
				return bad_time(err, s, n, NULL);
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (k < 6) {
					us = us * 10 + (s[i] - '0');
					k++;
				}
				i++;
			}
			while (k++ < 6)
				us *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return bad_time(err, s, n, "hour 0-23, minute and second "
		    "0-59");
	if (i == n) {
		*out = pxr_time_from_local(z, y, mo, d, h, mi, sec, us);
		return in_range(s, n, *out, err);
	}
	if (s[i] == 'Z' || s[i] == 'z') {
		if (i + 1 != n)
			return bad_time(err, s, n, NULL);
		*out = pxr_time_from_local(NULL, y, mo, d, h, mi, sec, us);
		return 0;
	}
	if (s[i] != '+' && s[i] != '-')
		return bad_time(err, s, n, NULL);
	sign = s[i] == '-' ? -1 : 1;
	if (digits(s, n, i + 1, 2, &oh) < 0)
		return bad_time(err, s, n, NULL);
	i += 3;
	if (i < n && s[i] == ':')
		i++;
	if (digits(s, n, i, 2, &om) < 0 || i + 2 != n)
		return bad_time(err, s, n, NULL);
	if (oh > 23 || om > 59)
		return bad_time(err, s, n, "bad offset");
	t = pxr_time_from_local(NULL, y, mo, d, h, mi, sec, us);
	*out = t - sign * ((int64_t)oh * PXR_US_HOUR + (int64_t)om *
	    PXR_US_MIN);
	return in_range(s, n, *out, err);
}

/* Write v (0 <= v < 10^w) as w decimal digits at p. */
static void
put_digits(char *p, int v, int w)
{
	while (w-- > 0) {
		p[w] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * Append "YYYY-MM-DD" of c, digit by digit (vsnprintf cost thousands of
 * instructions a time); a year outside 0..9999 through printf's "%04d".
 */
static void
date_out(struct pxr_buf *b, const struct pxr_civil *c)
{
	char *p;

	if (c->year < 0 || c->year > 9999) {
		pxr_buf_printf(b, "%04d-%02d-%02d", c->year, c->month, c->day);
		return;
	}
	pxr_buf_need(b, 10);
	p = b->p + b->len;
	put_digits(p, c->year, 4);
	p[4] = '-';
	put_digits(p + 5, c->month, 2);
	p[7] = '-';
	put_digits(p + 8, c->day, 2);
	b->len += 10;
	b->p[b->len] = '\0';
}

static void
format(struct pxr_buf *b, int64_t t, struct pxr_tz *z, int with_off)
{
	struct pxr_civil c;
	char *p;
	int off;

	pxr_time_civil(t, z, &c);
	date_out(b, &c);
	/* "Thh:mm:ss", ".mmm" or ".uuuuuu", then "Z" or "+hh:mm". */
	pxr_buf_need(b, 9 + 7 + 6);
	p = b->p + b->len;
	p[0] = 'T';
	put_digits(p + 1, c.hour, 2);
	p[3] = ':';
	put_digits(p + 4, c.min, 2);
	p[6] = ':';
	put_digits(p + 7, c.sec, 2);
	p += 9;
	if (c.usec != 0) {
		*p++ = '.';
		if (c.usec % 1000 == 0) {
			put_digits(p, c.usec / 1000, 3);
			p += 3;
		} else {
			put_digits(p, c.usec, 6);
			p += 6;
		}
	}
	if (!with_off || c.off == 0)
		*p++ = 'Z';
	else {
		off = abs(c.off);
		*p++ = c.off < 0 ? '-' : '+';
		put_digits(p, off / 3600 % 100, 2);
		p[2] = ':';
		put_digits(p + 3, off / 60 % 60, 2);
		p += 5;
	}
	b->len = (size_t)(p - b->p);
	b->p[b->len] = '\0';
}

void
pxr_time_format(struct pxr_buf *b, int64_t t)
{
	format(b, t, NULL, 0);
}

void
pxr_time_format_tz(struct pxr_buf *b, int64_t t, struct pxr_tz *z)
{
	format(b, t, z, 1);
}

void
pxr_date_format(struct pxr_buf *b, int64_t t, struct pxr_tz *z)
{
	struct pxr_civil c;

	pxr_time_civil(t, z, &c);
	date_out(b, &c);
}

int
pxr_dur_parse(const char *s, size_t n, int64_t *out, struct pxr_error *err)
{
	static const struct {
		const char *u;
		int64_t us;
	} units[] = {
		{ "ms", 1000 }, { "s", PXR_US_SEC }, { "m", PXR_US_MIN },
		{ "h", PXR_US_HOUR }, { "d", PXR_US_DAY },
		{ "w", 7 * PXR_US_DAY }
	};
	size_t i = 0, k;
	int64_t total = 0;
	int last = 99;

	if (n == 0)
		goto bad;
	while (i < n) {
		int64_t v = 0;
		size_t start = i;

		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (v > INT64_MAX / 10 - 10)
				goto bad;
			v = v * 10 + (s[i] - '0');
			i++;
		}
		if (i == start || i == n)
			goto bad;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t ul = strlen(units[k].u);

			if (i + ul <= n && memcmp(s + i, units[k].u, ul) == 0 &&
			    !(ul == 1 && units[k].u[0] == 'm' && i + 1 < n &&
			    s[i + 1] == 's'))
				break;
		}
		if (k == sizeof(units) / sizeof(units[0]))
			goto bad;
		/* Units largest first, each once: "1h30m", not "30m1h". */
		if ((int)k >= last)
			goto bad;
		last = (int)k;
		if (v > INT64_MAX / units[k].us ||
		    total > INT64_MAX - v * units[k].us)
			goto bad;
		total += v * units[k].us;
		i += strlen(units[k].u);
	}
	*out = total;
	return 0;
bad:
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not a duration: \"%.*s\" "
	    "(expected e.g. 90s, 15m, 2h, 1d, 1w, 1h30m)", (int)(n > 64 ? 64 :
	    n), s);
}

void
pxr_dur_format(struct pxr_buf *b, int64_t d)
{
	static const struct {
		const char *u;
		int64_t us;
	} units[] = {
		{ "d", PXR_US_DAY }, { "h", PXR_US_HOUR }, { "m", PXR_US_MIN },
		{ "s", PXR_US_SEC }, { "ms", 1000 }
	};
	size_t k;
	uint64_t v;

	if (d == 0) {
		pxr_buf_adds(b, "0s");
		return;
	}
	if (d < 0) {
		pxr_buf_addc(b, '-');
		v = (uint64_t)0 - (uint64_t)d;
	} else
		v = (uint64_t)d;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		uint64_t q = v / (uint64_t)units[k].us;

		if (q > 0) {
			pxr_buf_printf(b, "%llu%s", (unsigned long long)q,
			    units[k].u);
			v -= q * (uint64_t)units[k].us;
		}
	}
	if (v > 0)
		pxr_buf_printf(b, "%lluus", (unsigned long long)v);
}
