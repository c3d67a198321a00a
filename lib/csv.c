/* csv.c: the CSV reader (libcsv, strict) and the CSV field writer. */
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "streamint.h"

/* RFC 4180: spaces are data. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Room for one more field in the field arrays. */
static void
grow_fields(struct pxr_reader *r)
{
	r->fcap = r->fcap == 0 ? 64 : r->fcap * 2;
	r->foff = pxr_reallocarray(r->foff, r->fcap, sizeof(*r->foff));
	r->flen = pxr_reallocarray(r->flen, r->fcap, sizeof(*r->flen));
	r->fnull = pxr_realloc(r->fnull, r->fcap);
}

static void
field_cb(void *s, size_t len, void *data)
{
	struct pxr_reader *r = data;

	if (r->nfield == r->fcap)
		grow_fields(r);
	r->foff[r->nfield] = r->fbuf.len;
	r->flen[r->nfield] = len;
	r->fnull[r->nfield] = s == NULL;
	/* Each field NUL-terminated, as struct pxr_val promises. */
	if (r->fbuf.len + len + 1 >= r->fbuf.cap)
		pxr_buf_grow(&r->fbuf, len + 1);
	if (s != NULL && len > 0)
		memcpy(r->fbuf.p + r->fbuf.len, s, len);
	r->fbuf.p[r->fbuf.len + len] = '\0';
	r->fbuf.len += len + 1;
	r->nfield++;
}

static void
row_cb(int c, void *data)
{
	struct pxr_reader *r = data;
	struct csvrow *row;

	(void)c;
	if (r->qlen == r->qcap) {
		r->qcap = r->qcap == 0 ? 8 : r->qcap * 2;
		r->q = pxr_reallocarray(r->q, r->qcap, sizeof(*r->q));
	}
	row = &r->q[r->qlen++];
	row->f0 = r->rowf0;
	row->nf = r->nfield - r->rowf0;
	row->line = r->rowstart;
	row->nul = r->rownul;
	row->badline = r->rowbadline;
	row->badoff = r->rowbadoff;
	r->rowf0 = r->nfield;
	r->rownul = 0;
	r->rowbadline = 0;
}

/* Is the stream's header known to have exactly one column? */
static int
one_column(const struct pxr_reader *r)
{
	if (r->started)
		return r->ncols == 1;
	/* The header line is read but not taken yet: it is the first row. */
	return r->qlen > r->qhead && r->q[r->qhead].nf == 1;
}

/*
 * A quoted field at p (the opening quote) on a line ending at end: its
 * bytes, each doubled quote once, appended as the next field; the byte
 * after the closing quote in *next.  0, or -1 when libcsv must judge the
 * line: the quote does not close on this line (a field over several
 * lines), or the closing quote is followed by anything but the delimiter
 * or the end (an error libcsv words).
 */
static int
quoted_field(struct pxr_reader *r, const char *p, const char *end,
    const char **next)
{
	const char *q;
	size_t at;

	p++;
	if (r->nfield == r->fcap)
		grow_fields(r);
	at = r->fbuf.len;
	for (;;) {
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			return -1;
		pxr_buf_need(&r->fbuf, (size_t)(q - p) + 1);
		memcpy(r->fbuf.p + r->fbuf.len, p, (size_t)(q - p));
		r->fbuf.len += (size_t)(q - p);
		if (q + 1 < end && q[1] == '"') {
			r->fbuf.p[r->fbuf.len++] = '"';
			p = q + 2;
			continue;
		}
		break;
	}
	if (q + 1 < end && q[1] != r->delim)
		return -1;
	/* Quoted is never null, even when empty (CSV_EMPTY_IS_NULL). */
	r->foff[r->nfield] = at;
	r->flen[r->nfield] = r->fbuf.len - at;
	r->fnull[r->nfield] = 0;
	r->fbuf.p[r->fbuf.len++] = '\0';
	r->nfield++;
	*next = q + 1;
	return 0;
}

/*
 * The fields of a line of n bytes (its line end cut) with no quote and no
 * carriage return: the line copied into the field buffer at once, each
 * delimiter in the copy made the NUL that ends a field (one copy a line,
 * not one a field).  An empty field is null, as libcsv gives it.  1.
 */
static int
plain_fields(struct pxr_reader *r, const char *line, size_t n)
{
	char *c, *p, *end, *comma, *fend;
	size_t at = r->fbuf.len;
	int d = r->delim;

	pxr_buf_need(&r->fbuf, n + 1);
	c = r->fbuf.p + at;
	memcpy(c, line, n);
	c[n] = '\0';
	r->fbuf.len = at + n + 1;
	p = c;
	end = c + n;
	for (;;) {
		comma = memchr(p, d, (size_t)(end - p));
		fend = comma != NULL ? comma : end;
		if (r->nfield == r->fcap)
			grow_fields(r);
		r->foff[r->nfield] = at + (size_t)(p - c);
		r->flen[r->nfield] = (size_t)(fend - p);
		r->fnull[r->nfield] = fend == p;
		r->nfield++;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	row_cb('\n', r);
	return 1;
}

/*
 * A line that starts a record and holds no carriage return but at its
 * end, and whose quoted fields open and close on it, is split here,
 * giving the callbacks exactly what libcsv (strict, empty is null, spaces
 * are data) would: an empty field null, a quoted one never, a blank line
 * no row.  Anything else (a quote inside an unquoted field, text after a
 * closing quote, a quoted field going on to the next line) goes to
 * libcsv, which parses it or words the error.  1 if the line was taken.
 * fuzz/csvdiff_fuzz.c holds this to libcsv on the same bytes.
 */
static int
fast_line(struct pxr_reader *r, const char *line, size_t len)
{
	const char *p, *end, *comma, *fend;
	size_t n = len, nfield0 = r->nfield, fbuf0 = r->fbuf.len;
	int d = r->delim, quotes;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (memchr(line, '\r', n) != NULL)
		return 0;
	quotes = memchr(line, '"', n) != NULL;
	if (n == 0) {
		/*
		 * A blank line is no row, but where there is one column it is
		 * that column's null (as the writer writes it).
		 */
		if (one_column(r)) {
			field_cb(NULL, 0, r);
			row_cb('\n', r);
		}
		return 1;
	}
	if (r->nofast)
		return 0;	/* not ours to split: libcsv's */
	if (!quotes)
		return plain_fields(r, line, n);
	p = line;
	end = line + n;
	for (;;) {
		if (quotes && p < end && *p == '"') {
			if (quoted_field(r, p, end, &p) < 0)
				goto libcsv;
			if (p == end)
				break;
			p++;	/* the delimiter; a field follows */
			continue;
		}
		comma = memchr(p, d, (size_t)(end - p));
		fend = comma != NULL ? comma : end;
		if (quotes && memchr(p, '"', (size_t)(fend - p)) != NULL)
			goto libcsv;	/* a quote inside an unquoted field */
		field_cb(fend == p ? NULL : (void *)p, (size_t)(fend - p), r);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	row_cb('\n', r);
	return 1;
libcsv:
	/* Forget what this line added; libcsv reads it from the start. */
	r->nfield = nfield0;
	r->fbuf.len = fbuf0;
	if (r->fbuf.p != NULL)
		r->fbuf.p[fbuf0] = '\0';
	return 0;
}

static void
reset_parser(struct pxr_reader *r)
{
	if (r->csvinit)
		csv_free(&r->csv);
	csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
	csv_set_space_func(&r->csv, no_space);
	csv_set_delim(&r->csv, (unsigned char)r->delim);
	r->csvinit = 1;
	r->nfield = r->rowf0 = 0;
	r->qlen = r->qhead = 0;
	r->rownul = 0;
	r->rowbadline = 0;
	pxr_buf_reset(&r->fbuf);
}

/* The 1-based offset of the first byte of s that is not UTF-8, or 0. */
static size_t
bad_utf8(const char *s, size_t n)
{
	unsigned long cp;
	size_t i = 0, k;
	uint64_t w;

	/* 32 ASCII bytes at a time: the common case costs little. */
	for (; i + 32 <= n; i += 32) {
		uint64_t x[4];

		memcpy(x, s + i, 32);
		if ((x[0] | x[1] | x[2] | x[3]) & 0x8080808080808080ULL)
			break;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
	}
	if (i < n && n >= 8) {
		/* The tail: the last eight bytes, overlapping. */
		memcpy(&w, s + n - 8, 8);
		if ((w & 0x8080808080808080ULL) == 0)
			return 0;
	}
	for (; i < n; i += k) {
		if ((unsigned char)s[i] < 0x80) {
			k = 1;
			continue;
		}
		if ((k = pxr_utf8_next(s + i, n - i, &cp)) == 0)
			return i + 1;
	}
	return 0;
}

/* err: the row's line is not UTF-8. */
static void
utf8_error(struct pxr_reader *r, const struct csvrow *row,
    struct pxr_error *err)
{
	pxr_error_set(err, PXR_EXIT_DATAERR, "byte %zu of line %ld: not "
	    "valid UTF-8 (a file saved by Excel on Windows: --encoding "
	    "windows-1252)", row->badoff, row->badline);
	pxr_error_at(err, r->name, row->line);
}

int
pxr_csv_delim_parse(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		return '\t';
	if (s[0] == '\0' || s[1] != '\0' || s[0] == '"' || s[0] == '\r' ||
	    s[0] == '\n')
		return -1;
	return (unsigned char)s[0];
}

int
pxr_reader_delim(const struct pxr_reader *r)
{
	return r->fmt == PXR_FMT_CSV ? r->delim : 0;
}

static const char *
delim_name(int c)
{
	switch (c) {
	case '\t': return "tab";
	case ';': return "';'";
	case '|': return "'|'";
	default: return "','";
	}
}

/*
 * The header line decides the delimiter when none was given: a comma if
 * it has one outside quotes, else the one of ';', tab and '|' that splits
 * it most.  A tie is refused: the person must say.  0 or -2.
 */
static int
choose_delim(struct pxr_reader *r, const char *line, size_t len,
    struct pxr_error *err)
{
	static const char cand[] = ",;\t|";
	size_t count[sizeof(cand)] = { 0 }, i, best;
	int quoted = 0;
	const char *c;

	r->delim_auto = 0;
	for (i = 0; i < len && line[i] != '\n'; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted && (c = memchr(cand, line[i], 4)) != NULL)
			count[c - cand]++;
	}
	if (count[0] > 0)
		return 0;
	for (best = 1, i = 2; i < 4; i++)
		if (count[i] > count[best])
			best = i;
	if (count[best] == 0)
		return 0;	/* one column */
	for (i = 1; i < 4; i++)
		if (i != best && count[i] == count[best]) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "header: no "
			    "comma, and both %s and %s split it: give "
			    "--delimiter (or input.delimiter in the rule file)",
			    delim_name(cand[best]), delim_name(cand[i]));
			pxr_error_at(err, r->name, r->in.lineno);
			return -2;
		}
	r->delim = cand[best];
	csv_set_delim(&r->csv, (unsigned char)r->delim);
	return 0;
}

int
pxr_csv_open(struct pxr_reader *r, int delim, char **columns,
    struct pxr_error *err)
{
	size_t i, n;

	r->delim = delim != 0 ? delim : ',';
	r->delim_auto = delim == 0 && columns == NULL;
	reset_parser(r);
	if (columns == NULL)
		return 0;
	for (n = 0; columns[n] != NULL; n++)
		continue;
	r->colmap = pxr_reallocarray(NULL, n + 1, sizeof(*r->colmap));
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (strcmp(columns[j], columns[i]) == 0) {
				pxr_error_set(err, PXR_EXIT_USAGE, "--columns: "
				    "duplicate name '%s'", columns[i]);
				return -1;
			}
		r->colmap[i] = pxr_schema_add(r->sch, columns[i],
		    strlen(columns[i]));
	}
	r->ncols = n;
	r->sch->header = 1;
	r->haveheader = 0;
	r->started = 1;		/* no header line to read */
	return 0;
}

void
pxr_csv_close(struct pxr_reader *r)
{
	if (r->csvinit)
		csv_free(&r->csv);
	r->csvinit = 0;
	pxr_buf_free(&r->fbuf);
	pxr_buf_free(&r->replay);
	free(r->foff);
	free(r->flen);
	free(r->fnull);
	free(r->q);
	free(r->colmap);
	r->foff = r->flen = NULL;
	r->fnull = NULL;
	r->q = NULL;
	r->colmap = NULL;
}

/* Take the header row: names into the schema, a column map. */
static int
take_header(struct pxr_reader *r, const struct csvrow *row,
    struct pxr_error *err)
{
	size_t i, j, *col;

	if (row->nul) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "header: NUL byte in a "
		    "column name");
		pxr_error_at(err, r->name, row->line);
		return -2;
	}
	if (row->badline > 0) {
		utf8_error(r, row, err);
		return -2;
	}
	r->colmap = pxr_reallocarray(r->colmap, row->nf + 1,
	    sizeof(*r->colmap));
	/* The header's column (1-based) at each schema index it names. */
	col = pxr_calloc(r->sch->n + row->nf + 1, sizeof(*col));
	for (i = 0; i < row->nf; i++) {
		const char *nm = r->fbuf.p + r->foff[row->f0 + i];
		size_t n = r->flen[row->f0 + i];

		if (r->fnull[row->f0 + i] || n == 0) {
			free(col);
			pxr_error_set(err, PXR_EXIT_DATAERR, "header: column "
			    "%zu has an empty name", i + 1);
			pxr_error_at(err, r->name, row->line);
			return -2;
		}
		r->colmap[i] = pxr_schema_add(r->sch, nm, n);
		/* A name twice: its index was taken by an earlier column. */
		if (col[r->colmap[i]] != 0) {
			j = col[r->colmap[i]];
			free(col);
			pxr_error_set(err, PXR_EXIT_DATAERR, "header: "
			    "duplicate column name '%.*s' (columns %zu "
			    "and %zu)", (int)(n > 200 ? 200 : n), nm,
			    j, i + 1);
			pxr_error_at(err, r->name, row->line);
			return -2;
		}
		col[r->colmap[i]] = i + 1;
	}
	free(col);
	r->ncols = row->nf;
	r->sch->header = 1;
	r->haveheader = 1;
	pxr_buf_reset(&r->header);
	pxr_buf_add(&r->header, r->raw.p, r->raw.len);
	return 0;
}

/* Pop one queued row into rec: 1, -1 (bad record), -2 (fatal). */
static int
pop(struct pxr_reader *r, struct pxr_rec *rec, struct pxr_error *err)
{
	const struct csvrow *row = &r->q[r->qhead++];
	size_t i;

	if (!r->started) {
		r->started = 1;
		return take_header(r, row, err) < 0 ? -2 : 0;
	}
	rec->line = row->line;
	if (row->nul) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "NUL byte in a field");
		return pxr_error_at(err, r->name, row->line);
	}
	if (row->badline > 0) {
		utf8_error(r, row, err);
		return -1;
	}
	if (row->nf != r->ncols) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "ragged row: %zu fields, "
		    "the header has %zu", row->nf, r->ncols);
		return pxr_error_at(err, r->name, row->line);
	}
	pxr_rec_clear(rec);
	for (i = 0; i < row->nf; i++) {
		size_t k = row->f0 + i;

		pxr_rec_setref(rec, r->colmap[i], r->fnull[k] ? PXR_NULL :
		    PXR_STR, r->fnull[k] ? "" : r->fbuf.p + r->foff[k],
		    r->flen[k]);
	}
	return 1;
}

int
pxr_csv_next(struct pxr_reader *r, struct pxr_rec *rec, struct pxr_error *err)
{
	char *line;
	size_t len, n, off;
	int rc;

	for (;;) {
		if (r->qhead < r->qlen) {
			rc = pop(r, rec, err);
			if (rc != 0)
				return rc;
			continue;
		}
		if (r->eofdone)
			return 0;
		if (r->csv.pstate == 0) {
			/* Between rows: forget the consumed ones. */
			r->nfield = r->rowf0 = 0;
			r->qlen = r->qhead = 0;
			pxr_buf_reset(&r->fbuf);
		}
		if (r->replay_off < r->replay.len) {
			/* Lines swallowed by an unterminated quote, again. */
			char *nl = memchr(r->replay.p + r->replay_off, '\n',
			    r->replay.len - r->replay_off);

			line = r->replay.p + r->replay_off;
			len = nl != NULL ? (size_t)(nl - line) + 1 :
			    r->replay.len - r->replay_off;
			r->replay_off += len;
			r->in.lineno++;
			rc = 1;
		} else
			rc = pxr_lines_next(&r->in, r->max, &line, &len, err,
			    r->name);
		if (rc == -2)
			return -2;
		if (rc == -1) {
			pxr_buf_reset(&r->raw);
			reset_parser(r);
			return -1;
		}
		if (rc == 0) {
			r->eofdone = 1;
			if (csv_fini(&r->csv, field_cb, row_cb, r) != 0) {
				long start = r->rowstart;
				char *nl = memchr(r->raw.p, '\n', r->raw.len);

				reset_parser(r);
				pxr_error_set(err, PXR_EXIT_DATAERR,
				    "unterminated quoted field");
				pxr_error_at(err, r->name, start);
				/*
				 * The quote swallowed the rest of the file:
				 * read the lines after its own again, so one
				 * bad row does not take the others with it.
				 */
				if (nl != NULL && (size_t)(nl - r->raw.p) + 1 <
				    r->raw.len) {
					struct pxr_buf rest = { 0 };

					pxr_buf_add(&rest, nl + 1, r->raw.len -
					    (size_t)(nl - r->raw.p) - 1);
					pxr_buf_free(&r->replay);
					r->replay = rest;
					r->replay_off = 0;
					r->in.lineno = start;
					r->eofdone = 0;
				}
				return -1;
			}
			continue;
		}
		if (r->in.lineno == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		if (r->csv.pstate == 0) {
			r->rowstart = r->in.lineno;
			pxr_buf_reset(&r->raw);
			if (r->delim_auto && choose_delim(r, line, len,
			    err) < 0)
				return -2;
		}
		if (r->raw.len + len > r->max) {
			long start = r->rowstart;

			reset_parser(r);
			pxr_buf_reset(&r->raw);
			pxr_error_set(err, PXR_EXIT_DATAERR, "record longer "
			    "than %zu bytes", r->max);
			return pxr_error_at(err, r->name, start);
		}
		pxr_buf_add(&r->raw, line, len);
		/* A NUL byte anywhere in the line marks its row bad. */
		if (memchr(line, '\0', len) != NULL)
			r->rownul = 1;
		if (r->rowbadline == 0 && (off = bad_utf8(line, len)) > 0) {
			r->rowbadline = r->in.lineno;
			r->rowbadoff = off;
		}
		if (r->csv.pstate == 0 && fast_line(r, line, len))
			continue;
		n = csv_parse(&r->csv, line, len, field_cb, row_cb, r);
		if (n < len) {
			long start = r->rowstart;

			reset_parser(r);
			pxr_error_set(err, PXR_EXIT_DATAERR, "%s",
			    "malformed quoting (a quote inside an unquoted "
			    "field, or text after a closing quote)");
			return pxr_error_at(err, r->name, start);
		}
	}
}


/*
 * Does a field of n bytes need quotes: the delimiter, a quote, a newline
 * or a carriage return in it.  Sixteen bytes at a time (SSE2) or eight,
 * the last block overlapping the one before; a short field byte by byte.
 */
static inline int
needs_quotes(const char *s, size_t n, int delim)
{
	size_t i = 0;
	uint64_t w, v;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i cd = _mm_set1_epi8((char)delim);
		const __m128i cq = _mm_set1_epi8('"');
		const __m128i cn = _mm_set1_epi8('\n');
		const __m128i cr = _mm_set1_epi8('\r');
		__m128i x, m;

		for (;;) {
			x = _mm_loadu_si128((const __m128i *)(s + i));
			m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cd),
			    _mm_cmpeq_epi8(x, cq)), _mm_or_si128(
			    _mm_cmpeq_epi8(x, cn), _mm_cmpeq_epi8(x, cr)));
			if (_mm_movemask_epi8(m) != 0)
				return 1;
			if (i + 16 == n)
				return 0;
			/* The last block overlaps the one before: no tail. */
			i = i + 32 <= n ? i + 16 : n - 16;
		}
	}
#endif
	if (n >= 8) {
		/* Words of eight; the last overlaps the one before. */
		for (;;) {
			memcpy(&w, s + i, 8);
			v = has_byte(w, delim) | has_byte(w, '"') |
			    has_byte(w, '\n') | has_byte(w, '\r');
			if (v != 0)
				return 1;
			if (i + 8 == n)
				return 0;
			i = i + 16 <= n ? i + 8 : n - 8;
		}
	}
	for (; i < n; i++) {
		char c = s[i];

		if (c == delim || c == '"' || c == '\n' || c == '\r')
			return 1;
	}
	return 0;
}

int
pxr_csv_plain_line(const char *line, size_t len, int spaces,
    void (*field)(void *, size_t, void *), void (*row)(int, void *),
    void *data)
{
	const char *p, *end, *comma;
	size_t n = len;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	/* A blank line is no row to libcsv: let it say so. */
	if (n == 0 || memchr(line, '"', n) != NULL ||
	    memchr(line, '\r', n) != NULL || (spaces &&
	    (memchr(line, ' ', n) != NULL || memchr(line, '\t', n) != NULL)))
		return 0;
	p = line;
	end = line + n;
	while ((comma = memchr(p, ',', (size_t)(end - p))) != NULL) {
		field((void *)p, (size_t)(comma - p), data);
		p = comma + 1;
	}
	field((void *)p, (size_t)(end - p), data);
	row(n < len ? '\n' : -1, data);
	return 1;
}

/* One field, quoted when needed; inlined with each caller's delimiter. */
static inline void
field_out(struct pxr_buf *b, const char *s, size_t n, int delim)
{
	const char *q, *end = s + n;

	if (!needs_quotes(s, n, delim)) {
		pxr_buf_add(b, s, n);
		return;
	}
	/* Quoted, each quote doubled: whole runs between quotes at once. */
	pxr_buf_addc(b, '"');
	while ((q = memchr(s, '"', (size_t)(end - s))) != NULL) {
		pxr_buf_add(b, s, (size_t)(q - s) + 1);
		pxr_buf_addc(b, '"');
		s = q + 1;
	}
	pxr_buf_add(b, s, (size_t)(end - s));
	pxr_buf_addc(b, '"');
}

void
pxr_csv_field(struct pxr_buf *b, const char *s, size_t n)
{
	field_out(b, s, n, ',');
}

void
pxr_csv_field_d(struct pxr_buf *b, const char *s, size_t n, int delim)
{
	field_out(b, s, n, delim);
}
