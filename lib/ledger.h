/*
 * ledger.h: the ledger, pxr-compensate's state (an append-only, checked
 * state file, see state.h), and its model for pxr-ledger.
 *
 * Layout, versioned by its header: the first eleven columns (to subject)
 * are the compensation; a ledger of this version adds the evidence
 * (run_id, rules_sha256, measure, unit) and the lifecycle (state,
 * reason).  An older ledger keeps its layout: the columns it lacks read
 * as "" (a row without a state is issued) and are not written.
 *
 * An incident's first row is its compensation: state issued,
 * pending_approval or offered.  Later rows of the same incident change its state
 * (they repeat the first row's columns, with their own issued_at, run
 * id, state and reason): approved or rejected (a pending one), issued (an
 * approved one handed on to be told, or an offered one accepted),
 * reversed (an issued one).  The
 * last row's state is the compensation's.
 */
#ifndef PXR_LEDGER_H
#define PXR_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The columns, in the file's order. */
enum pxr_lg_col {
	PXR_LG_AT, PXR_LG_ID, PXR_LG_CUST, PXR_LG_RULE, PXR_LG_TIER,
	PXR_LG_KIND, PXR_LG_AMOUNT, PXR_LG_CUR, PXR_LG_CODE, PXR_LG_VALID,
	PXR_LG_SUBJ,		/* the last column of a ledger before 17 */
	PXR_LG_RUN,		/* the run's id (--run-id, $PXR_RUN_ID) */
	PXR_LG_RULES_SHA,	/* SHA-256 of the rule file, hex */
	PXR_LG_MEASURE,		/* the measure that triggered it */
	PXR_LG_UNIT,
	PXR_LG_STATE,		/* enum pxr_lg_state's name; "" issued */
	PXR_LG_REASON,		/* why it was rejected or reversed */
	PXR_LG__N
};
/* A ledger from before subjects stops before PXR_LG_SUBJ. */
#define PXR_LG_NREQUIRED PXR_LG_SUBJ

/* The column names, indexed by enum pxr_lg_col, NULL-ended. */
extern const char *const pxr_ledger_cols[PXR_LG__N + 1];

enum pxr_lg_state {
	PXR_LG_NONE = 0,	/* not in the ledger */
	PXR_LG_ISSUED,		/* paid: counts, told */
	PXR_LG_PENDING,		/* pending_approval: counts, not told */
	PXR_LG_APPROVED,	/* approved: the next run issues it */
	PXR_LG_REJECTED,	/* ended unpaid: does not count */
	PXR_LG_REVERSED,	/* taken back: does not count */
	PXR_LG_OFFERED,		/* offered (an advisory or coaching
				   customer): does not count until a row
				   issued books it, once (issue 18) */
	PXR_LG_BADSTATE		/* a state column no version writes */
};

/* The state a state column names ("" is issued). */
enum pxr_lg_state pxr_ledger_state(const char *);
/* A state's column value ("issued", "pending_approval", ...); static. */
const char *pxr_ledger_state_name(enum pxr_lg_state);
/*
 * The state after a row of state row, for a compensation in state cur
 * (PXR_LG_NONE: the incident's first row); PXR_LG_NONE when the row is
 * not allowed there (a second compensation, approving an issued one...).
 */
enum pxr_lg_state pxr_ledger_next(enum pxr_lg_state cur,
	    enum pxr_lg_state row);
/* 1 if a compensation in state s counts against caps and budgets. */
int	 pxr_ledger_counts(enum pxr_lg_state);

/* A compensation as the ledger has it. */
struct pxr_lg_entry {
	char	*f[PXR_LG__N];	/* its first row */
	long	 line;		/* of the first row */
	enum pxr_lg_state state;	/* as of its last row */
	const char *changed_at;	/* the last row's issued_at */
	const char *reason;	/* the last row's reason */
	const char *run;	/* the last row's run id */
};

struct pxr_ledger;

/*
 * Open the ledger at path (created 0600 unless readonly; a missing file
 * reads as empty when readonly).  new; NULL and err on failure.
 */
struct pxr_ledger *pxr_ledger_open(const char *path, int readonly,
	    struct pxr_error *);
/*
 * Take the ledger's lock (as pxr-compensate does; exit 75 after
 * timeout_ms) and read the rows added since.  A row no version writes
 * (a second compensation for an incident, a state change a compensation
 * in its state cannot take, an unknown state) is a fault: with strict,
 * -1 and err (exit 65, the file and line); else it is left out.  -1 and
 * err on other failures; the lock is released on failure.
 */
int	 pxr_ledger_load(struct pxr_ledger *, long timeout_ms, int strict,
	    struct pxr_error *);
void	 pxr_ledger_unlock(struct pxr_ledger *);
/* The compensation of incident id, or NULL; borrowed until close. */
const struct pxr_lg_entry *pxr_ledger_get(const struct pxr_ledger *,
	    const char *id);
/* The compensations in the order of their first rows; borrowed. */
const struct pxr_lg_entry *const *pxr_ledger_entries(
	    const struct pxr_ledger *, size_t *n);
/* 1 if the file keeps column col (after a load). */
int	 pxr_ledger_has(const struct pxr_ledger *, enum pxr_lg_col);
/*
 * Record that incident id's compensation goes to state to (approved,
 * rejected, reversed, or issued for an approved one), with reason
 * (borrowed, may be NULL), at (ISO 8601) and run id (may be NULL): one
 * row, made durable before it returns.  The ledger must be loaded and
 * locked.  0; 1 when it is already in that state (nothing written: an
 * action done twice is done once); -1 and err (exit 65 naming the id)
 * when the change is not allowed, or the write fails (74).
 */
int	 pxr_ledger_change(struct pxr_ledger *, const char *id,
	    enum pxr_lg_state to, const char *reason, const char *at,
	    const char *run, struct pxr_error *);
const char *pxr_ledger_path(const struct pxr_ledger *);
/* Close and free; NULL is allowed. */
void	 pxr_ledger_close(struct pxr_ledger *);

/* ledger_redeem.c: redemptions of vouchers, in redeemed.csv. */

/* redeemed.csv's columns (then its check column). */
enum pxr_rd_col {
	PXR_RD_AT, PXR_RD_CODE, PXR_RD_ID, PXR_RD_CUST, PXR_RD_ORDER,
	PXR_RD_CUR, PXR_RD__N
};
extern const char *const pxr_redeem_cols[PXR_RD__N + 1];

struct pxr_redeem;

/*
 * Read the ledger at ledger (its codes) and open the redemptions file
 * at path (created 0600), locked until close.  new; NULL and err.
 */
struct pxr_redeem *pxr_redeem_open(const char *ledger, const char *path,
	    long lock_ms, struct pxr_error *);
/*
 * Record that code was redeemed at with an order of amount (minor units
 * of the voucher's currency, text), queued: 0; 1 when the code was
 * redeemed before (*said: when; nothing queued: done twice, done once);
 * -1 and err (exit 65) when no issued compensation has the code, or it
 * was redeemed before it was issued or after it expired, or the amount
 * is not a whole number of minor units.
 */
int	 pxr_redeem_add(struct pxr_redeem *, const char *code, int64_t at,
	    const char *amount, const char **said, struct pxr_error *);
/* Write and fsync what was queued: 0, or -1 and err (74). */
int	 pxr_redeem_commit(struct pxr_redeem *, struct pxr_error *);
/* NULL is allowed. */
void	 pxr_redeem_close(struct pxr_redeem *);

/* ledger_view.c: the state files checked and read together. */

/* The kinds of state file, told apart by their header line. */
enum pxr_sf_kind {
	PXR_SF_LEDGER = 1, PXR_SF_SENTLOG, PXR_SF_OUTBOX, PXR_SF_FAN,
	PXR_SF_EXPORTLOG, PXR_SF_CALLLIST, PXR_SF_HELD,
	PXR_SF_REDEEMED
};

/* The export log's columns (pxr-ledger export): each row exported once. */
enum pxr_ex_col {
	PXR_EX_AT, PXR_EX_ID, PXR_EX_CUST,
	PXR_EX_TYPE,		/* credit, refund or reversal */
	PXR_EX_AMOUNT, PXR_EX_CUR,
	PXR_EX_ISSUED,		/* the compensation's issued_at */
	PXR_EX__N
};
extern const char *const pxr_ledger_export_cols[PXR_EX__N + 1];

struct pxr_lg_export;

/*
 * Open the export log at path (created 0600), take its lock (exit 75
 * after timeout_ms) and read what was exported.  new; NULL and err.
 */
struct pxr_lg_export *pxr_ledger_export_open(const char *path,
	    long timeout_ms, struct pxr_error *);
/*
 * The billing system's rows of L not exported before: a credit or a
 * refund issued (type credit, refund), and a reversal of one exported
 * (type reversal, the amount negative); vouchers, discounts and gifts
 * are not billed, and pending, approved or rejected compensations not
 * yet.  fn is called with each row's fields (enum pxr_ex_col, borrowed
 * for the call; exported_at is at) and the row is queued in the log.
 * 0, or -1 when fn returns -1 (then nothing stays queued).
 */
int	 pxr_ledger_export_rows(struct pxr_lg_export *,
	    const struct pxr_ledger *L, const char *at,
	    int (*fn)(void *ctx, const char *const *f), void *ctx);
/* Make the queued rows durable (74 on failure); 0 or -1 and err. */
int	 pxr_ledger_export_commit(struct pxr_lg_export *, struct pxr_error *);
/* Unlock, close and free; NULL is allowed. */
void	 pxr_ledger_export_close(struct pxr_lg_export *);

/* ledger_forget.c: erasure and retention. */
#define PXR_FORGET_NFILES 8

struct pxr_forget_opts {
	const char *dir;		/* the state folder */
	const char *customer;		/* NULL: only the retention */
	const char *const *scrub;	/* e-mail, phone, name given; NULL-ended */
	int	 has_retain;
	int64_t	 retain;		/* µs: contact details older go */
	int64_t	 now;
	long	 lock_ms;
	size_t	*changed;		/* [PXR_FORGET_NFILES]: rows changed */
};

/*
 * Erase customer o->customer from the state files of o->dir (ledger.csv,
 * sent.csv, outbox.csv, fan.csv, export.csv, calls.csv: pxr-send's call
 * list, its script taken out like an outbox's body): in each row of theirs the
 * id becomes its keyed pseudonym (pseudo.h; the key is made on first
 * use), every address they were written to and every detail of o->scrub
 * is taken out (the outbox's subject and body too, a message still
 * queued for them ends expired, reason erased); with has_retain, every
 * customer's addresses (and an outbox's texts of messages no longer
 * queued) older than retain go too.  Each file changed is written whole
 * beside it and renamed over it, under its lock.  Idempotent.  0, or -1
 * and err.
 */
int	 pxr_ledger_forget(const struct pxr_forget_opts *, struct pxr_error *);
/* The name of state file i (0 .. PXR_FORGET_NFILES - 1); static. */
const char *pxr_ledger_forget_file(size_t i);

struct pxr_rules;

/*
 * The kind of the state file at path, by its header line: a kind, or -1
 * and err (66 unreadable, 65 none of them).
 */
int	 pxr_statefile_kind(const char *path, struct pxr_error *);
/*
 * Check the state file at path under its lock (shared): its format and
 * per-row checks, no id twice (a compensation recorded twice, a message
 * sent twice), a ledger's state changes, and, R not NULL (borrowed), that
 * the ledger keeps R's per-customer cap and batch budget (a run's rows by
 * run_id).  *nrows: its rows.  0, or -1 and err: the file and line of
 * the first fault (65), or why it cannot be read.
 */
int	 pxr_statefile_verify(const char *path, const struct pxr_rules *R,
	    long lock_ms, size_t *nrows, struct pxr_error *);

struct pxr_lg_told;

/*
 * What the customers were told, from the sent log and the outbox (paths
 * borrowed; NULL or a missing file: nothing), by incident: new; NULL
 * and err when one cannot be read.
 */
struct pxr_lg_told *pxr_ledger_told_new(const char *sentlog,
	    const char *outbox, long lock_ms, struct pxr_error *);
/*
 * The messages of an incident as "email sent, sms queued" (the channel,
 * then sent, attempt, failed, queued or expired); "" for none.  Borrowed
 * until the next call.
 */
const char *pxr_ledger_told(struct pxr_lg_told *, const char *incident);
void	 pxr_ledger_told_free(struct pxr_lg_told *);

#endif
