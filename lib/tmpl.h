/* tmpl.h: message templates (pxr-templates(5)), money and dates by locale. */
#ifndef PXR_TMPL_H
#define PXR_TMPL_H

#include <stdint.h>

#include "error.h"
#include "mem.h"
#include "rec.h"
#include "time.h"

#define PXR_TMPL_MAX_OUTPUT (64 * 1024)

struct pxr_tmpl;

/*
 * Parse a template file.  An e-mail template starts with a "Subject: "
 * line and a blank line.  NULL with err (file and line) on a syntax error
 * or an unknown filter.
 */
struct pxr_tmpl *pxr_tmpl_load(const char *path, int email,
	    struct pxr_error *);
void	 pxr_tmpl_free(struct pxr_tmpl *);
/* Resolve the placeholders' field names in sch (added hidden). */
void	 pxr_tmpl_bind(struct pxr_tmpl *, struct pxr_schema *);
/* The field names the template uses, for lint; borrowed. */
size_t	 pxr_tmpl_fields(const struct pxr_tmpl *, const char ***names,
	    long **lines);

struct pxr_render {
	const struct pxr_rec *rec;
	const char *locale;	/* the template's locale: "sv", "en", ... */
	struct pxr_tz *tz;	/* the customer's zone */
	const char *currency;	/* for money without comp_currency */
	size_t	 f_currency;	/* index of comp_currency, or PXR_NOFIELD */
};

/* Render into subject (e-mail; may be NULL) and body; -1 with err. */
int	 pxr_tmpl_render(const struct pxr_tmpl *, const struct pxr_render *,
	    struct pxr_buf *subject, struct pxr_buf *body, struct pxr_error *);

/* Append amount (minor units) of currency, the locale's way. */
int	 pxr_money_format(struct pxr_buf *, int64_t minor, const char *currency,
	    const char *locale);
/* Append t in tz the locale's way: what is 'd' date, 't' time, 'b' both. */
void	 pxr_locale_time(struct pxr_buf *, int64_t t, struct pxr_tz *,
	    const char *locale, int what);
/* The base language of a locale: "sv-SE" -> "sv" (into out). */
void	 pxr_locale_base(const char *locale, char *out, size_t);

/* SMS parts for a UTF-8 text: GSM-7 (160/153) or UCS-2 (70/67). */
int	 pxr_sms_segments(const char *, size_t, int *ucs2);

#endif
