/* streamint.h: what stream.c, csv.c and jsonl.c share; not for cmd/. */
#ifndef PXR_STREAMINT_H
#define PXR_STREAMINT_H

#include <csv.h>
#include <iconv.h>

#include "stream.h"

/* A buffered source of lines. */
struct pxr_lines {
	int	 fd;
	char	*buf;
	size_t	 cap;
	size_t	 beg;
	size_t	 end;
	int	 eof;
	uint64_t bytes;
	long	 lineno;	/* of the line last returned */
	/* --encoding: bytes read land in raw, iconv(3) writes buf. */
	iconv_t	 cd;
	int	 conv;
	char	*raw;
	size_t	 rawlen;
	size_t	 rawcap;
	long	 convnl;	/* newlines converted so far */
	uint64_t badbyte;	/* a byte iconv refused (1-based), to report */
};

struct csvrow {
	size_t	 f0;		/* first field in the field arrays */
	size_t	 nf;
	long	 line;
	int	 nul;		/* a field held a NUL byte */
	long	 badline;	/* a line not valid UTF-8: its number, */
	size_t	 badoff;	/* and the first bad byte's (1-based) */
};

struct pxr_reader {
	char	*name;
	int	 fmt;
	size_t	 max;
	struct pxr_lines in;
	struct pxr_schema *sch;
	struct pxr_buf raw;	/* the last record's text */
	int	 started;

	/* CSV */
	int	 delim;		/* the field separator */
	int	 delim_auto;	/* not given: chosen at the header line */
	struct csv_parser csv;
	int	 csvinit;
	int	 eofdone;
	struct pxr_buf header;	/* raw header line */
	int	 haveheader;
	size_t	*colmap;	/* input column -> schema index */
	size_t	 ncols;
	struct pxr_buf fbuf;	/* field bytes */
	size_t	*foff;
	size_t	*flen;
	unsigned char *fnull;
	size_t	 nfield;
	size_t	 fcap;
	struct csvrow *q;
	size_t	 qlen;
	size_t	 qhead;
	size_t	 qcap;
	long	 rowstart;
	int	 rownul;
	long	 rowbadline;
	size_t	 rowbadoff;
	size_t	 rowf0;
	int	 nofast;	/* every line through libcsv (the fuzz
				   harness's reference) */

	struct pxr_buf replay;	/* lines to read again after a bad quote */
	size_t	 replay_off;

	/* JSON Lines */
	struct pxr_buf jtmp;
	size_t	*jidx;		/* the schema index of the member at each
				   place of the last line (a guess) */
	size_t	 njidx;
};

/* Nonzero exactly when some byte of w is c (the classic zero-byte test). */
#define PXR_ONES	0x0101010101010101ULL
#define PXR_HIGHS	0x8080808080808080ULL
static inline uint64_t
has_byte(uint64_t w, int c)
{
	uint64_t x = w ^ (PXR_ONES * (unsigned char)c);

	return (x - PXR_ONES) & ~x & PXR_HIGHS;
}

/* Nonzero exactly when some byte of w is under 0x20 (a control byte). */
static inline uint64_t
has_control(uint64_t w)
{
	return (w - PXR_ONES * 0x20) & ~w & PXR_HIGHS;
}

int	 pxr_lines_next(struct pxr_lines *, size_t max, char **, size_t *,
	    struct pxr_error *, const char *name);

int	 pxr_csv_open(struct pxr_reader *, int delim, char **columns,
	    struct pxr_error *);
int	 pxr_csv_next(struct pxr_reader *, struct pxr_rec *, struct pxr_error *);
void	 pxr_csv_close(struct pxr_reader *);
int	 pxr_jsonl_next(struct pxr_reader *, struct pxr_rec *,
	    struct pxr_error *);

#endif
