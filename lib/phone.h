/*
 * phone.h: telephone numbers as people write them ("070-123 45 67",
 * "0047 912 34 567", "+44 (0)20 7946 0000") into E.164 ("+46701234567"),
 * from the numbering plan of the customer's country (ISO 3166-1 alpha-2):
 * its country calling code, trunk prefix, international prefix and the
 * lengths of its national significant numbers.  The plans were written
 * from the ITU-T E.164 assignments and the national numbering plans; a
 * country pxr has no plan for can still be reached with "+CC...".
 */
#ifndef PXR_PHONE_H
#define PXR_PHONE_H

#include <stddef.h>

#include "mem.h"

/* A country's numbering plan, as far as pxr needs it. */
struct pxr_phone_plan {
	const char *iso;	/* ISO 3166-1 alpha-2, upper case */
	const char *cc;		/* country calling code, digits */
	const char *trunk;	/* national (trunk) prefix dropped after
				   the country code; "" none */
	const char *intl;	/* international prefix dialled there */
	int	 min, max;	/* digits of a national significant number */
};

/*
 * The plan of the country whose ISO 3166-1 alpha-2 code is s (n bytes,
 * either case), or NULL when pxr has none; static.
 */
const struct pxr_phone_plan *pxr_phone_plan(const char *s, size_t n);

/*
 * The countries pxr has a plan for, as "AT, BE, ..." (static), for
 * messages.
 */
const char *pxr_phone_countries(void);

/*
 * The number s (n bytes: digits, spaces, no-break spaces, '-', '.', '/',
 * parentheses, a leading '+') in E.164 ("+" and at most 15 digits),
 * appended to out.  A number already in that form is taken as written
 * (the customer system's; not checked against the country's plan).  A number without '+' or the international prefix is
 * national: country (n bytes; NULL or "" when unknown) says of where.
 * "(0)" is the trunk prefix written optionally and is dropped.  0, or -1
 * with why it cannot be a number (letters, too short or too long for the
 * country, no country known and no '+') in why (a NUL-ended sentence of
 * at most whylen bytes); out is then unchanged.
 */
int	 pxr_phone_e164(const char *s, size_t n, const char *country,
	    size_t countrylen, struct pxr_buf *out, char *why, size_t whylen);

#endif
