/* join_test.c: the join stage as a mapper, in-process. */
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "stagerun.h"
#include "unit.h"

static int nunmatched;

static int
count_unmatched(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	(void)arg;
	(void)err;
	if (rec != NULL)
		nunmatched++;
	return 0;
}

/* Join csv with the lookup text; the output (new) and what was said. */
static char *
run(const char *lookup, struct pxr_join_opts *o, const char *csv,
    char **said)
{
	struct pxr_error e;
	struct pxr_mapper *m;
	o->file = pxr_strdup(stagerun_file(lookup, ".csv"));
	m = pxr_join_new(o, &e);
	unlink(o->file);
	free((char *)o->file);
	if (m == NULL)
		return pxr_strdup(e.text);
	return stagerun_said(m, csv, NULL, said);
}

int
main(void)
{
	static const char cust[] = "customer_id,postcode\nC1,11455\n"
	    "C2,SE-222\nC3,11455\n";
	static const char outages[] = "outage_id,postcode\nO1,114 55\n"
	    "O2,se-222\nO3,99999\n";
	struct pxr_join_opts o;
	char *out, *said;

	memset(&o, 0, sizeof(o));
	o.on = "postcode";
	out = run(cust, &o, "outage_id,postcode\nO1,11455\n", NULL);
	CHECK_STR(out, "outage_id,postcode,customer_id\nO1,11455,C1\n"
	    "O1,11455,C3\n", "every matching row, in the file's order");
	free(out);

	out = run(cust, &o, outages, &said);
	CHECK_STR(out, "", "byte for byte: '114 55' is not '11455'");
	CHECK(strstr(said, "3 stream rows found no match") != NULL,
	    "the unmatched rows are counted (%s)", said);
	free(out);
	free(said);

	o.normalize = 1;
	o.unmatched.emit = count_unmatched;
	out = run(cust, &o, outages, &said);
	CHECK_STR(out, "outage_id,postcode,customer_id\nO1,114 55,C1\n"
	    "O1,114 55,C3\nO2,se-222,C2\n",
	    "--normalize: white space dropped, case folded, keys kept");
	CHECK(nunmatched == 1 && strstr(said, "1 stream row found no match")
	    != NULL, "the one row without a match goes to unmatched (%d)",
	    nunmatched);
	free(out);
	free(said);

	o.normalize = 0;
	o.unmatched.emit = NULL;
	o.left = 1;
	out = run(cust, &o, "outage_id,postcode\nO3,1\n", NULL);
	CHECK_STR(out, "outage_id,postcode,customer_id\nO3,1,\n",
	    "--left keeps a row without a match, new fields null");
	free(out);

	o.fkey = "zip";
	out = run(cust, &o, "outage_id,postcode\nO3,1\n", NULL);
	CHECK(strstr(out, "no key field 'zip'") != NULL,
	    "a lookup file without the key field is refused (%s)", out);
	free(out);
	UNIT_END();
}
