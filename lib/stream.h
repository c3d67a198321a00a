/* stream.h: record readers and writers for CSV and JSON Lines. */
#ifndef PXR_STREAM_H
#define PXR_STREAM_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "rec.h"

enum pxr_fmt {
	PXR_FMT_AUTO = 0,
	PXR_FMT_CSV,
	PXR_FMT_JSONL
};

#define PXR_MAX_RECORD_DEFAULT (64u * 1024 * 1024)

struct pxr_reader_opts {
	int	 fmt;		/* PXR_FMT_AUTO: first non-blank byte '{' is JSONL */
	char	**columns;	/* CSV without header: these names (NULL-ended) */
	size_t	 max_record;	/* bytes of one record; 0: the default */
	int	 delim;		/* CSV field separator; 0: from the header */
	int	 encoding;	/* PXR_ENC_*: what the bytes are, read as UTF-8 */
};

/* Encodings an input may be in; every one is read as UTF-8. */
enum pxr_enc {
	PXR_ENC_UTF8 = 0,
	PXR_ENC_WINDOWS_1252,
	PXR_ENC_ISO_8859_1,
	PXR_ENC_UTF16		/* with a byte order mark; big-endian without */
};

/*
 * A CSV delimiter named in an option or a rule file: one character other
 * than a quote, CR or LF, or "tab"; the byte, or -1.
 */
int	 pxr_csv_delim_parse(const char *);
/* An encoding name ("windows-1252", "iso-8859-1", "utf-16", "utf-8"); -1. */
int	 pxr_enc_parse(const char *);
/* The canonical name of a PXR_ENC_* value; static. */
const char *pxr_enc_name(int);

struct pxr_reader;

/*
 * Open path ("-" or NULL: stdin) for reading records whose names go into
 * sch (borrowed; several readers may share one).  NULL on error (exit 66
 * for a file that cannot be opened).
 */
struct pxr_reader *pxr_reader_open(const char *path,
	    const struct pxr_reader_opts *, struct pxr_schema *,
	    struct pxr_error *);
/*
 * Read the next record into rec (whose schema must be the reader's).
 * 1: a record; 0: end of input; -1: a bad record, err says why and where,
 * and the next call goes on after it; -2: the stream cannot go on.
 */
int	 pxr_reader_next(struct pxr_reader *, struct pxr_rec *,
	    struct pxr_error *);
/* The input's format, once known (after the first read). */
int	 pxr_reader_format(const struct pxr_reader *);
/* The exact text of the last record (or bad record) read; borrowed. */
const char *pxr_reader_raw(const struct pxr_reader *, size_t *);
/* The CSV header line as read, without line end; borrowed, may be NULL. */
const char *pxr_reader_header(const struct pxr_reader *, size_t *);
/* Bytes consumed so far. */
uint64_t pxr_reader_bytes(const struct pxr_reader *);
/* The input's name for messages ("-" for stdin); borrowed. */
const char *pxr_reader_name(const struct pxr_reader *);
void	 pxr_reader_close(struct pxr_reader *);

enum {
	PXR_W_NOHEADER = 1,	/* CSV: no header line */
	PXR_W_FORMULA_GUARD = 2	/* CSV: prefix text that a spreadsheet runs */
};

struct pxr_writer;

/* A writer of fmt (CSV or JSONL) on fp (borrowed). */
struct pxr_writer *pxr_writer_new(FILE *, int fmt, int flags);
/*
 * Write the visible fields of rec.  CSV: the header is the visible names
 * at the first write.  -1 and err on a record that cannot be written
 * (exit 65: the data; exit 74: the output).
 */
int	 pxr_writer_write(struct pxr_writer *, const struct pxr_rec *,
	    struct pxr_error *);
/*
 * Would pxr_writer_write take rec's data, now or later: 0, or -1 and err
 * (exit 65) as write would give (a CSV header without one of its fields,
 * text that is not UTF-8 for JSON Lines).  Writes nothing.
 */
int	 pxr_writer_check(struct pxr_writer *, const struct pxr_rec *,
	    struct pxr_error *);
/* Write the CSV header now if nothing was written (for empty output). */
int	 pxr_writer_header(struct pxr_writer *, const struct pxr_schema *,
	    struct pxr_error *);
/* Push buffered bytes to the FILE and fflush it; -1 and err on failure. */
int	 pxr_writer_flush(struct pxr_writer *, struct pxr_error *);
int	 pxr_writer_format(const struct pxr_writer *);
void	 pxr_writer_free(struct pxr_writer *);

/* Append s (n bytes) to b as one CSV field, quoted when needed. */
void	 pxr_csv_field(struct pxr_buf *, const char *, size_t);
/* As pxr_csv_field, for a CSV whose fields are separated by delim. */
void	 pxr_csv_field_d(struct pxr_buf *, const char *, size_t, int delim);
/*
 * A line (len bytes, its '\n' included) with no quote, no carriage return
 * and, when spaces is 1, no space or tab (libcsv's default trimming),
 * split on ',' without libcsv: field (its bytes borrowed from line) for
 * each field and row once at the end, exactly the callbacks
 * csv_parse(CSV_STRICT) would make for it from a row's start.  1 when it
 * took the line; 0 when the line is not of that kind (nothing called:
 * hand it to libcsv).  fuzz/csvline_fuzz.c holds it to libcsv.
 */
int	 pxr_csv_plain_line(const char *line, size_t len, int spaces,
	    void (*field)(void *, size_t, void *), void (*row)(int, void *),
	    void *data);
/* The CSV input's field separator (',' until known); 0 for JSON Lines. */
int	 pxr_reader_delim(const struct pxr_reader *);
/* Append s as a JSON string literal; -1 if s is not valid UTF-8. */
int	 pxr_json_string(struct pxr_buf *, const char *, size_t);
/*
 * Write s to fp as XML 1.0 text that is also safe in an attribute: <, >,
 * &, " and ' as entities, tab, LF and CR as character references, and
 * every character XML does not allow (other C0 controls, U+FFFE, U+FFFF,
 * bytes that are not UTF-8) as U+FFFD.  Returns how many were replaced.
 */
size_t	 pxr_xml_escape(FILE *, const char *);
/*
 * Decode the JSON string literal at p (its opening quote; text up to end,
 * already valid JSON) onto b; returns the byte after its closing quote,
 * or NULL when it has none.
 */
const char *pxr_json_unquote(struct pxr_buf *, const char *p,
	    const char *end);
/* 1 if the n bytes at s are valid UTF-8. */
int	 pxr_utf8_valid(const char *, size_t);
/*
 * The length (1-4) of the UTF-8 sequence at s (n bytes left) and its code
 * point in *cp; 0 if s does not start with a valid sequence (or n is 0).
 */
size_t	 pxr_utf8_next(const char *s, size_t n, unsigned long *cp);
/*
 * Append s (n bytes) to b with every byte that does not start a valid
 * UTF-8 sequence replaced by U+FFFD; returns how many were replaced.
 */
size_t	 pxr_utf8_fix(struct pxr_buf *, const char *s, size_t n);

/*
 * A quarantine file: bad records with an "error" field, in the input's
 * format.  CSV: the raw row, then the error as the last field (a header
 * "...,error" first).  JSON Lines: the object with an "error" member, or
 * {"error":…,"raw":…} for a line that is not an object.
 */
struct pxr_quarantine;

struct pxr_quarantine *pxr_quarantine_open(const char *path,
	    struct pxr_error *);
/*
 * Write the reader's last record with its error; with errtext NULL, as
 * read and without an error field (a file of some of the input's rows).
 */
int	 pxr_quarantine_put(struct pxr_quarantine *, const struct pxr_reader *,
	    const char *errtext, struct pxr_error *);
int	 pxr_quarantine_close(struct pxr_quarantine *, struct pxr_error *);

#endif
