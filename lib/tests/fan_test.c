/* fan_test.c: the fan stage as a mapper, in-process. */
#include <stdlib.h>
#include <unistd.h>

#include "fan.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

static const char rules[] =
"{ \"version\": 1, \"rules\": [],\n"
"  \"fan\": { \"when\": \"ok == 'yes'\", \"score\": \"num(points)\",\n"
"    \"cooldown\": \"10d\", \"per_day\": 1, \"by\": \"team\",\n"
"    \"kind\": \"gift\", \"item\": \"flowers\" } }\n";

static const char customers[] =
"customer_id,team,points,ok\n"
"C1,north,5,yes\n"
"C2,north,9,yes\n"
"C3,south,7,no\n"
"C4,south,3,yes\n"
"C5,south,3,yes\n";

#define NOV21 1795262400000000LL	/* 2026-11-21T12:00:00Z */
#define DAY 86400000000LL

static char *
run(struct pxr_rules *R, const char *hist, int64_t now, long per_day)
{
	struct pxr_fan_opts o = { 0 };
	struct pxr_error e;
	struct pxr_mapper *m;

	o.history = hist;
	o.now = now;
	o.per_day = per_day;
	if ((m = pxr_fan_new(&o, R, &e)) == NULL) {
		printf("# %s\n", e.text);
		return pxr_strdup("");
	}
	return stagerun_one(m, customers, NULL);
}

int
main(void)
{
	struct pxr_rules *R = stagerun_rules(rules), *none;
	char hist[] = "/tmp/pxr-fan-test-XXXXXX";
	struct pxr_error e;
	char *out, *again;
	int fd;

	CHECK(R != NULL, "the rule file loads");
	if (R == NULL)
		UNIT_END();
	out = run(R, NULL, NOV21, 0);
	CHECK(strstr(out, "C2,north,9,yes,fan:2026-11-21:C2,fan,2026-11-21,"
	    "north,9,gift,flowers\n") != NULL, "the best of north: C2");
	CHECK(strstr(out, "C3,") == NULL, "fan.when keeps C3 out");
	CHECK(strstr(out, "C1,") == NULL, "one a day per team");
	CHECK((strstr(out, "C4,") != NULL) != (strstr(out, "C5,") != NULL),
	    "a tie in the south: exactly one of C4 and C5");
	free(out);
	out = run(R, NULL, NOV21, 2);
	CHECK(strstr(out, "C1,") != NULL && strstr(out, "C4,") != NULL &&
	    strstr(out, "C5,") != NULL, "two a day: C1, C4 and C5 too");
	free(out);

	if ((fd = mkstemp(hist)) >= 0)
		close(fd);
	unlink(hist);
	out = run(R, hist, NOV21, 0);
	again = run(R, hist, NOV21, 0);
	CHECK(strcmp(out, again) == 0, "a rerun the same day picks the same");
	free(again);
	again = run(R, hist, NOV21 + DAY, 0);
	CHECK(strstr(again, "C2,") == NULL && strstr(again, "C1,north") !=
	    NULL, "the next day C2 is in its cooldown: C1");
	free(again);
	again = run(R, hist, NOV21 + 11 * DAY, 0);
	CHECK(strstr(again, "C2,north") != NULL, "after the cooldown C2 again");
	free(again);
	free(out);
	unlink(hist);

	none = stagerun_rules("{ \"version\": 1, \"rules\": [] }");
	CHECK(none != NULL && pxr_fan_new(&(struct pxr_fan_opts){ 0 }, none,
	    &e) == NULL && e.exit == PXR_EXIT_CONFIG, "no fan section: 78");
	pxr_rules_free(none);
	pxr_rules_free(R);
	UNIT_END();
}
