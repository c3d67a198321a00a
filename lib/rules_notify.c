/*
 * rules_notify.c: the notify and fan sections of the rule file and how a
 * rule is told (its notify member), loaded into the typed model of
 * rules.h (see rules_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const struct mdef notify_defs[] = {
	{ "templates", J_STR, 0 }, { "fields", J_OBJ, 0 },
	{ "from", J_OBJ, 0 }, { "quiet_hours", J_OBJ, 0 },
	{ "max_per_customer", J_OBJ, 0 }, { "rename", J_MAP, 0 },
	{ "call_hours", J_OBJ, 0 }, { NULL, 0, 0 }
};
static const struct mdef fields_defs[] = {
	{ "email", J_STR, 0 }, { "sms", J_STR, 0 }, { "push", J_STR, 0 },
	{ "phone", J_STR, 0 }, { "locale", J_STR, 0 }, { "timezone", J_STR, 0 },
	{ "consent", J_STROBJ, 0 }, { "name", J_STR, 0 },
	{ "country", J_STR, 0 }, { "strategy", J_STR, 0 },
	{ "preferred_channel", J_STR, 0 }, { NULL, 0, 0 }
};
static const struct mdef from_defs[] = {
	{ "email", J_STR, 0 }, { "sms", J_STR, 0 }, { "push", J_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef quiet_defs[] = {
	{ "from", J_STR, 1 }, { "to", J_STR, 1 }, { NULL, 0, 0 }
};
static const struct mdef callhours_defs[] = {
	{ "from", J_STR, 0 }, { "to", J_STR, 0 }, { "days", J_STRARR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef maxper_defs[] = {
	{ "count", J_INT, 1 }, { "period", J_DUR, 1 }, { NULL, 0, 0 }
};
static const struct mdef fan_defs[] = {
	{ "when", J_EXPR, 0 }, { "score", J_EXPR, 1 }, { "cooldown", J_DUR, 0 },
	{ "per_day", J_INT, 0 }, { "by", J_EXPR, 0 }, { "kind", J_STR, 0 },
	{ "item", J_STR, 0 }, { "template", J_STR, 0 },
	{ "fixed_minor", J_INT, 0 }, { "valid", J_DUR, 0 },
	{ "channels", J_STRARR, 0 }, { NULL, 0, 0 }
};

static const struct mdef rnotify_defs[] = {
	{ "channels", J_STRARR, 1 }, { "all", J_BOOL, 0 },
	{ "template", J_STR, 1 }, { "transactional", J_BOOL, 0 },
	{ NULL, 0, 0 }
};

const char *const pxr_channel_names[PXR_NCH] = { "email", "sms", "push",
	"phone" };

int
pxr_channel_of(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < PXR_NCH; i++)
		if (strcmp(s, pxr_channel_names[i]) == 0)
			return i;
	return -1;
}

int
pxr_quiet_time(const char *s, size_t n, int *min)
{
	if (n != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	*min = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 +
	    s[4] - '0';
	return *min < 24 * 60 ? 0 : -1;
}

int
pxr_quiet_parse(const char *s, struct pxr_quiet *q)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL || pxr_quiet_time(s, (size_t)(dash - s), &q->from) < 0 ||
	    pxr_quiet_time(dash + 1, strlen(dash + 1), &q->to) < 0)
		return -1;
	q->on = 1;
	return 0;
}

/* The channels of arr (strings) into n; unknown ones are findings. */
static void
load_channels(struct ld *L, struct pxr_rnotify *n, json_t *arr,
    const char *path)
{
	char sub[200];
	json_t *x;
	size_t i;
	int c, k;

	n->nchannels = json_array_size(arr);
	n->channels = pxr_calloc(n->nchannels + 1, sizeof(char *));
	json_array_foreach(arr, i, x) {
		n->channels[i] = pxr_strdup(json_string_value(x));
		if ((c = pxr_channel_of(n->channels[i])) < 0) {
			const char *s = pxr_suggest(n->channels[i],
			    pxr_channel_names, PXR_NCH);

			snprintf(sub, sizeof(sub), "%s.channels[%zu]", path, i);
			ERR(L, sub, "wrong-type", "%s: unknown channel '%s' "
			    "(%s%s%s)", sub, n->channels[i], s != NULL ?
			    "did you mean '" : "email, sms, push or phone",
			    s != NULL ? s : "", s != NULL ? "'?" : "");
			continue;
		}
		for (k = 0; k < n->nch; k++)
			if (n->ch[k] == c)
				break;
		if (k == n->nch)
			n->ch[n->nch++] = c;
	}
}

void
pxr_rl_load_rnotify(struct ld *L, struct pxr_rnotify *n, json_t *o,
    const char *path)
{
	json_t *ch;
	char sub[200];

	if (pxr_rl_check_obj(L, o, path, rnotify_defs) < 0)
		return;
	n->tmpl = pxr_rl_getstr(o, "template");
	n->all = json_is_true(json_object_get(o, "all"));
	n->transactional = json_is_true(json_object_get(o, "transactional"));
	if ((ch = pxr_rl_get(o, "channels", J_STRARR)) != NULL) {
		load_channels(L, n, ch, path);
		if (n->nchannels == 0) {
			snprintf(sub, sizeof(sub), "%s.channels", path);
			ERR(L, sub, "missing-member", "%s: no channel", sub);
		}
	}
}

void
pxr_rl_free_rnotify(struct pxr_rnotify *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nchannels; i++)
		free(n->channels[i]);
	free(n->channels);
	free(n->tmpl);
	free(n);
}

/* The template folder: as written if absolute, else from the file's. */
static char *
template_dir(const struct pxr_rules *R, const char *t)
{
	struct pxr_buf b = { 0 };

	if (t != NULL && t[0] == '/')
		return pxr_strdup(t);
	if (t == NULL || strcmp(R->dir, ".") == 0)
		return pxr_strdup(t != NULL ? t : R->dir);
	pxr_buf_adds(&b, R->dir);
	pxr_buf_addc(&b, '/');
	pxr_buf_adds(&b, t != NULL ? t : ".");
	return b.p;
}

static void
load_quiet(struct ld *L, json_t *x)
{
	struct pxr_notify_cfg *N = &L->r->notify;
	const char *k;
	json_t *y, *t;
	char sub[200], sp[220];
	int c, j, m[2];

	json_object_foreach(x, k, y) {
		snprintf(sub, sizeof(sub), "notify.quiet_hours.%s", k);
		if ((c = pxr_channel_of(k)) < 0) {
			pxr_diag_add(L->d, L->r->pos, sub, 1, PXR_SEV_ERROR,
			    "unknown-member", "%s: unknown channel '%s'", sub,
			    k);
			continue;
		}
		if (pxr_rl_check_obj(L, y, sub, quiet_defs) < 0)
			continue;
		for (j = 0; j < 2; j++) {
			const char *w = j == 0 ? "from" : "to";

			m[j] = -1;
			if ((t = pxr_rl_get(y, w, J_STR)) == NULL)
				continue;
			snprintf(sp, sizeof(sp), "%s.%s", sub, w);
			if (pxr_quiet_time(json_string_value(t),
			    json_string_length(t), &m[j]) < 0) {
				m[j] = -1;
				ERR(L, sp, "bad-quiet-hours", "%s: expected a "
				    "time of day hh:mm, not '%s'", sp,
				    json_string_value(t));
			}
		}
		if (m[0] >= 0 && m[1] >= 0) {
			N->quiet[c].on = 1;
			N->quiet[c].from = m[0];
			N->quiet[c].to = m[1];
		}
	}
}

/* call_hours: { "from": "09:00", "to": "18:00", "days": ["mon", ...] }. */
static void
load_call_hours(struct ld *L, json_t *x)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
	    "sat", "sun" };
	struct pxr_callhours *c = &L->r->notify.call_hours;
	json_t *t, *d;
	char sub[200];
	size_t i, k;
	int j, m[2];

	if (pxr_rl_check_obj(L, x, "notify.call_hours", callhours_defs) < 0)
		return;
	m[0] = c->from;
	m[1] = c->to;
	for (j = 0; j < 2; j++) {
		const char *w = j == 0 ? "from" : "to";

		if ((t = pxr_rl_get(x, w, J_STR)) == NULL)
			continue;
		snprintf(sub, sizeof(sub), "notify.call_hours.%s", w);
		if (pxr_quiet_time(json_string_value(t), json_string_length(t),
		    &m[j]) < 0) {
			ERR(L, sub, "bad-call-hours", "%s: expected a time of "
			    "day hh:mm, not '%s'", sub, json_string_value(t));
			return;
		}
	}
	if (m[0] >= m[1])
		ERR(L, "notify.call_hours", "bad-call-hours", "notify."
		    "call_hours: 'from' must come before 'to' on the same day");
	else {
		c->from = m[0];
		c->to = m[1];
	}
	if ((t = pxr_rl_get(x, "days", J_STRARR)) == NULL)
		return;
	c->days = 0;
	json_array_foreach(t, i, d) {
		for (k = 0; k < 7; k++)
			if (strcmp(json_string_value(d), days[k]) == 0)
				break;
		snprintf(sub, sizeof(sub), "notify.call_hours.days[%zu]", i);
		if (k == 7) {
			const char *s = pxr_suggest(json_string_value(d), days,
			    7);

			ERR(L, sub, "bad-call-hours", "%s: '%s' is not a day "
			    "(mon, tue, wed, thu, fri, sat, sun)%s%s%s", sub,
			    json_string_value(d), s != NULL ? ": did you mean '" :
			    "", s != NULL ? s : "", s != NULL ? "'?" : "");
			continue;
		}
		c->days |= 1u << k;
	}
	if (c->days == 0)
		ERR(L, "notify.call_hours.days", "bad-call-hours",
		    "notify.call_hours.days: no day to call on");
}

/* rename: { "OLD": "NEW", ... }, each a string. */
static void
load_rename(struct ld *L, json_t *x)
{
	struct pxr_notify_cfg *N = &L->r->notify;
	const char *k;
	json_t *y;
	char sub[200];

	N->rename_from = pxr_calloc(json_object_size(x) + 1, sizeof(char *));
	N->rename_to = pxr_calloc(json_object_size(x) + 1, sizeof(char *));
	json_object_foreach(x, k, y) {
		snprintf(sub, sizeof(sub), "notify.rename.%s", k);
		if (!json_is_string(y) || json_string_length(y) == 0) {
			ERR(L, sub, "wrong-type", "%s: expected the new name "
			    "of the field (a string)", sub);
			continue;
		}
		N->rename_from[N->nrename] = pxr_strdup(k);
		N->rename_to[N->nrename++] = pxr_strdup(json_string_value(y));
	}
}

/* fields.consent as an object: { "email": "ok_mail", "sms": "ok_sms" }. */
static void
load_consent(struct ld *L, json_t *x)
{
	struct pxr_notify_cfg *N = &L->r->notify;
	const char *k, *s;
	json_t *y;
	char sub[200];
	int c;

	N->consent_per_channel = 1;
	json_object_foreach(x, k, y) {
		snprintf(sub, sizeof(sub), "notify.fields.consent.%s", k);
		if ((c = pxr_channel_of(k)) < 0) {
			s = pxr_suggest(k, pxr_channel_names, PXR_NCH);
			pxr_diag_add(L->d, L->r->pos, sub, 1, PXR_SEV_ERROR,
			    "unknown-channel", "%s: unknown channel '%s'%s%s%s",
			    sub, k, s != NULL ? " (did you mean '" : " (email, "
			    "sms or push)", s != NULL ? s : "", s != NULL ?
			    "'?)" : "");
			continue;
		}
		if (!json_is_string(y) || json_string_length(y) == 0) {
			ERR(L, sub, "wrong-type", "%s: expected the name of "
			    "the customer's consent field for %s (a string)",
			    sub, k);
			continue;
		}
		N->f_consent_ch[c] = pxr_strdup(json_string_value(y));
	}
}

void
pxr_rl_load_notify(struct ld *L, json_t *v)
{
	struct pxr_notify_cfg *N = &L->r->notify;
	static const char *const addr[PXR_NCH] = { "email", "phone",
	    "device_token", "phone" };
	json_t *x, *y;
	int c;

	N->call_hours.from = 9 * 60;
	N->call_hours.to = 18 * 60;
	N->call_hours.days = 0x1f;	/* Monday to Friday */
	if (v != NULL && pxr_rl_check_obj(L, v, "notify", notify_defs) < 0)
		v = NULL;
	N->templates = template_dir(L->r, v != NULL ?
	    json_string_value(pxr_rl_get(v, "templates", J_STR)) : NULL);
	if (v != NULL && (x = pxr_rl_get(v, "fields", J_OBJ)) != NULL &&
	    pxr_rl_check_obj(L, x, "notify.fields", fields_defs) == 0) {
		for (c = 0; c < PXR_NCH; c++)
			N->addr[c] = pxr_rl_getstr(x, pxr_channel_names[c]);
		N->f_locale = pxr_rl_getstr(x, "locale");
		N->f_tz = pxr_rl_getstr(x, "timezone");
		N->f_country = pxr_rl_getstr(x, "country");
		N->f_consent = pxr_rl_getstr(x, "consent");
		if ((y = pxr_rl_get(x, "consent", J_OBJ)) != NULL)
			load_consent(L, y);
		N->f_preferred = pxr_rl_getstr(x, "preferred_channel");
		N->f_name = pxr_rl_getstr(x, "name");
		N->f_strategy = pxr_rl_getstr(x, "strategy");
	}
	for (c = 0; c < PXR_NCH; c++)
		if (N->addr[c] == NULL)
			N->addr[c] = pxr_strdup(addr[c]);
	if (v == NULL)
		return;
	if ((x = pxr_rl_get(v, "from", J_OBJ)) != NULL &&
	    pxr_rl_check_obj(L, x, "notify.from", from_defs) == 0)
		for (c = 0; c < PXR_NCH; c++)
			N->from[c] = pxr_rl_getstr(x, pxr_channel_names[c]);
	if ((x = pxr_rl_get(v, "max_per_customer", J_OBJ)) != NULL &&
	    pxr_rl_check_obj(L, x, "notify.max_per_customer",
	    maxper_defs) == 0 && pxr_rl_duration(L,
	    "notify.max_per_customer.period", pxr_rl_get(x, "period", J_DUR),
	    &N->max_period) == 0 && (y = pxr_rl_get(x, "count",
	    J_INT)) != NULL)
		N->max_count = (long)json_integer_value(y);
	if ((x = pxr_rl_get(v, "quiet_hours", J_OBJ)) != NULL)
		load_quiet(L, x);
	if ((x = pxr_rl_get(v, "rename", J_MAP)) != NULL)
		load_rename(L, x);
	if ((x = pxr_rl_get(v, "call_hours", J_OBJ)) != NULL)
		load_call_hours(L, x);
}

void
pxr_rl_load_fan(struct ld *L, json_t *v)
{
	static const char *const fx[] = { "when", "score", "by" };
	struct pxr_fan *F;
	struct pxr_expr **e[3];
	json_t *x;
	char sub[64];
	size_t i;

	if (v == NULL || pxr_rl_check_obj(L, v, "fan", fan_defs) < 0)
		return;
	F = L->r->fan = pxr_calloc(1, sizeof(*F));
	e[0] = &F->when;
	e[1] = &F->score;
	e[2] = &F->by;
	for (i = 0; i < 3; i++)
		if ((x = pxr_rl_get(v, fx[i], J_EXPR)) != NULL) {
			snprintf(sub, sizeof(sub), "fan.%s", fx[i]);
			*e[i] = pxr_rl_compile(L, sub, x);
		}
	F->cooldown = 180 * PXR_US_DAY;
	(void)pxr_rl_duration(L, "fan.cooldown", pxr_rl_get(v, "cooldown",
	    J_DUR), &F->cooldown);
	F->has_valid = pxr_rl_duration(L, "fan.valid", pxr_rl_get(v, "valid",
	    J_DUR), &F->valid) == 0;
	F->per_day = 1;
	if ((x = pxr_rl_get(v, "per_day", J_INT)) != NULL &&
	    json_integer_value(x) >= 1)
		F->per_day = (long)json_integer_value(x);
	if ((x = pxr_rl_get(v, "fixed_minor", J_INT)) != NULL) {
		F->has_fixed = 1;
		F->fixed_minor = json_integer_value(x);
	}
	F->kind = pxr_rl_getstr(v, "kind");
	F->item = pxr_rl_getstr(v, "item");
	if ((x = pxr_rl_get(v, "template", J_STR)) != NULL) {
		F->notify = pxr_calloc(1, sizeof(*F->notify));
		F->notify->tmpl = pxr_strdup(json_string_value(x));
		if ((x = pxr_rl_get(v, "channels", J_STRARR)) != NULL)
			load_channels(L, F->notify, x, "fan");
		if (F->notify->nch == 0) {
			F->notify->ch[F->notify->nch++] = PXR_CH_EMAIL;
			F->notify->ch[F->notify->nch++] = PXR_CH_SMS;
		}
	}
}

void
pxr_rl_free_sections(struct pxr_rules *R)
{
	struct pxr_notify_cfg *N = &R->notify;
	size_t i;
	int c;

	free(N->templates);
	for (c = 0; c < PXR_NCH; c++) {
		free(N->addr[c]);
		free(N->from[c]);
		free(N->f_consent_ch[c]);
	}
	free(N->f_preferred);
	free(N->f_locale);
	free(N->f_tz);
	free(N->f_country);
	free(N->f_consent);
	free(N->f_name);
	free(N->f_strategy);
	for (i = 0; i < N->nrename; i++) {
		free(N->rename_from[i]);
		free(N->rename_to[i]);
	}
	free(N->rename_from);
	free(N->rename_to);
	if (R->fan != NULL) {
		pxr_expr_free(R->fan->when);
		pxr_expr_free(R->fan->score);
		pxr_expr_free(R->fan->by);
		free(R->fan->kind);
		free(R->fan->item);
		pxr_rl_free_rnotify(R->fan->notify);
		free(R->fan);
	}
}
