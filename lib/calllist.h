/*
 * calllist.h: the call list of the phone channel (issue 18): the calls
 * agents are to make, one row per call, written by pxr-send instead of
 * handing the message to a gateway.  An append-only, checked state file
 * (see state.h) that agents read; a message id is listed once, ever: the
 * list is the phone channel's gateway and its own record of what was
 * handed over, so a run that died between listing a call and writing
 * the sent log's claim never lists it twice.
 */
#ifndef PXR_CALLLIST_H
#define PXR_CALLLIST_H

#include <stdint.h>

#include "error.h"

/* The columns, in the file's order. */
enum pxr_cl_col {
	PXR_CL_LISTED_AT,	/* when the call was listed (ISO 8601) */
	PXR_CL_PRIORITY,	/* 1 first */
	PXR_CL_CALL_FROM,	/* the customer's local window, with offset */
	PXR_CL_CALL_TO,
	PXR_CL_MESSAGE_ID,
	PXR_CL_CUSTOMER_ID,
	PXR_CL_TO,		/* the number, E.164 */
	PXR_CL_LOCALE,
	PXR_CL_SCRIPT,		/* what the agent says (the template) */
	PXR_CL__N
};

extern const char *const pxr_calllist_cols[PXR_CL__N + 1];

struct pxr_calllist;

/* Open (create, 0600) the call list at path.  new; NULL and err. */
struct pxr_calllist *pxr_calllist_open(const char *path, struct pxr_error *);
/*
 * Lock the list (waiting up to timeout_ms; -1 and err, exit 75, after)
 * and read the rows others wrote since.  The caller unlocks.
 */
int	 pxr_calllist_lock(struct pxr_calllist *, long timeout_ms,
	    struct pxr_error *);
void	 pxr_calllist_unlock(struct pxr_calllist *);
/*
 * The row (PXR_CL__N fields) listing message id, or NULL; borrowed until
 * the list is closed.
 */
const char *const *pxr_calllist_get(const struct pxr_calllist *,
	    const char *id, size_t n);
/*
 * List a call (fields indexed by enum pxr_cl_col, borrowed; listed_at is
 * set from now) and make it durable; the list must be locked.  -1 and
 * err (exit 74) on failure.
 */
int	 pxr_calllist_put(struct pxr_calllist *, const char *const *fields,
	    int64_t now, struct pxr_error *);
const char *pxr_calllist_path(const struct pxr_calllist *);
/* Close and free; NULL is allowed. */
void	 pxr_calllist_close(struct pxr_calllist *);

#endif
