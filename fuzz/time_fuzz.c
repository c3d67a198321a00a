/* time_fuzz.c: the time and duration parsers, and formatting back. */
#include <stdlib.h>

#include "money.h"
#include "time.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pxr_buf b = { 0 };
	struct pxr_error e;
	int64_t t, d;
	int dateonly;
	struct pxr_tz *z = pxr_tz_get("Europe/Stockholm");

	if (pxr_time_parse((const char *)data, n, z, &t, &dateonly, &e) == 0 &&
	    t > -(INT64_C(1) << 60) && t < (INT64_C(1) << 60)) {
		pxr_time_format(&b, t);
		pxr_time_format_tz(&b, t, z);
		pxr_date_format(&b, t, z);
	}
	if (pxr_dur_parse((const char *)data, n, &d, &e) == 0)
		pxr_dur_format(&b, d);
	if (pxr_money_parse_minor((const char *)data, n, &d, &e) == 0)
		(void)pxr_money_percent(d, 1250, 1, &t);
	pxr_buf_free(&b);
	return 0;
}
