/*
 * tz_test.c: local<->UTC conversion against the C library over every
 * transition 1970-2037 of 44 zones, at the transition, +-1 s and +-1 h.
 */
#include <stdlib.h>
#include <time.h>

#include "time.h"
#include "unit.h"

static const char *zone_names[] = {
	"America/St_Johns", "Antarctica/Casey", "Asia/Gaza", "Asia/Hebron",
	"America/Moncton", "America/Goose_Bay", "Australia/Lord_Howe",
	"Asia/Kathmandu", "Pacific/Chatham", "Europe/Stockholm", "Europe/Oslo",
	"Europe/Copenhagen", "Europe/Warsaw", "America/New_York",
	"Europe/Helsinki", "Europe/London", "Europe/Dublin", "Europe/Berlin",
	"Europe/Moscow", "Europe/Kyiv", "Europe/Lisbon", "Atlantic/Azores",
	"America/Sao_Paulo", "America/Santiago", "America/Havana",
	"America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "Pacific/Apia",
	"Pacific/Kiritimati", "Australia/Adelaide", "Australia/Sydney",
	"Asia/Tehran", "Asia/Kolkata", "Asia/Jerusalem", "Asia/Beirut",
	"Asia/Amman", "Africa/Casablanca", "Africa/Cairo", "Asia/Colombo",
	"Asia/Pyongyang", "Antarctica/Troll", "Pacific/Norfolk",
	"America/Caracas",
};

#define MAXTR 1024
#define FROM INT64_C(0)			/* 1970-01-01 */
#define TO INT64_C(2145916800)		/* 2038-01-01 */

static int32_t
libc_off(int64_t sec)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (localtime_r(&t, &tm) == NULL)
		return INT32_MIN;
	return (int32_t)tm.tm_gmtoff;
}

/* Every second in [FROM, TO) whose offset differs from the second before. */
static size_t
transitions(int64_t *tr, int32_t *before, int32_t *after)
{
	int64_t t, lo, hi, mid;
	int32_t o = libc_off(FROM), o2;
	size_t n = 0;

	for (t = FROM; t < TO; t += 3 * 3600) {
		o2 = libc_off(t + 3 * 3600);
		if (o2 == o)
			continue;
		lo = t;
		hi = t + 3 * 3600;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (libc_off(mid) == o)
				lo = mid;
			else
				hi = mid;
		}
		if (n < MAXTR) {
			tr[n] = hi;
			before[n] = o;
			after[n] = libc_off(hi);
			n++;
		}
		/* A second change within the same 3 hours. */
		o = libc_off(hi);
		if (o != o2)
			t = hi - 3 * 3600 + 1;
		else
			o = o2;
	}
	return n;
}

/*
 * 1 when the time formatters write t in z as printf's "%04d-%02d-..."
 * of its civil fields would (the formatters write digits themselves).
 */
static int
format_agrees(struct pxr_tz *z, int64_t t)
{
	struct pxr_buf b = { 0 }, d = { 0 }, u = { 0 };
	struct pxr_civil c, cu;
	char want[80], wantu[80], frac[16] = "", fracu[16] = "", off[16] = "Z";
	int ok;

	pxr_time_civil(t, z, &c);
	pxr_time_civil(t, NULL, &cu);
	if (c.usec != 0)
		snprintf(frac, sizeof(frac), c.usec % 1000 == 0 ? ".%03d" :
		    ".%06d", c.usec % 1000 == 0 ? c.usec / 1000 : c.usec);
	if (cu.usec != 0)
		snprintf(fracu, sizeof(fracu), cu.usec % 1000 == 0 ? ".%03d" :
		    ".%06d", cu.usec % 1000 == 0 ? cu.usec / 1000 : cu.usec);
	if (c.off != 0)
		snprintf(off, sizeof(off), "%c%02d:%02d", c.off < 0 ? '-' : '+',
		    abs(c.off) / 3600, abs(c.off) / 60 % 60);
	snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d%s%s",
	    c.year, c.month, c.day, c.hour, c.min, c.sec, frac, off);
	snprintf(wantu, sizeof(wantu), "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
	    cu.year, cu.month, cu.day, cu.hour, cu.min, cu.sec, fracu);
	pxr_time_format_tz(&b, t, z);
	pxr_time_format(&u, t);
	pxr_date_format(&d, t, z);
	ok = strcmp(b.p, want) == 0 && strcmp(u.p, wantu) == 0 &&
	    strncmp(d.p, want, 10) == 0 && d.len == 10;
	if (!ok)
		printf("# %s: %s %s %s want %s %s\n", pxr_tz_name(z), b.p, u.p,
		    d.p, want, wantu);
	pxr_buf_free(&b);
	pxr_buf_free(&d);
	pxr_buf_free(&u);
	return ok;
}

struct probe {
	int64_t	 t;		/* seconds */
	int32_t	 off;		/* libc's offset at t */
	int64_t	 back;		/* what local->UTC must give for t's wall */
	int64_t	 gapwall;	/* a wall time in a gap, or INT64_MIN */
	int64_t	 gapwant;
};

int
main(void)
{
	static int64_t tr[MAXTR];
	static int32_t before[MAXTR], after[MAXTR];
	static struct probe pr[MAXTR * 5];
	static const int64_t delta[] = { -3600, -1, 0, 1, 3600 };
	size_t zi, i, k, n, np, total = 0, trtotal = 0;
	int bad_total = 0, fmt_bad = 0;

	for (zi = 0; zi < sizeof(zone_names) / sizeof(zone_names[0]); zi++) {
		const char *name = zone_names[zi];
		struct pxr_tz *z = pxr_tz_get(name);
		int bad = 0, shown = 0;
		char env[256];

		CHECK(z != NULL, "zone %s known", name);
		if (z == NULL)
			continue;
		/* Phase 1: what the C library says, with TZ set to the zone. */
		snprintf(env, sizeof(env), ":%s", name);
		setenv("TZ", env, 1);
		tzset();
		n = transitions(tr, before, after);
		np = 0;
		for (i = 0; i < n; i++)
			for (k = 0; k < 5; k++) {
				struct probe *p = &pr[np++];
				int64_t wall, c1, c2, best = INT64_MAX;

				p->t = tr[i] + delta[k];
				p->off = libc_off(p->t);
				wall = p->t + p->off;
				/* Every instant showing this wall; the earliest. */
				c1 = wall - before[i];
				c2 = wall - after[i];
				if (libc_off(c1) == before[i] && c1 < best)
					best = c1;
				if (libc_off(c2) == after[i] && c2 < best)
					best = c2;
				if (libc_off(wall - p->off) == p->off &&
				    wall - p->off < best)
					best = wall - p->off;
				p->back = best;
				p->gapwall = INT64_MIN;
				if (after[i] > before[i] && k == 2) {
					/* 1 s into the gap: read with the
					 * offset before it. */
					p->gapwall = tr[i] + before[i] + 1;
					p->gapwant = p->gapwall - before[i];
				}
			}
		/* Phase 2: what lib/time.c says. */
		for (i = 0; i < np; i++) {
			struct probe *p = &pr[i];
			struct pxr_civil c;
			int64_t got, wall = p->t + p->off;
			int32_t off = pxr_tz_offset(z, p->t * PXR_US_SEC);

			pxr_time_civil(p->t * PXR_US_SEC, z, &c);
			if (!format_agrees(z, p->t * PXR_US_SEC) ||
			    !format_agrees(z, p->t * PXR_US_SEC + 250000) ||
			    !format_agrees(z, p->t * PXR_US_SEC - 123457))
				fmt_bad++;
			got = pxr_time_from_local(z, c.year, c.month, c.day,
			    c.hour, c.min, c.sec, 0);
			if (off != p->off || c.off != p->off ||
			    pxr_days_from_civil(c.year, c.month, c.day) *
			    86400 + c.hour * 3600 + c.min * 60 + c.sec !=
			    wall || got != p->back * PXR_US_SEC) {
				if (shown++ < 3)
					printf("# %s t=%lld: offset %d/%d "
					    "want %d; local->UTC %lld want "
					    "%lld\n", name, (long long)p->t,
					    (int)off, (int)c.off, (int)p->off,
					    (long long)(got / PXR_US_SEC),
					    (long long)p->back);
				bad++;
			}
			if (p->gapwall != INT64_MIN) {
				int64_t days = p->gapwall / 86400, r;
				int y, mo, d;

				r = p->gapwall - days * 86400;
				if (r < 0) {
					r += 86400;
					days--;
				}
				pxr_time_civil(days * PXR_US_DAY, NULL, &c);
				y = c.year;
				mo = c.month;
				d = c.day;
				got = pxr_time_from_local(z, y, mo, d,
				    (int)(r / 3600), (int)(r / 60 % 60),
				    (int)(r % 60), 0);
				if (got != p->gapwant * PXR_US_SEC) {
					if (shown++ < 3)
						printf("# %s gap wall %lld: "
						    "%lld want %lld\n", name,
						    (long long)p->gapwall,
						    (long long)(got /
						    PXR_US_SEC),
						    (long long)p->gapwant);
					bad++;
				}
			}
			total++;
		}
		trtotal += n;
		if (bad != 0)
			printf("not ok %s: %d of %zu probes differ\n", name,
			    bad, np);
		bad_total += bad;
	}
	CHECK(fmt_bad == 0, "times written digit by digit as printf writes "
	    "them, at every probe, whole, .250 and .876543 (%d differ)",
	    fmt_bad);
	CHECK(trtotal >= 1000, "%zu transitions in %zu zones", trtotal,
	    sizeof(zone_names) / sizeof(zone_names[0]));
	CHECK(bad_total == 0, "%zu probes agree with the C library "
	    "(%d differ)", total, bad_total);
	UNIT_END();
}
