/* outbox.c: the durable outbox (see outbox.h). */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "outbox.h"
#include "state.h"
#include "time.h"

const char *const pxr_outbox_cols[PXR_OB__N + 1] = {
	[PXR_OB_AT] = "at",
	[PXR_OB_MESSAGE_ID] = "message_id",
	[PXR_OB_CUSTOMER_ID] = "customer_id",
	[PXR_OB_CHANNEL] = "channel",
	[PXR_OB_TO] = "to",
	[PXR_OB_SUBJECT] = "subject",
	[PXR_OB_BODY] = "body",
	[PXR_OB_SEND_AFTER] = "send_after",
	[PXR_OB_QUEUED_AT] = "queued_at",
	[PXR_OB_STATE] = "state",
	[PXR_OB_REASON] = "reason",
	[PXR_OB__N] = NULL
};

static const char *const names[] = {
	[PXR_OB_NONE] = "",
	[PXR_OB_QUEUED] = "queued",
	[PXR_OB_DONE] = "done",
	[PXR_OB_EXPIRED] = "expired"
};

struct pxr_outbox {
	struct pxr_state *st;
	struct pxr_hmap ids;	/* message id -> struct pxr_ob_msg */
	size_t	 nqueued;
	struct pxr_error rowerr;	/* a bad row met while reading */
};

static enum pxr_ob_state
state_of(const char *s)
{
	int i;

	for (i = PXR_OB_QUEUED; i <= PXR_OB_EXPIRED; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum pxr_ob_state)i;
	return PXR_OB_NONE;
}

struct pxr_outbox *
pxr_outbox_open(const char *path, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0, 1, 0 };
	struct pxr_outbox *ob;
	struct pxr_state *st;

	if ((st = pxr_state_open_opts(path, pxr_outbox_cols, &o, err)) == NULL)
		return NULL;
	ob = pxr_calloc(1, sizeof(*ob));
	ob->st = st;
	pxr_hmap_init(&ob->ids);
	return ob;
}

static void
msg_free(void *p)
{
	struct pxr_ob_msg *m = p;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < PXR_OB__N; i++)
		free(m->f[i]);
	free(m);
}

/* Take a row as the message's state; -1 and err for a row that is bad. */
static int
take(struct pxr_outbox *ob, const char *const *f, long line,
    struct pxr_error *err)
{
	enum pxr_ob_state s = state_of(f[PXR_OB_STATE]);
	struct pxr_ob_msg *m;
	int64_t after = 0, queued = 0;
	struct pxr_error e;
	void **slot;
	size_t i;

	if (s == PXR_OB_NONE || f[PXR_OB_MESSAGE_ID][0] == '\0' ||
	    (s == PXR_OB_QUEUED && (pxr_time_parse(f[PXR_OB_SEND_AFTER],
	    strlen(f[PXR_OB_SEND_AFTER]), NULL, &after, NULL, &e) < 0 ||
	    pxr_time_parse(f[PXR_OB_QUEUED_AT], strlen(f[PXR_OB_QUEUED_AT]),
	    NULL, &queued, NULL, &e) < 0))) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "not an outbox row (state "
		    "'%.20s', message_id, send_after and queued_at needed)",
		    f[PXR_OB_STATE]);
		return pxr_error_at(err, pxr_state_path(ob->st), line);
	}
	slot = pxr_hmap_put(&ob->ids, f[PXR_OB_MESSAGE_ID],
	    strlen(f[PXR_OB_MESSAGE_ID]), NULL);
	if ((m = *slot) == NULL)
		m = *slot = pxr_calloc(1, sizeof(*m));
	else if (m->state == PXR_OB_DONE || m->state == PXR_OB_EXPIRED)
		return 0;	/* final: what follows changes nothing */
	if (m->state == PXR_OB_QUEUED)
		ob->nqueued--;
	/* Copy first: f may point into m's own fields (a new state of it). */
	for (i = 0; i < PXR_OB__N; i++) {
		char *v = pxr_strdup(f[i]);

		free(m->f[i]);
		m->f[i] = v;
	}
	m->state = s;
	m->send_after = after;
	m->queued_at = queued;
	if (s == PXR_OB_QUEUED)
		ob->nqueued++;
	return 0;
}

static int
row(void *ctx, char **f, size_t *l, long line)
{
	struct pxr_outbox *ob = ctx;

	(void)l;
	return take(ob, (const char *const *)f, line, &ob->rowerr);
}

int
pxr_outbox_lock(struct pxr_outbox *ob, long timeout_ms, struct pxr_error *err)
{
	size_t torn = 0;

	if (pxr_state_lock(ob->st, timeout_ms, err) < 0)
		return -1;
	pxr_error_clear(&ob->rowerr);
	if (pxr_state_refresh(ob->st, row, ob, &torn, err) < 0) {
		if (ob->rowerr.text[0] != '\0')
			*err = ob->rowerr;
		pxr_state_unlock(ob->st);
		return -1;
	}
	return 0;
}

void
pxr_outbox_unlock(struct pxr_outbox *ob)
{
	pxr_state_unlock(ob->st);
}

const struct pxr_ob_msg *
pxr_outbox_get(const struct pxr_outbox *ob, const char *id, size_t n)
{
	return pxr_hmap_get(&ob->ids, id, n);
}

int
pxr_outbox_put(struct pxr_outbox *ob, const char *const *fields,
    enum pxr_ob_state s, int64_t now, struct pxr_error *err)
{
	const char *f[PXR_OB__N];
	struct pxr_buf at = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < PXR_OB__N; i++)
		f[i] = fields[i] != NULL ? fields[i] : "";
	pxr_time_format(&at, now);
	f[PXR_OB_AT] = at.p;
	f[PXR_OB_STATE] = names[s];
	pxr_state_add(ob->st, f);
	rc = pxr_state_commit(ob->st, err);
	if (rc == 0)
		rc = take(ob, f, 0, err);
	pxr_buf_free(&at);
	return rc < 0 ? -1 : 0;
}

static int
by_after(const void *a, const void *b)
{
	const struct pxr_ob_msg *x = *(const struct pxr_ob_msg *const *)a;
	const struct pxr_ob_msg *y = *(const struct pxr_ob_msg *const *)b;

	if (x->send_after != y->send_after)
		return x->send_after < y->send_after ? -1 : 1;
	return strcmp(x->f[PXR_OB_MESSAGE_ID], y->f[PXR_OB_MESSAGE_ID]);
}

const struct pxr_ob_msg **
pxr_outbox_due(const struct pxr_outbox *ob, int64_t now, int64_t max_age,
    size_t *nexpired)
{
	const struct pxr_ob_msg **v, *m;
	const struct pxr_hent *e;
	size_t i = 0, n = 0, k, x = 0;

	v = pxr_calloc(ob->nqueued + 1, sizeof(*v));
	while (pxr_hmap_next(&ob->ids, &i, &e)) {
		m = e->val;
		if (m->state == PXR_OB_QUEUED && (m->send_after <= now ||
		    (max_age > 0 && now - m->queued_at > max_age)))
			v[n++] = m;
	}
	qsort(v, n, sizeof(*v), by_after);
	/* The expired first, each group in send_after order. */
	for (k = 0; k < n; k++)
		if (max_age > 0 && now - v[k]->queued_at > max_age) {
			const struct pxr_ob_msg *t = v[k];

			memmove(&v[x + 1], &v[x], (k - x) * sizeof(*v));
			v[x++] = t;
		}
	*nexpired = x;
	v[n] = NULL;
	return v;
}

size_t
pxr_outbox_queued(const struct pxr_outbox *ob)
{
	return ob->nqueued;
}

const char *
pxr_outbox_path(const struct pxr_outbox *ob)
{
	return pxr_state_path(ob->st);
}

void
pxr_outbox_close(struct pxr_outbox *ob)
{
	if (ob == NULL)
		return;
	pxr_state_close(ob->st);
	pxr_hmap_fini(&ob->ids, msg_free);
	free(ob);
}
