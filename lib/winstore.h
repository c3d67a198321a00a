/*
 * winstore.h: the window store of pxr-threshold (--window-store): what
 * earlier nights saw of grouped and inhibiting incidents, so that their
 * groups and inhibitions hold across nights.  A checked state file
 * (state.h: created 0600, appended under an exclusive flock, fsynced,
 * each row with its check) of three kinds of row:
 *
 *   incident  an incident of a grouped rule: rule, bucket (the rule and
 *             its group.by values, and for a calendar window the
 *             window's start), id, at, measure, zone (a rolling
 *             window's days are counted in it)
 *   member    a rolling group fired: the incident id now counts in the
 *             group (group); it never counts in another
 *   mark      a kept incident of a rule that inhibits with a window:
 *             rule, customer, at
 *
 * An incident is stored once, by rule and incident id: a rerun of the
 * same night counts nothing twice.
 */
#ifndef PXR_WINSTORE_H
#define PXR_WINSTORE_H

#include "error.h"

enum pxr_ws_col {
	PXR_WS_KIND = 0, PXR_WS_RULE, PXR_WS_BUCKET, PXR_WS_ID, PXR_WS_AT,
	PXR_WS_MEASURE, PXR_WS_CUSTOMER, PXR_WS_ZONE, PXR_WS_GROUP, PXR_WS__N
};

/* The column names by PXR_WS_*, NULL-ended. */
extern const char *const pxr_winstore_cols[PXR_WS__N + 1];

#define PXR_WS_INCIDENT	"incident"
#define PXR_WS_MEMBER	"member"
#define PXR_WS_MARK	"mark"

struct pxr_winstore;

/* Called for each row of the file; f[PXR_WS_*]; nonzero stops (-1). */
typedef int (*pxr_winstore_fn)(void *ctx, char **f, long line);

/* Open (creating) the store at path.  new; NULL on error. */
struct pxr_winstore *pxr_winstore_open(const char *path, struct pxr_error *);
/*
 * Take the store's lock (waiting up to timeout_ms; exit 75) and hand
 * every row to fn, oldest first.  A torn last row (a partial write) is
 * cut off.  -1 on error, the lock not held.
 */
int	 pxr_winstore_lock(struct pxr_winstore *, long timeout_ms,
	    pxr_winstore_fn, void *ctx, struct pxr_error *);
/* Queue a row (copied): f[PXR_WS_*], "" for the columns a kind lacks. */
void	 pxr_winstore_add(struct pxr_winstore *, const char *const *f);
/* Write the queued rows and fsync; -1 (exit 74) on failure. */
int	 pxr_winstore_commit(struct pxr_winstore *, struct pxr_error *);
void	 pxr_winstore_unlock(struct pxr_winstore *);
/* Close the store; NULL is allowed. */
void	 pxr_winstore_close(struct pxr_winstore *);

#endif
