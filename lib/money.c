/* money.c: currencies and exact integer money arithmetic. */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "rules.h"

/* ISO 4217 codes whose minor unit is not 2. */
static const struct {
	const char *code;
	int	 exp;
} odd[] = {
	{ "BHD", 3 }, { "BIF", 0 }, { "CLF", 4 }, { "CLP", 0 }, { "DJF", 0 },
	{ "GNF", 0 }, { "IQD", 3 }, { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KMF", 0 }, { "KRW", 0 }, { "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 },
	{ "PYG", 0 }, { "RWF", 0 }, { "TND", 3 }, { "UGX", 0 }, { "UYI", 0 },
	{ "UYW", 4 }, { "VND", 0 }, { "VUV", 0 }, { "XAF", 0 }, { "XOF", 0 },
	{ "XPF", 0 }
};

/*
 * The 2-decimal codes we know (ISO 4217 as of 2026: ANG withdrawn 2025 for
 * XCG, BGN 2026 for EUR).
 */
static const char two[] =
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV "
    "BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE "
    "CZK DKK DOP "
    "DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG "
    "HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
    "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN "
    "NIO "
    "NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG "
    "SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD "
    "TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

/* Codes withdrawn from ISO 4217 that exports still carry. */
static const struct {
	const char *code, *now;
	int	 year;
} gone[] = {
	{ "ANG", "XCG", 2025 }, { "BGN", "EUR", 2026 }, { "HRK", "EUR", 2023 },
	{ "SLL", "SLE", 2024 }, { "VEF", "VES", 2018 }, { "ZWL", "ZWG", 2024 },
	{ "MRO", "MRU", 2018 }, { "STD", "STN", 2018 }, { "LTL", "EUR", 2015 },
	{ "LVL", "EUR", 2014 }, { "EEK", "EUR", 2011 }, { "CUC", "CUP", 2021 }
};

const char *
pxr_currency_successor(const char *code, int *year)
{
	size_t i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (strcmp(code, gone[i].code) == 0) {
			if (year != NULL)
				*year = gone[i].year;
			return gone[i].now;
		}
	return NULL;
}

/*
 * The exponent of every code of three capital letters, by the letters'
 * number (26 * 26 * 26 of them): -1 unknown.  Filled from odd[] and two[]
 * on the first call, so a lookup is an index, not a search of the lists.
 */
static signed char exps[26 * 26 * 26];
static int exps_ready;

static int
code_index(const char *c)
{
	if (c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' ||
	    c[2] < 'A' || c[2] > 'Z')
		return -1;
	return ((c[0] - 'A') * 26 + (c[1] - 'A')) * 26 + (c[2] - 'A');
}

static void
fill_exps(void)
{
	size_t i;

	memset(exps, -1, sizeof(exps));
	for (i = 0; i + 3 <= sizeof(two) - 1; i += 4)
		exps[code_index(two + i)] = 2;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		exps[code_index(odd[i].code)] = (signed char)odd[i].exp;
	exps_ready = 1;
}

int
pxr_currency_exponent(const char *code)
{
	int k;

	if (code == NULL || code[0] == '\0' || code[1] == '\0' ||
	    code[2] == '\0' || code[3] != '\0' || (k = code_index(code)) < 0)
		return -1;
	if (!exps_ready)
		fill_exps();
	return exps[k];
}

int
pxr_money_percent(int64_t amount, int64_t bp, int mode, int64_t *out)
{
	__int128 p = (__int128)amount * bp, q, r;
	const __int128 d = 10000;
	int neg = p < 0;

	if (neg)
		p = -p;
	q = p / d;
	r = p % d;
	switch (mode) {
	case PXR_ROUND_DOWN:
		break;
	case PXR_ROUND_UP:
		if (r != 0)
			q++;
		break;
	case PXR_ROUND_HALF_EVEN:
		if (r * 2 > d || (r * 2 == d && (q & 1)))
			q++;
		break;
	default:		/* half-up: halves away from zero */
		if (r * 2 >= d)
			q++;
		break;
	}
	if (neg)
		q = -q;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int
pxr_money_add(int64_t *sum, int64_t a)
{
	if (__builtin_add_overflow(*sum, a, sum)) {
		*sum = a > 0 ? INT64_MAX : INT64_MIN;
		return -1;
	}
	return 0;
}

int
pxr_money_sub(int64_t a, int64_t b, int64_t *diff)
{
	if (__builtin_sub_overflow(a, b, diff)) {
		*diff = b < 0 ? INT64_MAX : INT64_MIN;
		return -1;
	}
	return 0;
}

int
pxr_money_parse_minor(const char *s, size_t n, int64_t *out,
    struct pxr_error *err)
{
	size_t i = 0;
	int64_t v = 0;
	int neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		goto bad;
	for (; i < n; i++) {
		int dgt;

		if (s[i] < '0' || s[i] > '9')
			goto bad;
		dgt = s[i] - '0';
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, neg ? -dgt : dgt, &v))
			return pxr_error_set(err, PXR_EXIT_DATAERR, "amount out "
			    "of range: \"%.*s\"", (int)(n > 40 ? 40 : n), s);
	}
	*out = v;
	return 0;
bad:
	return pxr_error_set(err, PXR_EXIT_DATAERR, "not a whole number of "
	    "minor units: \"%.*s\"", (int)(n > 40 ? 40 : n), s);
}

void
pxr_percent_format(struct pxr_buf *b, int64_t bp)
{
	if (bp % 100 == 0)
		pxr_buf_printf(b, "%lld", (long long)(bp / 100));
	else if (bp % 10 == 0)
		pxr_buf_printf(b, "%lld.%lld", (long long)(bp / 100),
		    (long long)(bp % 100 / 10));
	else
		pxr_buf_printf(b, "%lld.%02lld", (long long)(bp / 100),
		    (long long)(bp % 100));
}
