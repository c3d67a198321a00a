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
	struct pxr_buf pending;
	size_t	 npending;
};

static int
syserr(struct pxr_error *e, int code, const char *path, const char *what)
{
	pxr_error_set(e, code, "%s: %s", what, strerror(errno));
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
	struct pxr_state *st;
	size_t n;
	int fd, created = 0;

	if (readonly) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT) {
			syserr(err, PXR_EXIT_NOINPUT, path, "open");
			return NULL;
		}
	} else {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			created = 1;
		}
		if (fd < 0) {
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
	return st;
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

struct rows {
	struct pxr_state *st;
	pxr_state_row_fn fn;
	void	*ctx;
	char	**f;
	size_t	*fl;
	size_t	 nf, cap;
	struct pxr_buf buf;
	size_t	*offs;
	int	 complete;	/* a row ended */
	int	 bad;
	struct pxr_error *err;
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

int
pxr_state_refresh(struct pxr_state *st, pxr_state_row_fn fn, void *ctx,
    size_t *torn, struct pxr_error *err)
{
	struct stat sb;
	struct csv_parser p;
	struct rows r;
	char *data, *q, *end;
	off_t size, good;
	ssize_t got;
	size_t i, n, want;
	long line;
	int rc = 0;

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
	want = (size_t)(size - st->off);
	data = pxr_malloc(want + 1);
	for (n = 0; n < want; n += (size_t)got) {
		got = pread(st->fd, data + n, want - n, st->off + (off_t)n);
		if (got < 0 && errno == EINTR) {
			got = 0;
			continue;
		}
		if (got < 0) {
			free(data);
			return syserr(err, PXR_EXIT_IOERR, st->path, "read");
		}
		if (got == 0)
			break;
	}
	want = n;
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.err = err;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	q = data;
	end = data + want;
	good = st->off;
	line = st->line;
	/* Feed whole lines; a row is accepted when it ends. */
	while (q < end) {
		char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t len;

		if (nl == NULL)
			break;	/* no newline: a torn tail */
		len = (size_t)(nl - q) + 1;
		line++;
		if (csv_parse(&p, q, len, cb1, cb2, &r) != len) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "corrupt row "
			    "(malformed quoting)");
			pxr_error_at(err, st->path, line);
			rc = -1;
			break;
		}
		q += len;
		if (!r.complete)
			continue;	/* a quoted newline: read on */
		r.complete = 0;
		r.f = pxr_reallocarray(r.f, r.nf + 1, sizeof(*r.f));
		for (i = 0; i < r.nf; i++)
			r.f[i] = r.buf.p + r.offs[i];
		if (!st->header_seen) {
			for (i = 0; i < r.nf && i < st->ncols; i++)
				if (strcmp(r.f[i], st->cols[i]) != 0)
					break;
			if (r.nf != st->ncols || i != st->ncols) {
				pxr_error_set(err, PXR_EXIT_DATAERR, "not a "
				    "state file of this kind: the header "
				    "should be %s", st->cols[0]);
				pxr_error_at(err, st->path, line);
				rc = -1;
				break;
			}
			st->header_seen = 1;
		} else if (r.nf != st->ncols) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "corrupt row: %zu "
			    "fields, expected %zu", r.nf, st->ncols);
			pxr_error_at(err, st->path, line);
			rc = -1;
			break;
		} else if (fn != NULL && fn(ctx, r.f, r.fl, line) < 0) {
			rc = -1;
			break;
		}
		good = st->off + (off_t)(q - data);
		st->line = line;
		r.nf = 0;
		pxr_buf_reset(&r.buf);
	}
	csv_free(&p);
	free(r.f);
	free(r.fl);
	free(r.offs);
	pxr_buf_free(&r.buf);
	free(data);
	if (rc < 0)
		return -1;
	*torn = (size_t)(size - good);
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
	size_t i;

	for (i = 0; i < st->ncols; i++) {
		const char *f = fields[i] != NULL ? fields[i] : "";

		if (i > 0)
			pxr_buf_addc(&st->pending, ',');
		pxr_csv_field(&st->pending, f, strlen(f));
	}
	pxr_buf_addc(&st->pending, '\n');
	st->npending++;
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
		header_line(st, &all);
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
	if (fsync(st->fd) < 0) {
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
	st->off += (off_t)all.len;
	st->header_seen = 1;
	pxr_buf_free(&all);
done:
	pxr_buf_reset(&st->pending);
	st->npending = 0;
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
