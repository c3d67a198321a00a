/* pxr-compensate: decide each incident's compensation, exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compensate.h"
#include "money.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-compensate -r RULES --ledger FILE [--lock-timeout DURATION]\n"
"                      [--run-id ID] [--acceptances FILE] [--dry-run]\n"
"                      [--currency CODE] [--explain]\n"
"                      [options] [INPUT ...]\n";

static const char help[] =
"Give each tiered incident the first compensation entry of its rule that\n"
"matches, compute the amount in integer minor units, apply the customer\n"
"and batch limits, and record it in the ledger.  An incident already in\n"
"the ledger comes out as 'duplicate' with the ledger's values, so a rerun\n"
"never pays twice and still tells the customer.  A rule's subject (an\n"
"order, say) is paid at most its largest entitlement across rules and\n"
"nights: 'top-up' pays the difference, 'duplicate-subject' nothing.\n"
"A customer whose strategy (notify.fields.strategy) is advisory or\n"
"coaching is 'offered' it instead, with a code and an expiry: booked as\n"
"issued once, when --acceptances names the code before the expiry.\n"
"\n"
"      --ledger FILE         the ledger (CSV, append-only; created 0600)\n"
"      --lock-timeout DUR    wait this long for the ledger's lock (60s)\n"
"      --run-id ID           the run's id in the ledger's evidence (also\n"
"                            $PXR_RUN_ID; default: the --now time)\n"
"      --acceptances FILE    offers accepted: CSV with code, accepted_at\n"
"      --dry-run             compute everything, write no state\n"
"      --currency CODE       instead of defaults.currency: the currency of\n"
"                            an incident without one, and of the rules'\n"
"                            fixed amounts and limits (ad-hoc campaigns)\n"
"      --explain             say on stderr which entry, cap, budget or\n"
"                            approval limit decided each incident\n"
"\n"
"examples:\n"
"  pxr-threshold -r plays.json < incidents.csv \\\n"
"    | pxr-compensate -r plays.json --ledger state/ledger.csv --now \"$RUN_AT\"\n"
"  pxr-compensate -r plays.json --ledger state/ledger.csv \\\n"
"    --acceptances accepted.csv < /dev/null\n"
"  pxr-compensate -r plays.json --ledger state/ledger.csv --dry-run \\\n"
"    --explain < tiered.csv > /dev/null\n";

/* The acceptances file: code, accepted_at a row, under --on-error. */
static struct pxr_acceptance *
read_acceptances(struct pxr_cli *c, const char *path, struct pxr_tz *tz,
    size_t *n)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in = pxr_cli_sidein(c, path, sch);
	struct pxr_acceptance *v = NULL;
	struct pxr_buf where = { 0 };
	struct pxr_rec rec;
	size_t fc, fa, cap = 0;

	fc = pxr_schema_ref(sch, "code", 4);
	fa = pxr_schema_ref(sch, "accepted_at", 11);
	pxr_rec_init(&rec, sch);
	*n = 0;
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const struct pxr_val *cv = pxr_rec_get(&rec, fc),
		    *av = pxr_rec_get(&rec, fa);
		int64_t t;

		if (PXR_ISNULL(cv) || cv->n == 0 || PXR_ISNULL(av) ||
		    pxr_time_parse(av->s, av->n, tz, &t, NULL, &c->err) < 0) {
			pxr_error_set(&c->err, PXR_EXIT_DATAERR, "an acceptance "
			    "needs a code and an accepted_at time");
			pxr_cli_sidein_bad(c, in, &rec);
			continue;
		}
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = pxr_reallocarray(v, cap, sizeof(*v));
		}
		pxr_buf_reset(&where);
		pxr_buf_printf(&where, "%s:%ld", path, rec.line);
		v[*n].code = pxr_strndup(cv->s, cv->n);
		v[*n].at = t;
		v[(*n)++].where = pxr_strdup(where.p);
	}
	pxr_buf_free(&where);
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
	return v;
}

int
main(int argc, char **argv)
{
	enum { O_LEDGER = OPT_CMD, O_LOCK, O_DRY, O_RUN, O_ACC, O_CUR };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "ledger", required_argument, NULL, O_LEDGER },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "acceptances", required_argument, NULL, O_ACC },
		{ "run-id", required_argument, NULL, O_RUN },
		{ "currency", required_argument, NULL, O_CUR },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_compensate_opts o = { 0 };
	struct pxr_rules *R;
	struct pxr_mapper *m;
	struct pxr_cli c;
	const char *acc = NULL, *cur = NULL, *now;
	int ch, year;

	o.lock_ms = 60000;
	o.run_id = getenv("PXR_RUN_ID");
	pxr_cli_init(&c, argv, "pxr-compensate", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_LEDGER: o.ledger = optarg; break;
		case O_LOCK: o.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		case O_DRY: o.dry_run = 1; break;
		case O_RUN: o.run_id = optarg; break;
		case O_ACC: acc = optarg; break;
		case O_CUR: cur = optarg; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (o.ledger == NULL)
		pxr_cli_usage(&c, "--ledger FILE is required (with --dry-run "
		    "it is only read)");
	if (cur != NULL && (now = pxr_currency_successor(cur, &year)) != NULL)
		pxr_cli_usage(&c, "--currency: '%s' was withdrawn from ISO 4217 "
		    "in %d: use %s", cur, year, now);
	if (cur != NULL && (strlen(cur) != 3 ||
	    pxr_currency_exponent(cur) < 0))
		pxr_cli_usage(&c, "--currency: '%s' is not an ISO 4217 code "
		    "such as SEK", cur);
	R = pxr_cli_rules(&c);
	if (cur != NULL) {
		free(R->currency);
		R->currency = pxr_strdup(cur);	/* R owns it */
	}
	o.now = pxr_cli_now(&c, R->tz);
	if (acc != NULL)
		o.acceptances = read_acceptances(&c, acc, R->tz,
		    &o.nacceptances);
	if ((m = pxr_compensate_new(&o, R, &c.err)) == NULL)
		pxr_cli_die(&c, &c.err);
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
