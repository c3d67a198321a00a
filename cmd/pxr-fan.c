/* pxr-fan: the day's picks for an unexpected gesture, on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fan.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-fan -r RULES [--per-day N] [--by FIELD] [--history FILE]\n"
"               [--seed S] [--explain] [options] [INPUT ...]\n";

static const char help[] =
"Pick, for the day of --now, the customers who get an unexpected gesture:\n"
"those the rule file's 'fan.when' admits and no pick within 'fan.cooldown'\n"
"(180d) has reached, ranked by 'fan.score', N a day (per team with --by),\n"
"ties broken from the date and the seed so a rerun picks the same.  Picks\n"
"go to the history file (append-only, locked, synced); a pick already made\n"
"that day comes out again instead of a new one.  The output (fields\n"
"incident_id, rule 'fan', fan_day, fan_team, fan_score, fan_kind,\n"
"fan_item) flows into pxr-notify, which renders fan.template.\n"
"\n"
"      --per-day N     picks a day (default fan.per_day, else 1)\n"
"      --by FIELD      pick per value of this field (default fan.by)\n"
"      --history FILE  the pick history (CSV)\n"
"      --seed S        the tie-break seed (default 0)\n"
"      --explain       say on stderr why each customer was picked or not:\n"
"                      the cooldown, fan.when, the score, the day's room\n"
"\n"
"examples:\n"
"  pxr-fan -r plays.json --history state/fan.csv --now \"$RUN_AT\" < customers.csv \\\n"
"    | pxr-notify -r plays.json --sent-log state/sent.csv\n"
"  pxr-fan -r plays.json --history state/fan.csv --explain < customers.csv \\\n"
"    > /dev/null\n";

int
main(int argc, char **argv)
{
	enum { O_PER = OPT_CMD, O_BY, O_HIST, O_SEED };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "per-day", required_argument, NULL, O_PER },
		{ "by", required_argument, NULL, O_BY },
		{ "history", required_argument, NULL, O_HIST },
		{ "seed", required_argument, NULL, O_SEED },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_fan_opts o = { 0 };
	struct pxr_rules *R;
	struct pxr_mapper *m;
	struct pxr_cli c;
	char *endp;
	int ch;

	pxr_cli_init(&c, argv, "pxr-fan", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_PER:
			o.per_day = strtol(optarg, &endp, 10);
			if (*endp != '\0' || o.per_day < 1 || o.per_day > 10000)
				pxr_cli_usage(&c, "--per-day: a number from 1");
			break;
		case O_BY: o.byfield = optarg; break;
		case O_HIST: o.history = optarg; break;
		case O_SEED:
			o.seed = strtoull(optarg, &endp, 10);
			if (*endp != '\0')
				pxr_cli_usage(&c, "--seed: a whole number");
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	R = pxr_cli_rules(&c);
	o.now = pxr_cli_now(&c, R->tz);
	o.lock_ms = 60000;
	if ((m = pxr_fan_new(&o, R, &c.err)) == NULL) {
		if (c.err.exit == PXR_EXIT_CONFIG)
			pxr_error_at(&c.err, c.rules, 0);
		pxr_rules_free(R);
		pxr_cli_die(&c, &c.err);
	}
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
