/*
 * coltype.h: typed input columns (input.columns of pxr-rules(5)): a
 * field's text read by its declaration, with the formats of real exports:
 * numbers and money with a decimal comma and digit groups ("1 234,50"),
 * money exactly into integer minor units (never a double), times in a
 * format of the strptime subset below, read in the rule's zone.  No
 * locale, no strptime(3): the digits are read here.
 */
#ifndef PXR_COLTYPE_H
#define PXR_COLTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "time.h"

/* Declared column types (input.columns). */
enum pxr_ctype {
	PXR_C_ANY = 0, PXR_C_STRING, PXR_C_INT, PXR_C_NUMBER, PXR_C_TIME,
	PXR_C_DURATION, PXR_C_BOOL, PXR_C_MONEY
};

/* One declared column. */
struct pxr_coltype {
	const char *name;
	int	 type;		/* PXR_C_* */
	char	 decimal;	/* number, money: the decimal mark; 0: '.' */
	char	 group[4];	/* number, money: the digit group separator,
				   UTF-8; "": none.  " " also takes U+00A0
				   and U+202F */
	char	 currency[4];	/* money: the ISO 4217 code */
	int	 exponent;	/* money: its decimal places */
	const char *format;	/* time: the format, or NULL: ISO 8601 */
};

/* Parse a type name of input.columns; -1 if unknown. */
int	 pxr_ctype_parse(const char *);
/* The type names, in PXR_C_* order, n of them; static. */
const char *const *pxr_ctype_names(size_t *n);

/*
 * 1 when a column of c must be read by pxr_coltype_read (a format,
 * a decimal mark or group, money), 0 when the plain readers do.
 */
int	 pxr_coltype_formatted(const struct pxr_coltype *c);

/* A field's value as read by pxr_coltype_read. */
struct pxr_typed {
	int	 isint, dateonly;
	int64_t	 ival;
	double	 dval;
};

/*
 * Read the text s (n bytes) of a field declared c:
 *   number: ival or dval with isint, the decimal mark and groups of c;
 *   money: ival, exact minor units of c->currency (more decimals than
 *     its exponent, or a value past 64 bits, is an error);
 *   time: ival µs, c->format read in tz (unless it has %z), dateonly
 *     when the format has no hour.
 * 0, or -1 with err->text saying why, without the column's name
 * ("not an amount in SEK: \"1,234\" (3 decimals, SEK has 2)"), exit 65.
 */
int	 pxr_coltype_read(const struct pxr_coltype *c, const char *s,
	    size_t n, struct pxr_tz *tz, struct pxr_typed *out,
	    struct pxr_error *err);

/*
 * Check a time format of the subset: %Y (four digits), %m, %d, %H (one or
 * two), %M, %S (two), %z (Z, +hh:mm, +hhmm), %% and literal bytes; %Y,
 * %m, %d once each, %M only after %H, %S after %M, %z after %H.  0, or
 * -1 with msg (n bytes) saying what is wrong.
 */
int	 pxr_timefmt_check(const char *fmt, char *msg, size_t n);

/* Deep copy of src into dst (name and format new). */
void	 pxr_coltype_copy(struct pxr_coltype *dst,
	    const struct pxr_coltype *src);
/* Free what c holds (name, format), not c. */
void	 pxr_coltype_fini(struct pxr_coltype *c);

#endif
