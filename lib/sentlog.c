/* sentlog.c: the sent log (see sentlog.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentlog.h"
#include "state.h"

const char *const pxr_sentlog_cols[PXR_SL__N + 1] = {
	[PXR_SL_SENT_AT] = "sent_at",
	[PXR_SL_MESSAGE_ID] = "message_id",
	[PXR_SL_CUSTOMER_ID] = "customer_id",
	[PXR_SL_CHANNEL] = "channel",
	[PXR_SL_TO] = "to",
	[PXR_SL_STATUS] = "status",
	[PXR_SL__N] = NULL
};

static const char *const names[] = {
	[PXR_SENT_NONE] = "",
	[PXR_SENT_ATTEMPT] = "attempt",
	[PXR_SENT_SENT] = "sent",
	[PXR_SENT_FAILED] = "failed"
};

struct pxr_sentlog {
	struct pxr_state *st;
	struct pxr_hmap ids;	/* message id -> (void *)state */
};

enum pxr_sent_state
pxr_sentlog_state(const char *status)
{
	int i;

	for (i = PXR_SENT_ATTEMPT; i <= PXR_SENT_FAILED; i++)
		if (strcmp(status, names[i]) == 0)
			return (enum pxr_sent_state)i;
	return PXR_SENT_NONE;
}

const char *
pxr_sentlog_status(enum pxr_sent_state st)
{
	return names[st];
}

struct pxr_sentlog *
pxr_sentlog_open(const char *path, int readonly, struct pxr_error *err)
{
	struct pxr_sentlog *sl;
	struct pxr_state *st;

	if ((st = pxr_state_open(path, pxr_sentlog_cols, readonly, err)) ==
	    NULL)
		return NULL;
	sl = pxr_calloc(1, sizeof(*sl));
	sl->st = st;
	pxr_hmap_init(&sl->ids);
	return sl;
}

/* Fold a state into what is known of id: sent stays sent. */
static void
note(struct pxr_sentlog *sl, const char *id, size_t n, enum pxr_sent_state s)
{
	void **slot;

	if (s == PXR_SENT_NONE)
		return;
	slot = pxr_hmap_put(&sl->ids, id, n, NULL);
	if ((uintptr_t)*slot != PXR_SENT_SENT)
		*slot = (void *)(uintptr_t)s;
}

static int
row(void *ctx, char **f, size_t *l, long line)
{
	(void)line;
	note(ctx, f[PXR_SL_MESSAGE_ID], l[PXR_SL_MESSAGE_ID],
	    pxr_sentlog_state(f[PXR_SL_STATUS]));
	return 0;
}

int
pxr_sentlog_lock(struct pxr_sentlog *sl, long timeout_ms, size_t *torn,
    struct pxr_error *err)
{
	if (pxr_state_lock(sl->st, timeout_ms, err) < 0)
		return -1;
	if (pxr_state_refresh(sl->st, row, sl, torn, err) < 0) {
		pxr_state_unlock(sl->st);
		return -1;
	}
	return 0;
}

void
pxr_sentlog_unlock(struct pxr_sentlog *sl)
{
	pxr_state_unlock(sl->st);
}

enum pxr_sent_state
pxr_sentlog_get(const struct pxr_sentlog *sl, const char *id, size_t n)
{
	return (enum pxr_sent_state)(uintptr_t)pxr_hmap_get(&sl->ids, id, n);
}

int
pxr_sentlog_append(struct pxr_sentlog *sl, const char *const *fields,
    enum pxr_sent_state s, struct pxr_error *err)
{
	const char *f[PXR_SL__N];

	memcpy(f, fields, sizeof(f));
	f[PXR_SL_STATUS] = names[s];
	pxr_state_add(sl->st, f);
	/*
	 * An attempt (the claim) is durable before the hand-over; an
	 * outcome is synced by the next claim or at the end (pxr_sentlog_
	 * sync): lost in a crash, its message is unknown, never sent twice.
	 */
	if ((s == PXR_SENT_ATTEMPT ? pxr_state_commit(sl->st, err) :
	    pxr_state_commit_later(sl->st, err)) < 0)
		return -1;
	note(sl, f[PXR_SL_MESSAGE_ID], strlen(f[PXR_SL_MESSAGE_ID]), s);
	return 0;
}

int
pxr_sentlog_sync(struct pxr_sentlog *sl, struct pxr_error *err)
{
	return sl == NULL ? 0 : pxr_state_sync(sl->st, err);
}

size_t
pxr_sentlog_count(const struct pxr_sentlog *sl)
{
	return pxr_hmap_count(&sl->ids);
}

const char *
pxr_sentlog_path(const struct pxr_sentlog *sl)
{
	return pxr_state_path(sl->st);
}

void
pxr_sentlog_close(struct pxr_sentlog *sl)
{
	if (sl == NULL)
		return;
	pxr_state_close(sl->st);
	pxr_hmap_fini(&sl->ids, NULL);
	free(sl);
}
