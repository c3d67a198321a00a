/* stream.c: opening inputs, the line source, writers and quarantine. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "streamint.h"

#define CHUNK (256 * 1024)

static ssize_t
read_fd(int fd, char *p, size_t n, struct pxr_error *err, const char *name)
{
	ssize_t k;

	do
		k = read(fd, p, n);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		pxr_error_set(err, PXR_EXIT_IOERR, "read: %s", strerror(errno));
		pxr_error_at(err, name, 0);
	}
	return k;
}

/*
 * More bytes at l->buf + l->end (room is made for at least 16): read, or
 * read and convert to UTF-8.  The count, 0 at the end, -1 and err.
 */
static ssize_t
lines_read(struct pxr_lines *l, struct pxr_error *err, const char *name)
{
	char *in, *out, *p;
	size_t inleft, outleft;
	ssize_t k;

	if (l->conv && l->cap - l->end < 16) {
		l->cap += CHUNK;
		l->buf = pxr_realloc(l->buf, l->cap);
	}
	if (!l->conv) {
		k = read_fd(l->fd, l->buf + l->end, l->cap - l->end, err, name);
		if (k > 0)
			l->bytes += (uint64_t)k;
		return k;
	}
	for (;;) {
		if (l->rawcap == 0) {
			l->rawcap = CHUNK;
			l->raw = pxr_malloc(l->rawcap);
		}
		k = 0;
		if (l->badbyte == 0 && l->rawlen < l->rawcap &&
		    (k = read_fd(l->fd, l->raw + l->rawlen, l->rawcap -
		    l->rawlen, err, name)) < 0)
			return -1;
		l->rawlen += (size_t)k;
		l->bytes += (uint64_t)k;
		if (l->rawlen == 0)
			return 0;
		in = l->raw;
		inleft = l->rawlen;
		out = l->buf + l->end;
		outleft = l->cap - l->end;
		if (iconv(l->cd, &in, &inleft, &out, &outleft) == (size_t)-1 &&
		    errno == EILSEQ)
			l->badbyte = l->bytes - inleft + 1;
		memmove(l->raw, in, inleft);
		l->rawlen = inleft;
		for (p = l->buf + l->end; (p = memchr(p, '\n', (size_t)(out -
		    p))) != NULL; p++)
			l->convnl++;
		if (out > l->buf + l->end)
			return out - (l->buf + l->end);
		if (l->badbyte > 0) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "byte %llu of the "
			    "file: not a character of the input's encoding",
			    (unsigned long long)l->badbyte);
			pxr_error_at(err, name, l->convnl + 1);
			return -1;
		}
		if (k == 0) {
			/* The end, inside a character. */
			pxr_error_set(err, PXR_EXIT_DATAERR, "the input ends "
			    "inside a character of its encoding");
			pxr_error_at(err, name, l->lineno + 1);
			return -1;
		}
	}
}

static const char *const enc_names[] = {
	"utf-8", "windows-1252", "iso-8859-1", "utf-16"
};
static const char *const enc_iconv[] = {
	"UTF-8", "WINDOWS-1252", "ISO-8859-1", "UTF-16"
};

int
pxr_enc_parse(const char *s)
{
	size_t i;

	if (strcasecmp(s, "cp1252") == 0)
		return PXR_ENC_WINDOWS_1252;
	if (strcasecmp(s, "latin1") == 0)
		return PXR_ENC_ISO_8859_1;
	if (strcasecmp(s, "utf8") == 0)
		return PXR_ENC_UTF8;
	for (i = 0; i < sizeof(enc_names) / sizeof(enc_names[0]); i++)
		if (strcasecmp(s, enc_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
pxr_enc_name(int e)
{
	return e >= 0 && e <= PXR_ENC_UTF16 ? enc_names[e] : "?";
}

int
pxr_lines_next(struct pxr_lines *l, size_t max, char **line, size_t *len,
    struct pxr_error *err, const char *name)
{
	char *nl;
	ssize_t n;
	int skipping = 0;

	for (;;) {
		nl = l->end > l->beg ? memchr(l->buf + l->beg, '\n',
		    l->end - l->beg) : NULL;
		if (nl != NULL) {
			size_t start = l->beg;

			l->beg = (size_t)(nl - l->buf) + 1;
			l->lineno++;
			if (skipping) {
				pxr_error_set(err, PXR_EXIT_DATAERR,
				    "line longer than %zu bytes", max);
				return pxr_error_at(err, name, l->lineno);
			}
			*line = l->buf + start;
			*len = l->beg - start;
			return 1;
		}
		if (l->eof) {
			if (l->beg == l->end)
				return 0;
			*line = l->buf + l->beg;
			*len = l->end - l->beg;
			l->beg = l->end;
			l->lineno++;
			if (skipping) {
				pxr_error_set(err, PXR_EXIT_DATAERR,
				    "line longer than %zu bytes", max);
				return pxr_error_at(err, name, l->lineno);
			}
			return 1;
		}
		if (l->beg > 0) {
			memmove(l->buf, l->buf + l->beg, l->end - l->beg);
			l->end -= l->beg;
			l->beg = 0;
		}
		if (l->end == l->cap) {
			if (l->cap >= max + 2) {
				skipping = 1;
				l->end = 0;
			} else {
				l->cap = l->cap == 0 ? CHUNK : l->cap * 2;
				if (l->cap > max + 2)
					l->cap = max + 2;
				l->buf = pxr_realloc(l->buf, l->cap);
			}
		}
		if ((n = lines_read(l, err, name)) < 0)
			return -2;
		if (n == 0)
			l->eof = 1;
		l->end += (size_t)n;
	}
}

/* Look at the first non-blank byte without consuming it. */
static int
sniff(struct pxr_reader *r, struct pxr_error *err)
{
	struct pxr_lines *l = &r->in;
	ssize_t n;
	size_t i;

	for (;;) {
		for (i = l->beg; i < l->end; i++) {
			unsigned char c = (unsigned char)l->buf[i];

			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			/* A BOM then '{' is still JSON Lines to a person. */
			if (c == 0xef && i + 2 < l->end &&
			    (unsigned char)l->buf[i + 1] == 0xbb &&
			    (unsigned char)l->buf[i + 2] == 0xbf) {
				i += 2;
				continue;
			}
			return c == '{' ? PXR_FMT_JSONL : PXR_FMT_CSV;
		}
		if (l->eof || l->end - l->beg > 65536)
			return PXR_FMT_CSV;
		if (l->end == l->cap) {
			l->cap = l->cap == 0 ? CHUNK : l->cap * 2;
			l->buf = pxr_realloc(l->buf, l->cap);
		}
		if ((n = lines_read(l, err, r->name)) < 0)
			return -1;
		if (n == 0)
			l->eof = 1;
		l->end += (size_t)n;
	}
}

struct pxr_reader *
pxr_reader_open(const char *path, const struct pxr_reader_opts *o,
    struct pxr_schema *sch, struct pxr_error *err)
{
	struct pxr_reader *r;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = 0;
		path = "-";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		pxr_error_set(err, PXR_EXIT_NOINPUT, "%s", strerror(errno));
		pxr_error_at(err, path, 0);
		return NULL;
	}
	r = pxr_calloc(1, sizeof(*r));
	r->name = pxr_strdup(path);
	pxr_mem_loading(r->name);
	r->in.fd = fd;
	r->sch = sch;
	r->max = o != NULL && o->max_record > 0 ? o->max_record :
	    PXR_MAX_RECORD_DEFAULT;
	r->fmt = o != NULL ? o->fmt : PXR_FMT_AUTO;
	if (o != NULL && o->encoding > PXR_ENC_UTF8) {
		r->in.cd = iconv_open("UTF-8", enc_iconv[o->encoding]);
		if (r->in.cd == (iconv_t)-1) {
			pxr_error_set(err, PXR_EXIT_USAGE, "encoding %s: %s",
			    pxr_enc_name(o->encoding), strerror(errno));
			pxr_reader_close(r);
			return NULL;
		}
		r->in.conv = 1;
	}
	if (r->fmt == PXR_FMT_AUTO) {
		r->fmt = sniff(r, err);
		if (r->fmt < 0) {
			pxr_reader_close(r);
			return NULL;
		}
	}
	if (r->fmt == PXR_FMT_CSV &&
	    pxr_csv_open(r, o != NULL ? o->delim : 0, o != NULL ? o->columns :
	    NULL, err) < 0) {
		pxr_reader_close(r);
		return NULL;
	}
	return r;
}

int
pxr_reader_next(struct pxr_reader *r, struct pxr_rec *rec,
    struct pxr_error *err)
{
	rec->file = r->name;
	if (r->fmt == PXR_FMT_CSV)
		return pxr_csv_next(r, rec, err);
	return pxr_jsonl_next(r, rec, err);
}

int
pxr_reader_format(const struct pxr_reader *r)
{
	return r->fmt;
}

const char *
pxr_reader_raw(const struct pxr_reader *r, size_t *n)
{
	*n = r->raw.len;
	return r->raw.p == NULL ? "" : r->raw.p;
}

const char *
pxr_reader_header(const struct pxr_reader *r, size_t *n)
{
	*n = r->header.len;
	return r->haveheader ? r->header.p : NULL;
}

uint64_t
pxr_reader_bytes(const struct pxr_reader *r)
{
	return r->in.bytes - (r->in.end - r->in.beg);
}

const char *
pxr_reader_name(const struct pxr_reader *r)
{
	return r->name;
}

void
pxr_reader_close(struct pxr_reader *r)
{
	if (r == NULL)
		return;
	if (r->in.fd > 0)
		close(r->in.fd);
	pxr_csv_close(r);
	if (r->in.conv)
		iconv_close(r->in.cd);
	free(r->in.raw);
	free(r->in.buf);
	pxr_mem_loading(NULL);
	free(r->name);
	pxr_buf_free(&r->raw);
	pxr_buf_free(&r->header);
	pxr_buf_free(&r->jtmp);
	free(r->jidx);
	free(r);
}

/* Writers. */

struct pxr_writer {
	FILE	*fp;
	int	 fmt;
	int	 flags;
	int	 started;
	size_t	*cols;		/* CSV: schema indices of the header */
	size_t	 ncols;
	size_t	 schn;		/* schema size when the header was written */
	char	**jnames;	/* JSON: "name": prefixes by schema index */
	size_t	 njnames;
	struct pxr_buf out;
};

struct pxr_writer *
pxr_writer_new(FILE *fp, int fmt, int flags)
{
	struct pxr_writer *w = pxr_calloc(1, sizeof(*w));

	w->fp = fp;
	w->fmt = fmt == PXR_FMT_JSONL ? PXR_FMT_JSONL : PXR_FMT_CSV;
	w->flags = flags;
	return w;
}

int
pxr_writer_format(const struct pxr_writer *w)
{
	return w->fmt;
}

static int
drain(struct pxr_writer *w, struct pxr_error *err)
{
	if (w->out.len > 0 &&
	    fwrite(w->out.p, 1, w->out.len, w->fp) != w->out.len) {
		pxr_buf_reset(&w->out);
		return pxr_error_set(err, PXR_EXIT_IOERR, "write: %s",
		    strerror(errno));
	}
	pxr_buf_reset(&w->out);
	return 0;
}

int
pxr_writer_header(struct pxr_writer *w, const struct pxr_schema *sch,
    struct pxr_error *err)
{
	size_t i;

	if (w->started)
		return 0;
	w->started = 1;
	if (w->fmt != PXR_FMT_CSV)
		return 0;
	w->cols = pxr_reallocarray(NULL, sch->norder + 1, sizeof(*w->cols));
	for (i = 0; i < sch->norder; i++)
		w->cols[w->ncols++] = sch->order[i];
	w->schn = sch->norder;
	if (w->flags & PXR_W_NOHEADER)
		return 0;
	for (i = 0; i < w->ncols; i++) {
		const char *nm = sch->names[w->cols[i]];

		if (i > 0)
			pxr_buf_addc(&w->out, ',');
		pxr_csv_field(&w->out, nm, strlen(nm));
	}
	pxr_buf_addc(&w->out, '\n');
	return drain(w, err);
}

static int
looks_numeric(const char *s, size_t n)
{
	char *end;

	if (n == 0 || n > 64)
		return 0;
	errno = 0;
	(void)strtod(s, &end);
	return end == s + n;
}

static void
csv_cell(struct pxr_writer *w, const struct pxr_val *v)
{
	if (v->t == PXR_ABSENT || v->t == PXR_NULL)
		return;
	if (v->t == PXR_STR && v->n == 0) {
		pxr_buf_add(&w->out, "\"\"", 2);
		return;
	}
	if ((w->flags & PXR_W_FORMULA_GUARD) && v->t == PXR_STR &&
	    strchr("=+-@\t\r", v->s[0]) != NULL && !looks_numeric(v->s, v->n)) {
		struct pxr_buf t = { 0 };

		pxr_buf_addc(&t, '\'');
		pxr_buf_add(&t, v->s, v->n);
		pxr_csv_field(&w->out, t.p, t.len);
		pxr_buf_free(&t);
		return;
	}
	pxr_csv_field(&w->out, v->s, v->n);
}

/* 0 when the CSV header written (if any) has every field of rec. */
static int
csv_fits(struct pxr_writer *w, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	size_t i;

	if (!w->started)
		return 0;	/* the header will be the schema's */
	for (i = w->schn; i < rec->sch->norder; i++)
		if (pxr_rec_get(rec, rec->sch->order[i])->t != PXR_ABSENT) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "field '%s' is not "
			    "in the CSV header written from the first record",
			    rec->sch->names[rec->sch->order[i]]);
			return pxr_error_at(err, rec->file, rec->line);
		}
	return 0;
}

static int
not_utf8(const struct pxr_rec *rec, size_t i, struct pxr_error *err)
{
	pxr_error_set(err, PXR_EXIT_DATAERR, "field '%s': not valid UTF-8, "
	    "cannot be written as JSON", rec->sch->names[i]);
	return pxr_error_at(err, rec->file, rec->line);
}

static int
write_csv(struct pxr_writer *w, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	size_t i;

	if (csv_fits(w, rec, err) < 0)
		return -1;
	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			pxr_buf_addc(&w->out, ',');
		csv_cell(w, pxr_rec_get(rec, w->cols[i]));
	}
	pxr_buf_addc(&w->out, '\n');
	return 0;
}

static const char *
jname(struct pxr_writer *w, const struct pxr_schema *sch, size_t i)
{
	if (i >= w->njnames) {
		size_t old = w->njnames;

		w->njnames = sch->n + 8;
		w->jnames = pxr_reallocarray(w->jnames, w->njnames,
		    sizeof(*w->jnames));
		memset(w->jnames + old, 0, (w->njnames - old) *
		    sizeof(*w->jnames));
	}
	if (w->jnames[i] == NULL) {
		struct pxr_buf b = { 0 };

		if (pxr_json_string(&b, sch->names[i], strlen(sch->names[i]))
		    < 0) {
			pxr_buf_reset(&b);
			pxr_buf_adds(&b, "\"\"");
		}
		pxr_buf_addc(&b, ':');
		w->jnames[i] = b.p;
	}
	return w->jnames[i];
}

static int
write_jsonl(struct pxr_writer *w, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	size_t k, mark = w->out.len;
	int first = 1;

	pxr_buf_addc(&w->out, '{');
	for (k = 0; k < rec->sch->norder; k++) {
		size_t i = rec->sch->order[k];
		const struct pxr_val *v = pxr_rec_get(rec, i);

		if (v->t == PXR_ABSENT)
			continue;
		if (!first)
			pxr_buf_addc(&w->out, ',');
		first = 0;
		pxr_buf_adds(&w->out, jname(w, rec->sch, i));
		switch (v->t) {
		case PXR_NULL:
			pxr_buf_add(&w->out, "null", 4);
			break;
		case PXR_STR:
			if (pxr_json_string(&w->out, v->s, v->n) < 0) {
				w->out.len = mark;
				return not_utf8(rec, i, err);
			}
			break;
		default:
			pxr_buf_add(&w->out, v->s, v->n);
			break;
		}
	}
	pxr_buf_add(&w->out, "}\n", 2);
	return 0;
}

int
pxr_writer_write(struct pxr_writer *w, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	int rc;

	if (!w->started && pxr_writer_header(w, rec->sch, err) < 0)
		return -1;
	if (w->fmt == PXR_FMT_CSV)
		rc = write_csv(w, rec, err);
	else
		rc = write_jsonl(w, rec, err);
	if (rc < 0)
		return -1;
	if (w->out.len >= 65536)
		return drain(w, err);
	return 0;
}

int
pxr_writer_check(struct pxr_writer *w, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	size_t k;

	if (w->fmt == PXR_FMT_CSV)
		return csv_fits(w, rec, err);
	for (k = 0; k < rec->sch->norder; k++) {
		size_t i = rec->sch->order[k];
		const struct pxr_val *v = pxr_rec_get(rec, i);

		if (v->t == PXR_STR && !pxr_utf8_valid(v->s, v->n))
			return not_utf8(rec, i, err);
	}
	return 0;
}

int
pxr_writer_flush(struct pxr_writer *w, struct pxr_error *err)
{
	if (drain(w, err) < 0)
		return -1;
	if (fflush(w->fp) != 0)
		return pxr_error_set(err, PXR_EXIT_IOERR, "write: %s",
		    strerror(errno));
	return 0;
}

void
pxr_writer_free(struct pxr_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->njnames; i++)
		free(w->jnames[i]);
	free(w->jnames);
	free(w->cols);
	pxr_buf_free(&w->out);
	free(w);
}

/* Quarantine. */

struct pxr_quarantine {
	FILE	*fp;
	char	*path;
	int	 started;
	int	 fmt;
	struct pxr_buf b;
};

struct pxr_quarantine *
pxr_quarantine_open(const char *path, struct pxr_error *err)
{
	struct pxr_quarantine *q;
	FILE *fp;

	if ((fp = fopen(path, "we")) == NULL) {
		pxr_error_set(err, PXR_EXIT_CANTCREAT, "%s", strerror(errno));
		pxr_error_at(err, path, 0);
		return NULL;
	}
	q = pxr_calloc(1, sizeof(*q));
	q->fp = fp;
	q->path = pxr_strdup(path);
	return q;
}

static size_t
chomp(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

static void
json_lossy(struct pxr_buf *b, const char *s, size_t n)
{
	struct pxr_buf t = { 0 };
	size_t i;

	if (pxr_json_string(b, s, n) == 0)
		return;
	/* Not UTF-8: keep ASCII, mark every other byte as U+FFFD. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x80)
			pxr_buf_addc(&t, s[i]);
		else
			pxr_buf_adds(&t, "\xef\xbf\xbd");
	(void)pxr_json_string(b, t.p, t.len);
	pxr_buf_free(&t);
}

/* The record as read, after the CSV header once: a copy of some rows. */
static void
copy_raw(struct pxr_quarantine *q, const struct pxr_reader *r,
    const char *raw, size_t n)
{
	const char *h;
	size_t hn;

	if (!q->started && pxr_reader_format(r) == PXR_FMT_CSV) {
		if ((h = pxr_reader_header(r, &hn)) != NULL) {
			pxr_buf_add(&q->b, h, chomp(h, hn));
			pxr_buf_addc(&q->b, '\n');
		} else if (r->sch != NULL) {
			for (hn = 0; hn < r->ncols; hn++) {
				const char *nm = r->sch->names[r->colmap[hn]];

				if (hn > 0)
					pxr_buf_addc(&q->b, r->delim);
				pxr_csv_field_d(&q->b, nm, strlen(nm),
				    r->delim);
			}
			pxr_buf_addc(&q->b, '\n');
		}
	}
	pxr_buf_add(&q->b, raw, n);
	pxr_buf_addc(&q->b, '\n');
}

int
pxr_quarantine_put(struct pxr_quarantine *q, const struct pxr_reader *r,
    const char *errtext, struct pxr_error *err)
{
	const char *raw;
	size_t n, i;

	raw = pxr_reader_raw(r, &n);
	n = chomp(raw, n);
	pxr_buf_reset(&q->b);
	if (errtext == NULL)
		copy_raw(q, r, raw, n);
	else if (pxr_reader_format(r) == PXR_FMT_CSV) {
		if (!q->started) {
			const char *h = pxr_reader_header(r, &i);

			if (h != NULL) {
				pxr_buf_add(&q->b, h, chomp(h, i));
				pxr_buf_addc(&q->b, r->delim);
			} else if (r->sch != NULL) {
				for (i = 0; i < r->ncols; i++) {
					const char *nm =
					    r->sch->names[r->colmap[i]];

					pxr_csv_field_d(&q->b, nm, strlen(nm),
					    r->delim);
					pxr_buf_addc(&q->b, r->delim);
				}
			}
			pxr_buf_adds(&q->b, "error\n");
		}
		pxr_buf_add(&q->b, raw, n);
		pxr_buf_addc(&q->b, r->delim);
		pxr_csv_field_d(&q->b, errtext, strlen(errtext), r->delim);
		pxr_buf_addc(&q->b, '\n');
	} else {
		/* Trim to the object's braces when the line is one. */
		size_t a = 0, z = n;

		while (a < z && (raw[a] == ' ' || raw[a] == '\t'))
			a++;
		while (z > a && (raw[z - 1] == ' ' || raw[z - 1] == '\t'))
			z--;
		if (z - a >= 2 && raw[a] == '{' && raw[z - 1] == '}' &&
		    memchr(raw + a, '\n', z - a) == NULL) {
			size_t k = z - 1;

			pxr_buf_add(&q->b, raw + a, k - a);
			while (k > a + 1 && (raw[k - 1] == ' ' ||
			    raw[k - 1] == '\t'))
				k--;
			if (k > a + 1)
				pxr_buf_addc(&q->b, ',');
			pxr_buf_adds(&q->b, "\"error\":");
			json_lossy(&q->b, errtext, strlen(errtext));
			pxr_buf_add(&q->b, "}\n", 2);
		} else {
			pxr_buf_adds(&q->b, "{\"error\":");
			json_lossy(&q->b, errtext, strlen(errtext));
			pxr_buf_adds(&q->b, ",\"raw\":");
			json_lossy(&q->b, raw, n);
			pxr_buf_add(&q->b, "}\n", 2);
		}
	}
	q->started = 1;
	if (fwrite(q->b.p, 1, q->b.len, q->fp) != q->b.len) {
		pxr_error_set(err, PXR_EXIT_IOERR, "write: %s",
		    strerror(errno));
		return pxr_error_at(err, q->path, 0);
	}
	return 0;
}

int
pxr_quarantine_close(struct pxr_quarantine *q, struct pxr_error *err)
{
	int rc = 0;

	if (q == NULL)
		return 0;
	if (fflush(q->fp) != 0 || fsync(fileno(q->fp)) != 0) {
		rc = pxr_error_set(err, PXR_EXIT_IOERR, "write: %s",
		    strerror(errno));
		pxr_error_at(err, q->path, 0);
	}
	if (fclose(q->fp) != 0 && rc == 0) {
		rc = pxr_error_set(err, PXR_EXIT_IOERR, "close: %s",
		    strerror(errno));
		pxr_error_at(err, q->path, 0);
	}
	free(q->path);
	pxr_buf_free(&q->b);
	free(q);
	return rc;
}

size_t
pxr_xml_escape(FILE *fp, const char *s)
{
	size_t n = strlen(s), i, k, bad = 0;
	unsigned long cp;

	for (i = 0; i < n; i += k) {
		if ((k = pxr_utf8_next(s + i, n - i, &cp)) == 0) {
			k = 1;
			cp = 0xfffe;	/* not UTF-8: replaced below */
		}
		switch (cp) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		case '\t': fputs("&#9;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		case '\r': fputs("&#13;", fp); break;
		default:
			if (cp < 0x20 || cp == 0xfffe || cp == 0xffff) {
				fputs("\xef\xbf\xbd", fp);
				bad++;
			} else
				fwrite(s + i, 1, k, fp);
			break;
		}
	}
	return bad;
}
