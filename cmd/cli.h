/*
 * cli.h: what every pxr command shares: the common options, the
 * read -> map -> write loop, --on-error, progress, diagnostics, exit.
 * Linked into each command; this layer (not lib/) prints and exits.
 */
#ifndef PXR_CLI_H
#define PXR_CLI_H

#include <getopt.h>
#include <stdint.h>

#include "error.h"
#include "rec.h"
#include "sidein.h"
#include "stage.h"
#include "stream.h"
#include "time.h"

/* Long-only option codes of the common options. */
enum {
	OPT_IN = 1000, OPT_OUT, OPT_NOW, OPT_ONERR, OPT_COLUMNS, OPT_NOHEADER,
	OPT_PROGRESS, OPT_NOPROGRESS, OPT_EXPLAIN, OPT_VERSION, OPT_MAXREC,
	OPT_FORMULA, OPT_DELIM, OPT_ENCODING, OPT_CMD	/* first code free for a command */
};

#define PXR_CLI_SHORT ":hqvr:"
#define PXR_CLI_LONG \
	{ "help", no_argument, NULL, 'h' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "rules", required_argument, NULL, 'r' }, \
	{ "in", required_argument, NULL, OPT_IN }, \
	{ "out", required_argument, NULL, OPT_OUT }, \
	{ "now", required_argument, NULL, OPT_NOW }, \
	{ "on-error", required_argument, NULL, OPT_ONERR }, \
	{ "columns", required_argument, NULL, OPT_COLUMNS }, \
	{ "no-header", no_argument, NULL, OPT_NOHEADER }, \
	{ "progress", no_argument, NULL, OPT_PROGRESS }, \
	{ "no-progress", no_argument, NULL, OPT_NOPROGRESS }, \
	{ "explain", no_argument, NULL, OPT_EXPLAIN }, \
	{ "max-record", required_argument, NULL, OPT_MAXREC }, \
	{ "csv-formula-guard", no_argument, NULL, OPT_FORMULA }, \
	{ "delimiter", required_argument, NULL, OPT_DELIM }, \
	{ "encoding", required_argument, NULL, OPT_ENCODING }, \
	{ "version", no_argument, NULL, OPT_VERSION }

/* The common options text for --help. */
#define PXR_CLI_HELP \
"common options:\n" \
"  -r, --rules FILE        rule file (also $PXR_RULES)\n" \
"      --in csv|jsonl      input format (default: detected)\n" \
"      --out csv|jsonl     output format (default: the input's)\n" \
"      --now TIME          reference time, ISO-8601 (also $PXR_NOW)\n" \
"      --on-error fail|skip|quarantine:FILE\n" \
"                          a bad record: stop (65), skip, or keep aside\n" \
"      --columns a,b,...   CSV input has no header: these names\n" \
"      --delimiter C       CSV input's separator: , ; | or tab (default:\n" \
"                          from the header line)\n" \
"      --encoding E        input's encoding: utf-8 (default), windows-1252,\n" \
"                          iso-8859-1 or utf-16\n" \
"      --no-header         CSV output without the header line\n" \
"      --max-record BYTES  longest record accepted (default 64M)\n" \
"      --csv-formula-guard quote text a spreadsheet would run\n" \
"      --progress, --no-progress\n" \
"                          a progress line on stderr (default: on a\n" \
"                          terminal, after 2 s)\n" \
"  -q, -v                  quieter, more verbose\n" \
"  -h, --help, --version\n"

struct pxr_cli;

/* A command's mapper over the stream. */
struct pxr_stage {
	void	*ctx;
	/* Once, when the input's field names are known: resolve them. */
	int	(*bind)(struct pxr_cli *, struct pxr_schema *);
	/* Per record: 0 done, -1 bad record (cli->err set), -2 fatal. */
	int	(*map)(struct pxr_cli *, struct pxr_rec *);
	/* At end of input: flush held records; 0 or -2. */
	int	(*end)(struct pxr_cli *);
};

struct pxr_cli {
	const char *prog;
	char	**argv;
	const char *usage;	/* the synopsis lines */
	const char *help;	/* the rest of --help, with an example */
	int	 in_fmt;
	int	 out_fmt;
	const char *now;
	const char *rules;
	int	 onerr;
	const char *qpath;
	char	**columns;
	int	 delim;		/* CSV input separator; 0: from the header */
	int	 encoding;	/* PXR_ENC_*; -1: not given */
	int	 no_header;
	int	 progress;	/* -1 auto, 0 off, 1 on */
	int	 quiet;
	int	 verbose;
	int	 explain;
	int	 formula_guard;
	int	 no_records;	/* the command writes no records (a preview) */
	int	 status;	/* the exit status when all went through */
	size_t	 max_record;

	struct pxr_error err;
	struct pxr_schema *sch;
	struct pxr_writer *w;
	struct pxr_quarantine *q;
	struct pxr_reader *cur;	/* the reader being read */
	struct pxr_stage *stage;
	uint64_t nin;
	uint64_t nout;
	uint64_t nbad;
	uint64_t bytes_done;
	double	 t0;
	double	 tlast;
};

/* Start: program name, usage and help text, SIGPIPE default, env defaults. */
void	 pxr_cli_init(struct pxr_cli *, char **argv, const char *prog,
	    const char *usage, const char *help);
/* Handle a common option; 1 if it was one, 0 if not.  Exits on bad values. */
int	 pxr_cli_option(struct pxr_cli *, int c, const char *arg);
/* Print usage to stderr and exit 2, with a message first when non-NULL. */
void	 pxr_cli_usage(struct pxr_cli *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/* Read every file (none: stdin) through the stage; exits. */
void	 pxr_cli_run(struct pxr_cli *, struct pxr_stage *, int nfiles,
	    char **files) __attribute__((noreturn));
/*
 * Read every file (none: stdin) through the mapper m (borrowed): its
 * output goes to stdout in the chosen format, its words to stderr
 * ("prog: text"; -v lines only with -v, --explain lines only with
 * --explain); bad records follow --on-error; exits.
 */
void	 pxr_cli_run_mapper(struct pxr_cli *, struct pxr_mapper *, int nfiles,
	    char **files) __attribute__((noreturn));
/*
 * Open a side input (a ledger, a sent log, complaints, incidents) read
 * under the command's --on-error: its bad records stop the command (65,
 * with the file and line), are skipped with a warning, or go to the
 * quarantine file.  Exits 66 when it cannot be opened.  new.
 */
struct pxr_sidein *pxr_cli_sidein(struct pxr_cli *, const char *path,
	    struct pxr_schema *);
/*
 * As pxr_cli_sidein, for a side input that is an export like the
 * command's input (pxr-lint's sample): read with --delimiter and
 * --encoding, else the given ones (a rule file's input section).  new.
 */
struct pxr_sidein *pxr_cli_sidein_dialect(struct pxr_cli *, const char *path,
	    struct pxr_schema *, int delim, int encoding);
/* Its next good record into rec: 1, or 0 at the end; exits on a stop. */
int	 pxr_cli_sidein_next(struct pxr_cli *, struct pxr_sidein *,
	    struct pxr_rec *);
/* A record the command finds bad (c->err says why), per --on-error. */
void	 pxr_cli_sidein_bad(struct pxr_cli *, struct pxr_sidein *,
	    const struct pxr_rec *);
/* Close it, saying how many bad records were skipped or kept aside. */
void	 pxr_cli_sidein_close(struct pxr_cli *, struct pxr_sidein *);
/* Write rec to the output; 0, -1 (record cannot be written), -2 fatal. */
int	 pxr_cli_emit(struct pxr_cli *, const struct pxr_rec *);
/* Print err as "prog: file:line: text" and exit with its status. */
void	 pxr_cli_die(struct pxr_cli *, const struct pxr_error *)
	    __attribute__((noreturn));
/* "prog: text" on stderr, then exit with status (output flushed). */
void	 pxr_cli_fatal(struct pxr_cli *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));
/* A warning "prog: text" unless -q. */
void	 pxr_cli_warn(struct pxr_cli *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Flush and close stdout (74 on failure), then exit with status. */
void	 pxr_cli_exit(struct pxr_cli *, int status) __attribute__((noreturn));
struct pxr_rules;
/*
 * Load the rule file named by -r or $PXR_RULES: a usage error when there
 * is none, exit 66 when it cannot be read, 78 (every error printed with
 * its file, line and column) when it is bad.
 */
struct pxr_rules *pxr_cli_rules(struct pxr_cli *);
/* Parse --now (default: the current time) in tz; a usage error if bad. */
int64_t	 pxr_cli_now(struct pxr_cli *, struct pxr_tz *);
/* Parse a duration option value ("30s", "2m") to ms; a usage error if bad. */
long	 pxr_cli_ms(struct pxr_cli *, const char *opt, const char *arg);
/* The rule named by the record's "rule" field (index rf), or NULL. */
struct pxr_rule *pxr_cli_rule_of(struct pxr_cli *, const struct pxr_rules *,
	    const struct pxr_rec *, size_t rf);

/* Split "a,b,c" into a NULL-ended vector (new; strings too). */
char	**pxr_cli_split(const char *);
/* Parse a size with optional k/M/G suffix; -1 if bad. */
long long pxr_cli_size(const char *);

#endif
