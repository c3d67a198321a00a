/* money.h: amounts in integer minor units; currencies; rounding. */
#ifndef PXR_MONEY_H
#define PXR_MONEY_H

#include <stdint.h>

#include "error.h"
#include "mem.h"

/* Decimal places of an ISO 4217 code (SEK 2, JPY 0, KWD 3), -1 unknown. */
int	 pxr_currency_exponent(const char *code);
/*
 * A withdrawn ISO 4217 code's successor ("ANG" -> "XCG", "BGN" -> "EUR")
 * and the year it went, or NULL for a code that was not withdrawn.
 * Static strings.
 */
const char *pxr_currency_successor(const char *code, int *year);

/*
 * pct_bp hundredths of a percent of amount (minor units), rounded by
 * mode (PXR_ROUND_*): exact integer arithmetic, never a double.
 * 0, or -1 on overflow.
 */
int	 pxr_money_percent(int64_t amount, int64_t pct_bp, int mode,
	    int64_t *out);
/*
 * Parse minor units from text: an optional '-', digits, nothing else.
 * 0, or -1 with err ("12.5" is not a whole number of minor units).
 */
int	 pxr_money_parse_minor(const char *, size_t, int64_t *,
	    struct pxr_error *);
/*
 * *sum += a, checked: 0, or -1 when the exact result is out of the
 * 64-bit range, and then *sum is left at INT64_MAX or INT64_MIN (a total
 * past every cap stays past it).
 */
int	 pxr_money_add(int64_t *sum, int64_t a);
/* *diff = a - b, checked and saturated as pxr_money_add. */
int	 pxr_money_sub(int64_t a, int64_t b, int64_t *diff);
/* Append hundredths of a percent as a number: 1000 -> "10", 1250 -> "12.5". */
void	 pxr_percent_format(struct pxr_buf *, int64_t bp);

#endif
