/* calllist.c: the call list of the phone channel (see calllist.h). */
#include <stdlib.h>
#include <string.h>

#include "calllist.h"
#include "hmap.h"
#include "mem.h"
#include "state.h"
#include "time.h"

const char *const pxr_calllist_cols[PXR_CL__N + 1] = {
	[PXR_CL_LISTED_AT] = "listed_at",
	[PXR_CL_PRIORITY] = "priority",
	[PXR_CL_CALL_FROM] = "call_from",
	[PXR_CL_CALL_TO] = "call_to",
	[PXR_CL_MESSAGE_ID] = "message_id",
	[PXR_CL_CUSTOMER_ID] = "customer_id",
	[PXR_CL_TO] = "to",
	[PXR_CL_LOCALE] = "locale",
	[PXR_CL_SCRIPT] = "script",
	[PXR_CL__N] = NULL
};

struct pxr_calllist {
	struct pxr_state *st;
	struct pxr_hmap ids;	/* message id -> char *[PXR_CL__N] */
};

struct pxr_calllist *
pxr_calllist_open(const char *path, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0, 1, 0 };
	struct pxr_calllist *cl;
	struct pxr_state *st;

	if ((st = pxr_state_open_opts(path, pxr_calllist_cols, &o,
	    err)) == NULL)
		return NULL;
	cl = pxr_calloc(1, sizeof(*cl));
	cl->st = st;
	pxr_hmap_init(&cl->ids);
	return cl;
}

static void
row_free(void *p)
{
	char **f = p;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < PXR_CL__N; i++)
		free(f[i]);
	free(f);
}

/* Keep a row: the first listing of a message id is the one. */
static void
take(struct pxr_calllist *cl, const char *const *f)
{
	void **slot = pxr_hmap_put(&cl->ids, f[PXR_CL_MESSAGE_ID],
	    strlen(f[PXR_CL_MESSAGE_ID]), NULL);
	char **v;
	size_t i;

	if (*slot != NULL)
		return;
	v = pxr_calloc(PXR_CL__N, sizeof(*v));
	for (i = 0; i < PXR_CL__N; i++)
		v[i] = pxr_strdup(f[i]);
	*slot = v;
}

static int
row(void *ctx, char **f, size_t *l, long line)
{
	(void)l;
	(void)line;
	if (f[PXR_CL_MESSAGE_ID][0] != '\0')
		take(ctx, (const char *const *)f);
	return 0;
}

int
pxr_calllist_lock(struct pxr_calllist *cl, long timeout_ms,
    struct pxr_error *err)
{
	size_t torn = 0;

	if (pxr_state_lock(cl->st, timeout_ms, err) < 0)
		return -1;
	if (pxr_state_refresh(cl->st, row, cl, &torn, err) < 0) {
		pxr_state_unlock(cl->st);
		return -1;
	}
	return 0;
}

void
pxr_calllist_unlock(struct pxr_calllist *cl)
{
	pxr_state_unlock(cl->st);
}

const char *const *
pxr_calllist_get(const struct pxr_calllist *cl, const char *id, size_t n)
{
	return pxr_hmap_get(&cl->ids, id, n);
}

int
pxr_calllist_put(struct pxr_calllist *cl, const char *const *fields,
    int64_t now, struct pxr_error *err)
{
	const char *f[PXR_CL__N];
	struct pxr_buf at = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < PXR_CL__N; i++)
		f[i] = fields[i] != NULL ? fields[i] : "";
	pxr_time_format(&at, now);
	f[PXR_CL_LISTED_AT] = at.p;
	pxr_state_add(cl->st, f);
	if ((rc = pxr_state_commit(cl->st, err)) == 0)
		take(cl, f);
	pxr_buf_free(&at);
	return rc < 0 ? -1 : 0;
}

const char *
pxr_calllist_path(const struct pxr_calllist *cl)
{
	return pxr_state_path(cl->st);
}

void
pxr_calllist_close(struct pxr_calllist *cl)
{
	if (cl == NULL)
		return;
	pxr_state_close(cl->st);
	pxr_hmap_fini(&cl->ids, row_free);
	free(cl);
}
