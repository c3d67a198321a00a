/* notify.c: messages per incident and channel (see notify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "hmap.h"
#include "notify.h"
#include "phone.h"
#include "sentlog.h"
#include "state.h"
#include "tmpl.h"


/* What a rule (or the ad-hoc campaign, or the fan) says about messages. */
struct how {
	const char *id;		/* rule id, or the template name */
	int	 ch[PXR_NCH];	/* channels in order of preference */
	int	 nch;
	int	 all;
	const char *tmpl;
	int	 transactional;
	size_t	 ntiers;	/* the rule's, for a call's priority */
};

struct ntf {
	struct pxr_mapper *m;
	struct pxr_rules *R;	/* NULL: ad hoc */
	struct pxr_rule *last;
	struct how adhoc;
	char	*tdir;
	const char *addr[PXR_NCH];
	const char *f_locale_name, *f_tz_name;
	/* Consent: none asked (0), one field (1), a field per channel (2). */
	int	 consent_mode;
	const char *f_consent_names[PXR_NCH];	/* NULL: none for it */
	const char *f_pref_name;
	const char *f_country_name, *country;	/* of phone numbers */
	struct pxr_quiet quiet[PXR_NCH];
	int	 calls;		/* a rule calls: the call list's fields */
	struct pxr_callhours call;
	long	 max_count;	/* 0: no limit */
	int64_t	 max_period;
	int64_t	 now;
	struct pxr_tz *tz;
	const char *deflocale;
	const char *currency;
	const char *sentlog;
	size_t	 torn;		/* bytes of a torn sent log row ignored */
	struct pxr_hmap sent;	/* message ids sent -> (void *)1 */
	struct pxr_hmap slots;	/* customer -> struct slots */
	struct pxr_hmap zones;	/* zone name -> struct pxr_tz, or &unknown */
	const char **rename_from, **rename_to;	/* of the options */
	size_t	 nrename;
	char	 loc[32];	/* the row's customer: locale, zone */
	struct pxr_tz *ctz;
	struct pxr_tmpls tmpls;
	struct pxr_buf rtmpl, vname;	/* a variant: NAME.reversed, ... */
	const struct pxr_complaints *compl;	/* --complaints, or NULL */
	size_t	 f_event, f_det, o_compl, f_strat;
	struct pxr_schema *sch;
	size_t	 f_addr[PXR_NCH], f_locale, f_tz, f_consent[PXR_NCH], f_pref,
		 f_country, f_rule, f_id,
		 f_cust, f_ccur, f_cstatus, f_camount, f_ckind, f_rank;
	size_t	 o_mid, o_iid, o_cust, o_ch, o_to, o_locale, o_subj, o_body,
		 o_seg, o_after, o_status, o_reason, o_prio, o_cfrom, o_cto;
	struct pxr_buf subj, body, tmp, mid, base, phone;
	char	 why[256];	/* why a phone number is none */
	struct pxr_buf expl;	/* --explain: how the channel was chosen */
};

/*
 * The times of a customer's messages that count against the limit: sent
 * ones (the sent log) in the period, and the ones this run hands over,
 * now or later (deferred).
 */
struct slots {
	int64_t	*t;
	size_t	 n, cap;
};

static struct slots *
slots_of(struct ntf *N, const char *k, size_t n)
{
	void **slot = pxr_hmap_put(&N->slots, k, n, NULL);

	if (*slot == NULL)
		*slot = pxr_calloc(1, sizeof(struct slots));
	return *slot;
}

static void
slots_add(struct slots *s, int64_t t)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 4 : s->cap * 2;
		s->t = pxr_reallocarray(s->t, s->cap, sizeof(*s->t));
	}
	s->t[s->n++] = t;
}

static void
slots_free(void *p)
{
	struct slots *s = p;

	free(s->t);
	free(s);
}

static int
tcmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Take a slot of the limit for a message of s's customer: 0 now; else,
 * when every slot of the period is taken, -1 (the message is dropped)
 * or, for a paid incident (defer), 1 and *after the time the oldest
 * slot that counts leaves the period (the message waits for it).
 */
static int
slots_take(struct ntf *N, struct slots *s, int defer, int64_t *after)
{
	size_t i, m = 0;

	if (s->n > 1)
		qsort(s->t, s->n, sizeof(*s->t), tcmp);
	for (i = 0; i < s->n; i++)
		if (s->t[i] > N->now - N->max_period)
			break;
	m = s->n - i;		/* s->t[i..]: in the period, or to come */
	if (m < (size_t)N->max_count) {
		slots_add(s, N->now);
		return 0;
	}
	if (!defer)
		return -1;
	*after = s->t[i + m - (size_t)N->max_count] + N->max_period;
	slots_add(s, *after);
	return 1;
}

/* Is a message id (RULE:...) of a transactional rule?  For the limit. */
static int
mid_transactional(struct ntf *N, const char *mid, size_t n)
{
	const char *colon = memchr(mid, ':', n);
	struct pxr_rule *r;

	if (N->R == NULL)
		return N->adhoc.transactional;
	pxr_buf_reset(&N->tmp);
	pxr_buf_add(&N->tmp, mid, colon != NULL ? (size_t)(colon - mid) : n);
	r = pxr_rules_find(N->R, N->tmp.p);
	return r != NULL && r->notify != NULL && r->notify->transactional;
}

static int
sent_row(void *ctx, char **f, size_t *l, long line)
{
	struct ntf *N = ctx;
	struct pxr_error e;
	int64_t t;

	(void)line;
	if (pxr_sentlog_state(f[PXR_SL_STATUS]) != PXR_SENT_SENT)
		return 0;
	*pxr_hmap_put(&N->sent, f[PXR_SL_MESSAGE_ID], l[PXR_SL_MESSAGE_ID],
	    NULL) = (void *)1;
	if (N->max_count > 0 && !mid_transactional(N, f[PXR_SL_MESSAGE_ID],
	    l[PXR_SL_MESSAGE_ID]) && pxr_time_parse(f[PXR_SL_SENT_AT],
	    l[PXR_SL_SENT_AT], NULL, &t, NULL, &e) == 0 &&
	    t > N->now - N->max_period && t <= N->now)
		slots_add(slots_of(N, f[PXR_SL_CUSTOMER_ID],
		    l[PXR_SL_CUSTOMER_ID]), t);
	return 0;
}

static int
read_sentlog(struct ntf *N, long lock_ms, struct pxr_error *err)
{
	struct pxr_state *st;

	if (N->sentlog == NULL)
		return 0;
	st = pxr_state_open(N->sentlog, pxr_sentlog_cols, 1, err);
	if (st == NULL)
		return -1;
	if (pxr_state_lock(st, lock_ms, err) < 0 ||
	    pxr_state_refresh(st, sent_row, N, &N->torn, err) < 0) {
		pxr_state_close(st);
		return -1;
	}
	pxr_state_close(st);
	return 0;
}

/* The fields the stage writes that must not be the input's own. */
static const enum pxr_field own[] = {
	PXR_F_MESSAGE_ID, PXR_F_CHANNEL, PXR_F_TO, PXR_F_LOCALE, PXR_F_SUBJECT,
	PXR_F_BODY, PXR_F_SEGMENTS, PXR_F_SEND_AFTER, PXR_F_STATUS,
	PXR_F_REASON
};

/* Rename input field from to to (what: where it was asked); 0 or -1. */
static int
rename1(struct pxr_schema *sch, const char *what, const char *from,
    const char *to, struct pxr_error *err)
{
	size_t k = pxr_schema_find(sch, from, strlen(from));

	if (k == PXR_NOFIELD || !sch->visible[k])
		return pxr_error_set(err, PXR_EXIT_DATAERR, "%s %s=%s: the "
		    "input has no field '%s'", what, from, to, from);
	if (pxr_schema_rename(sch, k, to, strlen(to)) < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "%s %s=%s: the "
		    "input already has a field '%s'", what, from, to, to);
	return 0;
}

/* Rename the input's fields as asked, then refuse a clash: 0 or -1. */
static int
own_names(struct ntf *N, struct pxr_schema *sch, struct pxr_error *err)
{
	const struct pxr_field_def *d;
	size_t i, k;

	for (i = 0; i < N->nrename; i++)
		if (rename1(sch, "--rename", N->rename_from[i],
		    N->rename_to[i], err) < 0)
			return -1;
	/* The rule file's renames apply to the inputs that have the field. */
	for (i = 0; N->R != NULL && i < N->R->notify.nrename; i++) {
		k = pxr_schema_find(sch, N->R->notify.rename_from[i],
		    strlen(N->R->notify.rename_from[i]));
		if (k != PXR_NOFIELD && sch->visible[k] && rename1(sch,
		    "notify.rename", N->R->notify.rename_from[i],
		    N->R->notify.rename_to[i], err) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		d = &pxr_fields[own[i]];
		/* The customer's "locale" field is read, then overwritten
		 * with the template's locale, as documented. */
		if (own[i] == PXR_F_LOCALE && N->f_locale_name != NULL &&
		    strcmp(N->f_locale_name, d->name) == 0)
			continue;
		k = pxr_schema_find(sch, d->name, d->len);
		if (k != PXR_NOFIELD && sch->visible[k])
			return pxr_error_set(err, PXR_EXIT_DATAERR, "the input "
			    "has a field '%s', which pxr-notify writes: rename "
			    "it (--rename %s=NEW)", d->name, d->name);
	}
	return 0;
}

/* The call list's fields, when a rule calls; 0, or -2 on a clash. */
static int
bind_calls(struct ntf *N, struct pxr_schema *sch, struct pxr_error *err)
{
	static const enum pxr_field call[] = { PXR_F_PRIORITY,
	    PXR_F_CALL_FROM, PXR_F_CALL_TO };
	const struct pxr_field_def *d;
	size_t i, k;

	N->o_prio = N->o_cfrom = N->o_cto = PXR_NOFIELD;
	if (!N->calls)
		return 0;
	for (i = 0; i < sizeof(call) / sizeof(call[0]); i++) {
		d = &pxr_fields[call[i]];
		k = pxr_schema_find(sch, d->name, d->len);
		if (k != PXR_NOFIELD && sch->visible[k]) {
			pxr_error_set(err, PXR_EXIT_DATAERR, "the input has a "
			    "field '%s', which pxr-notify writes: rename it "
			    "(--rename %s=NEW)", d->name, d->name);
			return -2;
		}
	}
	N->f_rank = pxr_field_ref(sch, PXR_F_TIER_RANK);
	N->o_prio = pxr_field_add(sch, PXR_F_PRIORITY);
	N->o_cfrom = pxr_field_add(sch, PXR_F_CALL_FROM);
	N->o_cto = pxr_field_add(sch, PXR_F_CALL_TO);
	return 0;
}

static int
ntf_bind(struct pxr_mapper *m, struct pxr_schema *sch, struct pxr_error *err)
{
	struct ntf *N = m->state;
	int i;

	if (own_names(N, sch, err) < 0)
		return -2;
	if (N->torn > 0)
		pxr_mapper_say(m, PXR_SAY_WARN, "%s: a torn last row (%zu "
		    "bytes) was ignored", N->sentlog, N->torn);
	N->sch = sch;
	pxr_tmpls_init(&N->tmpls, N->tdir, N->deflocale, sch);
	for (i = 0; i < PXR_NCH; i++)
		N->f_addr[i] = pxr_schema_ref(sch, N->addr[i],
		    strlen(N->addr[i]));
	N->f_locale = N->f_locale_name != NULL ? pxr_schema_ref(sch,
	    N->f_locale_name, strlen(N->f_locale_name)) : PXR_NOFIELD;
	N->f_tz = N->f_tz_name != NULL ? pxr_schema_ref(sch, N->f_tz_name,
	    strlen(N->f_tz_name)) : PXR_NOFIELD;
	for (i = 0; i < PXR_NCH; i++)
		N->f_consent[i] = N->f_consent_names[i] != NULL ?
		    pxr_schema_ref(sch, N->f_consent_names[i],
		    strlen(N->f_consent_names[i])) : PXR_NOFIELD;
	N->f_pref = N->f_pref_name != NULL ? pxr_schema_ref(sch,
	    N->f_pref_name, strlen(N->f_pref_name)) : PXR_NOFIELD;
	N->f_country = N->f_country_name != NULL ? pxr_schema_ref(sch,
	    N->f_country_name, strlen(N->f_country_name)) : PXR_NOFIELD;
	N->f_rule = pxr_field_ref(sch, PXR_F_RULE);
	N->f_id = pxr_field_ref(sch, PXR_F_INCIDENT_ID);
	N->f_cust = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	N->f_ccur = pxr_field_ref(sch, PXR_F_COMP_CURRENCY);
	N->f_cstatus = pxr_field_ref(sch, PXR_F_COMP_STATUS);
	N->f_camount = pxr_field_ref(sch, PXR_F_COMP_AMOUNT_MINOR);
	N->f_ckind = pxr_field_ref(sch, PXR_F_COMP_KIND);
	N->o_mid = pxr_field_add(sch, PXR_F_MESSAGE_ID);
	N->o_iid = pxr_field_add(sch, PXR_F_INCIDENT_ID);
	N->o_cust = pxr_field_add(sch, PXR_F_CUSTOMER_ID);
	N->o_ch = pxr_field_add(sch, PXR_F_CHANNEL);
	N->o_to = pxr_field_add(sch, PXR_F_TO);
	N->o_locale = pxr_field_add(sch, PXR_F_LOCALE);
	N->o_subj = pxr_field_add(sch, PXR_F_SUBJECT);
	N->o_body = pxr_field_add(sch, PXR_F_BODY);
	N->o_seg = pxr_field_add(sch, PXR_F_SEGMENTS);
	N->o_after = pxr_field_add(sch, PXR_F_SEND_AFTER);
	N->o_status = pxr_field_add(sch, PXR_F_STATUS);
	N->o_reason = pxr_field_add(sch, PXR_F_REASON);
	N->o_compl = N->compl != NULL ? pxr_field_add(sch, PXR_F_COMPLAINED) :
	    PXR_NOFIELD;
	N->f_event = pxr_field_ref(sch, PXR_F_EVENT_AT);
	N->f_strat = N->R != NULL && N->R->notify.f_strategy != NULL ?
	    pxr_schema_ref(sch, N->R->notify.f_strategy,
	    strlen(N->R->notify.f_strategy)) : PXR_NOFIELD;
	N->f_det = pxr_field_ref(sch, PXR_F_DETECTED_AT);
	return bind_calls(N, sch, err);
}

/* What a customer's consent field says of a channel. */
enum { CONSENT_UNKNOWN = 0, CONSENT_YES, CONSENT_NO };

/* Is v (n bytes) one of words (any case)? */
static int
word_in(const char *v, size_t n, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == n && strncasecmp(v, *words, n) == 0)
			return 1;
	return 0;
}

/*
 * The consent of rec's customer to channel ch: yes (true, yes, y, 1),
 * an explicit opt-out (false, no, n, 0), or unknown (null, anything
 * else, or no consent field for the channel).  With no consent asked
 * at all, yes.
 */
static int
consent(struct ntf *N, const struct pxr_rec *rec, int ch)
{
	static const char *const yes[] = { "true", "yes", "y", "1", NULL };
	static const char *const no[] = { "false", "no", "n", "0", NULL };
	const struct pxr_val *v;

	if (N->consent_mode == 0)
		return CONSENT_YES;
	if (N->f_consent[ch] == PXR_NOFIELD)
		return CONSENT_UNKNOWN;
	v = pxr_rec_get(rec, N->f_consent[ch]);
	if (PXR_ISNULL(v))
		return CONSENT_UNKNOWN;
	return word_in(v->s, v->n, yes) ? CONSENT_YES : word_in(v->s, v->n,
	    no) ? CONSENT_NO : CONSENT_UNKNOWN;
}

/*
 * May h's message go to rec's customer by ch: a marketing message needs
 * consent; a transactional one needs none, but an explicit opt-out is
 * always honoured.
 */
static int
may_contact(struct ntf *N, const struct pxr_rec *rec, const struct how *h,
    int ch)
{
	int c = consent(N, rec, ch);

	return h->transactional ? c != CONSENT_NO : c == CONSENT_YES;
}

/*
 * Move the channel rec's customer prefers (the preferred-channel field:
 * email, sms or push, any case) to the front of h's channels, when the
 * rule has it; else leave them as the rule orders them.
 */
static void
prefer(struct ntf *N, const struct pxr_rec *rec, struct how *h)
{
	const struct pxr_val *v = pxr_rec_get(rec, N->f_pref);
	char name[8];
	int c, i;

	if (PXR_ISNULL(v) || v->n >= sizeof(name))
		return;
	for (i = 0; i < (int)v->n; i++)
		name[i] = (v->s[i] >= 'A' && v->s[i] <= 'Z') ? v->s[i] + 32 :
		    v->s[i];
	name[v->n] = '\0';
	if ((c = pxr_channel_of(name)) < 0)
		return;
	for (i = 0; i < h->nch && h->ch[i] != c; i++)
		;
	if (i == h->nch || i == 0)
		return;
	memmove(&h->ch[1], &h->ch[0], (size_t)i * sizeof(h->ch[0]));
	h->ch[0] = c;
}

static void
set(struct pxr_rec *rec, size_t f, const char *s, size_t n)
{
	if (s == NULL)
		pxr_rec_setnull(rec, f);
	else
		pxr_rec_set(rec, f, PXR_STR, s, n);
}

/*
 * When may a message on channel ch due at t go: t, or the end of the
 * channel's quiet hours in tz when t falls in them.
 */
static int64_t
after_quiet(struct ntf *N, int ch, struct pxr_tz *tz, int64_t t)
{
	struct pxr_civil cv, x;
	const struct pxr_quiet *q = &N->quiet[ch];
	int m, in;
	int64_t day;

	if (!q->on)
		return t;
	pxr_time_civil(t, tz, &cv);
	m = cv.hour * 60 + cv.min;
	if (q->from < q->to)
		in = m >= q->from && m < q->to;
	else
		in = m >= q->from || m < q->to;
	if (!in)
		return t;
	day = pxr_days_from_civil(cv.year, cv.month, cv.day);
	if (q->from > q->to && m >= q->from)
		day++;		/* evening: the end is tomorrow morning */
	pxr_time_civil(day * PXR_US_DAY, NULL, &x);
	return pxr_time_from_local(tz, x.year, x.month, x.day, q->to / 60,
	    q->to % 60, 0, 0);
}

/*
 * A call's row: its priority (1 for the rule's most severe tier, 2 for
 * the next, ...; 1 without a tier) and the first window of the call
 * hours in the customer's zone that ends after start, from start when
 * it has begun, as local times with their offset.
 */
static void
call_window(struct ntf *N, struct pxr_rec *rec, const struct how *h,
    int64_t start)
{
	const struct pxr_callhours *c = &N->call;
	const struct pxr_val *rv = pxr_rec_get(rec, N->f_rank);
	struct pxr_civil cv, x;
	int64_t day, from = start, to = start;
	long rank = 0;
	int i;

	if (!PXR_ISNULL(rv) && rv->n > 0 && rv->n < 10)
		rank = strtol(rv->s, NULL, 10);
	pxr_rec_setf(rec, N->o_prio, PXR_NUM, "%ld", rank >= 1 &&
	    (size_t)rank <= h->ntiers ? (long)h->ntiers - rank + 1 : 1L);
	pxr_time_civil(start, N->ctz, &cv);
	day = pxr_days_from_civil(cv.year, cv.month, cv.day);
	for (i = 0; i < 8; i++, day++) {
		if ((c->days & (1u << ((cv.wday - 1 + i) % 7))) == 0)
			continue;
		pxr_time_civil(day * PXR_US_DAY, NULL, &x);
		from = pxr_time_from_local(N->ctz, x.year, x.month, x.day,
		    c->from / 60, c->from % 60, 0, 0);
		to = pxr_time_from_local(N->ctz, x.year, x.month, x.day,
		    c->to / 60, c->to % 60, 0, 0);
		if (to > start)
			break;
	}
	if (from < start)
		from = start;
	pxr_buf_reset(&N->tmp);
	pxr_time_format_tz(&N->tmp, from, N->ctz);
	pxr_rec_set(rec, N->o_cfrom, PXR_STR, N->tmp.p, N->tmp.len);
	pxr_buf_reset(&N->tmp);
	pxr_time_format_tz(&N->tmp, to, N->ctz);
	pxr_rec_set(rec, N->o_cto, PXR_STR, N->tmp.p, N->tmp.len);
}

/*
 * --explain: one line for the message row rec just made on channel ch
 * by h: its status and reason, how its channel was chosen (N->expl), the
 * template file (locale used: NULL when none was rendered), the quiet
 * hours or the limit that deferred it.
 */
static void
explain_msg(struct ntf *N, const struct pxr_rec *rec, const struct how *h,
    int ch, const char *used)
{
	const struct pxr_val *st = pxr_rec_get(rec, N->o_status);
	const struct pxr_val *rs = pxr_rec_get(rec, N->o_reason);
	const struct pxr_val *af = pxr_rec_get(rec, N->o_after);
	const struct pxr_quiet *q = &N->quiet[ch];
	struct pxr_buf b = { 0 };

	pxr_buf_printf(&b, "%.*s", (int)st->n, st->s);
	if (!PXR_ISNULL(rs))
		pxr_buf_printf(&b, " (%.*s)", (int)rs->n, rs->s);
	pxr_buf_printf(&b, ": %s", N->expl.p != NULL ? N->expl.p : "");
	if (used != NULL)
		pxr_buf_printf(&b, "; template %s.%s.%s", h->tmpl, used,
		    pxr_channel_names[ch]);
	if (!PXR_ISNULL(rs) && strcmp(rs->s, "quiet-hours") == 0)
		pxr_buf_printf(&b, "; quiet hours of %s %02d:%02d-%02d:%02d in "
		    "%s: after %.*s", pxr_channel_names[ch], q->from / 60,
		    q->from % 60, q->to / 60, q->to % 60, pxr_tz_name(N->ctz),
		    (int)af->n, af->s);
	else if (!PXR_ISNULL(rs) && strcmp(rs->s, "rate-limit") == 0) {
		pxr_buf_printf(&b, "; at most %ld message%s per ", N->max_count,
		    N->max_count == 1 ? "" : "s");
		pxr_dur_format(&b, N->max_period);
		if (!PXR_ISNULL(af))
			pxr_buf_printf(&b, ": a paid incident's message waits "
			    "until %.*s", (int)af->n, af->s);
		else
			pxr_buf_adds(&b, ": an unpaid incident's message is "
			    "dropped");
	} else if (!PXR_ISNULL(rs) && strcmp(rs->s, "pending-approval") == 0)
		pxr_buf_adds(&b, "; the compensation waits for pxr-ledger "
		    "approve: told on the run after it");
	else if (!PXR_ISNULL(rs) && (strcmp(rs->s, "rejected") == 0 ||
	    strcmp(rs->s, "reversed") == 0))
		pxr_buf_printf(&b, "; the ledger has the compensation %s",
		    rs->s);
	else if (!PXR_ISNULL(rs) && strcmp(rs->s, "already-sent") == 0)
		pxr_buf_printf(&b, "; the sent log %s has it as sent",
		    N->sentlog);
	pxr_mapper_say(N->m, PXR_SAY_EXPLAIN, "%s:%ld: message %s: %s",
	    rec->file, rec->line, N->mid.p, b.p);
	pxr_buf_free(&b);
}

/*
 * --explain: how rec's channel is chosen among h's (have: an address,
 * ok: may be contacted), into N->expl.
 */
static void
explain_channels(struct ntf *N, const struct pxr_rec *rec,
    const struct how *h, const int *have, const int *ok, int preferred)
{
	static const char *const says[] = { "unknown", "yes", "opted out" };
	const struct pxr_val *v;
	int i, c;

	pxr_buf_reset(&N->expl);
	pxr_buf_printf(&N->expl, "rule %s (%s)", h->id, h->transactional ?
	    "transactional: no consent needed, an opt-out honoured" :
	    "needs consent");
	if (preferred)
		pxr_buf_printf(&N->expl, ", %s first (%s)",
		    pxr_channel_names[h->ch[0]], N->f_pref_name);
	for (i = 0; i < h->nch; i++) {
		c = consent(N, rec, h->ch[i]);
		pxr_buf_printf(&N->expl, "%s %s: ", i == 0 ? ";" : ",",
		    pxr_channel_names[h->ch[i]]);
		if (!have[i]) {
			pxr_buf_printf(&N->expl, "no address (%s)",
			    N->addr[h->ch[i]]);
			continue;
		}
		if (N->consent_mode == 0)
			pxr_buf_adds(&N->expl, "no consent field");
		else if (N->f_consent[h->ch[i]] == PXR_NOFIELD)
			pxr_buf_adds(&N->expl, "no consent field for it");
		else {
			v = pxr_rec_get(rec, N->f_consent[h->ch[i]]);
			pxr_buf_printf(&N->expl, "consent %s (%s = %s%.*s%s)",
			    says[c], N->f_consent_names[h->ch[i]],
			    PXR_ISNULL(v) ? "null" : "\"", PXR_ISNULL(v) ? 0 :
			    (int)v->n, PXR_ISNULL(v) ? "" : v->s,
			    PXR_ISNULL(v) ? "" : "\"");
		}
		pxr_buf_adds(&N->expl, ok[i] ? ", may be told" : ", not told");
	}
}

/*
 * Write one message row for rec on channel ch, with status and reason,
 * due at due (0: now); 0, -1 (bad record), -2 (fatal).  A message that
 * goes (ready, deferred) is rendered in the customer's locale; one whose
 * template names a field the record lacks is suppressed instead.
 */
static int
message(struct ntf *N, struct pxr_rec *rec, const struct how *h, int ch,
    const char *to, size_t ton, const char *status, const char *reason,
    int64_t due, struct pxr_error *err)
{
	const char *chn = pxr_channel_names[ch];
	const struct pxr_tmpl *t;
	struct pxr_render r;
	const char *used = NULL, *gap;
	int64_t after;

	set(rec, N->o_mid, N->mid.p, N->mid.len);
	pxr_rec_setref(rec, N->o_ch, PXR_STR, chn, strlen(chn));
	set(rec, N->o_to, to, ton);
	/* Until a template is chosen, the customer's own locale. */
	if (N->loc[0] != '\0')
		pxr_rec_set(rec, N->o_locale, PXR_STR, N->loc, strlen(N->loc));
	else
		pxr_rec_setnull(rec, N->o_locale);
	pxr_rec_setnull(rec, N->o_subj);
	pxr_rec_setnull(rec, N->o_body);
	pxr_rec_setnull(rec, N->o_seg);
	pxr_rec_setnull(rec, N->o_after);
	pxr_rec_setref(rec, N->o_status, PXR_STR, status, strlen(status));
	set(rec, N->o_reason, reason, reason != NULL ? strlen(reason) : 0);
	if (N->calls) {
		pxr_rec_setnull(rec, N->o_prio);
		pxr_rec_setnull(rec, N->o_cfrom);
		pxr_rec_setnull(rec, N->o_cto);
	}
	if (strcmp(status, "suppressed") == 0)
		goto emit;
	t = pxr_tmpls_get(&N->tmpls, h->tmpl, N->loc, chn, &used, err);
	if (t == NULL)
		return err->exit == PXR_EXIT_CONFIG ? -2 : -1;
	if ((gap = pxr_tmpl_missing(t, rec)) != NULL) {
		pxr_rec_setref(rec, N->o_status, PXR_STR, "suppressed", 10);
		pxr_rec_setf(rec, N->o_reason, PXR_STR, "missing-field %s",
		    gap);
		goto emit;
	}
	r.rec = rec;
	r.locale = used;
	r.tz = N->ctz;
	r.readtz = N->tz;
	r.types = N->R != NULL ? N->R->columns : NULL;
	r.ntypes = N->R != NULL ? N->R->ncolumns : 0;
	r.currency = N->currency;
	r.f_currency = N->f_ccur;
	r.sms = ch == PXR_CH_SMS;
	pxr_buf_reset(&N->subj);
	pxr_buf_reset(&N->body);
	if (pxr_tmpl_render(t, &r, ch == PXR_CH_EMAIL ? &N->subj : NULL,
	    &N->body, err) < 0) {
		char text[sizeof(err->text)];

		snprintf(text, sizeof(text), "%s", err->text);
		return pxr_error_set(err, PXR_EXIT_DATAERR,
		    "template %s.%s.%s: %s", h->tmpl, used, chn, text);
	}
	pxr_rec_set(rec, N->o_locale, PXR_STR, used, strlen(used));
	if (ch == PXR_CH_EMAIL)
		pxr_rec_set(rec, N->o_subj, PXR_STR, N->subj.p != NULL ?
		    N->subj.p : "", N->subj.len);
	pxr_rec_set(rec, N->o_body, PXR_STR, N->body.p != NULL ?
	    N->body.p : "", N->body.len);
	if (ch == PXR_CH_SMS) {
		int ucs2;

		pxr_rec_setf(rec, N->o_seg, PXR_NUM, "%d",
		    pxr_sms_segments(N->body.p != NULL ? N->body.p : "",
		    N->body.len, &ucs2));
	}
	if (ch == PXR_CH_PHONE) {
		/*
		 * Listed now, called in the window: no quiet hours.  A call
		 * the rate limit holds is listed too, its window from when
		 * the limit lets it be made (nothing waits in an outbox).
		 */
		call_window(N, rec, h, due != 0 ? due : N->now);
		if (due != 0)
			pxr_rec_setref(rec, N->o_status, PXR_STR, "ready", 5);
		goto emit;
	}
	after = after_quiet(N, ch, N->ctz, due != 0 ? due : N->now);
	if (after != N->now) {
		pxr_buf_reset(&N->tmp);
		pxr_time_format(&N->tmp, after);
		pxr_rec_set(rec, N->o_after, PXR_STR, N->tmp.p, N->tmp.len);
		pxr_rec_setref(rec, N->o_status, PXR_STR, "deferred", 8);
		if (due == 0)
			pxr_rec_setref(rec, N->o_reason, PXR_STR,
			    "quiet-hours", 11);
	}
emit:
	if (N->m->explain)
		explain_msg(N, rec, h, ch, used);
	return pxr_mapper_emit(N->m, rec, err) < 0 ? -2 : 0;
}

/* A row of pxr-fan: rule "fan" and no such rule in the file. */
static int
is_fan(struct ntf *N, const struct pxr_rec *rec)
{
	const struct pxr_val *v = pxr_rec_get(rec, N->f_rule);

	return !PXR_ISNULL(v) && v->n == 3 && memcmp(v->s, "fan", 3) == 0 &&
	    N->R->fan != NULL && pxr_rules_find(N->R, "fan") == NULL;
}

/* How rec is told into *h: 1, 0 (not at all), -1 (bad record). */
static int
how_of(struct ntf *N, const struct pxr_rec *rec, struct how *h,
    struct pxr_error *err)
{
	const struct pxr_rnotify *n;
	struct pxr_rule *r = NULL;
	int i;

	if (N->R == NULL) {
		*h = N->adhoc;
		return 1;
	}
	if (is_fan(N, rec))
		n = N->R->fan->notify;	/* the fan section says how */
	else if ((r = pxr_stage_rule(N->R, rec, N->f_rule, &N->last,
	    err)) == NULL)
		return -1;
	else
		n = r->notify;
	if (n == NULL)
		return 0;	/* no notify (no fan template): no message */
	memset(h, 0, sizeof(*h));
	h->id = r != NULL ? r->id : "fan";
	for (i = 0; i < n->nch; i++)
		h->ch[h->nch++] = n->ch[i];
	h->all = n->all;
	h->tmpl = n->tmpl;
	h->transactional = n->transactional;
	h->ntiers = r != NULL ? r->ntiers : 0;
	return 1;
}

/* N->mid = base:CHANNEL. */
static void
set_mid(struct ntf *N, int ch)
{
	pxr_buf_reset(&N->mid);
	pxr_buf_add(&N->mid, N->base.p, N->base.len);
	pxr_buf_addc(&N->mid, ':');
	pxr_buf_adds(&N->mid, pxr_channel_names[ch]);
}

/* The marker of a zone name pxr_tz_get does not know. */
static char unknown_zone;

/* The row's customer's locale and zone into N, before any field is set. */
static void
customer(struct ntf *N, const struct pxr_rec *rec)
{
	const struct pxr_val *lv = pxr_rec_get(rec, N->f_locale);
	const struct pxr_val *zv = pxr_rec_get(rec, N->f_tz);
	struct pxr_tz *z;

	N->loc[0] = '\0';
	if (!PXR_ISNULL(lv))
		snprintf(N->loc, sizeof(N->loc), "%.*s", (int)(lv->n > 31 ?
		    31 : lv->n), lv->s);
	N->ctz = N->tz;
	if (!PXR_ISNULL(zv)) {
		void **slot = pxr_hmap_put(&N->zones, zv->s, zv->n, NULL);

		if (*slot == NULL) {	/* each name is looked up once */
			pxr_buf_reset(&N->tmp);
			pxr_buf_add(&N->tmp, zv->s, zv->n);
			z = pxr_tz_get(N->tmp.p);
			*slot = z != NULL ? (void *)z : (void *)&unknown_zone;
		}
		/* An unknown zone: the default, never "send anyway". */
		if (*slot != &unknown_zone)
			N->ctz = *slot;
	}
}

/* Was the incident compensated (issued now or before)? */
static int
paid(struct ntf *N, const struct pxr_rec *rec)
{
	const struct pxr_val *v = pxr_rec_get(rec, N->f_cstatus);

	if (!PXR_ISNULL(v) && v->n > 0)
		return (v->n == 6 && memcmp(v->s, "issued", 6) == 0) ||
		    (v->n == 9 && memcmp(v->s, "duplicate", 9) == 0);
	v = pxr_rec_get(rec, N->f_camount);
	if (!PXR_ISNULL(v) && v->n > 0 && !(v->n == 1 && v->s[0] == '0'))
		return 1;
	v = pxr_rec_get(rec, N->f_ckind);
	return !PXR_ISNULL(v) && v->n > 0;
}

/*
 * The address of rec on channel ch into *to, *ton: as written, or for
 * SMS the phone number in E.164 from the customer's country (the
 * country field, else the default; borrowed until the next call).  1,
 * 0 when there is none, -1 when the number cannot be one (N->why says
 * why, *to is the number as written).
 */
static int
address(struct ntf *N, const struct pxr_rec *rec, int ch, const char **to,
    size_t *ton)
{
	const struct pxr_val *a = pxr_rec_get(rec, N->f_addr[ch]);
	const struct pxr_val *cv = pxr_rec_get(rec, N->f_country);
	const char *cc = N->country;
	size_t ccn = cc != NULL ? strlen(cc) : 0;

	if (PXR_ISNULL(a) || a->n == 0)
		return 0;
	*to = a->s;
	*ton = a->n;
	if (ch != PXR_CH_SMS && ch != PXR_CH_PHONE)
		return 1;
	if (!PXR_ISNULL(cv) && cv->n > 0) {
		cc = cv->s;
		ccn = cv->n;
	}
	pxr_buf_reset(&N->phone);
	if (pxr_phone_e164(a->s, a->n, cc, ccn, &N->phone, N->why,
	    sizeof(N->why)) < 0)
		return -1;
	*to = N->phone.p;
	*ton = N->phone.len;
	return 1;
}

/* The message row of a phone number that cannot be one; as message. */
static int
bad_phone(struct ntf *N, struct pxr_rec *rec, const struct how *h, int ch,
    struct pxr_error *err)
{
	const struct pxr_val *a = pxr_rec_get(rec, N->f_addr[ch]);

	set_mid(N, ch);
	pxr_mapper_say(N->m, PXR_SAY_WARN, "%s: %s \"%.*s\": %s", N->mid.p,
	    N->addr[ch], (int)(a->n > 40 ? 40 : a->n), a->s, N->why);
	return message(N, rec, h, ch, a->s, a->n, "suppressed", "bad-phone", 0,
	    err);
}

/*
 * Why a compensation's message is held back, by its comp_status: one
 * pending approval, rejected or reversed is not told, nor one of a
 * customer erased since (pxr-ledger(1));
 * NULL: it may be told.
 */
static const char *
held(struct ntf *N, const struct pxr_rec *rec)
{
	static const char *const why[][2] = {
		{ "pending_approval", "pending-approval" },
		{ "rejected", "rejected" },
		{ "reversed", "reversed" },
		{ "erased", "erased" }
	};
	const struct pxr_val *v = pxr_rec_get(rec, N->f_cstatus);
	size_t i;

	if (PXR_ISNULL(v))
		return NULL;
	for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strlen(why[i][0]) == v->n && memcmp(v->s, why[i][0],
		    v->n) == 0)
			return why[i][1];
	return NULL;
}

/*
 * The variant of template name (NAME.suffix) when it exists for the
 * customer's first channel: h then names it; 1.  0: no such template.
 */
static int
variant(struct ntf *N, struct how *h, const char *name, int first,
    const char *suffix)
{
	struct pxr_error e;
	const char *used;

	if (first < 0 || name == NULL)
		return 0;
	pxr_buf_reset(&N->vname);
	pxr_buf_printf(&N->vname, "%s.%s", name, suffix);
	if (pxr_tmpls_get(&N->tmpls, N->vname.p, N->loc,
	    pxr_channel_names[h->ch[first]], &used, &e) == NULL)
		return 0;
	pxr_buf_reset(&N->rtmpl);
	pxr_buf_printf(&N->rtmpl, "%s", N->vname.p);
	h->tmpl = N->rtmpl.p;
	return 1;
}

/*
 * A reversed compensation is told when its rule's template has a
 * NAME.reversed variant: then the message ids are
 * INCIDENT:reversed:CHANNEL (told once, apart from the first message).
 */
static int
reversal(struct ntf *N, struct how *h, int first)
{
	if (!variant(N, h, h->tmpl, first, "reversed"))
		return 0;
	pxr_buf_adds(&N->base, ":reversed");
	return 1;
}

/*
 * --complaints: did the customer contact the company about this incident
 * (at or after its time, by now) before being told?  Then the message is
 * marked (complained: the time) and told with the rule's NAME.complained
 * variant for the first channel, when there is one.
 */
static void
complained(struct ntf *N, struct pxr_rec *rec, struct how *h, int first,
    const char *base)
{
	const struct pxr_val *cv = pxr_rec_get(rec, N->f_cust),
	    *iv = pxr_rec_get(rec, N->f_id), *rv = pxr_rec_get(rec, N->f_rule),
	    *tv = pxr_rec_get(rec, N->f_event);
	const struct pxr_complaint *c;
	struct pxr_error e;
	int64_t from = INT64_MIN;

	pxr_rec_setnull(rec, N->o_compl);
	if (PXR_ISNULL(tv))
		tv = pxr_rec_get(rec, N->f_det);
	if (!PXR_ISNULL(tv))
		(void)pxr_time_parse(tv->s, tv->n, N->tz, &from, NULL, &e);
	if (PXR_ISNULL(cv) || (c = pxr_complaints_find(N->compl, cv->s,
	    cv->n, from, N->now, PXR_ISNULL(iv) ? "" : iv->s, PXR_ISNULL(iv) ?
	    0 : iv->n, PXR_ISNULL(rv) ? "" : rv->s, PXR_ISNULL(rv) ? 0 :
	    rv->n)) == NULL)
		return;
	pxr_buf_reset(&N->tmp);
	pxr_time_format(&N->tmp, c->at);
	pxr_rec_set(rec, N->o_compl, PXR_STR, N->tmp.p, N->tmp.len);
	/* NAME.STRATEGY.complained, else NAME.complained. */
	if (!variant(N, h, h->tmpl, first, "complained") && base != h->tmpl)
		(void)variant(N, h, base, first, "complained");
	pxr_mapper_say(N->m, PXR_SAY_EXPLAIN, "incident %s: customer %s "
	    "complained at %s (%s), before being told: the message is marked, "
	    "template %s", PXR_ISNULL(iv) ? "-" : iv->s, cv->s, N->tmp.p,
	    c->where, h->tmpl != NULL ? h->tmpl : "-");
}

static int
ntf_map(struct pxr_mapper *m, struct pxr_rec *rec, struct pxr_error *err)
{
	struct ntf *N = m->state;
	struct how h;
	const struct pxr_val *iv, *cv, *sv;
	const char *base;
	int have[PXR_NCH], ok[PXR_NCH], chosen[PXR_NCH], sent[PXR_NCH], i,
	    first = -1, any = -1, anyok = -1, bad = -1, nchosen = 0, nnew = 0,
	    lim = 0, rc, pref0;
	int64_t due = 0;
	const char *to;
	size_t ton;
	char *dup;
	const char *why;

	if ((rc = how_of(N, rec, &h, err)) <= 0)
		return rc;
	pref0 = h.ch[0];
	if (N->f_pref != PXR_NOFIELD)
		prefer(N, rec, &h);
	customer(N, rec);
	cv = pxr_rec_get(rec, N->f_cust);
	iv = pxr_rec_get(rec, N->f_id);
	pxr_buf_reset(&N->base);
	if (!PXR_ISNULL(iv))
		pxr_buf_add(&N->base, iv->s, iv->n);
	else {
		/* An ad-hoc campaign row: TEMPLATE:CUSTOMER. */
		pxr_buf_adds(&N->base, h.tmpl);
		pxr_buf_addc(&N->base, ':');
		if (!PXR_ISNULL(cv))
			pxr_buf_add(&N->base, cv->s, cv->n);
	}
	pxr_rec_set(rec, N->o_iid, PXR_STR, N->base.p, N->base.len);
	if (PXR_ISNULL(cv))
		pxr_rec_setnull(rec, N->o_cust);
	/* ok: an address that is one, and the customer may be told by it. */
	for (i = 0; i < h.nch; i++) {
		have[i] = address(N, rec, h.ch[i], &to, &ton);
		ok[i] = have[i] != 0 && may_contact(N, rec, &h, h.ch[i]);
		if (have[i] != 0 && any < 0)
			any = i;
		if (ok[i] && anyok < 0)
			anyok = i;
		if (ok[i] && have[i] < 0 && bad < 0)
			bad = i;
		ok[i] = ok[i] && have[i] > 0;
		if (ok[i] && first < 0)
			first = i;
	}
	if (N->m->explain)
		explain_channels(N, rec, &h, have, ok, h.ch[0] != pref0);
	if ((why = held(N, rec)) != NULL && strcmp(why, "reversed") == 0 &&
	    reversal(N, &h, first))
		why = NULL;	/* told with NAME.reversed, once */
	base = h.tmpl;
	/* A template for the customer's strategy: NAME.STRATEGY. */
	if (why == NULL && N->f_strat != PXR_NOFIELD && !PXR_ISNULL(sv =
	    pxr_rec_get(rec, N->f_strat)) && pxr_strategy_of(sv->s, sv->n) >=
	    0 && variant(N, &h, h.tmpl, first, pxr_strategy_names[
	    pxr_strategy_of(sv->s, sv->n)]))
		pxr_mapper_say(m, PXR_SAY_EXPLAIN, "incident %s: strategy %.*s: "
		    "template %s", N->base.p, (int)sv->n, sv->s, h.tmpl);
	if (why == NULL && N->compl != NULL)
		complained(N, rec, &h, first, base);
	if (why != NULL) {
		set_mid(N, h.ch[first < 0 ? 0 : first]);
		return message(N, rec, &h, h.ch[first < 0 ? 0 : first], NULL,
		    0, "suppressed", why, 0, err);
	}
	if (any < 0) {
		set_mid(N, h.ch[0]);
		return message(N, rec, &h, h.ch[0], NULL, 0, "suppressed",
		    "no-address", 0, err);
	}
	if (anyok < 0) {
		(void)address(N, rec, h.ch[any], &to, &ton);
		set_mid(N, h.ch[any]);
		return message(N, rec, &h, h.ch[any], to, ton,
		    "suppressed", h.transactional ? "opted-out" : "no-consent",
		    0, err);
	}
	if (first < 0)
		return bad_phone(N, rec, &h, h.ch[bad], err);
	for (i = 0; i < h.nch; i++)
		if (ok[i] && (h.all || nchosen == 0)) {
			set_mid(N, h.ch[i]);
			sent[nchosen] = pxr_hmap_get(&N->sent, N->mid.p,
			    N->mid.len) != NULL;
			nnew += !sent[nchosen];
			chosen[nchosen++] = h.ch[i];
		}
	/*
	 * The rate limit counts contacts (incidents), not channels, and
	 * only messages handed over: not one already sent (the sent log
	 * counts it).  A paid incident's message waits; it is never lost.
	 */
	if (N->max_count > 0 && !h.transactional && !PXR_ISNULL(cv) &&
	    nnew > 0)
		lim = slots_take(N, slots_of(N, cv->s, cv->n), paid(N, rec),
		    &due);
	for (i = 0, rc = 0; i < nchosen && rc == 0; i++) {
		(void)address(N, rec, chosen[i], &to, &ton);
		dup = pxr_strndup(to, ton);
		set_mid(N, chosen[i]);
		if (sent[i])
			rc = message(N, rec, &h, chosen[i], dup, ton,
			    "suppressed", "already-sent", 0, err);
		else if (lim < 0)
			rc = message(N, rec, &h, chosen[i], dup, ton,
			    "suppressed", "rate-limit", 0, err);
		else if (lim > 0)
			rc = message(N, rec, &h, chosen[i], dup, ton,
			    "deferred", "rate-limit", due, err);
		else
			rc = message(N, rec, &h, chosen[i], dup, ton, "ready",
			    NULL, 0, err);
		free(dup);
	}
	/* With "all", a number that cannot be one is said, not dropped. */
	for (i = 0; h.all && i < h.nch && rc == 0; i++)
		if (have[i] < 0 && may_contact(N, rec, &h, h.ch[i]) &&
		    address(N, rec, h.ch[i], &to, &ton) < 0)
			rc = bad_phone(N, rec, &h, h.ch[i], err);
	return rc;
}

static void
ntf_free(void *p)
{
	struct ntf *N = p;

	if (N == NULL)
		return;
	pxr_hmap_fini(&N->sent, NULL);
	pxr_hmap_fini(&N->slots, slots_free);
	pxr_hmap_fini(&N->zones, NULL);
	free(N->rename_from);
	free(N->rename_to);
	if (N->sch != NULL)
		pxr_tmpls_fini(&N->tmpls);
	pxr_buf_free(&N->rtmpl);
	pxr_buf_free(&N->vname);
	pxr_buf_free(&N->subj);
	pxr_buf_free(&N->body);
	pxr_buf_free(&N->tmp);
	pxr_buf_free(&N->mid);
	pxr_buf_free(&N->base);
	pxr_buf_free(&N->phone);
	pxr_buf_free(&N->expl);
	free(N->tdir);
	free(N);
}

/* Does any rule (or the campaign, or the fan) call?  And when. */
static void
calls_of(struct ntf *N, const struct pxr_notify_opts *o)
{
	size_t i;
	int k;

	N->call.from = 9 * 60;
	N->call.to = 18 * 60;
	N->call.days = 0x1f;
	for (k = 0; N->R == NULL && k < o->nch; k++)
		N->calls |= o->ch[k] == PXR_CH_PHONE;
	if (N->R == NULL)
		return;
	N->call = N->R->notify.call_hours;
	for (i = 0; i < N->R->nrules; i++)
		for (k = 0; N->R->rules[i].notify != NULL &&
		    k < N->R->rules[i].notify->nch; k++)
			N->calls |= N->R->rules[i].notify->ch[k] ==
			    PXR_CH_PHONE;
	for (k = 0; N->R->fan != NULL && N->R->fan->notify != NULL &&
	    k < N->R->fan->notify->nch; k++)
		N->calls |= N->R->fan->notify->ch[k] == PXR_CH_PHONE;
}

/*
 * The consent fields: the options' (one field, or some per channel),
 * else the rule file's (nc; NULL for an ad-hoc campaign).
 */
static void
consent_fields(struct ntf *N, const struct pxr_notify_opts *o,
    const struct pxr_notify_cfg *nc)
{
	int i, per = 0;

	for (i = 0; i < PXR_NCH; i++)
		per |= o->f_consent_ch[i] != NULL;
	for (i = 0; i < PXR_NCH; i++) {
		if (o->f_consent != NULL)
			N->f_consent_names[i] = o->f_consent;
		else if (per)
			N->f_consent_names[i] = o->f_consent_ch[i];
		else if (nc != NULL && nc->consent_per_channel)
			N->f_consent_names[i] = nc->f_consent_ch[i];
		else if (nc != NULL)
			N->f_consent_names[i] = nc->f_consent;
	}
	N->consent_mode = o->f_consent != NULL ? 1 : per ? 2 : nc == NULL ?
	    0 : nc->consent_per_channel ? 2 : nc->f_consent != NULL ? 1 : 0;
}

struct pxr_mapper *
pxr_notify_new(const struct pxr_notify_opts *o, struct pxr_rules *R,
    struct pxr_error *err)
{
	static const char *const addr[PXR_NCH] = { "email", "phone",
	    "device_token", "phone" };
	const struct pxr_notify_cfg *nc = R != NULL ? &R->notify : NULL;
	struct ntf *N;
	int i;

	if (R == NULL && (o->tmpl == NULL || o->nch == 0)) {
		pxr_error_set(err, PXR_EXIT_USAGE, "an ad-hoc campaign needs "
		    "a template and channels");
		return NULL;
	}
	N = pxr_calloc(1, sizeof(*N));
	N->R = R;
	N->now = o->now;
	N->compl = o->complaints;
	if ((N->nrename = o->nrename) > 0) {
		N->rename_from = pxr_calloc(o->nrename, sizeof(char *));
		N->rename_to = pxr_calloc(o->nrename, sizeof(char *));
		memcpy(N->rename_from, o->rename_from, o->nrename *
		    sizeof(char *));
		memcpy(N->rename_to, o->rename_to, o->nrename *
		    sizeof(char *));
	}
	N->sentlog = o->sentlog;
	for (i = 0; i < PXR_NCH; i++) {
		N->addr[i] = o->addr[i] != NULL ? o->addr[i] : nc != NULL ?
		    nc->addr[i] : addr[i];
		N->quiet[i] = o->quiet[i].on || nc == NULL ? o->quiet[i] :
		    nc->quiet[i];
	}
	N->max_count = o->max_count > 0 || nc == NULL ? o->max_count :
	    nc->max_count;
	N->max_period = o->max_count > 0 || nc == NULL ? o->max_period :
	    nc->max_period;
	if (R != NULL) {
		N->tdir = pxr_strdup(nc->templates);
		N->f_locale_name = o->f_locale != NULL ? o->f_locale :
		    nc->f_locale;
		N->f_tz_name = o->f_tz != NULL ? o->f_tz : nc->f_tz;
		consent_fields(N, o, nc);
		N->f_pref_name = o->f_preferred != NULL ? o->f_preferred :
		    nc->f_preferred;
		N->f_country_name = o->f_country != NULL ? o->f_country :
		    nc->f_country;
		N->country = o->country != NULL ? o->country : R->country;
		N->deflocale = o->locale != NULL ? o->locale : R->locale;
		N->currency = o->currency != NULL ? o->currency : R->currency;
		N->tz = R->tz;
	} else {
		N->adhoc.id = o->tmpl;
		N->adhoc.tmpl = o->tmpl;
		N->adhoc.nch = o->nch;
		memcpy(N->adhoc.ch, o->ch, sizeof(N->adhoc.ch));
		N->adhoc.transactional = o->transactional;
		N->tdir = pxr_strdup(o->templates != NULL ? o->templates : ".");
		N->f_locale_name = o->f_locale != NULL ? o->f_locale :
		    "locale";
		N->f_tz_name = o->f_tz != NULL ? o->f_tz : "timezone";
		consent_fields(N, o, NULL);
		N->f_pref_name = o->f_preferred;
		N->f_country_name = o->f_country != NULL ? o->f_country :
		    "country";
		N->country = o->country;
		N->deflocale = o->locale != NULL ? o->locale : "en";
		N->currency = o->currency;
		N->tz = o->tz != NULL ? o->tz : pxr_tz_env();
	}
	calls_of(N, o);
	if (read_sentlog(N, o->lock_ms, err) < 0) {
		ntf_free(N);
		return NULL;
	}
	N->m = pxr_mapper_new("notify", N, ntf_bind, ntf_map, NULL, ntf_free);
	return N->m;
}
