/* lint.c: the checks of pxr-lint that loading does not make. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "lint.h"
#include "tmpl.h"

struct known {
	const char **v;
	size_t	 n;
};

static void
know(struct known *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i], name) == 0)
			return;
	k->v = pxr_reallocarray(k->v, k->n + 1, sizeof(*k->v));
	k->v[k->n++] = name;
}

/* Know the fields the stages in mask (PXR_BY_*) add: the fields table. */
static void
know_stages(struct known *k, unsigned mask)
{
	size_t f;

	for (f = 0; f < PXR_F__N; f++)
		if (pxr_fields[f].adds & mask)
			know(k, pxr_fields[f].name);
}

static int
is_known(const struct known *k, const char *name)
{
	char first[256];
	const char *dot = strchr(name, '.');
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i], name) == 0)
			return 1;
	if (dot != NULL) {
		snprintf(first, sizeof(first), "%.*s", (int)(dot - name), name);
		for (i = 0; i < k->n; i++)
			if (strcmp(k->v[i], first) == 0)
				return 1;
	}
	return 0;
}

/* Report the unknown fields of e (at path) and its type clashes. */
static void
check_expr(struct pxr_rules *R, struct pxr_expr *e, const char *path,
    const struct known *k, int have_fields, struct pxr_diags *d)
{
	const char **names;
	int *cols;
	size_t i, n, off;
	char msg[512];

	if (e == NULL)
		return;
	n = pxr_expr_fields(e, &names, &cols);
	for (i = 0; i < n && have_fields; i++) {
		const char *s;

		if (is_known(k, names[i]))
			continue;
		s = pxr_suggest(names[i], k->v, k->n);
		pxr_diag_add(d, R->pos, path, 0, PXR_SEV_ERROR, "unknown-field",
		    "%s: unknown field '%s'%s%s%s", path, names[i],
		    s != NULL ? " (did you mean '" : "", s != NULL ? s : "",
		    s != NULL ? "'?)" : "");
		pxr_jpos_strpos(R->pos, path, (size_t)cols[i] - 1,
		    &d->v[d->n - 1].line, &d->v[d->n - 1].col);
	}
	if (pxr_expr_typecheck(e, msg, sizeof(msg), &off)) {
		pxr_diag_add(d, R->pos, path, 0, PXR_SEV_ERROR, "type-mismatch",
		    "%s: %s", path, msg);
		pxr_jpos_strpos(R->pos, path, off, &d->v[d->n - 1].line,
		    &d->v[d->n - 1].col);
	}
}

/* The path of key j of a rule: "rules[i].key[j]", or ".key" for a string. */
static void
key_path(struct pxr_rules *R, size_t i, size_t j, char *out, size_t n)
{
	if (R->rules[i].key_is_str)
		snprintf(out, n, "rules[%zu].key", i);
	else
		snprintf(out, n, "rules[%zu].key[%zu]", i, j);
}

static double
bound(const struct pxr_value *v)
{
	return v->t == PXR_V_INT ? (double)v->i : v->d;
}

static void
check_tiers(struct pxr_rules *R, struct pxr_rule *r, struct pxr_diags *d)
{
	size_t i, j;
	char path[128];

	for (i = 0; i < r->ntiers; i++)
		for (j = i + 1; j < r->ntiers; j++) {
			const struct pxr_tier *a = &r->tiers[i], *b = &r->tiers[j];
			double lo, hi;
			int loin, hiin, over;

			if (a->name == NULL || b->name == NULL)
				continue;
			/* The larger lower bound, the smaller upper bound. */
			if (!a->has_lo && !b->has_lo) {
				lo = -1e300;
				loin = 1;
			} else if (!a->has_lo || (b->has_lo &&
			    bound(&b->lo) > bound(&a->lo))) {
				lo = bound(&b->lo);
				loin = b->lo_incl;
			} else if (!b->has_lo || bound(&a->lo) > bound(&b->lo)) {
				lo = bound(&a->lo);
				loin = a->lo_incl;
			} else {
				lo = bound(&a->lo);
				loin = a->lo_incl && b->lo_incl;
			}
			if (!a->has_hi && !b->has_hi) {
				hi = 1e300;
				hiin = 1;
			} else if (!a->has_hi || (b->has_hi &&
			    bound(&b->hi) < bound(&a->hi))) {
				hi = bound(&b->hi);
				hiin = b->hi_incl;
			} else if (!b->has_hi || bound(&a->hi) < bound(&b->hi)) {
				hi = bound(&a->hi);
				hiin = a->hi_incl;
			} else {
				hi = bound(&a->hi);
				hiin = a->hi_incl && b->hi_incl;
			}
			over = lo < hi || (lo == hi && loin && hiin);
			if (over) {
				snprintf(path, sizeof(path), "%s.tiers[%zu]",
				    r->path, j);
				pxr_diag_add(d, R->pos, path, 0, PXR_SEV_ERROR,
				    "tier-overlap", "%s: tier '%s' overlaps tier "
				    "'%s'", path, b->name, a->name);
			}
		}
	for (i = 0; i + 1 < r->ntiers; i++) {
		const struct pxr_tier *a = &r->tiers[i], *b = &r->tiers[i + 1];

		if (!a->has_hi || !b->has_lo)
			continue;
		if (bound(&a->hi) < bound(&b->lo) || (bound(&a->hi) ==
		    bound(&b->lo) && !a->hi_incl && !b->lo_incl)) {
			snprintf(path, sizeof(path), "%s.tiers[%zu]", r->path,
			    i + 1);
			pxr_diag_add(d, R->pos, path, 0, PXR_SEV_WARNING,
			    "tier-gap", "%s: a measure between tier '%s' and "
			    "tier '%s' matches no tier and is dropped", path,
			    a->name, b->name);
		}
	}
}

/*
 * Whether entry p is for every customer entry x is for, by strategy:
 * when_strategy's, else all but quick-response (and those without one).
 */
static int
strategies_cover(const struct pxr_comp *p, const struct pxr_comp *x)
{
	int all = (1 << (PXR_NSTRAT + 1)) - 1, quick = 1 << PXR_STRAT_QUICK;
	int pm = p->strategies != 0 ? p->strategies : all & ~quick;
	int xm = x->strategies != 0 ? x->strategies : all & ~quick;

	return (xm & ~pm) == 0;
}

static void
check_comp(struct pxr_rules *R, struct pxr_rule *r, struct pxr_diags *d)
{
	size_t i, j;
	char path[128];

	for (i = 0; i < r->ncomp; i++)
		for (j = 0; j < i; j++) {
			const struct pxr_comp *p = &r->comp[j];

			if (p->when != NULL || !strategies_cover(p, &r->comp[i]))
				continue;
			if (p->tier == NULL || (r->comp[i].tier != NULL &&
			    strcmp(p->tier, r->comp[i].tier) == 0)) {
				snprintf(path, sizeof(path),
				    "%s.compensation[%zu]", r->path, i);
				pxr_diag_add(d, R->pos, path, 0,
				    PXR_SEV_WARNING, "comp-unreachable", "%s: "
				    "never used: compensation[%zu] takes every "
				    "incident it could match", path, j);
				break;
			}
		}
}

/* A finding in a template file at line and column (0: unknown, 1). */
static void
tdiag(struct pxr_diags *d, const char *file, long line, int col, int sev,
    const char *check, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
tdiag(struct pxr_diags *d, const char *file, long line, int col, int sev,
    const char *check, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pxr_diag_add(d, NULL, "", 0, sev, check, "%s", msg);
	d->v[d->n - 1].file = pxr_strdup(file);
	d->v[d->n - 1].line = line > 0 ? line : 1;
	d->v[d->n - 1].col = col > 0 ? col : 1;
}

/*
 * With consent per channel, a marketing rule's channel that names no
 * consent field never carries its message: a warning.
 */
static void
check_consent(struct pxr_rules *R, struct pxr_rule *r, struct pxr_diags *d)
{
	char path[128];
	int c;

	if (!R->notify.consent_per_channel || r->notify == NULL ||
	    r->notify->transactional)
		return;
	for (c = 0; c < r->notify->nch; c++) {
		if (R->notify.f_consent_ch[r->notify->ch[c]] != NULL)
			continue;
		snprintf(path, sizeof(path), "%s.notify.channels", r->path);
		pxr_diag_add(d, R->pos, path, 0, PXR_SEV_WARNING,
		    "no-consent-field", "%s: notify.fields.consent names no "
		    "field for %s: no marketing message of rule %s goes by %s",
		    path, pxr_channel_names[r->notify->ch[c]], r->id,
		    pxr_channel_names[r->notify->ch[c]]);
	}
}

/* Render an SMS template with the sample's longest values. */
static void
check_sms_length(struct pxr_tmpl *t, const char *file, const char *locale,
    const struct pxr_sample *s, const char *currency, int max_parts,
    struct pxr_diags *d)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_rec rec;
	struct pxr_render r;
	struct pxr_buf body = { 0 };
	struct pxr_error e;
	const char **names;
	size_t i, n;
	int ucs2, parts;

	pxr_tmpl_bind(t, sch);
	pxr_rec_init(&rec, sch);
	n = pxr_tmpl_fields(t, &names, NULL, NULL);
	for (i = 0; i < n; i++) {
		size_t k, idx = pxr_schema_find(sch, names[i], strlen(names[i]));

		for (k = 0; k < s->n; k++)
			if (strcmp(s->names[k], names[i]) == 0 &&
			    s->longest[k] != NULL)
				pxr_rec_set(&rec, idx, PXR_STR, s->longest[k],
				    strlen(s->longest[k]));
	}
	r.rec = &rec;
	r.locale = locale;
	r.tz = pxr_tz_utc();
	r.readtz = NULL;
	r.types = NULL;
	r.ntypes = 0;
	r.currency = currency != NULL ? currency : "EUR";
	r.f_currency = PXR_NOFIELD;
	r.sms = 1;
	if (pxr_tmpl_render(t, &r, NULL, &body, &e) == 0) {
		parts = pxr_sms_segments(body.p != NULL ? body.p : "", body.len,
		    &ucs2);
		if (parts > max_parts)
			tdiag(d, file, 1, 1, PXR_SEV_WARNING, "sms-too-long",
			    "with the sample's longest values the SMS takes "
			    "%d parts (%s), more than %d", parts, ucs2 ?
			    "UCS-2" : "GSM-7", max_parts);
	}
	pxr_buf_free(&body);
	pxr_rec_fini(&rec);
	pxr_schema_free(sch);
}

/* Template files already checked in this run: each is checked once. */
static struct known checked;

static void
check_templates(struct pxr_rules *R, struct pxr_rule *r, const char *dir,
    const struct known *k, int have_fields, const struct pxr_sample *s,
    int max_parts, struct pxr_diags *d)
{
	const char *locs[64];
	size_t nlocs = 0, i, c, j;
	char path[4096], base[32];
	const char *def = R->locale != NULL ? R->locale : "en";
	struct pxr_buf tp = { 0 };
	int found;

	locs[nlocs++] = def;
	for (i = 0; s != NULL && i < s->nlocales && nlocs < 64; i++)
		locs[nlocs++] = s->locales[i];
	for (c = 0; c < (size_t)r->notify->nch; c++) {
		const char *ch = pxr_channel_names[r->notify->ch[c]];

		for (i = 0; i < nlocs; i++) {
			struct pxr_tmpl *t;
			struct pxr_error e;
			char used[32];

			pxr_locale_base(locs[i], base, sizeof(base));
			for (j = 0; j < i; j++) {
				char b2[32];

				pxr_locale_base(locs[j], b2, sizeof(b2));
				if (strcmp(b2, base) == 0)
					break;
			}
			/* The file pxr-notify would send this customer (each
			 * file is checked once); a missing language is said
			 * once. */
			found = pxr_tmpl_resolve(dir, r->notify->tmpl, locs[i],
			    def, ch, &tp, used) == 0;
			if (j == i && (!found || (strcmp(used, locs[i]) != 0 &&
			    strcmp(used, base) != 0))) {
				char sub[128];
				int sev = found ? PXR_SEV_WARNING :
				    PXR_SEV_ERROR;

				snprintf(sub, sizeof(sub), "%s%s.template",
				    r->path, strcmp(r->path, "fan") == 0 ? "" :
				    ".notify");
				pxr_diag_add(d, R->pos, sub, 0, sev,
				    "template-missing", "%s: no template "
				    "%s.%s.%s%s", sub, r->notify->tmpl, base, ch,
				    sev == PXR_SEV_WARNING ? " (those customers "
				    "get the fallback language)" : "");
			}
			if (!found || snprintf(path, sizeof(path), "%s", tp.p) >=
			    (int)sizeof(path))
				continue;
			if (is_known(&checked, path))
				continue;
			know(&checked, pxr_strdup(path));
			t = pxr_tmpl_load(path, strcmp(ch, "email") == 0, &e);
			if (t == NULL) {
				tdiag(d, path, e.line, e.column, PXR_SEV_ERROR,
				    "template-syntax", "%s", e.text);
				continue;
			}
			if (have_fields) {
				const char **names;
				long *lines;
				int *cols;
				size_t n = pxr_tmpl_fields(t, &names, &lines,
				    &cols);

				for (j = 0; j < n; j++)
					if (!is_known(k, names[j])) {
						const char *sg = pxr_suggest(
						    names[j], k->v, k->n);

						tdiag(d, path, lines[j],
						    cols[j], PXR_SEV_ERROR,
						    "template-unknown-field",
						    "{{%s}}: unknown field%s%s%s",
						    names[j], sg != NULL ?
						    " (did you mean '" : "",
						    sg != NULL ? sg : "",
						    sg != NULL ? "'?)" : "");
					}
			}
			if (strcmp(ch, "sms") == 0 && s != NULL)
				check_sms_length(t, path, base, s, R->currency,
				    max_parts, d);
			pxr_tmpl_free(t);
		}
	}
	pxr_buf_free(&tp);
}

/* 1 if rule r pays something: a compensation entry of a kind but none. */
static int
pays(const struct pxr_rule *r)
{
	size_t j;

	for (j = 0; j < r->ncomp; j++)
		if (r->comp[j].kind != NULL &&
		    strcmp(r->comp[j].kind, "none") != 0)
			return 1;
	return 0;
}

/*
 * Configurations that can leave a paid incident untold (pxr-notify's
 * reasons): a paying rule without notify (no message at all), a fan
 * gesture without a template; and, as a note, quiet hours or a rate
 * limit that defer a paying rule's messages (told only if pxr-send runs
 * with --outbox, which the rule file cannot say).
 */
static void
check_untold(struct pxr_rules *R, struct pxr_diags *d)
{
	const struct pxr_notify_cfg *nc = &R->notify;
	char path[160];
	size_t i;
	int k, quiet;

	for (i = 0; i < R->nrules; i++) {
		const struct pxr_rule *r = &R->rules[i];
		const struct pxr_rnotify *n = r->notify;

		if (r->id == NULL || !pays(r))
			continue;
		if (n == NULL) {
			snprintf(path, sizeof(path), "%s.compensation",
			    r->path);
			pxr_diag_add(d, R->pos, path, 0, PXR_SEV_WARNING,
			    "untold-no-notify", "%s: rule '%s' pays but has "
			    "no notify: its customers would be paid and never "
			    "told", path, r->id);
			continue;
		}
		for (k = 0, quiet = 0; k < n->nch; k++)
			if (nc->quiet[n->ch[k]].on)
				quiet = 1;
		snprintf(path, sizeof(path), "%s.notify", r->path);
		if (quiet || (nc->max_count > 0 && !n->transactional))
			pxr_diag_add(d, R->pos, path, 0, PXR_SEV_NOTE,
			    "untold-deferred", "%s: %s can defer the messages "
			    "of rule '%s', which pays: only pxr-send --outbox "
			    "hands them over later", path, quiet ? "quiet "
			    "hours" : "notify.max_per_customer", r->id);
	}
	if (R->fan != NULL && R->fan->kind != NULL &&
	    strcmp(R->fan->kind, "none") != 0 && R->fan->notify == NULL)
		pxr_diag_add(d, R->pos, "fan", 0, PXR_SEV_WARNING,
		    "untold-no-notify", "fan: a gesture (%s) without "
		    "notify.template: the customer gets it and is never told",
		    R->fan->kind);
}

void
pxr_lint(struct pxr_rules *R, const struct pxr_sample *s, int max_parts,
    struct pxr_diags *d)
{
	struct known ev = { 0 }, later = { 0 }, all = { 0 };
	const struct pxr_notify_cfg *nc = &R->notify;
	const char *dir = nc->templates;
	char path[160];
	size_t i, j;
	int have = R->ncolumns > 0 || s != NULL;

	for (i = 0; i < R->ncolumns; i++)
		know(&ev, R->columns[i].name);
	for (i = 0; s != NULL && i < s->n; i++) {
		know(&ev, s->names[i]);
		if (s->bad == NULL || s->bad[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "input.columns.%s", s->names[i]);
		pxr_diag_add(d, R->pos, path, 1, PXR_SEV_WARNING,
		    "sample-value", "%s: the sample's line %ld does not read "
		    "as declared: %s", path, s->badline[i], s->bad[i]);
	}
	for (i = 0; i < ev.n; i++) {
		know(&later, ev.v[i]);
		know(&all, ev.v[i]);
	}
	/* Grouping and compensation run after detect and threshold. */
	know_stages(&later, PXR_BY_DETECT | PXR_BY_THRESHOLD);
	/* A template sees all but what pxr-send adds after it. */
	know_stages(&all, PXR_BY_JOIN | PXR_BY_DETECT | PXR_BY_THRESHOLD |
	    PXR_BY_COMPENSATE | PXR_BY_NOTIFY | PXR_BY_FAN);
	/* The customer fields the notify section names. */
	for (i = 0; i < PXR_NCH; i++)
		know(&all, nc->addr[i]);
	if (nc->f_locale != NULL)
		know(&all, nc->f_locale);
	if (nc->f_tz != NULL)
		know(&all, nc->f_tz);
	if (nc->f_country != NULL)
		know(&all, nc->f_country);
	if (nc->f_consent != NULL)
		know(&all, nc->f_consent);
	for (i = 0; i < PXR_NCH; i++)
		if (nc->f_consent_ch[i] != NULL)
			know(&all, nc->f_consent_ch[i]);
	if (nc->f_preferred != NULL)
		know(&all, nc->f_preferred);
	if (nc->f_name != NULL)
		know(&all, nc->f_name);
	for (i = 0; i < R->nrules; i++) {
		struct pxr_rule *r = &R->rules[i];

#define X(e, name) do { \
	snprintf(path, sizeof(path), "%s.%s", r->path, name); \
	check_expr(R, e, path, &ev, have, d); \
} while (0)
		X(r->when, "when");
		X(r->customer, "customer");
		X(r->at, "at");
		X(r->measure, "measure");
#undef X
		for (j = 0; j < r->nkey; j++) {
			key_path(R, i, j, path, sizeof(path));
			check_expr(R, r->key[j], path, &ev, have, d);
		}
		if (r->group != NULL)
			for (j = 0; j < r->group->nby; j++) {
				snprintf(path, sizeof(path), "%s.group.by[%zu]",
				    r->path, j);
				check_expr(R, r->group->by[j], path, &later,
				    have, d);
			}
		for (j = 0; j < r->ncomp; j++) {
#define X(e, name) do { \
	snprintf(path, sizeof(path), "%s.compensation[%zu].%s", r->path, j, \
	    name); \
	check_expr(R, e, path, &later, have, d); \
} while (0)
			X(r->comp[j].when, "when");
			X(r->comp[j].of, "of");
			X(r->comp[j].amount, "amount");
			X(r->comp[j].currency, "currency");
#undef X
		}
		check_tiers(R, r, d);
		check_comp(R, r, d);
		check_consent(R, r, d);
		if (r->notify != NULL && r->notify->tmpl != NULL)
			check_templates(R, r, dir, &all, have, s, max_parts, d);
	}
	/* The fan section reads customers: the same known fields. */
	if (R->fan != NULL) {
		static const char *fx[] = { "when", "score", "by" };
		struct pxr_expr *fe[3];

		fe[0] = R->fan->when;
		fe[1] = R->fan->score;
		fe[2] = R->fan->by;
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "fan.%s", fx[i]);
			check_expr(R, fe[i], path, &ev, have, d);
		}
		if (R->fan->notify != NULL) {
			/* As a rule with notify would be checked. */
			struct pxr_rule fr;

			memset(&fr, 0, sizeof(fr));
			snprintf(fr.path, sizeof(fr.path), "fan");
			fr.id = "fan";
			fr.notify = R->fan->notify;
			check_templates(R, &fr, dir, &all, have, s, max_parts, d);
		}
	}
	for (i = 0; i < R->nphases; i++) {
		for (j = 0; j < R->nrules; j++)
			if (R->rules[j].phase != NULL && R->phases[i].id !=
			    NULL && strcmp(R->rules[j].phase,
			    R->phases[i].id) == 0)
				break;
		if (j == R->nrules && R->phases[i].id != NULL) {
			snprintf(path, sizeof(path), "journey.phases[%zu]", i);
			pxr_diag_add(d, R->pos, path, 0, PXR_SEV_NOTE,
			    "uncovered-phase", "%s: no rule watches phase "
			    "'%s'", path, R->phases[i].id);
		}
	}
	pxr_lint_surveys(R, d);
	check_untold(R, d);
	free(ev.v);
	free(later.v);
	free(all.v);
	for (i = 0; i < checked.n; i++)
		free((char *)checked.v[i]);
	free(checked.v);
	memset(&checked, 0, sizeof(checked));
}
