/*
 * outbox.h: messages that could not go yet, kept in state until they can
 * (issue 14's durable outbox).  pxr-send puts a message here when quiet
 * hours or a rate limit defer it, or when its gateway fails for now; a
 * later pxr-send run hands it over when it is due, without that night's
 * file, and a message that waited longer than its expiry is given up
 * with a reason.  The outbox is an append-only, checked state file (see
 * state.h): one row per change of a message, the last one counts.
 */
#ifndef PXR_OUTBOX_H
#define PXR_OUTBOX_H

#include <stdint.h>

#include "error.h"

/* The columns, in the file's order. */
enum pxr_ob_col {
	PXR_OB_AT,		/* when the row was written */
	PXR_OB_MESSAGE_ID,
	PXR_OB_CUSTOMER_ID,
	PXR_OB_CHANNEL,
	PXR_OB_TO,
	PXR_OB_SUBJECT,
	PXR_OB_BODY,
	PXR_OB_SEND_AFTER,	/* not before (ISO 8601, UTC) */
	PXR_OB_QUEUED_AT,	/* when it was first queued: for expiry */
	PXR_OB_STATE,		/* queued, done, expired */
	PXR_OB_REASON,		/* why queued, or why it ended */
	PXR_OB__N
};

extern const char *const pxr_outbox_cols[PXR_OB__N + 1];

enum pxr_ob_state {
	PXR_OB_NONE = 0,
	PXR_OB_QUEUED,		/* waiting for send_after */
	PXR_OB_DONE,		/* handed over (or found sent): final */
	PXR_OB_EXPIRED		/* given up: final */
};

/* A message in the outbox: its last row's fields (owned by the outbox). */
struct pxr_ob_msg {
	char	*f[PXR_OB__N];
	int64_t	 send_after;	/* µs */
	int64_t	 queued_at;	/* µs */
	enum pxr_ob_state state;
};

struct pxr_outbox;

/* Open (create, 0600) the outbox at path.  new; NULL and err on failure. */
struct pxr_outbox *pxr_outbox_open(const char *path, struct pxr_error *);
/*
 * Lock the outbox (waiting up to timeout_ms; -1 and err, exit 75, after)
 * and read the rows others wrote since.  The caller unlocks.
 */
int	 pxr_outbox_lock(struct pxr_outbox *, long timeout_ms,
	    struct pxr_error *);
void	 pxr_outbox_unlock(struct pxr_outbox *);
/* The message of this id, or NULL; borrowed until the next lock. */
const struct pxr_ob_msg *pxr_outbox_get(const struct pxr_outbox *,
	    const char *id, size_t n);
/*
 * Record a message's new state (fields indexed by enum pxr_ob_col,
 * borrowed; PXR_OB_STATE is set from st, PXR_OB_AT from now) and make it
 * durable; the outbox must be locked.  -1 and err (exit 74) on failure.
 */
int	 pxr_outbox_put(struct pxr_outbox *, const char *const *fields,
	    enum pxr_ob_state st, int64_t now, struct pxr_error *);
/*
 * The queued messages due at now (send_after <= now), oldest first, as a
 * NULL-ended vector of borrowed pointers (new vector: free it; the
 * messages are valid until the next lock).  *nexpired is set to how many
 * of them waited longer than max_age (µs; 0: never expire): those come
 * first in the vector.
 */
const struct pxr_ob_msg **pxr_outbox_due(const struct pxr_outbox *,
	    int64_t now, int64_t max_age, size_t *nexpired);
/* Number of messages waiting (queued). */
size_t	 pxr_outbox_queued(const struct pxr_outbox *);
const char *pxr_outbox_path(const struct pxr_outbox *);
void	 pxr_outbox_close(struct pxr_outbox *);

#endif
