/* compensate_test.c: the compensation stage as a mapper, in-process. */
#include <stdlib.h>
#include <unistd.h>

#include "compensate.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

static const char subjects[] =
"{ \"version\": 1, \"defaults\": { \"currency\": \"SEK\" },\n"
"  \"rules\": [\n"
"  { \"id\": \"late\", \"when\": \"true\", \"subject\": [\"order_id\"],\n"
"    \"compensation\": [ { \"kind\": \"credit\", \"percent\": 20,\n"
"      \"of\": \"num(paid)\" } ] },\n"
"  { \"id\": \"lost\", \"when\": \"true\", \"subject\": \"order_id\",\n"
"    \"compensation\": [ { \"kind\": \"refund\", \"percent\": 100,\n"
"      \"of\": \"num(paid)\" } ] } ] }\n";

static const char rules[] =
"{ \"version\": 1, \"defaults\": { \"currency\": \"SEK\" },\n"
"  \"rules\": [\n"
"  { \"id\": \"late\", \"when\": \"true\", \"tiers\": [\n"
"      { \"name\": \"low\", \"max\": 60 }, { \"name\": \"high\", \"min\": 60 } ],\n"
"    \"compensation\": [\n"
"      { \"tier\": \"low\", \"kind\": \"none\" },\n"
"      { \"tier\": \"high\", \"kind\": \"credit\", \"percent\": 10,\n"
"        \"of\": \"num(paid)\", \"min_minor\": 100 } ] },\n"
"  { \"id\": \"gift\", \"when\": \"true\",\n"
"    \"compensation\": [ { \"kind\": \"gift\", \"item\": \"a meal\" } ] }\n"
"  ],\n"
"  \"limits\": { \"per_customer\": { \"max_minor\": 500, \"period\": \"30d\" },\n"
"    \"batch_budget_minor\": 700 }\n"
"}\n";

static const char strategies[] =
"{ \"version\": 1, \"defaults\": { \"currency\": \"SEK\" },\n"
"  \"notify\": { \"fields\": { \"strategy\": \"how\" } },\n"
"  \"rules\": [\n"
"  { \"id\": \"late\", \"when\": \"true\", \"compensation\": [\n"
"    { \"when_strategy\": [\"quick-response\"], \"kind\": \"none\" },\n"
"    { \"kind\": \"credit\", \"fixed_minor\": 300, \"offer_valid\": \"1d\" }\n"
"  ] } ] }\n";

/* Run csv through the stage with ledger; the CSV output (new). */
static char *
run(struct pxr_rules *R, const char *ledger, int dry, const char *csv,
    int *nbad)
{
	struct pxr_compensate_opts o = { 0 };
	struct pxr_error e;
	struct pxr_mapper *m;

	o.ledger = ledger;
	o.lock_ms = 1000;
	o.dry_run = dry;
	(void)pxr_time_parse("2026-11-21T06:00:00Z", 20, NULL, &o.now, NULL,
	    &e);
	if ((m = pxr_compensate_new(&o, R, &e)) == NULL) {
		printf("# new: %s\n", e.text);
		return pxr_strdup("");
	}
	return stagerun_one(m, csv, nbad);
}

int
main(void)
{
	struct pxr_rules *R = stagerun_rules(rules);
	char ledger[] = "/tmp/pxr-comp-XXXXXX";
	char *out, *want;
	int fd, nbad;

	CHECK(R != NULL, "the rule file loads");
	if (R == NULL)
		UNIT_END();
	fd = mkstemp(ledger);
	close(fd);
	unlink(ledger);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,tier,paid\n"
	    "a,late,C1,low,5000\n"
	    "b,late,C1,high,500\n"
	    "c,late,C1,high,3000\n"
	    "d,late,C1,high,3000\n"
	    "e,gift,C2,,\n"
	    "f,late,C3,high,4000\n"
	    "g,late,C4,high,4000\n", &nbad);
	want = "incident_id,rule,customer_id,tier,paid,"
	    "comp_kind,comp_amount_minor,comp_currency,comp_percent,comp_item,"
	    "comp_code,comp_valid_until,comp_status\n"
	    "a,late,C1,low,5000,none,,,,,,,none\n"
	    "b,late,C1,high,500,credit,100,SEK,10,,,,issued\n"
	    "c,late,C1,high,3000,credit,300,SEK,10,,,,issued\n"
	    "d,late,C1,high,3000,credit,100,SEK,10,,,,capped\n"
	    "e,gift,C2,,,gift,,SEK,,a meal,,,issued\n"
	    "f,late,C3,high,4000,credit,200,SEK,10,,,,capped\n"
	    "g,late,C4,high,4000,credit,0,SEK,10,,,,over_budget\n";
	CHECK_STR(out, want, "tiers pick the entry, min_minor lifts 50 to "
	    "100, the cap of 500 cuts d, the budget of 700 cuts f and g");
	CHECK(nbad == 0, "no bad records (%d)", nbad);
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,tier,paid\n"
	    "c,late,C1,high,9999\n"
	    "e,gift,C2,,\n"
	    "h,late,C5,high,1000\n", NULL);
	CHECK_STR(out, "incident_id,rule,customer_id,tier,paid,"
	    "comp_kind,comp_amount_minor,comp_currency,comp_percent,comp_item,"
	    "comp_code,comp_valid_until,comp_status\n"
	    "c,late,C1,high,9999,credit,300,SEK,10,,,,duplicate\n"
	    "e,gift,C2,,,gift,,SEK,,a meal,,,duplicate\n"
	    "h,late,C5,high,1000,credit,100,SEK,10,,,,issued\n",
	    "a rerun: the ledger's values as 'duplicate', a new budget");
	free(out);
	out = run(R, ledger, 1, "incident_id,rule,customer_id,tier,paid\n"
	    "i,late,C6,high,1000\n", NULL);
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,tier,paid\n"
	    "i,late,C6,high,2000\n", NULL);
	CHECK_STR(out, "incident_id,rule,customer_id,tier,paid,"
	    "comp_kind,comp_amount_minor,comp_currency,comp_percent,comp_item,"
	    "comp_code,comp_valid_until,comp_status\n"
	    "i,late,C6,high,2000,credit,200,SEK,10,,,,issued\n",
	    "--dry-run wrote nothing: i is new after it");
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,tier,paid\n"
	    "j,nosuch,C7,,\nk,late,C7,high,12.5\nl,late,C7,high,1000\n",
	    &nbad);
	CHECK(nbad == 2, "an unknown rule and a fractional amount are bad "
	    "records (%d)", nbad);
	CHECK_STR(out, "incident_id,rule,customer_id,tier,paid,"
	    "comp_kind,comp_amount_minor,comp_currency,comp_percent,comp_item,"
	    "comp_code,comp_valid_until,comp_status\n"
	    "l,late,C7,high,1000,credit,100,SEK,10,,,,issued\n",
	    "the good record goes on");
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,tier,paid,"
	    "currency\nm,late,C8,high,1000,JPY\nn,late,C8,high,1000,SEK\n",
	    &nbad);
	CHECK(nbad == 1, "JPY where the limits are in SEK: a bad record (%d)",
	    nbad);
	CHECK(strstr(out, "\nm,") == NULL && strstr(out, "\nn,late,C8,high,"
	    "1000,SEK,credit,100,SEK,") != NULL, "the SEK one is paid");
	free(out);
	unlink(ledger);
	pxr_rules_free(R);

	/* Subjects: one order, two rules, two runs. */
	R = stagerun_rules(subjects);
	CHECK(R != NULL, "the subject rules load");
	if (R == NULL)
		UNIT_END();
	out = run(R, ledger, 0, "incident_id,rule,order_id,paid\n"
	    "l1,late,O1,1000\nl2,late,O2,1000\n", NULL);
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,order_id,paid\n"
	    "x1,lost,O1,1000\nx2,lost,O2,100\nl1,late,O1,1000\n", NULL);
	CHECK_STR(out, "incident_id,rule,order_id,paid,comp_kind,"
	    "comp_amount_minor,comp_currency,comp_percent,comp_item,comp_code,"
	    "comp_valid_until,comp_status\n"
	    "x1,lost,O1,1000,refund,800,SEK,100,,,,top-up\n"
	    "x2,lost,O2,100,refund,0,SEK,100,,,,duplicate-subject\n"
	    "l1,late,O1,1000,credit,200,SEK,20,,,,duplicate\n",
	    "a larger entitlement tops up, a smaller one is a "
	    "duplicate-subject, the incident itself a duplicate");
	free(out);
	unlink(ledger);
	pxr_rules_free(R);

	/* Strategies: paid at once, offered, told only; a bad one. */
	R = stagerun_rules(strategies);
	CHECK(R != NULL, "the strategy rules load");
	if (R == NULL)
		UNIT_END();
	out = run(R, ledger, 0, "incident_id,rule,customer_id,how\n"
	    "s1,late,C1,automatic\ns2,late,C2,coaching\n"
	    "s3,late,C3,quick-response\ns4,late,C4,\ns5,late,C5,email\n",
	    &nbad);
	CHECK(strstr(out, "s1,late,C1,automatic,credit,300,SEK,,,,,issued\n")
	    != NULL, "automatic: paid at once: %s", out);
	CHECK(strstr(out, ",2026-11-22T06:00:00Z,offered\n") != NULL &&
	    strstr(out, "s2,late,C2,coaching,credit,300,SEK,,,") != NULL,
	    "coaching: offered with a code for a day: %s", out);
	CHECK(strstr(out, "s3,late,C3,quick-response,none,,,,,,,none\n") !=
	    NULL, "quick-response: no compensation: %s", out);
	CHECK(strstr(out, "s4,late,C4,,credit,300,SEK,,,,,issued\n") != NULL,
	    "no strategy: paid at once");
	CHECK(nbad == 1 && strstr(out, "s5,") == NULL, "an unknown strategy "
	    "is a bad record");
	free(out);
	out = run(R, ledger, 0, "incident_id,rule,customer_id,how\n"
	    "s2,late,C2,coaching\n", NULL);
	CHECK(strstr(out, "s2,late,C2,coaching,credit,300,SEK,,,") != NULL &&
	    strstr(out, ",offered\n") != NULL, "a rerun: still offered, not "
	    "offered again: %s", out);
	free(out);
	unlink(ledger);
	pxr_rules_free(R);
	UNIT_END();
}
