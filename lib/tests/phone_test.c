/* phone_test.c: numbers as people write them into E.164 (lib/phone.c). */
#include <stdlib.h>
#include <string.h>

#include "../phone.h"
#include "unit.h"

/* The E.164 form of s in country c, or the refusal "!why". */
static const char *
e164(const char *s, const char *c)
{
	static char res[256];
	struct pxr_buf b = { 0 };
	char why[200];

	if (pxr_phone_e164(s, strlen(s), c, c != NULL ? strlen(c) : 0, &b,
	    why, sizeof(why)) < 0)
		snprintf(res, sizeof(res), "!%s", why);
	else
		snprintf(res, sizeof(res), "%s", b.p);
	pxr_buf_free(&b);
	return res;
}

/* Refused, with a reason containing part. */
#define REFUSED(s, c, part) do {					\
	const char *r_ = e164(s, c);					\
	CHECK(r_[0] == '!' && strstr(r_, part) != NULL,		\
	    "refused %s in %s: %s", s, c == NULL ? "-" : c, r_);	\
} while (0)

int
main(void)
{
	static const struct {
		const char *in, *country, *want;
	} ok[] = {
		/* The numbers. */
		{ "070-123 45 67", "SE", "+46701234567" },
		{ "0047 912 34 567", "SE", "+4791234567" },
		{ "0047 912 34 567", "NO", "+4791234567" },
		{ "+45 12 34 56 78", NULL, "+4512345678" },
		{ "+45 12 34 56 78", "PL", "+4512345678" },
		{ "(0)22 123 45 67", "PL", "+48221234567" },
		{ "00 48 22 123 45 67", "SE", "+48221234567" },
		{ "00 48 22 123 45 67", "pl", "+48221234567" },
		/* Sweden: area codes of 1 to 3 digits after the 0. */
		{ "08-123 456 78", "SE", "+46812345678" },
		{ "0910-123 45", "SE", "+4691012345" },
		{ "+46 (0)70 123 45 67", NULL, "+46701234567" },
		{ "+46 070 123 45 67", NULL, "+46701234567" },
		{ "+46701234567", "SE", "+46701234567" },
		/* Norway, Denmark, Iceland, the Faroes, Greenland: no
		 * trunk prefix. */
		{ "912 34 567", "NO", "+4791234567" },
		{ "22 12 34 56", "DK", "+4522123456" },
		{ "551 2345", "IS", "+3545512345" },
		{ "31 23 45", "FO", "+298312345" },
		{ "32 12 34", "GL", "+299321234" },
		/* Finland and Åland: +358, trunk 0. */
		{ "040 123 4567", "FI", "+358401234567" },
		{ "018 123 45", "AX", "+3581812345" },
		{ "09 1234 567", "fi", "+35891234567" },
		/* Poland: 9 digits, the old trunk 0 dropped. */
		{ "601 234 567", "PL", "+48601234567" },
		{ "022 123 45 67", "PL", "+48221234567" },
		{ "+48 601-234-567", NULL, "+48601234567" },
		/* The United Kingdom and Germany. */
		{ "07700 900123", "GB", "+447700900123" },
		{ "+44 (0)20 7946 0000", NULL, "+442079460000" },
		{ "020 7946 0000", "gb", "+442079460000" },
		{ "030 1234567", "DE", "+49301234567" },
		{ "0151 23456789", "DE", "+4915123456789" },
		{ "+49 (0)30 1234567", "SE", "+49301234567" },
		/* North America: +1, trunk 1, international prefix 011. */
		{ "(212) 555-0123", "US", "+12125550123" },
		{ "1-212-555-0123", "US", "+12125550123" },
		{ "416.555.0199", "CA", "+14165550199" },
		{ "011 46 70 123 45 67", "US", "+46701234567" },
		{ "+1 212 555 0123", "SE", "+12125550123" },
		/* Spreadsheet spaces, slashes, dots. */
		{ "070\xc2\xa0" "123\xc2\xa0" "45\xc2\xa0" "67", "SE",
		    "+46701234567" },
		{ "030/1234567", "DE", "+49301234567" },
		/* A country without a plan here, written with +. */
		{ "+33 1 23 45 67 89", NULL, "+33123456789" },
		{ "+81 3-1234-5678", "SE", "+81312345678" }
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_STR(e164(ok[i].in, ok[i].country), ok[i].want, "%s in %s",
		    ok[i].in, ok[i].country == NULL ? "-" : ok[i].country);

	/* What cannot be a number. */
	REFUSED("070-ABC 45 67", "SE", "letters ('A')");
	REFUSED("call me", "SE", "letters");
	REFUSED("070 123 45 67 ext 5", "SE", "letters");
	REFUSED("070*123", "SE", "'*'");
	REFUSED("070\xe2\x80\x93" "123", "SE", "byte \\xe2");
	REFUSED("", "SE", "no digits");
	REFUSED(" - ", "SE", "no digits");
	REFUSED("(070 123 45 67", "SE", "unclosed");
	REFUSED("0701234567", NULL, "no country known");
	REFUSED("0701234567", "", "no country known");
	REFUSED("0047 912 34 567", NULL, "no country known");
	REFUSED("070 123", "SE", "SE numbers have 7 to 9 digits after +46, "
	    "not 5");
	REFUSED("070 123 45 67 89", "SE", "not 11");
	REFUSED("912 34 56", "NO", "NO numbers have 8 digits after +47, "
	    "not 7");
	REFUSED("+47 912 34 5678", NULL, "not 9");
	CHECK_STR(e164("+46701", "SE"), "+46701",
	    "already E.164: as written");
	CHECK_STR(e164("+4791234567", NULL), "+4791234567",
	    "already E.164: as written");
	REFUSED("+0701234567", NULL, "starts with 0");
	REFUSED("+9991234567890123", NULL, "16 digits");
	REFUSED("12 34 56 78 9", "DK", "DK numbers have 8 digits");
	REFUSED("60 123 456", "PL", "PL numbers have 9 digits");
	REFUSED("(112) 555-0123", "US", "US numbers have 10 digits after +1, not 9");
	REFUSED("+1 112 555 0123", "US", "area code");
	REFUSED("212 155 0123", "US", "exchange");
	REFUSED("212 555 012", "US", "US numbers have 10 digits");
	REFUSED("+0 123 456 789", NULL, "starts with 0");
	REFUSED("+1 23", NULL, "US numbers have 10 digits after +1, not 2");
	REFUSED("+999 12", NULL, "5 digits: an international number has 7 to 15");
	REFUSED("+33 1234 5678 9012 3456", NULL, "digits");
	REFUSED("0612345678", "ZZ", "no numbering plan for country 'ZZ'");
	REFUSED("0612345678", "FRA", "no numbering plan");
	CHECK_STR(e164("+33 6 12 34 56 78", "ZZ"), "+33612345678",
	    "an unknown country does not matter with +");

	/* The plans. */
	CHECK(pxr_phone_plan("se", 2) != NULL &&
	    strcmp(pxr_phone_plan("se", 2)->cc, "46") == 0, "se is +46");
	CHECK(pxr_phone_plan("SEX", 3) == NULL, "SEX is no country");
	CHECK(pxr_phone_plan("XX", 2) == NULL, "XX has no plan");
	CHECK(pxr_phone_plan(NULL, 0) == NULL, "NULL has no plan");
	{
		static const char *const want[] = { "SE", "NO", "DK", "FI",
		    "IS", "PL", "GB", "DE", "US", "CA" };

		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			CHECK(pxr_phone_plan(want[i], 2) != NULL &&
			    strstr(pxr_phone_countries(), want[i]) != NULL,
			    "a plan for %s", want[i]);
	}
	UNIT_END();
}
