/*
 * fields.h: every field a stage reads or adds, in one table (after curl's
 * writeout variables[]).  Stages bind by enum, never by a hand-counted
 * name length; pxr-lint reads the same table to know what a later
 * expression may use.  Adding a field: one row in fields.c, one enum here.
 */
#ifndef PXR_FIELDS_H
#define PXR_FIELDS_H

#include <stddef.h>

#include "rec.h"

/* Who adds a field (bits of pxr_field_def.adds). */
enum {
	PXR_BY_JOIN = 1 << 0,
	PXR_BY_DETECT = 1 << 1,
	PXR_BY_THRESHOLD = 1 << 2,
	PXR_BY_COMPENSATE = 1 << 3,
	PXR_BY_NOTIFY = 1 << 4,
	PXR_BY_SEND = 1 << 5,
	PXR_BY_FAN = 1 << 6
};

enum pxr_field {
	/* pxr-detect */
	PXR_F_INCIDENT_ID, PXR_F_RULE, PXR_F_PHASE, PXR_F_CUSTOMER_ID,
	PXR_F_MEASURE, PXR_F_UNIT, PXR_F_EVENT_AT, PXR_F_DETECTED_AT,
	/* pxr-threshold */
	PXR_F_TIER, PXR_F_TIER_RANK, PXR_F_GROUP_COUNT,
	/* pxr-compensate */
	PXR_F_COMP_KIND, PXR_F_COMP_AMOUNT_MINOR, PXR_F_COMP_CURRENCY,
	PXR_F_COMP_PERCENT, PXR_F_COMP_ITEM, PXR_F_COMP_CODE,
	PXR_F_COMP_VALID_UNTIL, PXR_F_COMP_STATUS,
	/* pxr-notify */
	PXR_F_MESSAGE_ID, PXR_F_CHANNEL, PXR_F_TO, PXR_F_LOCALE,
	PXR_F_SUBJECT, PXR_F_BODY, PXR_F_SEGMENTS, PXR_F_SEND_AFTER,
	PXR_F_STATUS, PXR_F_REASON, PXR_F_COMPLAINED,
	PXR_F_PRIORITY, PXR_F_CALL_FROM, PXR_F_CALL_TO,	/* phone only */
	/* pxr-send */
	PXR_F_SENT_AT, PXR_F_ATTEMPTS, PXR_F_ERROR,
	/* pxr-fan */
	PXR_F_FAN_DAY, PXR_F_FAN_TEAM, PXR_F_FAN_SCORE, PXR_F_FAN_KIND,
	PXR_F_FAN_ITEM,
	/* read, never added: the customer's data */
	PXR_F_CURRENCY,
	PXR_F__N
};

struct pxr_field_def {
	const char *name;
	size_t	 len;
	unsigned adds;		/* PXR_BY_* of the stages that add it */
	const char *help;	/* one line, for lint and the man pages */
};

/* The table, indexed by enum pxr_field. */
extern const struct pxr_field_def pxr_fields[PXR_F__N];

/* The field's index in sch, added hidden when new (to read it). */
size_t	 pxr_field_ref(struct pxr_schema *, enum pxr_field);
/* The field's index in sch, made visible (to write it). */
size_t	 pxr_field_add(struct pxr_schema *, enum pxr_field);
/* The field of this name, or -1. */
int	 pxr_field_lookup(const char *, size_t);

#endif
