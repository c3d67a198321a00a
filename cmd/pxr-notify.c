/* pxr-notify: one message per incident and channel, rendered, or why not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rules.h"
#include "sentlog.h"
#include "state.h"
#include "tmpl.h"

static const char usage[] =
"usage: pxr-notify -r RULES [--sent-log FILE] [--preview] [options] [INPUT ...]\n"
"       pxr-notify --templates DIR --template NAME --channels LIST\n"
"                  [--field CHANNEL=FIELD ...] [--transactional]\n"
"                  [--quiet CHANNEL=HH:MM-HH:MM ...] [--max-per-customer N/DURATION]\n"
"                  [--sent-log FILE] [--preview] [options] [INPUT ...]\n";

static const char help[] =
"For each incident of a rule with 'notify', choose the channel (the first\n"
"the customer has an address and consent for; every one with \"all\"),\n"
"render the template in the customer's language and write one message\n"
"row: message_id, incident_id, customer_id, channel, to, locale, subject,\n"
"body, segments, send_after, status (ready, deferred, suppressed), reason.\n"
"Without a rule file, --templates/--template/--channels render a message\n"
"for every row (an analyst's campaign), under the same rules.\n"
"\n"
"      --sent-log FILE      read for messages already sent and rate limits\n"
"      --preview            show the messages for a person, not as records\n"
"      --templates DIR, --template NAME, --channels email,sms,push\n"
"      --field CH=FIELD     the customer field of a channel's address, or of\n"
"                           locale, timezone, consent, name (repeatable)\n"
"      --transactional      not counted against, nor stopped by, the limit\n"
"      --quiet CH=FROM-TO   quiet hours of a channel, e.g. sms=21:00-08:00\n"
"      --max-per-customer N/DUR   e.g. 1/24h\n"
"\n"
"example:\n"
"  pxr-compensate -r plays.json --ledger state/ledger.csv < tiered.csv \\\n"
"    | pxr-notify -r plays.json --sent-log state/sent.csv --now \"$RUN_AT\"\n";

enum { CH_EMAIL, CH_SMS, CH_PUSH, NCH };
static const char *const chname[NCH] = { "email", "sms", "push" };

struct quiet {
	int	 on;
	int	 from, to;	/* minutes of the day */
};

/* What a rule (or the ad-hoc campaign) says about messages. */
struct how {
	const char *id;		/* rule id, or the template name */
	int	 ch[NCH];	/* channels in order of preference */
	int	 nch;
	int	 all;
	const char *tmpl;
	int	 transactional;
};

struct kv {
	struct kv *next;
	char	*key;
	long	 n;
};

struct notify {
	struct pxr_rules *R;
	const char *tdir;
	char	*field[NCH];	/* address fields */
	char	*f_locale_name, *f_tz_name, *f_consent_name;
	struct quiet quiet[NCH];
	long	 max_count;	/* 0: no limit */
	int64_t	 max_period;
	struct how adhoc;
	int	 is_adhoc;
	int	 preview;
	const char *sentlog;
	int64_t	 now;
	struct pxr_tz *tz;
	const char *deflocale;
	const char *currency;
	struct kv **sent;	/* message ids sent */
	struct kv **count;	/* customer -> messages in the period */
	size_t	 nslots;
	struct pxr_tmpls tmpls;	/* by name, locale and channel */
	struct pxr_schema *sch;
	size_t	 f_addr[NCH], f_locale, f_tz, f_consent, f_rule, f_id,
		 f_cust, f_ccur;
	size_t	 o_mid, o_iid, o_cust, o_ch, o_to, o_locale, o_subj, o_body,
		 o_seg, o_after, o_status, o_reason;
	struct pxr_buf subj, body, tmp;
	int	 transactional_rule[4096];
};

static struct notify N;

static struct kv *
kv_get(struct kv **tab, const char *k, size_t n, int add)
{
	struct kv **slot = &tab[pxr_hash(k, n) & (N.nslots - 1)], *e;

	for (e = *slot; e != NULL; e = e->next)
		if (strlen(e->key) == n && memcmp(e->key, k, n) == 0)
			return e;
	if (!add)
		return NULL;
	e = pxr_calloc(1, sizeof(*e));
	e->key = pxr_strndup(k, n);
	e->next = *slot;
	*slot = e;
	return e;
}

static int
channel_of(const char *s)
{
	int i;

	for (i = 0; i < NCH; i++)
		if (strcmp(s, chname[i]) == 0)
			return i;
	return -1;
}

/* Is a message of this rule id transactional?  (for the sent log) */
static int
rule_transactional(const char *mid)
{
	const char *colon = strchr(mid, ':');
	char id[128];
	struct pxr_rule *r;

	if (N.R == NULL)
		return N.adhoc.transactional;
	snprintf(id, sizeof(id), "%.*s", colon != NULL ? (int)(colon - mid) :
	    (int)strlen(mid), mid);
	r = pxr_rules_find(N.R, id);
	return r != NULL && r->notify != NULL && r->notify->transactional;
}

static int
sent_row(void *ctx, char **f, size_t *l, long line)
{
	struct pxr_error e;
	int64_t t;

	(void)ctx;
	(void)line;
	if (pxr_sentlog_state(f[PXR_SL_STATUS]) != PXR_SENT_SENT)
		return 0;
	kv_get(N.sent, f[PXR_SL_MESSAGE_ID], l[PXR_SL_MESSAGE_ID], 1);
	if (N.max_count > 0 && !rule_transactional(f[PXR_SL_MESSAGE_ID]) &&
	    pxr_time_parse(f[PXR_SL_SENT_AT], l[PXR_SL_SENT_AT], NULL, &t,
	    NULL, &e) == 0 && t > N.now - N.max_period && t <= N.now)
		kv_get(N.count, f[PXR_SL_CUSTOMER_ID], l[PXR_SL_CUSTOMER_ID],
		    1)->n++;
	return 0;
}

static void
config_from_rules(void)
{
	const struct pxr_notify_cfg *n = &N.R->notify;
	size_t i;

	N.deflocale = N.R->locale;
	N.currency = N.R->currency;
	N.tz = N.R->tz;
	N.tdir = n->templates;
	for (i = 0; i < NCH; i++) {
		N.field[i] = n->addr[i];
		N.quiet[i].on = n->quiet[i].on;
		N.quiet[i].from = n->quiet[i].from;
		N.quiet[i].to = n->quiet[i].to;
	}
	N.f_locale_name = n->f_locale;
	N.f_tz_name = n->f_tz;
	N.f_consent_name = n->f_consent;
	N.max_count = n->max_count;
	N.max_period = n->max_period;
}

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	int i;

	(void)c;
	N.sch = sch;
	pxr_tmpls_init(&N.tmpls, N.tdir, N.deflocale, sch);
	for (i = 0; i < NCH; i++)
		N.f_addr[i] = pxr_schema_ref(sch, N.field[i],
		    strlen(N.field[i]));
	N.f_locale = N.f_locale_name != NULL ? pxr_schema_ref(sch,
	    N.f_locale_name, strlen(N.f_locale_name)) : PXR_NOFIELD;
	N.f_tz = N.f_tz_name != NULL ? pxr_schema_ref(sch, N.f_tz_name,
	    strlen(N.f_tz_name)) : PXR_NOFIELD;
	N.f_consent = N.f_consent_name != NULL ? pxr_schema_ref(sch,
	    N.f_consent_name, strlen(N.f_consent_name)) : PXR_NOFIELD;
	N.f_rule = pxr_schema_ref(sch, "rule", 4);
	N.f_id = pxr_schema_ref(sch, "incident_id", 11);
	N.f_cust = pxr_schema_ref(sch, "customer_id", 11);
	N.f_ccur = pxr_schema_ref(sch, "comp_currency", 13);
	N.o_mid = pxr_schema_add(sch, "message_id", 10);
	N.o_iid = pxr_schema_add(sch, "incident_id", 11);
	N.o_cust = pxr_schema_add(sch, "customer_id", 11);
	N.o_ch = pxr_schema_add(sch, "channel", 7);
	N.o_to = pxr_schema_add(sch, "to", 2);
	N.o_locale = pxr_schema_add(sch, "locale", 6);
	N.o_subj = pxr_schema_add(sch, "subject", 7);
	N.o_body = pxr_schema_add(sch, "body", 4);
	N.o_seg = pxr_schema_add(sch, "segments", 8);
	N.o_after = pxr_schema_add(sch, "send_after", 10);
	N.o_status = pxr_schema_add(sch, "status", 6);
	N.o_reason = pxr_schema_add(sch, "reason", 6);
	return 0;
}

static int
has_consent(const struct pxr_rec *rec)
{
	const struct pxr_val *v;

	if (N.f_consent == PXR_NOFIELD)
		return 1;
	v = pxr_rec_get(rec, N.f_consent);
	if (PXR_ISNULL(v))
		return 0;
	return (v->n == 4 && strncasecmp(v->s, "true", 4) == 0) ||
	    (v->n == 3 && strncasecmp(v->s, "yes", 3) == 0) ||
	    (v->n == 1 && (v->s[0] == 'y' || v->s[0] == 'Y' ||
	    v->s[0] == '1'));
}

static void
set(struct pxr_rec *rec, size_t f, const char *s, size_t n)
{
	if (s == NULL)
		pxr_rec_setnull(rec, f);
	else
		pxr_rec_set(rec, f, PXR_STR, s, n);
}

static int
emit(struct pxr_cli *c, struct pxr_rec *rec)
{
	const struct pxr_val *v;

	if (!N.preview)
		return pxr_cli_emit(c, rec);
	v = pxr_rec_get(rec, N.o_status);
	printf("--- %s", pxr_rec_get(rec, N.o_mid)->s);
	if (!PXR_ISNULL(pxr_rec_get(rec, N.o_to)))
		printf(" to %s", pxr_rec_get(rec, N.o_to)->s);
	printf(" [%s", v->s);
	v = pxr_rec_get(rec, N.o_reason);
	if (!PXR_ISNULL(v))
		printf(": %s", v->s);
	v = pxr_rec_get(rec, N.o_after);
	if (!PXR_ISNULL(v))
		printf(", after %s", v->s);
	v = pxr_rec_get(rec, N.o_locale);
	if (!PXR_ISNULL(v))
		printf(", %s", v->s);
	v = pxr_rec_get(rec, N.o_seg);
	if (!PXR_ISNULL(v))
		printf(", %s SMS part%s", v->s, strcmp(v->s, "1") == 0 ? "" :
		    "s");
	printf("]\n");
	v = pxr_rec_get(rec, N.o_subj);
	if (!PXR_ISNULL(v))
		printf("Subject: %s\n\n", v->s);
	v = pxr_rec_get(rec, N.o_body);
	if (!PXR_ISNULL(v))
		printf("%s%s", v->s, v->n > 0 && v->s[v->n - 1] == '\n' ? "" :
		    "\n");
	printf("\n");
	c->nout++;
	return 0;
}

/* When may a message on channel ch go: 0 now, else the UTC time (µs). */
static int64_t
after_quiet(int ch, struct pxr_tz *tz)
{
	struct pxr_civil cv;
	const struct quiet *q = &N.quiet[ch];
	int m, in;
	int64_t day;

	if (!q->on)
		return 0;
	pxr_time_civil(N.now, tz, &cv);
	m = cv.hour * 60 + cv.min;
	if (q->from < q->to)
		in = m >= q->from && m < q->to;
	else
		in = m >= q->from || m < q->to;
	if (!in)
		return 0;
	day = pxr_days_from_civil(cv.year, cv.month, cv.day);
	if (q->from > q->to && m >= q->from)
		day++;		/* evening: the end is tomorrow morning */
	{
		int y, mo, d;
		int64_t t = day * PXR_US_DAY;
		struct pxr_civil x;

		pxr_time_civil(t, NULL, &x);
		y = x.year;
		mo = x.month;
		d = x.day;
		return pxr_time_from_local(tz, y, mo, d, q->to / 60,
		    q->to % 60, 0, 0);
	}
}

static int
message(struct pxr_cli *c, struct pxr_rec *rec, const struct how *h, int ch,
    const char *mid, size_t midn, const char *to, size_t ton,
    const char *status, const char *reason)
{
	const struct pxr_val *lv = pxr_rec_get(rec, N.f_locale);
	const struct pxr_val *zv = pxr_rec_get(rec, N.f_tz);
	char loc[32] = "", zone[128];
	struct pxr_tz *tz = N.tz;

	/* Read the customer's fields before the output fields (which may
	 * share their names, "locale") are set. */
	if (!PXR_ISNULL(lv))
		snprintf(loc, sizeof(loc), "%.*s", (int)(lv->n > 31 ? 31 :
		    lv->n), lv->s);
	if (!PXR_ISNULL(zv)) {
		struct pxr_tz *z;

		snprintf(zone, sizeof(zone), "%.*s", (int)(zv->n > 127 ? 127 :
		    zv->n), zv->s);
		if ((z = pxr_tz_get(zone)) != NULL)
			tz = z;	/* an unknown zone: the default, never "anyway" */
	}
	set(rec, N.o_mid, mid, midn);
	pxr_rec_setref(rec, N.o_ch, PXR_STR, chname[ch], strlen(chname[ch]));
	set(rec, N.o_to, to, ton);
	/* Until a template is chosen, the customer's own locale. */
	if (loc[0] != '\0')
		pxr_rec_set(rec, N.o_locale, PXR_STR, loc, strlen(loc));
	else
		pxr_rec_setnull(rec, N.o_locale);
	pxr_rec_setnull(rec, N.o_subj);
	pxr_rec_setnull(rec, N.o_body);
	pxr_rec_setnull(rec, N.o_seg);
	pxr_rec_setnull(rec, N.o_after);
	pxr_rec_setref(rec, N.o_status, PXR_STR, status, strlen(status));
	set(rec, N.o_reason, reason, reason != NULL ? strlen(reason) : 0);
	if (strcmp(status, "suppressed") != 0) {
		const struct pxr_tmpl *t;
		struct pxr_render r;
		const char *used = NULL;
		int64_t after;

		t = pxr_tmpls_get(&N.tmpls, h->tmpl, loc, chname[ch], &used,
		    &c->err);
		if (t == NULL && c->err.exit == PXR_EXIT_CONFIG)
			pxr_cli_die(c, &c->err);	/* a broken template */
		if (t == NULL)
			return -1;
		r.rec = rec;
		r.locale = used;
		r.tz = tz;
		r.currency = N.currency;
		r.f_currency = N.f_ccur;
		pxr_buf_reset(&N.subj);
		pxr_buf_reset(&N.body);
		if (pxr_tmpl_render(t, &r, ch == CH_EMAIL ? &N.subj : NULL,
		    &N.body, &c->err) < 0) {
			char text[sizeof(c->err.text)];

			snprintf(text, sizeof(text), "%s", c->err.text);
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
			    "template %s.%s.%s: %s", h->tmpl, used, chname[ch],
			    text);
		}
		pxr_rec_set(rec, N.o_locale, PXR_STR, used, strlen(used));
		if (ch == CH_EMAIL)
			pxr_rec_set(rec, N.o_subj, PXR_STR, N.subj.p != NULL ?
			    N.subj.p : "", N.subj.len);
		pxr_rec_set(rec, N.o_body, PXR_STR, N.body.p != NULL ?
		    N.body.p : "", N.body.len);
		if (ch == CH_SMS) {
			int ucs2;

			pxr_rec_setf(rec, N.o_seg, PXR_NUM, "%d",
			    pxr_sms_segments(N.body.p != NULL ? N.body.p : "",
			    N.body.len, &ucs2));
		}
		if ((after = after_quiet(ch, tz)) != 0) {
			pxr_buf_reset(&N.tmp);
			pxr_time_format(&N.tmp, after);
			pxr_rec_set(rec, N.o_after, PXR_STR, N.tmp.p, N.tmp.len);
			pxr_rec_setref(rec, N.o_status, PXR_STR, "deferred", 8);
			pxr_rec_setref(rec, N.o_reason, PXR_STR, "quiet-hours",
			    11);
		}
	}
	return emit(c, rec) < 0 ? -2 : 0;
}

/* A row of pxr-fan: rule "fan" and no such rule in the file. */
static int
is_fan(const struct pxr_rec *rec)
{
	const struct pxr_val *v = pxr_rec_get(rec, N.f_rule);

	return !PXR_ISNULL(v) && v->n == 3 && memcmp(v->s, "fan", 3) == 0 &&
	    pxr_rules_find(N.R, "fan") == NULL && N.R->fan != NULL;
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	struct how rh;
	const struct how *h;
	const struct pxr_val *iv, *cv;
	struct pxr_buf mid = { 0 }, base = { 0 };
	int have[NCH], i, first = -1, n, rc = 0;
	int chosen[NCH], nchosen = 0;

	if (N.is_adhoc)
		h = &N.adhoc;
	else if (is_fan(rec)) {
		/* A pick of pxr-fan: the rule file's fan section says how. */
		const struct pxr_rnotify *fn = N.R->fan->notify;

		if (fn == NULL)
			return 0;	/* no template: the gesture goes untold */
		memset(&rh, 0, sizeof(rh));
		rh.id = "fan";
		rh.tmpl = fn->tmpl;
		for (i = 0; i < fn->nch; i++)
			rh.ch[rh.nch++] = fn->ch[i];
		h = &rh;
	} else {
		struct pxr_rule *r = pxr_cli_rule_of(c, N.R, rec, N.f_rule);

		if (r == NULL)
			return -1;
		if (r->notify == NULL)
			return 0;	/* a rule without notify: no message */
		memset(&rh, 0, sizeof(rh));
		rh.id = r->id;
		for (i = 0; i < r->notify->nch; i++)
			rh.ch[rh.nch++] = r->notify->ch[i];
		rh.all = r->notify->all;
		rh.tmpl = r->notify->tmpl;
		rh.transactional = r->notify->transactional;
		h = &rh;
	}
	cv = pxr_rec_get(rec, N.f_cust);
	iv = pxr_rec_get(rec, N.f_id);
	if (!PXR_ISNULL(iv))
		pxr_buf_add(&base, iv->s, iv->n);
	else {
		/* An ad-hoc campaign row: TEMPLATE:CUSTOMER. */
		pxr_buf_adds(&base, h->tmpl);
		pxr_buf_addc(&base, ':');
		if (!PXR_ISNULL(cv))
			pxr_buf_add(&base, cv->s, cv->n);
	}
	pxr_rec_set(rec, N.o_iid, PXR_STR, base.p, base.len);
	if (PXR_ISNULL(cv))
		pxr_rec_setnull(rec, N.o_cust);
	for (i = 0; i < h->nch; i++) {
		const struct pxr_val *a = pxr_rec_get(rec, N.f_addr[h->ch[i]]);

		have[i] = !PXR_ISNULL(a) && a->n > 0;
		if (have[i] && first < 0)
			first = i;
	}
#define MID(ch) do { \
	pxr_buf_reset(&mid); \
	pxr_buf_add(&mid, base.p, base.len); \
	pxr_buf_addc(&mid, ':'); \
	pxr_buf_adds(&mid, chname[ch]); \
} while (0)
	if (first < 0) {
		MID(h->ch[0]);
		rc = message(c, rec, h, h->ch[0], mid.p, mid.len, NULL, 0,
		    "suppressed", "no-address");
		goto done;
	}
	if (!has_consent(rec)) {
		const struct pxr_val *a = pxr_rec_get(rec, N.f_addr[h->ch[first]]);

		MID(h->ch[first]);
		rc = message(c, rec, h, h->ch[first], mid.p, mid.len, a->s, a->n,
		    "suppressed", "no-consent");
		goto done;
	}
	for (i = 0; i < h->nch; i++)
		if (have[i] && (h->all || nchosen == 0))
			chosen[nchosen++] = h->ch[i];
	/* The rate limit counts contacts (incidents), not channels. */
	n = 0;
	if (N.max_count > 0 && !h->transactional && !PXR_ISNULL(cv)) {
		struct kv *k = kv_get(N.count, cv->s, cv->n, 1);

		if (k->n >= N.max_count)
			n = -1;
		else
			k->n++;
	}
	for (i = 0; i < nchosen && rc == 0; i++) {
		const struct pxr_val *a = pxr_rec_get(rec, N.f_addr[chosen[i]]);
		char *to = pxr_strndup(a->s, a->n);

		MID(chosen[i]);
		if (kv_get(N.sent, mid.p, mid.len, 0) != NULL)
			rc = message(c, rec, h, chosen[i], mid.p, mid.len, to,
			    a->n, "suppressed", "already-sent");
		else if (n < 0)
			rc = message(c, rec, h, chosen[i], mid.p, mid.len, to,
			    a->n, "suppressed", "rate-limit");
		else
			rc = message(c, rec, h, chosen[i], mid.p, mid.len, to,
			    a->n, "ready", NULL);
		free(to);
	}
#undef MID
done:
	pxr_buf_free(&mid);
	pxr_buf_free(&base);
	return rc;
}

static void
read_sentlog(struct pxr_cli *c, long lock_ms)
{
	struct pxr_state *st;
	size_t torn;

	if (N.sentlog == NULL)
		return;
	st = pxr_state_open(N.sentlog, pxr_sentlog_cols, 1, &c->err);
	if (st == NULL || pxr_state_lock(st, lock_ms, &c->err) < 0 ||
	    pxr_state_refresh(st, sent_row, NULL, &torn, &c->err) < 0)
		pxr_cli_die(c, &c->err);
	if (torn > 0)
		pxr_cli_warn(c, "%s: a torn last row (%zu bytes) was ignored",
		    N.sentlog, torn);
	pxr_state_close(st);
}

int
main(int argc, char **argv)
{
	enum { O_SENT = OPT_CMD, O_PREVIEW, O_TDIR, O_TMPL, O_CHANNELS,
	    O_FIELD, O_TRANS, O_QUIET, O_MAX, O_LOCK };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "sent-log", required_argument, NULL, O_SENT },
		{ "preview", no_argument, NULL, O_PREVIEW },
		{ "templates", required_argument, NULL, O_TDIR },
		{ "template", required_argument, NULL, O_TMPL },
		{ "channels", required_argument, NULL, O_CHANNELS },
		{ "field", required_argument, NULL, O_FIELD },
		{ "transactional", no_argument, NULL, O_TRANS },
		{ "quiet", required_argument, NULL, O_QUIET },
		{ "max-per-customer", required_argument, NULL, O_MAX },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, NULL };
	struct pxr_cli c;
	long lock_ms = 60000;
	int ch, i;
	char **v;

	pxr_cli_init(&c, argv, "pxr-notify", usage, help);
	N.nslots = 65536;
	N.sent = pxr_calloc(N.nslots, sizeof(*N.sent));
	N.count = pxr_calloc(N.nslots, sizeof(*N.count));
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_SENT: N.sentlog = optarg; break;
		case O_PREVIEW: N.preview = c.no_records = 1; break;
		case O_TDIR: N.tdir = optarg; N.is_adhoc = 1; break;
		case O_TMPL: N.adhoc.tmpl = optarg; N.is_adhoc = 1; break;
		case O_CHANNELS:
			N.is_adhoc = 1;
			v = pxr_cli_split(optarg);
			for (i = 0; v[i] != NULL; i++) {
				if (channel_of(v[i]) < 0 || i >= NCH)
					pxr_cli_usage(&c, "--channels: '%s' is "
					    "not email, sms or push", v[i]);
				N.adhoc.ch[N.adhoc.nch++] = channel_of(v[i]);
			}
			for (i = 0; v[i] != NULL; i++)
				free(v[i]);
			free(v);
			break;
		case O_FIELD: {
			char *eq = strchr(optarg, '=');
			int k;

			if (eq == NULL || eq[1] == '\0')
				pxr_cli_usage(&c, "--field: expected CHANNEL="
				    "FIELD, e.g. email=mail");
			*eq = '\0';
			if ((k = channel_of(optarg)) >= 0)
				N.field[k] = eq + 1;
			else if (strcmp(optarg, "locale") == 0)
				N.f_locale_name = eq + 1;
			else if (strcmp(optarg, "timezone") == 0)
				N.f_tz_name = eq + 1;
			else if (strcmp(optarg, "consent") == 0)
				N.f_consent_name = eq + 1;
			else if (strcmp(optarg, "name") != 0)
				pxr_cli_usage(&c, "--field: '%s' is not email, "
				    "sms, push, locale, timezone, consent or "
				    "name", optarg);
			break;
		}
		case O_TRANS: N.adhoc.transactional = 1; break;
		case O_QUIET: {
			char *eq = strchr(optarg, '=');
			struct pxr_quiet q;
			int k;

			if (eq == NULL)
				pxr_cli_usage(&c, "--quiet: expected "
				    "CHANNEL=HH:MM-HH:MM");
			*eq = '\0';
			if ((k = channel_of(optarg)) < 0 ||
			    pxr_quiet_parse(eq + 1, &q) < 0)
				pxr_cli_usage(&c, "--quiet: expected "
				    "CHANNEL=HH:MM-HH:MM, e.g. sms=21:00-08:00");
			N.quiet[k].on = 1;
			N.quiet[k].from = q.from;
			N.quiet[k].to = q.to;
			break;
		}
		case O_MAX: {
			char *slash = strchr(optarg, '/');
			struct pxr_error e;

			if (slash == NULL || (N.max_count = atol(optarg)) <= 0 ||
			    pxr_dur_parse(slash + 1, strlen(slash + 1),
			    &N.max_period, &e) < 0)
				pxr_cli_usage(&c, "--max-per-customer: expected "
				    "N/DURATION, e.g. 1/24h");
			break;
		}
		case O_LOCK: lock_ms = pxr_cli_ms(&c, "--lock-timeout", optarg);
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (N.is_adhoc) {
		if (N.tdir == NULL || N.adhoc.tmpl == NULL || N.adhoc.nch == 0)
			pxr_cli_usage(&c, "an ad-hoc campaign needs --templates "
			    "DIR, --template NAME and --channels LIST");
		if (getenv("PXR_RULES") == NULL && c.rules != NULL)
			pxr_cli_usage(&c, "--templates/--template/--channels "
			    "go without a rule file");
		N.adhoc.id = N.adhoc.tmpl;
		N.tz = pxr_tz_env();
		N.deflocale = "en";
		for (i = 0; i < NCH; i++)
			if (N.field[i] == NULL)
				N.field[i] = (char *)(i == CH_SMS ? "phone" :
				    i == CH_PUSH ? "device_token" : "email");
		if (N.f_locale_name == NULL)
			N.f_locale_name = "locale";
		if (N.f_tz_name == NULL)
			N.f_tz_name = "timezone";
	} else {
		N.R = pxr_cli_rules(&c);
		config_from_rules();
	}
	N.now = pxr_cli_now(&c, N.tz);
	read_sentlog(&c, lock_ms);
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
