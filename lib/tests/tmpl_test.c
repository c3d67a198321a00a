/* tmpl_test.c: money and dates by locale, SMS parts, template rendering. */
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#include "stream.h"
#include "tmpl.h"
#include "unit.h"

static const char *
money(int64_t minor, const char *cur, const char *loc)
{
	static char out[128];
	struct pxr_buf b = { 0 };

	if (pxr_money_format(&b, minor, cur, loc) < 0)
		snprintf(out, sizeof(out), "error");
	else
		snprintf(out, sizeof(out), "%s", b.p);
	pxr_buf_free(&b);
	return out;
}

static const char *
when(const char *iso, const char *zone, const char *loc, int what)
{
	static char out[128];
	struct pxr_buf b = { 0 };
	struct pxr_error e;
	int64_t t;

	pxr_time_parse(iso, strlen(iso), NULL, &t, NULL, &e);
	pxr_locale_time(&b, t, pxr_tz_get(zone), loc, what);
	snprintf(out, sizeof(out), "%s", b.p);
	pxr_buf_free(&b);
	return out;
}

static int
segs(const char *s, int *ucs2)
{
	return pxr_sms_segments(s, strlen(s), ucs2);
}

int
main(void)
{
	char text[400], path[] = "/tmp/pxr-tmpl-XXXXXX";
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_tmpl *t;
	struct pxr_render r;
	struct pxr_rec rec;
	struct pxr_buf subj = { 0 }, body = { 0 };
	struct pxr_error e;
	int u, fd;

	CHECK_STR(money(3000, "SEK", "sv"), "30 kr", "sv whole");
	CHECK_STR(money(3050, "SEK", "sv-SE"), "30,50 kr", "sv decimals");
	CHECK_STR(money(129900, "SEK", "sv"), "1\xc2\xa0" "299 kr",
	    "sv thousands");
	{
		struct pxr_buf b = { 0 };
		int u2;

		CHECK(pxr_money_format_sms(&b, 123450, "SEK", "sv") == 0 &&
		    b.p != NULL && strcmp(b.p, "1 234,50 kr") == 0 &&
		    pxr_sms_segments(b.p, b.len, &u2) == 1 && !u2,
		    "sv thousands in an SMS: a plain space, GSM-7");
		pxr_buf_reset(&b);
		CHECK(pxr_money_format_sms(&b, 123450, "NOK", "nb") == 0 &&
		    strcmp(b.p, "kr 1 234,50") == 0, "nb in an SMS");
		pxr_buf_reset(&b);
		CHECK(pxr_money_format_sms(&b, 123450, "DKK", "da") == 0 &&
		    strcmp(b.p, "1.234,50 kr.") == 0, "da in an SMS: as ever");
		pxr_buf_reset(&b);
		CHECK(pxr_money_format_sms(&b, 123450, "PLN", "pl") == 0 &&
		    strcmp(b.p, "1 234,50 z\xc5\x82") == 0,
		    "pl in an SMS: a plain space, the zloty sign stays");
		pxr_buf_reset(&b);
		CHECK(pxr_money_format(&b, 123450, "SEK", "sv") == 0 &&
		    strcmp(b.p, "1\xc2\xa0" "234,50 kr") == 0,
		    "e-mail keeps U+00A0");
		pxr_buf_free(&b);
	}
	CHECK_STR(money(3050, "DKK", "da"), "30,50 kr.", "da");
	CHECK_STR(money(129950, "DKK", "da"), "1.299,50 kr.", "da thousands");
	CHECK_STR(money(3050, "NOK", "nb"), "kr 30,50", "nb");
	CHECK_STR(money(3050, "PLN", "pl"), "30,50 z\xc5\x82", "pl");
	CHECK_STR(money(3050, "SEK", "en"), "SEK 30.50", "en SEK");
	CHECK_STR(money(3050, "EUR", "en"), "\xe2\x82\xac" "30.50", "en EUR");
	CHECK_STR(money(3050, "EUR", "sv"), "30,50 \xe2\x82\xac", "sv EUR");
	CHECK_STR(money(500, "JPY", "en"), "JPY 500", "JPY no decimals");
	CHECK_STR(money(1235, "KWD", "en"), "KWD 1.235", "KWD three");
	CHECK_STR(money(1, "XYZ", "en"), "error", "unknown currency");
	CHECK_STR(when("2026-11-21T21:30:00Z", "Europe/Stockholm", "sv", 'b'),
	    "21 november 2026 kl. 22:30", "sv datetime");
	CHECK_STR(when("2026-11-21T21:30:00Z", "Europe/Copenhagen", "da", 'b'),
	    "21. november 2026 kl. 22.30", "da datetime");
	CHECK_STR(when("2026-11-21T21:30:00Z", "Europe/Oslo", "nb", 'd'),
	    "21. november 2026", "nb date");
	CHECK_STR(when("2026-09-21T21:30:00Z", "Europe/Warsaw", "pl", 'b'),
	    "21 wrze\xc5\x9bnia 2026, godz. 23:30", "pl datetime (genitive)");
	CHECK_STR(when("2026-11-21T23:30:00Z", "America/New_York", "en", 'b'),
	    "21 November 2026 at 18:30", "en in New York");
	CHECK_STR(when("2026-11-21T23:30:00Z", "Europe/Stockholm", "en", 'd'),
	    "22 November 2026", "the date is the customer's");

	memset(text, 'a', 160);
	text[160] = '\0';
	CHECK(segs(text, &u) == 1 && !u, "160 GSM-7 characters: 1 part");
	text[160] = 'a';
	text[161] = '\0';
	CHECK(segs(text, &u) == 2 && !u, "161: 2 parts");
	memset(text, 'a', 306);
	text[306] = '\0';
	CHECK(segs(text, &u) == 2, "306: 2 parts of 153");
	text[306] = 'a';
	text[307] = '\0';
	CHECK(segs(text, &u) == 3, "307: 3 parts");
	memset(text, 'a', 159);
	strcpy(text + 159, "\xe2\x82\xac");
	CHECK(segs(text, &u) == 2 && !u, "159 + the euro sign (2): 2 parts");
	memset(text, 'a', 159);
	strcpy(text + 159, "[");
	CHECK(segs(text, &u) == 2 && !u, "159 + '[' (2): 2 parts");
	memset(text, 'a', 69);
	strcpy(text + 69, "\xc5\x82");
	CHECK(segs(text, &u) == 1 && u, "69 + one l-stroke: UCS-2, 1 part");
	memset(text, 'a', 70);
	strcpy(text + 70, "\xc5\x82");
	CHECK(segs(text, &u) == 2 && u, "71 UCS-2: 2 parts");
	memset(text, 'a', 133);
	strcpy(text + 133, "\xc5\x82");
	CHECK(segs(text, &u) == 2, "134 UCS-2: 2 parts of 67");
	memset(text, 'a', 134);
	strcpy(text + 134, "\xc5\x82");
	CHECK(segs(text, &u) == 3, "135 UCS-2: 3 parts");
	CHECK(segs("\xc3\x85sa \xc3\xb8 \xc3\xa9", &u) == 1 && !u,
	    "Å, ø, é are GSM-7");

	/* A template, rendered. */
	fd = mkstemp(path);
	{
		const char *src = "Subject: Hi {{name | upper}}\n\n"
		    "Dear {{name | default:'customer'}}, {{amount | money}} "
		    "on {{at | date}}.{{missing | default:''}}\n";

		if (write(fd, src, strlen(src)) < 0)
			return 1;
	}
	close(fd);
	t = pxr_tmpl_load(path, 1, &e);
	CHECK(t != NULL, "template loads");
	pxr_tmpl_bind(t, sch);
	pxr_rec_init(&rec, sch);
	pxr_rec_set(&rec, pxr_schema_find(sch, "name", 4), PXR_STR,
	    "bo\r\nBcc: x@y", 12);
	pxr_rec_set(&rec, pxr_schema_find(sch, "amount", 6), PXR_STR, "3050", 4);
	pxr_rec_set(&rec, pxr_schema_find(sch, "at", 2), PXR_STR,
	    "2026-11-21T23:30:00Z", 20);
	r.rec = &rec;
	r.locale = "sv";
	r.tz = pxr_tz_get("Europe/Stockholm");
	r.readtz = NULL;
	r.types = NULL;
	r.ntypes = 0;
	r.currency = "SEK";
	r.f_currency = PXR_NOFIELD;
	r.sms = 0;
	{
		const char **names;
		long *lines;
		int *cols;
		size_t nf = pxr_tmpl_fields(t, &names, &lines, &cols);

		CHECK(nf == 4 && strcmp(names[1], "amount") == 0 &&
		    lines[0] == 1 && cols[0] == 13 && lines[1] == 3 &&
		    cols[1] == 37, "fields at the line and column of their "
		    "first {{");
	}
	CHECK(pxr_tmpl_render(t, &r, &subj, &body, &e) == 0, "renders");
	CHECK_STR(subj.p, "Hi BO  BCC: X@Y", "no line break survives in a "
	    "subject");
	CHECK_STR(body.p, "Dear bo\r\nBcc: x@y, 30,50 kr on 22 november "
	    "2026.\n", "body");
	/* A time without an offset: read in readtz, shown in tz. */
	pxr_rec_set(&rec, pxr_schema_find(sch, "at", 2), PXR_STR,
	    "2026-11-24 00:30", 16);
	r.tz = pxr_tz_get("Europe/London");
	r.readtz = pxr_tz_get("Europe/Stockholm");
	pxr_buf_reset(&body);
	CHECK(pxr_tmpl_render(t, &r, &subj, &body, &e) == 0 &&
	    strstr(body.p, "on 23 november 2026") != NULL, "read in the "
	    "rule's zone, shown in the customer's: %s", body.p);
	pxr_tmpl_free(t);
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	if (write(fd, "Hi {{name | shout}}\n", 20) < 0)
		return 1;
	close(fd);
	t = pxr_tmpl_load(path, 0, &e);
	CHECK(t == NULL && strstr(e.text, "unknown filter 'shout'") != NULL,
	    "unknown filter: %s", e.text);
	unlink(path);
	pxr_buf_free(&subj);
	pxr_buf_free(&body);
	pxr_rec_fini(&rec);
	pxr_schema_free(sch);
	UNIT_END();
}
