/* pxr-detect: turn events into incidents, one per (event, matching rule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "detect.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-detect -r RULES [--rule ID ...] [--strict] [options] [INPUT ...]\n"
"       pxr-detect -e EXPR [--id ID] [--key EXPR ...] [--customer EXPR]\n"
"                  [--at EXPR] [--measure EXPR] [--unit UNIT] [--phase PHASE]\n"
"                  [options] [INPUT ...]\n";

static const char help[] =
"Evaluate each rule's 'when' on every event and write one incident per\n"
"(event, matching rule): the event's fields, then incident_id, rule, phase,\n"
"customer_id (when absent), measure, unit, event_at, detected_at.\n"
"\n"
"      --rule ID        only this rule (repeatable)\n"
"      --strict         a rule reading a field the CSV header lacks is an\n"
"                       error (65), not a warning\n"
"  -e, --expr EXPR      an ad-hoc rule: its condition (no rule file); a\n"
"                       field the CSV header lacks is an error (65)\n"
"      --id ID          its id (default: adhoc)\n"
"      --key EXPR       its key expressions (repeatable; default: every field)\n"
"      --customer EXPR, --at EXPR, --measure EXPR, --unit UNIT, --phase PHASE\n"
"      --explain        say on stderr why each rule fired or not\n"
"\n"
"examples:\n"
"  pxr-detect -r plays.json --now 2026-11-21T06:00:00Z < deliveries.csv\n"
"  pxr-detect -e 'delivered_at - promised_at > 1d' --id late --key order_id \\\n"
"      --measure 'hours(delivered_at - promised_at)' < deliveries.csv\n";

/* Append p to the vector *v of *n strings. */
static void
push(const char ***v, size_t *n, const char *p)
{
	*v = pxr_reallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = p;
}

int
main(int argc, char **argv)
{
	enum { O_RULE = OPT_CMD, O_ID, O_KEY, O_CUST, O_AT, O_MEASURE,
	    O_UNIT, O_PHASE, O_STRICT };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "rule", required_argument, NULL, O_RULE },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "expr", required_argument, NULL, 'e' },
		{ "id", required_argument, NULL, O_ID },
		{ "key", required_argument, NULL, O_KEY },
		{ "customer", required_argument, NULL, O_CUST },
		{ "at", required_argument, NULL, O_AT },
		{ "measure", required_argument, NULL, O_MEASURE },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "phase", required_argument, NULL, O_PHASE },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_detect_opts o;
	struct pxr_detect_adhoc a;
	struct pxr_rules *R;
	struct pxr_mapper *m;
	struct pxr_cli c;
	const char **only = NULL, **keys = NULL;
	int ch;

	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	pxr_cli_init(&c, argv, "pxr-detect", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT "e:", longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case 'e': a.expr = optarg; break;
		case O_RULE: push(&only, &o.nonly, optarg); break;
		case O_STRICT: o.strict = 1; break;
		case O_ID: a.id = optarg; break;
		case O_KEY: push(&keys, &a.nkeys, optarg); break;
		case O_CUST: a.customer = optarg; break;
		case O_AT: a.at = optarg; break;
		case O_MEASURE: a.measure = optarg; break;
		case O_UNIT: a.unit = optarg; break;
		case O_PHASE: a.phase = optarg; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	o.only = only;
	a.keys = keys;
	if (a.expr != NULL && c.rules != NULL && getenv("PXR_RULES") == NULL)
		pxr_cli_usage(&c, "-e and -r go separately: an ad-hoc rule or "
		    "a rule file");
	if (a.expr == NULL && (a.id != NULL || a.nkeys > 0 ||
	    a.customer != NULL || a.at != NULL || a.measure != NULL ||
	    a.unit != NULL || a.phase != NULL))
		pxr_cli_usage(&c, "--id, --key, --customer, --at, --measure, "
		    "--unit and --phase go with -e");
	if (a.id != NULL && strchr(a.id, ':') != NULL)
		pxr_cli_usage(&c, "--id: no ':' in an id");
	if (a.expr != NULL) {
		if ((R = pxr_detect_adhoc(&a, &c.err)) == NULL)
			pxr_cli_die(&c, &c.err);
		o.adhoc = 1;
	} else {
		if (c.rules == NULL)
			pxr_cli_usage(&c, "give a rule file (-r RULES or "
			    "$PXR_RULES) or an expression (-e EXPR)");
		R = pxr_cli_rules(&c);
	}
	o.now = pxr_cli_now(&c, R->tz);
	if ((m = pxr_detect_new(&o, R, &c.err)) == NULL) {
		pxr_rules_free(R);
		pxr_cli_usage(&c, "%s", c.err.text);
	}
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
