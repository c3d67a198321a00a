/*
 * report.h: the summary of a run (pxr-report).  A model is filled from
 * any mix of stage outputs, ledgers, sent logs and a complaints export,
 * recognised by their columns; then one writer per format (after Miller's
 * c/output/: report_text.c, report_csv.c, report_json.c, report_svg.c,
 * report_html.c) writes it.
 */
#ifndef PXR_REPORT_H
#define PXR_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "rec.h"
#include "time.h"

enum {
	PXR_REPORT_TEXT = 0,
	PXR_REPORT_CSV,
	PXR_REPORT_JSON,
	PXR_REPORT_SVG,
	PXR_REPORT_HTML
};

struct pxr_report_opts {
	const char *title;	/* NULL: "pxr report" and the nights covered */
	const char *locale;	/* how money and dates are written; NULL: en */
	struct pxr_tz *tz;	/* the zone of a night's date (borrowed) */
	int64_t	 from;		/* only records at or after; INT64_MIN: all */
	int64_t	 to;		/* only records before; INT64_MAX: all */
	int	 silent_ratio;	/* 1 in this many unhappy customers
				   complains; 0: 26 */
	int64_t	 within;	/* a repurchase counts within this long
				   after the incident (µs); 0: 90 days */
};

/* What a source is: its columns say, or it is given as one of these. */
enum {
	PXR_REPORT_SRC_ANY = 0,	/* a stage's output, ledger, sent log, outbox */
	PXR_REPORT_SRC_COMPLAINTS,	/* customer_id, complained_at */
	PXR_REPORT_SRC_PURCHASES	/* customer_id, purchased_at */
};

struct pxr_report;
struct pxr_report_src;

/* An empty report; opts is copied, its strings and tz borrowed.  new. */
struct pxr_report *pxr_report_new(const struct pxr_report_opts *);
void	 pxr_report_free(struct pxr_report *);

/*
 * An input of the report whose records have the fields of sch (borrowed,
 * as long as the source): kind is PXR_REPORT_SRC_COMPLAINTS for a
 * complaints export, PXR_REPORT_SRC_PURCHASES for purchases, else
 * PXR_REPORT_SRC_ANY: whatever its columns say (a stage's output, a
 * ledger, a sent log, an outbox).  new.
 */
struct pxr_report_src *pxr_report_src_new(struct pxr_report *,
	    struct pxr_schema *, int kind);
/*
 * Count one record of the source: 0; -1 and err for a bad record (a time
 * or amount that is not one, a complaint or purchase without a customer
 * or time); -2 and err when the input cannot be one (a complaints export
 * or purchases file without its columns).
 */
int	 pxr_report_add(struct pxr_report_src *, const struct pxr_rec *,
	    struct pxr_error *);
void	 pxr_report_src_free(struct pxr_report_src *);

/*
 * Make the tables from what was added (once, after the last add): 0, or
 * -1 and err (65) when a sum of money overflows.
 */
int	 pxr_report_finish(struct pxr_report *, struct pxr_error *);

/* PXR_REPORT_* of a format name ("text", "csv", ...), or -1. */
int	 pxr_report_format(const char *);
/*
 * Write the finished report in format fmt to fp (borrowed): every value
 * escaped for its format.  0, or -1 and err (74) when fp fails.
 */
int	 pxr_report_write(const struct pxr_report *, int fmt, FILE *,
	    struct pxr_error *);

#endif
