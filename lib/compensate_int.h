/*
 * compensate_int.h: private to the compensation stage (compensate.c, the
 * decisions; compensate_ledger.c, what the ledger says and what goes
 * into it: entries, limits, approval, evidence, erased customers).
 */
#ifndef PXR_COMPENSATE_INT_H
#define PXR_COMPENSATE_INT_H

#include <stdint.h>

#include "compensate.h"
#include "hmap.h"
#include "ledger.h"
#include "mem.h"
#include "pseudo.h"
#include "rec.h"
#include "sha256.h"
#include "state.h"

/* The ledger's columns (ledger.h), by shorter names. */
enum { L_AT = PXR_LG_AT, L_ID = PXR_LG_ID, L_CUST = PXR_LG_CUST,
	L_RULE = PXR_LG_RULE, L_TIER = PXR_LG_TIER, L_KIND = PXR_LG_KIND,
	L_AMOUNT = PXR_LG_AMOUNT, L_CUR = PXR_LG_CUR, L_CODE = PXR_LG_CODE,
	L_VALID = PXR_LG_VALID, L_SUBJ = PXR_LG_SUBJ, L_RUN = PXR_LG_RUN,
	L_SHA = PXR_LG_RULES_SHA, L_MEAS = PXR_LG_MEASURE, L_UNIT = PXR_LG_UNIT,
	L_STATE = PXR_LG_STATE, L_REASON = PXR_LG_REASON, L_N = PXR_LG__N };
#define L_OLD PXR_LG_NREQUIRED	/* a ledger from before subjects */

/* The columns of a ledger row a duplicate shows, in entry.f. */
extern const int pxr_comp_shown[];
#define PXR_COMP_SHOWN { L_KIND, L_AMOUNT, L_CUR, L_CODE, L_VALID, \
	L_CUST }
enum { E_KIND, E_AMOUNT, E_CUR, E_CODE, E_VALID, E_CUST, E_N };

/*
 * What a duplicate shows of a ledger row, kept by incident id: one block
 * of the stage's arena, the texts after the struct.
 */
struct entry {
	char	*f[E_N];
	enum pxr_lg_state state;	/* as of its last row */
	int64_t	 at;		/* issued_at of its first row */
	int64_t	 amount;	/* what it counts against the limits */
};

/* What a compensation subject (an order, say) was paid so far. */
struct subj {
	int64_t	 paid;
	char	 cur[4];
};

/* An issued total: a customer's in the cap period, or the batch's. */
struct total {
	int64_t	 sum;
};

/* An offer in the ledger: its row (to book when accepted), its expiry. */
struct offer {
	char	*f[L_N];	/* in the stage's arena; NULL: not read */
	int64_t	 expires;
	int	 accepted;
};

/* What an incident gets, before the ledger is consulted. */
struct plan {
	struct pxr_packed *p;
	const char *kind;	/* NULL: none */
	int	 has_amount;
	int64_t	 amount;
	char	 currency[4];
	int	 has_percent;
	int64_t	 percent_bp;
	const char *item;
	int	 has_valid;
	int64_t	 valid;
	const char *rule;
	char	*subject;	/* new; NULL: the incident alone */
	int	 survey;	/* the rule is a survey ("survey": true) */
	int	 offer;		/* an offer (advisory, coaching): booked when
				   accepted */
	int64_t	 offer_valid;	/* µs the offer stands */
	int	 left_out;	/* a survey the customer is not sent */
	int	 released;	/* from held.csv: passed on only if issued */
	/* For --explain: the entry that decided, its amount's parts. */
	const struct pxr_comp *entry;	/* NULL: none matched */
	size_t	 ientry;
	int64_t	 of, raw;	/* percent: of what; before min/max */
};

struct comp {
	struct pxr_mapper *m;
	struct pxr_rules *R;
	struct pxr_rule *last;	/* the rule of the last record */
	const char *ledger;
	long	 lock_ms;
	int	 dry;
	struct pxr_state *st;
	int64_t	 now;
	char	 now_text[40];
	struct pxr_schema *sch;
	size_t	 f_id, f_rule, f_tier, f_cust, f_cur, f_measure, f_unit;
	size_t	 f_kind, f_amount, f_currency, f_percent, f_item, f_code,
		 f_valid, f_status;
	struct pxr_hmap entries;	/* incident id -> struct entry */
	struct pxr_hmap totals;		/* customer \0 currency -> total */
	struct pxr_hmap budget;		/* currency -> this run's total */
	struct pxr_hmap night;		/* currency -> this run's issued total,
					   for approve_night_above_minor */
	char	*run;			/* the run id (evidence) */
	char	 sha[PXR_SHA256_HEX];	/* the rule file's (evidence) */
	struct pxr_pseudo *pseudo;	/* the state's key, if someone was
					   erased (pseudo.h) */
	struct pxr_hmap subjects;	/* subject -> struct subj */
	struct pxr_hmap offers;		/* code -> struct offer */
	const struct pxr_acceptance *acc;	/* borrowed */
	size_t	 nacc;
	int	 use_offers;		/* notify.fields.strategy is set */
	size_t	 f_strat;		/* the customer's strategy field */
	struct pxr_hmap lastpaid;	/* customer -> the last compensation's
					   time (int64_t, µs) for surveys */
	int	 use_subjects;		/* some rule has a subject */
	struct pxr_arena mem;		/* entries and totals */
	struct plan *batch;
	size_t	 nbatch;
	struct pxr_arena scratch;
	struct pxr_buf tmp;
	char	*held_path;		/* held.csv beside the ledger */
	struct pxr_state *heldst;	/* NULL: none yet */
	struct pxr_hmap held;		/* incident id -> struct held */
	int	 releasing;		/* records from held.csv now */
	/* --explain: the limit that reduced this decision's amount. */
	const char *lim_by;
	int64_t	 lim_max, lim_sum;
};

/* compensate_ledger.c; each says what it does where it is defined. */
/* The entry of incident id (n bytes), or NULL; borrowed. */
struct entry *pxr_comp_find_entry(struct comp *, const char *id, size_t n);
/* Keep a ledger row (f) as its incident's entry, in state. */
struct entry *pxr_comp_add_entry(struct comp *, char **f, size_t *lens,
	    enum pxr_lg_state);
/* The total of key in map, created at 0; borrowed. */
struct total *pxr_comp_total_of(struct comp *, struct pxr_hmap *,
	    const char *key, size_t n);
/* Count amount in cur as paid for subject s. */
void	 pxr_comp_subj_paid(struct comp *, const char *s, const char *cur,
	    int64_t amount);
/* The customer's total in the cap period in cur; borrowed. */
struct total *pxr_comp_cust_total(struct comp *, const char *cust,
	    size_t cn, const char *cur);
/* Count amount a paid at t into the customer's total when in period. */
void	 pxr_comp_count_at(struct comp *, const char *cust, size_t cn,
	    const char *cur, int64_t t, int64_t a);
/* The same from a row's texts. */
void	 pxr_comp_count_row(struct comp *, const char *cust, size_t cn,
	    const char *cur, const char *at, const char *amount);
/* Keep an offered row by its code, or mark it accepted (issued). */
void	 pxr_comp_note_offer(struct comp *, char **f, size_t *lens,
	    int issued);
/* A later row took e to state next: the limits follow. */
void	 pxr_comp_change_entry(struct comp *, struct entry *e, char **f,
	    size_t *lens, enum pxr_lg_state next);
/* A ledger row read (pxr_state_row_fn over struct comp). */
int	 pxr_comp_ledger_row(void *ctx, char **f, size_t *lens, long line);
/* Read the rows other runs added; -1 and err. */
int	 pxr_comp_refresh(struct comp *, struct pxr_error *);
/* Must amt in cur wait for approval (and else count it)? */
int	 pxr_comp_needs_approval(struct comp *, const char *cur, int64_t amt);
/* The evidence columns of a new row into f. */
void	 pxr_comp_evidence(struct comp *, const struct pxr_rec *,
	    const char **f);
/* An approved compensation handed on now: its issued row, queued. */
void	 pxr_comp_release(struct comp *, const struct pxr_rec *,
	    const struct plan *, struct entry *e);
/* The entry of rec's incident when its customer was erased, or NULL. */
struct entry *pxr_comp_erased_entry(struct comp *, const struct pxr_rec *,
	    struct entry *e);
/* compensate.c: note that the customer was compensated at time text at. */
void	 pxr_comp_note_paid(struct comp *, const char *cust, size_t cn,
	    const char *at);

/* compensate_held.c: the incidents of pending compensations. */
/* Find and read held.csv beside the ledger; -1 and err. */
int	 pxr_comp_held_open(struct comp *, struct pxr_error *);
/* Keep rec's incident (its compensation is pending), queued. */
int	 pxr_comp_hold(struct comp *, const struct pxr_rec *,
	    struct pxr_error *);
/* Write and fsync the queued held rows; -1 and err. */
int	 pxr_comp_held_commit(struct comp *, struct pxr_error *);
/* Note (queued) that this run handed rec's held incident on. */
void	 pxr_comp_held_released(struct comp *, const struct pxr_rec *);
/* Forget the queued held rows. */
void	 pxr_comp_held_discard(struct comp *);
/*
 * The next held incident whose compensation is approved and not yet
 * issued, into rec (1), or none left (0), or -1 and err; *it starts at 0.
 */
int	 pxr_comp_held_next(struct comp *, size_t *it, struct pxr_rec *,
	    struct pxr_error *);

#endif
