/* ledger_view.c: the state files checked and read together (ledger.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calllist.h"
#include "compensate.h"
#include "fan.h"
#include "hmap.h"
#include "ledger.h"
#include "mem.h"
#include "money.h"
#include "outbox.h"
#include "rules.h"
#include "sentlog.h"
#include "state.h"
#include "time.h"

const char *const pxr_ledger_export_cols[PXR_EX__N + 1] = {
	[PXR_EX_AT] = "exported_at",
	[PXR_EX_ID] = "incident_id",
	[PXR_EX_CUST] = "customer_id",
	[PXR_EX_TYPE] = "type",
	[PXR_EX_AMOUNT] = "amount_minor",
	[PXR_EX_CUR] = "currency",
	[PXR_EX_ISSUED] = "issued_at",
	[PXR_EX__N] = NULL
};

int
pxr_statefile_kind(const char *path, struct pxr_error *err)
{
	static const struct {
		const char *first;
		int	 kind;
	} kinds[] = {
		{ "issued_at,", PXR_SF_LEDGER },
		{ "sent_at,", PXR_SF_SENTLOG },
		{ "at,message_id,", PXR_SF_OUTBOX },
		{ "picked_on,", PXR_SF_FAN },
		{ "exported_at,", PXR_SF_EXPORTLOG },
		{ "listed_at,", PXR_SF_CALLLIST },
		{ "held_at,", PXR_SF_HELD },
		{ "redeemed_at,", PXR_SF_REDEEMED }
	};
	char line[64];
	size_t i;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		pxr_error_set(err, PXR_EXIT_NOINPUT, "%s", strerror(errno));
		return pxr_error_at(err, path, 0);
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(line, kinds[i].first, strlen(kinds[i].first)) == 0)
			return kinds[i].kind;
	pxr_error_set(err, PXR_EXIT_DATAERR, "not a state file of pxr: the "
	    "header is none of a ledger's, a sent log's, an outbox's, a fan "
	    "history's, an export log's, a call list's, held incidents' or redemptions'");
	return pxr_error_at(err, path, 1);
}

/* A compensation that counts, for the limits. */
struct counted {
	const struct pxr_lg_entry *e;
	int64_t	 at, amount;
};

static int
by_customer_time(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;
	int c = strcmp(x->e->f[PXR_LG_CUST], y->e->f[PXR_LG_CUST]);

	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * The ledger L against R's limits, in R's currency: no customer above
 * the cap within any period, no run above the budget.
 */
static int
limits(struct pxr_ledger *L, const struct pxr_rules *R,
    struct pxr_error *err)
{
	const struct pxr_lg_entry *const *v;
	struct counted *c;
	struct pxr_hmap runs;
	struct pxr_error e;
	size_t n, i, k = 0, lo = 0;
	int64_t sum = 0;
	int rc = 0;

	v = pxr_ledger_entries(L, &n);
	if (R->currency == NULL || (!R->has_cap && !R->has_budget))
		return 0;
	c = pxr_calloc(n + 1, sizeof(*c));
	for (i = 0; i < n; i++) {
		if (!pxr_ledger_counts(v[i]->state) ||
		    strcmp(v[i]->f[PXR_LG_CUR], R->currency) != 0 ||
		    pxr_time_parse(v[i]->f[PXR_LG_AT],
		    strlen(v[i]->f[PXR_LG_AT]), NULL, &c[k].at, NULL, &e) < 0 ||
		    pxr_money_parse_minor(v[i]->f[PXR_LG_AMOUNT],
		    strlen(v[i]->f[PXR_LG_AMOUNT]), &c[k].amount, &e) < 0)
			continue;
		c[k++].e = v[i];
	}
	pxr_hmap_init(&runs);
	for (i = 0; R->has_budget && i < k && rc == 0; i++) {
		const char *run = c[i].e->f[PXR_LG_RUN][0] != '\0' ?
		    c[i].e->f[PXR_LG_RUN] : c[i].e->f[PXR_LG_AT];
		void **slot = pxr_hmap_put(&runs, run, strlen(run), NULL);
		int64_t *t = *slot;

		if (t == NULL)
			*slot = t = pxr_calloc(1, sizeof(*t));
		(void)pxr_money_add(t, c[i].amount);
		if (*t > R->budget_minor) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "run %s paid %lld "
			    "%s, above limits.batch_budget_minor (%lld)", run,
			    (long long)*t, R->currency,
			    (long long)R->budget_minor);
			rc = pxr_error_at(err, pxr_ledger_path(L),
			    c[i].e->line);
		}
	}
	pxr_hmap_fini(&runs, free);
	qsort(c, k, sizeof(*c), by_customer_time);
	for (i = 0; R->has_cap && i < k && rc == 0; i++) {
		if (i > 0 && strcmp(c[i].e->f[PXR_LG_CUST],
		    c[i - 1].e->f[PXR_LG_CUST]) != 0) {
			lo = i;
			sum = 0;
		}
		for (; c[lo].at <= c[i].at - R->cap_period; lo++)
			(void)pxr_money_sub(sum, c[lo].amount, &sum);
		(void)pxr_money_add(&sum, c[i].amount);
		if (sum > R->cap_minor) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "customer %s was "
			    "paid %lld %s within limits.per_customer.period "
			    "up to incident %s, above its max_minor (%lld)",
			    c[i].e->f[PXR_LG_CUST], (long long)sum,
			    R->currency, c[i].e->f[PXR_LG_ID],
			    (long long)R->cap_minor);
			rc = pxr_error_at(err, pxr_ledger_path(L),
			    c[i].e->line);
		}
	}
	free(c);
	return rc;
}

static int
verify_ledger(const char *path, const struct pxr_rules *R, long lock_ms,
    size_t *nrows, struct pxr_error *err)
{
	struct pxr_ledger *L = pxr_ledger_open(path, 1, err);
	int rc;

	if (L == NULL)
		return -1;
	rc = pxr_ledger_load(L, lock_ms, 1, err);
	if (rc == 0 && R != NULL)
		rc = limits(L, R, err);
	if (rc == 0)
		(void)pxr_ledger_entries(L, nrows);
	pxr_ledger_close(L);
	return rc;
}

struct vctx {
	const char *path;
	struct pxr_hmap ids;
	size_t	 rows;
	int	 kind;
	struct pxr_error *err;
};

/* A row of a sent log, an outbox, a fan history or an export log. */
static int
vrow(void *ctx, char **f, size_t *lens, long line)
{
	struct vctx *c = ctx;
	void **slot;

	c->rows++;
	if (c->kind == PXR_SF_SENTLOG) {
		if (pxr_sentlog_state(f[PXR_SL_STATUS]) == PXR_SENT_NONE) {
			pxr_error_set(c->err, PXR_EXIT_DATAERR, "message %s: "
			    "status '%s' is none of attempt, sent, failed",
			    f[PXR_SL_MESSAGE_ID], f[PXR_SL_STATUS]);
			return pxr_error_at(c->err, c->path, line);
		}
		if (pxr_sentlog_state(f[PXR_SL_STATUS]) != PXR_SENT_SENT)
			return 0;
		slot = pxr_hmap_put(&c->ids, f[PXR_SL_MESSAGE_ID],
		    lens[PXR_SL_MESSAGE_ID], NULL);
		if (*slot != NULL) {
			pxr_error_set(c->err, PXR_EXIT_DATAERR, "message %s "
			    "was sent twice (first at line %ld)",
			    f[PXR_SL_MESSAGE_ID], (long)(intptr_t)*slot);
			return pxr_error_at(c->err, c->path, line);
		}
		*slot = (void *)(intptr_t)line;
	} else if (c->kind == PXR_SF_EXPORTLOG) {
		/* Each incident's credit, refund or reversal once. */
		struct pxr_buf k = { 0 };

		pxr_buf_add(&k, f[PXR_EX_ID], lens[PXR_EX_ID]);
		pxr_buf_addc(&k, '\0');
		pxr_buf_add(&k, f[PXR_EX_TYPE], lens[PXR_EX_TYPE]);
		slot = pxr_hmap_put(&c->ids, k.p, k.len, NULL);
		pxr_buf_free(&k);
		if (*slot != NULL) {
			pxr_error_set(c->err, PXR_EXIT_DATAERR, "incident %s: "
			    "its %s was exported twice (first at line %ld)",
			    f[PXR_EX_ID], f[PXR_EX_TYPE],
			    (long)(intptr_t)*slot);
			return pxr_error_at(c->err, c->path, line);
		}
		*slot = (void *)(intptr_t)line;
	}
	return 0;
}

int
pxr_statefile_verify(const char *path, const struct pxr_rules *R,
    long lock_ms, size_t *nrows, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };
	const char *const *cols;
	struct pxr_state *st;
	struct vctx c;
	struct stat sb;
	size_t torn;
	int kind, rc;

	*nrows = 0;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0)
		return 0;	/* made by a run that had nothing to write */
	if ((kind = pxr_statefile_kind(path, err)) < 0)
		return -1;
	if (kind == PXR_SF_LEDGER)
		return verify_ledger(path, R, lock_ms, nrows, err);
	o.readonly = 1;
	switch (kind) {
	case PXR_SF_SENTLOG:
		cols = pxr_sentlog_cols;
		break;
	case PXR_SF_OUTBOX:
		cols = pxr_outbox_cols;
		o.checked = 1;
		break;
	case PXR_SF_FAN:
		cols = pxr_fan_history_cols;
		break;
	case PXR_SF_CALLLIST:
		cols = pxr_calllist_cols;
		o.checked = 1;
		break;
	case PXR_SF_HELD:
		cols = pxr_held_cols;
		o.checked = 1;
		break;
	case PXR_SF_REDEEMED:
		cols = pxr_redeem_cols;
		o.checked = 1;
		break;
	default:
		cols = pxr_ledger_export_cols;
		o.checked = 1;
		break;
	}
	if ((st = pxr_state_open_opts(path, cols, &o, err)) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.kind = kind;
	c.err = err;
	pxr_hmap_init(&c.ids);
	rc = pxr_state_lock(st, lock_ms, err);
	/* A torn last row is no fault: the next writer cuts it off. */
	if (rc == 0)
		rc = pxr_state_refresh(st, vrow, &c, &torn, err);
	*nrows = c.rows;
	pxr_hmap_fini(&c.ids, NULL);
	pxr_state_close(st);
	return rc;
}

/* A message of the sent log or the outbox. */
struct msg {
	const char *incident;	/* the message id before its last ':' */
	const char *channel;	/* after it */
	enum pxr_sent_state sent;
	const char *ob;		/* the outbox's state, or NULL */
};

struct pxr_lg_told {
	struct pxr_hmap msgs;	/* message id -> struct msg */
	struct pxr_hmap inc;	/* incident -> NULL-ended struct msg ** */
	struct pxr_arena mem;
	struct pxr_buf out;
	int	 outbox;	/* reading the outbox */
};

static struct msg *
msg_of(struct pxr_lg_told *T, const char *id, size_t n)
{
	void **slot = pxr_hmap_put(&T->msgs, id, n, NULL);
	struct msg *m = *slot;
	const char *colon;
	struct msg ***list;
	size_t k;

	if (m != NULL)
		return m;
	m = *slot = pxr_arena_alloc(&T->mem, sizeof(*m));
	memset(m, 0, sizeof(*m));
	colon = memrchr(id, ':', n);
	if (colon == NULL)
		colon = id + n;
	m->incident = pxr_arena_strndup(&T->mem, id, (size_t)(colon - id));
	m->channel = pxr_arena_strndup(&T->mem, colon < id + n ? colon + 1 :
	    "", colon < id + n ? n - (size_t)(colon - id) - 1 : 0);
	list = (struct msg ***)pxr_hmap_put(&T->inc, m->incident,
	    strlen(m->incident), NULL);
	for (k = 0; *list != NULL && (*list)[k] != NULL; k++)
		continue;
	*list = pxr_reallocarray(*list, k + 2, sizeof(**list));
	(*list)[k] = m;
	(*list)[k + 1] = NULL;
	return m;
}

static int
told_row(void *ctx, char **f, size_t *lens, long line)
{
	struct pxr_lg_told *T = ctx;
	struct msg *m;
	enum pxr_sent_state s;

	(void)line;
	if (T->outbox) {
		m = msg_of(T, f[PXR_OB_MESSAGE_ID], lens[PXR_OB_MESSAGE_ID]);
		m->ob = pxr_arena_strndup(&T->mem, f[PXR_OB_STATE],
		    lens[PXR_OB_STATE]);
		return 0;
	}
	m = msg_of(T, f[PXR_SL_MESSAGE_ID], lens[PXR_SL_MESSAGE_ID]);
	s = pxr_sentlog_state(f[PXR_SL_STATUS]);
	if (m->sent != PXR_SENT_SENT && s != PXR_SENT_NONE)
		m->sent = s;
	return 0;
}

static int
told_read(struct pxr_lg_told *T, const char *path, const char *const *cols,
    int checked, long lock_ms, struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };
	struct pxr_state *st;
	size_t torn;
	int rc;

	if (path == NULL)
		return 0;
	o.readonly = 1;
	o.checked = checked;
	if ((st = pxr_state_open_opts(path, cols, &o, err)) == NULL)
		return -1;
	rc = pxr_state_lock(st, lock_ms, err);
	if (rc == 0)
		rc = pxr_state_refresh(st, told_row, T, &torn, err);
	pxr_state_close(st);
	return rc;
}

struct pxr_lg_told *
pxr_ledger_told_new(const char *sentlog, const char *outbox, long lock_ms,
    struct pxr_error *err)
{
	struct pxr_lg_told *T = pxr_calloc(1, sizeof(*T));

	pxr_hmap_init(&T->msgs);
	pxr_hmap_init(&T->inc);
	if (told_read(T, sentlog, pxr_sentlog_cols, 0, lock_ms, err) < 0 ||
	    ((T->outbox = 1) && told_read(T, outbox, pxr_outbox_cols, 1,
	    lock_ms, err) < 0)) {
		pxr_ledger_told_free(T);
		return NULL;
	}
	return T;
}

const char *
pxr_ledger_told(struct pxr_lg_told *T, const char *incident)
{
	struct msg **list = pxr_hmap_get(&T->inc, incident, strlen(incident));
	const char *what;
	size_t k;

	pxr_buf_reset(&T->out);
	pxr_buf_addc(&T->out, '\0');
	T->out.len = 0;
	for (k = 0; list != NULL && list[k] != NULL; k++) {
		const struct msg *m = list[k];

		/* Sent is final; then what the outbox keeps; then tries. */
		if (m->sent == PXR_SENT_SENT || m->ob == NULL ||
		    strcmp(m->ob, "done") == 0)
			what = m->sent != PXR_SENT_NONE ?
			    pxr_sentlog_status(m->sent) : "handed-over";
		else
			what = m->ob;
		if (k > 0)
			pxr_buf_adds(&T->out, ", ");
		pxr_buf_adds(&T->out, m->channel);
		pxr_buf_addc(&T->out, ' ');
		pxr_buf_adds(&T->out, what);
	}
	return T->out.p;
}

static void
free_list(void *p)
{
	free(p);
}

void
pxr_ledger_told_free(struct pxr_lg_told *T)
{
	if (T == NULL)
		return;
	pxr_hmap_fini(&T->msgs, NULL);
	pxr_hmap_fini(&T->inc, free_list);
	pxr_arena_free(&T->mem);
	pxr_buf_free(&T->out);
	free(T);
}

struct pxr_lg_export {
	struct pxr_state *st;
	struct pxr_hmap done;	/* incident \0 type -> (void *)1 */
};

/* The log's key of an incident's row of type. */
static void
export_key(struct pxr_buf *k, const char *id, size_t n, const char *type)
{
	pxr_buf_reset(k);
	pxr_buf_add(k, id, n);
	pxr_buf_addc(k, '\0');
	pxr_buf_adds(k, type);
}

static int
export_row(void *ctx, char **f, size_t *lens, long line)
{
	struct pxr_lg_export *X = ctx;
	struct pxr_buf k = { 0 };

	(void)line;
	export_key(&k, f[PXR_EX_ID], lens[PXR_EX_ID], f[PXR_EX_TYPE]);
	*pxr_hmap_put(&X->done, k.p, k.len, NULL) = (void *)1;
	pxr_buf_free(&k);
	return 0;
}

struct pxr_lg_export *
pxr_ledger_export_open(const char *path, long timeout_ms,
    struct pxr_error *err)
{
	struct pxr_state_opts o = { 0 };
	struct pxr_lg_export *X;
	size_t torn;

	o.checked = 1;
	X = pxr_calloc(1, sizeof(*X));
	pxr_hmap_init(&X->done);
	if ((X->st = pxr_state_open_opts(path, pxr_ledger_export_cols, &o,
	    err)) == NULL || pxr_state_lock(X->st, timeout_ms, err) < 0 ||
	    pxr_state_refresh(X->st, export_row, X, &torn, err) < 0) {
		pxr_ledger_export_close(X);
		return NULL;
	}
	return X;
}

/* Is e's row of type exported?  If not, mark it (queued). */
static int
exported(struct pxr_lg_export *X, const struct pxr_lg_entry *e,
    const char *type, struct pxr_buf *k)
{
	void **slot;

	export_key(k, e->f[PXR_LG_ID], strlen(e->f[PXR_LG_ID]), type);
	slot = pxr_hmap_put(&X->done, k->p, k->len, NULL);
	if (*slot != NULL)
		return 1;
	*slot = (void *)2;	/* queued now */
	return 0;
}

int
pxr_ledger_export_rows(struct pxr_lg_export *X, const struct pxr_ledger *L,
    const char *at, int (*fn)(void *, const char *const *), void *ctx)
{
	const struct pxr_lg_entry *const *v;
	struct pxr_buf k = { 0 }, neg = { 0 };
	const char *f[PXR_EX__N];
	size_t i, n;
	int rc = 0;

	v = pxr_ledger_entries(L, &n);
	for (i = 0; i < n && rc == 0; i++) {
		const struct pxr_lg_entry *e = v[i];
		const char *kind = e->f[PXR_LG_KIND], *type;

		if (strcmp(kind, "credit") != 0 && strcmp(kind, "refund") != 0)
			continue;
		if (strcmp(e->f[PXR_LG_AMOUNT], "0") == 0)
			continue;	/* nothing to bill */
		f[PXR_EX_AT] = at;
		f[PXR_EX_ID] = e->f[PXR_LG_ID];
		f[PXR_EX_CUST] = e->f[PXR_LG_CUST];
		f[PXR_EX_CUR] = e->f[PXR_LG_CUR];
		f[PXR_EX_ISSUED] = e->f[PXR_LG_AT];
		if (e->state == PXR_LG_ISSUED) {
			type = kind;
			f[PXR_EX_AMOUNT] = e->f[PXR_LG_AMOUNT];
		} else if (e->state == PXR_LG_REVERSED) {
			/* Only what the billing system was given is taken back. */
			export_key(&k, e->f[PXR_LG_ID], strlen(e->f[PXR_LG_ID]),
			    kind);
			if (pxr_hmap_get(&X->done, k.p, k.len) == NULL)
				continue;
			type = "reversal";
			pxr_buf_reset(&neg);
			pxr_buf_addc(&neg, '-');
			pxr_buf_adds(&neg, e->f[PXR_LG_AMOUNT]);
			f[PXR_EX_AMOUNT] = neg.p;
		} else
			continue;
		if (exported(X, e, type, &k))
			continue;
		f[PXR_EX_TYPE] = type;
		pxr_state_add(X->st, f);
		if (fn(ctx, f) < 0)
			rc = -1;
	}
	if (rc < 0)
		pxr_state_discard(X->st);
	pxr_buf_free(&k);
	pxr_buf_free(&neg);
	return rc;
}

int
pxr_ledger_export_commit(struct pxr_lg_export *X, struct pxr_error *err)
{
	return pxr_state_commit(X->st, err);
}

void
pxr_ledger_export_close(struct pxr_lg_export *X)
{
	if (X == NULL)
		return;
	pxr_state_close(X->st);
	pxr_hmap_fini(&X->done, NULL);
	free(X);
}
