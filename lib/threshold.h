/* threshold.h: the stage that tiers, drops, groups and inhibits incidents. */
#ifndef PXR_THRESHOLD_H
#define PXR_THRESHOLD_H

#include "error.h"
#include "stage.h"

struct pxr_rules;

struct pxr_threshold_opts {
	int	 keep_untiered;	/* keep incidents below every tier */
	const char *window_store;	/* the window store (winstore.h), or
					   NULL: groups and windowed
					   inhibitions see this input only */
	long	 lock_ms;	/* wait this long for its lock */
};

/*
 * The threshold stage over R (borrowed: must outlive the mapper): each
 * incident gets the first tier of its rule holding its measure (fields
 * tier, tier_rank); incidents of no tier are dropped; a grouped rule's
 * incidents become one per group and window (measure: the aggregate,
 * group_count); incidents inhibited by another rule's tiered incident
 * for the same customer are dropped.  With groups or inhibitions every
 * record is held until end.  With a window store the incidents of
 * earlier runs count in groups and inhibit (within a window): at end the
 * store is read and appended under its lock, then the records go on.
 * new; NULL and err on bad options (a store that cannot be opened).
 */
struct pxr_mapper *pxr_threshold_new(const struct pxr_threshold_opts *,
	    struct pxr_rules *, struct pxr_error *);

#endif
