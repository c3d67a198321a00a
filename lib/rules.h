/* rules.h: the rule file (pxr-rules(5)): loading, checking, the model. */
#ifndef PXR_RULES_H
#define PXR_RULES_H

#include <stdint.h>

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
	int	 strategies;	/* when_strategy: 1 << PXR_STRAT_* each; 0:
				   any but quick-response */
	int64_t	 offer_valid;	/* µs an offer stands (default 7 days) */
};

/*
 * The four ways to connect (pxr(7)): who takes the initiative.  An
 * advisory or coaching customer is offered a compensation, booked when
 * accepted; an automatic one gets it at once; a quick-response one is
 * told what happened and where to act, compensated only by an entry that
 * names quick-response.
 */
enum { PXR_STRAT_QUICK = 0, PXR_STRAT_ADVISORY, PXR_STRAT_COACHING,
	PXR_STRAT_AUTOMATIC, PXR_NSTRAT };

/* "quick-response", "advisory", "coaching", "automatic", by PXR_STRAT_*. */
extern const char *const pxr_strategy_names[PXR_NSTRAT];
/* The PXR_STRAT_* of the name of n bytes, or -1. */
int	 pxr_strategy_of(const char *s, size_t n);

/* A group's window: rolling (span), or a calendar day, week or month. */
enum { PXR_WIN_ROLLING = 1, PXR_WIN_DAY, PXR_WIN_WEEK, PXR_WIN_MONTH };
enum { PXR_AGG_COUNT = 1, PXR_AGG_SUM, PXR_AGG_MAX };

struct pxr_group {
	struct pxr_expr **by;
	size_t	 nby;
	int	 window;	/* PXR_WIN_*; 0 when the file's was bad */
	int64_t	 span;		/* rolling: µs; whole days count calendar
				   days in the zone */
	struct pxr_tz *zone;	/* "zone"; NULL: defaults.timezone */
	char	*zone_field;	/* "zone_field": the customer's zone, or NULL */
	int	 aggregate;
};

/* The channels a message can go by; PXR_CH_* index every per-channel array. */
enum { PXR_CH_EMAIL = 0, PXR_CH_SMS, PXR_CH_PUSH, PXR_CH_PHONE, PXR_NCH };

/* "email", "sms", "push", "phone" (a call by an agent), by PXR_CH_*. */
extern const char *const pxr_channel_names[PXR_NCH];
/* The PXR_CH_* of the channel named s, or -1. */
int	 pxr_channel_of(const char *s);

/* How a rule's (or the fan's) incidents are told. */
struct pxr_rnotify {
	char	**channels;	/* as written */
	size_t	 nchannels;
	int	 ch[PXR_NCH];	/* the known ones, PXR_CH_*, in order, once each */
	int	 nch;
	int	 all;		/* every channel with an address, not the first */
	char	*tmpl;		/* the template name */
	int	 transactional;	/* not counted against, nor held by, the limit */
};

/* Quiet hours of a channel: nothing goes from..to, minutes of the day. */
struct pxr_quiet {
	int	 on;
	int	 from, to;	/* from > to: across midnight */
};

/*
 * When agents may call (the phone channel): from..to (minutes of the day,
 * from < to) on the days of days (bit 0 Monday ... bit 6 Sunday), in the
 * customer's zone.
 */
struct pxr_callhours {
	int	 from, to;
	unsigned days;
};

/*
 * A time of day "hh:mm" (exactly 5 bytes of n) into minutes: 0, or -1 if
 * it is not one.
 */
int	 pxr_quiet_time(const char *s, size_t n, int *min);
/* Quiet hours "HH:MM-HH:MM" into q (on): 0, or -1 if malformed. */
int	 pxr_quiet_parse(const char *s, struct pxr_quiet *q);

/* The top-level notify section, with its defaults filled in. */
struct pxr_notify_cfg {
	char	*templates;	/* the template folder, resolved against the
				   rule file's folder; never NULL */
	char	*addr[PXR_NCH];	/* the address field of each channel: email,
				   phone, device_token unless the file says */
	char	*f_locale;	/* the customer's fields, or NULL: none */
	char	*f_tz;
	char	*f_country;	/* ISO 3166 alpha-2 of the customer's phone */
	char	*f_consent;	/* one consent field for every channel */
	char	*f_consent_ch[PXR_NCH];	/* or one per channel (consent as
				   an object: consent_per_channel) */
	int	 consent_per_channel;
	char	*f_preferred;	/* the field naming the preferred channel */
	char	*f_name;
	char	*f_strategy;	/* the customer's strategy (PXR_STRAT_*) */
	char	*from[PXR_NCH];	/* the sender of each channel, or NULL */
	struct pxr_quiet quiet[PXR_NCH];
	struct pxr_callhours call_hours;	/* default 09:00-18:00,
					   Monday to Friday */
	long	 max_count;	/* max_per_customer.count; 0: no limit */
	int64_t	 max_period;	/* max_per_customer.period, µs */
	char	**rename_from;	/* rename: input fields pxr-notify renames */
	char	**rename_to;	/* before it adds its own (status, ...) */
	size_t	 nrename;
};

/* The fan section (pxr-fan(1)); NULL in struct pxr_rules without one. */
struct pxr_fan {
	struct pxr_expr *when;	/* NULL: every customer */
	struct pxr_expr *score;
	struct pxr_expr *by;	/* the team; NULL: none */
	long	 per_day;	/* default 1 */
	int64_t	 cooldown;	/* µs; default 180 days */
	char	*kind, *item;	/* or NULL */
	int	 has_fixed;
	int64_t	 fixed_minor;
	int	 has_valid;
	int64_t	 valid;		/* µs */
	struct pxr_rnotify *notify;	/* with a template, else NULL;
					   channels default to email, sms */
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
	char	**inhibits;	/* the ids of the rules it inhibits */
	int64_t	*within;	/* per inhibits[i]: µs either side of the
				   incident; 0: any time in this run's input */
	size_t	 ninhibits;
	struct pxr_comp *comp;
	size_t	 ncomp;
	struct pxr_expr **subject;	/* what is compensated; none: the incident */
	size_t	 nsubject;
	struct pxr_rnotify *notify;
	int	 key_is_str;	/* "key": "a" rather than ["a"] (for paths) */
	int	 survey;	/* "survey": true: its message is a survey */
};

/* A list of strings, as written; v[n] is NULL. */
struct pxr_strlist {
	char	**v;
	size_t	 n;
};

/* A phase of the journey: the customer experience map of pxr-map(1). */
struct pxr_phase {
	char	*id;
	char	*name;
	char	*description;	/* or NULL, like every member below */
	struct pxr_strlist rational;	/* needs.rational */
	struct pxr_strlist emotional;	/* needs.emotional */
	struct pxr_strlist choice;	/* motivation.choice */
	struct pxr_strlist recommendation;	/* motivation.recommendation */
	struct pxr_strlist touchpoints;
	char	*owner;
	struct pxr_strlist risks;
};

struct pxr_rules {
	char	*path;
	char	*dir;		/* for relative paths in the file */
	struct pxr_jpos *pos;
	char	*currency;	/* defaults */
	char	*locale;
	char	*country;	/* ISO 3166 alpha-2 of phone numbers, or NULL */
	struct pxr_tz *tz;
	char	*journey;
	struct pxr_phase *phases;
	size_t	 nphases;
	struct pxr_coltype *columns;
	size_t	 ncolumns;
	int	 delimiter;	/* input.delimiter; 0: from the header */
	int	 encoding;	/* input.encoding: PXR_ENC_* (0: UTF-8) */
	struct pxr_rule *rules;
	size_t	 nrules;
	int	 has_cap;
	int64_t	 cap_minor;	/* limits.per_customer.max_minor */
	int64_t	 cap_period;	/* µs */
	int	 has_budget;
	int64_t	 budget_minor;
	int	 has_no_survey;
	int64_t	 no_survey_after;	/* limits.no_survey_after, µs */
	int	 has_approve;	/* limits.approve_above_minor */
	int64_t	 approve_minor;	/* one compensation above it waits */
	int	 has_approve_night;	/* limits.approve_night_above_minor */
	int64_t	 approve_night_minor;	/* a run's total above it waits */
	struct pxr_notify_cfg notify;	/* filled in even without the section */
	struct pxr_fan *fan;		/* NULL without a fan section */
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
