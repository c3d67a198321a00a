/* ledger.c: the ledger's layout, lifecycle and model (see ledger.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "ledger.h"
#include "mem.h"
#include "state.h"

const char *const pxr_ledger_cols[PXR_LG__N + 1] = {
	[PXR_LG_AT] = "issued_at",
	[PXR_LG_ID] = "incident_id",
	[PXR_LG_CUST] = "customer_id",
	[PXR_LG_RULE] = "rule",
	[PXR_LG_TIER] = "tier",
	[PXR_LG_KIND] = "kind",
	[PXR_LG_AMOUNT] = "amount_minor",
	[PXR_LG_CUR] = "currency",
	[PXR_LG_CODE] = "code",
	[PXR_LG_VALID] = "valid_until",
	[PXR_LG_SUBJ] = "subject",
	[PXR_LG_RUN] = "run_id",
	[PXR_LG_RULES_SHA] = "rules_sha256",
	[PXR_LG_MEASURE] = "measure",
	[PXR_LG_UNIT] = "unit",
	[PXR_LG_STATE] = "state",
	[PXR_LG_REASON] = "reason",
	[PXR_LG__N] = NULL
};

static const char *const names[] = {
	[PXR_LG_NONE] = "",
	[PXR_LG_ISSUED] = "issued",
	[PXR_LG_PENDING] = "pending_approval",
	[PXR_LG_APPROVED] = "approved",
	[PXR_LG_REJECTED] = "rejected",
	[PXR_LG_REVERSED] = "reversed",
	[PXR_LG_OFFERED] = "offered",
	[PXR_LG_BADSTATE] = "?"
};

enum pxr_lg_state
pxr_ledger_state(const char *s)
{
	int i;

	if (*s == '\0')
		return PXR_LG_ISSUED;
	for (i = PXR_LG_ISSUED; i < PXR_LG_BADSTATE; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum pxr_lg_state)i;
	return PXR_LG_BADSTATE;
}

const char *
pxr_ledger_state_name(enum pxr_lg_state s)
{
	return names[s];
}

enum pxr_lg_state
pxr_ledger_next(enum pxr_lg_state cur, enum pxr_lg_state row)
{
	switch (row) {
	case PXR_LG_ISSUED:
		return cur == PXR_LG_NONE || cur == PXR_LG_APPROVED ||
		    cur == PXR_LG_OFFERED ? PXR_LG_ISSUED : PXR_LG_NONE;
	case PXR_LG_PENDING:
	case PXR_LG_OFFERED:
		return cur == PXR_LG_NONE ? row : PXR_LG_NONE;
	case PXR_LG_APPROVED:
	case PXR_LG_REJECTED:
		return cur == PXR_LG_PENDING ? row : PXR_LG_NONE;
	case PXR_LG_REVERSED:
		return cur == PXR_LG_ISSUED || cur == PXR_LG_APPROVED ?
		    PXR_LG_REVERSED : PXR_LG_NONE;
	default:
		return PXR_LG_NONE;
	}
}

int
pxr_ledger_counts(enum pxr_lg_state s)
{
	return s == PXR_LG_ISSUED || s == PXR_LG_PENDING ||
	    s == PXR_LG_APPROVED;
}

struct pxr_ledger {
	struct pxr_state *st;
	int	 strict;
	struct pxr_hmap ids;		/* incident id -> struct pxr_lg_entry */
	struct pxr_lg_entry **v;
	size_t	 n;
	struct pxr_arena mem;
};

struct pxr_ledger *
pxr_ledger_open(const char *path, int readonly, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };
	struct pxr_ledger *L;
	struct pxr_state *st;

	o.readonly = readonly;
	o.checked = 1;
	o.nrequired = PXR_LG_NREQUIRED;
	if ((st = pxr_state_open_opts(path, pxr_ledger_cols, &o, err)) == NULL)
		return NULL;
	L = pxr_calloc(1, sizeof(*L));
	L->st = st;
	pxr_hmap_init(&L->ids);
	return L;
}

/* A fault of the row at line: -1 (strict) or 0 (the row left out). */
static int
fault(struct pxr_ledger *L, struct pxr_error *err, long line,
    const char *fmt, const char *id, const char *a, const char *b)
{
	if (!L->strict)
		return 0;
	pxr_error_set(err, PXR_EXIT_DATAERR, fmt, id, a, b);
	return pxr_error_at(err, pxr_state_path(L->st), line);
}

struct loadctx {
	struct pxr_ledger *L;
	struct pxr_error *err;
};

static int
row(void *ctx, char **f, size_t *lens, long line)
{
	struct loadctx *c = ctx;
	struct pxr_ledger *L = c->L;
	enum pxr_lg_state rs = pxr_ledger_state(f[PXR_LG_STATE]), next;
	struct pxr_lg_entry *e = pxr_hmap_get(&L->ids, f[PXR_LG_ID],
	    lens[PXR_LG_ID]);
	size_t i;
	char lb[32];

	if (rs == PXR_LG_BADSTATE)
		return fault(L, c->err, line, "incident %s: state '%s' is "
		    "none of issued, pending_approval, approved, rejected, "
		    "reversed, offered%s", f[PXR_LG_ID], f[PXR_LG_STATE], "");
	next = pxr_ledger_next(e != NULL ? e->state : PXR_LG_NONE, rs);
	if (next == PXR_LG_NONE) {
		if (e == NULL)
			return fault(L, c->err, line, "incident %s: a '%s' "
			    "row for a compensation the ledger does not "
			    "have%s", f[PXR_LG_ID], names[rs], "");
		if (e->state == PXR_LG_ISSUED && rs == PXR_LG_ISSUED) {
			snprintf(lb, sizeof(lb), "%ld", e->line);
			return fault(L, c->err, line, "incident %s is in the "
			    "ledger twice (first at line %s)%s", f[PXR_LG_ID],
			    lb, "");
		}
		return fault(L, c->err, line, "incident %s: a '%s' row for a "
		    "compensation that is %s", f[PXR_LG_ID], names[rs],
		    names[e->state]);
	}
	if (e == NULL) {
		e = pxr_arena_alloc(&L->mem, sizeof(*e));
		for (i = 0; i < PXR_LG__N; i++)
			e->f[i] = pxr_arena_strndup(&L->mem, f[i], lens[i]);
		e->line = line;
		*pxr_hmap_put(&L->ids, f[PXR_LG_ID], lens[PXR_LG_ID],
		    NULL) = e;
		L->v = pxr_reallocarray(L->v, L->n + 1, sizeof(*L->v));
		L->v[L->n++] = e;
		e->reason = e->f[PXR_LG_REASON];
		e->changed_at = e->f[PXR_LG_AT];
		e->run = e->f[PXR_LG_RUN];
	} else {
		e->reason = pxr_arena_strndup(&L->mem, f[PXR_LG_REASON],
		    lens[PXR_LG_REASON]);
		e->changed_at = pxr_arena_strndup(&L->mem, f[PXR_LG_AT],
		    lens[PXR_LG_AT]);
		e->run = pxr_arena_strndup(&L->mem, f[PXR_LG_RUN],
		    lens[PXR_LG_RUN]);
	}
	e->state = next;
	return 0;
}

int
pxr_ledger_load(struct pxr_ledger *L, long timeout_ms, int strict,
    struct pxr_error *err)
{
	struct loadctx c;
	size_t torn;

	if (pxr_state_lock(L->st, timeout_ms, err) < 0)
		return -1;
	L->strict = strict;
	c.L = L;
	c.err = err;
	if (pxr_state_refresh(L->st, row, &c, &torn, err) < 0) {
		pxr_state_unlock(L->st);
		return -1;
	}
	return 0;
}

void
pxr_ledger_unlock(struct pxr_ledger *L)
{
	pxr_state_unlock(L->st);
}

const struct pxr_lg_entry *
pxr_ledger_get(const struct pxr_ledger *L, const char *id)
{
	return pxr_hmap_get(&L->ids, id, strlen(id));
}

const struct pxr_lg_entry *const *
pxr_ledger_entries(const struct pxr_ledger *L, size_t *n)
{
	*n = L->n;
	return (const struct pxr_lg_entry *const *)L->v;
}

int
pxr_ledger_has(const struct pxr_ledger *L, enum pxr_lg_col col)
{
	return pxr_state_has(L->st, col);
}

int
pxr_ledger_change(struct pxr_ledger *L, const char *id,
    enum pxr_lg_state to, const char *reason, const char *at,
    const char *run, struct pxr_error *err)
{
	struct pxr_lg_entry *e = pxr_hmap_get(&L->ids, id, strlen(id));
	const char *f[PXR_LG__N];
	size_t i;

	if (e == NULL) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "incident %s is not in "
		    "the ledger", id);
		return pxr_error_at(err, pxr_state_path(L->st), 0);
	}
	if (e->state == to)
		return 1;
	if (pxr_ledger_next(e->state, to) == PXR_LG_NONE) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "incident %s: its "
		    "compensation is %s, it cannot be %s", id, names[e->state],
		    names[to]);
		return pxr_error_at(err, pxr_state_path(L->st), e->line);
	}
	if (!pxr_state_has(L->st, PXR_LG_STATE)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "this ledger was written "
		    "before approvals and reversals and has no 'state' column: "
		    "start a new ledger for the next night, or add the columns "
		    "of pxr-ledger(1) to its header");
		return pxr_error_at(err, pxr_state_path(L->st), 1);
	}
	for (i = 0; i < PXR_LG__N; i++)
		f[i] = e->f[i];
	f[PXR_LG_AT] = at;
	f[PXR_LG_RUN] = run != NULL ? run : "";
	f[PXR_LG_STATE] = names[to];
	f[PXR_LG_REASON] = reason != NULL ? reason : "";
	pxr_state_add(L->st, f);
	if (pxr_state_commit(L->st, err) < 0)
		return -1;
	/* Our own row, as a reader of the file would take it. */
	e->state = to;
	e->reason = pxr_arena_strndup(&L->mem, f[PXR_LG_REASON],
	    strlen(f[PXR_LG_REASON]));
	e->changed_at = pxr_arena_strndup(&L->mem, at, strlen(at));
	e->run = pxr_arena_strndup(&L->mem, f[PXR_LG_RUN],
	    strlen(f[PXR_LG_RUN]));
	return 0;
}

const char *
pxr_ledger_path(const struct pxr_ledger *L)
{
	return pxr_state_path(L->st);
}

void
pxr_ledger_close(struct pxr_ledger *L)
{
	if (L == NULL)
		return;
	pxr_state_close(L->st);
	pxr_hmap_fini(&L->ids, NULL);
	free(L->v);
	pxr_arena_free(&L->mem);
	free(L);
}
