/* money_test.c: rounding, currencies, minor-unit parsing. */
#include <stdlib.h>

#include "money.h"
#include "rules.h"
#include "unit.h"

static int64_t
pct(int64_t amount, int64_t bp, int mode)
{
	int64_t out = -999;

	if (pxr_money_percent(amount, bp, mode, &out) < 0)
		return -12345;
	return out;
}

int
main(void)
{
	struct pxr_error e;
	struct pxr_buf b = { 0 };
	int64_t v;

	CHECK(pct(1005, 1000, PXR_ROUND_HALF_UP) == 101, "10%% of 1005 half-up");
	CHECK(pct(1005, 1000, PXR_ROUND_HALF_EVEN) == 100, "half-even");
	CHECK(pct(1005, 1000, PXR_ROUND_DOWN) == 100, "down");
	CHECK(pct(1005, 1000, PXR_ROUND_UP) == 101, "up");
	CHECK(pct(1015, 1000, PXR_ROUND_HALF_EVEN) == 102, "half-even to even");
	CHECK(pct(999, 1250, PXR_ROUND_HALF_UP) == 125, "12.5%% of 999");
	CHECK(pct(999, 1250, PXR_ROUND_DOWN) == 124, "12.5%% of 999 down");
	CHECK(pct(-1005, 1000, PXR_ROUND_HALF_UP) == -101, "halves away from 0");
	CHECK(pct(INT64_MAX, 10000, PXR_ROUND_DOWN) == INT64_MAX,
	    "100%% of the largest amount");
	CHECK(pct(INT64_MAX, 20000, PXR_ROUND_DOWN) == -12345,
	    "200%% of it overflows");
	CHECK(pxr_currency_exponent("SEK") == 2, "SEK 2");
	CHECK(pxr_currency_exponent("JPY") == 0, "JPY 0");
	CHECK(pxr_currency_exponent("KWD") == 3, "KWD 3");
	CHECK(pxr_currency_exponent("XCG") == 2 &&
	    pxr_currency_exponent("UYU") == 2 &&
	    pxr_currency_exponent("VED") == 2 &&
	    pxr_currency_exponent("CHW") == 2, "XCG, UYU, VED, CHW 2");
	CHECK(pxr_currency_exponent("ANG") == -1 &&
	    pxr_currency_exponent("BGN") == -1,
	    "ANG (withdrawn 2025) and BGN (2026) unknown");
	CHECK(pxr_currency_exponent("XYZ") == -1, "XYZ unknown");
	CHECK(pxr_currency_exponent("sek") == -1, "codes are upper case");
	CHECK(pxr_money_parse_minor("12345", 5, &v, &e) == 0 && v == 12345,
	    "parse minor units");
	CHECK(pxr_money_parse_minor("12.345", 6, &v, &e) < 0, "12.345 refused");
	CHECK(pxr_money_parse_minor("9223372036854775807", 19, &v, &e) == 0 &&
	    v == INT64_MAX, "the largest amount");
	CHECK(pxr_money_parse_minor("9223372036854775808", 19, &v, &e) < 0,
	    "one more overflows");
	CHECK(pxr_money_parse_minor("-9223372036854775808", 20, &v, &e) == 0 &&
	    v == INT64_MIN, "the smallest");
	CHECK(pxr_money_parse_minor("", 0, &v, &e) < 0, "empty refused");
	v = INT64_MAX;
	CHECK(pxr_money_add(&v, INT64_MAX) < 0 && v == INT64_MAX,
	    "INT64_MAX + INT64_MAX: overflow, saturated, never negative");
	v = INT64_MIN;
	CHECK(pxr_money_add(&v, -1) < 0 && v == INT64_MIN, "saturated low");
	v = 40;
	CHECK(pxr_money_add(&v, 2) == 0 && v == 42, "40 + 2");
	CHECK(pxr_money_sub(500, INT64_MIN, &v) < 0 && v == INT64_MAX,
	    "500 - INT64_MIN saturates high");
	CHECK(pxr_money_sub(500, INT64_MAX, &v) == 0 && v == 500 - INT64_MAX,
	    "500 - INT64_MAX fits");
	pxr_percent_format(&b, 1250);
	pxr_buf_addc(&b, ' ');
	pxr_percent_format(&b, 3333);
	pxr_buf_addc(&b, ' ');
	pxr_percent_format(&b, 1000);
	CHECK_STR(b.p, "12.5 33.33 10", "percent text");
	pxr_buf_free(&b);

	UNIT_END();
}
