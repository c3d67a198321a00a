/* pxr-detect: turn events into incidents, one per (event, matching rule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rules.h"

static const char usage[] =
"usage: pxr-detect -r RULES [--rule ID ...] [options] [INPUT ...]\n"
"       pxr-detect -e EXPR [--id ID] [--key EXPR ...] [--customer EXPR]\n"
"                  [--at EXPR] [--measure EXPR] [--unit UNIT] [--phase PHASE]\n"
"                  [options] [INPUT ...]\n";

static const char help[] =
"Evaluate each rule's 'when' on every event and write one incident per\n"
"(event, matching rule): the event's fields, then incident_id, rule, phase,\n"
"customer_id (when absent), measure, unit, event_at, detected_at.\n"
"\n"
"      --rule ID        only this rule (repeatable)\n"
"  -e, --expr EXPR      an ad-hoc rule: its condition (no rule file)\n"
"      --id ID          its id (default: adhoc)\n"
"      --key EXPR       its key expressions (repeatable; default: every field)\n"
"      --customer EXPR, --at EXPR, --measure EXPR, --unit UNIT, --phase PHASE\n"
"      --explain        say on stderr why each rule fired or not\n"
"\n"
"examples:\n"
"  pxr-detect -r plays.json --now 2026-11-21T06:00:00Z < deliveries.csv\n"
"  pxr-detect -e 'delivered_at - promised_at > 1d' --id late --key order_id \\\n"
"      --measure 'hours(delivered_at - promised_at)' < deliveries.csv\n";

struct detect {
	struct pxr_rules *R;
	struct pxr_rule **act;	/* the rules to run, in file order */
	size_t	 nact;
	char	**only;
	size_t	 nonly;
	int64_t	 now;
	struct pxr_tz *tz;
	size_t	 f_id, f_rule, f_phase, f_cust, f_measure, f_unit, f_at,
		 f_detected;
	size_t	 f_customer_id;	/* the input's customer_id, for the default */
	int	 add_customer;
	char	 detected[64];
	size_t	 ndetected;
	struct pxr_arena scratch;
	struct pxr_buf id;
	struct pxr_buf tmp;
	size_t	*keyfields;	/* default key: the input's visible fields */
	size_t	 nkeyfields;
};

static struct detect D;

/* Append s to the id, percent-encoding '%', ':' and control bytes. */
static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	size_t i;

	(void)c;
	/* The default key: every field the input has, in order. */
	D.keyfields = pxr_calloc(sch->norder + 1, sizeof(*D.keyfields));
	for (i = 0; i < sch->norder; i++)
		D.keyfields[D.nkeyfields++] = sch->order[i];
	i = pxr_schema_find(sch, "customer_id", 11);
	D.add_customer = i == PXR_NOFIELD || !sch->visible[i];
	pxr_rules_bind(D.R, sch);
	D.f_id = pxr_schema_add(sch, "incident_id", 11);
	D.f_rule = pxr_schema_add(sch, "rule", 4);
	D.f_phase = pxr_schema_add(sch, "phase", 5);
	D.f_customer_id = pxr_schema_ref(sch, "customer_id", 11);
	if (D.add_customer)
		D.f_cust = pxr_schema_add(sch, "customer_id", 11);
	D.f_measure = pxr_schema_add(sch, "measure", 7);
	D.f_unit = pxr_schema_add(sch, "unit", 4);
	D.f_at = pxr_schema_add(sch, "event_at", 8);
	D.f_detected = pxr_schema_add(sch, "detected_at", 11);
	return 0;
}

static int
fail(struct pxr_cli *c, const struct pxr_rule *r, const char *what)
{
	char text[sizeof(c->err.text)];

	snprintf(text, sizeof(text), "%s", c->err.text);
	pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule %s: %s: %s", r->id,
	    what, text);
	return -1;
}

static void
set_value(struct pxr_rec *rec, size_t f, const struct pxr_value *v)
{
	pxr_buf_reset(&D.tmp);
	if (v->t == PXR_V_NULL) {
		pxr_rec_setnull(rec, f);
		return;
	}
	pxr_value_text(v, D.tz, &D.tmp);
	pxr_rec_set(rec, f, v->t == PXR_V_INT || v->t == PXR_V_DBL ? PXR_NUM :
	    v->t == PXR_V_BOOL ? PXR_BOOL : PXR_STR, D.tmp.p != NULL ? D.tmp.p :
	    "", D.tmp.len);
}

static int
fire(struct pxr_cli *c, struct pxr_rec *rec, const struct pxr_rule *r,
    const struct pxr_env *env)
{
	struct pxr_value v;
	size_t i;

	/* incident_id: RULE:KEY1:KEY2... */
	pxr_buf_reset(&D.id);
	pxr_id_part(&D.id, r->id, strlen(r->id));
	if (r->nkey > 0) {
		for (i = 0; i < r->nkey; i++) {
			if (pxr_expr_eval(r->key[i], env, &v, &c->err) < 0)
				return fail(c, r, "key");
			pxr_buf_reset(&D.tmp);
			pxr_value_text(&v, D.tz, &D.tmp);
			pxr_buf_addc(&D.id, ':');
			pxr_id_part(&D.id, D.tmp.p != NULL ? D.tmp.p : "", D.tmp.len);
		}
	} else
		for (i = 0; i < D.nkeyfields; i++) {
			const struct pxr_val *fv = pxr_rec_get(rec,
			    D.keyfields[i]);

			pxr_buf_addc(&D.id, ':');
			pxr_id_part(&D.id, fv->s, fv->n);
		}
	/* Values first (they read the event), then set the fields. */
	if (r->customer != NULL) {
		if (pxr_expr_eval(r->customer, env, &v, &c->err) < 0)
			return fail(c, r, "customer");
		if (D.add_customer)
			set_value(rec, D.f_cust, &v);
	} else if (D.add_customer)
		pxr_rec_setnull(rec, D.f_cust);
	if (r->measure != NULL) {
		if (pxr_expr_eval(r->measure, env, &v, &c->err) < 0)
			return fail(c, r, "measure");
		if (v.t == PXR_V_FIELD && pxr_value_number(&v, &v,
		    &c->err) < 0)
			return fail(c, r, "measure");
		if (v.t != PXR_V_INT && v.t != PXR_V_DBL && v.t != PXR_V_NULL) {
			pxr_error_set(&c->err, PXR_EXIT_DATAERR, "expected a "
			    "number, got %s (for a duration use minutes(), "
			    "hours() or days())", pxr_vt_name(v.t));
			return fail(c, r, "measure");
		}
	} else {
		memset(&v, 0, sizeof(v));
		v.t = PXR_V_INT;
		v.i = 1;
	}
	set_value(rec, D.f_measure, &v);
	if (r->at != NULL) {
		if (pxr_expr_eval(r->at, env, &v, &c->err) < 0)
			return fail(c, r, "at");
		if (v.t == PXR_V_FIELD || v.t == PXR_V_STR) {
			int64_t t;
			int dateonly;

			if (pxr_time_parse(v.s, v.n, D.tz, &t, &dateonly,
			    &c->err) < 0) {
				if (v.field != NULL) {
					char text[sizeof(c->err.text)];

					snprintf(text, sizeof(text), "%s",
					    c->err.text);
					pxr_error_set(&c->err, PXR_EXIT_DATAERR,
					    "column '%s': %s", v.field, text);
				}
				return fail(c, r, "at");
			}
			v.t = PXR_V_TIME;
			v.i = t;
		}
		if (v.t == PXR_V_NULL)
			pxr_rec_setnull(rec, D.f_at);
		else if (v.t != PXR_V_TIME) {
			pxr_error_set(&c->err, PXR_EXIT_DATAERR, "expected a "
			    "time, got %s", pxr_vt_name(v.t));
			return fail(c, r, "at");
		} else {
			pxr_buf_reset(&D.tmp);
			pxr_time_format(&D.tmp, v.i);
			pxr_rec_set(rec, D.f_at, PXR_STR, D.tmp.p, D.tmp.len);
		}
	} else
		pxr_rec_setref(rec, D.f_at, PXR_STR, D.detected, D.ndetected);
	pxr_rec_set(rec, D.f_id, PXR_STR, D.id.p, D.id.len);
	pxr_rec_setref(rec, D.f_rule, PXR_STR, r->id, strlen(r->id));
	if (r->phase != NULL)
		pxr_rec_setref(rec, D.f_phase, PXR_STR, r->phase,
		    strlen(r->phase));
	else
		pxr_rec_setnull(rec, D.f_phase);
	if (r->unit != NULL)
		pxr_rec_setref(rec, D.f_unit, PXR_STR, r->unit,
		    strlen(r->unit));
	else
		pxr_rec_setnull(rec, D.f_unit);
	pxr_rec_setref(rec, D.f_detected, PXR_STR, D.detected, D.ndetected);
	return pxr_cli_emit(c, rec);
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	struct pxr_env env;
	size_t i;
	int rc;

	pxr_arena_reset(&D.scratch);
	env.now = D.now;
	env.tz = D.tz;
	env.rec = rec;
	env.arena = &D.scratch;
	for (i = 0; i < D.nact; i++) {
		const struct pxr_rule *r = D.act[i];

		if (c->explain) {
			struct pxr_buf b = { 0 };

			rc = pxr_expr_explain(r->when, &env, &b, &c->err);
			if (rc >= 0)
				fprintf(stderr, "%s: explain: %s:%ld: rule %s: "
				    "%s: %s\n", c->prog, rec->file, rec->line,
				    r->id, rc ? "fired" : "not fired", b.p);
			pxr_buf_free(&b);
		} else
			rc = pxr_expr_test(r->when, &env, &c->err);
		if (rc < 0)
			return fail(c, r, "when");
		if (rc == 0)
			continue;
		if ((rc = fire(c, rec, r, &env)) < 0)
			return rc;
	}
	return 0;
}

/* An ad-hoc rule from the command line. */
struct adhoc {
	const char *expr, *id, *customer, *at, *measure, *unit, *phase;
	char	**keys;
	size_t	 nkeys;
};

static struct pxr_expr *
adhoc_expr(struct pxr_cli *c, const char *opt, const char *src)
{
	struct pxr_error e;
	struct pxr_expr *x;

	pxr_error_clear(&e);
	if ((x = pxr_expr_compile(src, strlen(src), NULL, 0, &e)) == NULL) {
		fprintf(stderr, "%s: %s:%s\n", c->prog, opt, e.text);
		exit(PXR_EXIT_USAGE);
	}
	return x;
}

static struct pxr_rules *
adhoc_rules(struct pxr_cli *c, struct adhoc *a)
{
	struct pxr_rules *R = pxr_calloc(1, sizeof(*R));
	struct pxr_rule *r;
	size_t i;

	R->tz = pxr_tz_env();
	R->nrules = 1;
	R->rules = r = pxr_calloc(1, sizeof(*r));
	r->id = pxr_strdup(a->id != NULL ? a->id : "adhoc");
	snprintf(r->path, sizeof(r->path), "-e");
	r->when = adhoc_expr(c, "-e", a->expr);
	if (a->customer != NULL)
		r->customer = adhoc_expr(c, "--customer", a->customer);
	if (a->at != NULL)
		r->at = adhoc_expr(c, "--at", a->at);
	if (a->measure != NULL)
		r->measure = adhoc_expr(c, "--measure", a->measure);
	r->unit = a->unit != NULL ? pxr_strdup(a->unit) : NULL;
	r->phase = a->phase != NULL ? pxr_strdup(a->phase) : NULL;
	r->nkey = a->nkeys;
	r->key = pxr_calloc(a->nkeys + 1, sizeof(*r->key));
	for (i = 0; i < a->nkeys; i++)
		r->key[i] = adhoc_expr(c, "--key", a->keys[i]);
	return R;
}

int
main(int argc, char **argv)
{
	enum { O_RULE = OPT_CMD, O_ID, O_KEY, O_CUST, O_AT, O_MEASURE,
	    O_UNIT, O_PHASE };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "rule", required_argument, NULL, O_RULE },
		{ "expr", required_argument, NULL, 'e' },
		{ "id", required_argument, NULL, O_ID },
		{ "key", required_argument, NULL, O_KEY },
		{ "customer", required_argument, NULL, O_CUST },
		{ "at", required_argument, NULL, O_AT },
		{ "measure", required_argument, NULL, O_MEASURE },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "phase", required_argument, NULL, O_PHASE },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, NULL };
	struct adhoc a;
	struct pxr_cli c;
	struct pxr_buf b = { 0 };
	size_t i, j;
	int ch;

	memset(&a, 0, sizeof(a));
	pxr_cli_init(&c, argv, "pxr-detect", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT "e:", longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case 'e': a.expr = optarg; break;
		case O_RULE:
			D.only = pxr_reallocarray(D.only, D.nonly + 1,
			    sizeof(*D.only));
			D.only[D.nonly++] = optarg;
			break;
		case O_ID: a.id = optarg; break;
		case O_KEY:
			a.keys = pxr_reallocarray(a.keys, a.nkeys + 1,
			    sizeof(*a.keys));
			a.keys[a.nkeys++] = optarg;
			break;
		case O_CUST: a.customer = optarg; break;
		case O_AT: a.at = optarg; break;
		case O_MEASURE: a.measure = optarg; break;
		case O_UNIT: a.unit = optarg; break;
		case O_PHASE: a.phase = optarg; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (a.expr != NULL && c.rules != NULL && getenv("PXR_RULES") == NULL)
		pxr_cli_usage(&c, "-e and -r go separately: an ad-hoc rule or "
		    "a rule file");
	if (a.expr == NULL && (a.id != NULL || a.nkeys > 0 ||
	    a.customer != NULL || a.at != NULL || a.measure != NULL ||
	    a.unit != NULL || a.phase != NULL))
		pxr_cli_usage(&c, "--id, --key, --customer, --at, --measure, "
		    "--unit and --phase go with -e");
	if (a.id != NULL) {
		for (i = 0; a.id[i] != '\0'; i++)
			if (a.id[i] == ':')
				pxr_cli_usage(&c, "--id: no ':' in an id");
	}
	if (a.expr != NULL) {
		D.R = adhoc_rules(&c, &a);
	} else {
		if (c.rules == NULL)
			pxr_cli_usage(&c, "give a rule file (-r RULES or "
			    "$PXR_RULES) or an expression (-e EXPR)");
		D.R = pxr_cli_rules(&c);
	}
	D.tz = D.R->tz;
	D.act = pxr_calloc(D.R->nrules + 1, sizeof(*D.act));
	for (j = 0; j < D.nonly; j++)
		if (pxr_rules_find(D.R, D.only[j]) == NULL)
			pxr_cli_usage(&c, "--rule: no rule '%s' in %s",
			    D.only[j], c.rules != NULL ? c.rules : "-e");
	for (i = 0; i < D.R->nrules; i++) {
		int on = D.nonly == 0;

		for (j = 0; j < D.nonly; j++)
			on |= strcmp(D.R->rules[i].id, D.only[j]) == 0;
		if (on)
			D.act[D.nact++] = &D.R->rules[i];
	}
	D.now = pxr_cli_now(&c, D.tz);
	pxr_time_format(&b, D.now);
	snprintf(D.detected, sizeof(D.detected), "%s", b.p);
	D.ndetected = b.len;
	pxr_buf_free(&b);
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
