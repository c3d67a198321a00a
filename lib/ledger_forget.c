/* ledger_forget.c: erasure and retention in the state files (ledger.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calllist.h"
#include "compensate.h"
#include "fan.h"
#include "ledger.h"
#include "mem.h"
#include "outbox.h"
#include "pseudo.h"
#include "sentlog.h"
#include "state.h"
#include "time.h"

/* A kind of state file and where its personal data is. */
struct fkind {
	const char *name;		/* in the state folder */
	const char *const *cols;
	int	 checked;
	size_t	 nreq;
	int	 cust;			/* the customer id column */
	int	 to, subj, body;	/* contact and text columns, or -1 */
	int	 state, reason;		/* an outbox's, or -1 */
};

static const struct fkind kinds[] = {
	{ "ledger.csv", pxr_ledger_cols, 1, PXR_LG_NREQUIRED, PXR_LG_CUST,
	    -1, -1, -1, -1, -1 },
	{ "sent.csv", pxr_sentlog_cols, 0, 0, PXR_SL_CUSTOMER_ID, PXR_SL_TO,
	    -1, -1, -1, -1 },
	{ "outbox.csv", pxr_outbox_cols, 1, 0, PXR_OB_CUSTOMER_ID, PXR_OB_TO,
	    PXR_OB_SUBJECT, PXR_OB_BODY, PXR_OB_STATE, PXR_OB_REASON },
	{ "fan.csv", pxr_fan_history_cols, 0, 0, 1, -1, -1, -1, -1, -1 },
	{ "export.csv", pxr_ledger_export_cols, 1, 0, PXR_EX_CUST, -1, -1,
	    -1, -1, -1 },
	{ "calls.csv", pxr_calllist_cols, 1, 0, PXR_CL_CUSTOMER_ID, PXR_CL_TO,
	    -1, PXR_CL_SCRIPT, -1, -1 },
	{ "held.csv", pxr_held_cols, 1, 0, PXR_HD_CUST, -1, -1,
	    PXR_HD_RECORD, -1, -1 },
	{ "redeemed.csv", pxr_redeem_cols, 1, 0, PXR_RD_CUST, -1, -1, -1, -1,
	    -1 }
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct fg {
	const struct pxr_forget_opts *o;
	const struct fkind *k;
	struct pxr_pseudo *P;
	char	 pn[PXR_PSEUDO_LEN];
	char	**scrub;		/* contact details to take out */
	size_t	 nscrub;
	struct pxr_state *out;		/* the rewritten file, or NULL */
	struct pxr_hmap waiting;	/* outbox: message id -> 1 when its
					   last row is queued */
	size_t	 changed;
	struct pxr_buf a, b;
};

/* Note a contact detail of the customer (an address they were sent to). */
static void
add_scrub(struct fg *G, const char *s)
{
	const char *p;
	size_t i;

	/* "-" or "." is no contact detail, and would take every one out. */
	for (p = s; *p != '\0' && !isalnum((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return;
	for (i = 0; i < G->nscrub; i++)
		if (strcmp(G->scrub[i], s) == 0)
			return;
	G->scrub = pxr_reallocarray(G->scrub, G->nscrub + 1,
	    sizeof(*G->scrub));
	G->scrub[G->nscrub++] = pxr_strdup(s);
}

static int
is_customer(struct fg *G, const char *c)
{
	return *c != '\0' && G->o->customer != NULL &&
	    (strcmp(c, G->o->customer) == 0 ||
	    strcmp(c, G->pn) == 0);
}

/* First pass: the addresses the customer was written to. */
static int
collect(void *ctx, char **f, size_t *lens, long line)
{
	struct fg *G = ctx;

	(void)lens;
	(void)line;
	if (G->k->to >= 0 && is_customer(G, f[G->k->cust]))
		add_scrub(G, f[G->k->to]);
	if (G->k->state >= 0)
		*pxr_hmap_put(&G->waiting, f[PXR_OB_MESSAGE_ID],
		    lens[PXR_OB_MESSAGE_ID], NULL) = strcmp(f[G->k->state],
		    "queued") == 0 ? (void *)1 : NULL;
	return 0;
}

/*
 * Does the retention take this row's contact details: older than it (by
 * its first column), and not of a message the outbox still has to send?
 */
static int
expired(struct fg *G, char **f, size_t *lens)
{
	struct pxr_error e;
	int64_t t;

	/* Contact details: an address, or a text (held.csv's record). */
	if (!G->o->has_retain || (G->k->to < 0 && G->k->body < 0) ||
	    pxr_time_parse(f[0], lens[0], NULL, &t, NULL, &e) < 0 ||
	    t >= G->o->now - G->o->retain)
		return 0;
	return G->k->state < 0 || pxr_hmap_get(&G->waiting,
	    f[PXR_OB_MESSAGE_ID], lens[PXR_OB_MESSAGE_ID]) == NULL;
}

/*
 * Is column name a free text, where a contact detail may be written
 * (and not an id, a time, a state or an amount, which stay as they are)?
 */
static int
free_text(const char *name)
{
	static const char *const texts[] = { "to", "subject", "body",
	    "reason", "script", "record", "error" };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(name, texts[i]) == 0)
			return 1;
	return 0;
}

/*
 * text with the customer's id turned into their pseudonym, and, in a
 * free text, every contact detail taken out first; new copy.
 */
static char *
scrubbed(struct fg *G, const char *text, size_t n, int contacts)
{
	size_t i;

	pxr_buf_reset(&G->b);
	pxr_buf_add(&G->b, text, n);
	pxr_buf_addc(&G->b, '\0');
	G->b.len--;
	for (i = 0; contacts && i < G->nscrub; i++) {
		const char *s = G->scrub[i], *p, *hit;
		size_t sn = strlen(s);

		pxr_buf_reset(&G->a);
		pxr_buf_addc(&G->a, '\0');
		G->a.len = 0;
		for (p = G->b.p; (hit = strstr(p, s)) != NULL; p = hit + sn)
			pxr_buf_add(&G->a, p, (size_t)(hit - p));
		pxr_buf_adds(&G->a, p);
		pxr_buf_reset(&G->b);
		pxr_buf_add(&G->b, G->a.p, G->a.len);
		pxr_buf_addc(&G->b, '\0');
		G->b.len--;
	}
	pxr_buf_reset(&G->a);
	pxr_buf_add(&G->a, G->b.p, G->b.len);
	(void)pxr_pseudo_text(G->P, G->a.p, G->a.len, G->o->customer,
	    strlen(G->o->customer), &G->b);
	return pxr_strdup(G->b.p != NULL ? G->b.p : "");
}

/* Second pass: each row as it was, or without the customer. */
static int
rewrite(void *ctx, char **f, size_t *lens, long line)
{
	struct fg *G = ctx;
	const struct fkind *k = G->k;
	char *v[32];
	size_t i, n;
	int mine = is_customer(G, f[k->cust]), old = expired(G, f, lens);
	int diff = 0;

	(void)line;
	for (n = 0; k->cols[n] != NULL; n++)
		v[n] = NULL;
	for (i = 0; i < n; i++) {
		int blank = (mine || old) && ((int)i == k->to ||
		    (int)i == k->subj || (int)i == k->body);

		if (blank)
			v[i] = pxr_strdup("");
		else if (mine)
			v[i] = scrubbed(G, f[i], lens[i], free_text(k->cols[i]));
		else
			v[i] = pxr_strdup(f[i]);
		if (mine && (int)i == k->state && strcmp(f[i], "queued") == 0) {
			free(v[i]);
			v[i] = pxr_strdup("expired");
		}
		if (mine && (int)i == k->reason && k->state >= 0 &&
		    strcmp(f[k->state], "queued") == 0) {
			free(v[i]);
			v[i] = pxr_strdup("erased");
		}
		diff |= strcmp(v[i], f[i]) != 0;
	}
	pxr_state_add(G->out, (const char *const *)v);
	for (i = 0; i < n; i++)
		free(v[i]);
	G->changed += diff;
	return 0;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * One state file: read under its lock (the contact details first),
 * written whole into a new file beside it, then renamed over it; runs
 * that had it open stop at their next lock (state.h) and run again.
 */
static int
forget_file(struct fg *G, const char *path, int pass, struct pxr_error *err)
{
	struct pxr_state_opts so = { 0 };
	struct pxr_state *st;
	struct pxr_buf tmp = { 0 };
	size_t torn;
	int rc;

	so.checked = G->k->checked;
	so.nrequired = G->k->nreq;
	if (access(path, F_OK) < 0)
		return 0;
	if ((st = pxr_state_open_opts(path, G->k->cols, &so, err)) == NULL)
		return -1;
	if (pxr_state_lock(st, G->o->lock_ms, err) < 0) {
		pxr_state_close(st);
		return -1;
	}
	if (pass == 0) {
		rc = pxr_state_refresh(st, collect, G, &torn, err);
		pxr_state_close(st);
		return rc;
	}
	pxr_buf_printf(&tmp, "%s.forget", path);
	(void)unlink(tmp.p);	/* a run that died before its rename */
	so.checked = G->k->checked;
	so.nrequired = 0;
	G->changed = 0;
	if ((G->out = pxr_state_open_opts(tmp.p, G->k->cols, &so, err)) ==
	    NULL || pxr_state_lock(G->out, G->o->lock_ms, err) < 0 ||
	    pxr_state_refresh(st, rewrite, G, &torn, err) < 0)
		rc = -1;
	else if (G->changed == 0)
		rc = 0;		/* nothing of theirs: the file stays */
	else if (pxr_state_commit(G->out, err) < 0)
		rc = -1;
	else if (rename(tmp.p, path) < 0 || fsync_dir(G->o->dir) < 0) {
		pxr_error_set(err, PXR_EXIT_IOERR, "rename: %s",
		    strerror(errno));
		rc = pxr_error_at(err, path, 0);
	} else {
		rc = 0;
		G->o->changed[G->k - kinds] = G->changed;
	}
	if (G->changed == 0 || rc < 0)
		(void)unlink(tmp.p);
	pxr_state_close(G->out);
	G->out = NULL;
	pxr_state_close(st);
	pxr_buf_free(&tmp);
	return rc;
}

/*
 * The erased customer's compensations still waiting for approval (or
 * approved and not yet issued) end: nobody can tell them any more, and
 * one paid and never told is what pxr promises never to do.  A row each
 * (rejected, or reversed for an approved one), reason "customer erased".
 */
static int
end_waiting(struct fg *G, const char *path, struct pxr_error *err)
{
	const struct pxr_lg_entry *const *v;
	struct pxr_ledger *L;
	struct pxr_buf at = { 0 };
	size_t i, n;
	int rc = 0;

	if (access(path, F_OK) < 0)
		return 0;
	if ((L = pxr_ledger_open(path, 0, err)) == NULL)
		return -1;
	if (pxr_ledger_load(L, G->o->lock_ms, 0, err) < 0) {
		pxr_ledger_close(L);
		return -1;
	}
	pxr_time_format(&at, G->o->now);
	v = pxr_ledger_entries(L, &n);
	for (i = 0; i < n && rc == 0; i++) {
		if (strcmp(v[i]->f[PXR_LG_CUST], G->pn) != 0 ||
		    (v[i]->state != PXR_LG_PENDING &&
		    v[i]->state != PXR_LG_APPROVED))
			continue;
		if (pxr_ledger_change(L, v[i]->f[PXR_LG_ID],
		    v[i]->state == PXR_LG_PENDING ? PXR_LG_REJECTED :
		    PXR_LG_REVERSED, "customer erased (pxr-ledger forget): "
		    "nobody to tell", at.p, "pxr-ledger", err) < 0)
			rc = -1;
		else
			G->o->changed[0]++;
	}
	pxr_ledger_unlock(L);
	pxr_ledger_close(L);
	pxr_buf_free(&at);
	return rc;
}

int
pxr_ledger_forget(const struct pxr_forget_opts *o, struct pxr_error *err)
{
	struct fg G;
	struct pxr_buf path = { 0 };
	size_t i;
	int pass, missing, rc = 0;

	memset(&G, 0, sizeof(G));
	G.o = o;
	if ((G.P = pxr_pseudo_open(o->dir, 1, &missing, err)) == NULL)
		return -1;
	if (o->customer != NULL)
		pxr_pseudo_of(G.P, o->customer, strlen(o->customer), G.pn);
	for (i = 0; o->scrub != NULL && o->scrub[i] != NULL; i++)
		add_scrub(&G, o->scrub[i]);
	for (pass = 0; pass < 2 && rc == 0; pass++)
		for (i = 0; i < NKINDS && rc == 0; i++) {
			G.k = &kinds[i];
			pxr_buf_reset(&path);
			pxr_buf_printf(&path, "%s/%s", o->dir, kinds[i].name);
			rc = forget_file(&G, path.p, pass, err);
		}
	if (rc == 0 && o->customer != NULL) {
		pxr_buf_reset(&path);
		pxr_buf_printf(&path, "%s/ledger.csv", o->dir);
		rc = end_waiting(&G, path.p, err);
	}
	for (i = 0; i < G.nscrub; i++)
		free(G.scrub[i]);
	free(G.scrub);
	pxr_buf_free(&path);
	pxr_buf_free(&G.a);
	pxr_buf_free(&G.b);
	pxr_hmap_fini(&G.waiting, NULL);
	pxr_pseudo_free(G.P);
	return rc;
}

const char *
pxr_ledger_forget_file(size_t i)
{
	return i < NKINDS ? kinds[i].name : NULL;
}
