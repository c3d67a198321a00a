/* report_test.c: the report's model and writers, in-process. */
#include <stdlib.h>
#include <unistd.h>

#include "report.h"
#include "stagerun.h"
#include "unit.h"

static const char ledger[] =
"issued_at,incident_id,customer_id,rule,tier,kind,amount_minor,currency,"
"code,valid_until\n"
"2026-11-19T02:00:00Z,r:1,C1,r,t,credit,1000,SEK,,\n"
"2026-11-20T02:00:00Z,r:2,C2,r,t,credit,100000,SEK,,\n"
"2026-11-20T02:00:00Z,r:3,C3,r,t,gift,0,PLN,,\n"
"2026-11-20T03:00:00Z,r:4,C4,r,t,refund,1000,EUR,,\n"
"2026-11-21T02:00:00Z,r:5,C5,r,t,credit,x1,SEK,,\n";

/* A ledger of issue 17: states and evidence; a sent log. */
static const char ledger17[] =
"issued_at,incident_id,customer_id,rule,tier,kind,amount_minor,currency,"
"code,valid_until,subject,run_id,rules_sha256,measure,unit,state,reason\n"
"2026-11-21T06:00:00Z,r:1,C1,r,t,credit,400,SEK,,,,run1,abc,95,min,issued,\n"
"2026-11-21T06:00:00Z,r:2,C2,r,t,credit,5000,SEK,,,,run1,abc,1800,min,"
"pending_approval,\n"
"2026-11-21T06:00:00Z,r:3,C3,r,t,credit,900,SEK,,,,run1,abc,120,min,issued,\n"
"2026-11-21T12:00:00Z,r:3,C3,r,t,credit,900,SEK,,,,pxr-ledger,abc,120,min,"
"reversed,by mistake\n"
"2026-11-22T06:00:00Z,r:2,C2,r,t,credit,5000,SEK,,,,pxr-ledger,abc,1800,min,"
"approved,\n"
"2026-11-22T06:00:00Z,r:4,C4,r,t,voucher,700,SEK,V4,,,run2,abc,3,d,offered,\n";
static const char sentlog[] =
"sent_at,message_id,customer_id,channel,to,status\n"
"2026-11-21T06:00:00Z,r:1:sms,C1,sms,+461,sent\n";

/* Feed csv (at path) into R; the bad records counted. */
static int
feed(struct pxr_report *R, const char *path, int complaints)
{
	struct pxr_reader_opts o = { 0 };
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_reader *rd;
	struct pxr_report_src *s = pxr_report_src_new(R, sch, complaints);
	struct pxr_error e;
	struct pxr_rec rec;
	int nbad = 0;

	rd = pxr_reader_open(path, &o, sch, &e);
	pxr_rec_init(&rec, sch);
	while (rd != NULL && pxr_reader_next(rd, &rec, &e) == 1) {
		pxr_rec_fit(&rec);
		if (pxr_report_add(s, &rec, &e) < 0)
			nbad++;
	}
	pxr_rec_fini(&rec);
	pxr_reader_close(rd);
	pxr_report_src_free(s);
	pxr_schema_free(sch);
	return nbad;
}

/* The report over these inputs (NULL-ended) in format fmt (new). */
static char *
report_of(const struct pxr_report_opts *o, int fmt, int *nbad,
    const char *const *in)
{
	struct pxr_report *R = pxr_report_new(o);
	struct pxr_error e;
	char path[64], *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	for (*nbad = 0; *in != NULL; in++) {
		snprintf(path, sizeof(path), "%s", stagerun_file(*in, ".csv"));
		*nbad += feed(R, path, 0);
		unlink(path);
	}
	if (pxr_report_finish(R, &e) < 0 || pxr_report_write(R, fmt, fp,
	    &e) < 0)
		printf("# %s\n", e.text);
	fclose(fp);
	pxr_report_free(R);
	return out;
}

/* The report over the ledger in format fmt (new). */
static char *
report(const struct pxr_report_opts *o, int fmt, int *nbad)
{
	const char *in[] = { ledger, NULL };

	return report_of(o, fmt, nbad, in);
}

int
main(void)
{
	struct pxr_report_opts o = { NULL, "en", NULL, INT64_MIN, INT64_MAX, 0,
	    0 };
	char *out;
	int nbad;

	setenv("TZ", "UTC", 1);
	out = report(&o, PXR_REPORT_TEXT, &nbad);
	CHECK(nbad == 1, "an amount that is no number is a bad record");
	CHECK(strstr(out, "pxr report, 19 November 2026 \xe2\x80\x93 20 "
	    "November 2026\n") == out, "the title names the nights");
	CHECK(strstr(out, "  paid                           \xe2\x82\xac"
	    "10, SEK 1,010\n") != NULL, "the totals per currency");
	CHECK(strstr(out, "PLN") == NULL, "a gift is no PLN 0");
	CHECK(strstr(out, "  gift        1\n") != NULL, "the gift is counted "
	    "as a gesture");
	CHECK(strstr(out, "  2026-11-20          0              2         1"
	    "     0  \xe2\x82\xac" "10, SEK 1,000\n") != NULL, "the night's "
	    "line");
	CHECK(strstr(out, "no complaints export was given") != NULL, "why "
	    "there is no first-contact rate");
	free(out);

	o.from = 1795132800000000LL;	/* 2026-11-20T00:00:00Z */
	o.to = o.from + 86400000000LL;
	out = report(&o, PXR_REPORT_JSON, &nbad);
	CHECK(strstr(out, "\"night\": \"2026-11-19\"") == NULL &&
	    strstr(out, "\"night\": \"2026-11-20\"") != NULL, "--from/--to "
	    "keep one night");
	free(out);

	o.from = INT64_MIN;
	o.to = INT64_MAX;
	o.title = "<T>";
	out = report(&o, PXR_REPORT_SVG, &nbad);
	CHECK(strstr(out, "&lt;T&gt;") != NULL && strstr(out, "<T>") ==
	    NULL, "the title is escaped in SVG");
	CHECK(strstr(out, "width=\"360\" height=\"16\" fill=\"#4e79a7\"/><text "
	    "x=\"520\" "
	    "y=\"41\">SEK 1,010") != NULL && strstr(out, "y=\"63\">\xe2\x82"
	    "\xac" "10") != NULL, "each currency its own scale");
	free(out);

	out = report(&o, PXR_REPORT_CSV, &nbad);
	CHECK(strstr(out, "totals,paid,EUR,1,1000,,,\n") != NULL, "CSV totals");
	free(out);
	{
		const char *in[] = { ledger17, sentlog, NULL };

		o.title = "t";
		out = report_of(&o, PXR_REPORT_CSV, &nbad, in);
		CHECK(strstr(out, "totals,paid,SEK,1,400,,,\n") != NULL,
		    "only the issued one is money paid (not the pending, "
		    "approved, reversed or offered)");
		CHECK(strstr(out, "compensations-by-ledger-state,offered,,1,")
		    != NULL, "an offer is counted as offered");
		CHECK(strstr(out, "compensations-by-ledger-state,approved,,1,")
		    != NULL && strstr(out, "compensations-by-ledger-state,"
		    "reversed,,1,") != NULL, "the last row's state counts");
		CHECK(strstr(out, "evidence,run1 abc,,3,") != NULL, "the "
		    "evidence of each compensation's first row");
		CHECK(strstr(out, "told,paid,,1,") != NULL && strstr(out,
		    "told,told,,1,") != NULL, "paid and told once");
		free(out);
	}
	CHECK(pxr_report_format("html") == PXR_REPORT_HTML &&
	    pxr_report_format("pdf") == -1, "format names");
	UNIT_END();
}
