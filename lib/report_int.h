/*
 * report_int.h: the finished report as its writers see it (private to
 * lib/report*.c).  Everything is owned by the report.
 */
#ifndef PXR_REPORT_INT_H
#define PXR_REPORT_INT_H

#include "hmap.h"
#include "mem.h"
#include "report.h"

/* A row of a table: a name (and a currency) with a count or money. */
struct rp_row {
	const char *name;
	const char *cur;	/* money rows: the currency; else NULL */
	long	 count;
	int64_t	 sum, max;
};

enum { RP_COUNT, RP_MONEY };

struct rp_table {
	const char *id;		/* "incidents-by-phase": CSV and JSON */
	const char *title;	/* "Incidents by phase" */
	const char *col;	/* the name column's heading */
	int	 kind;		/* RP_COUNT or RP_MONEY */
	struct rp_row *r;	/* sorted by name, then currency */
	size_t	 n;
	long	 total;		/* the sum of the counts */
};

/* What one night (a date in opts.tz) found, paid and sent. */
struct rp_night {
	char	 date[16];	/* YYYY-MM-DD */
	long	 incidents, comps, gestures, sent;
	struct rp_row *money;	/* per currency: count and sum */
	size_t	 nmoney;
};

enum {
	RP_PHASE, RP_RULE, RP_TIER, RP_MONEY_T, RP_GESTURES, RP_CHANNEL,
	RP_LOCALE, RP_STATUS, RP_NTABLES
};

struct pxr_report {
	struct pxr_report_opts o;
	char	*title;
	struct pxr_arena mem;		/* every string and record */
	struct pxr_hmap inc, comp, msg;	/* by incident or message id */
	void	**inc_v, **comp_v, **msg_v;	/* in order of arrival */
	size_t	 ninc, ncomp, nmsg;
	struct pxr_hmap complaints;	/* customer -> struct rp_compl list */
	void	**compl_v;
	size_t	 ncompl;
	int	 have_complaints;

	/* Made by pxr_report_finish. */
	struct rp_table t[RP_NTABLES];
	struct rp_row *money;		/* totals per currency */
	size_t	 nmoney;
	struct rp_night *nights;	/* by date */
	size_t	 nnights;
	long	 customers;		/* distinct customers with an incident */
	long	 sent;			/* messages that went out */
	long	 fc_incidents, fc_good, fc_untold, fc_orphans;
};

/* The mean of a money row, rounded half up in minor units. */
int64_t	 rp_mean(const struct rp_row *);
/* Append v of currency cur the report's way (a bare number if unknown). */
void	 rp_money(const struct pxr_report *, struct pxr_buf *, int64_t,
	    const char *cur);
/* The first-contact rate in percent (0 without incidents). */
double	 rp_fc_rate(const struct pxr_report *);
/* Why there is no first-contact rate (no complaints export). */
extern const char rp_fc_absent[];

int	 rp_write_text(const struct pxr_report *, FILE *);
int	 rp_write_csv(const struct pxr_report *, FILE *);
int	 rp_write_json(const struct pxr_report *, FILE *);
int	 rp_write_svg(const struct pxr_report *, FILE *);
int	 rp_write_html(const struct pxr_report *, FILE *);
/* One table as a bar chart: an <svg> element at y0 (its own with alone). */
int	 rp_svg_chart(FILE *, const struct pxr_report *, const struct rp_table *,
	    int y0, int alone);
/* The height rp_svg_chart takes for the table. */
int	 rp_svg_height(const struct rp_table *);

#endif
