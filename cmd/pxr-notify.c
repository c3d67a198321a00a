/* pxr-notify: one message per incident and channel, rendered, or why not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fields.h"
#include "notify.h"
#include "phone.h"

static const char usage[] =
"usage: pxr-notify -r RULES [--sent-log FILE] [--complaints FILE] [--preview]\n"
"                  [options] [INPUT ...]\n"
"       pxr-notify --templates DIR --template NAME --channels LIST\n"
"                  [--field CHANNEL=FIELD ...] [--transactional]\n"
"                  [--quiet-hours CHANNEL=HH:MM-HH:MM ...]\n"
"                  [--max-per-customer N/DURATION] [--currency CODE]\n"
"                  [--locale LOCALE] [--country CC] [--sent-log FILE]\n"
"                  [--preview] [options]\n"
"                  [INPUT ...]\n";

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
"      --complaints FILE    customer_id, complained_at[, subject]: who\n"
"                           contacted us about an incident before being\n"
"                           told gets NAME.complained, marked 'complained'\n"
"      --preview            show the messages for a person, not as records\n"
"      --templates DIR, --template NAME, --channels email,sms,push,phone\n"
"      --field CH=FIELD     the customer field of a channel's address, or of\n"
"                           locale, timezone, consent (or consent.CHANNEL,\n"
"                           one per channel), preferred_channel, name,\n"
"                           country (repeatable)\n"
"      --transactional      a service message: not counted against, nor\n"
"                           stopped by, the limit; needs no consent, but an\n"
"                           explicit opt-out (false, no, n, 0) is honoured\n"
"      --quiet-hours CH=FROM-TO  quiet hours of a channel, e.g.\n"
"                           sms=21:00-08:00 (repeatable)\n"
"      --max-per-customer N/DUR   e.g. 1/24h\n"
"      --currency CODE      currency of money without comp_currency\n"
"      --locale LOCALE      the fallback language of templates\n"
"      --country CC         the country (ISO 3166, e.g. SE) of a phone\n"
"                           number written without +: 070-123 45 67 in SE\n"
"                           is +46701234567\n"
"      --rename OLD=NEW     rename an input field that has the name of one\n"
"                           pxr-notify writes (status, reason, ...)\n"
"      --explain            say on stderr why each message was made so: the\n"
"                           channel, consent, template, quiet hours, limit\n"
"\n"
"example:\n"
"  pxr-compensate -r plays.json --ledger state/ledger.csv < tiered.csv \\\n"
"    | pxr-notify -r plays.json --sent-log state/sent.csv --now \"$RUN_AT\"\n"
"  pxr-notify -r plays.json --sent-log state/sent.csv \\\n"
"    --complaints complaints.csv < comp.csv\n";

/*
 * --complaints FILE: customer_id, complained_at and an optional subject
 * a row (pxr-report's complaints export), under --on-error; times
 * without a zone in tz.  new.
 */
static struct pxr_complaints *
read_complaints(struct pxr_cli *c, const char *path, struct pxr_tz *tz)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in = pxr_cli_sidein(c, path, sch);
	struct pxr_complaint *v = NULL;
	struct pxr_complaints *X;
	struct pxr_rec rec;
	size_t fc, fa, fs, n = 0, cap = 0, i;

	fc = pxr_schema_ref(sch, "customer_id", 11);
	fa = pxr_schema_ref(sch, "complained_at", 13);
	fs = pxr_schema_ref(sch, "subject", 7);
	pxr_rec_init(&rec, sch);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const struct pxr_val *cv = pxr_rec_get(&rec, fc),
		    *av = pxr_rec_get(&rec, fa), *sv = pxr_rec_get(&rec, fs);
		struct pxr_buf where = { 0 };
		int64_t t;

		if (PXR_ISNULL(cv) || cv->n == 0 || PXR_ISNULL(av) ||
		    pxr_time_parse(av->s, av->n, tz, &t, NULL, &c->err) < 0) {
			pxr_error_set(&c->err, PXR_EXIT_DATAERR, "a complaint "
			    "needs customer_id and a complained_at time");
			pxr_cli_sidein_bad(c, in, &rec);
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = pxr_reallocarray(v, cap, sizeof(*v));
		}
		pxr_buf_printf(&where, "%s:%ld", path, rec.line);
		v[n].cust = pxr_strndup(cv->s, cv->n);
		v[n].at = t;
		v[n].subject = PXR_ISNULL(sv) ? NULL : pxr_strndup(sv->s,
		    sv->n);
		v[n++].where = where.p;
	}
	X = pxr_complaints_new(v, n);
	for (i = 0; i < n; i++) {
		free((char *)v[i].cust);
		free((char *)v[i].subject);
		free((char *)v[i].where);
	}
	free(v);
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
	return X;
}

/* --preview: the messages for a person, around the notify mapper. */
struct preview {
	struct pxr_mapper *notify;
	struct pxr_cli *c;
	size_t	 o_mid, o_to, o_status, o_reason, o_after, o_locale, o_seg,
		 o_subj, o_body, o_prio, o_cfrom, o_cto;
};

static const char *
str(const struct pxr_rec *rec, size_t f)
{
	const struct pxr_val *v = pxr_rec_get(rec, f);

	return PXR_ISNULL(v) ? NULL : v->s;
}

static int
preview_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	struct preview *p = arg;
	const char *s;

	(void)err;
	printf("--- %s", str(rec, p->o_mid));
	if ((s = str(rec, p->o_to)) != NULL)
		printf(" to %s", s);
	printf(" [%s", str(rec, p->o_status));
	if ((s = str(rec, p->o_reason)) != NULL)
		printf(": %s", s);
	if ((s = str(rec, p->o_after)) != NULL)
		printf(", after %s", s);
	if ((s = str(rec, p->o_locale)) != NULL)
		printf(", %s", s);
	if ((s = str(rec, p->o_seg)) != NULL)
		printf(", %s SMS part%s", s, strcmp(s, "1") == 0 ? "" : "s");
	if ((s = str(rec, p->o_cfrom)) != NULL)
		printf(", call from %s to %s, priority %s", s,
		    str(rec, p->o_cto), str(rec, p->o_prio));
	printf("]\n");
	if ((s = str(rec, p->o_subj)) != NULL)
		printf("Subject: %s\n\n", s);
	if ((s = str(rec, p->o_body)) != NULL)
		printf("%s%s", s, *s != '\0' && s[strlen(s) - 1] == '\n' ? "" :
		    "\n");
	printf("\n");
	p->c->nout++;
	return 0;
}

static int
preview_bind(struct pxr_mapper *m, struct pxr_schema *sch,
    struct pxr_error *err)
{
	struct preview *p = m->state;
	int rc;

	p->notify->sayer = m->sayer;
	p->notify->explain = m->explain;
	p->notify->out.emit = preview_emit;
	p->notify->out.arg = p;
	if ((rc = p->notify->bind(p->notify, sch, err)) < 0)
		return rc;
	p->o_mid = pxr_field_ref(sch, PXR_F_MESSAGE_ID);
	p->o_to = pxr_field_ref(sch, PXR_F_TO);
	p->o_status = pxr_field_ref(sch, PXR_F_STATUS);
	p->o_reason = pxr_field_ref(sch, PXR_F_REASON);
	p->o_after = pxr_field_ref(sch, PXR_F_SEND_AFTER);
	p->o_locale = pxr_field_ref(sch, PXR_F_LOCALE);
	p->o_seg = pxr_field_ref(sch, PXR_F_SEGMENTS);
	p->o_subj = pxr_field_ref(sch, PXR_F_SUBJECT);
	p->o_body = pxr_field_ref(sch, PXR_F_BODY);
	p->o_prio = pxr_field_ref(sch, PXR_F_PRIORITY);
	p->o_cfrom = pxr_field_ref(sch, PXR_F_CALL_FROM);
	p->o_cto = pxr_field_ref(sch, PXR_F_CALL_TO);
	return 0;
}

static int
preview_map(struct pxr_mapper *m, struct pxr_rec *rec, struct pxr_error *err)
{
	struct preview *p = m->state;

	return p->notify->map(p->notify, rec, err);
}

/* "CHANNEL=VALUE": the channel (a usage error if none) and the value. */
static int
channel_arg(struct pxr_cli *c, const char *opt, char *arg, char **val)
{
	char *eq = strchr(arg, '=');
	int k;

	if (eq == NULL || eq[1] == '\0')
		pxr_cli_usage(c, "%s: expected CHANNEL=VALUE", opt);
	*eq = '\0';
	*val = eq + 1;
	k = pxr_channel_of(arg);
	*eq = '=';
	return k;
}

int
main(int argc, char **argv)
{
	enum { O_SENT = OPT_CMD, O_PREVIEW, O_TDIR, O_TMPL, O_CHANNELS,
	    O_FIELD, O_TRANS, O_QUIET, O_MAX, O_LOCK, O_CURRENCY, O_LOCALE,
	    O_RENAME, O_COUNTRY, O_COMPL };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "sent-log", required_argument, NULL, O_SENT },
		{ "preview", no_argument, NULL, O_PREVIEW },
		{ "templates", required_argument, NULL, O_TDIR },
		{ "template", required_argument, NULL, O_TMPL },
		{ "channels", required_argument, NULL, O_CHANNELS },
		{ "field", required_argument, NULL, O_FIELD },
		{ "transactional", no_argument, NULL, O_TRANS },
		{ "quiet-hours", required_argument, NULL, O_QUIET },
		{ "currency", required_argument, NULL, O_CURRENCY },
		{ "locale", required_argument, NULL, O_LOCALE },
		{ "rename", required_argument, NULL, O_RENAME },
		{ "country", required_argument, NULL, O_COUNTRY },
		{ "max-per-customer", required_argument, NULL, O_MAX },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ "complaints", required_argument, NULL, O_COMPL },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_notify_opts o;
	struct pxr_rules *R = NULL;
	const char **from = NULL, **to = NULL;
	struct pxr_mapper *m;
	struct pxr_cli c;
	const char *compl = NULL;
	int ch, i, adhoc = 0, preview = 0;
	char **v, *val;

	pxr_cli_init(&c, argv, "pxr-notify", usage, help);
	memset(&o, 0, sizeof(o));
	o.lock_ms = 60000;
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_SENT: o.sentlog = optarg; break;
		case O_COMPL: compl = optarg; break;
		case O_PREVIEW: preview = c.no_records = 1; break;
		case O_TDIR: o.templates = optarg; adhoc = 1; break;
		case O_TMPL: o.tmpl = optarg; adhoc = 1; break;
		case O_CHANNELS:
			adhoc = 1;
			v = pxr_cli_split(optarg);
			for (i = 0; v[i] != NULL; i++) {
				if (pxr_channel_of(v[i]) < 0 || i >= PXR_NCH)
					pxr_cli_usage(&c, "--channels: '%s' is "
					    "not email, sms, push or phone", v[i]);
				o.ch[o.nch++] = pxr_channel_of(v[i]);
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
			if ((k = pxr_channel_of(optarg)) >= 0)
				o.addr[k] = eq + 1;
			else if (strcmp(optarg, "locale") == 0)
				o.f_locale = eq + 1;
			else if (strcmp(optarg, "timezone") == 0)
				o.f_tz = eq + 1;
			else if (strcmp(optarg, "consent") == 0)
				o.f_consent = eq + 1;
			else if (strcmp(optarg, "country") == 0)
				o.f_country = eq + 1;
			else if (strncmp(optarg, "consent.", 8) == 0) {
				if ((k = pxr_channel_of(optarg + 8)) < 0)
					pxr_cli_usage(&c, "--field: '%s': not "
					    "a channel (consent.email, "
					    "consent.sms, consent.push)",
					    optarg);
				o.f_consent_ch[k] = eq + 1;
			} else if (strcmp(optarg, "preferred_channel") == 0)
				o.f_preferred = eq + 1;
			else if (strcmp(optarg, "name") != 0)
				pxr_cli_usage(&c, "--field: '%s' is not email, "
				    "sms, push, phone, locale, timezone, consent, "
				    "consent.CHANNEL, preferred_channel, name "
				    "or country", optarg);
			break;
		}
		case O_TRANS: o.transactional = 1; break;
		case O_QUIET:
			if ((i = channel_arg(&c, "--quiet-hours", optarg,
			    &val)) < 0 || pxr_quiet_parse(val, &o.quiet[i]) < 0)
				pxr_cli_usage(&c, "--quiet-hours: expected "
				    "CHANNEL=HH:MM-HH:MM, e.g. sms=21:00-08:00");
			break;
		case O_CURRENCY:
			if (strlen(optarg) != 3 || strspn(optarg,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
				pxr_cli_usage(&c, "--currency: '%s' is not an "
				    "ISO 4217 code such as SEK", optarg);
			o.currency = optarg;
			break;
		case O_LOCALE:
			if (*optarg == '\0' || strlen(optarg) > 31)
				pxr_cli_usage(&c, "--locale: '%s' is not a "
				    "locale such as sv or sv-SE", optarg);
			o.locale = optarg;
			break;
		case O_COUNTRY:
			if (pxr_phone_plan(optarg, strlen(optarg)) == NULL)
				pxr_cli_usage(&c, "--country: '%s' is no country "
				    "pxr has a numbering plan for (%s)", optarg,
				    pxr_phone_countries());
			o.country = optarg;
			break;
		case O_RENAME:
			if ((val = strchr(optarg, '=')) == NULL ||
			    val == optarg || val[1] == '\0')
				pxr_cli_usage(&c, "--rename: expected OLD=NEW, "
				    "e.g. status=delivery_status");
			*val++ = '\0';
			from = pxr_reallocarray(from, o.nrename + 1,
			    sizeof(*from));
			to = pxr_reallocarray(to, o.nrename + 1, sizeof(*to));
			from[o.nrename] = optarg;
			to[o.nrename++] = val;
			o.rename_from = from;
			o.rename_to = to;
			break;
		case O_MAX: {
			char *slash = strchr(optarg, '/');
			struct pxr_error e;

			if (slash == NULL || (o.max_count = atol(optarg)) <= 0 ||
			    pxr_dur_parse(slash + 1, strlen(slash + 1),
			    &o.max_period, &e) < 0)
				pxr_cli_usage(&c, "--max-per-customer: expected "
				    "N/DURATION, e.g. 1/24h");
			break;
		}
		case O_LOCK: o.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (adhoc) {
		if (o.templates == NULL || o.tmpl == NULL || o.nch == 0)
			pxr_cli_usage(&c, "an ad-hoc campaign needs --templates "
			    "DIR, --template NAME and --channels LIST");
		if (getenv("PXR_RULES") == NULL && c.rules != NULL)
			pxr_cli_usage(&c, "--templates/--template/--channels "
			    "go without a rule file");
		o.tz = pxr_tz_env();
	} else
		R = pxr_cli_rules(&c);
	o.now = pxr_cli_now(&c, R != NULL ? R->tz : o.tz);
	if (compl != NULL)
		o.complaints = read_complaints(&c, compl, R != NULL ? R->tz :
		    o.tz);
	if ((m = pxr_notify_new(&o, R, &c.err)) == NULL) {
		pxr_rules_free(R);
		pxr_cli_die(&c, &c.err);
	}
	if (preview) {
		static struct preview p;

		p.notify = m;
		p.c = &c;
		m = pxr_mapper_new("preview", &p, preview_bind, preview_map,
		    NULL, NULL);
	}
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
