/* stream_fuzz.c: the CSV or JSON Lines reader (FUZZ_FMT) and writers. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stream.h"

#ifndef FUZZ_FMT
#define FUZZ_FMT PXR_FMT_CSV
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pxr_reader_opts o = { FUZZ_FMT, NULL, 4096, 0, 0 };
	struct pxr_schema *s = pxr_schema_new();
	struct pxr_reader *rd;
	struct pxr_writer *wc, *wj;
	struct pxr_error e;
	struct pxr_rec r;
	char path[64];
	FILE *null = fopen("/dev/null", "w");
	int fd = fuzz_file(data, n, path, sizeof(path)), rc, guard = 0;

	if (fd < 0 || null == NULL)
		abort();
	rd = pxr_reader_open(path, &o, s, &e);
	wc = pxr_writer_new(null, PXR_FMT_CSV, PXR_W_FORMULA_GUARD);
	wj = pxr_writer_new(null, PXR_FMT_JSONL, 0);
	pxr_rec_init(&r, s);
	while (rd != NULL && (rc = pxr_reader_next(rd, &r, &e)) != 0 &&
	    guard++ < 100000) {
		if (rc == -2)
			break;
		if (rc < 0) {
			size_t k;

			(void)pxr_reader_raw(rd, &k);
			continue;
		}
		pxr_rec_fit(&r);
		(void)pxr_writer_write(wc, &r, &e);
		(void)pxr_writer_write(wj, &r, &e);
	}
	pxr_writer_flush(wc, &e);
	pxr_writer_flush(wj, &e);
	pxr_writer_free(wc);
	pxr_writer_free(wj);
	pxr_rec_fini(&r);
	pxr_reader_close(rd);
	pxr_schema_free(s);
	fclose(null);
	close(fd);
	return 0;
}
