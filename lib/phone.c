/* phone.c: telephone numbers into E.164 (see phone.h). */
#include <stdio.h>
#include <string.h>

#include "phone.h"

/*
 * The plans, by ISO 3166-1 alpha-2, from ITU-T E.164 (the list of
 * country codes) and each country's national numbering plan.  Lengths
 * are of the national significant number (after the country code and
 * without the trunk prefix).
 *
 * Poland has had a closed 9-digit plan without a trunk prefix since
 * 2009, but "(0)22 ..." and "022 ..." are still written: no Polish
 * number starts with 0, so a leading 0 is dropped as if it were one.
 * Åland (AX) shares Finland's +358.  The United States and Canada share
 * +1 (the North American Numbering Plan: 10 digits, the area code and
 * the exchange each starting with 2-9, trunk prefix 1, international
 * prefix 011).
 */
static const struct pxr_phone_plan plans[] = {
	{ "AT", "43", "0", "00", 4, 13 },
	{ "BE", "32", "0", "00", 8, 9 },
	{ "CH", "41", "0", "00", 9, 9 },
	{ "DE", "49", "0", "00", 6, 13 },
	{ "DK", "45", "", "00", 8, 8 },
	{ "EE", "372", "", "00", 7, 8 },
	{ "ES", "34", "", "00", 9, 9 },
	{ "FI", "358", "0", "00", 5, 12 },
	{ "AX", "358", "0", "00", 5, 12 },	/* after FI: +358 is FI's */
	{ "FO", "298", "", "00", 6, 6 },
	{ "FR", "33", "0", "00", 9, 9 },
	{ "GB", "44", "0", "00", 7, 10 },
	{ "GL", "299", "", "00", 6, 6 },
	{ "IE", "353", "0", "00", 7, 9 },
	{ "IS", "354", "", "00", 7, 9 },
	{ "LT", "370", "8", "00", 8, 8 },
	{ "LV", "371", "", "00", 8, 8 },
	{ "NL", "31", "0", "00", 9, 9 },
	{ "NO", "47", "", "00", 8, 8 },
	{ "PL", "48", "0", "00", 9, 9 },
	{ "PT", "351", "", "00", 9, 9 },
	{ "SE", "46", "0", "00", 7, 9 },
	{ "US", "1", "1", "011", 10, 10 },
	{ "CA", "1", "1", "011", 10, 10 }	/* after US: +1 is NANP's */
};
#define NPLANS (sizeof(plans) / sizeof(plans[0]))

/* E.164: at most 15 digits with the country code. */
#define E164_MAX 15

const struct pxr_phone_plan *
pxr_phone_plan(const char *s, size_t n)
{
	char iso[3];
	size_t i;

	if (s == NULL || n != 2)
		return NULL;
	for (i = 0; i < 2; i++)
		iso[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
	iso[2] = '\0';
	for (i = 0; i < NPLANS; i++)
		if (strcmp(plans[i].iso, iso) == 0)
			return &plans[i];
	return NULL;
}

const char *
pxr_phone_countries(void)
{
	return "AT, AX, BE, CA, CH, DE, DK, EE, ES, FI, FO, FR, GB, GL, IE, "
	    "IS, LT, LV, NL, NO, PL, PT, SE, US";
}

/* Does s start with the digits of p? */
static int
starts(const char *s, const char *p)
{
	return *p != '\0' && strncmp(s, p, strlen(p)) == 0;
}

/*
 * The digits of s into d (at most dmax - 1 and a NUL), the "(0)" of a
 * trunk prefix left out, and whether it starts with '+'.  0, or -1 with
 * why.
 */
static int
digits_of(const char *s, size_t n, char *d, size_t dmax, int *plus,
    char *why, size_t whylen)
{
	size_t i, k = 0, open = 0;
	int any = 0, paren = 0;

	*plus = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			/* "(0)": the trunk prefix, dialled only at home. */
			if (paren && c == '0' && k == open && i + 1 < n &&
			    s[i + 1] == ')') {
				i++;
				paren = 0;
				continue;
			}
			if (k + 1 >= dmax) {
				snprintf(why, whylen, "more than %d digits",
				    E164_MAX);
				return -1;
			}
			d[k++] = (char)c;
			any = 1;
		} else if (c == '+' && !any && !*plus && !paren)
			*plus = 1;
		else if (c == '(' && !paren) {
			paren = 1;
			open = k;
		} else if (c == ')' && paren)
			paren = 0;
		else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] == 0xa0)
			i++;	/* a no-break space, as spreadsheets write */
		else if (c != ' ' && c != '-' && c != '.' && c != '/' &&
		    c != '\t') {
			if (c >= 0x80)
				snprintf(why, whylen, "byte \\x%02x is not part "
				    "of a phone number", c);
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				snprintf(why, whylen, "letters ('%c') are not "
				    "part of a phone number", c);
			else
				snprintf(why, whylen, "'%c' is not part of a phone "
				    "number", c);
			return -1;
		}
	}
	d[k] = '\0';
	if (paren) {
		snprintf(why, whylen, "an unclosed '('");
		return -1;
	}
	if (k == 0) {
		snprintf(why, whylen, "no digits");
		return -1;
	}
	return 0;
}

/* The plan whose country code starts d, or NULL. */
static const struct pxr_phone_plan *
plan_of_cc(const char *d)
{
	size_t i;

	for (i = 0; i < NPLANS; i++)
		if (starts(d, plans[i].cc))
			return &plans[i];
	return NULL;
}

/* Check nsn (the national significant number) against p. */
static int
nsn_ok(const struct pxr_phone_plan *p, const char *nsn, char *why,
    size_t whylen)
{
	int n = (int)strlen(nsn);

	if (n < p->min || n > p->max) {
		if (p->min == p->max)
			snprintf(why, whylen, "%s numbers have %d digits after "
			    "+%s, not %d", p->iso, p->min, p->cc, n);
		else
			snprintf(why, whylen, "%s numbers have %d to %d digits "
			    "after +%s, not %d", p->iso, p->min, p->max, p->cc,
			    n);
		return -1;
	}
	/* North America: area code and exchange start with 2-9. */
	if (strcmp(p->cc, "1") == 0 && (nsn[0] < '2' || nsn[3] < '2')) {
		snprintf(why, whylen, "+1 numbers have an area code and an "
		    "exchange that start with 2 to 9");
		return -1;
	}
	if (strlen(p->cc) + (size_t)n > E164_MAX) {
		snprintf(why, whylen, "more than %d digits", E164_MAX);
		return -1;
	}
	return 0;
}

/* Is s "+" and 1 to 15 digits, the first not 0? */
static int
e164_as_is(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > E164_MAX + 1 || s[0] != '+' || s[1] == '0')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
pxr_phone_e164(const char *s, size_t n, const char *country,
    size_t countrylen, struct pxr_buf *out, char *why, size_t whylen)
{
	const struct pxr_phone_plan *home = NULL, *p;
	char d[E164_MAX + 8];
	const char *nsn;
	int plus;

	/*
	 * Already E.164 ("+" and up to 15 digits, the first not 0): taken
	 * as written, as the customer system keeps it.
	 */
	if (e164_as_is(s, n)) {
		pxr_buf_add(out, s, n);
		return 0;
	}
	if (digits_of(s, n, d, sizeof(d), &plus, why, whylen) < 0)
		return -1;
	if (country != NULL && countrylen > 0 &&
	    (home = pxr_phone_plan(country, countrylen)) == NULL && !plus) {
		snprintf(why, whylen, "no numbering plan for country '%.*s' "
		    "(known: %s): write the number with + and the country "
		    "code", (int)(countrylen > 8 ? 8 : countrylen), country,
		    pxr_phone_countries());
		return -1;
	}
	if (!plus && home != NULL && starts(d, home->intl)) {
		memmove(d, d + strlen(home->intl), strlen(d) -
		    strlen(home->intl) + 1);
		plus = 1;
	}
	if (!plus && home == NULL) {
		snprintf(why, whylen, "no country known and no '+': write "
		    "the number with + and the country code, or give the "
		    "customer's country");
		return -1;
	}
	if (plus) {
		if (d[0] == '0') {
			snprintf(why, whylen, "no country code starts with 0");
			return -1;
		}
		p = home != NULL && starts(d, home->cc) ? home :
		    plan_of_cc(d);
		if (p == NULL) {
			/* A country without a plan here: E.164's own bounds. */
			if (strlen(d) < 7 || strlen(d) > E164_MAX) {
				snprintf(why, whylen, "%zu digits: an "
				    "international number has 7 to %d",
				    strlen(d), E164_MAX);
				return -1;
			}
			pxr_buf_addc(out, '+');
			pxr_buf_adds(out, d);
			return 0;
		}
		nsn = d + strlen(p->cc);
		/* "+46 070...": the trunk prefix written after the code. */
		if (strcmp(p->trunk, "0") == 0 && nsn[0] == '0')
			nsn++;
	} else {
		p = home;
		nsn = d;
		if (starts(nsn, p->trunk))
			nsn += strlen(p->trunk);
	}
	if (nsn_ok(p, nsn, why, whylen) < 0)
		return -1;
	pxr_buf_addc(out, '+');
	pxr_buf_adds(out, p->cc);
	pxr_buf_adds(out, nsn);
	return 0;
}
