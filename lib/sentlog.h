/*
 * sentlog.h: the sent log, pxr-send's state (an append-only CSV state
 * file, see state.h): one row per attempt, sent or failed hand-over of a
 * message.  Its columns are defined here once and read by name.
 */
#ifndef PXR_SENTLOG_H
#define PXR_SENTLOG_H

#include <stddef.h>

#include "error.h"
#include "hmap.h"

/* The columns, in the file's order. */
enum pxr_sl_col {
	PXR_SL_SENT_AT,		/* when the row was written (ISO 8601) */
	PXR_SL_MESSAGE_ID,
	PXR_SL_CUSTOMER_ID,
	PXR_SL_CHANNEL,
	PXR_SL_TO,
	PXR_SL_STATUS,		/* attempt, sent, failed */
	PXR_SL__N
};

/* The column names, indexed by enum pxr_sl_col, NULL-ended. */
extern const char *const pxr_sentlog_cols[PXR_SL__N + 1];

/* What the log says of a message id. */
enum pxr_sent_state {
	PXR_SENT_NONE = 0,	/* nothing */
	PXR_SENT_ATTEMPT,	/* handed over (or being), no outcome yet */
	PXR_SENT_SENT,		/* accepted by the gateway: final */
	PXR_SENT_FAILED		/* refused: may be tried again */
};

/* The state named by a status column value, or PXR_SENT_NONE. */
enum pxr_sent_state pxr_sentlog_state(const char *status);
/* The status column value of a state ("attempt", ...); static. */
const char *pxr_sentlog_status(enum pxr_sent_state);

struct pxr_sentlog;

/*
 * Open the sent log at path (created 0600 unless readonly; a missing file
 * reads as empty when readonly).  new; NULL and err on failure.
 */
struct pxr_sentlog *pxr_sentlog_open(const char *path, int readonly,
	    struct pxr_error *);
/*
 * Take the log's lock (waiting up to timeout_ms; exit 75 after) and read
 * the rows written since the last call, so that pxr_sentlog_get sees the
 * whole log; *torn is the size of a torn last row that was left out (and
 * cut off when writable).  -1 and err on failure (the lock is released).
 */
int	 pxr_sentlog_lock(struct pxr_sentlog *, long timeout_ms, size_t *torn,
	    struct pxr_error *);
void	 pxr_sentlog_unlock(struct pxr_sentlog *);
/*
 * The state of message id (n bytes) as of the last lock: a sent message
 * stays sent whatever follows.
 */
enum pxr_sent_state pxr_sentlog_get(const struct pxr_sentlog *,
	    const char *id, size_t n);
/*
 * Append a row (fields indexed by enum pxr_sl_col, borrowed; the status
 * column is set from st) and write it: an attempt (a claim) fsynced before
 * this returns; an outcome (sent, failed) fsynced by the next attempt or
 * by pxr_sentlog_sync (fsyncs grouped: an outcome lost in a crash leaves
 * its message unknown, never sent twice); the log must be locked.  -1
 * and err (exit 74) on failure.
 */
int	 pxr_sentlog_append(struct pxr_sentlog *, const char *const *fields,
	    enum pxr_sent_state st, struct pxr_error *);
/* Number of message ids known. */
size_t	 pxr_sentlog_count(const struct pxr_sentlog *);
const char *pxr_sentlog_path(const struct pxr_sentlog *);
/* Close and free; NULL is allowed. */
/* fsync the outcome rows appended since the last claim: 0, or -1 (74). */
int	 pxr_sentlog_sync(struct pxr_sentlog *, struct pxr_error *);
void	 pxr_sentlog_close(struct pxr_sentlog *);

#endif
