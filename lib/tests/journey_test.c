/* journey_test.c: the journey map over a rule file, in-process. */
#include <stdlib.h>
#include <unistd.h>

#include "journey.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

static const char rules[] =
"{ \"version\": 1,\n"
"  \"journey\": { \"name\": \"Trip\", \"phases\": [\n"
"    { \"id\": \"book\" }, { \"id\": \"fly\" }, { \"id\": \"stay\" },\n"
"    { \"id\": \"eat\" }, { \"id\": \"swim\" }, { \"id\": \"home\" } ] },\n"
"  \"rules\": [\n"
"    { \"id\": \"late\", \"phase\": \"fly\", \"when\": \"true\" },\n"
"    { \"id\": \"lost\", \"phase\": \"home\", \"when\": \"true\",\n"
"      \"notify\": { \"template\": \"t\", \"channels\": [\"email\"] } } ] }\n";

static char *
map_text(struct pxr_journey *J, struct pxr_rules *R, int fmt, int *rc)
{
	struct pxr_error e;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	*rc = pxr_journey_write(J, R, fmt, fp, &e);
	fclose(fp);
	return out;
}

int
main(void)
{
	struct pxr_rules *R = stagerun_rules(rules), *none;
	struct pxr_journey *J = pxr_journey_new();
	char *out;
	int rc;

	CHECK(R != NULL, "the rule file loads");
	if (R == NULL)
		UNIT_END();
	pxr_journey_count(J, "late", 4, "late:1", 6, "c1", 2);
	pxr_journey_count(J, "late", 4, "late:1", 6, "c1", 2);
	pxr_journey_count(J, "late", 4, "late:2", 6, "c1", 2);
	pxr_journey_count(J, "lost", 4, NULL, 0, NULL, 0);
	out = map_text(J, R, PXR_JOURNEY_TEXT, &rc);
	CHECK(rc == 0 && strstr(out, "proactively managed: 1 of 6 phases\n") !=
	    NULL, "the headline");
	CHECK(strstr(out, "fly    partial            2  late (d)\n") != NULL,
	    "an incident of two rows counts once: %s", out);
	free(out);
	out = map_text(J, R, PXR_JOURNEY_DOT, &rc);
	CHECK(strstr(out, "p4 -> p5 [constraint=false];\n") != NULL &&
	    strstr(out, "p0 -> p5 [style=invis];\n") != NULL, "the sixth "
	    "phase wraps under the first");
	CHECK(strstr(out, "subgraph cluster_legend") != NULL &&
	    strstr(out, "p5 -> l0 [style=invis];\n") != NULL, "a legend "
	    "under the last row");
	free(out);
	/* Customers: once a phase; the phase with more incidents first. */
	pxr_journey_count(J, "lost", 4, "lost:2", 6, "c2", 2);
	pxr_journey_count(J, "lost", 4, "lost:3", 6, "c2", 2);
	out = map_text(J, R, PXR_JOURNEY_TEXT, &rc);
	CHECK(strstr(out, "\nwhere problems arise now:\nrank  phase  "
	    "incidents  customers\n   1  home           3          1\n"
	    "   2  fly            2          1\n") != NULL, "the ranking: %s",
	    out);
	free(out);
	CHECK(pxr_journey_format("dot") == PXR_JOURNEY_DOT &&
	    pxr_journey_format("png") == -1, "format names");
	none = stagerun_rules("{ \"version\": 1, \"rules\": [] }");
	out = map_text(J, none, PXR_JOURNEY_TEXT, &rc);
	CHECK(rc == -1, "no journey: an error, nothing written");
	free(out);
	pxr_rules_free(none);
	pxr_journey_free(J);
	pxr_rules_free(R);
	UNIT_END();
}
