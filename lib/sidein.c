/* sidein.c: side inputs read under the --on-error policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sidein.h"

struct pxr_sidein {
	struct pxr_sidein_opts o;
	struct pxr_reader *rd;
	uint64_t nbad;
};

struct pxr_sidein *
pxr_sidein_open(const char *path, const struct pxr_sidein_opts *o,
    struct pxr_schema *sch, struct pxr_error *err)
{
	struct pxr_sidein *s;
	struct pxr_reader *rd;

	if ((rd = pxr_reader_open(path, &o->ropts, sch, err)) == NULL)
		return NULL;
	s = pxr_calloc(1, sizeof(*s));
	s->o = *o;
	s->rd = rd;
	return s;
}

/* The bad record in err, per the policy: 0 go on, -1 stop. */
static int
bad(struct pxr_sidein *s, struct pxr_error *err)
{
	char buf[2048];

	s->nbad++;
	if (err->exit == 0)
		err->exit = PXR_EXIT_DATAERR;
	if (err->file[0] == '\0')
		pxr_error_at(err, pxr_reader_name(s->rd), err->line);
	switch (s->o.onerr) {
	case PXR_ONERR_SKIP:
		if (s->o.sayer.say != NULL) {
			char line[sizeof(buf) + 16];

			snprintf(line, sizeof(line), "%s (skipped)",
			    pxr_error_str(err, buf, sizeof(buf)));
			s->o.sayer.say(s->o.sayer.arg, PXR_SAY_WARN, line);
		}
		return 0;
	case PXR_ONERR_QUARANTINE:
		if (s->o.q != NULL && s->o.qpath != NULL) {
			pxr_error_str(err, buf, sizeof(buf));
			if (*s->o.q == NULL &&
			    (*s->o.q = pxr_quarantine_open(s->o.qpath,
			    err)) == NULL)
				return -1;
			if (pxr_quarantine_put(*s->o.q, s->rd, buf, err) < 0)
				return -1;
			return 0;
		}
		return -1;
	default:
		return -1;
	}
}

int
pxr_sidein_next(struct pxr_sidein *s, struct pxr_rec *rec,
    struct pxr_error *err)
{
	int rc;

	for (;;) {
		pxr_error_clear(err);
		rc = pxr_reader_next(s->rd, rec, err);
		if (rc == 0)
			return 0;
		if (rc == -2)
			return -1;
		if (rc == -1) {
			if (bad(s, err) < 0)
				return -1;
			continue;
		}
		pxr_rec_fit(rec);
		return 1;
	}
}

int
pxr_sidein_bad(struct pxr_sidein *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	if (err->file[0] == '\0')
		pxr_error_at(err, pxr_reader_name(s->rd), rec->line);
	return bad(s, err);
}

uint64_t
pxr_sidein_nbad(const struct pxr_sidein *s)
{
	return s->nbad;
}

const char *
pxr_sidein_name(const struct pxr_sidein *s)
{
	return pxr_reader_name(s->rd);
}

void
pxr_sidein_close(struct pxr_sidein *s)
{
	if (s == NULL)
		return;
	pxr_reader_close(s->rd);
	free(s);
}
