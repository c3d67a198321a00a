/* detect_test.c: the detect stage as a mapper, in-process. */
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

#define NOW "2026-11-21T06:00:00Z"

static int64_t
now(void)
{
	struct pxr_error e;
	int64_t t = 0;

	(void)pxr_time_parse(NOW, strlen(NOW), pxr_tz_utc(), &t, NULL, &e);
	return t;
}

/* Run csv through one detect mapper; the output (new), said and nbad. */
static char *
run(struct pxr_rules *R, struct pxr_detect_opts *o, int explain,
    const char *csv, int *nbad, char **said)
{
	struct pxr_error e;
	struct pxr_mapper *m = pxr_detect_new(o, R, &e);

	if (m == NULL)
		return pxr_strdup(e.text);
	m->explain = explain;
	return stagerun_said(m, csv, nbad, said);
}

int
main(void)
{
	static const char *keys[] = { "id" };
	struct pxr_detect_adhoc a = { 0 };
	struct pxr_detect_opts o = { 0 };
	struct pxr_rules *R;
	struct pxr_error e;
	char *out, *said;
	const char *only[] = { "nosuch" };
	int nbad;

	a.expr = "n > 1";
	a.keys = keys;
	a.nkeys = 1;
	a.measure = "n * 10";
	a.unit = "x";
	R = pxr_detect_adhoc(&a, &e);
	CHECK(R != NULL, "an ad-hoc rule compiles");
	if (R == NULL)
		UNIT_END();
	o.now = now();
	out = run(R, &o, 0, "id,n\na,1\nb,2\n", &nbad, NULL);
	CHECK_STR(out, "id,n,incident_id,rule,phase,customer_id,measure,unit,"
	    "event_at,detected_at\nb,2,adhoc:b,adhoc,,,20,x," NOW "," NOW "\n",
	    "one incident for the event that matches, keyed and measured");
	free(out);

	out = run(R, &o, 0, "id,n\na,2\nb,zz\nc,3\n", &nbad, NULL);
	CHECK(nbad == 1, "a measure that is not a number is a bad record (%d)",
	    nbad);
	CHECK(strstr(out, "adhoc:a") != NULL && strstr(out, "adhoc:c") !=
	    NULL, "the records around a bad one go through");
	free(out);

	out = run(R, &o, 1, "id,n\na,1\nb,2\n", &nbad, &said);
	CHECK(strstr(said, "rule adhoc: not fired") != NULL &&
	    strstr(said, "rule adhoc: fired") != NULL,
	    "--explain says fired and not fired through the sayer");
	free(out);
	free(said);

	o.only = only;
	o.nonly = 1;
	CHECK(pxr_detect_new(&o, R, &e) == NULL && e.exit == PXR_EXIT_USAGE,
	    "--rule naming no rule is refused (%s)", e.text);
	pxr_rules_free(R);

	/* A rule file: rules in file order, --rule keeps one. */
	{
		static const char *late[] = { "late" };
		struct pxr_diags d = { 0 };
		const char *path = stagerun_file("{ \"version\": 1, \"rules\": "
		    "[ { \"id\": \"late\", \"when\": \"n > 1\", \"key\": "
		    "[\"id\"] }, { \"id\": \"any\", \"when\": \"true\", "
		    "\"key\": [\"id\"] } ] }", ".json");

		R = pxr_rules_load(path, &d);
		unlink(path);
		pxr_diags_free(&d);
		CHECK(R != NULL, "the rule file loads");
		if (R == NULL)
			UNIT_END();
		o.only = NULL;
		o.nonly = 0;
		out = run(R, &o, 0, "id,n\na,2\n", &nbad, NULL);
		CHECK(strstr(out, "late:a,late") != NULL && strstr(out,
		    "any:a,any") != NULL && strstr(out, "late:a") <
		    strstr(out, "any:a"), "each matching rule, in file order");
		free(out);
		o.only = late;
		o.nonly = 1;
		out = run(R, &o, 0, "id,n\na,2\n", &nbad, NULL);
		CHECK(strstr(out, "any:a") == NULL, "--rule late: only late");
		free(out);
		pxr_rules_free(R);
	}

	a.expr = "n >";
	CHECK(pxr_detect_adhoc(&a, &e) == NULL && e.exit == PXR_EXIT_USAGE &&
	    strncmp(e.text, "-e:", 3) == 0,
	    "an ad-hoc rule that does not compile names its option (%s)",
	    e.text);
	UNIT_END();
}
