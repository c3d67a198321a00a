/* money_test.c: rounding, currencies, minor-unit parsing, state files. */
#include <stdlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "money.h"
#include "rules.h"
#include "state.h"
#include "unit.h"

static int64_t
pct(int64_t amount, int64_t bp, int mode)
{
	int64_t out = -999;

	if (pxr_money_percent(amount, bp, mode, &out) < 0)
		return -12345;
	return out;
}

static int nrows;

static int
count(void *ctx, char **f, size_t *l, long line)
{
	(void)ctx;
	(void)f;
	(void)l;
	(void)line;
	nrows++;
	return 0;
}

int
main(void)
{
	static const char *const cols[] = { "a", "b", NULL };
	struct pxr_error e;
	struct pxr_buf b = { 0 };
	struct pxr_state *st;
	struct stat sb;
	char path[] = "/tmp/pxr-state-XXXXXX";
	const char *row[2];
	int64_t v;
	size_t torn;
	int fd;

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
	pxr_percent_format(&b, 1250);
	pxr_buf_addc(&b, ' ');
	pxr_percent_format(&b, 3333);
	pxr_buf_addc(&b, ' ');
	pxr_percent_format(&b, 1000);
	CHECK_STR(b.p, "12.5 33.33 10", "percent text");
	pxr_buf_free(&b);

	/* State files: create 0600, append, torn tail cut, reread. */
	fd = mkstemp(path);
	close(fd);
	unlink(path);
	st = pxr_state_open(path, cols, 0, &e);
	CHECK(st != NULL, "state file created");
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
	CHECK(pxr_state_lock(st, 1000, &e) == 0, "locked");
	CHECK(pxr_state_refresh(st, count, NULL, &torn, &e) == 0 && nrows == 0,
	    "empty file reads as no rows");
	row[0] = "1";
	row[1] = "x,y";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit");
	pxr_state_unlock(st);
	pxr_state_close(st);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "2,\"torn", 7) == 7, "a torn row appended");
	close(fd);
	st = pxr_state_open(path, cols, 0, &e);
	nrows = 0;
	CHECK(pxr_state_lock(st, 1000, &e) == 0 &&
	    pxr_state_refresh(st, count, NULL, &torn, &e) == 0, "reread");
	CHECK(nrows == 1 && torn == 7, "one row, 7 torn bytes (%d, %zu)", nrows,
	    torn);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 12, "torn tail cut (%lld)",
	    (long long)sb.st_size);
	pxr_state_close(st);
	st = pxr_state_open(path, cols, 1, &e);
	CHECK(pxr_state_lock(st, 1000, &e) == 0, "shared lock read-only");
	pxr_state_close(st);
	unlink(path);
	UNIT_END();
}
