/* tmpl.h: message templates (pxr-templates(5)), money and dates by locale. */
#ifndef PXR_TMPL_H
#define PXR_TMPL_H

#include <stdint.h>

#include "coltype.h"
#include "error.h"
#include "hmap.h"
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
/*
 * The field names the template uses, each once, for lint: with the line
 * and column (in characters) of its first "{{"; lines and columns may be
 * NULL.  All borrowed from the template.
 */
size_t	 pxr_tmpl_fields(const struct pxr_tmpl *, const char ***names,
	    long **lines, int **columns);

/*
 * The one order in which pxr looks for a customer's template: the
 * customer's locale ("sv-SE"), its language ("sv"), the rule file's
 * default locale and its language, then "en"; each once.  Fills out
 * (at most PXR_TMPL_CHAIN entries) and returns how many.
 */
#define PXR_TMPL_CHAIN 5
size_t	 pxr_tmpl_chain(const char *locale, const char *deflocale,
	    char out[PXR_TMPL_CHAIN][32]);

/*
 * The template file DIR/NAME.LOCALE.CHANNEL a customer of locale gets:
 * the first of pxr_tmpl_chain that is a file that can be read.  Its path
 * goes into path (reset first) and its locale into used (32 bytes);
 * 0, or -1 when there is none.  pxr-notify and pxr-lint both use this,
 * so lint checks the file notify sends.
 */
int	 pxr_tmpl_resolve(const char *dir, const char *name,
	    const char *locale, const char *deflocale, const char *channel,
	    struct pxr_buf *path, char *used);

/* Templates loaded once each, by name, locale and channel (pxr-notify). */
struct pxr_tmpls {
	char	*dir;
	char	*deflocale;
	struct pxr_schema *sch;	/* borrowed: where placeholders are bound */
	struct pxr_hmap byreq;	/* "NAME\0LOCALE\0CHANNEL" -> struct tsel */
	struct pxr_hmap bypath;	/* path -> struct pxr_tmpl */
	struct pxr_buf key, path;
};

/* A set over dir with the default locale deflocale (may be NULL); copied. */
void	 pxr_tmpls_init(struct pxr_tmpls *, const char *dir,
	    const char *deflocale, struct pxr_schema *);
void	 pxr_tmpls_fini(struct pxr_tmpls *);
/*
 * The template a customer of locale gets for name on channel (an e-mail
 * template has a subject), resolved as pxr_tmpl_resolve, loaded and bound
 * on first use; borrowed, valid until fini; *used is the file's locale
 * (borrowed likewise).  NULL with err: none exists (exit 65, naming the
 * files tried) or the file is broken (exit 78).
 */
const struct pxr_tmpl *pxr_tmpls_get(struct pxr_tmpls *, const char *name,
	    const char *locale, const char *channel, const char **used,
	    struct pxr_error *);

struct pxr_render {
	const struct pxr_rec *rec;
	const char *locale;	/* the template's locale: "sv", "en", ... */
	struct pxr_tz *tz;	/* the customer's zone: times are shown in it */
	struct pxr_tz *readtz;	/* the zone a time without an offset is read
				   in (defaults.timezone); NULL: tz */
	const char *currency;	/* for money without comp_currency */
	size_t	 f_currency;	/* index of comp_currency, or PXR_NOFIELD */
	int	 sms;		/* an SMS: money keeps to GSM-7 (a plain space,
				   not U+00A0, between thousands) */
	const struct pxr_coltype *types;	/* input.columns (may be NULL):
				   a declared money or time field is read
				   by its format for money, date, time and
				   datetime */
	size_t	 ntypes;
};

/*
 * The field of the first placeholder (subject first) that has no value
 * in rec (absent, null or empty) and no default filter, or NULL when
 * every placeholder has one; borrowed from the template.  A message
 * with such a gap is not sent (pxr-notify: suppressed missing-field).
 */
const char *pxr_tmpl_missing(const struct pxr_tmpl *, const struct pxr_rec *);
/* Render into subject (e-mail; may be NULL) and body; -1 with err. */
int	 pxr_tmpl_render(const struct pxr_tmpl *, const struct pxr_render *,
	    struct pxr_buf *subject, struct pxr_buf *body, struct pxr_error *);

/* Append amount (minor units) of currency, the locale's way. */
int	 pxr_money_format(struct pxr_buf *, int64_t minor, const char *currency,
	    const char *locale);
/*
 * As pxr_money_format, for an SMS: kept to the GSM 03.38 alphabet where
 * the locale allows (a plain space where the locale groups thousands
 * with a no-break space, which would make the whole SMS UCS-2; the
 * Polish "zł" has no GSM-7 form and stays).
 */
int	 pxr_money_format_sms(struct pxr_buf *, int64_t minor,
	    const char *currency, const char *locale);
/* Append t in tz the locale's way: what is 'd' date, 't' time, 'b' both. */
void	 pxr_locale_time(struct pxr_buf *, int64_t t, struct pxr_tz *,
	    const char *locale, int what);
/* The base language of a locale: "sv-SE" -> "sv" (into out). */
void	 pxr_locale_base(const char *locale, char *out, size_t);

/* SMS parts for a UTF-8 text: GSM-7 (160/153) or UCS-2 (70/67). */
int	 pxr_sms_segments(const char *, size_t, int *ucs2);

#endif
