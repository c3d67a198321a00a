/* pxr-map: the customer journey and how each phase is watched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fields.h"
#include "journey.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-map -r RULES [--incidents FILE] [--format text|csv|json|dot]\n";

static const char help[] =
"List every phase of the rule file's journey, in order, with the rules\n"
"that watch it, what each does (detected, tiered, compensated, notified),\n"
"the phase's coverage (proactive: a rule tells the customer; partial:\n"
"detected only; none), its description, owner, the customer's needs\n"
"(rational, emotional), motivation (choice, recommendation), touchpoints\n"
"and risks, and the headline 'proactively managed: N of M phases'.  With\n"
"--incidents, the incidents and customers of each phase and the phases\n"
"ranked by them: where problems arise now.  --format dot draws the\n"
"journey for Graphviz (dot -Tsvg) in rows of five phases, with a legend,\n"
"each phase filled by its incidents.\n"
"\n"
"      --incidents FILE   any stage's output: incidents and customers\n"
"                         counted by rule and phase (repeatable)\n"
"      --format F         text (default), csv, json or dot\n"
"\n"
"example:\n"
"  pxr-map -r plays.json --incidents tonight.csv --format dot | dot -Tsvg > map.svg\n"
"  pxr-map -r plays.json --incidents tonight.csv | tail -6\n";

/* Count one incidents file's incidents by rule, under --on-error. */
static void
read_incidents(struct pxr_cli *c, const char *path, struct pxr_journey *J)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in;
	struct pxr_rec rec;
	size_t fr, fi, fc;

	in = pxr_cli_sidein(c, path, sch);
	pxr_rec_init(&rec, sch);
	fr = pxr_field_ref(sch, PXR_F_RULE);
	fi = pxr_field_ref(sch, PXR_F_INCIDENT_ID);
	fc = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	pxr_journey_counting(J);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const struct pxr_val *rv = pxr_rec_get(&rec, fr),
		    *iv = pxr_rec_get(&rec, fi), *cv = pxr_rec_get(&rec, fc);

		if (PXR_ISNULL(rv))
			continue;
		pxr_journey_count(J, rv->s, rv->n, PXR_ISNULL(iv) ? NULL :
		    iv->s, PXR_ISNULL(iv) ? 0 : iv->n, PXR_ISNULL(cv) ? NULL :
		    cv->s, PXR_ISNULL(cv) ? 0 : cv->n);
	}
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
}

int
main(int argc, char **argv)
{
	enum { O_INC = OPT_CMD, O_FORMAT };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "incidents", required_argument, NULL, O_INC },
		{ "format", required_argument, NULL, O_FORMAT },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_journey *J = pxr_journey_new();
	struct pxr_rules *R;
	struct pxr_cli c;
	int ch, fmt = PXR_JOURNEY_TEXT;

	pxr_cli_init(&c, argv, "pxr-map", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_INC:
			/* Repeatable: every file's incidents count. */
			read_incidents(&c, optarg, J);
			break;
		case O_FORMAT:
			if ((fmt = pxr_journey_format(optarg)) < 0)
				pxr_cli_usage(&c, "--format: expected text, "
				    "csv, json or dot, got '%s'", optarg);
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (optind < argc)
		pxr_cli_usage(&c, "unexpected argument '%s'", argv[optind]);
	R = pxr_cli_rules(&c);
	if (pxr_journey_write(J, R, fmt, stdout, &c.err) < 0) {
		if (c.err.exit == PXR_EXIT_CONFIG)
			pxr_error_at(&c.err, c.rules, 0);
		pxr_journey_free(J);
		pxr_rules_free(R);
		pxr_cli_die(&c, &c.err);
	}
	pxr_journey_free(J);
	pxr_rules_free(R);
	pxr_cli_exit(&c, 0);
}
