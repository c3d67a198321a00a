/* join.h: the stage that joins a stream with a lookup file in memory. */
#ifndef PXR_JOIN_H
#define PXR_JOIN_H

#include "error.h"
#include "stage.h"
#include "stream.h"

struct pxr_join_opts {
	const char *file;	/* the lookup file (CSV or JSON Lines) */
	struct pxr_reader_opts ropts;	/* how to read it (fmt auto) */
	const char *on;		/* the stream's key field */
	const char *fkey;	/* the file's key field; NULL: on */
	int	 left;		/* keep rows without a match, new fields null */
	/*
	 * Compare keys with white space (ASCII, and U+00A0) dropped and
	 * ASCII letters folded to lower case, on both sides.
	 */
	int	 normalize;
	/*
	 * Where a stream row without a match goes too (emit NULL: nowhere);
	 * at end it is called once with a NULL record, to close.
	 */
	struct pxr_emitter unmatched;
};

/*
 * The join stage: every stream record once for each row of the lookup
 * file with an equal key, with the file's other columns added (a column
 * the stream has is overwritten); without a match, nothing (or with left
 * the record, new fields null).  At end, the count of stream rows that
 * found no match is said as a warning when there were any and the file
 * held a row.  The file is
 * read and held now.  new; NULL and err (exit 66 for a file that cannot
 * be opened, 65 for a bad record in it or no key field).
 */
struct pxr_mapper *pxr_join_new(const struct pxr_join_opts *,
	    struct pxr_error *);

#endif
