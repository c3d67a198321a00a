/*
 * ledger_redeem.c: redemptions of vouchers (pxr-ledger redeem), kept in
 * redeemed.csv beside the ledger: a checked state file, one row a code,
 * appended under its lock and fsynced (ledger.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "ledger.h"
#include "mem.h"
#include "money.h"
#include "state.h"
#include "time.h"

const char *const pxr_redeem_cols[PXR_RD__N + 1] = { "redeemed_at", "code",
	"incident_id", "customer_id", "order_amount_minor", "currency", NULL };

struct pxr_redeem {
	struct pxr_ledger *L;
	struct pxr_hmap codes;		/* code -> const struct pxr_lg_entry */
	struct pxr_hmap done;		/* code -> its redeemed_at (arena) */
	struct pxr_state *st;
	struct pxr_arena mem;
	struct pxr_buf b;
};

/* A row of redeemed.csv read: its code is redeemed. */
static int
done_row(void *ctx, char **f, size_t *lens, long line)
{
	struct pxr_redeem *X = ctx;
	void **slot;

	(void)line;
	slot = pxr_hmap_put(&X->done, f[PXR_RD_CODE], lens[PXR_RD_CODE],
	    NULL);
	if (*slot == NULL)
		*slot = pxr_arena_strndup(&X->mem, f[PXR_RD_AT],
		    lens[PXR_RD_AT]);
	return 0;
}

struct pxr_redeem *
pxr_redeem_open(const char *ledger, const char *path, long lock_ms,
    struct pxr_error *err)
{
	struct pxr_redeem *X = pxr_calloc(1, sizeof(*X));
	struct pxr_state_opts so = { 0 };
	const struct pxr_lg_entry *const *v;
	size_t i, n, torn;

	pxr_hmap_init(&X->codes);
	pxr_hmap_init(&X->done);
	if ((X->L = pxr_ledger_open(ledger, 1, err)) == NULL ||
	    pxr_ledger_load(X->L, lock_ms, 0, err) < 0) {
		pxr_redeem_close(X);
		return NULL;
	}
	pxr_ledger_unlock(X->L);
	v = pxr_ledger_entries(X->L, &n);
	for (i = 0; i < n; i++)
		if (v[i]->f[PXR_LG_CODE][0] != '\0')
			*pxr_hmap_put(&X->codes, v[i]->f[PXR_LG_CODE],
			    strlen(v[i]->f[PXR_LG_CODE]), NULL) = (void *)v[i];
	so.checked = 1;
	if ((X->st = pxr_state_open_opts(path, pxr_redeem_cols, &so,
	    err)) == NULL || pxr_state_lock(X->st, lock_ms, err) < 0 ||
	    pxr_state_refresh(X->st, done_row, X, &torn, err) < 0) {
		pxr_redeem_close(X);
		return NULL;
	}
	return X;
}

int
pxr_redeem_add(struct pxr_redeem *X, const char *code, int64_t at,
    const char *amount, const char **said, struct pxr_error *err)
{
	const struct pxr_lg_entry *e;
	const char *f[PXR_RD__N], *was, *issued;
	struct pxr_error e2;
	int64_t minor, t;

	*said = NULL;
	if ((was = pxr_hmap_get(&X->done, code, strlen(code))) != NULL) {
		*said = was;
		return 1;
	}
	if ((e = pxr_hmap_get(&X->codes, code, strlen(code))) == NULL)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "no compensation "
		    "in the ledger has the code %s", code);
	if (e->state != PXR_LG_ISSUED)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "code %s (incident "
		    "%s): its compensation is %s, not issued: nothing to "
		    "redeem", code, e->f[PXR_LG_ID],
		    pxr_ledger_state_name(e->state));
	/* Issued when accepted (an offer) or approved: the last row. */
	issued = e->changed_at != NULL && *e->changed_at != '\0' ?
	    e->changed_at : e->f[PXR_LG_AT];
	if (pxr_time_parse(issued, strlen(issued), NULL, &t, NULL, &e2) == 0 &&
	    at < t)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "code %s (incident "
		    "%s): redeemed before it was issued (%s)", code,
		    e->f[PXR_LG_ID], issued);
	if (e->f[PXR_LG_VALID][0] != '\0' && pxr_time_parse(e->f[PXR_LG_VALID],
	    strlen(e->f[PXR_LG_VALID]), NULL, &t, NULL, &e2) == 0 && at > t)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "code %s (incident "
		    "%s): redeemed after it expired (%s)", code,
		    e->f[PXR_LG_ID], e->f[PXR_LG_VALID]);
	if (amount == NULL || pxr_money_parse_minor(amount, strlen(amount),
	    &minor, &e2) < 0 || minor < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "code %s: "
		    "order_amount_minor '%s' is not a whole number of minor "
		    "units of %s", code, amount != NULL ? amount : "",
		    e->f[PXR_LG_CUR]);
	pxr_buf_reset(&X->b);
	pxr_time_format(&X->b, at);
	f[PXR_RD_AT] = X->b.p;
	f[PXR_RD_CODE] = code;
	f[PXR_RD_ID] = e->f[PXR_LG_ID];
	f[PXR_RD_CUST] = e->f[PXR_LG_CUST];
	f[PXR_RD_ORDER] = amount;
	f[PXR_RD_CUR] = e->f[PXR_LG_CUR];
	pxr_state_add(X->st, f);
	*pxr_hmap_put(&X->done, code, strlen(code), NULL) =
	    pxr_arena_strndup(&X->mem, X->b.p, X->b.len);
	return 0;
}

int
pxr_redeem_commit(struct pxr_redeem *X, struct pxr_error *err)
{
	return pxr_state_commit(X->st, err);
}

void
pxr_redeem_close(struct pxr_redeem *X)
{
	if (X == NULL)
		return;
	pxr_state_close(X->st);
	pxr_ledger_close(X->L);
	pxr_hmap_fini(&X->codes, NULL);
	pxr_hmap_fini(&X->done, NULL);
	pxr_arena_free(&X->mem);
	pxr_buf_free(&X->b);
	free(X);
}
