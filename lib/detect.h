/* detect.h: the stage that turns events into incidents. */
#ifndef PXR_DETECT_H
#define PXR_DETECT_H

#include <stdint.h>

#include "error.h"
#include "stage.h"

struct pxr_rules;

struct pxr_detect_opts {
	int64_t	 now;		/* the batch's reference time, µs */
	const char *const *only; /* only the rules of these ids (borrowed) */
	size_t	 nonly;
	/*
	 * A field a rule reads that the input's CSV header lacks: with adhoc
	 * (the rule came from -e) an error that stops the stream, naming
	 * the nearest field; otherwise a warning naming the rule and the
	 * field, or with strict that error.
	 */
	int	 adhoc;
	int	 strict;
};

/*
 * The detect stage over R (borrowed: must outlive the mapper): for every
 * event and every rule (in file order, or the ones named in only) whose
 * 'when' holds, one incident: the event's fields, then incident_id,
 * rule, phase, customer_id (when the input has none), measure, unit,
 * event_at, detected_at.  --explain lines go to the sayer.  new; NULL
 * and err (exit 2) when only names a rule R lacks.
 */
struct pxr_mapper *pxr_detect_new(const struct pxr_detect_opts *,
	    struct pxr_rules *, struct pxr_error *);

/* An ad-hoc rule from the command line: expressions as given. */
struct pxr_detect_adhoc {
	const char *expr;	/* when */
	const char *id;		/* NULL: "adhoc" */
	const char *customer, *at, *measure, *unit, *phase;
	const char *const *keys;
	size_t	 nkeys;
};

/*
 * A rule set of the one ad-hoc rule a (strings copied), in the zone of
 * $TZ.  new (free with pxr_rules_free); NULL and err (exit 2, text
 * "OPTION:LINE:COL: what") when an expression does not compile.
 */
struct pxr_rules *pxr_detect_adhoc(const struct pxr_detect_adhoc *,
	    struct pxr_error *);

#endif
