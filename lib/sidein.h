/*
 * sidein.h: a side input read under the --on-error policy.  A side input
 * is a file a command reads beside its stream: a ledger, a sent log, a
 * complaints export, an incidents file.  A bad record in one is treated
 * as in the stream: fail (exit 65 with the file and line), skip (said as
 * a warning), or quarantine (written with its error to the quarantine
 * file); never silently dropped.
 */
#ifndef PXR_SIDEIN_H
#define PXR_SIDEIN_H

#include <stdint.h>

#include "error.h"
#include "rec.h"
#include "stage.h"
#include "stream.h"

/* What a bad record does (--on-error). */
enum {
	PXR_ONERR_FAIL = 0,
	PXR_ONERR_SKIP,
	PXR_ONERR_QUARANTINE
};

struct pxr_sidein_opts {
	int	 onerr;		/* PXR_ONERR_* */
	const char *qpath;	/* quarantine: the file (borrowed) */
	/*
	 * quarantine: the open quarantine file shared by every input of a
	 * run (borrowed; opened at the first bad record when *q is NULL,
	 * closed by the owner of *q with pxr_quarantine_close).
	 */
	struct pxr_quarantine **q;
	struct pxr_reader_opts ropts;	/* how to read the file */
	struct pxr_sayer sayer;	/* where skip warnings go; NULL say: nowhere */
};

struct pxr_sidein;

/*
 * Open path ("-": stdin) for reading records whose names go into sch
 * (borrowed).  opts is copied; its pointers are borrowed.  new; NULL and
 * err (exit 66) when the file cannot be opened.
 */
struct pxr_sidein *pxr_sidein_open(const char *path,
	    const struct pxr_sidein_opts *, struct pxr_schema *,
	    struct pxr_error *);
/*
 * The next good record into rec (the schema's, fitted): 1; 0 at the end
 * of the file; -1 when reading must stop: err says why and where (a bad
 * record under fail: exit 65 with the file and line).  Bad records under
 * skip are said and counted, under quarantine written and counted.
 */
int	 pxr_sidein_next(struct pxr_sidein *, struct pxr_rec *,
	    struct pxr_error *);
/* Bad records met so far. */
uint64_t pxr_sidein_nbad(const struct pxr_sidein *);
/* The input's name for messages; borrowed (until close). */
const char *pxr_sidein_name(const struct pxr_sidein *);
/*
 * A record of this file that the caller finds bad (err says why): handled
 * as a bad record under the policy; -1 when reading must stop (err then
 * carries the file and line), else 0.
 */
int	 pxr_sidein_bad(struct pxr_sidein *, const struct pxr_rec *,
	    struct pxr_error *);
/* Close; NULL is allowed.  The quarantine file stays open (see opts.q). */
void	 pxr_sidein_close(struct pxr_sidein *);

#endif
