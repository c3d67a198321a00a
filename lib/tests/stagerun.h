/*
 * stagerun.h: drive mappers in-process for the stage unit tests: CSV text
 * in, the chain's output as CSV text out, words collected.
 */
#ifndef PXR_STAGERUN_H
#define PXR_STAGERUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "rules.h"
#include "stage.h"
#include "stream.h"

struct stagerun {
	struct pxr_writer *w;
	FILE	*fp;
	char	*out;		/* the output, after stagerun_chain */
	size_t	 outlen;
	struct pxr_buf said;	/* every word, one per line */
	int	 nbad;		/* records a stage refused */
	struct pxr_error err;	/* the last refusal or the fatal error */
};

static int
stagerun_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	struct stagerun *r = arg;

	return pxr_writer_write(r->w, rec, err) < 0 ? -2 : 0;
}

static int
stagerun_check(void *arg, const struct pxr_rec *rec, struct pxr_error *err)
{
	struct stagerun *r = arg;

	return pxr_writer_check(r->w, rec, err);
}

static void
stagerun_say(void *arg, int level, const char *text)
{
	struct stagerun *r = arg;

	pxr_buf_printf(&r->said, "%d %s\n", level, text);
}

/*
 * Run csv through the n mappers; 0 when the stream went through (bad
 * records are counted in nbad), -1 on a fatal error (r->err).  r->out
 * holds the CSV output (free it with stagerun_free).
 */
static int
stagerun_chain(struct stagerun *r, struct pxr_mapper **m, size_t n,
    const char *csv)
{
	char path[] = "/tmp/pxr-stagerun-XXXXXX";
	struct pxr_emitter out = { stagerun_emit, r, stagerun_check };
	struct pxr_sayer say = { stagerun_say, r };
	struct pxr_reader_opts o = { 0 };
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_reader *rd;
	struct pxr_chain *ch;
	struct pxr_rec rec;
	int fd, rc, bound = 0, status = 0;

	memset(r, 0, sizeof(*r));
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (write(fd, csv, strlen(csv)) != (ssize_t)strlen(csv)) {
		close(fd);
		return -1;
	}
	close(fd);
	r->fp = open_memstream(&r->out, &r->outlen);
	r->w = pxr_writer_new(r->fp, PXR_FMT_CSV, 0);
	ch = pxr_chain_new(m, n, out, say);
	o.fmt = PXR_FMT_CSV;
	rd = pxr_reader_open(path, &o, sch, &r->err);
	pxr_rec_init(&rec, sch);
	while (rd != NULL && (rc = pxr_reader_next(rd, &rec, &r->err)) != 0) {
		if (rc == -2) {
			status = -1;
			break;
		}
		if (rc == -1) {
			r->nbad++;
			continue;
		}
		if (!bound++ && pxr_chain_bind(ch, sch, &r->err) < 0) {
			status = -1;
			break;
		}
		rc = pxr_chain_map(ch, &rec, &r->err);
		if (rc == -2) {
			status = -1;
			break;
		}
		if (rc == -1)
			r->nbad++;
	}
	if (rd == NULL)
		status = -1;
	if (status == 0 && !bound && pxr_chain_bind(ch, sch, &r->err) < 0)
		status = -1;
	if (status == 0 && pxr_chain_end(ch, &r->err) < 0)
		status = -1;
	(void)pxr_writer_flush(r->w, &r->err);
	pxr_writer_free(r->w);
	fclose(r->fp);
	pxr_rec_fini(&rec);
	pxr_reader_close(rd);
	pxr_chain_free(ch);
	pxr_schema_free(sch);
	unlink(path);
	return status;
}

static void
stagerun_free(struct stagerun *r)
{
	free(r->out);
	pxr_buf_free(&r->said);
}

/* Write text to a new temporary file; its path (static storage). */
static const char *
stagerun_file(const char *text, const char *suffix)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pxr-stagerun-XXXXXX%s", suffix);
	if ((fd = mkstemps(path, (int)strlen(suffix))) < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

/*
 * Run csv through the one mapper m (freed here); its CSV output (new),
 * bad records counted in *nbad and the words said in *said (new; each
 * may be NULL), a fatal error said.
 */
static inline char *
stagerun_said(struct pxr_mapper *m, const char *csv, int *nbad, char **said)
{
	struct stagerun r;
	char *out;

	if (stagerun_chain(&r, &m, 1, csv) < 0)
		printf("# fatal: %s\n", r.err.text);
	out = pxr_strdup(r.out != NULL ? r.out : "");
	if (nbad != NULL)
		*nbad = r.nbad;
	if (said != NULL)
		*said = pxr_strdup(r.said.p != NULL ? r.said.p : "");
	stagerun_free(&r);
	pxr_mapper_free(m);
	return out;
}

/* As stagerun_said, without the words. */
static inline char *
stagerun_one(struct pxr_mapper *m, const char *csv, int *nbad)
{
	return stagerun_said(m, csv, nbad, NULL);
}

/* The rules of a rule file's text (new), NULL with the first error said. */
static inline struct pxr_rules *
stagerun_rules(const char *text)
{
	struct pxr_diags d = { 0 };
	const char *path = stagerun_file(text, ".json");
	struct pxr_rules *R = pxr_rules_load(path, &d);

	if (R == NULL && d.n > 0)
		printf("# %s\n", d.v[0].msg);
	pxr_diags_free(&d);
	unlink(path);
	return R;
}

#endif
