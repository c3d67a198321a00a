/* tmpl_fuzz.c: parse a template (as e-mail and SMS) and render it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tmpl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char *names[] = { "name", "amount", "at", "code" };
	static const char *vals[] = { "\xc5\x81ukasz\r\nBcc: x", "3050",
	    "2026-11-21T23:30:00Z", "K7QX9-3MH2P" };
	char path[64];
	int fd = fuzz_file(data, n, path, sizeof(path)), email;

	if (fd < 0)
		abort();
	for (email = 0; email < 2; email++) {
		struct pxr_schema *sch = pxr_schema_new();
		struct pxr_buf subj = { 0 }, body = { 0 };
		struct pxr_error e;
		struct pxr_tmpl *t = pxr_tmpl_load(path, email, &e);
		struct pxr_render r = { 0 };	/* every field not set below: none */
		struct pxr_rec rec;
		size_t i;
		int ucs2;

		for (i = 0; i < 4; i++)
			pxr_schema_add(sch, names[i], strlen(names[i]));
		if (t != NULL) {
			pxr_tmpl_bind(t, sch);
			pxr_rec_init(&rec, sch);
			for (i = 0; i < 4; i++)
				pxr_rec_set(&rec, i, PXR_STR, vals[i],
				    strlen(vals[i]));
			r.rec = &rec;
			r.locale = email ? "pl" : "sv";
			r.tz = pxr_tz_utc();
			r.currency = "SEK";
			r.f_currency = PXR_NOFIELD;
			if (pxr_tmpl_render(t, &r, email ? &subj : NULL, &body,
			    &e) == 0)
				(void)pxr_sms_segments(body.p != NULL ? body.p :
				    "", body.len, &ucs2);
			pxr_rec_fini(&rec);
			pxr_tmpl_free(t);
		}
		pxr_buf_free(&subj);
		pxr_buf_free(&body);
		pxr_schema_free(sch);
		lseek(fd, 0, SEEK_SET);
	}
	close(fd);
	return 0;
}
