/*
 * csvline_fuzz.c: pxr_csv_plain_line (csv.c), the libcsv-free split of a
 * plain line that the state files' reader (state.c) uses, against libcsv
 * on the same bytes.  Each line of the input goes to both, from a row's
 * start: where pxr_csv_plain_line takes a line, libcsv (CSV_STRICT, its
 * default space trimming when the first byte is odd) must make the same
 * field and row callbacks, with the same bytes, and accept every byte.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "fuzz.h"
#include "mem.h"
#include "stream.h"

struct calls {
	struct pxr_buf b;	/* "F<len>:<bytes>" a field, "R<c>" a row */
};

static void
field(void *s, size_t n, void *d)
{
	struct calls *c = d;

	pxr_buf_printf(&c->b, "F%zu:", n);
	if (n > 0)
		pxr_buf_add(&c->b, s, n);
}

static void
row(int t, void *d)
{
	struct calls *c = d;

	pxr_buf_printf(&c->b, "R%d", t);
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *p, *end, *nl;
	int spaces;

	if (n == 0)
		return 0;
	spaces = data[0] & 1;
	p = (const char *)data + 1;
	end = (const char *)data + n;
	for (; p < end; p = nl) {
		struct calls a = { { 0 } }, b = { { 0 } };
		struct csv_parser cp;
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl + 1 : end;
		len = (size_t)(nl - p);
		if (!pxr_csv_plain_line(p, len, spaces, field, row, &a))
			continue;
		csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI);
		if (!spaces)
			csv_set_space_func(&cp, no_space);
		if (csv_parse(&cp, p, len, field, row, &b) != len ||
		    csv_fini(&cp, field, row, &b) != 0)
			abort();
		if (a.b.len != b.b.len || (a.b.len > 0 &&
		    memcmp(a.b.p, b.b.p, a.b.len) != 0))
			abort();
		csv_free(&cp);
		pxr_buf_free(&a.b);
		pxr_buf_free(&b.b);
	}
	return 0;
}
