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
	long	 fc_n, fc_good;	/* first contact: its incidents with a
				   customer, and told first or no complaint */
	struct rp_row *money;	/* per currency: count and sum */
	size_t	 nmoney;
};

enum {
	RP_PHASE, RP_RULE, RP_TIER, RP_MONEY_T, RP_GESTURES, RP_CHANNEL,
	RP_LOCALE, RP_STATUS, RP_EXPIRED, RP_LSTATE, RP_EVIDENCE, RP_NTABLES
};

#define RP_NOTIME INT64_MIN

/* An incident, by its id. */
struct rp_inc {
	const char *id, *rule, *phase, *tier, *cust;
	int64_t	 t;		/* the event, or RP_NOTIME */
	int64_t	 night;		/* detected (else the event), or RP_NOTIME */
	int64_t	 first_sent;	/* its first message out, or RP_NOTIME */
	int	 told;		/* a message about it was handed over */
};

/* A compensation, by its incident's id. */
struct rp_comp {
	const char *id, *kind, *cur, *cust, *rule, *tier;
	int	 has_amount;
	int	 paid;		/* issued (now or before): must be told */
	int	 stage_paid;	/* a stage's output says it was */
	int	 in_ledger;	/* a ledger has it: its last row decides */
	const char *lstate;	/* the ledger's state (last row) */
	const char *run, *sha;	/* evidence: its first row's run id and
				   rule file's SHA-256 */
	int64_t	 amount;
	int64_t	 night;
	const char *code;	/* the ledger's voucher code, or NULL */
};

/* Vouchers of a rule and tier (and currency): issued, redeemed. */
struct rp_redeem {
	const char *name;	/* rule/tier */
	const char *cur;
	long	 issued, redeemed;
	int64_t	 order;		/* the redeemed orders' amounts, minor */
};

/* A redemption (pxr-ledger redeem), by code. */
struct rp_redeemed {
	int64_t	 order;
	int	 counted;
};

/* The outbox's state of a message (outbox.h), as the report reads it. */
enum { RP_OB_NONE, RP_OB_QUEUED, RP_OB_DONE, RP_OB_EXPIRED };

/* A message, by its id (INCIDENT:CHANNEL). */
struct rp_msg {
	const char *id, *incident, *channel, *locale, *status;
	const char *reason;	/* pxr-notify's: why suppressed or deferred */
	const char *error;	/* pxr-send's: the gateway's, or why given up */
	int	 rank;
	int64_t	 sent;		/* when it went out, or RP_NOTIME */
	int64_t	 night;
	int64_t	 after;		/* deferred or queued until, or RP_NOTIME */
	int	 ob;		/* RP_OB_*: its last outbox row */
	const char *ob_why;	/* why the outbox kept it (its last queuing) */
	struct rp_msg *next;	/* the incident's next message */
};

/* A purchase: the customer's others follow in next. */
struct rp_purchase {
	struct rp_purchase *next;
	int64_t	 t;
};

/* Repurchase of one rule (or of all: rule NULL), recovered or not. */
struct rp_rebuy {
	const char *rule;
	long	 n[2], bought[2];	/* [1]: recovered, [0]: not */
};

/* A compensation paid and not told (yet), and why. */
struct rp_untold {
	const struct rp_comp *c;
	const char *why;	/* the reason, or the state it waits in */
	int	 permanent;	/* a permanent reason: it will never be told */
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
	int	 have_msgs;		/* a sent log, outbox or message stream */
	long	 paid, told;		/* compensations paid; of them told */
	struct rp_untold *untold;	/* paid, not told: permanent first */
	size_t	 nuntold, npermanent;

	struct pxr_hmap purchases;	/* customer -> struct rp_purchase */
	int	 have_purchases;
	long	 complainers;		/* customers who complained */
	struct rp_rebuy *rebuy;		/* by rule */
	size_t	 nrebuy;
	struct rp_rebuy rebuy_all;	/* every rule: by customer */

	struct pxr_hmap redeemed;	/* code -> struct rp_redeemed */
	int	 have_redeemed;		/* redemptions were given */
	struct rp_redeem *redeem;	/* by rule/tier, currency */
	size_t	 nredeem;
	struct rp_redeem redeem_all;	/* every rule (one currency: cur) */
};

/* Count one more of name (borrowed: as long as the report) in t. */
void	 rp_count(struct rp_table *, const char *name);
/* The mean of a money row, rounded half up in minor units. */
int64_t	 rp_mean(const struct rp_row *);
/* Append v of currency cur the report's way (a bare number if unknown). */
void	 rp_money(const struct pxr_report *, struct pxr_buf *, int64_t,
	    const char *cur);
/* Whether c is a gesture: no money (a gift, or no amount). */
int	 rp_gesture(const struct rp_comp *);
/* Append what c gave: its money, or its kind for a gesture. */
void	 rp_gave(const struct pxr_report *, struct pxr_buf *,
	    const struct rp_comp *);
/* Why paid and told is not measured (no message input). */
extern const char rp_told_absent[];
/* The first-contact rate in percent (0 without incidents). */
double	 rp_fc_rate(const struct pxr_report *);
/* Why there is no first-contact rate (no complaints export). */
extern const char rp_fc_absent[];

/*
 * Who was paid and told (report_told.c): links the messages to their
 * incidents, fills paid, told, untold and the expired table.
 */
void	 rp_told(struct pxr_report *);

/*
 * The silent-unhappy estimate and the repurchase comparison
 * (report_rebuy.c), after rp_told.
 */
void	 rp_rebuy(struct pxr_report *);
/* report_redeem.c: the redemption rate per rule and tier. */
void	 rp_redeem(struct pxr_report *);
extern const char rp_redeem_absent[];
/* 100 * part / whole (0 for no whole). */
double	 rp_percent(long part, long whole);
/* Append the repurchase window ("90d") to b. */
void	 rp_within(const struct pxr_report *, struct pxr_buf *);
/* Why repurchase is not measured (no purchases file). */
extern const char rp_rebuy_absent[];

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
/*
 * The silent-unhappy chart (complained against silent, estimated) and
 * the repurchase chart (recovered against not, per rule) at y0, alone
 * as in rp_svg_chart; nothing (and a height of 0) without their data.
 */
int	 rp_svg_silent(FILE *, const struct pxr_report *, int y0, int alone);
int	 rp_svg_silent_height(const struct pxr_report *);
int	 rp_svg_rebuy(FILE *, const struct pxr_report *, int y0, int alone);
int	 rp_svg_rebuy_height(const struct pxr_report *);

#endif
