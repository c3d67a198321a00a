/* threshold_test.c: the threshold stage as a mapper, in-process. */
#include <stdlib.h>
#include <unistd.h>

#include "rules.h"
#include "stagerun.h"
#include "threshold.h"
#include "unit.h"

static const char tiers[] =
"{ \"version\": 1, \"rules\": [\n"
"  { \"id\": \"late\", \"when\": \"true\", \"tiers\": [\n"
"    { \"name\": \"low\", \"min\": 60, \"max\": 120 },\n"
"    { \"name\": \"high\", \"min\": 120 } ] },\n"
"  { \"id\": \"outage\", \"when\": \"true\", \"inhibits\": [\"slow\"],\n"
"    \"tiers\": [ { \"name\": \"long\", \"min\": 2 } ] },\n"
"  { \"id\": \"slow\", \"when\": \"true\" },\n"
"  { \"id\": \"drops\", \"when\": \"true\", \"group\": { \"by\": "
"[\"customer_id\"], \"window\": \"calendar-month\", \"aggregate\": \"count\" },\n"
"    \"tiers\": [ { \"name\": \"many\", \"min\": 3 } ] },\n"
"  { \"id\": \"roll\", \"when\": \"true\", \"group\": { \"by\": "
"[\"customer_id\"], \"window\": \"30d\" },\n"
"    \"tiers\": [ { \"name\": \"many\", \"min\": 3 } ] }\n"
"] }\n";

static char *
run(struct pxr_rules *R, int keep, const char *csv, int *nbad)
{
	struct pxr_threshold_opts o = { keep, NULL, 0 };
	struct pxr_error e;

	return stagerun_one(pxr_threshold_new(&o, R, &e), csv, nbad);
}

int
main(void)
{
	struct pxr_rules *R = stagerun_rules(tiers);
	char *out;
	int nbad;

	CHECK(R != NULL, "the rule file loads");
	if (R == NULL)
		UNIT_END();
	out = run(R, 0, "incident_id,rule,measure\n"
	    "a,late,59\nb,late,60\nc,late,120\nd,slow,1\n", &nbad);
	CHECK_STR(out, "incident_id,rule,measure,tier,tier_rank,group_count\n"
	    "b,late,60,low,1,\nc,late,120,high,2,\nd,slow,1,default,1,\n",
	    "bounds: min inclusive, max exclusive; below every tier dropped");
	free(out);
	out = run(R, 1, "incident_id,rule,measure\na,late,59\n", &nbad);
	CHECK_STR(out, "incident_id,rule,measure,tier,tier_rank,group_count\n"
	    "a,late,59,,,\n",
	    "--keep-untiered keeps it with an empty tier");
	free(out);
	out = run(R, 0, "incident_id,rule,measure\na,nosuch,1\nb,late,abc\n"
	    "c,late,70\n", &nbad);
	CHECK(nbad == 2, "an unknown rule and a bad measure are bad records "
	    "(%d)", nbad);
	CHECK_STR(out, "incident_id,rule,measure,tier,tier_rank,group_count\n"
	    "c,late,70,low,1,\n", "the good record goes on");
	free(out);
	out = run(R, 0, "incident_id,rule,customer_id,measure,event_at\n"
	    "o1,outage,C1,3,2026-10-01T10:00:00Z\n"
	    "s1,slow,C1,1,2026-10-01T10:00:00Z\n"
	    "s2,slow,C2,1,2026-10-01T10:00:00Z\n"
	    "o2,outage,C3,1,2026-10-01T10:00:00Z\n"
	    "s3,slow,C3,1,2026-10-01T10:00:00Z\n", NULL);
	CHECK_STR(out, "incident_id,rule,customer_id,measure,event_at,"
	    "tier,tier_rank,group_count\n"
	    "o1,outage,C1,3,2026-10-01T10:00:00Z,long,1,\n"
	    "s2,slow,C2,1,2026-10-01T10:00:00Z,default,1,\n"
	    "s3,slow,C3,1,2026-10-01T10:00:00Z,default,1,\n",
	    "a tiered outage inhibits the customer's slow incident; an "
	    "untiered one does not");
	free(out);
	out = run(R, 0, "incident_id,rule,customer_id,measure,event_at\n"
	    "d1,drops,C1,1,2026-10-02T10:00:00Z\n"
	    "d2,drops,C1,1,2026-10-03T10:00:00Z\n"
	    "d3,drops,C1,1,2026-10-04T10:00:00Z\n"
	    "d4,drops,C2,1,2026-10-04T10:00:00Z\n", NULL);
	CHECK_STR(out, "incident_id,rule,customer_id,measure,event_at,"
	    "tier,tier_rank,group_count\n"
	    "drops:C1:2026-10-01,drops,C1,3,2026-10-04T10:00:00Z,many,1,3\n",
	    "three drops in a month are one grouped incident; one is not");
	free(out);
	out = run(R, 0, "incident_id,rule,customer_id,measure,event_at\n"
	    "r1,roll,C1,1,2026-10-02T10:00:00Z\n"
	    "r2,roll,C1,1,2026-10-03T10:00:00Z\n"
	    "r3,roll,C1,1,2026-10-04T10:00:00Z\n"
	    "r4,roll,C1,1,2026-10-05T10:00:00Z\n"
	    "r5,roll,C2,1,2026-09-01T10:00:00Z\n"
	    "r6,roll,C2,1,2026-10-01T10:00:00Z\n"
	    "r7,roll,C2,1,2026-10-01T10:00:01Z\n", NULL);
	CHECK_STR(out, "incident_id,rule,customer_id,measure,event_at,"
	    "tier,tier_rank,group_count\n"
	    "roll:C1:20261002T100000Z,roll,C1,3,2026-10-04T10:00:00Z,many,1,3\n",
	    "a rolling 30d window: 2-4 October is one group, 5 October "
	    "starts afresh; 1 September is 30 days and 1 s before the third");
	free(out);
	pxr_rules_free(R);
	UNIT_END();
}
