/* fan.h: the stage that picks the day's customers for an unexpected gesture. */
#ifndef PXR_FAN_H
#define PXR_FAN_H

#include <stdint.h>

#include "error.h"
#include "stage.h"

struct pxr_rules;

struct pxr_fan_opts {
	long	 per_day;	/* picks a day per team; 0: fan.per_day */
	const char *byfield;	/* pick per value of this field; NULL: fan.by */
	const char *history;	/* the pick history (CSV); NULL: none */
	uint64_t seed;		/* the tie-break seed */
	int64_t	 now;		/* the day of the picks is its date */
	long	 lock_ms;	/* wait this long for the history's lock */
};

/* The pick history's columns, NULL-ended. */
extern const char *const pxr_fan_history_cols[];

/*
 * The fan stage over R's fan section (R borrowed: must outlive the
 * mapper): customers that fan.when admits and no pick within
 * fan.cooldown reached are ranked by fan.score (ties broken from the day
 * and the seed), the best per_day of each team are picked, recorded in
 * the history (locked, synced) and emitted at the end with the fields
 * incident_id, rule, fan_day, fan_team, fan_score, fan_kind, fan_item; a
 * customer already picked that day comes out again instead of a new one.
 * Expressions are R's, compiled once.  new; NULL and err (78) without a
 * fan section, or when the history cannot be opened.
 */
struct pxr_mapper *pxr_fan_new(const struct pxr_fan_opts *,
	    struct pxr_rules *, struct pxr_error *);

#endif
