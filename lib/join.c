/* join.c: a record stream joined with a lookup file held in memory. */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "join.h"

/*
 * One row of the lookup file in one piece of the join's arena: where each
 * column's text starts (NUL-terminated, one after the other, its length
 * up to the next start), then each column's type (a byte), then the
 * texts; no struct pxr_val (24 bytes) a column, no malloc a row.
 */
struct lrow {
	struct lrow *next;	/* the next row with the same key */
	struct lrow *tail;	/* in the first row of a key: the last */
	uint32_t off[];		/* nlcols + 1 starts, from the row's text */
};

struct join {
	struct pxr_mapper *m;
	char	*file;
	char	*on;
	int	 left;
	int	 normalize;
	struct pxr_emitter unmatched;
	uint64_t nunmatched;

	struct pxr_schema *lsch;
	size_t	 lkey;		/* key index in the lookup schema */
	size_t	*lcols;		/* lookup schema indices we add */
	size_t	 nlcols;
	size_t	*outidx;	/* their index in the stream's schema */
	unsigned char *isnew;	/* not a field of the stream's own */
	struct pxr_hmap rows;	/* key -> first struct lrow */
	struct pxr_arena mem;	/* the struct lrow */
	size_t	 skey;		/* key index in the stream */
	struct pxr_buf nkey;	/* a normalised key */
};

/* The key as compared: itself, or normalised into J->nkey. */
static const char *
key_of(struct join *J, const char *s, size_t n, size_t *len)
{
	size_t i;

	if (!J->normalize) {
		*len = n;
		return s;
	}
	pxr_buf_reset(&J->nkey);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '\v' || c == '\f')
			continue;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			i++;	/* U+00A0, the spreadsheet's no-break space */
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		pxr_buf_addc(&J->nkey, c);
	}
	*len = J->nkey.len;
	return J->nkey.p != NULL ? J->nkey.p : "";
}

/* Keep one lookup row under its key: 0, or -1 (err) for a row over 4 GiB. */
static int
keep(struct join *J, const struct pxr_rec *rec, struct pxr_error *err)
{
	const struct pxr_val *kv = pxr_rec_get(rec, J->lkey);
	struct lrow *r, **first;
	size_t i, size, klen, text, at;
	const char *key;
	unsigned char *t;
	char *p;

	if (PXR_ISNULL(kv))
		return 0;
	size = sizeof(*r) + (J->nlcols + 1) * sizeof(r->off[0]) + J->nlcols;
	text = size;
	for (i = 0; i < J->nlcols; i++)
		size += pxr_rec_get(rec, J->lcols[i])->n + 1;
	if (size - text >= UINT32_MAX) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "a lookup row of 4 GiB "
		    "or more");
		return pxr_error_at(err, J->file, rec->line);
	}
	r = pxr_arena_alloc(&J->mem, size);
	r->next = NULL;
	r->tail = r;
	t = (unsigned char *)&r->off[J->nlcols + 1];
	p = (char *)r + text;
	for (i = 0, at = 0; i < J->nlcols; i++) {
		const struct pxr_val *v = pxr_rec_get(rec, J->lcols[i]);

		r->off[i] = (uint32_t)at;
		t[i] = (unsigned char)(v->t == PXR_ABSENT ? PXR_NULL : v->t);
		if (v->n > 0)
			memcpy(p + at, v->s, v->n);
		p[at + v->n] = '\0';
		at += v->n + 1;
	}
	r->off[J->nlcols] = (uint32_t)at;
	key = key_of(J, kv->s, kv->n, &klen);
	first = (struct lrow **)pxr_hmap_put(&J->rows, key, klen, NULL);
	if (*first == NULL)
		*first = r;
	else {
		(*first)->tail->next = r;
		(*first)->tail = r;
	}
	return 0;
}

/* The lookup file's columns are known: find the key, list the others. */
static int
columns(struct join *J, const char *fkey, long line, struct pxr_error *err)
{
	size_t i;

	J->lkey = pxr_schema_find(J->lsch, fkey, strlen(fkey));
	J->lcols = pxr_reallocarray(NULL, J->lsch->n + 1, sizeof(*J->lcols));
	for (i = 0; i < J->lsch->n; i++)
		if (i != J->lkey)
			J->lcols[J->nlcols++] = i;
	if (J->lkey == PXR_NOFIELD) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "no key field '%s'", fkey);
		return pxr_error_at(err, J->file, line);
	}
	return 0;
}

static int
load(struct join *J, const struct pxr_join_opts *o, struct pxr_error *err)
{
	const char *fkey = o->fkey != NULL ? o->fkey : o->on;
	struct pxr_reader *rd;
	struct pxr_rec rec;
	int rc, keyed = 0;

	J->lsch = pxr_schema_new();
	if ((rd = pxr_reader_open(o->file, &o->ropts, J->lsch, err)) == NULL)
		return -1;
	pxr_rec_init(&rec, J->lsch);
	while ((rc = pxr_reader_next(rd, &rec, err)) != 0) {
		if (rc < 0 || (!keyed && columns(J, fkey, rec.line, err) < 0))
			break;
		keyed = 1;
		pxr_rec_fit(&rec);
		if ((rc = keep(J, &rec, err)) < 0)
			break;
	}
	/* A header and no rows: the columns still join (to nothing). */
	if (rc == 0 && !keyed && J->lsch->n > 0)
		(void)columns(J, fkey, 0, NULL);
	pxr_rec_fini(&rec);
	pxr_reader_close(rd);
	return rc == 0 ? 0 : -1;
}

static int
join_bind(struct pxr_mapper *mp, struct pxr_schema *sch, struct pxr_error *err)
{
	struct join *J = mp->state;
	size_t i;

	(void)err;
	J->skey = pxr_schema_ref(sch, J->on, strlen(J->on));
	J->outidx = pxr_reallocarray(NULL, J->nlcols + 1, sizeof(*J->outidx));
	J->isnew = pxr_calloc(J->nlcols + 1, 1);
	for (i = 0; i < J->nlcols; i++) {
		const char *nm = J->lsch->names[J->lcols[i]];
		size_t k = pxr_schema_find(sch, nm, strlen(nm));

		J->isnew[i] = k == PXR_NOFIELD || !sch->visible[k];
		J->outidx[i] = pxr_schema_add(sch, nm, strlen(nm));
	}
	return 0;
}

static int
join_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct join *J = mp->state;
	const struct pxr_val *kv = pxr_rec_get(rec, J->skey);
	struct lrow *r = NULL;
	const char *key;
	size_t i, klen;
	int rc;

	if (!PXR_ISNULL(kv)) {
		key = key_of(J, kv->s, kv->n, &klen);
		r = pxr_hmap_get(&J->rows, key, klen);
	}
	if (r == NULL) {
		J->nunmatched++;
		if (mp->explain)
			pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: key "
			    "'%.*s': %s%s: %s", rec->file != NULL ? rec->file :
			    "-", rec->line, PXR_ISNULL(kv) ? 0 : (int)kv->n,
			    PXR_ISNULL(kv) ? "" : kv->s, PXR_ISNULL(kv) ?
			    "none" : "not in ", PXR_ISNULL(kv) ? "" : J->file,
			    J->left ? "kept, the file's columns empty (--left)" :
			    "dropped");
		if (J->unmatched.emit != NULL &&
		    (rc = J->unmatched.emit(J->unmatched.arg, rec, err)) < 0)
			return rc;
		if (!J->left)
			return 0;
		for (i = 0; i < J->nlcols; i++)
			if (J->isnew[i])
				pxr_rec_setnull(rec, J->outidx[i]);
		return pxr_mapper_emit(mp, rec, err);
	}
	if (mp->explain) {
		const struct lrow *x;
		size_t n = 0;

		for (x = r; x != NULL; x = x->next)
			n++;
		pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: key '%.*s': %zu "
		    "row%s of %s", rec->file != NULL ? rec->file : "-",
		    rec->line, (int)kv->n, kv->s, n, n == 1 ? "" : "s",
		    J->file);
	}
	for (; r != NULL; r = r->next) {
		const unsigned char *t = (unsigned char *)&r->off[J->nlcols + 1];
		const char *p = (const char *)(t + J->nlcols);

		for (i = 0; i < J->nlcols; i++)
			pxr_rec_setref(rec, J->outidx[i], t[i], p + r->off[i],
			    r->off[i + 1] - r->off[i] - 1);
		if ((rc = pxr_mapper_emit(mp, rec, err)) < 0)
			return rc;
	}
	return 0;
}

static int
join_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct join *J = mp->state;

	if (J->unmatched.emit != NULL &&
	    J->unmatched.emit(J->unmatched.arg, NULL, err) < 0)
		return -2;
	if (J->nunmatched > 0 && pxr_hmap_count(&J->rows) > 0)
		pxr_mapper_say(mp, PXR_SAY_WARN, "%llu stream row%s found no "
		    "match in %s", (unsigned long long)J->nunmatched,
		    J->nunmatched == 1 ? "" : "s", J->file);
	return 0;
}

static void
join_free(void *p)
{
	struct join *J = p;

	if (J == NULL)
		return;
	pxr_hmap_fini(&J->rows, NULL);
	pxr_arena_free(&J->mem);
	pxr_schema_free(J->lsch);
	free(J->lcols);
	free(J->outidx);
	free(J->isnew);
	free(J->file);
	free(J->on);
	pxr_buf_free(&J->nkey);
	free(J);
}

struct pxr_mapper *
pxr_join_new(const struct pxr_join_opts *o, struct pxr_error *err)
{
	struct join *J = pxr_calloc(1, sizeof(*J));

	J->file = pxr_strdup(o->file);
	J->on = pxr_strdup(o->on);
	J->left = o->left;
	J->normalize = o->normalize;
	J->unmatched = o->unmatched;
	pxr_hmap_init(&J->rows);
	if (load(J, o, err) < 0) {
		join_free(J);
		return NULL;
	}
	J->m = pxr_mapper_new("join", J, join_bind, join_map, join_end,
	    join_free);
	return J->m;
}
