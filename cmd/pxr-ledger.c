/* pxr-ledger: the one command for the state files (lib/ledger.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "compensate.h"
#include "ledger.h"
#include "rules.h"
#include "stream.h"
#include "time.h"

static const char usage[] =
"usage: pxr-ledger verify [-r RULES] [--state DIR | FILE ...]\n"
"       pxr-ledger show [--state DIR] [--ledger FILE] [--sent-log FILE]\n"
"                  [--outbox FILE] [--customer ID] [--subject S]\n"
"                  [--from TIME] [--to TIME] [--format text|csv|jsonl]\n"
"       pxr-ledger approve [--state DIR | --ledger FILE] ID ...\n"
"       pxr-ledger reject [--state DIR | --ledger FILE] --reason TEXT ID ...\n"
"       pxr-ledger reverse [--state DIR | --ledger FILE] --reason TEXT ID\n"
"       pxr-ledger export [--state DIR] [--ledger FILE] [--export-log FILE]\n"
"       pxr-ledger forget --state DIR [--email E] [--phone P] [--name N]\n"
"                  [--retain DURATION] [CUSTOMER]\n"
"       pxr-ledger redeem [--state DIR | --ledger FILE] [--redeemed FILE]\n"
"                  FILE\n"
"       pxr-ledger accept -r RULES [--state DIR | --ledger FILE] CODE ...\n";

static const char help[] =
"The state files: the ledger, the sent log, the outbox, the fan history.\n"
"Every action takes the lock the stages take, appends one row and is\n"
"idempotent (done twice, it is done once).\n"
"\n"
"  verify    check every state file: format, per-row checks, no id twice,\n"
"            state changes, and with -r the caps and budgets; exit 65 and\n"
"            the file and line of the first fault\n"
"  show      what was paid and told, and why (the ledger's evidence)\n"
"  approve   let compensations pending approval be issued and told by the\n"
"            next run\n"
"  reject    end compensations pending approval, unpaid, with a reason\n"
"  reverse   take an issued compensation back: it no longer counts\n"
"            against caps and budgets\n"
"  export    the billing system's rows: credits and refunds issued, and\n"
"            reversals of exported ones, each once (DIR/export.csv keeps\n"
"            what was exported)\n"
"  forget    erase a customer: in every state file their id becomes a\n"
"            keyed pseudonym (DIR/pseudonym.key, 0600), their addresses\n"
"            and texts go; reruns still pay and tell nothing twice;\n"
"            --retain drops everyone's contact details older than it\n"
"  redeem    record redeemed vouchers (FILE: code, redeemed_at,\n"
"            order_amount_minor), each code once, in DIR/redeemed.csv;\n"
"            pxr-report shows the redemption rate per rule and tier\n"
"  accept    book offers the customers accepted (their codes), each once\n"
"            and before its expiry, as pxr-compensate --acceptances does\n"
"            (within the customer's cap of the rule file)\n"
"\n"
"      --state DIR           the folder of ledger.csv, sent.csv, outbox.csv,\n"
"                            fan.csv, export.csv and calls.csv\n"
"      --ledger FILE         the ledger (default DIR/ledger.csv)\n"
"      --sent-log FILE       the sent log (default DIR/sent.csv)\n"
"      --outbox FILE         the outbox (default DIR/outbox.csv)\n"
"      --export-log FILE     the export log (default DIR/export.csv)\n"
"      --redeemed FILE       the redemptions (default: redeemed.csv beside\n"
"                            the ledger)\n"
"      --customer ID         show: only this customer's\n"
"      --subject S           show: only this subject's (order_id=A1005)\n"
"      --from T, --to T      show: issued from T, before T\n"
"      --format F            show: text (default), csv or jsonl\n"
"      --reason TEXT         why (reject, reverse; approve optionally)\n"
"      --email E, --phone P, --name N\n"
"                            forget: details of theirs to take out too\n"
"      --retain DURATION     forget: contact details older than it go\n"
"      --run-id ID           the run id the row records ($PXR_RUN_ID)\n"
"      --lock-timeout DUR    wait this long for a lock (60s)\n"
"\n"
"example:\n"
"  pxr-ledger reverse --state state --reason 'sent by mistake' \\\n"
"    late-parcel:A1002 && pxr-ledger verify -r plays.json --state state\n"
"  pxr-ledger redeem --state state redemptions.csv\n";

enum { FMT_TEXT, FMT_CSV, FMT_JSONL };

struct opts {
	const char *state, *ledger, *sentlog, *outbox, *exportlog, *redeemed;
	const char *customer, *subject, *reason, *run;
	const char *email, *phone, *name;
	int	 has_retain;
	int64_t	 retain;
	int64_t	 from, to;
	int	 has_from, has_to;
	int	 format;
	long	 lock_ms;
};

/* DIR/name when the file was not named, or NULL; new. */
static char *
in_state(const struct opts *o, const char *given, const char *name)
{
	size_t n;
	char *p;

	if (given != NULL)
		return pxr_strdup(given);
	if (o->state == NULL)
		return NULL;
	n = strlen(o->state) + strlen(name) + 2;
	p = pxr_malloc(n);
	snprintf(p, n, "%s/%s", o->state, name);
	return p;
}

static int
exists(const char *path)
{
	struct stat sb;

	return path != NULL && stat(path, &sb) == 0;
}

static int
verify(struct pxr_cli *c, const struct opts *o, int argc, char **argv)
{
	static const char *const names[] = { "ledger.csv", "sent.csv",
	    "outbox.csv", "fan.csv", "export.csv", "calls.csv", "held.csv",
	    "redeemed.csv" };
	struct pxr_rules *R = c->rules != NULL ? pxr_cli_rules(c) : NULL;
	char **files;
	size_t i, n = 0, rows;

	files = pxr_calloc((size_t)argc + sizeof(names) / sizeof(names[0]),
	    sizeof(*files));
	for (i = 0; i < (size_t)argc; i++)
		files[n++] = pxr_strdup(argv[i]);
	if (o->state != NULL)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			char *p = in_state(o, NULL, names[i]);

			if (exists(p))
				files[n++] = p;
			else
				free(p);
		}
	if (n == 0)
		pxr_cli_usage(c, "verify: name the state files, or --state DIR");
	for (i = 0; i < n; i++) {
		if (pxr_statefile_verify(files[i], R, o->lock_ms, &rows,
		    &c->err) < 0)
			pxr_cli_die(c, &c->err);
		if (!c->quiet)
			printf("%s: ok, %zu %s%s\n", files[i], rows,
			    rows > 0 && pxr_statefile_kind(files[i], &c->err) ==
			    PXR_SF_LEDGER ? "compensation" : "row",
			    rows == 1 ? "" : "s");
		free(files[i]);
	}
	free(files);
	return 0;
}

/* The columns show writes, in order. */
static const char *const show_cols[] = {
	"issued_at", "incident_id", "customer_id", "rule", "tier", "measure",
	"unit", "kind", "amount_minor", "currency", "code", "valid_until",
	"subject", "state", "changed_at", "reason", "run_id", "rules_sha256",
	"told", NULL
};
enum { SC_N = 19 };

static void
show_csv(struct pxr_buf *b, const char *const *v, int header)
{
	size_t i;

	for (i = 0; i < SC_N; i++) {
		if (i > 0)
			pxr_buf_addc(b, ',');
		pxr_csv_field(b, header ? show_cols[i] : v[i],
		    strlen(header ? show_cols[i] : v[i]));
	}
	pxr_buf_addc(b, '\n');
}

static void
show_jsonl(struct pxr_buf *b, const char *const *v)
{
	size_t i;

	pxr_buf_addc(b, '{');
	for (i = 0; i < SC_N; i++) {
		if (i > 0)
			pxr_buf_addc(b, ',');
		(void)pxr_json_string(b, show_cols[i], strlen(show_cols[i]));
		pxr_buf_addc(b, ':');
		if (strcmp(show_cols[i], "amount_minor") == 0 && *v[i] != '\0')
			pxr_buf_adds(b, v[i]);
		else if (*v[i] == '\0')
			pxr_buf_adds(b, "null");
		else if (pxr_json_string(b, v[i], strlen(v[i])) < 0)
			pxr_buf_adds(b, "null");
	}
	pxr_buf_adds(b, "}\n");
}

/* One compensation as text: what, its state, why, evidence, told. */
static void
show_text(struct pxr_buf *b, const char *const *v)
{
	pxr_buf_printf(b, "%s  %s %s %s to %s\n", v[1], v[7], v[8], v[9],
	    *v[2] != '\0' ? v[2] : "(no customer)");
	pxr_buf_printf(b, "  state: %s %s%s%s\n", v[13], v[14],
	    *v[15] != '\0' ? ": " : "", v[15]);
	pxr_buf_printf(b, "  why: rule %s", v[3]);
	if (*v[4] != '\0')
		pxr_buf_printf(b, ", tier %s", v[4]);
	if (*v[5] != '\0')
		pxr_buf_printf(b, ", measure %s%s%s", v[5], *v[6] != '\0' ?
		    " " : "", v[6]);
	if (*v[12] != '\0')
		pxr_buf_printf(b, ", subject %s", v[12]);
	pxr_buf_addc(b, '\n');
	pxr_buf_printf(b, "  evidence: recorded %s", v[0]);
	if (*v[16] != '\0')
		pxr_buf_printf(b, ", run %s", v[16]);
	if (*v[17] != '\0')
		pxr_buf_printf(b, ", rules sha256 %s", v[17]);
	pxr_buf_addc(b, '\n');
	if (*v[10] != '\0')
		pxr_buf_printf(b, "  code: %s, valid until %s\n", v[10],
		    *v[11] != '\0' ? v[11] : "-");
	pxr_buf_printf(b, "  told: %s\n", *v[18] != '\0' ? v[18] : "nothing");
}

/* Does e pass show's filters? */
static int
wanted(const struct opts *o, const struct pxr_lg_entry *e)
{
	struct pxr_error err;
	int64_t t;

	if (o->customer != NULL && strcmp(e->f[PXR_LG_CUST], o->customer) != 0)
		return 0;
	if (o->subject != NULL && strcmp(e->f[PXR_LG_SUBJ], o->subject) != 0)
		return 0;
	if (!o->has_from && !o->has_to)
		return 1;
	if (pxr_time_parse(e->f[PXR_LG_AT], strlen(e->f[PXR_LG_AT]), NULL, &t,
	    NULL, &err) < 0)
		return 0;
	return (!o->has_from || t >= o->from) && (!o->has_to || t < o->to);
}

static int
show(struct pxr_cli *c, const struct opts *o, int argc)
{
	char *lp = in_state(o, o->ledger, "ledger.csv");
	char *sp = in_state(o, o->sentlog, "sent.csv");
	char *op = in_state(o, o->outbox, "outbox.csv");
	const struct pxr_lg_entry *const *v;
	struct pxr_lg_told *T;
	struct pxr_ledger *L;
	struct pxr_buf b = { 0 };
	size_t i, n, k = 0;

	if (argc > 0)
		pxr_cli_usage(c, "show takes no operands (--customer ID "
		    "selects)");
	if (lp == NULL)
		pxr_cli_usage(c, "show: --state DIR or --ledger FILE is needed");
	if ((L = pxr_ledger_open(lp, 1, &c->err)) == NULL ||
	    pxr_ledger_load(L, o->lock_ms, 0, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	pxr_ledger_unlock(L);
	if ((T = pxr_ledger_told_new(exists(sp) ? sp : NULL, exists(op) ?
	    op : NULL, o->lock_ms, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	v = pxr_ledger_entries(L, &n);
	if (o->format == FMT_CSV)
		show_csv(&b, NULL, 1);
	for (i = 0; i < n; i++) {
		const struct pxr_lg_entry *e = v[i];
		const char *row[SC_N];

		if (!wanted(o, e))
			continue;
		row[0] = e->f[PXR_LG_AT];
		row[1] = e->f[PXR_LG_ID];
		row[2] = e->f[PXR_LG_CUST];
		row[3] = e->f[PXR_LG_RULE];
		row[4] = e->f[PXR_LG_TIER];
		row[5] = e->f[PXR_LG_MEASURE];
		row[6] = e->f[PXR_LG_UNIT];
		row[7] = e->f[PXR_LG_KIND];
		row[8] = e->f[PXR_LG_AMOUNT];
		row[9] = e->f[PXR_LG_CUR];
		row[10] = e->f[PXR_LG_CODE];
		row[11] = e->f[PXR_LG_VALID];
		row[12] = e->f[PXR_LG_SUBJ];
		row[13] = pxr_ledger_state_name(e->state);
		row[14] = e->changed_at;
		row[15] = e->reason;
		row[16] = e->f[PXR_LG_RUN];
		row[17] = e->f[PXR_LG_RULES_SHA];
		row[18] = pxr_ledger_told(T, e->f[PXR_LG_ID]);
		if (o->format == FMT_CSV)
			show_csv(&b, row, 0);
		else if (o->format == FMT_JSONL)
			show_jsonl(&b, row);
		else {
			if (k > 0)
				pxr_buf_addc(&b, '\n');
			show_text(&b, row);
		}
		k++;
		if (b.len > 65536) {
			fwrite(b.p, 1, b.len, stdout);
			pxr_buf_reset(&b);
		}
	}
	if (b.len > 0)
		fwrite(b.p, 1, b.len, stdout);
	pxr_buf_free(&b);
	pxr_ledger_told_free(T);
	pxr_ledger_close(L);
	free(lp);
	free(sp);
	free(op);
	return 0;
}

/* A row for the billing system, into the buffer ctx. */
static int
export_line(void *ctx, const char *const *f)
{
	struct pxr_buf *b = ctx;
	size_t i;

	for (i = 0; i < PXR_EX__N; i++) {
		if (i > 0)
			pxr_buf_addc(b, ',');
		pxr_csv_field(b, f[i], strlen(f[i]));
	}
	pxr_buf_addc(b, '\n');
	return 0;
}

/*
 * export: the rows not exported before, on stdout, then recorded in the
 * export log (so a failed write records nothing and the next export
 * gives them again).
 */
static int
export(struct pxr_cli *c, const struct opts *o, int argc)
{
	char *lp = in_state(o, o->ledger, "ledger.csv");
	char *xp = in_state(o, o->exportlog, "export.csv");
	struct pxr_buf b = { 0 }, at = { 0 };
	struct pxr_lg_export *X;
	struct pxr_ledger *L;
	size_t i;

	if (argc > 0)
		pxr_cli_usage(c, "export takes no operands");
	if (lp == NULL || xp == NULL)
		pxr_cli_usage(c, "export: --state DIR, or --ledger FILE and "
		    "--export-log FILE, are needed");
	pxr_time_format(&at, pxr_cli_now(c, NULL));
	if ((L = pxr_ledger_open(lp, 1, &c->err)) == NULL ||
	    pxr_ledger_load(L, o->lock_ms, 0, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	pxr_ledger_unlock(L);
	if ((X = pxr_ledger_export_open(xp, o->lock_ms, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	for (i = 0; i < PXR_EX__N; i++) {
		if (i > 0)
			pxr_buf_addc(&b, ',');
		pxr_buf_adds(&b, pxr_ledger_export_cols[i]);
	}
	pxr_buf_addc(&b, '\n');
	(void)pxr_ledger_export_rows(X, L, at.p, export_line, &b);
	if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0 ||
	    ferror(stdout))
		pxr_cli_fatal(c, PXR_EXIT_IOERR, "stdout: %s: nothing was "
		    "recorded as exported", strerror(errno));
	if (pxr_ledger_export_commit(X, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	pxr_ledger_export_close(X);
	pxr_ledger_close(L);
	pxr_buf_free(&b);
	pxr_buf_free(&at);
	free(lp);
	free(xp);
	return 0;
}

/*
 * forget: the customer erased from every state file of the folder, and
 * with --retain everyone's old contact details.
 */
static int
forget(struct pxr_cli *c, const struct opts *o, int argc, char **argv)
{
	struct pxr_forget_opts fo;
	size_t changed[PXR_FORGET_NFILES] = { 0 }, i;
	const char *scrub[4];
	int n = 0;

	if (o->state == NULL)
		pxr_cli_usage(c, "forget: --state DIR is needed (every state "
		    "file there, and its key)");
	if (argc > 1 || (argc == 0 && !o->has_retain))
		pxr_cli_usage(c, "forget: name one customer id (or only "
		    "--retain DURATION)");
	if (o->email != NULL)
		scrub[n++] = o->email;
	if (o->phone != NULL)
		scrub[n++] = o->phone;
	if (o->name != NULL)
		scrub[n++] = o->name;
	scrub[n] = NULL;
	memset(&fo, 0, sizeof(fo));
	fo.dir = o->state;
	fo.customer = argc > 0 ? argv[0] : NULL;
	fo.scrub = scrub;
	fo.has_retain = o->has_retain;
	fo.retain = o->retain;
	fo.now = pxr_cli_now(c, NULL);
	fo.lock_ms = o->lock_ms;
	fo.changed = changed;
	if (pxr_ledger_forget(&fo, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	for (i = 0; i < PXR_FORGET_NFILES && !c->quiet; i++)
		if (changed[i] > 0)
			printf("%s/%s: %zu row%s rewritten\n", o->state,
			    pxr_ledger_forget_file(i), changed[i],
			    changed[i] == 1 ? "" : "s");
	return 0;
}

/* approve, reject, reverse: one row each, under the ledger's lock. */
static int
change(struct pxr_cli *c, const struct opts *o, enum pxr_lg_state to,
    int argc, char **argv)
{
	char *lp = in_state(o, o->ledger, "ledger.csv");
	const char *verb = to == PXR_LG_APPROVED ? "approve" :
	    to == PXR_LG_REJECTED ? "reject" : "reverse";
	struct pxr_ledger *L;
	struct pxr_buf at = { 0 };
	int i, rc, status = 0;

	if (lp == NULL)
		pxr_cli_usage(c, "%s: --state DIR or --ledger FILE is needed",
		    verb);
	if (argc == 0)
		pxr_cli_usage(c, "%s: name the incident ids", verb);
	if (to != PXR_LG_APPROVED && (o->reason == NULL || *o->reason ==
	    '\0'))
		pxr_cli_usage(c, "%s: --reason TEXT is required", verb);
	if (!exists(lp))
		pxr_cli_fatal(c, PXR_EXIT_NOINPUT, "%s: %s", lp,
		    strerror(ENOENT));
	pxr_time_format(&at, pxr_cli_now(c, NULL));
	if ((L = pxr_ledger_open(lp, 0, &c->err)) == NULL ||
	    pxr_ledger_load(L, o->lock_ms, 0, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	for (i = 0; i < argc; i++) {
		rc = pxr_ledger_change(L, argv[i], to, o->reason, at.p,
		    o->run, &c->err);
		if (rc < 0) {
			pxr_ledger_close(L);
			pxr_cli_die(c, &c->err);
		}
		if (!c->quiet)
			printf("%s: %s%s\n", argv[i], rc == 1 ? "already " : "",
			    pxr_ledger_state_name(to));
	}
	pxr_ledger_close(L);
	pxr_buf_free(&at);
	free(lp);
	return status;
}

/*
 * redeem FILE: each row's code recorded as redeemed, once; a bad row per
 * --on-error (under fail nothing of the file is recorded).
 */
static int
redeem(struct pxr_cli *c, const struct opts *o, int argc, char **argv)
{
	char *lp = in_state(o, o->ledger, "ledger.csv"), *rp;
	const char *slash, *said;
	struct pxr_schema *sch;
	struct pxr_sidein *in;
	struct pxr_redeem *X;
	struct pxr_rec rec;
	struct pxr_buf said_all = { 0 };
	size_t fc, fa, fm;
	int rc;

	if (lp == NULL)
		pxr_cli_usage(c, "redeem: --state DIR or --ledger FILE is "
		    "needed");
	if (argc != 1)
		pxr_cli_usage(c, "redeem: name one file of redemptions");
	if (o->redeemed != NULL)
		rp = pxr_strdup(o->redeemed);
	else {
		slash = strrchr(lp, '/');
		rp = pxr_malloc(strlen(lp) + sizeof("redeemed.csv"));
		sprintf(rp, "%.*sredeemed.csv", slash != NULL ? (int)(slash -
		    lp + 1) : 0, lp);
	}
	if (!exists(lp))
		pxr_cli_fatal(c, PXR_EXIT_NOINPUT, "%s: %s", lp,
		    strerror(ENOENT));
	if ((X = pxr_redeem_open(lp, rp, o->lock_ms, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	sch = pxr_schema_new();
	in = pxr_cli_sidein(c, argv[0], sch);
	fc = pxr_schema_ref(sch, "code", 4);
	fa = pxr_schema_ref(sch, "redeemed_at", 11);
	fm = pxr_schema_ref(sch, "order_amount_minor", 18);
	pxr_rec_init(&rec, sch);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const struct pxr_val *cv = pxr_rec_get(&rec, fc),
		    *av = pxr_rec_get(&rec, fa), *mv = pxr_rec_get(&rec, fm);
		char *code, *amount;
		int64_t t;

		if (PXR_ISNULL(cv) || cv->n == 0 || PXR_ISNULL(av) ||
		    pxr_time_parse(av->s, av->n, NULL, &t, NULL, &c->err) < 0) {
			pxr_error_set(&c->err, PXR_EXIT_DATAERR, "a redemption "
			    "needs a code and a redeemed_at time");
			pxr_cli_sidein_bad(c, in, &rec);
			continue;
		}
		code = pxr_strndup(cv->s, cv->n);
		amount = PXR_ISNULL(mv) ? NULL : pxr_strndup(mv->s, mv->n);
		rc = pxr_redeem_add(X, code, t, amount, &said, &c->err);
		if (rc < 0)
			pxr_cli_sidein_bad(c, in, &rec);
		else if (rc == 1)
			pxr_buf_printf(&said_all, "%s: already redeemed at %s\n",
			    code, said);
		else
			pxr_buf_printf(&said_all, "%s: redeemed\n", code);
		free(code);
		free(amount);
	}
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
	if (pxr_redeem_commit(X, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	/* Said once recorded: a run that stops says nothing was. */
	if (!c->quiet && said_all.len > 0)
		fwrite(said_all.p, 1, said_all.len, stdout);
	pxr_buf_free(&said_all);
	pxr_redeem_close(X);
	free(lp);
	free(rp);
	return 0;
}

/*
 * accept CODE...: each an offer of the ledger, not expired by --now (else
 * nothing is booked: exit 65); booked through the compensation stage's
 * acceptances, the one path (caps, once), with no input.
 */
static int
accept(struct pxr_cli *c, const struct opts *o, int argc, char **argv)
{
	char *lp = in_state(o, o->ledger, "ledger.csv");
	const struct pxr_lg_entry *const *v, *e;
	struct pxr_compensate_opts co;
	struct pxr_acceptance *acc;
	struct pxr_error e2;
	struct pxr_ledger *L;
	struct pxr_mapper *m;
	struct pxr_rules *R;
	struct pxr_buf said = { 0 };
	size_t i, k, n, nacc = 0;
	int64_t now, t;

	if (lp == NULL)
		pxr_cli_usage(c, "accept: --state DIR or --ledger FILE is "
		    "needed");
	if (argc == 0)
		pxr_cli_usage(c, "accept: name the offers' codes");
	if (c->rules == NULL && getenv("PXR_RULES") == NULL)
		pxr_cli_usage(c, "accept: -r RULES is needed (the caps an "
		    "accepted offer is booked within)");
	R = pxr_cli_rules(c);
	now = pxr_cli_now(c, R->tz);
	if (!exists(lp))
		pxr_cli_fatal(c, PXR_EXIT_NOINPUT, "%s: %s", lp,
		    strerror(ENOENT));
	if ((L = pxr_ledger_open(lp, 1, &c->err)) == NULL ||
	    pxr_ledger_load(L, o->lock_ms, 0, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	pxr_ledger_unlock(L);
	v = pxr_ledger_entries(L, &n);
	acc = pxr_calloc((size_t)argc, sizeof(*acc));
	for (i = 0; i < (size_t)argc; i++) {
		for (k = 0, e = NULL; k < n && e == NULL; k++)
			if (strcmp(v[k]->f[PXR_LG_CODE], argv[i]) == 0)
				e = v[k];
		if (e == NULL || strcmp(e->f[PXR_LG_STATE],
		    pxr_ledger_state_name(PXR_LG_OFFERED)) != 0)
			pxr_cli_fatal(c, PXR_EXIT_DATAERR, "%s: %s", argv[i],
			    e == NULL ? "no offer in the ledger has this code: "
			    "nothing booked" : "not an offer (its compensation "
			    "was issued as it was): nothing booked");
		if (e->state == PXR_LG_ISSUED) {
			pxr_buf_printf(&said, "%s: already accepted (incident "
			    "%s)\n", argv[i], e->f[PXR_LG_ID]);
			continue;
		}
		if (e->state != PXR_LG_OFFERED)
			pxr_cli_fatal(c, PXR_EXIT_DATAERR, "%s: the offer of "
			    "incident %s is %s: nothing booked", argv[i],
			    e->f[PXR_LG_ID], pxr_ledger_state_name(e->state));
		if (pxr_time_parse(e->f[PXR_LG_VALID], strlen(
		    e->f[PXR_LG_VALID]), NULL, &t, NULL, &e2) == 0 && now > t)
			pxr_cli_fatal(c, PXR_EXIT_DATAERR, "%s: the offer of "
			    "incident %s expired at %s: never issued; nothing "
			    "booked", argv[i], e->f[PXR_LG_ID],
			    e->f[PXR_LG_VALID]);
		acc[nacc].code = argv[i];
		acc[nacc].at = now;
		acc[nacc++].where = argv[i];
		pxr_buf_printf(&said, "%s: accepted (incident %s)\n", argv[i],
		    e->f[PXR_LG_ID]);
	}
	if (!c->quiet && said.len > 0)
		fwrite(said.p, 1, said.len, stdout);
	fflush(stdout);
	pxr_buf_free(&said);
	pxr_ledger_close(L);
	memset(&co, 0, sizeof(co));
	co.ledger = lp;
	co.lock_ms = o->lock_ms;
	co.now = now;
	co.run_id = o->run;
	co.acceptances = acc;
	co.nacceptances = nacc;
	if ((m = pxr_compensate_new(&co, R, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	/* No input: the stage books the acceptances at its end. */
	if (freopen("/dev/null", "r", stdin) == NULL)
		pxr_cli_fatal(c, PXR_EXIT_IOERR, "/dev/null: %s",
		    strerror(errno));
	pxr_cli_run_mapper(c, m, 0, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	enum { O_STATE = OPT_CMD, O_LEDGER, O_SENT, O_OUTBOX, O_CUST, O_SUBJ,
	    O_FROM, O_TO, O_FORMAT, O_REASON, O_RUN, O_LOCK, O_EXPORT,
	    O_EMAIL, O_PHONE, O_NAME, O_RETAIN, O_REDEEMED };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "state", required_argument, NULL, O_STATE },
		{ "ledger", required_argument, NULL, O_LEDGER },
		{ "sent-log", required_argument, NULL, O_SENT },
		{ "outbox", required_argument, NULL, O_OUTBOX },
		{ "export-log", required_argument, NULL, O_EXPORT },
		{ "redeemed", required_argument, NULL, O_REDEEMED },
		{ "email", required_argument, NULL, O_EMAIL },
		{ "phone", required_argument, NULL, O_PHONE },
		{ "name", required_argument, NULL, O_NAME },
		{ "retain", required_argument, NULL, O_RETAIN },
		{ "customer", required_argument, NULL, O_CUST },
		{ "subject", required_argument, NULL, O_SUBJ },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "reason", required_argument, NULL, O_REASON },
		{ "run-id", required_argument, NULL, O_RUN },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_cli c;
	struct opts o;
	const char *sub;
	int ch;

	memset(&o, 0, sizeof(o));
	o.lock_ms = 60000;
	o.run = getenv("PXR_RUN_ID");
	pxr_cli_init(&c, argv, "pxr-ledger", usage, help);
	sub = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	optind = sub != NULL ? 2 : 1;
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		struct pxr_error e;

		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_STATE: o.state = optarg; break;
		case O_LEDGER: o.ledger = optarg; break;
		case O_SENT: o.sentlog = optarg; break;
		case O_OUTBOX: o.outbox = optarg; break;
		case O_EXPORT: o.exportlog = optarg; break;
		case O_REDEEMED: o.redeemed = optarg; break;
		case O_EMAIL: o.email = optarg; break;
		case O_PHONE: o.phone = optarg; break;
		case O_NAME: o.name = optarg; break;
		case O_RETAIN:
			if (pxr_dur_parse(optarg, strlen(optarg),
			    &o.retain, &e) < 0 || o.retain <= 0)
				pxr_cli_usage(&c, "--retain: not a duration: "
				    "\"%s\"", optarg);
			o.has_retain = 1;
			break;
		case O_CUST: o.customer = optarg; break;
		case O_SUBJ: o.subject = optarg; break;
		case O_FROM:
		case O_TO:
			if (pxr_time_parse(optarg, strlen(optarg), NULL,
			    ch == O_FROM ? &o.from : &o.to, NULL, &e) < 0)
				pxr_cli_usage(&c, "--%s: not a time: \"%s\"",
				    ch == O_FROM ? "from" : "to", optarg);
			*(ch == O_FROM ? &o.has_from : &o.has_to) = 1;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o.format = FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				o.format = FMT_CSV;
			else if (strcmp(optarg, "jsonl") == 0)
				o.format = FMT_JSONL;
			else
				pxr_cli_usage(&c, "--format: '%s' is none of "
				    "text, csv, jsonl", optarg);
			break;
		case O_REASON: o.reason = optarg; break;
		case O_RUN: o.run = optarg; break;
		case O_LOCK: o.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (o.run == NULL)
		o.run = "pxr-ledger";
	argc -= optind;
	argv += optind;
	if (sub == NULL)
		pxr_cli_usage(&c, "name a subcommand: verify, show, approve, "
		    "reject, reverse, export, forget, redeem or accept");
	if (strcmp(sub, "verify") == 0)
		verify(&c, &o, argc, argv);
	else if (strcmp(sub, "show") == 0)
		show(&c, &o, argc);
	else if (strcmp(sub, "export") == 0)
		export(&c, &o, argc);
	else if (strcmp(sub, "forget") == 0)
		forget(&c, &o, argc, argv);
	else if (strcmp(sub, "redeem") == 0)
		redeem(&c, &o, argc, argv);
	else if (strcmp(sub, "accept") == 0)
		accept(&c, &o, argc, argv);
	else if (strcmp(sub, "approve") == 0)
		change(&c, &o, PXR_LG_APPROVED, argc, argv);
	else if (strcmp(sub, "reject") == 0)
		change(&c, &o, PXR_LG_REJECTED, argc, argv);
	else if (strcmp(sub, "reverse") == 0) {
		if (argc > 1)
			pxr_cli_usage(&c, "reverse: one incident id at a time");
		change(&c, &o, PXR_LG_REVERSED, argc, argv);
	} else
		pxr_cli_usage(&c, "unknown subcommand '%s'", sub);
	pxr_cli_exit(&c, 0);
}
