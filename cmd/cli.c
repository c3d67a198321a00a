/* cli.c: the common command-line layer of every pxr command. */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rules.h"

#ifndef PXR_VERSION
#define PXR_VERSION "0.1"
#endif

static double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
pxr_cli_init(struct pxr_cli *c, char **argv, const char *prog,
    const char *usage, const char *help)
{
	const char *s;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->argv = argv;
	c->usage = usage;
	c->help = help;
	c->progress = -1;
	c->encoding = -1;
	opterr = 0;
	signal(SIGPIPE, SIG_DFL);
	if ((s = getenv("PXR_RULES")) != NULL && *s != '\0')
		c->rules = s;
	if ((s = getenv("PXR_NOW")) != NULL && *s != '\0')
		c->now = s;
	c->t0 = c->tlast = clock_now();
}

void
pxr_cli_usage(struct pxr_cli *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", c->prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "%s", c->usage);
	exit(PXR_EXIT_USAGE);
}

void
pxr_cli_fatal(struct pxr_cli *c, int status, const char *fmt, ...)
{
	va_list ap;

	if (c->w != NULL) {
		struct pxr_error fe;

		(void)pxr_writer_flush(c->w, &fe);
	}
	fflush(stdout);
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void
pxr_cli_warn(struct pxr_cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char **
pxr_cli_split(const char *s)
{
	char **v;
	size_t n = 1, k = 0;
	const char *p;

	for (p = s; *p != '\0'; p++)
		n += *p == ',';
	v = pxr_calloc(n + 1, sizeof(*v));
	for (;;) {
		p = strchr(s, ',');
		if (p == NULL) {
			v[k++] = pxr_strdup(s);
			break;
		}
		v[k++] = pxr_strndup(s, (size_t)(p - s));
		s = p + 1;
	}
	v[k] = NULL;
	return v;
}

long long
pxr_cli_size(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024LL * 1024 * 1024; end++; break;
	default: return -1;
	}
	return *end == '\0' ? v : -1;
}

static int
fmt_arg(struct pxr_cli *c, const char *opt, const char *arg)
{
	if (strcmp(arg, "csv") == 0)
		return PXR_FMT_CSV;
	if (strcmp(arg, "jsonl") == 0 || strcmp(arg, "json") == 0)
		return PXR_FMT_JSONL;
	pxr_cli_usage(c, "%s: expected csv or jsonl, got '%s'", opt, arg);
}

int
pxr_cli_option(struct pxr_cli *c, int opt, const char *arg)
{
	long long n;

	switch (opt) {
	case 'h':
		printf("%s\n%s\n%s", c->usage, c->help, PXR_CLI_HELP);
		pxr_cli_exit(c, 0);
	case OPT_VERSION:
		printf("%s (pxr) %s\n", c->prog, PXR_VERSION);
		pxr_cli_exit(c, 0);
	case 'q':
		c->quiet = 1;
		c->verbose = 0;
		return 1;
	case 'v':
		c->verbose++;
		c->quiet = 0;
		return 1;
	case 'r':
		c->rules = arg;
		return 1;
	case OPT_IN:
		c->in_fmt = fmt_arg(c, "--in", arg);
		return 1;
	case OPT_OUT:
		c->out_fmt = fmt_arg(c, "--out", arg);
		return 1;
	case OPT_NOW:
		c->now = arg;
		return 1;
	case OPT_ONERR:
		if (strcmp(arg, "fail") == 0)
			c->onerr = PXR_ONERR_FAIL;
		else if (strcmp(arg, "skip") == 0)
			c->onerr = PXR_ONERR_SKIP;
		else if (strncmp(arg, "quarantine:", 11) == 0 &&
		    arg[11] != '\0') {
			c->onerr = PXR_ONERR_QUARANTINE;
			c->qpath = arg + 11;
		} else
			pxr_cli_usage(c, "--on-error: expected fail, skip or "
			    "quarantine:FILE, got '%s'", arg);
		return 1;
	case OPT_COLUMNS:
		if (*arg == '\0')
			pxr_cli_usage(c, "--columns: empty list");
		c->columns = pxr_cli_split(arg);
		for (size_t i = 0; c->columns[i] != NULL; i++)
			if (c->columns[i][0] == '\0')
				pxr_cli_usage(c, "--columns: empty name at "
				    "position %zu", i + 1);
		return 1;
	case OPT_NOHEADER:
		c->no_header = 1;
		return 1;
	case OPT_ENCODING:
		if ((c->encoding = pxr_enc_parse(arg)) < 0)
			pxr_cli_usage(c, "--encoding: expected utf-8, "
			    "windows-1252, iso-8859-1 or utf-16, got '%s'", arg);
		return 1;
	case OPT_DELIM:
		if ((c->delim = pxr_csv_delim_parse(arg)) < 0)
			pxr_cli_usage(c, "--delimiter: expected one character "
			    "such as ';' or '|', or tab, got '%s'", arg);
		return 1;
	case OPT_PROGRESS:
		c->progress = 1;
		return 1;
	case OPT_NOPROGRESS:
		c->progress = 0;
		return 1;
	case OPT_EXPLAIN:
		c->explain = 1;
		return 1;
	case OPT_MAXREC:
		if ((n = pxr_cli_size(arg)) < 0)
			pxr_cli_usage(c, "--max-record: expected a size such "
			    "as 65536, 64k or 16M, got '%s'", arg);
		c->max_record = (size_t)n;
		return 1;
	case OPT_FORMULA:
		c->formula_guard = 1;
		return 1;
	case ':':
		if (optopt != 0 && optopt < OPT_IN)
			pxr_cli_usage(c, "option '-%c' needs a value", optopt);
		pxr_cli_usage(c, "option '%s' needs a value",
		    c->argv[optind - 1]);
	case '?':
		if (optopt != 0 && optopt < OPT_IN)
			pxr_cli_usage(c, "unknown option '-%c'", optopt);
		pxr_cli_usage(c, "unknown option '%s'", c->argv[optind - 1]);
	default:
		return 0;
	}
}

void
pxr_cli_die(struct pxr_cli *c, const struct pxr_error *e)
{
	char buf[2048];

	if (c->w != NULL) {
		struct pxr_error fe;

		(void)pxr_writer_flush(c->w, &fe);
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", c->prog, pxr_error_str(e, buf,
	    sizeof(buf)));
	exit(e->exit != 0 ? e->exit : 1);
}

void
pxr_cli_exit(struct pxr_cli *c, int status)
{
	struct pxr_error e;
	int failed = 0;

	pxr_error_clear(&e);
	/* A quarantine file of side inputs (pxr_cli_run closes its own). */
	if (c->q != NULL) {
		struct pxr_quarantine *q = c->q;

		c->q = NULL;
		if (pxr_quarantine_close(q, &e) < 0)
			pxr_cli_die(c, &e);
	}
	if (c->w != NULL && pxr_writer_flush(c->w, &e) < 0)
		failed = 1;
	if (!failed && (fflush(stdout) != 0 || ferror(stdout)))
		failed = 1;
	if (fclose(stdout) != 0)
		failed = 1;
	if (failed) {
		if (errno == EPIPE)
			_exit(status);
		fprintf(stderr, "%s: stdout: %s\n", c->prog,
		    errno != 0 ? strerror(errno) : "write error");
		_exit(PXR_EXIT_IOERR);
	}
	exit(status);
}

static void
progress(struct pxr_cli *c, int last)
{
	double t = clock_now(), dt;
	uint64_t bytes;

	if (c->progress == 0)
		return;
	if (!last && t - c->tlast < 1.0)
		return;
	if (c->progress < 0 && (!isatty(2) || t - c->t0 < 2.0))
		return;
	if (last && c->tlast == c->t0 && c->progress < 1)
		return;
	c->tlast = t;
	dt = t - c->t0 > 1e-6 ? t - c->t0 : 1e-6;
	bytes = c->bytes_done + (c->cur != NULL ? pxr_reader_bytes(c->cur) : 0);
	fprintf(stderr, "\r%s: %llu rows, %.0f rows/s, %.1f MB/s%s", c->prog,
	    (unsigned long long)c->nin, (double)c->nin / dt,
	    (double)bytes / dt / 1e6, last ? "\n" : "");
}

/* A bad record: per --on-error, stop, warn and skip, or keep aside. */
static void
bad_record(struct pxr_cli *c)
{
	char buf[2048];

	c->nbad++;
	switch (c->onerr) {
	case PXR_ONERR_FAIL:
		if (c->err.exit == 0)
			c->err.exit = PXR_EXIT_DATAERR;
		pxr_cli_die(c, &c->err);
	case PXR_ONERR_SKIP:
		pxr_cli_warn(c, "%s (skipped)", pxr_error_str(&c->err, buf,
		    sizeof(buf)));
		break;
	default:
		if (c->verbose)
			pxr_cli_warn(c, "%s (quarantined)",
			    pxr_error_str(&c->err, buf, sizeof(buf)));
		if (c->q == NULL) {
			struct pxr_error e;

			c->q = pxr_quarantine_open(c->qpath, &e);
			if (c->q == NULL)
				pxr_cli_die(c, &e);
		}
		if (pxr_quarantine_put(c->q, c->cur, pxr_error_str(&c->err, buf,
		    sizeof(buf)), &c->err) < 0)
			pxr_cli_die(c, &c->err);
		break;
	}
}

int
pxr_cli_emit(struct pxr_cli *c, const struct pxr_rec *rec)
{
	if (pxr_writer_write(c->w, rec, &c->err) < 0)
		return c->err.exit == PXR_EXIT_IOERR ? -2 : -1;
	c->nout++;
	return 0;
}

void
pxr_cli_run(struct pxr_cli *c, struct pxr_stage *st, int nfiles, char **files)
{
	static char *dash[] = { "-", NULL };
	struct pxr_reader_opts o;
	struct pxr_rec rec;
	size_t input_fields = 1;	/* once bound: there was a record */
	int i, rc, bound = 0, status = 0;

	if (nfiles == 0) {
		files = dash;
		nfiles = 1;
	}
	if (c->no_header && c->out_fmt == PXR_FMT_JSONL)
		pxr_cli_usage(c, "--no-header goes with CSV output, not --out "
		    "jsonl");
	memset(&o, 0, sizeof(o));
	o.fmt = c->in_fmt;
	o.columns = c->columns;
	o.max_record = c->max_record;
	o.delim = c->delim;
	o.encoding = c->encoding > 0 ? c->encoding : PXR_ENC_UTF8;
	c->stage = st;
	if (c->sch == NULL)
		c->sch = pxr_schema_new();
	pxr_rec_init(&rec, c->sch);
	for (i = 0; i < nfiles; i++) {
		c->cur = pxr_reader_open(files[i], &o, c->sch, &c->err);
		if (c->cur == NULL)
			pxr_cli_die(c, &c->err);
		if (c->w == NULL) {
			int fmt = c->out_fmt != 0 ? c->out_fmt :
			    pxr_reader_format(c->cur);

			c->w = pxr_writer_new(stdout, fmt,
			    (c->no_header ? PXR_W_NOHEADER : 0) |
			    (c->formula_guard ? PXR_W_FORMULA_GUARD : 0));
		}
		for (;;) {
			pxr_error_clear(&c->err);
			rc = pxr_reader_next(c->cur, &rec, &c->err);
			if (rc == 0)
				break;
			if (rc == -2)
				pxr_cli_die(c, &c->err);
			if (rc == -1) {
				bad_record(c);
				continue;
			}
			c->nin++;
			if ((c->nin & 8191) == 0)
				progress(c, 0);
			if (!bound) {
				bound = 1;
				if (st->bind != NULL &&
				    st->bind(c, c->sch) < 0)
					pxr_cli_die(c, &c->err);
			}
			pxr_rec_fit(&rec);
			rc = st->map(c, &rec);
			if (rc == -2)
				pxr_cli_die(c, &c->err);
			if (rc == -1) {
				if (c->err.file[0] == '\0')
					pxr_error_at(&c->err,
					    pxr_reader_name(c->cur), rec.line);
				bad_record(c);
			}
		}
		c->bytes_done += pxr_reader_bytes(c->cur);
		if (i + 1 < nfiles) {
			pxr_reader_close(c->cur);
			c->cur = NULL;
		}
	}
	/* An input with no fields at all (an empty file) gives no header. */
	if (!bound)
		input_fields = c->sch->norder;
	if (!bound && st->bind != NULL && st->bind(c, c->sch) < 0)
		pxr_cli_die(c, &c->err);
	if (st->end != NULL && st->end(c) < 0)
		pxr_cli_die(c, &c->err);
	if (!c->no_records && c->sch->n > 0 && input_fields > 0 &&
	    pxr_writer_header(c->w, c->sch, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	progress(c, 1);
	if (c->q != NULL) {
		if (pxr_quarantine_close(c->q, &c->err) < 0)
			pxr_cli_die(c, &c->err);
		c->q = NULL;
		pxr_cli_warn(c, "%llu bad record%s written to %s",
		    (unsigned long long)c->nbad, c->nbad == 1 ? "" : "s",
		    c->qpath);
	} else if (c->nbad > 0)
		pxr_cli_warn(c, "%llu bad record%s skipped",
		    (unsigned long long)c->nbad, c->nbad == 1 ? "" : "s");
	pxr_reader_close(c->cur);
	c->cur = NULL;
	pxr_rec_fini(&rec);
	pxr_cli_exit(c, status != 0 ? status : c->status);
}

/* The mapper's output and words, for pxr_cli_run_mapper. */
static int
mapper_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	struct pxr_cli *c = arg;

	if (pxr_writer_write(c->w, rec, err) < 0)
		return err->exit == PXR_EXIT_IOERR ? -2 : -1;
	c->nout++;
	return 0;
}

static int
mapper_check(void *arg, const struct pxr_rec *rec, struct pxr_error *err)
{
	struct pxr_cli *c = arg;

	return c->w != NULL ? pxr_writer_check(c->w, rec, err) : 0;
}

static void
mapper_say(void *arg, int level, const char *text)
{
	struct pxr_cli *c = arg;

	switch (level) {
	case PXR_SAY_WARN:
		pxr_cli_warn(c, "%s", text);
		break;
	case PXR_SAY_INFO:
		if (c->verbose)
			pxr_cli_warn(c, "%s", text);
		break;
	default:
		fprintf(stderr, "%s: explain: %s\n", c->prog, text);
		break;
	}
}

static int
mapper_bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	struct pxr_mapper *m = c->stage->ctx;

	return m->bind != NULL ? m->bind(m, sch, &c->err) : 0;
}

static int
mapper_map(struct pxr_cli *c, struct pxr_rec *rec)
{
	struct pxr_mapper *m = c->stage->ctx;

	return m->map(m, rec, &c->err);
}

static int
mapper_end(struct pxr_cli *c)
{
	struct pxr_mapper *m = c->stage->ctx;

	if (m->end == NULL)
		return 0;
	return m->end(m, &c->err) < 0 ? -2 : 0;
}

void
pxr_cli_run_mapper(struct pxr_cli *c, struct pxr_mapper *m, int nfiles,
    char **files)
{
	static struct pxr_stage st;

	st.ctx = m;
	st.bind = mapper_bind;
	st.map = mapper_map;
	st.end = mapper_end;
	m->out.emit = mapper_emit;
	m->out.arg = c;
	m->out.check = mapper_check;
	m->sayer.say = mapper_say;
	m->sayer.arg = c;
	m->explain = c->explain;
	pxr_cli_run(c, &st, nfiles, files);
}

/* A side input in the dialect delim, encoding (0, UTF-8: pxr's own). */
static struct pxr_sidein *
open_sidein(struct pxr_cli *c, const char *path, struct pxr_schema *sch,
    int delim, int encoding)
{
	struct pxr_sidein_opts o;
	struct pxr_sidein *s;

	memset(&o, 0, sizeof(o));
	o.ropts.delim = delim;
	o.ropts.encoding = encoding;
	o.onerr = c->onerr;
	o.qpath = c->qpath;
	o.q = &c->q;
	o.ropts.max_record = c->max_record;
	o.sayer.say = mapper_say;
	o.sayer.arg = c;
	if ((s = pxr_sidein_open(path, &o, sch, &c->err)) == NULL)
		pxr_cli_die(c, &c->err);
	return s;
}

struct pxr_sidein *
pxr_cli_sidein(struct pxr_cli *c, const char *path, struct pxr_schema *sch)
{
	return open_sidein(c, path, sch, 0, PXR_ENC_UTF8);
}

struct pxr_sidein *
pxr_cli_sidein_dialect(struct pxr_cli *c, const char *path,
    struct pxr_schema *sch, int delim, int encoding)
{
	return open_sidein(c, path, sch, c->delim != 0 ? c->delim : delim,
	    c->encoding >= 0 ? c->encoding : encoding);
}

int
pxr_cli_sidein_next(struct pxr_cli *c, struct pxr_sidein *s,
    struct pxr_rec *rec)
{
	int rc = pxr_sidein_next(s, rec, &c->err);

	if (rc < 0)
		pxr_cli_die(c, &c->err);
	return rc;
}

void
pxr_cli_sidein_bad(struct pxr_cli *c, struct pxr_sidein *s,
    const struct pxr_rec *rec)
{
	if (pxr_sidein_bad(s, rec, &c->err) < 0)
		pxr_cli_die(c, &c->err);
}

void
pxr_cli_sidein_close(struct pxr_cli *c, struct pxr_sidein *s)
{
	uint64_t n = pxr_sidein_nbad(s);

	if (n > 0 && c->onerr == PXR_ONERR_QUARANTINE)
		pxr_cli_warn(c, "%s: %llu bad record%s written to %s",
		    pxr_sidein_name(s), (unsigned long long)n, n == 1 ? "" :
		    "s", c->qpath);
	else if (n > 0)
		pxr_cli_warn(c, "%s: %llu bad record%s skipped",
		    pxr_sidein_name(s), (unsigned long long)n, n == 1 ? "" :
		    "s");
	c->nbad += n;
	pxr_sidein_close(s);
}

struct pxr_rules *
pxr_cli_rules(struct pxr_cli *c)
{
	struct pxr_diags d;
	struct pxr_rules *R;
	size_t i;

	if (c->rules == NULL)
		pxr_cli_usage(c, "a rule file is needed: -r RULES (or "
		    "$PXR_RULES)");
	memset(&d, 0, sizeof(d));
	if ((R = pxr_rules_load(c->rules, &d)) != NULL) {
		pxr_diags_free(&d);
		/* The rule file's input dialect, unless an option said. */
		if (c->delim == 0)
			c->delim = R->delimiter;
		if (c->encoding < 0)
			c->encoding = R->encoding;
		return R;
	}
	if (d.n > 0 && strcmp(d.v[0].check, "io") == 0) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, c->rules, d.v[0].msg);
		exit(PXR_EXIT_NOINPUT);
	}
	pxr_diags_sort(&d);
	for (i = 0; i < d.n; i++)
		if (d.v[i].sev == PXR_SEV_ERROR)
			fprintf(stderr, "%s: %s:%ld:%d: %s\n", c->prog, c->rules,
			    d.v[i].line, d.v[i].col, d.v[i].msg);
	exit(PXR_EXIT_CONFIG);
}

int64_t
pxr_cli_now(struct pxr_cli *c, struct pxr_tz *tz)
{
	struct pxr_error e;
	struct timespec ts;
	int64_t t;

	if (c->now == NULL) {
		clock_gettime(CLOCK_REALTIME, &ts);
		return (int64_t)ts.tv_sec * PXR_US_SEC + ts.tv_nsec / 1000;
	}
	if (pxr_time_parse(c->now, strlen(c->now), tz, &t, NULL, &e) < 0)
		pxr_cli_usage(c, "--now: %s", e.text);
	return t;
}

long
pxr_cli_ms(struct pxr_cli *c, const char *opt, const char *arg)
{
	struct pxr_error e;
	int64_t d;

	if (pxr_dur_parse(arg, strlen(arg), &d, &e) < 0)
		pxr_cli_usage(c, "%s: %s", opt, e.text);
	return (long)(d / 1000);
}

struct pxr_rule *
pxr_cli_rule_of(struct pxr_cli *c, const struct pxr_rules *R,
    const struct pxr_rec *rec, size_t rf)
{
	static struct pxr_rule *last;
	const struct pxr_val *v = pxr_rec_get(rec, rf);
	struct pxr_rule *r;

	if (PXR_ISNULL(v)) {
		pxr_error_set(&c->err, PXR_EXIT_DATAERR, "no 'rule' field: "
		    "is this the output of pxr-detect?");
		return NULL;
	}
	if (last != NULL && strlen(last->id) == v->n &&
	    memcmp(last->id, v->s, v->n) == 0)
		return last;
	r = pxr_rules_find(R, v->s);
	if (r == NULL) {
		pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule '%.*s' is not "
		    "in %s", (int)(v->n > 64 ? 64 : v->n), v->s,
		    c->rules != NULL ? c->rules : "the rule file");
		return NULL;
	}
	last = r;
	return r;
}
