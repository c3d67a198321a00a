/* time.h: ISO-8601 times, durations and time zones. */
#ifndef PXR_TIME_H
#define PXR_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mem.h"

/* Times are microseconds since 1970-01-01T00:00:00Z; durations are µs. */
#define PXR_US_SEC	INT64_C(1000000)
#define PXR_US_MIN	(60 * PXR_US_SEC)
#define PXR_US_HOUR	(60 * PXR_US_MIN)
#define PXR_US_DAY	(24 * PXR_US_HOUR)

/* A time zone from the system's zone database (interned, never freed). */
struct pxr_tz;

/* The zone named name ("Europe/Stockholm", "UTC"); NULL if unknown. */
struct pxr_tz *pxr_tz_get(const char *name);
/* UTC. */
struct pxr_tz *pxr_tz_utc(void);
/* The default zone: $TZ if it names a known zone, else UTC. */
struct pxr_tz *pxr_tz_env(void);
const char *pxr_tz_name(const struct pxr_tz *);
/* Seconds east of UTC in tz at the instant t (µs). */
int32_t	 pxr_tz_offset(struct pxr_tz *, int64_t t);

/* Calendar fields of an instant in a zone. */
struct pxr_civil {
	int	 year, month, day, hour, min, sec, usec;
	int	 wday;		/* 1 = Monday ... 7 = Sunday */
	int32_t	 off;		/* seconds east of UTC */
};

void	 pxr_time_civil(int64_t t, struct pxr_tz *, struct pxr_civil *);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t	 pxr_days_from_civil(int64_t y, int m, int d);
/* 1 if y-m-d is a real date. */
int	 pxr_date_valid(int y, int m, int d);
/*
 * The instant of a local wall time in tz.  In a gap (clocks moved
 * forward) the wall time is read with the offset before the gap, i.e.
 * moved forward by the gap's length; in an overlap (clocks moved back)
 * the earlier instant is taken.
 */
int64_t	 pxr_time_from_local(struct pxr_tz *, int y, int mo, int d, int h,
	    int mi, int s, int us);
/*
 * t moved by days calendar days in tz (negative: back), its wall clock
 * kept: 2026-03-28T12:00 + 1 day is 2026-03-29T12:00 in Europe/Stockholm,
 * 23 hours later.  A wall time that does not exist on the new day (a gap)
 * or exists twice (an overlap) is read as pxr_time_from_local reads it.
 * The caller keeps |days| at most 3,650,000 (ten thousand years).
 */
int64_t	 pxr_time_add_days(struct pxr_tz *, int64_t t, int64_t days);

/*
 * Parse an ISO-8601 time: YYYY-MM-DD, then optionally T or a space and
 * hh:mm, :ss, .fraction, then Z, ±hh:mm or ±hhmm.  Without an offset the
 * time is in tz.  *dateonly is set when only a date was given (may be
 * NULL).  0, or -1 with err's text (no file/line) for a bad time.
 */
int	 pxr_time_parse(const char *, size_t, struct pxr_tz *, int64_t *,
	    int *dateonly, struct pxr_error *);
/* Append t as ISO-8601 UTC ("2026-11-20T08:00:00Z", fraction if any). */
void	 pxr_time_format(struct pxr_buf *, int64_t t);
/* Append t as ISO-8601 in tz with its offset ("...T09:00:00+01:00"). */
void	 pxr_time_format_tz(struct pxr_buf *, int64_t t, struct pxr_tz *);
/* Append the date of t in tz: "2026-11-20". */
void	 pxr_date_format(struct pxr_buf *, int64_t t, struct pxr_tz *);

/* Parse a duration "90s", "1h30m", "500ms", "2w"; 0 or -1. */
int	 pxr_dur_parse(const char *, size_t, int64_t *, struct pxr_error *);
/* Append a duration as "1d2h30m" (largest units first, "0s" for zero). */
void	 pxr_dur_format(struct pxr_buf *, int64_t);

#endif
