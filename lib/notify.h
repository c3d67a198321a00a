/* notify.h: the stage that renders one message per incident and channel. */
#ifndef PXR_NOTIFY_H
#define PXR_NOTIFY_H

#include <stdint.h>

#include "complaints.h"
#include "error.h"
#include "rules.h"
#include "stage.h"

/*
 * What pxr-notify's options say.  A field left NULL (or 0, or a quiet
 * hours' on 0) takes the rule file's notify section, else the default.
 */
struct pxr_notify_opts {
	int64_t	 now;		/* the reference time, µs */
	const char *sentlog;	/* the sent log of pxr-send, or NULL */
	long	 lock_ms;	/* how long to wait for its lock */
	/* An ad-hoc campaign, without a rule file (tmpl != NULL): */
	const char *templates;	/* the template folder */
	const char *tmpl;	/* the template name */
	int	 ch[PXR_NCH];	/* its channels, PXR_CH_*, in order */
	int	 nch;
	int	 transactional;
	/* Either way: */
	const char *addr[PXR_NCH];	/* the address field of a channel */
	const char *f_locale, *f_tz, *f_consent;
	const char *f_country;	/* the customer's country (ISO 3166) */
	const char *country;	/* of a phone number without one */
	const char *f_consent_ch[PXR_NCH];	/* consent per channel */
	const char *f_preferred;	/* the preferred channel's field */
	struct pxr_quiet quiet[PXR_NCH];
	long	 max_count;	/* max per customer, with max_period; 0: */
	int64_t	 max_period;	/* the rule file's */
	const char *currency;	/* default currency of money */
	const char *locale;	/* default locale of templates */
	struct pxr_tz *tz;	/* default zone (ad hoc; else the file's) */
	/* Input fields renamed before the stage adds its own: */
	const char *const *rename_from;	/* borrowed, nrename each */
	const char *const *rename_to;
	size_t	 nrename;
	/* --complaints: who contacted the company (borrowed), or NULL. */
	const struct pxr_complaints *complaints;
};

/*
 * The notify stage: for each incident of a rule with notify (or every
 * row of an ad-hoc campaign), the message row(s) of pxr-notify(1): the
 * channel, the template in the customer's locale, consent, quiet hours,
 * the rate limit and the sent log.  The options are copied, their
 * strings borrowed (argv: they must outlive the mapper).  An input field
 * of the name of a field the stage writes (status, reason, ...) is
 * refused at bind (exit 65) unless renamed.  R is borrowed (must outlive
 * the mapper) and NULL for an ad-hoc campaign.  The sent log is read
 * here, under its lock.  new; NULL and err (a bad sent log, a lock
 * timeout, options that do not go together).
 */
struct pxr_mapper *pxr_notify_new(const struct pxr_notify_opts *,
	    struct pxr_rules *, struct pxr_error *);

#endif
