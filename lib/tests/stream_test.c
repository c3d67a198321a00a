/* stream_test.c: CSV and JSON Lines readers and writers, in memory. */
#include <stdlib.h>
#include <unistd.h>

#include "stream.h"
#include "unit.h"

/* Read all of text as the given format, write it back as out format. */
static char *
roundtrip(const char *text, int infmt, int outfmt, int *nbad)
{
	char path[] = "/tmp/pxr-unit-XXXXXX";
	int fd = mkstemp(path);
	struct pxr_schema *s = pxr_schema_new();
	struct pxr_reader_opts o = { infmt, NULL, 0, 0, 0 };
	struct pxr_reader *rd;
	struct pxr_writer *w;
	struct pxr_error e;
	struct pxr_rec r;
	char *buf = NULL;
	size_t n = 0;
	FILE *mem;
	int rc;

	if (write(fd, text, strlen(text)) < 0)
		return NULL;
	close(fd);
	rd = pxr_reader_open(path, &o, s, &e);
	mem = open_memstream(&buf, &n);
	w = pxr_writer_new(mem, outfmt, 0);
	pxr_rec_init(&r, s);
	*nbad = 0;
	while ((rc = pxr_reader_next(rd, &r, &e)) != 0) {
		if (rc < 0) {
			(*nbad)++;
			if (rc == -2)
				break;
			continue;
		}
		pxr_rec_fit(&r);
		pxr_writer_write(w, &r, &e);
	}
	if (s->n > 0)
		pxr_writer_header(w, s, &e);
	pxr_writer_flush(w, &e);
	pxr_writer_free(w);
	fclose(mem);
	pxr_rec_fini(&r);
	pxr_reader_close(rd);
	pxr_schema_free(s);
	unlink(path);
	return buf;
}

/*
 * pxr_csv_field_d quotes a field of every length 0..70 exactly when one
 * of the delimiter, '"', LF or CR is at any position (the word-at-a-time
 * test has blocks and overlaps to get wrong); the quoted form doubles
 * each quote.  Returns the number of wrong answers.
 */
static int
quoting_sweep(void)
{
	static const char special[] = { ',', '"', '\n', '\r', ';' };
	struct pxr_buf b = { 0 };
	char f[80];
	size_t n, at, k;
	int wrong = 0;

	for (n = 0; n <= 70; n++)
		for (k = 0; k < sizeof(special); k++)
			for (at = 0; at <= n; at++) {
				int delim = k == 4 ? ';' : ',', want;

				memset(f, 'a', n);
				if (at < n)
					f[at] = special[k];
				/* ';' is data under ',' and special under ';'. */
				want = at < n;
				pxr_buf_reset(&b);
				pxr_csv_field_d(&b, f, n, delim);
				if ((b.len > 0 && b.p[0] == '"') != want ||
				    b.len != n + (want ? 2 +
				    (special[k] == '"') : 0))
					wrong++;
				if (k == 4) {
					/* And ';' under ',': never quoted. */
					pxr_buf_reset(&b);
					pxr_csv_field_d(&b, f, n, ',');
					if (b.len != n)
						wrong++;
				}
			}
	pxr_buf_free(&b);
	return wrong;
}

int
main(void)
{
	struct pxr_buf b = { 0 };
	char *out;
	int bad;

	out = roundtrip("a,b\n1,\"x,y\"\n", PXR_FMT_AUTO, PXR_FMT_JSONL, &bad);
	CHECK_STR(out, "{\"a\":\"1\",\"b\":\"x,y\"}\n", "CSV to JSON Lines");
	free(out);
	out = roundtrip("{\"n\":12345678901234567890,\"o\":{\"k\":[1,2]}}\n",
	    PXR_FMT_AUTO, PXR_FMT_CSV, &bad);
	CHECK_STR(out, "n,o\n12345678901234567890,\"{\"\"k\"\":[1,2]}\"\n",
	    "big numbers and nested members keep their text");
	free(out);
	out = roundtrip("a,b\r\n1,2\r\n", PXR_FMT_AUTO, PXR_FMT_CSV, &bad);
	CHECK_STR(out, "a,b\n1,2\n", "CRLF in, LF out");
	free(out);
	out = roundtrip("\xef\xbb\xbf" "a\n1\n", PXR_FMT_AUTO, PXR_FMT_JSONL,
	    &bad);
	CHECK_STR(out, "{\"a\":\"1\"}\n", "BOM skipped");
	free(out);
	out = roundtrip("a,b\n,\"\"\n", PXR_FMT_AUTO, PXR_FMT_JSONL, &bad);
	CHECK_STR(out, "{\"a\":null,\"b\":\"\"}\n",
	    "empty cell is null, quoted empty is empty text");
	free(out);
	out = roundtrip("a\n1\n2\n3", PXR_FMT_AUTO, PXR_FMT_CSV, &bad);
	CHECK_STR(out, "a\n1\n2\n3\n", "no final newline");
	free(out);
	out = roundtrip("{\"a\":1}\n\n  \n{\"a\":2,\"a\":3}\n{\"a\":\"\\u00e5\"}\n",
	    PXR_FMT_AUTO, PXR_FMT_JSONL, &bad);
	CHECK_STR(out, "{\"a\":1}\n{\"a\":\"\xc3\xa5\"}\n",
	    "blank lines skipped, duplicate keys refused, escapes decoded");
	CHECK(bad == 1, "one bad JSON line (%d)", bad);
	free(out);

	pxr_csv_field(&b, "plain", 5);
	pxr_buf_addc(&b, '|');
	pxr_csv_field(&b, "a\"b", 3);
	pxr_buf_addc(&b, '|');
	pxr_csv_field(&b, "l1\nl2", 5);
	CHECK_STR(b.p, "plain|\"a\"\"b\"|\"l1\nl2\"", "minimal quoting");
	pxr_buf_reset(&b);
	CHECK(pxr_json_string(&b, "\xff", 1) == -1, "invalid UTF-8 refused");
	CHECK(pxr_json_string(&b, "\x01\t\xc5\x82", 4) == 0 &&
	    strcmp(b.p, "\"\\u0001\\t\xc5\x82\"") == 0, "JSON escapes");
	CHECK(pxr_utf8_valid("\xed\xa0\x80", 3) == 0, "surrogates invalid");
	CHECK(pxr_utf8_valid("\xc0\xaf", 2) == 0, "overlong invalid");
	pxr_buf_reset(&b);
	CHECK(pxr_utf8_fix(&b, "a\xff" "b\xc3\xa5\xe2\x82", 7) == 3 &&
	    strcmp(b.p, "a\xef\xbf\xbd" "b\xc3\xa5\xef\xbf\xbd\xef\xbf\xbd") == 0,
	    "invalid UTF-8 bytes replaced one by one, valid kept");
	{
		char *x = NULL;
		size_t xn = 0, bad2;
		FILE *fp = open_memstream(&x, &xn);

		bad2 = pxr_xml_escape(fp, "<a&\"'>\t\n\r\x01\xef\xbf\xbe"
		    "\xef\xbf\xbf\xff\xc3\xa5");
		fclose(fp);
		CHECK(bad2 == 4, "four characters XML cannot carry (%zu)", bad2);
		CHECK_STR(x, "&lt;a&amp;&quot;&#39;&gt;&#9;&#10;&#13;"
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa5",
		    "XML escape: entities, references, U+FFFD");
		free(x);
	}
	pxr_buf_free(&b);
	CHECK(quoting_sweep() == 0, "a CSV field of 0 to 70 bytes is quoted "
	    "exactly when the delimiter, a quote, LF or CR is at any place");
	UNIT_END();
}
