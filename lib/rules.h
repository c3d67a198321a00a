/* rules.h: the rule file (pxr-rules(5)): loading, checking, the model. */
#ifndef PXR_RULES_H
#define PXR_RULES_H

#include <stdint.h>

#include <jansson.h>

#include "expr.h"
#include "jpos.h"
#include "time.h"

enum { PXR_SEV_ERROR = 0, PXR_SEV_WARNING, PXR_SEV_NOTE };

/* One finding about a rule file. */
struct pxr_diag {
	char	*file;		/* another file (a template), or NULL */
	char	*path;		/* "rules[2].when" */
	long	 line;
	int	 col;
	int	 sev;
	char	 check[32];	/* a stable name: "unknown-member" */
	char	*msg;		/* without the path */
};

struct pxr_diags {
	struct pxr_diag *v;
	size_t	 n;
	size_t	 nerr;
	size_t	 cap;
};

void	 pxr_diags_free(struct pxr_diags *);
/* Sort by position (file order). */
void	 pxr_diags_sort(struct pxr_diags *);

struct pxr_tier {
	char	*name;
	int	 has_lo, lo_incl;	/* min: incl; above: exclusive */
	int	 has_hi, hi_incl;	/* upto: incl; max: exclusive */
	struct pxr_value lo, hi;	/* numbers */
};

enum { PXR_ROUND_HALF_UP = 0, PXR_ROUND_HALF_EVEN, PXR_ROUND_DOWN,
	PXR_ROUND_UP };

struct pxr_comp {
	char	*tier;		/* NULL: any */
	struct pxr_expr *when;
	char	*kind;
	int	 has_fixed;
	int64_t	 fixed_minor;
	int	 has_percent;
	int64_t	 percent_bp;	/* hundredths of a percent: 12.5 % = 1250 */
	struct pxr_expr *of;
	struct pxr_expr *amount;
	int	 has_min, has_max;
	int64_t	 min_minor, max_minor;
	int	 round;
	struct pxr_expr *currency;
	char	*item;
	int	 has_valid;
	int64_t	 valid;		/* µs */
};

enum { PXR_WIN_1D = 1, PXR_WIN_7D, PXR_WIN_30D, PXR_WIN_MONTH };
enum { PXR_AGG_COUNT = 1, PXR_AGG_SUM, PXR_AGG_MAX };

struct pxr_group {
	struct pxr_expr **by;
	size_t	 nby;
	int	 window;
	int	 aggregate;
};

struct pxr_rnotify {
	char	**channels;
	size_t	 nchannels;
	int	 all;
	char	*tmpl;
	int	 transactional;
};

struct pxr_rule {
	char	*id;
	char	*phase;
	char	*description;
	char	 path[32];	/* "rules[2]" */
	struct pxr_expr *when;
	struct pxr_expr **key;	/* none: every field of the event */
	size_t	 nkey;
	struct pxr_expr *customer;	/* NULL: the field customer_id */
	struct pxr_expr *at;		/* NULL: now() */
	struct pxr_expr *measure;	/* NULL: 1 */
	char	*unit;
	struct pxr_tier *tiers;
	size_t	 ntiers;
	struct pxr_group *group;
	char	**inhibits;
	size_t	 ninhibits;
	struct pxr_comp *comp;
	size_t	 ncomp;
	struct pxr_rnotify *notify;
};

struct pxr_phase {
	char	*id;
	char	*name;
};

struct pxr_rules {
	char	*path;
	char	*dir;		/* for relative paths in the file */
	json_t	*root;
	struct pxr_jpos *pos;
	char	*currency;	/* defaults */
	char	*locale;
	struct pxr_tz *tz;
	char	*journey;
	struct pxr_phase *phases;
	size_t	 nphases;
	struct pxr_coltype *columns;
	size_t	 ncolumns;
	int	 delimiter;	/* input.delimiter; 0: from the header */
	struct pxr_rule *rules;
	size_t	 nrules;
	int	 has_cap;
	int64_t	 cap_minor;	/* limits.per_customer.max_minor */
	int64_t	 cap_period;	/* µs */
	int	 has_budget;
	int64_t	 budget_minor;
};

/*
 * Load and check the rule file at path.  Every finding goes into d
 * (may be NULL); NULL is returned when there was an error (d->nerr > 0)
 * or the file cannot be read (one finding with check "io").
 */
struct pxr_rules *pxr_rules_load(const char *path, struct pxr_diags *d);
/*
 * For pxr-lint: as pxr_rules_load, but the model is returned even when
 * there were errors (the parts that loaded), and NULL only when the file
 * is no JSON at all or cannot be read.
 */
struct pxr_rules *pxr_rules_check(const char *path, struct pxr_diags *d);
void	 pxr_rules_free(struct pxr_rules *);
/* Resolve every expression's fields against sch. */
void	 pxr_rules_bind(struct pxr_rules *, struct pxr_schema *);
/* The rule with this id, or NULL. */
struct pxr_rule *pxr_rules_find(const struct pxr_rules *, const char *id);
/* The name of a phase id (the id itself if none). */
const char *pxr_rules_phase_name(const struct pxr_rules *, const char *);

/* Add a finding (lint uses this too); msg is printf-formatted. */
void	 pxr_diag_add(struct pxr_diags *, const struct pxr_jpos *,
	    const char *path, int key, int sev, const char *check,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Closest of names to s by edit distance (for "did you mean"), or NULL. */
const char *pxr_suggest(const char *s, const char *const *names, size_t n);

#endif
