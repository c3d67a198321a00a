/*
 * journey.h: the customer journey's map (pxr-map): every phase of the
 * rule file's journey with the rules that watch it, its coverage
 * (proactive: a rule tells the customer; partial: detected only; none),
 * incident counts, and the headline "proactively managed: N of M phases",
 * written as text, CSV, JSON or Graphviz DOT.
 */
#ifndef PXR_JOURNEY_H
#define PXR_JOURNEY_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

enum {
	PXR_JOURNEY_TEXT = 0,
	PXR_JOURNEY_CSV,
	PXR_JOURNEY_JSON,
	PXR_JOURNEY_DOT
};

struct pxr_journey;
struct pxr_rules;

/* No incidents counted yet.  new. */
struct pxr_journey *pxr_journey_new(void);
void	 pxr_journey_free(struct pxr_journey *);
/* Say that incidents were given (their counts are shown, even all 0). */
void	 pxr_journey_counting(struct pxr_journey *);
/*
 * Count an incident of rule (rn bytes; copied) once: a second row of the
 * same incident id (idn bytes; NULL: none) is not counted again.  The
 * customer (cn bytes, copied; NULL: unknown) is counted once a phase.
 */
void	 pxr_journey_count(struct pxr_journey *, const char *rule, size_t rn,
	    const char *id, size_t idn, const char *cust, size_t cn);
/* PXR_JOURNEY_* of a format name, or -1. */
int	 pxr_journey_format(const char *);
/*
 * Write the map of R's journey (R borrowed) in format fmt to fp: 0; -1
 * and err (78) when R has no journey.phases, (74) when fp fails.
 */
int	 pxr_journey_write(const struct pxr_journey *, const struct pxr_rules *,
	    int fmt, FILE *, struct pxr_error *);

#endif
