/* compensate.h: the stage that decides and records each compensation. */
#ifndef PXR_COMPENSATE_H
#define PXR_COMPENSATE_H

#include <stdint.h>

#include "error.h"
#include "stage.h"

struct pxr_rules;

/* A customer's acceptance of an offer: its code, when, where it was read. */
struct pxr_acceptance {
	const char *code;
	int64_t	 at;
	const char *where;	/* "FILE:LINE", for messages */
};

struct pxr_compensate_opts {
	const char *ledger;	/* the ledger's path (borrowed) */
	long	 lock_ms;	/* wait this long for its lock */
	int	 dry_run;	/* read the ledger if there is one, write none */
	int64_t	 now;		/* the batch's time: issued_at, validity */
	const char *run_id;	/* the ledger's run_id (NULL: now's text) */
	const struct pxr_acceptance *acceptances;	/* borrowed: booked
							   at the end */
	size_t	 nacceptances;
};

/*
 * The compensation stage over R (borrowed: must outlive the mapper): each
 * tiered incident gets the first entry of its rule's compensation list
 * that matches (fields comp_*), limited by the customer's cap and the
 * batch budget, recorded once in the ledger; an incident already there
 * comes out as 'duplicate' with the ledger's values.  Records are held
 * in batches: each batch is decided and appended to the ledger under its
 * lock, and emitted only after the ledger is synced.  new; NULL and err
 * when the ledger cannot be opened.  Its rows (ledger.h) keep the
 * evidence: run id, the rule file's SHA-256, measure and unit; one above
 * an approval limit is pending_approval (not told) until pxr-ledger
 * approves it, and the next run issues it: over its incident, or, when
 * the input no longer has it, from held.csv beside the ledger, which
 * keeps the incident of each pending row (compensate_held.c).  A customer whose
 * strategy (notify.fields.strategy) is advisory or coaching is offered the
 * compensation (state offered, a code, valid_until its expiry; it does
 * not count): it is booked (a row of state issued) when an acceptance
 * names its code before then, once; never otherwise.
 */
/* held.csv's columns (then its check column), by name. */
extern const char *const pxr_held_cols[];
enum { PXR_HD_AT, PXR_HD_ID, PXR_HD_CUST, PXR_HD_RECORD, PXR_HD_STATE,
	PXR_HD__N };

struct pxr_mapper *pxr_compensate_new(const struct pxr_compensate_opts *,
	    struct pxr_rules *, struct pxr_error *);

#endif
