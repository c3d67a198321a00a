/* pxr-threshold: tier incidents, drop the ones that do not matter, group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rules.h"
#include "threshold.h"

static const char usage[] =
"usage: pxr-threshold -r RULES [--keep-untiered] [--window-store FILE]\n"
"                     [--lock-timeout DURATION] [options] [INPUT ...]\n";

static const char help[] =
"Give each incident (from pxr-detect) the first tier of its rule whose\n"
"bounds hold its measure: fields tier and tier_rank.  Incidents that match\n"
"no tier are dropped; incidents of a rule with 'group' become one per\n"
"group and window (measure: the aggregate, plus group_count); incidents\n"
"inhibited by another rule's incident for the same customer are dropped.\n"
"A window store keeps what earlier nights saw, so that their incidents\n"
"count in groups and inhibit (within a window) on later nights.\n"
"\n"
"      --keep-untiered       keep incidents that match no tier (empty tier)\n"
"      --window-store FILE   groups and inhibitions across nights (CSV,\n"
"                            append-only; created 0600)\n"
"      --lock-timeout DUR    wait this long for the store's lock (60s)\n"
"      --explain             say on stderr why each incident was tiered,\n"
"                            dropped, grouped or inhibited\n"
"\n"
"examples:\n"
"  pxr-detect -r plays.json < events.csv \\\n"
"    | pxr-threshold -r plays.json --window-store state/windows.csv\n"
"  pxr-threshold -r plays.json --explain < incidents.csv > /dev/null\n";

int
main(int argc, char **argv)
{
	enum { O_KEEP = OPT_CMD, O_STORE, O_LOCK };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "keep-untiered", no_argument, NULL, O_KEEP },
		{ "window-store", required_argument, NULL, O_STORE },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_threshold_opts o = { 0 };
	struct pxr_cli c;
	struct pxr_mapper *m;
	int ch;

	o.lock_ms = 60000;
	pxr_cli_init(&c, argv, "pxr-threshold", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_KEEP: o.keep_untiered = 1; break;
		case O_STORE: o.window_store = optarg; break;
		case O_LOCK: o.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if ((m = pxr_threshold_new(&o, pxr_cli_rules(&c), &c.err)) == NULL)
		pxr_cli_die(&c, &c.err);
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
