/*
 * compensate_held.c: the incidents of compensations pending approval,
 * kept in held.csv beside the ledger, so that an approved compensation
 * is issued and told by the next run even when that run's input no
 * longer has its incident (the export moved on).  compensate_int.h.
 *
 * A row is the time it was held, the incident id, the customer id and
 * the incident's record as a JSON object (every field the stage was
 * given, as the input had it: the addresses the message needs).  It is
 * written and fsynced before the ledger row that makes the compensation
 * pending, so that no pending row is ever without its incident.  The
 * ledger says what becomes of it: a run hands on (once) each held
 * incident whose compensation is approved and was not issued (a row of
 * state released says when), and for two days after that passes it on
 * again as a duplicate, in case the run died before the customer was
 * told (the sent log tells it once); rejected, reversed or erased ones
 * are left.  pxr-ledger forget takes the record
 * of an erased customer out, like any other state file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "compensate_int.h"
#include "rules.h"
#include "time.h"

const char *const pxr_held_cols[] = { "held_at", "incident_id",
	"customer_id", "record", "state", NULL };

/*
 * How long after a run handed a held incident on (issued it) later runs
 * pass it on again, as a duplicate, in case that run died before the
 * stages after it told the customer (the sent log keeps it told once).
 */
#define RETELL	(2 * 86400 * (int64_t)1000000)

/* A held incident: its record (text in K->mem). */
struct held {
	const char *rec;
	int64_t	 released;	/* when a run handed it on, or 0 */
	int	 done;		/* handed on by this run */
};

/* A row of held.csv read: the last one of an incident id wins. */
static int
held_row(void *ctx, char **f, size_t *lens, long line)
{
	struct comp *K = ctx;
	struct held *h;
	void **slot;

	(void)line;
	if (lens[PXR_HD_ID] == 0)
		return 0;
	if (strcmp(f[PXR_HD_STATE], "released") == 0) {
		struct pxr_error e;
		int64_t t;

		if ((h = pxr_hmap_get(&K->held, f[PXR_HD_ID],
		    lens[PXR_HD_ID])) != NULL && pxr_time_parse(f[PXR_HD_AT],
		    lens[PXR_HD_AT], NULL, &t, NULL, &e) == 0 &&
		    t > h->released)
			h->released = t;
		return 0;
	}
	if (lens[PXR_HD_RECORD] == 0)
		return 0;	/* erased (pxr-ledger forget) */
	slot = pxr_hmap_put(&K->held, f[PXR_HD_ID], lens[PXR_HD_ID], NULL);
	if (*slot == NULL)
		*slot = memset(pxr_arena_alloc(&K->mem, sizeof(struct held)), 0,
		    sizeof(struct held));
	h = *slot;
	h->rec = pxr_arena_strndup(&K->mem, f[PXR_HD_RECORD],
	    lens[PXR_HD_RECORD]);
	return 0;
}

/* Read the rows other runs added, under the file's lock. */
static int
held_refresh(struct comp *K, struct pxr_error *err)
{
	size_t torn;
	int rc;

	if (K->heldst == NULL)
		return 0;
	if (pxr_state_lock(K->heldst, K->lock_ms, err) < 0)
		return -1;
	rc = pxr_state_refresh(K->heldst, held_row, K, &torn, err);
	pxr_state_unlock(K->heldst);
	return rc;
}

/* Open held.csv (creating it when create), read what it holds. */
static int
held_open(struct comp *K, int create, struct pxr_error *err)
{
	struct pxr_state_opts so = { 0 };

	if (K->heldst != NULL)
		return 0;
	if (!create && access(K->held_path, F_OK) < 0)
		return 0;
	so.readonly = K->dry;
	so.checked = 1;
	if ((K->heldst = pxr_state_open_opts(K->held_path, pxr_held_cols, &so,
	    err)) == NULL)
		return -1;
	return held_refresh(K, err);
}

int
pxr_comp_held_open(struct comp *K, struct pxr_error *err)
{
	const char *slash = strrchr(K->ledger, '/');
	struct pxr_buf b = { 0 };

	if (slash != NULL)
		pxr_buf_add(&b, K->ledger, (size_t)(slash - K->ledger) + 1);
	pxr_buf_adds(&b, "held.csv");
	K->held_path = pxr_strdup(b.p);
	pxr_buf_free(&b);
	return held_open(K, 0, err);
}

/* The record's fields (not the stage's own) as a JSON object; new. */
static char *
record_json(struct comp *K, const struct pxr_rec *rec)
{
	json_t *o = json_object(), *v;
	size_t i, k;
	char *s;

	for (i = 0; i < K->sch->norder; i++) {
		const struct pxr_val *x;

		k = K->sch->order[i];
		if (k >= K->f_kind && k <= K->f_status)
			continue;	/* comp_*: what this stage adds */
		x = pxr_rec_get(rec, k);
		if (PXR_ISNULL(x))
			continue;
		if (x->t == PXR_STR)
			v = json_stringn(x->s, x->n);
		else	/* [type, text]: a number keeps its exact text */
			v = json_pack("[is%]", x->t, x->s, x->n);
		if (v == NULL)	/* not UTF-8: kept as bytes cannot be */
			v = json_pack("[is]", -1, "");
		json_object_set_new(o, K->sch->names[k], v);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s != NULL ? s : pxr_strdup("{}");
}

int
pxr_comp_hold(struct comp *K, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const char *f[PXR_HD__N];
	struct held *h;
	char *js;
	void **slot;

	if (K->dry || K->held_path == NULL ||
	    pxr_hmap_get(&K->held, idv->s, idv->n) != NULL)
		return 0;
	if (held_open(K, 1, err) < 0)
		return -1;
	js = record_json(K, rec);
	f[PXR_HD_AT] = K->now_text;
	f[PXR_HD_ID] = idv->s;
	f[PXR_HD_CUST] = PXR_ISNULL(cv) ? "" : cv->s;
	f[PXR_HD_RECORD] = js;
	f[PXR_HD_STATE] = "held";
	pxr_state_add(K->heldst, f);
	slot = pxr_hmap_put(&K->held, idv->s, idv->n, NULL);
	h = *slot = memset(pxr_arena_alloc(&K->mem, sizeof(struct held)), 0,
	    sizeof(struct held));
	h->rec = pxr_arena_strndup(&K->mem, js, strlen(js));
	free(js);
	return 0;
}

void
pxr_comp_held_released(struct comp *K, const struct pxr_rec *rec)
{
	const struct pxr_val *idv = pxr_rec_get(rec, K->f_id);
	const struct pxr_val *cv = pxr_rec_get(rec, K->f_cust);
	const char *f[PXR_HD__N];
	struct held *h;

	if (K->dry || K->heldst == NULL ||
	    (h = pxr_hmap_get(&K->held, idv->s, idv->n)) == NULL ||
	    h->released == K->now)
		return;
	f[PXR_HD_AT] = K->now_text;
	f[PXR_HD_ID] = idv->s;
	f[PXR_HD_CUST] = PXR_ISNULL(cv) ? "" : cv->s;
	f[PXR_HD_RECORD] = "";
	f[PXR_HD_STATE] = "released";
	pxr_state_add(K->heldst, f);
	h->released = K->now;
}

int
pxr_comp_held_commit(struct comp *K, struct pxr_error *err)
{
	size_t torn;
	int rc;

	if (K->heldst == NULL || pxr_state_pending(K->heldst) == 0)
		return 0;
	if (pxr_state_lock(K->heldst, K->lock_ms, err) < 0)
		return -1;
	rc = pxr_state_refresh(K->heldst, held_row, K, &torn, err);
	if (rc == 0)
		rc = pxr_state_commit(K->heldst, err);
	pxr_state_unlock(K->heldst);
	return rc;
}

void
pxr_comp_held_discard(struct comp *K)
{
	if (K->heldst != NULL)
		pxr_state_discard(K->heldst);
}

/* Set field name of rec from a held value v. */
static void
set_field(struct comp *K, struct pxr_rec *rec, const char *name, json_t *v)
{
	size_t k = pxr_schema_find(K->sch, name, strlen(name));

	if (k == PXR_NOFIELD || !K->sch->visible[k] ||
	    (k >= K->f_kind && k <= K->f_status))
		return;		/* a field this run's input does not have */
	if (json_is_string(v))
		pxr_rec_set(rec, k, PXR_STR, json_string_value(v),
		    json_string_length(v));
	else if (json_is_array(v) && json_array_size(v) == 2 &&
	    json_integer_value(json_array_get(v, 0)) > PXR_NULL &&
	    json_is_string(json_array_get(v, 1)))
		pxr_rec_set(rec, k, (int)json_integer_value(json_array_get(v,
		    0)), json_string_value(json_array_get(v, 1)),
		    json_string_length(json_array_get(v, 1)));
}

/*
 * rec from a held record: the fields this run's input has; 0 when it is
 * not of this rule file's rules (another play's) or does not parse.
 */
static int
held_to_rec(struct comp *K, const char *text, struct pxr_rec *rec)
{
	json_t *o = json_loads(text, JSON_DECODE_ANY, NULL), *v;
	const struct pxr_val *rv;
	const char *name;
	char *rule;
	int ok;

	pxr_rec_clear(rec);
	pxr_rec_fit(rec);
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	json_object_foreach(o, name, v)
		set_field(K, rec, name, v);
	json_decref(o);
	rv = pxr_rec_get(rec, K->f_rule);
	if (PXR_ISNULL(rv))
		return 0;
	rule = pxr_strndup(rv->s, rv->n);
	ok = pxr_rules_find(K->R, rule) != NULL;
	free(rule);
	return ok;
}

int
pxr_comp_held_next(struct comp *K, size_t *it, struct pxr_rec *rec,
    struct pxr_error *err)
{
	const struct pxr_hent *he;
	const struct pxr_val *idv;
	struct held *h;
	struct entry *e;

	if (*it == 0 && held_refresh(K, err) < 0)
		return -1;
	while (pxr_hmap_next(&K->held, it, &he)) {
		h = he->val;
		if (h->done || (e = pxr_comp_find_entry(K, he->key,
		    he->klen)) == NULL)
			continue;
		/* Approved; or handed on lately, maybe not told. */
		if (e->state != PXR_LG_APPROVED && !(e->state ==
		    PXR_LG_ISSUED && h->released > 0 && h->released >=
		    K->now - RETELL && h->released <= K->now))
			continue;
		h->done = 1;
		if (!held_to_rec(K, h->rec, rec))
			continue;
		idv = pxr_rec_get(rec, K->f_id);
		if (PXR_ISNULL(idv) || idv->n != he->klen ||
		    memcmp(idv->s, he->key, idv->n) != 0)
			continue;	/* this input names its ids otherwise */
		return 1;
	}
	return 0;
}
