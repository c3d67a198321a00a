/* state.c: append-only, locked, fsynced CSV state files. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "rec.h"
#include "state.h"
#include "stream.h"

struct pxr_state {
	char	*path;
	int	 fd;
	int	 readonly;
	int	 locked;
	char	**cols;
	size_t	 ncols;
	off_t	 off;		/* bytes read and accepted so far */
	long	 line;		/* lines so far */
	int	 header_seen;
	size_t	 nreq;		/* an older file may stop after nreq columns */
	size_t	 nfile;		/* the columns this file has (header seen) */
	int	 checked;	/* a new file gets the check column */
	int	 file_checked;	/* this file has it */
	int	 need_nl;	/* the last row read has no line end yet */
	struct pxr_buf pending;
	size_t	 npending;
	int	 unsynced;	/* rows written by commit_later, not synced */
	int	 later;		/* this commit does not fsync */
};

static int
syserr(struct pxr_error *e, int code, const char *path, const char *what)
{
	pxr_error_set(e, code, "%s: %s", what, strerror(errno));
	return pxr_error_at(e, path, 0);
}

static int
notreg(struct pxr_error *e, int code, const char *path)
{
	pxr_error_set(e, code, "not a regular file (a state file cannot be "
	    "a FIFO, a device or a folder)");
	return pxr_error_at(e, path, 0);
}

static void
header_line(struct pxr_state *st, struct pxr_buf *b)
{
	size_t i;

	for (i = 0; i < st->ncols; i++) {
		if (i > 0)
			pxr_buf_addc(b, ',');
		pxr_csv_field(b, st->cols[i], strlen(st->cols[i]));
	}
	pxr_buf_addc(b, '\n');
}

static int
fsync_dir(const char *path)
{
	char *dir = pxr_strdup(path), *slash = strrchr(dir, '/');
	int fd, rc;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

struct pxr_state *
pxr_state_open(const char *path, const char *const *cols, int readonly,
    struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };

	o.readonly = readonly;
	return pxr_state_open_opts(path, cols, &o, err);
}

/*
 * open(2) that never blocks (a FIFO opened for reading waits for a
 * writer) and keeps only a regular file: else -1 with errno EINVAL.
 */
static int
open_regular(const char *path, int flags, mode_t mode)
{
	struct stat sb;
	int fd = open(path, flags | O_NONBLOCK, mode);

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

struct pxr_state *
pxr_state_open_opts(const char *path, const char *const *cols,
    const struct pxr_state_opts *o, struct pxr_error *err)
{
	struct pxr_state *st;
	size_t n;
	int fd, created = 0, readonly = o->readonly;

	if (readonly) {
		fd = open_regular(path, O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0 && errno != ENOENT) {
			if (errno == EINVAL)
				notreg(err, PXR_EXIT_NOINPUT, path);
			else
				syserr(err, PXR_EXIT_NOINPUT, path, "open");
			return NULL;
		}
	} else {
		fd = open_regular(path, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0 && errno == ENOENT) {
			fd = open_regular(path, O_RDWR | O_CREAT | O_CLOEXEC,
			    0600);
			created = 1;
		}
		if (fd < 0) {
			if (errno == EINVAL)
				notreg(err, PXR_EXIT_CANTCREAT, path);
			else
				syserr(err, PXR_EXIT_CANTCREAT, path, "open");
			return NULL;
		}
		if (created && fsync_dir(path) < 0) {
			syserr(err, PXR_EXIT_IOERR, path, "fsync of its "
			    "directory");
			close(fd);
			return NULL;
		}
	}
	st = pxr_calloc(1, sizeof(*st));
	st->path = pxr_strdup(path);
	st->fd = fd;
	st->readonly = readonly;
	for (n = 0; cols[n] != NULL; n++)
		continue;
	st->cols = pxr_calloc(n + 1, sizeof(*st->cols));
	for (st->ncols = 0; st->ncols < n; st->ncols++)
		st->cols[st->ncols] = pxr_strdup(cols[st->ncols]);
	st->nreq = o->nrequired > 0 && o->nrequired < n ? o->nrequired : n;
	st->nfile = n;
	st->checked = st->file_checked = o->checked;
	return st;
}

/*
 * Was the file renamed over since we opened it (pxr-ledger forget writes
 * a file whole and renames it into place)?  What we read of the old one
 * may be gone from the new: the run must start again.
 */
static int
replaced(const struct pxr_state *st)
{
	struct stat a, b;

	return fstat(st->fd, &a) == 0 && stat(st->path, &b) == 0 &&
	    (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

int
pxr_state_lock(struct pxr_state *st, long timeout_ms, struct pxr_error *err)
{
	struct timespec t0, t;

	if (st->fd < 0 || st->locked)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(st->fd, (st->readonly ? LOCK_SH : LOCK_EX) |
		    LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return syserr(err, PXR_EXIT_IOERR, st->path, "flock");
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms) {
			pxr_error_set(err, PXR_EXIT_TEMPFAIL, "locked by "
			    "another run for %ld ms; try again later",
			    timeout_ms);
			return pxr_error_at(err, st->path, 0);
		}
		poll(NULL, 0, 20);
	}
	if (replaced(st)) {
		(void)flock(st->fd, LOCK_UN);
		pxr_error_set(err, PXR_EXIT_TEMPFAIL, "the file was replaced "
		    "while this run had it open (pxr-ledger forget); run "
		    "again");
		return pxr_error_at(err, st->path, 0);
	}
	st->locked = 1;
	return 0;
}

void
pxr_state_unlock(struct pxr_state *st)
{
	if (st->fd >= 0 && st->locked)
		(void)flock(st->fd, LOCK_UN);
	st->locked = 0;
}

/* state_refresh reads a file in blocks of this many bytes. */
#ifndef STATE_BLOCK
#define STATE_BLOCK ((size_t)1 << 20)
#endif

struct rows {
	char	**f;
	size_t	 fcap;		/* room in f */
	size_t	*fl;
	size_t	 nf, cap;
	struct pxr_buf buf;
	size_t	*offs;
	int	 complete;	/* a row ended */
};

static void
cb1(void *s, size_t n, void *d)
{
	struct rows *r = d;

	if (r->nf == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->offs = pxr_reallocarray(r->offs, r->cap, sizeof(*r->offs));
		r->fl = pxr_reallocarray(r->fl, r->cap, sizeof(*r->fl));
	}
	r->offs[r->nf] = r->buf.len;
	r->fl[r->nf] = n;
	pxr_buf_add(&r->buf, s != NULL ? s : "", n);
	pxr_buf_addc(&r->buf, '\0');
	r->nf++;
}

static void
cb2(int c, void *d)
{
	struct rows *r = d;

	(void)c;
	r->complete = 1;
}

/* The check of a row: FNV-1a of its bytes before the check field. */
static void
row_check(const char *raw, size_t n, char out[PXR_STATE_CHECKLEN + 1])
{
	snprintf(out, PXR_STATE_CHECKLEN + 1, "%016llx",
	    (unsigned long long)pxr_hash(raw, n));
}

static const char repair[] =
    "; repair the row by hand (or move it to another file if nothing was "
    "paid or sent for it), then run again";

/*
 * Take the header: the caller's columns, or (an older file) their first
 * nreq or more, then "check" in a checked file.
 */
static int
take_header(struct pxr_state *st, struct rows *r, long line,
    struct pxr_error *err)
{
	size_t i, k = r->nf;

	st->file_checked = 0;
	if (st->checked && k > 0 && strcmp(r->f[k - 1], PXR_STATE_CHECK) == 0) {
		st->file_checked = 1;
		k--;
	}
	for (i = 0; i < k && i < st->ncols; i++)
		if (strcmp(r->f[i], st->cols[i]) != 0)
			break;
	if (i != k || k < st->nreq || k > st->ncols) {
		st->file_checked = 0;
		pxr_error_set(err, PXR_EXIT_DATAERR, "not a state file of "
		    "this kind: the header should be %s", st->cols[0]);
		return pxr_error_at(err, st->path, line);
	}
	st->nfile = k;
	st->header_seen = 1;
	return 0;
}

/*
 * Check a row (its raw bytes: raw, n, without the line end): 0 good, 1
 * no good (err set).  In a checked file the last field is the check of
 * the bytes before it, or "-" for a row added by hand.
 */
static int
row_bad(struct pxr_state *st, struct rows *r, const char *raw, size_t n,
    long line, struct pxr_error *err)
{
	size_t want = st->nfile + (size_t)st->file_checked;
	char sum[PXR_STATE_CHECKLEN + 1];
	const char *comma;

	if (r->nf != want) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "corrupt row: %zu "
		    "fields, expected %zu%s", r->nf, want, repair);
		pxr_error_at(err, st->path, line);
		return 1;
	}
	if (!st->file_checked || strcmp(r->f[r->nf - 1], "-") == 0)
		return 0;
	while (n > 0 && (raw[n - 1] == '\r' || raw[n - 1] == '\n'))
		n--;
	comma = n > 0 ? memrchr(raw, ',', n) : NULL;
	if (comma != NULL)
		row_check(raw, (size_t)(comma - raw) + 1, sum);
	if (comma == NULL || strcmp(sum, r->f[r->nf - 1]) != 0) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "the row does not match "
		    "its check (changed by hand?); put it back as it was, "
		    "or set its last field (check) to '-' to take it as it "
		    "is, then run again");
		pxr_error_at(err, st->path, line);
		return 1;
	}
	return 0;
}

/* Hand a checked row to fn, with "" for the columns the file lacks. */
/* Room for n field pointers in r->f (grown, never shrunk: no realloc a row). */
static void
f_room(struct rows *r, size_t n)
{
	if (n <= r->fcap)
		return;
	r->fcap = n < 16 ? 16 : n;
	r->f = pxr_reallocarray(r->f, r->fcap, sizeof(*r->f));
}

static int
give_row(struct pxr_state *st, struct rows *r, pxr_state_row_fn fn,
    void *ctx, long line)
{
	size_t i;

	if (fn == NULL)
		return 0;
	if (r->cap < st->ncols + 1) {
		r->cap = st->ncols + 1;
		r->offs = pxr_reallocarray(r->offs, r->cap, sizeof(*r->offs));
		r->fl = pxr_reallocarray(r->fl, r->cap, sizeof(*r->fl));
	}
	f_room(r, st->ncols + 1);
	for (i = 0; i < st->ncols; i++) {
		if (i < st->nfile)
			r->f[i] = r->buf.p + r->offs[i];
		else {
			r->f[i] = (char *)"";
			r->fl[i] = 0;
		}
	}
	r->f[st->ncols] = NULL;
	return fn(ctx, r->f, r->fl, line);
}

static void
rows_fields(struct rows *r)
{
	size_t i;

	f_room(r, r->nf + 1);
	for (i = 0; i < r->nf; i++)
		r->f[i] = r->buf.p + r->offs[i];
}

/* The header this file gets when it is created. */
static void
header_text(struct pxr_state *st, struct pxr_buf *b)
{
	header_line(st, b);
	if (st->checked) {
		b->len--;
		pxr_buf_adds(b, "," PXR_STATE_CHECK "\n");
	}
}

/*
 * The bytes after the last line end (tail, n > 0): a complete row (taken
 * as one: 0), a torn pxr write (1: cut it), or neither (-1, err set).
 */
static int
tail(struct pxr_state *st, struct rows *r, const char *t, size_t n,
    pxr_state_row_fn fn, void *ctx, long line, struct pxr_error *err)
{
	struct csv_parser p;
	struct pxr_error e;
	int ok;

	r->nf = 0;
	r->complete = 0;
	pxr_buf_reset(&r->buf);
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	ok = csv_parse(&p, t, n, cb1, cb2, r) == n &&
	    csv_fini(&p, cb1, cb2, r) == 0 && r->complete;
	csv_free(&p);
	if (!st->header_seen) {
		struct pxr_buf h = { 0 };
		int torn;

		/* A torn first write: a part of the header we write. */
		header_text(st, &h);
		torn = n < h.len && memcmp(h.p, t, n) == 0;
		pxr_buf_free(&h);
		if (torn && !ok)
			return 1;
		if (ok) {
			rows_fields(r);
			return take_header(st, r, line, err);
		}
	} else if (ok) {
		size_t want = st->nfile + (size_t)st->file_checked;

		rows_fields(r);
		if (!row_bad(st, r, t, n, line, &e))
			return give_row(st, r, fn, ctx, line) < 0 ? -1 : 0;
		/* Written by pxr and cut short: fields or the check missing. */
		if (st->file_checked && (r->nf < want || (r->nf == want &&
		    strlen(r->f[r->nf - 1]) < PXR_STATE_CHECKLEN)))
			return 1;
		/* A whole row that fails its check, or too many fields. */
		if (st->file_checked || r->nf >= want) {
			*err = e;
			return -1;
		}
	} else if (st->file_checked)
		return 1;
	pxr_error_set(err, PXR_EXIT_DATAERR, "the last row is incomplete "
	    "and has no line end, and this file has no per-row checks that "
	    "tell a torn write from an edit: complete the row and end it "
	    "with a newline (or move it to another file if nothing was paid "
	    "or sent for it), then run again");
	return pxr_error_at(err, st->path, line);
}

static int state_refresh(struct pxr_state *, pxr_state_row_fn, void *,
    size_t *, struct pxr_error *);

int
pxr_state_refresh(struct pxr_state *st, pxr_state_row_fn fn, void *ctx,
    size_t *torn, struct pxr_error *err)
{
	int rc;

	pxr_mem_loading(st->path);
	rc = state_refresh(st, fn, ctx, torn, err);
	pxr_mem_loading(NULL);
	return rc;
}

static int
state_refresh(struct pxr_state *st, pxr_state_row_fn fn, void *ctx,
    size_t *torn, struct pxr_error *err)
{
	struct stat sb;
	struct csv_parser p;
	struct rows r;
	char *data, *q, *end, *row;
	off_t size, good, base, at;
	ssize_t got;
	size_t filled = 0, cap, shift, want;
	long line, rowline;
	int rc = 0, first = 1;

	*torn = 0;
	if (st->fd < 0)
		return 0;
	if (fstat(st->fd, &sb) < 0)
		return syserr(err, PXR_EXIT_IOERR, st->path, "fstat");
	size = sb.st_size;
	if (size < st->off) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "the file shrank while "
		    "we read it (it is append-only)");
		return pxr_error_at(err, st->path, 0);
	}
	if (size == st->off)
		return 0;
	/*
	 * Read in blocks of STATE_BLOCK, keeping only the row being read
	 * from one block to the next: the file is never in memory whole.
	 */
	cap = STATE_BLOCK + 1;
	data = pxr_malloc(cap);
	memset(&r, 0, sizeof(r));
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	base = at = st->off;	/* the file offsets of data[0], of the next read */
	q = row = end = data;
	good = st->off;
	line = rowline = st->line;
	for (;;) {
		/* Fill: up to one block more, never past the size seen. */
		want = (size_t)(size - at) < STATE_BLOCK ? (size_t)(size - at) :
		    STATE_BLOCK;
		if (filled + want + 1 > cap) {
			/* A row longer than a block: room for it whole. */
			size_t qo = (size_t)(q - data), ro = (size_t)(row - data);

			cap = filled + want + 1;
			data = pxr_realloc(data, cap);
			q = data + qo;
			row = data + ro;
		}
		got = 0;
		while (want > 0 && (got = pread(st->fd, data + filled, want,
		    at)) < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = syserr(err, PXR_EXIT_IOERR, st->path, "read");
			break;
		}
		filled += (size_t)got;
		at += got;
		end = data + filled;
		if (first) {
			first = 0;
			if (st->need_nl && q < end && *q == '\n') {
				/* The line end another run gave our last row. */
				q = row = data + 1;
				st->need_nl = 0;
			}
			good = base + (off_t)(q - data);
		}
		/* Feed whole lines; a row is accepted when it ends. */
		while (q < end) {
			char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t len;

			if (nl == NULL)
				break;	/* no line end yet: next block, or tail */
			len = (size_t)(nl - q) + 1;
			line++;
			/* Most rows need no libcsv: no quote, space or CR. */
			if ((p.pstate != 0 || !pxr_csv_plain_line(q, len, 1,
			    cb1, cb2, &r)) && csv_parse(&p, q, len, cb1, cb2,
			    &r) != len) {
				pxr_error_set(err, PXR_EXIT_DATAERR, "corrupt "
				    "row (malformed quoting)%s", repair);
				pxr_error_at(err, st->path, line);
				rc = -1;
				break;
			}
			if (!r.complete) {
				/* A blank line between rows, or a quoted
				 * newline. */
				if (row == q && (len == 1 || (len == 2 &&
				    *q == '\r')))
					row = q + len;
				q += len;
				continue;
			}
			q += len;
			r.complete = 0;
			rows_fields(&r);
			if (!st->header_seen) {
				if (take_header(st, &r, line, err) < 0) {
					rc = -1;
					break;
				}
			} else if (row_bad(st, &r, row, (size_t)(q - row),
			    line, err) || give_row(st, &r, fn, ctx, line) < 0) {
				rc = -1;
				break;
			}
			good = base + (off_t)(q - data);
			st->line = rowline = line;
			row = q;
			r.nf = 0;
			pxr_buf_reset(&r.buf);
		}
		if (rc < 0 || got == 0 || at >= size)
			break;
		/* Keep the row being read (from row), drop what is done. */
		shift = (size_t)(row - data);
		memmove(data, row, filled - shift);
		filled -= shift;
		base += (off_t)shift;
		q -= shift;
		row = data;
		end = data + filled;
	}
	csv_free(&p);
	if (rc == 0 && row < end) {
		rc = tail(st, &r, row, (size_t)(end - row), fn, ctx,
		    rowline + 1, err);
		if (rc == 0) {
			good = size;
			st->line = rowline + 1;
			st->need_nl = 1;
		} else if (rc == 1) {
			rc = 0;
			*torn = (size_t)(end - row);
		}
	}
	free(r.f);
	free(r.fl);
	free(r.offs);
	pxr_buf_free(&r.buf);
	free(data);
	if (rc < 0)
		return -1;
	st->off = good;
	if (*torn > 0 && st->locked && !st->readonly) {
		/* Cut the torn tail so that appends start on a row. */
		if (ftruncate(st->fd, good) < 0 || fsync(st->fd) < 0)
			return syserr(err, PXR_EXIT_IOERR, st->path,
			    "truncating a torn last row");
	}
	return 0;
}

void
pxr_state_add(struct pxr_state *st, const char *const *fields)
{
	size_t i, start = st->pending.len;
	char sum[PXR_STATE_CHECKLEN + 1];

	for (i = 0; i < st->nfile; i++) {
		const char *f = fields[i] != NULL ? fields[i] : "";

		if (i > 0)
			pxr_buf_addc(&st->pending, ',');
		pxr_csv_field(&st->pending, f, strlen(f));
	}
	if (st->file_checked) {
		pxr_buf_addc(&st->pending, ',');
		row_check(st->pending.p + start, st->pending.len - start, sum);
		pxr_buf_adds(&st->pending, sum);
	}
	pxr_buf_addc(&st->pending, '\n');
	st->npending++;
}

int
pxr_state_has(const struct pxr_state *st, size_t col)
{
	return col < st->nfile;
}

void
pxr_state_discard(struct pxr_state *st)
{
	pxr_buf_reset(&st->pending);
	st->npending = 0;
}

size_t
pxr_state_pending(const struct pxr_state *st)
{
	return st->npending;
}

int
pxr_state_commit(struct pxr_state *st, struct pxr_error *err)
{
	struct pxr_buf all = { 0 };
	const char *p;
	size_t left;
	ssize_t w;

	if (st->readonly || (st->npending == 0 && st->off > 0))
		goto done;
	{
		struct stat sb;

		/* Only after reading every row others wrote, under the lock. */
		if (!st->locked || fstat(st->fd, &sb) < 0 ||
		    sb.st_size != st->off) {
			pxr_error_set(err, PXR_EXIT_IOERR, "internal: append "
			    "without the lock or past unread rows");
			return pxr_error_at(err, st->path, 0);
		}
	}
	if (st->off == 0 && !st->header_seen)
		header_text(st, &all);
	else if (st->need_nl)
		pxr_buf_addc(&all, '\n');
	pxr_buf_add(&all, st->pending.p != NULL ? st->pending.p : "",
	    st->pending.len);
	p = all.p;
	left = all.len;
	while (left > 0) {
		w = pwrite(st->fd, p, left, st->off + (off_t)(p - all.p));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			/* Take back what was written: the file stays whole. */
			if (ftruncate(st->fd, st->off) < 0)
				e = errno;
			errno = e;
			pxr_buf_free(&all);
			return syserr(err, PXR_EXIT_IOERR, st->path, "write");
		}
		p += w;
		left -= (size_t)w;
	}
	if (st->later) {
		/* Made durable by the next commit's fsync, or by sync. */
		st->unsynced = 1;
	} else if (fsync(st->fd) < 0) {
		int e = errno;

		pxr_buf_free(&all);
		/*
		 * A failed fsync is not retried and trusted: the rows may not
		 * be on disk, so they are taken back, and nothing downstream
		 * hears of them.  (Should the cut not survive a crash, the
		 * rows come back as done; never as done twice.)
		 */
		if (ftruncate(st->fd, st->off) < 0)
			e = errno;
		errno = e;
		return syserr(err, PXR_EXIT_IOERR, st->path, "fsync");
	}
	else
		st->unsynced = 0;
	st->off += (off_t)all.len;
	st->header_seen = 1;
	st->need_nl = 0;
	pxr_buf_free(&all);
done:
	pxr_buf_reset(&st->pending);
	st->npending = 0;
	return 0;
}

int
pxr_state_commit_later(struct pxr_state *st, struct pxr_error *err)
{
	int rc;

	st->later = 1;
	rc = pxr_state_commit(st, err);
	st->later = 0;
	return rc;
}

int
pxr_state_sync(struct pxr_state *st, struct pxr_error *err)
{
	if (st == NULL || !st->unsynced)
		return 0;
	if (fsync(st->fd) < 0)
		return syserr(err, PXR_EXIT_IOERR, st->path, "fsync");
	st->unsynced = 0;
	return 0;
}

const char *
pxr_state_path(const struct pxr_state *st)
{
	return st->path;
}

void
pxr_state_close(struct pxr_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	pxr_state_unlock(st);
	if (st->fd >= 0)
		close(st->fd);
	for (i = 0; i < st->ncols; i++)
		free(st->cols[i]);
	free(st->cols);
	free(st->path);
	pxr_buf_free(&st->pending);
	free(st);
}
