/*
 * complaints.h: the complaints a customer made (a complaints export:
 * customer_id, complained_at, an optional subject), indexed by customer,
 * so that pxr-notify can tell who already contacted the company about an
 * incident.  The file is read by cmd/ through a side input; this module
 * only keeps and finds.
 */
#ifndef PXR_COMPLAINTS_H
#define PXR_COMPLAINTS_H

#include <stddef.h>
#include <stdint.h>

/* One complaint; its texts are copied into the index. */
struct pxr_complaint {
	const char *cust;	/* customer id */
	int64_t	 at;		/* when, µs */
	const char *subject;	/* "" or NULL: any incident of theirs */
	const char *where;	/* "FILE:LINE", for --explain */
};

struct pxr_complaints;

/* An index of v[0..n) (copied).  new. */
struct pxr_complaints *pxr_complaints_new(const struct pxr_complaint *v,
	    size_t n);
/*
 * The first complaint of customer cust (cn bytes) made at or after from
 * and at or before to, about this incident: a complaint with a subject
 * counts only when the subject is the incident's id (id, idn bytes) or
 * its rule's (rule, rn bytes); or NULL.  Borrowed until free.
 */
const struct pxr_complaint *pxr_complaints_find(
	    const struct pxr_complaints *, const char *cust, size_t cn,
	    int64_t from, int64_t to, const char *id, size_t idn,
	    const char *rule, size_t rn);
/* NULL is allowed. */
void	 pxr_complaints_free(struct pxr_complaints *);

#endif
