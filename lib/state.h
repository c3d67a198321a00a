/*
 * state.h: append-only CSV state files (the ledger, the sent log, the fan
 * history).  Created 0600; every read of new rows and every append
 * happens under an exclusive flock; appended rows are written and
 * fsynced before the caller reports them.
 *
 * A checked file (pxr_state_opts.checked) ends every row with a check
 * column: the FNV-1a hash of the row's bytes before it, 16 hex digits
 * ("-": a row added by hand, taken as it is).  The last bytes of a file
 * without a line end are taken as a row when they are one (all fields,
 * its check right); cut off as a torn write only in a checked file, when
 * they are not a whole checked row; anything else that does not parse
 * is refused (exit 65) with the file, the line and how to repair it.
 */
#ifndef PXR_STATE_H
#define PXR_STATE_H

#include <stdint.h>

#include "error.h"
#include "mem.h"

struct pxr_state;

#define PXR_STATE_CHECK "check"
#define PXR_STATE_CHECKLEN 16

struct pxr_state_opts {
	int	 readonly;	/* a missing file reads as empty; no writes */
	int	 checked;	/* a new file gets the check column */
	size_t	 nrequired;	/* an older file may have only the first
				   nrequired columns (0: all) */
};

/* Called for each complete row; fields[i] for the i-th column. */
typedef int (*pxr_state_row_fn)(void *ctx, char **fields, size_t *lens,
    long line);

/*
 * Open (creating unless readonly) the state file at path with these
 * columns (NULL-ended).  readonly: a missing file reads as empty and
 * nothing is ever written.  NULL on error.
 */
struct pxr_state *pxr_state_open(const char *path, const char *const *cols,
	    int readonly, struct pxr_error *);
/*
 * As pxr_state_open, with options.  A file of an older layout keeps it:
 * the columns it lacks read as "" and are not written (pxr_state_has),
 * and it gets no check column.  new; NULL on error.
 */
struct pxr_state *pxr_state_open_opts(const char *path,
	    const char *const *cols, const struct pxr_state_opts *,
	    struct pxr_error *);
/* 1 if the file keeps column col (known after the first refresh). */
int	 pxr_state_has(const struct pxr_state *, size_t col);
/*
 * Take the exclusive lock, waiting up to timeout_ms; -1 (exit 75), also
 * when the file was renamed over since it was opened (pxr-ledger forget).
 */
int	 pxr_state_lock(struct pxr_state *, long timeout_ms, struct pxr_error *);
void	 pxr_state_unlock(struct pxr_state *);
/*
 * Read the rows added since the last call (all, the first time).  A torn
 * tail (see above) is left unread; *torn is set to its size in bytes (and
 * it is cut off when the file is locked and writable).  -1 on error (a
 * corrupt row, a row that fails its check, an incomplete last row that is
 * not provably torn, a wrong header).
 */
int	 pxr_state_refresh(struct pxr_state *, pxr_state_row_fn, void *ctx,
	    size_t *torn, struct pxr_error *);
/* Queue a row (copied): the columns the file has, then its check. */
void	 pxr_state_add(struct pxr_state *, const char *const *fields);
/* Forget the queued rows (a batch given up before its commit). */
void	 pxr_state_discard(struct pxr_state *);
/* Write the queued rows and fsync; -1 (exit 74) on failure. */
int	 pxr_state_commit(struct pxr_state *, struct pxr_error *);
/*
 * As pxr_state_commit, without the fsync: the rows are written (other
 * runs read them) and made durable by the next pxr_state_commit (whose
 * fsync covers them) or by pxr_state_sync.  For rows whose loss in a
 * crash is safe (pxr-send's outcome rows: the message is then unknown,
 * never sent again).  0, or -1 (exit 74).
 */
int	 pxr_state_commit_later(struct pxr_state *, struct pxr_error *);
/* fsync what commit_later wrote; 0, or -1 (exit 74). */
int	 pxr_state_sync(struct pxr_state *, struct pxr_error *);
/* Number of rows queued and not yet committed. */
size_t	 pxr_state_pending(const struct pxr_state *);
const char *pxr_state_path(const struct pxr_state *);
void	 pxr_state_close(struct pxr_state *);

#endif
