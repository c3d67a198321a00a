/* coltype_test.c: typed input columns read by their formats. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "coltype.h"
#include "unit.h"

static struct pxr_coltype
col(int type, char dec, const char *group, const char *cur, int exp,
    const char *fmt)
{
	struct pxr_coltype c;

	memset(&c, 0, sizeof(c));
	c.name = "x";
	c.type = type;
	c.decimal = dec;
	snprintf(c.group, sizeof(c.group), "%s", group);
	snprintf(c.currency, sizeof(c.currency), "%s", cur);
	c.exponent = exp;
	c.format = fmt;
	return c;
}

/* The value read as text: "123450", "1234.5", "t=..." or "error: ...". */
static const char *
rd(const struct pxr_coltype *c, const char *s, const char *zone)
{
	static char out[1100];
	struct pxr_typed t;
	struct pxr_error e;

	if (pxr_coltype_read(c, s, strlen(s), zone != NULL ?
	    pxr_tz_get(zone) : NULL, &t, &e) < 0)
		snprintf(out, sizeof(out), "error: %s", e.text);
	else if (c->type == PXR_C_TIME) {
		struct pxr_buf b = { 0 };

		pxr_time_format(&b, t.ival);
		snprintf(out, sizeof(out), "%s%s", b.p, t.dateonly ?
		    " date" : "");
		pxr_buf_free(&b);
	} else if (t.isint)
		snprintf(out, sizeof(out), "%" PRId64, t.ival);
	else
		snprintf(out, sizeof(out), "%.17g", t.dval);
	return out;
}

int
main(void)
{
	struct pxr_coltype sek = col(PXR_C_MONEY, ',', " ", "SEK", 2, NULL);
	struct pxr_coltype dkk = col(PXR_C_MONEY, ',', ".", "DKK", 2, NULL);
	struct pxr_coltype jpy = col(PXR_C_MONEY, '.', ",", "JPY", 0, NULL);
	struct pxr_coltype kwd = col(PXR_C_MONEY, '.', "", "KWD", 3, NULL);
	struct pxr_coltype num = col(PXR_C_NUMBER, ',', " ", "", 0, NULL);
	struct pxr_coltype in = col(PXR_C_INT, ',', ".", "", 0, NULL);
	struct pxr_coltype de = col(PXR_C_TIME, 0, "", "", 0,
	    "%d.%m.%Y %H:%M");
	struct pxr_coltype d1 = col(PXR_C_TIME, 0, "", "", 0, "%d-%m-%Y");
	struct pxr_coltype iso = col(PXR_C_TIME, 0, "", "", 0,
	    "%Y-%m-%dT%H:%M:%S%z");
	char msg[200];

	CHECK_STR(rd(&sek, "1 234,50", NULL), "123450", "SEK space group");
	CHECK_STR(rd(&sek, "1\xc2\xa0" "234,5", NULL), "123450",
	    "SEK NBSP group, one decimal");
	CHECK_STR(rd(&sek, "12\xe2\x80\xaf" "345\xe2\x80\xaf" "678", NULL),
	    "1234567800", "SEK U+202F groups, no decimals");
	CHECK_STR(rd(&sek, "-0,05", NULL), "-5", "negative");
	CHECK_STR(rd(&sek, "1,234", NULL), "error: not an amount in SEK: "
	    "\"1,234\" (3 decimals, SEK has 2)", "too many decimals");
	CHECK_STR(rd(&sek, "12 34,00", NULL), "error: not an amount in SEK: "
	    "\"12 34,00\" (digit groups are of three)", "bad group");
	CHECK_STR(rd(&sek, "1234 ,00", NULL), "error: not an amount in SEK: "
	    "\"1234 ,00\" (digit groups are of three)", "group before mark");
	CHECK_STR(rd(&sek, "1 234.50", NULL), "error: not an amount in SEK: "
	    "\"1 234.50\"", "the other mark");
	CHECK_STR(rd(&sek, "", NULL), "error: not an amount in SEK: \"\"",
	    "empty");
	CHECK_STR(rd(&sek, "92 233 720 368 547 758,07", NULL),
	    "9223372036854775807", "INT64_MAX minor units");
	CHECK_STR(rd(&sek, "-92 233 720 368 547 758,08", NULL),
	    "-9223372036854775808", "INT64_MIN minor units");
	CHECK_STR(rd(&sek, "92 233 720 368 547 758,08", NULL),
	    "error: not an amount in SEK: \"92 233 720 368 547 758,08\" "
	    "(past 64 bits of minor units)", "past INT64_MAX");
	CHECK_STR(rd(&dkk, "1.234,50", NULL), "123450", "DKK dot group");
	CHECK_STR(rd(&dkk, "1.5", NULL), "error: not an amount in DKK: "
	    "\"1.5\" (digit groups are of three)", "DKK dot as decimal");
	CHECK_STR(rd(&jpy, "1,234", NULL), "1234", "JPY");
	CHECK_STR(rd(&jpy, "1,234.5", NULL), "error: not an amount in JPY: "
	    "\"1,234.5\" (1 decimal, JPY has 0)", "JPY has no decimals");
	CHECK_STR(rd(&kwd, "1.5", NULL), "1500", "KWD three places");
	CHECK_STR(rd(&num, "1 234,5", NULL), "1234.5", "number");
	CHECK_STR(rd(&num, "+7", NULL), "7", "plus sign");
	CHECK_STR(rd(&in, "1.234.567", NULL), "1234567", "int with groups");
	CHECK_STR(rd(&de, "23.11.2026 14:05", "Europe/Stockholm"),
	    "2026-11-23T13:05:00Z", "local time in the zone");
	CHECK_STR(rd(&de, "3.1.2026 9:05", "Europe/Stockholm"),
	    "2026-01-03T08:05:00Z", "one-digit day, month, hour");
	CHECK_STR(rd(&de, "29.03.2026 02:30", "Europe/Stockholm"),
	    "2026-03-29T01:30:00Z", "in the spring gap: the offset before");
	CHECK_STR(rd(&de, "25.10.2026 02:30", "Europe/Stockholm"),
	    "2026-10-25T00:30:00Z", "in the autumn overlap: the earlier");
	CHECK_STR(rd(&de, "31.11.2026 10:00", NULL), "error: not a time in "
	    "the format '%d.%m.%Y %H:%M': \"31.11.2026 10:00\" (no such date)",
	    "no such date");
	CHECK_STR(rd(&de, "23.11.2026 24:00", NULL), "error: not a time in "
	    "the format '%d.%m.%Y %H:%M': \"23.11.2026 24:00\" (hour 0-23, "
	    "minute and second 0-59)", "hour 24");
	CHECK_STR(rd(&de, "23.11.0000 10:00", NULL), "error: not a time in "
	    "the format '%d.%m.%Y %H:%M': \"23.11.0000 10:00\" (years "
	    "0001-9999)", "year 0");
	CHECK_STR(rd(&de, "2026-11-23 10:00", NULL), "error: not a time in "
	    "the format '%d.%m.%Y %H:%M': \"2026-11-23 10:00\"",
	    "another format");
	CHECK_STR(rd(&d1, "23-11-2026", "Europe/Warsaw"),
	    "2026-11-22T23:00:00Z date", "a date is midnight in the zone");
	CHECK_STR(rd(&iso, "2026-11-23T10:00:00+05:30", "Europe/Warsaw"),
	    "2026-11-23T04:30:00Z", "%%z wins over the zone");
	CHECK(pxr_timefmt_check("%d.%m.%Y", msg, sizeof(msg)) == 0,
	    "date format");
	CHECK(pxr_timefmt_check("%d.%m.%Y %I:%M", msg, sizeof(msg)) < 0 &&
	    strstr(msg, "unknown directive '%I'") != NULL, "%%I: %s", msg);
	CHECK(pxr_timefmt_check("%m/%Y", msg, sizeof(msg)) < 0 &&
	    strstr(msg, "needs %Y, %m and %d") != NULL, "no day: %s", msg);
	CHECK(pxr_timefmt_check("%Y-%m-%d %M", msg, sizeof(msg)) < 0 &&
	    strstr(msg, "'%M' needs '%H'") != NULL, "minute alone: %s", msg);
	CHECK(pxr_timefmt_check("%Y-%m-%d %", msg, sizeof(msg)) < 0,
	    "lone %%: %s", msg);
	CHECK(pxr_ctype_parse("money") == PXR_C_MONEY &&
	    pxr_ctype_parse("mony") < 0, "type names");
	UNIT_END();
}
