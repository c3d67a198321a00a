/* winstore.c: the window store of pxr-threshold (see winstore.h). */
#include <stdlib.h>

#include "state.h"
#include "winstore.h"

const char *const pxr_winstore_cols[PXR_WS__N + 1] = {
	[PXR_WS_KIND] = "kind",
	[PXR_WS_RULE] = "rule",
	[PXR_WS_BUCKET] = "bucket",
	[PXR_WS_ID] = "incident_id",
	[PXR_WS_AT] = "at",
	[PXR_WS_MEASURE] = "measure",
	[PXR_WS_CUSTOMER] = "customer_id",
	[PXR_WS_ZONE] = "zone",
	[PXR_WS_GROUP] = "group",
	[PXR_WS__N] = NULL
};

struct pxr_winstore {
	struct pxr_state *st;
	pxr_winstore_fn fn;
	void	*ctx;
};

struct pxr_winstore *
pxr_winstore_open(const char *path, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };
	struct pxr_winstore *ws;
	struct pxr_state *st;

	o.checked = 1;
	if ((st = pxr_state_open_opts(path, pxr_winstore_cols, &o, err)) ==
	    NULL)
		return NULL;
	ws = pxr_calloc(1, sizeof(*ws));
	ws->st = st;
	return ws;
}

static int
row(void *ctx, char **f, size_t *l, long line)
{
	struct pxr_winstore *ws = ctx;

	(void)l;
	return ws->fn(ws->ctx, f, line) != 0 ? -1 : 0;
}

int
pxr_winstore_lock(struct pxr_winstore *ws, long timeout_ms,
    pxr_winstore_fn fn, void *ctx, struct pxr_error *err)
{
	size_t torn = 0;

	if (pxr_state_lock(ws->st, timeout_ms, err) < 0)
		return -1;
	ws->fn = fn;
	ws->ctx = ctx;
	if (pxr_state_refresh(ws->st, row, ws, &torn, err) < 0) {
		pxr_state_unlock(ws->st);
		return -1;
	}
	return 0;
}

void
pxr_winstore_add(struct pxr_winstore *ws, const char *const *f)
{
	pxr_state_add(ws->st, f);
}

int
pxr_winstore_commit(struct pxr_winstore *ws, struct pxr_error *err)
{
	return pxr_state_commit(ws->st, err);
}

void
pxr_winstore_unlock(struct pxr_winstore *ws)
{
	pxr_state_unlock(ws->st);
}

void
pxr_winstore_close(struct pxr_winstore *ws)
{
	if (ws == NULL)
		return;
	pxr_state_close(ws->st);
	free(ws);
}
