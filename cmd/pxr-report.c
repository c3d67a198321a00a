/* pxr-report: what a night found, cost, sent, and whether we were first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static const char usage[] =
"usage: pxr-report [--complaints FILE] [--format text|csv|json|svg|html]\n"
"                  [--from TIME] [--to TIME] [--locale LOCALE] [--title TEXT]\n"
"                  [--silent-ratio N] [--purchases FILE]\n"
"                  [--repurchase-within DURATION] [INPUT ...]\n";

static const char help[] =
"Summarise a run from any mix of stage outputs, ledgers, sent logs and\n"
"outboxes (recognised by their columns): totals; incidents by phase, rule\n"
"and tier; compensation by kind and currency (count, sum, mean, max) and\n"
"gestures that are no money; messages by channel, locale and status;\n"
"messages expired from the outbox by why they waited; a line per night;\n"
"the compensations paid and told, and each one paid and not told: with a\n"
"permanent reason (no address, no consent, opt-out, expired from the\n"
"outbox) or not yet (what it waits in); and with --complaints\n"
"(customer_id, complained_at) the first-contact rate: the share of\n"
"incidents whose customer heard from us before complaining, or never\n"
"complained, and the silent-unhappy estimate (the customers who complained\n"
"times the ratio: only 1 in 26 unhappy customers complains); with\n"
"--purchases (customer_id, purchased_at) the share of customers who bought\n"
"again within 90 days of an incident, recovered (paid or told) against\n"
"not recovered, per rule, with a chart in SVG and HTML; with the\n"
"redemptions of pxr-ledger redeem (redeemed.csv) and the ledger, the\n"
"vouchers issued and redeemed, and the rate, per rule and tier.\n"
"\n"
"      --complaints FILE  a complaints export\n"
"      --format F         text (default), csv, json, svg or html\n"
"      --from TIME        only what happened at or after TIME\n"
"      --to TIME          only what happened before TIME\n"
"      --locale L         how money and dates are written (default en)\n"
"      --title TEXT       the report's title (default: the nights covered)\n"
"      --silent-ratio N   1 in N unhappy customers complains (default 26)\n"
"      --purchases FILE   purchases: customer_id, purchased_at\n"
"      --repurchase-within DURATION\n"
"                         a purchase this long after an incident counts\n"
"                         (default 90d; whole days are calendar days)\n"
"\n"
"examples:\n"
"  pxr-report --complaints complaints.csv --format html \\\n"
"      compensated.csv state/sent.csv > report.html\n"
"  pxr-report ledger.csv messages.csv sent.csv outbox.csv\n"
"  pxr-report --complaints complaints.csv --purchases purchases.csv \\\n"
"      --repurchase-within 30d --format html incidents.csv sent.csv\n";

/* Read one input into the report under --on-error. */
static void
read_input(struct pxr_cli *c, struct pxr_report *R, const char *path,
    int kind)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in = pxr_cli_sidein(c, path, sch);
	struct pxr_report_src *src = pxr_report_src_new(R, sch, kind);
	struct pxr_rec rec;
	int rc;

	pxr_rec_init(&rec, sch);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		if ((rc = pxr_report_add(src, &rec, &c->err)) == -2) {
			pxr_error_at(&c->err, path, 0);
			pxr_cli_die(c, &c->err);
		}
		if (rc < 0)
			pxr_cli_sidein_bad(c, in, &rec);
	}
	pxr_rec_fini(&rec);
	pxr_report_src_free(src);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
}

static int64_t
time_opt(struct pxr_cli *c, const char *opt, const char *arg)
{
	struct pxr_error e;
	int64_t t;

	if (pxr_time_parse(arg, strlen(arg), pxr_tz_env(), &t, NULL, &e) < 0)
		pxr_cli_usage(c, "%s: %s", opt, e.text);
	return t;
}

int
main(int argc, char **argv)
{
	enum { O_COMPL = OPT_CMD, O_FORMAT, O_LOCALE, O_TITLE, O_FROM, O_TO,
		O_RATIO, O_PURCH, O_WITHIN };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "complaints", required_argument, NULL, O_COMPL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "locale", required_argument, NULL, O_LOCALE },
		{ "title", required_argument, NULL, O_TITLE },
		{ "silent-ratio", required_argument, NULL, O_RATIO },
		{ "purchases", required_argument, NULL, O_PURCH },
		{ "repurchase-within", required_argument, NULL, O_WITHIN },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_report_opts o = { NULL, NULL, NULL, INT64_MIN, INT64_MAX,
		26, 90 * PXR_US_DAY };
	struct pxr_report *R;
	struct pxr_cli c;
	struct pxr_error e;
	const char *complfile = NULL, *purchfile = NULL;
	char *end;
	long n;
	int ch, fmt = PXR_REPORT_TEXT, a;

	pxr_cli_init(&c, argv, "pxr-report", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_COMPL: complfile = optarg; break;
		case O_FORMAT:
			if ((fmt = pxr_report_format(optarg)) < 0)
				pxr_cli_usage(&c, "--format: expected text, "
				    "csv, json, svg or html, got '%s'", optarg);
			break;
		case O_FROM: o.from = time_opt(&c, "--from", optarg); break;
		case O_TO: o.to = time_opt(&c, "--to", optarg); break;
		case O_LOCALE: o.locale = optarg; break;
		case O_TITLE: o.title = optarg; break;
		case O_RATIO:
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || n < 1 || n > 1000)
				pxr_cli_usage(&c, "--silent-ratio: expected a "
				    "whole number from 1 to 1000, got '%s'",
				    optarg);
			o.silent_ratio = (int)n;
			break;
		case O_PURCH: purchfile = optarg; break;
		case O_WITHIN:
			if (pxr_dur_parse(optarg, strlen(optarg), &o.within,
			    &e) < 0)
				pxr_cli_usage(&c, "--repurchase-within: %s",
				    e.text);
			if (o.within <= 0)
				pxr_cli_usage(&c, "--repurchase-within: expected "
				    "a duration above 0, got '%s'", optarg);
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (o.from >= o.to)
		pxr_cli_usage(&c, "--from must come before --to");
	o.tz = pxr_tz_env();
	R = pxr_report_new(&o);
	if (optind == argc)
		read_input(&c, R, "-", PXR_REPORT_SRC_ANY);
	for (a = optind; a < argc; a++)
		read_input(&c, R, argv[a], PXR_REPORT_SRC_ANY);
	if (complfile != NULL)
		read_input(&c, R, complfile, PXR_REPORT_SRC_COMPLAINTS);
	if (purchfile != NULL)
		read_input(&c, R, purchfile, PXR_REPORT_SRC_PURCHASES);
	if (pxr_report_finish(R, &c.err) < 0 ||
	    pxr_report_write(R, fmt, stdout, &c.err) < 0)
		pxr_cli_die(&c, &c.err);
	pxr_report_free(R);
	pxr_cli_exit(&c, 0);
}
