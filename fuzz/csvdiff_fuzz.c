/*
 * csvdiff_fuzz.c: the readers' own fast paths against the parsers of
 * record, on the same bytes: with FUZZ_FMT PXR_FMT_CSV (csvdiff) the CSV
 * line splitter (csv.c fast_line) against libcsv, with PXR_FMT_JSONL
 * (jsonldiff) the plain-object check (jsonl.c plain_object) against
 * jansson.  Two readers, one with the fast path and one with every line
 * through the library (nofast), must give the same records (names,
 * values, types, lines), the same raw text and the same refusals
 * (status, text, line), in the same order.  For CSV the first byte picks
 * the delimiter.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "streamint.h"

#ifndef FUZZ_FMT
#define FUZZ_FMT PXR_FMT_CSV
#endif

static void
same_rec(const struct pxr_rec *a, const struct pxr_rec *b)
{
	size_t i;

	if (a->line != b->line || a->sch->n != b->sch->n)
		abort();
	for (i = 0; i < a->sch->n; i++) {
		const struct pxr_val *x = pxr_rec_get(a, i);
		const struct pxr_val *y = pxr_rec_get(b, i);

		if (strcmp(a->sch->names[i], b->sch->names[i]) != 0 ||
		    x->t != y->t)
			abort();
		if (x->t == PXR_ABSENT)
			continue;	/* a JSON line without the field */
		if (x->n != y->n || memcmp(x->s, y->s, x->n) != 0 ||
		    x->s[x->n] != '\0')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const int delims[] = { 0, ',', ';', '\t', '|', ',', ',', ',' };
	struct pxr_reader_opts o = { FUZZ_FMT, NULL, 4096, 0, 0 };
	struct pxr_schema *sa, *sb;
	struct pxr_reader *ra, *rb;
	struct pxr_error ea, eb;
	struct pxr_rec a, b;
	char path[64];
	int fd, x, y, guard = 0;

	if (n == 0)
		return 0;
	if (FUZZ_FMT == PXR_FMT_CSV)
		o.delim = delims[data[0] & 7];
	if ((fd = fuzz_file(data + 1, n - 1, path, sizeof(path))) < 0)
		abort();
	sa = pxr_schema_new();
	sb = pxr_schema_new();
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	ra = pxr_reader_open(path, &o, sa, &ea);
	rb = pxr_reader_open(path, &o, sb, &eb);
	if ((ra == NULL) != (rb == NULL))
		abort();
	if (rb != NULL)
		rb->nofast = 1;
	pxr_rec_init(&a, sa);
	pxr_rec_init(&b, sb);
	while (ra != NULL && guard++ < 100000) {
		const char *pa, *pb;
		size_t na, nb;

		x = pxr_reader_next(ra, &a, &ea);
		y = pxr_reader_next(rb, &b, &eb);
		if (x != y)
			abort();
		pa = pxr_reader_raw(ra, &na);
		pb = pxr_reader_raw(rb, &nb);
		if (na != nb || memcmp(pa, pb, na) != 0)
			abort();
		if (x == 0 || x == -2) {
			if (x == -2 && (strcmp(ea.text, eb.text) != 0 ||
			    ea.line != eb.line))
				abort();
			break;
		}
		if (x < 0) {
			if (strcmp(ea.text, eb.text) != 0 ||
			    ea.line != eb.line || ea.exit != eb.exit)
				abort();
			continue;
		}
		same_rec(&a, &b);
	}
	pxr_rec_fini(&a);
	pxr_rec_fini(&b);
	pxr_reader_close(ra);
	pxr_reader_close(rb);
	pxr_schema_free(sa);
	pxr_schema_free(sb);
	close(fd);
	return 0;
}
