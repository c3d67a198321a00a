/* pxr-join: join a record stream with a lookup file held in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "join.h"

static const char usage[] =
"usage: pxr-join -f FILE --on KEY [--file-key KEY] [--left] [--normalize]\n"
"                [--unmatched FILE] [--explain] [options] [INPUT ...]\n";

static const char help[] =
"Join each record of the stream with the rows of FILE whose key is equal,\n"
"adding FILE's columns.  FILE is held in memory; the stream is not.  The\n"
"count of stream rows that found no match is said on stderr (not with -q).\n"
"\n"
"  -f, --file FILE      the lookup file (CSV or JSON Lines)\n"
"      --on KEY         the stream's key field\n"
"      --file-key KEY   FILE's key field (default: the same as --on)\n"
"      --left           keep stream rows without a match (new fields null)\n"
"      --normalize      compare keys without white space, ASCII case folded\n"
"      --unmatched FILE write the stream rows without a match there, as read\n"
"      --explain        say on stderr, per row, how many rows of FILE its\n"
"                       key found, or that it found none and what became of it\n"
"\n"
"example: one row per customer in each postcode with an outage\n"
"  pxr-join -f customers.csv --on postcode --normalize < outages.csv\n";

/* --unmatched: the stream's rows as read, into a file of their own. */
struct unmatched {
	struct pxr_cli *c;
	const char *path;
	struct pxr_quarantine *q;
};

static int
put_unmatched(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	struct unmatched *u = arg;

	if (rec == NULL)	/* the end */
		return pxr_quarantine_close(u->q, err) < 0 ? -2 : 0;
	if (u->q == NULL && (u->q = pxr_quarantine_open(u->path, err)) == NULL)
		return -2;
	return pxr_quarantine_put(u->q, u->c->cur, NULL, err) < 0 ? -2 : 0;
}

int
main(int argc, char **argv)
{
	enum { O_ON = OPT_CMD, O_FKEY, O_LEFT, O_NORM, O_UNMATCHED };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "file", required_argument, NULL, 'f' },
		{ "on", required_argument, NULL, O_ON },
		{ "file-key", required_argument, NULL, O_FKEY },
		{ "left", no_argument, NULL, O_LEFT },
		{ "normalize", no_argument, NULL, O_NORM },
		{ "unmatched", required_argument, NULL, O_UNMATCHED },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_join_opts o;
	struct unmatched u;
	struct pxr_mapper *m;
	struct pxr_cli c;
	int ch;

	memset(&o, 0, sizeof(o));
	memset(&u, 0, sizeof(u));
	pxr_cli_init(&c, argv, "pxr-join", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT "f:", longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case 'f': o.file = optarg; break;
		case O_ON: o.on = optarg; break;
		case O_FKEY: o.fkey = optarg; break;
		case O_LEFT: o.left = 1; break;
		case O_NORM: o.normalize = 1; break;
		case O_UNMATCHED: u.path = optarg; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (o.file == NULL)
		pxr_cli_usage(&c, "-f FILE is required");
	if (o.on == NULL || *o.on == '\0')
		pxr_cli_usage(&c, "--on KEY is required");
	if (u.path != NULL) {
		u.c = &c;
		o.unmatched.emit = put_unmatched;
		o.unmatched.arg = &u;
	}
	o.ropts.max_record = c.max_record;
	o.ropts.delim = c.delim;
	o.ropts.encoding = c.encoding > 0 ? c.encoding : PXR_ENC_UTF8;
	if ((m = pxr_join_new(&o, &c.err)) == NULL)
		pxr_cli_die(&c, &c.err);
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
