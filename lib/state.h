/*
 * state.h: append-only CSV state files (the ledger, the sent log, the fan
 * history).  Created 0600; every read of new rows and every append
 * happens under an exclusive flock; appended rows are written and
 * fsynced before the caller reports them; a torn last row (a crash
 * mid-write) is never read as data and is cut off by the next writer.
 */
#ifndef PXR_STATE_H
#define PXR_STATE_H

#include <stdint.h>

#include "error.h"
#include "mem.h"

struct pxr_state;

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
/* Take the exclusive lock, waiting up to timeout_ms; -1 (exit 75). */
int	 pxr_state_lock(struct pxr_state *, long timeout_ms, struct pxr_error *);
void	 pxr_state_unlock(struct pxr_state *);
/*
 * Read the rows added since the last call (all, the first time).  A torn
 * tail is left unread; *torn is set to its size in bytes (and it is cut
 * off when the file is locked and writable).  -1 on error (a corrupt row
 * before the end, a wrong header).
 */
int	 pxr_state_refresh(struct pxr_state *, pxr_state_row_fn, void *ctx,
	    size_t *torn, struct pxr_error *);
/* Queue a row (copied). */
void	 pxr_state_add(struct pxr_state *, const char *const *fields);
/* Write the queued rows and fsync; -1 (exit 74) on failure. */
int	 pxr_state_commit(struct pxr_state *, struct pxr_error *);
/* Number of rows queued and not yet committed. */
size_t	 pxr_state_pending(const struct pxr_state *);
const char *pxr_state_path(const struct pxr_state *);
void	 pxr_state_close(struct pxr_state *);

#endif
