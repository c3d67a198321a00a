/* report.c: the report's model: records in, tables out. */
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "money.h"
#include "report_int.h"
#include "tmpl.h"

#define NOTIME RP_NOTIME

struct rp_compl {
	struct rp_compl *next;	/* the customer's other complaints */
	int64_t	 t;
	int	 in_range;	/* within --from/--to */
	int	 hit;		/* concerns an incident */
	const char *subject;	/* NULL: any of theirs; else an incident id
				   or a rule id */
};

enum {
	S_ID, S_RULE, S_PHASE, S_TIER, S_CUST, S_AT, S_DETECTED, S_KIND,
	S_AMT, S_CUR, S_MID, S_CH, S_LOC, S_STATUS, S_SENT, S_LKIND, S_LAMT,
	S_LCUR, S_ISSUED, S_COMPL, S_CSTATUS, S_REASON, S_ERROR, S_AFTER,
	S_STATE, S_QUEUED, S_OBAT, S_PURCHASED, S_RUN, S_SHA, S_MARK, S_CSUBJ,
	S_CODE, S_REDEEMED, S_ORDER, S_N
};

static const char *const src_names[S_N] = {
	"incident_id", "rule", "phase", "tier", "customer_id", "event_at",
	"detected_at", "comp_kind", "comp_amount_minor", "comp_currency",
	"message_id", "channel", "locale", "status", "sent_at", "kind",
	"amount_minor", "currency", "issued_at", "complained_at",
	"comp_status", "reason", "error", "send_after", "state", "queued_at",
	"at", "purchased_at", "run_id", "rules_sha256", "complained",
	"subject", "code", "redeemed_at", "order_amount_minor"
};

struct pxr_report_src {
	struct pxr_report *R;
	struct pxr_schema *sch;
	int	 kind;		/* PXR_REPORT_SRC_* */
	int	 bound, is_ledger, is_msg, is_outbox, is_redeemed;
	size_t	 f[S_N];
};

const char rp_fc_absent[] = "The first-contact rate is not measured: no "
	"complaints export was given, so nobody can tell who complained "
	"before we wrote.";

const char rp_told_absent[] = "Who was told is not measured: no sent log, "
	"outbox or message stream (the output of pxr-notify or pxr-send) "
	"was given.";

struct pxr_report *
pxr_report_new(const struct pxr_report_opts *o)
{
	struct pxr_report *R = pxr_calloc(1, sizeof(*R));

	R->o = *o;
	if (R->o.silent_ratio <= 0)
		R->o.silent_ratio = 26;
	if (R->o.within <= 0)
		R->o.within = 90 * PXR_US_DAY;
	if (R->o.locale == NULL)
		R->o.locale = "en";
	if (R->o.tz == NULL)
		R->o.tz = pxr_tz_env();
	return R;
}

void
pxr_report_free(struct pxr_report *R)
{
	size_t i;

	if (R == NULL)
		return;
	pxr_hmap_fini(&R->inc, NULL);
	pxr_hmap_fini(&R->comp, NULL);
	pxr_hmap_fini(&R->msg, NULL);
	pxr_hmap_fini(&R->complaints, NULL);
	pxr_hmap_fini(&R->purchases, NULL);
	pxr_hmap_fini(&R->redeemed, NULL);
	free(R->redeem);
	free(R->rebuy);
	free(R->inc_v);
	free(R->comp_v);
	free(R->msg_v);
	free(R->compl_v);
	free(R->untold);
	for (i = 0; i < RP_NTABLES; i++)
		free(R->t[i].r);
	for (i = 0; i < R->nnights; i++)
		free(R->nights[i].money);
	free(R->nights);
	free(R->money);
	free(R->title);
	pxr_arena_free(&R->mem);
	free(R);
}

struct pxr_report_src *
pxr_report_src_new(struct pxr_report *R, struct pxr_schema *sch, int kind)
{
	struct pxr_report_src *s = pxr_calloc(1, sizeof(*s));

	s->R = R;
	s->sch = sch;
	s->kind = kind;
	if (kind == PXR_REPORT_SRC_COMPLAINTS)
		R->have_complaints = 1;
	if (kind == PXR_REPORT_SRC_PURCHASES)
		R->have_purchases = 1;
	return s;
}

void
pxr_report_src_free(struct pxr_report_src *s)
{
	free(s);
}

static void
src_bind(struct pxr_report_src *s)
{
	size_t i;

	for (i = 0; i < S_N; i++)
		s->f[i] = pxr_schema_find(s->sch, src_names[i],
		    strlen(src_names[i]));
	s->is_ledger = s->f[S_ISSUED] != PXR_NOFIELD && s->f[S_LKIND] !=
	    PXR_NOFIELD && s->f[S_ID] != PXR_NOFIELD;
	s->is_msg = s->f[S_MID] != PXR_NOFIELD && s->f[S_CH] != PXR_NOFIELD;
	s->is_redeemed = s->f[S_REDEEMED] != PXR_NOFIELD &&
	    s->f[S_CODE] != PXR_NOFIELD;
	if (s->is_redeemed)
		s->R->have_redeemed = 1;
	s->is_outbox = s->is_msg && s->f[S_STATE] != PXR_NOFIELD &&
	    s->f[S_QUEUED] != PXR_NOFIELD && s->f[S_OBAT] != PXR_NOFIELD;
	if (s->is_msg)
		s->R->have_msgs = 1;
	s->bound = 1;
}

/* The text of field i of rec, or NULL. */
static const char *
val(const struct pxr_report_src *s, const struct pxr_rec *rec, int i)
{
	const struct pxr_val *v;

	if (s->f[i] == PXR_NOFIELD)
		return NULL;
	v = pxr_rec_get(rec, s->f[i]);
	return PXR_ISNULL(v) ? NULL : v->s;
}

/* Field i as a time into *t (NOTIME when null): 0, or -1 and err. */
static int
timeof(const struct pxr_report_src *s, const struct pxr_rec *rec, int i,
    int64_t *t, struct pxr_error *err)
{
	const char *v = val(s, rec, i);
	char text[sizeof(err->text)];

	*t = NOTIME;
	if (v == NULL || pxr_time_parse(v, strlen(v), s->R->o.tz, t, NULL,
	    err) == 0)
		return 0;
	snprintf(text, sizeof(text), "%s", err->text);
	*t = NOTIME;
	return pxr_error_set(err, PXR_EXIT_DATAERR, "column '%s': %s",
	    src_names[i], text);
}

/* Whether a record at t is within --from/--to (one without a time is). */
static int
in_range(const struct pxr_report *R, int64_t t)
{
	return t == NOTIME || (t >= R->o.from && t < R->o.to);
}

/* The arena copy of s (NULL stays NULL). */
static const char *
keep(struct pxr_report *R, const char *s)
{
	return s != NULL ? pxr_arena_strndup(&R->mem, s, strlen(s)) : NULL;
}

/* The record of key in map (made with size bytes when new, kept in *v). */
static void *
entity(struct pxr_report *R, struct pxr_hmap *map, void ***v, size_t *n,
    const char *key, size_t size)
{
	void **slot = pxr_hmap_put(map, key, strlen(key), NULL);

	if (*slot == NULL) {
		*slot = pxr_arena_alloc(&R->mem, size);
		memset(*slot, 0, size);
		*v = pxr_reallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = *slot;
	}
	return *slot;
}

static int
status_rank(const char *s)
{
	static const char *order[] = { "suppressed", "skipped", "ready",
	    "deferred", "queued", "listed", "attempt", "unknown", "failed",
	    "expired", "sent", NULL };
	int i;

	for (i = 0; order[i] != NULL; i++)
		if (strcmp(order[i], s) == 0)
			return i + 1;
	return 0;
}

/* An amount of minor units (NULL: none) into c: 0, or -1 and err. */
static int
amount_of(struct rp_comp *c, const char *a, const char *col,
    struct pxr_error *err)
{
	char text[sizeof(err->text)];

	if (a == NULL)
		return 0;
	if (pxr_money_parse_minor(a, strlen(a), &c->amount, err) < 0) {
		snprintf(text, sizeof(text), "%s", err->text);
		return pxr_error_set(err, PXR_EXIT_DATAERR, "column '%s': %s",
		    col, text);
	}
	c->has_amount = 1;
	return 0;
}

static const char *
or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/*
 * Whether a compensation is paid (now or on an earlier night) and so
 * must be told: its status (NULL: a ledger row) says it was recorded, it
 * is something (not none) and not nothing (an amount of 0 that is no
 * gift: over budget, or a subject paid before).
 */
static int
is_paid(const struct rp_comp *c, const char *status)
{
	static const char *const paid[] = { "issued", "top-up", "capped",
	    "duplicate", NULL };
	int i;

	if (c->kind == NULL || strcmp(c->kind, "none") == 0 ||
	    (c->has_amount && c->amount == 0 && !rp_gesture(c)))
		return 0;
	if (status == NULL)
		return 1;
	for (i = 0; paid[i] != NULL; i++)
		if (strcmp(paid[i], status) == 0)
			return 1;
	return 0;
}

/* The compensation of incident id, its who and what from rec. */
static struct rp_comp *
comp_of(struct pxr_report_src *s, const struct pxr_rec *rec, const char *id,
    const struct rp_comp *tmp, const char *kind, const char *cur,
    int64_t night)
{
	struct pxr_report *R = s->R;
	struct rp_comp *c;
	const char *v;

	c = entity(R, &R->comp, &R->comp_v, &R->ncomp, id, sizeof(*c));
	if (c->id == NULL)
		c->id = keep(R, id);
	c->kind = keep(R, kind);
	c->cur = keep(R, cur);
	c->has_amount = tmp->has_amount;
	c->amount = tmp->amount;
	c->night = night;
	if ((v = val(s, rec, S_CUST)) != NULL)
		c->cust = keep(R, v);
	if ((v = val(s, rec, S_RULE)) != NULL)
		c->rule = keep(R, v);
	if ((v = val(s, rec, S_TIER)) != NULL)
		c->tier = keep(R, v);
	return c;
}

/*
 * Customer cu complained at t: from the complaints export, or from a
 * message pxr-notify --complaints marked (complained); the same complaint
 * from both counts once.
 */
static void
complaint(struct pxr_report *R, const char *cu, int64_t t,
    const char *subject)
{
	struct rp_compl *c;
	void **slot;

	for (c = pxr_hmap_get(&R->complaints, cu, strlen(cu)); c != NULL;
	    c = c->next)
		if (c->t == t)
			return;
	c = pxr_arena_alloc(&R->mem, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->subject = subject != NULL && *subject != '\0' ? keep(R, subject) :
	    NULL;
	c->in_range = in_range(R, t);
	slot = pxr_hmap_put(&R->complaints, cu, strlen(cu), NULL);
	c->next = *slot;
	*slot = c;
	if (c->in_range) {
		/* The silent-unhappy estimate counts customers, once. */
		struct rp_compl *x;

		for (x = c->next; x != NULL && !x->in_range; x = x->next)
			;
		R->complainers += x == NULL;
	}
	R->compl_v = pxr_reallocarray(R->compl_v, R->ncompl + 1,
	    sizeof(*R->compl_v));
	R->compl_v[R->ncompl++] = c;
}

static int
add_complaint(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	const char *cu = val(s, rec, S_CUST);
	int64_t t;

	if (timeof(s, rec, S_COMPL, &t, err) < 0)
		return -1;
	if (cu == NULL || t == NOTIME)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "a complaint "
		    "needs customer_id and complained_at");
	complaint(s->R, cu, t, val(s, rec, S_CSUBJ));
	return 0;
}

static int
add_purchase(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	struct pxr_report *R = s->R;
	const char *cu = val(s, rec, S_CUST);
	struct rp_purchase *p;
	void **slot;
	int64_t t;

	if (timeof(s, rec, S_PURCHASED, &t, err) < 0)
		return -1;
	if (cu == NULL || t == NOTIME)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "a purchase "
		    "needs customer_id and purchased_at");
	p = pxr_arena_alloc(&R->mem, sizeof(*p));
	p->t = t;
	slot = pxr_hmap_put(&R->purchases, cu, strlen(cu), NULL);
	p->next = *slot;
	*slot = p;
	return 0;
}

static int
add_ledger(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	struct pxr_report *R = s->R;
	const char *id = val(s, rec, S_ID), *st;
	struct rp_comp *c, tmp;
	int64_t t;
	int issued, first;

	memset(&tmp, 0, sizeof(tmp));
	if (timeof(s, rec, S_ISSUED, &t, err) < 0 || amount_of(&tmp,
	    val(s, rec, S_LAMT), "amount_minor", err) < 0)
		return -1;
	if (id == NULL || !in_range(R, t))
		return 0;
	/*
	 * An incident's first row is its compensation; later rows change its
	 * state (ledger.h): the last counts, and money is paid by the row
	 * that issues it (the first, or the one after an approval).
	 */
	st = val(s, rec, S_STATE);
	issued = st == NULL || *st == '\0' || strcmp(st, "issued") == 0;
	c = pxr_hmap_get(&R->comp, id, strlen(id));
	first = c == NULL || !c->in_ledger;
	if (first || issued)
		c = comp_of(s, rec, id, &tmp, val(s, rec, S_LKIND), val(s, rec,
		    S_LCUR), t);
	if (first) {
		c->run = keep(R, val(s, rec, S_RUN));
		c->sha = keep(R, val(s, rec, S_SHA));
		c->code = keep(R, val(s, rec, S_CODE));
	}
	c->in_ledger = 1;
	c->lstate = issued ? "issued" : keep(R, st);
	c->paid = issued && is_paid(c, NULL);
	return 0;
}

/* A row of pxr-ledger redeem's redeemed.csv: its code redeemed. */
static int
add_redeemed(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	const char *code = val(s, rec, S_CODE), *amt = val(s, rec, S_ORDER);
	struct rp_redeemed *x;
	void **slot;
	int64_t t, order = 0;

	if (timeof(s, rec, S_REDEEMED, &t, err) < 0)
		return -1;
	if (code == NULL || (amt != NULL && pxr_money_parse_minor(amt,
	    strlen(amt), &order, err) < 0))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "a redemption "
		    "needs a code and a whole order_amount_minor");
	slot = pxr_hmap_put(&s->R->redeemed, code, strlen(code), NULL);
	if (*slot == NULL) {
		x = *slot = pxr_arena_alloc(&s->R->mem, sizeof(*x));
		x->order = order;
		x->counted = 0;
	}
	return 0;
}

static int
add_incident(struct pxr_report_src *s, const struct pxr_rec *rec,
    const char *id, int64_t at, int64_t night, struct pxr_error *err)
{
	struct pxr_report *R = s->R;
	struct rp_inc *it;
	const char *v;

	it = entity(R, &R->inc, &R->inc_v, &R->ninc, id, sizeof(*it));
	if (it->rule == NULL) {
		it->id = keep(R, id);
		it->t = NOTIME;
		it->first_sent = NOTIME;
	}
	it->rule = keep(R, val(s, rec, S_RULE));
	if ((v = val(s, rec, S_PHASE)) != NULL)
		it->phase = keep(R, v);
	if ((v = val(s, rec, S_TIER)) != NULL)
		it->tier = keep(R, v);
	if ((v = val(s, rec, S_CUST)) != NULL)
		it->cust = keep(R, v);
	if (at != NOTIME)
		it->t = at;
	it->night = night;
	if ((v = val(s, rec, S_KIND)) != NULL) {
		struct rp_comp *c, tmp;

		memset(&tmp, 0, sizeof(tmp));
		if (amount_of(&tmp, val(s, rec, S_AMT), "comp_amount_minor",
		    err) < 0)
			return -1;
		c = comp_of(s, rec, id, &tmp, v, val(s, rec, S_CUR), night);
		c->stage_paid |= is_paid(c, or(val(s, rec, S_CSTATUS),
		    "issued"));
		if (!c->in_ledger)
			c->paid = c->stage_paid;
	}
	return 0;
}

/* The RP_OB_* state of an outbox row: or -1 and err for a bad one. */
static int
ob_state(const struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	static const char *const states[] = { "", "queued", "done",
	    "expired" };
	const char *v = val(s, rec, S_STATE);
	int i;

	for (i = RP_OB_QUEUED; i <= RP_OB_EXPIRED; i++)
		if (v != NULL && strcmp(v, states[i]) == 0)
			return i;
	return pxr_error_set(err, PXR_EXIT_DATAERR, "column 'state': '%s' "
	    "is not queued, done or expired", v != NULL ? v : "");
}

/*
 * An outbox row in state ob (the last row of a message counts) into m,
 * *st (a status the report ranks, or NULL) and *sent (at, if it went).
 */
static void
outbox_row(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct rp_msg *m, int ob, const char **st, int64_t at, int64_t *sent)
{
	const char *why = val(s, rec, S_REASON);

	m->ob = ob;
	*st = NULL;
	*sent = NOTIME;
	if (ob == RP_OB_QUEUED) {
		m->ob_why = keep(s->R, why);
		*st = "queued";
	} else if (ob == RP_OB_EXPIRED) {
		if (m->error == NULL)
			m->error = keep(s->R, why);
		*st = "expired";
	} else if (why != NULL && status_rank(why) > 0) {
		/* done: what the hand-over from the outbox came to */
		*st = why;
		if (strcmp(why, "sent") == 0)
			*sent = at;
	}
}

static int
add_message(struct pxr_report_src *s, const struct pxr_rec *rec,
    const char *mid, int64_t night, struct pxr_error *err)
{
	struct pxr_report *R = s->R;
	const char *st = val(s, rec, S_STATUS), *v;
	int rk, ob = RP_OB_NONE;
	struct rp_msg *m;
	int64_t sent, after;

	if (timeof(s, rec, s->is_outbox ? S_OBAT : S_SENT, &sent, err) < 0 ||
	    timeof(s, rec, S_AFTER, &after, err) < 0 || (s->is_outbox &&
	    (ob = ob_state(s, rec, err)) < 0))
		return -1;
	/*
	 * Marked by pxr-notify --complaints: they contacted us about this
	 * incident (the message id's head) first.
	 */
	if (timeof(s, rec, S_MARK, &after, err) < 0)
		return -1;
	if (after != NOTIME && (v = val(s, rec, S_CUST)) != NULL) {
		const char *colon = strrchr(mid, ':');
		char *inc = pxr_strndup(mid, colon != NULL ? (size_t)(colon -
		    mid) : strlen(mid));

		complaint(R, v, after, inc);
		free(inc);
		R->have_complaints = 1;
	}
	if (timeof(s, rec, S_AFTER, &after, err) < 0)
		return -1;
	if (sent != NOTIME)
		night = sent;
	if (!in_range(R, night))
		return 0;
	m = entity(R, &R->msg, &R->msg_v, &R->nmsg, mid, sizeof(*m));
	if (m->incident == NULL) {
		/* INCIDENT_ID:CHANNEL */
		const char *colon = strrchr(mid, ':');

		m->id = keep(R, mid);
		m->incident = pxr_arena_strndup(&R->mem, mid, colon != NULL ?
		    (size_t)(colon - mid) : strlen(mid));
		m->sent = NOTIME;
		m->after = NOTIME;
		m->night = night;
	}
	if (s->is_outbox)
		outbox_row(s, rec, m, ob, &st, sent, &sent);
	if ((v = val(s, rec, S_CH)) != NULL)
		m->channel = keep(R, v);
	if ((v = val(s, rec, S_LOC)) != NULL)
		m->locale = keep(R, v);
	if (after != NOTIME)
		m->after = after;
	if (!s->is_outbox && (v = val(s, rec, S_REASON)) != NULL)
		m->reason = keep(R, v);
	if ((v = val(s, rec, S_ERROR)) != NULL)
		m->error = keep(R, v);
	rk = st != NULL ? status_rank(st) : 0;
	if (rk >= m->rank) {
		m->rank = rk;
		m->status = keep(R, st);
		if (st != NULL && strcmp(st, "sent") == 0 && sent != NOTIME) {
			m->sent = sent;
			m->night = sent;
		}
	}
	return 0;
}

int
pxr_report_add(struct pxr_report_src *s, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	const char *id, *mid;
	int64_t at, det;

	if (!s->bound) {
		src_bind(s);
		if (s->kind == PXR_REPORT_SRC_COMPLAINTS && (s->f[S_CUST] ==
		    PXR_NOFIELD || s->f[S_COMPL] == PXR_NOFIELD)) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "a complaints "
			    "export needs customer_id and complained_at");
			return -2;
		}
		if (s->kind == PXR_REPORT_SRC_PURCHASES && (s->f[S_CUST] ==
		    PXR_NOFIELD || s->f[S_PURCHASED] == PXR_NOFIELD)) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "a purchases "
			    "file needs customer_id and purchased_at");
			return -2;
		}
	}
	if (s->kind == PXR_REPORT_SRC_COMPLAINTS)
		return add_complaint(s, rec, err);
	if (s->kind == PXR_REPORT_SRC_PURCHASES)
		return add_purchase(s, rec, err);
	if (s->is_ledger)
		return add_ledger(s, rec, err);
	if (s->is_redeemed)
		return add_redeemed(s, rec, err);
	if (timeof(s, rec, S_AT, &at, err) < 0 || timeof(s, rec, S_DETECTED,
	    &det, err) < 0)
		return -1;
	if (det == NOTIME)
		det = at;
	id = val(s, rec, S_ID);
	if (id != NULL && val(s, rec, S_RULE) != NULL && in_range(s->R, det) &&
	    add_incident(s, rec, id, at, det, err) < 0)
		return -1;
	if (s->is_msg && (mid = val(s, rec, S_MID)) != NULL &&
	    add_message(s, rec, mid, det, err) < 0)
		return -1;
	return 0;
}

/* ---- the tables ---- */

static struct rp_row *
row_of(struct rp_row **v, size_t *n, const char *name, const char *cur)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0 && ((cur == NULL &&
		    (*v)[i].cur == NULL) || (cur != NULL && (*v)[i].cur !=
		    NULL && strcmp(cur, (*v)[i].cur) == 0)))
			return &(*v)[i];
	*v = pxr_reallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = name;
	(*v)[*n].cur = cur;
	return &(*v)[(*n)++];
}

void
rp_count(struct rp_table *t, const char *name)
{
	row_of(&t->r, &t->n, name, NULL)->count++;
	t->total++;
}

static int
rowcmp(const void *a, const void *b)
{
	const struct rp_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return strcmp(x->cur != NULL ? x->cur : "", y->cur != NULL ? y->cur :
	    "");
}

static int
nightcmp(const void *a, const void *b)
{
	return strcmp(((const struct rp_night *)a)->date,
	    ((const struct rp_night *)b)->date);
}

/* Add v to a money row: 0, or -1 and err when the sum overflows. */
static int
money_add(struct rp_row *r, int64_t v, struct pxr_error *err)
{
	r->count++;
	if (v > r->max || r->count == 1)
		r->max = v;
	if (pxr_money_add(&r->sum, v) < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "the sum of %s "
		    "%s overflows", r->name, r->cur != NULL ? r->cur : "");
	return 0;
}

/* The night of t (a date in tz), made when new; NULL for NOTIME. */
static struct rp_night *
night_of(struct pxr_report *R, struct pxr_hmap *idx, int64_t t)
{
	struct pxr_buf b = { 0 };
	struct rp_night *n;
	void **slot;
	int added;

	if (t == NOTIME)
		return NULL;
	pxr_date_format(&b, t, R->o.tz);
	slot = pxr_hmap_put(idx, b.p, b.len, &added);
	if (added) {
		R->nights = pxr_reallocarray(R->nights, R->nnights + 1,
		    sizeof(*R->nights));
		n = &R->nights[R->nnights];
		memset(n, 0, sizeof(*n));
		snprintf(n->date, sizeof(n->date), "%s", b.p);
		*slot = (void *)(uintptr_t)R->nnights++;
	}
	pxr_buf_free(&b);
	return &R->nights[(uintptr_t)*slot];
}



static void
tables(struct pxr_report *R)
{
	static const struct { const char *id, *title, *col; int kind; }
	    def[RP_NTABLES] = {
		{ "incidents-by-phase", "Incidents by phase", "phase",
		    RP_COUNT },
		{ "incidents-by-rule", "Incidents by rule", "rule", RP_COUNT },
		{ "incidents-by-tier", "Incidents by rule and tier",
		    "rule/tier", RP_COUNT },
		{ "compensation", "Compensation by kind and currency", "kind",
		    RP_MONEY },
		{ "gestures", "Gestures (no money) by kind", "kind", RP_COUNT },
		{ "messages-by-channel", "Messages by channel", "channel",
		    RP_COUNT },
		{ "messages-by-locale", "Messages by locale", "locale",
		    RP_COUNT },
		{ "messages-by-status", "Messages by status", "status",
		    RP_COUNT },
		{ "expired-by-reason", "Messages expired from the outbox, "
		    "by why they waited", "reason", RP_COUNT },
		{ "compensations-by-ledger-state", "Compensations by ledger "
		    "state", "state", RP_COUNT },
		{ "evidence", "Compensations by run and rule file (the "
		    "ledger's evidence)", "run_id rules_sha256", RP_COUNT },
	};
	size_t i;

	for (i = 0; i < RP_NTABLES; i++) {
		R->t[i].id = def[i].id;
		R->t[i].title = def[i].title;
		R->t[i].col = def[i].col;
		R->t[i].kind = def[i].kind;
	}
}

/* The nights' figures and the totals of money; 0 or -1 (overflow). */
static int
count_all(struct pxr_report *R, struct pxr_error *err)
{
	struct pxr_hmap nidx, cust;
	struct pxr_buf b = { 0 };
	struct rp_night *n;
	size_t i;
	int rc = 0;

	pxr_hmap_init(&nidx);
	pxr_hmap_init(&cust);
	for (i = 0; i < R->ninc; i++) {
		struct rp_inc *it = R->inc_v[i];

		rp_count(&R->t[RP_PHASE], or(it->phase, "(none)"));
		rp_count(&R->t[RP_RULE], it->rule);
		pxr_buf_reset(&b);
		pxr_buf_printf(&b, "%s/%s", it->rule, or(it->tier, "-"));
		rp_count(&R->t[RP_TIER], pxr_arena_strndup(&R->mem, b.p,
		    b.len));
		if (it->cust != NULL)
			(void)pxr_hmap_put(&cust, it->cust, strlen(it->cust),
			    NULL);
		if ((n = night_of(R, &nidx, it->night)) != NULL)
			n->incidents++;
	}
	R->customers = (long)pxr_hmap_count(&cust);
	for (i = 0; i < R->ncomp && rc == 0; i++) {
		struct rp_comp *c = R->comp_v[i];

		if (c->in_ledger) {
			rp_count(&R->t[RP_LSTATE], c->lstate);
			if (c->run != NULL || c->sha != NULL) {
				pxr_buf_reset(&b);
				pxr_buf_printf(&b, "%s %s", or(c->run, "-"),
				    or(c->sha, "-"));
				rp_count(&R->t[RP_EVIDENCE], pxr_arena_strndup(
				    &R->mem, b.p, b.len));
			}
		}
		/* Pending, approved, rejected, reversed: no money paid. */
		if (c->kind == NULL || strcmp(c->kind, "none") == 0 ||
		    (c->in_ledger && strcmp(c->lstate, "issued") != 0))
			continue;
		n = night_of(R, &nidx, c->night);
		if (rp_gesture(c)) {
			rp_count(&R->t[RP_GESTURES], c->kind);
			if (n != NULL)
				n->gestures++;
			continue;
		}
		R->t[RP_MONEY_T].total++;
		if (money_add(row_of(&R->t[RP_MONEY_T].r, &R->t[RP_MONEY_T].n,
		    c->kind, c->cur), c->amount, err) < 0 ||
		    money_add(row_of(&R->money, &R->nmoney, "total", c->cur),
		    c->amount, err) < 0)
			rc = -1;
		if (n != NULL) {
			n->comps++;
			if (money_add(row_of(&n->money, &n->nmoney, "total",
			    c->cur), c->amount, err) < 0)
				rc = -1;
		}
	}
	for (i = 0; i < R->nmsg; i++) {
		struct rp_msg *m = R->msg_v[i];

		rp_count(&R->t[RP_CHANNEL], or(m->channel, "?"));
		rp_count(&R->t[RP_LOCALE], or(m->locale, "-"));
		rp_count(&R->t[RP_STATUS], or(m->status, "?"));
		if (m->sent != NOTIME) {
			R->sent++;
			if ((n = night_of(R, &nidx, m->sent)) != NULL)
				n->sent++;
		}
	}
	pxr_buf_free(&b);
	pxr_hmap_fini(&nidx, NULL);
	pxr_hmap_fini(&cust, NULL);
	return rc;
}

/* The night of t made by count_all, or NULL. */
static struct rp_night *
night_at(struct pxr_report *R, int64_t t)
{
	struct pxr_buf b = { 0 };
	size_t i;

	if (t == NOTIME)
		return NULL;
	pxr_date_format(&b, t, R->o.tz);
	for (i = 0; i < R->nnights; i++)
		if (strcmp(R->nights[i].date, b.p) == 0)
			break;
	pxr_buf_free(&b);
	return i < R->nnights ? &R->nights[i] : NULL;
}

/* The first-contact figures (SPEC 8), in all and per night. */
static void
first_contact(struct pxr_report *R)
{
	struct pxr_hmap untold;
	size_t i;

	pxr_hmap_init(&untold);
	for (i = 0; i < R->nmsg; i++) {
		struct rp_msg *m = R->msg_v[i];
		struct rp_inc *it;

		if (m->sent == NOTIME || (it = pxr_hmap_get(&R->inc,
		    m->incident, strlen(m->incident))) == NULL)
			continue;
		if (it->first_sent == NOTIME || m->sent < it->first_sent)
			it->first_sent = m->sent;
	}
	for (i = 0; i < R->ninc; i++) {
		struct rp_inc *it = R->inc_v[i];
		struct rp_compl *c;
		struct rp_night *n;
		int64_t complained = NOTIME;
		int good;

		if (it->cust == NULL)
			continue;
		R->fc_incidents++;
		c = pxr_hmap_get(&R->complaints, it->cust, strlen(it->cust));
		for (; c != NULL; c = c->next) {
			if (c->subject != NULL && strcmp(c->subject, it->id) != 0 &&
			    (it->rule == NULL || strcmp(c->subject,
			    it->rule) != 0))
				continue;	/* about another incident */
			c->hit = 1;
			if (it->t != NOTIME && c->t < it->t)
				continue;	/* before the incident */
			if (complained == NOTIME || c->t < complained)
				complained = c->t;
		}
		good = complained == NOTIME || (it->first_sent != NOTIME &&
		    it->first_sent < complained);
		if ((n = night_at(R, it->night)) != NULL) {
			n->fc_n++;
			n->fc_good += good;
		}
		if (good)
			R->fc_good++;
		else {
			int added;

			(void)pxr_hmap_put(&untold, it->cust, strlen(it->cust),
			    &added);
			R->fc_untold += added;
		}
	}
	for (i = 0; i < R->ncompl; i++) {
		struct rp_compl *c = R->compl_v[i];

		if (!c->hit && c->in_range)
			R->fc_orphans++;
	}
	pxr_hmap_fini(&untold, NULL);
}

/* The title: the given one, else the nights the report covers. */
static void
title(struct pxr_report *R)
{
	struct pxr_buf b = { 0 };
	int64_t a, z;
	int y, m, d;

	if (R->o.title != NULL) {
		R->title = pxr_strdup(R->o.title);
		return;
	}
	pxr_buf_adds(&b, "pxr report");
	if (R->nnights > 0) {
		sscanf(R->nights[0].date, "%d-%d-%d", &y, &m, &d);
		a = pxr_time_from_local(R->o.tz, y, m, d, 12, 0, 0, 0);
		sscanf(R->nights[R->nnights - 1].date, "%d-%d-%d", &y, &m, &d);
		z = pxr_time_from_local(R->o.tz, y, m, d, 12, 0, 0, 0);
		pxr_buf_adds(&b, ", ");
		pxr_locale_time(&b, a, R->o.tz, R->o.locale, 'd');
		if (z != a) {
			pxr_buf_adds(&b, " \u2013 ");
			pxr_locale_time(&b, z, R->o.tz, R->o.locale, 'd');
		}
	}
	R->title = b.p;
}

int
pxr_report_finish(struct pxr_report *R, struct pxr_error *err)
{
	size_t i;

	tables(R);
	if (count_all(R, err) < 0)
		return -1;
	if (R->ncompl > 0 || R->have_complaints)
		first_contact(R);
	rp_told(R);
	rp_rebuy(R);
	rp_redeem(R);
	for (i = 0; i < RP_NTABLES; i++)
		if (R->t[i].n > 1)
			qsort(R->t[i].r, R->t[i].n, sizeof(R->t[i].r[0]),
			    rowcmp);
	if (R->nmoney > 1)
		qsort(R->money, R->nmoney, sizeof(*R->money), rowcmp);
	if (R->nnights > 1)
		qsort(R->nights, R->nnights, sizeof(*R->nights), nightcmp);
	for (i = 0; i < R->nnights; i++)
		if (R->nights[i].nmoney > 1)
			qsort(R->nights[i].money, R->nights[i].nmoney,
			    sizeof(*R->nights[i].money), rowcmp);
	title(R);
	return 0;
}

/* ---- shared by the writers ---- */

int64_t
rp_mean(const struct rp_row *r)
{
	int64_t q, rem;

	if (r->count == 0)
		return 0;
	q = r->sum / r->count;
	rem = r->sum % r->count;
	if (rem * 2 >= r->count)
		q++;		/* half up, in minor units */
	return q;
}

void
rp_money(const struct pxr_report *R, struct pxr_buf *b, int64_t v,
    const char *cur)
{
	size_t len = b->len;

	if (cur == NULL || pxr_money_format(b, v, cur, R->o.locale) < 0) {
		b->len = len;
		if (b->p != NULL)
			b->p[len] = '\0';
		pxr_buf_printf(b, "%lld", (long long)v);
	}
}

int
rp_gesture(const struct rp_comp *c)
{
	return !c->has_amount || (c->amount == 0 && strcmp(c->kind,
	    "gift") == 0);
}

void
rp_gave(const struct pxr_report *R, struct pxr_buf *b,
    const struct rp_comp *c)
{
	if (!rp_gesture(c))
		rp_money(R, b, c->amount, c->cur);
	else
		pxr_buf_adds(b, c->kind);
}

double
rp_fc_rate(const struct pxr_report *R)
{
	return R->fc_incidents > 0 ? 100.0 * (double)R->fc_good /
	    (double)R->fc_incidents : 0.0;
}

static const struct {
	const char *name;
	int	(*write)(const struct pxr_report *, FILE *);
} writers[] = {
	[PXR_REPORT_TEXT] = { "text", rp_write_text },
	[PXR_REPORT_CSV] = { "csv", rp_write_csv },
	[PXR_REPORT_JSON] = { "json", rp_write_json },
	[PXR_REPORT_SVG] = { "svg", rp_write_svg },
	[PXR_REPORT_HTML] = { "html", rp_write_html },
};

int
pxr_report_format(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
pxr_report_write(const struct pxr_report *R, int fmt, FILE *fp,
    struct pxr_error *err)
{
	if (fmt < 0 || fmt > PXR_REPORT_HTML)
		return pxr_error_set(err, PXR_EXIT_USAGE, "no such format");
	if (writers[fmt].write(R, fp) < 0 || ferror(fp))
		return pxr_error_set(err, PXR_EXIT_IOERR, "the report cannot "
		    "be written");
	return 0;
}
