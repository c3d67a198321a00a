/* sidein_test.c: side inputs under each --on-error policy. */
#include <stdlib.h>
#include <unistd.h>

#include "mem.h"
#include "sidein.h"
#include "stagerun.h"
#include "unit.h"

static const char ragged[] =
"id,n\n"
"a,1\n"
"b\n"
"c,3\n";

struct said {
	int	 n;
	char	 last[512];
};

static void
say(void *arg, int level, const char *text)
{
	struct said *s = arg;

	(void)level;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%s", text);
}

/* Read path under onerr; the ids read, joined; *rc the last return. */
static char *
read_all(const char *path, int onerr, const char *qpath, struct said *sd,
    int *rc, uint64_t *nbad, struct pxr_error *e)
{
	struct pxr_sidein_opts o;
	struct pxr_quarantine *q = NULL;
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *s;
	struct pxr_rec rec;
	struct pxr_buf b = { 0 };

	memset(&o, 0, sizeof(o));
	o.onerr = onerr;
	o.qpath = qpath;
	o.q = &q;
	o.sayer.say = say;
	o.sayer.arg = sd;
	pxr_buf_adds(&b, "");
	if ((s = pxr_sidein_open(path, &o, sch, e)) == NULL) {
		*rc = -9;
		pxr_schema_free(sch);
		return b.p;
	}
	pxr_rec_init(&rec, sch);
	while ((*rc = pxr_sidein_next(s, &rec, e)) == 1) {
		const struct pxr_val *v = pxr_rec_get(&rec, 0);

		pxr_buf_add(&b, v->s, v->n);
	}
	*nbad = pxr_sidein_nbad(s);
	pxr_rec_fini(&rec);
	pxr_sidein_close(s);
	if (q != NULL)
		(void)pxr_quarantine_close(q, e);
	pxr_schema_free(sch);
	return b.p;
}

int
main(void)
{
	const char *p = stagerun_file(ragged, ".csv");
	char path[64], qpath[] = "/tmp/pxr-sidein-q-XXXXXX";
	struct said sd = { 0 };
	struct pxr_error e;
	uint64_t nbad = 0;
	char *got, buf[256];
	int rc, fd;
	FILE *fp;

	snprintf(path, sizeof(path), "%s", p);

	got = read_all(path, PXR_ONERR_FAIL, NULL, &sd, &rc, &nbad, &e);
	CHECK(rc == -1 && e.exit == PXR_EXIT_DATAERR, "fail: a bad record "
	    "stops with 65 (rc %d, exit %d)", rc, e.exit);
	CHECK(e.line == 3 && strcmp(e.file, path) == 0, "fail: the file and "
	    "line are named (%s:%ld)", e.file, e.line);
	CHECK_STR(got, "a", "fail: the records before it were read");
	CHECK(sd.n == 0, "fail: nothing said");
	free(got);

	memset(&sd, 0, sizeof(sd));
	got = read_all(path, PXR_ONERR_SKIP, NULL, &sd, &rc, &nbad, &e);
	CHECK(rc == 0 && nbad == 1, "skip: read to the end, one bad record");
	CHECK_STR(got, "ac", "skip: the good records");
	CHECK(sd.n == 1 && strstr(sd.last, ":3: ") != NULL &&
	    strstr(sd.last, "(skipped)") != NULL, "skip: said with its line: "
	    "%s", sd.last);
	free(got);

	if ((fd = mkstemp(qpath)) >= 0)
		close(fd);
	memset(&sd, 0, sizeof(sd));
	got = read_all(path, PXR_ONERR_QUARANTINE, qpath, &sd, &rc, &nbad,
	    &e);
	CHECK(rc == 0 && nbad == 1 && sd.n == 0, "quarantine: read to the "
	    "end, one bad record, nothing said");
	CHECK_STR(got, "ac", "quarantine: the good records");
	free(got);
	memset(buf, 0, sizeof(buf));
	if ((fp = fopen(qpath, "r")) != NULL) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, fp);

		buf[n] = '\0';
		fclose(fp);
	}
	CHECK(strncmp(buf, "id,n,error\nb,", 13) == 0, "quarantine: the bad "
	    "row kept with its error: %s", buf);
	unlink(qpath);

	got = read_all("/nonexistent/side.csv", PXR_ONERR_SKIP, NULL, &sd,
	    &rc, &nbad, &e);
	CHECK(rc == -9 && e.exit == PXR_EXIT_NOINPUT, "a missing file: 66");
	free(got);
	unlink(path);
	UNIT_END();
}
