/* pxr-compensate: decide each incident's compensation, exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "money.h"
#include "rules.h"
#include "state.h"

static const char usage[] =
"usage: pxr-compensate -r RULES --ledger FILE [--lock-timeout DURATION]\n"
"                      [--dry-run] [options] [INPUT ...]\n";

static const char help[] =
"Give each tiered incident the first compensation entry of its rule that\n"
"matches, compute the amount in integer minor units, apply the customer\n"
"and batch limits, and record it in the ledger.  An incident already in\n"
"the ledger comes out as 'duplicate' with the ledger's values, so a rerun\n"
"never pays twice and still tells the customer.\n"
"\n"
"      --ledger FILE         the ledger (CSV, append-only; created 0600)\n"
"      --lock-timeout DUR    wait this long for the ledger's lock (60s)\n"
"      --dry-run             compute everything, write no state\n"
"\n"
"example:\n"
"  pxr-threshold -r plays.json < incidents.csv \\\n"
"    | pxr-compensate -r plays.json --ledger state/ledger.csv --now \"$RUN_AT\"\n";

static const char *const ledger_cols[] = {
	"issued_at", "incident_id", "customer_id", "rule", "tier", "kind",
	"amount_minor", "currency", "code", "valid_until", NULL
};
enum { L_AT, L_ID, L_CUST, L_RULE, L_TIER, L_KIND, L_AMOUNT, L_CUR, L_CODE,
	L_VALID, L_N };

#define BATCH 4096

/* One ledger row, kept by incident id. */
struct entry {
	struct entry *next;
	char	*f[L_N];	/* one allocation: f[0] owns the block */
};

/* A customer's issued total in the cap period, per currency. */
struct total {
	struct total *next;
	char	*key;		/* customer \0 currency */
	size_t	 klen;
	int64_t	 sum;
};

/* What an incident gets, before the ledger is consulted. */
struct plan {
	struct pxr_packed *p;
	const char *kind;	/* NULL: none */
	int	 has_amount;
	int64_t	 amount;
	char	 currency[4];
	int	 has_percent;
	int64_t	 percent_bp;
	const char *item;
	int	 has_valid;
	int64_t	 valid;
	const char *tier;	/* while planning only */
	const char *rule;
};

struct comp {
	struct pxr_rules *R;
	const char *ledger;
	long	 lock_ms;
	int	 dry;
	struct pxr_state *st;
	int64_t	 now;
	char	 now_text[40];
	size_t	 f_id, f_rule, f_tier, f_cust, f_cur;
	size_t	 f_kind, f_amount, f_currency, f_percent, f_item, f_code,
		 f_valid, f_status;
	struct entry **etab;
	size_t	 netab, nentries;
	struct total **ttab;
	size_t	 nttab, ntotals;
	struct total *budget;	/* this run's totals per currency */
	struct plan *batch;
	size_t	 nbatch;
	struct pxr_arena scratch;
	struct pxr_buf tmp;
};

static struct comp K;

static struct entry *
find_entry(const char *id, size_t n)
{
	struct entry *e;

	if (K.netab == 0)
		return NULL;
	for (e = K.etab[pxr_hash(id, n) & (K.netab - 1)]; e != NULL; e = e->next)
		if (strlen(e->f[L_ID]) == n && memcmp(e->f[L_ID], id, n) == 0)
			return e;
	return NULL;
}

static void
add_entry(char **f, size_t *lens)
{
	struct entry *e;
	size_t i, size = 0, slot;
	char *p;

	if (K.nentries * 2 >= K.netab) {
		struct entry **old = K.etab, *x, *nx;
		size_t on = K.netab;

		K.netab = on == 0 ? 4096 : on * 2;
		K.etab = pxr_calloc(K.netab, sizeof(*K.etab));
		for (i = 0; i < on; i++)
			for (x = old[i]; x != NULL; x = nx) {
				nx = x->next;
				slot = pxr_hash(x->f[L_ID], strlen(x->f[L_ID])) &
				    (K.netab - 1);
				x->next = K.etab[slot];
				K.etab[slot] = x;
			}
		free(old);
	}
	for (i = 0; i < L_N; i++)
		size += lens[i] + 1;
	e = pxr_malloc(sizeof(*e) + size);
	p = (char *)(e + 1);
	for (i = 0; i < L_N; i++) {
		memcpy(p, f[i], lens[i]);
		p[lens[i]] = '\0';
		e->f[i] = p;
		p += lens[i] + 1;
	}
	slot = pxr_hash(e->f[L_ID], lens[L_ID]) & (K.netab - 1);
	e->next = K.etab[slot];
	K.etab[slot] = e;
	K.nentries++;
}

static struct total *
total(struct total **list, const char *cust, size_t cn, const char *cur)
{
	struct total *t, **slot;
	char key[512];
	size_t kl;

	if (cn > 400)
		cn = 400;
	memcpy(key, cust, cn);
	key[cn] = '\0';
	snprintf(key + cn + 1, sizeof(key) - cn - 1, "%s", cur);
	kl = cn + 1 + strlen(key + cn + 1);
	if (list != NULL)
		slot = list;
	else {
		if (K.ntotals * 2 >= K.nttab) {
			struct total **old = K.ttab, *x, *nx;
			size_t on = K.nttab, i;

			K.nttab = on == 0 ? 4096 : on * 2;
			K.ttab = pxr_calloc(K.nttab, sizeof(*K.ttab));
			for (i = 0; i < on; i++)
				for (x = old[i]; x != NULL; x = nx) {
					nx = x->next;
					slot = &K.ttab[pxr_hash(x->key, x->klen) &
					    (K.nttab - 1)];
					x->next = *slot;
					*slot = x;
				}
			free(old);
		}
		slot = &K.ttab[pxr_hash(key, kl) & (K.nttab - 1)];
	}
	for (t = *slot; t != NULL; t = t->next)
		if (t->klen == kl && memcmp(t->key, key, kl) == 0)
			return t;
	t = pxr_calloc(1, sizeof(*t));
	t->key = pxr_malloc(kl);
	memcpy(t->key, key, kl);
	t->klen = kl;
	t->next = *slot;
	*slot = t;
	if (list == NULL)
		K.ntotals++;
	return t;
}

/* Count a ledger row into the customer's total when it is in the period. */
static void
count_row(const char *cust, size_t cn, const char *cur, const char *at,
    const char *amount)
{
	struct pxr_error e;
	int64_t t, a;

	if (!K.R->has_cap || pxr_time_parse(at, strlen(at), NULL, &t, NULL,
	    &e) < 0 || pxr_money_parse_minor(amount, strlen(amount), &a,
	    &e) < 0)
		return;
	if (t > K.now - K.R->cap_period && t <= K.now)
		(void)pxr_money_add(&total(NULL, cust, cn, cur)->sum, a);
}

static int
ledger_row(void *ctx, char **f, size_t *lens, long line)
{
	struct pxr_cli *c = ctx;

	(void)line;
	if (find_entry(f[L_ID], lens[L_ID]) != NULL) {
		pxr_cli_warn(c, "%s:%ld: incident %s is in the ledger twice; "
		    "the first row counts", K.ledger, line, f[L_ID]);
		return 0;
	}
	add_entry(f, lens);
	count_row(f[L_CUST], lens[L_CUST], f[L_CUR], f[L_AT], f[L_AMOUNT]);
	return 0;
}

static int
refresh(struct pxr_cli *c)
{
	size_t torn;

	if (K.st == NULL)
		return 0;
	if (pxr_state_refresh(K.st, ledger_row, c, &torn, &c->err) < 0)
		return -1;
	if (torn > 0)
		pxr_cli_warn(c, "%s: a torn last row (%zu bytes, from a run "
		    "that died mid-write) was ignored%s", K.ledger, torn,
		    K.dry ? "" : " and cut off");
	return 0;
}

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	(void)c;
	pxr_rules_bind(K.R, sch);
	K.f_id = pxr_schema_ref(sch, "incident_id", 11);
	K.f_rule = pxr_schema_ref(sch, "rule", 4);
	K.f_tier = pxr_schema_ref(sch, "tier", 4);
	K.f_cust = pxr_schema_ref(sch, "customer_id", 11);
	K.f_cur = pxr_schema_ref(sch, "currency", 8);
	K.f_kind = pxr_schema_add(sch, "comp_kind", 9);
	K.f_amount = pxr_schema_add(sch, "comp_amount_minor", 17);
	K.f_currency = pxr_schema_add(sch, "comp_currency", 13);
	K.f_percent = pxr_schema_add(sch, "comp_percent", 12);
	K.f_item = pxr_schema_add(sch, "comp_item", 9);
	K.f_code = pxr_schema_add(sch, "comp_code", 9);
	K.f_valid = pxr_schema_add(sch, "comp_valid_until", 16);
	K.f_status = pxr_schema_add(sch, "comp_status", 11);
	return 0;
}

static int
rerr(struct pxr_cli *c, const struct pxr_rule *r, size_t i, const char *what)
{
	char text[sizeof(c->err.text)];

	snprintf(text, sizeof(text), "%s", c->err.text);
	pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule %s: compensation[%zu]: "
	    "%s: %s", r->id, i, what, text);
	return -1;
}

/* An integer count of minor units from a value; -1 if it is not one. */
static int
minor_units(struct pxr_cli *c, struct pxr_value *v, int64_t *out)
{
	if (v->t == PXR_V_FIELD || v->t == PXR_V_STR) {
		if (pxr_money_parse_minor(v->s, v->n, out, &c->err) < 0) {
			if (v->field != NULL) {
				char text[sizeof(c->err.text)];

				snprintf(text, sizeof(text), "%s", c->err.text);
				pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "column '%s': %s", v->field, text);
			}
			return -1;
		}
		return 0;
	}
	if (v->t == PXR_V_INT) {
		*out = v->i;
		return 0;
	}
	if (v->t == PXR_V_DBL)
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "not a whole "
		    "number of minor units: %.15g", v->d);
	return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "expected minor "
	    "units, got %s", pxr_vt_name(v->t));
}

static int
plan(struct pxr_cli *c, struct pxr_rec *rec, struct plan *pl)
{
	struct pxr_rule *r = pxr_cli_rule_of(c, K.R, rec, K.f_rule);
	const struct pxr_val *tv, *cv;
	struct pxr_env env;
	struct pxr_value v;
	struct pxr_comp *e = NULL;
	size_t i;
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (r == NULL)
		return -1;
	pl->rule = r->id;
	if (PXR_ISNULL(pxr_rec_get(rec, K.f_id)))
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "no "
		    "incident_id: is this the output of pxr-detect?");
	tv = pxr_rec_get(rec, K.f_tier);
	pxr_arena_reset(&K.scratch);
	env.now = K.now;
	env.tz = K.R->tz;
	env.rec = rec;
	env.arena = &K.scratch;
	for (i = 0; i < r->ncomp; i++) {
		struct pxr_comp *x = &r->comp[i];

		if (x->tier != NULL && (PXR_ISNULL(tv) || strlen(x->tier) !=
		    tv->n || memcmp(x->tier, tv->s, tv->n) != 0))
			continue;
		if (x->when != NULL) {
			if ((rc = pxr_expr_test(x->when, &env, &c->err)) < 0)
				return rerr(c, r, i, "when");
			if (rc == 0)
				continue;
		}
		e = x;
		break;
	}
	pl->tier = PXR_ISNULL(tv) ? NULL : pxr_arena_strndup(&K.scratch,
	    tv->s, tv->n);
	if (e == NULL || strcmp(e->kind, "none") == 0)
		return 0;
	pl->kind = e->kind;
	pl->item = e->item;
	pl->has_valid = e->has_valid;
	pl->valid = e->valid;
	if (strcmp(e->kind, "gift") != 0 || e->has_fixed || e->has_percent ||
	    e->amount != NULL) {
		pl->has_amount = 1;
		if (e->has_fixed)
			pl->amount = e->fixed_minor;
		else if (e->has_percent) {
			int64_t of;

			if (pxr_expr_eval(e->of, &env, &v, &c->err) < 0)
				return rerr(c, r, i, "of");
			if (v.t == PXR_V_NULL)
				return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "rule %s: compensation[%zu]: of: null "
				    "(nothing to take %s of)", r->id, i,
				    "a percentage");
			if (minor_units(c, &v, &of) < 0)
				return rerr(c, r, i, "of");
			if (pxr_money_percent(of, e->percent_bp, e->round,
			    &pl->amount) < 0)
				return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "rule %s: compensation[%zu]: amount out of "
				    "range", r->id, i);
			pl->has_percent = 1;
			pl->percent_bp = e->percent_bp;
		} else if (e->amount != NULL) {
			if (pxr_expr_eval(e->amount, &env, &v, &c->err) < 0)
				return rerr(c, r, i, "amount");
			if (v.t == PXR_V_NULL)
				return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "rule %s: compensation[%zu]: amount: null",
				    r->id, i);
			if (minor_units(c, &v, &pl->amount) < 0)
				return rerr(c, r, i, "amount");
		}
		if (pl->amount < 0)
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule "
			    "%s: compensation[%zu]: a negative amount (%lld)",
			    r->id, i, (long long)pl->amount);
		if (e->has_min && pl->amount < e->min_minor)
			pl->amount = e->min_minor;
		if (e->has_max && pl->amount > e->max_minor)
			pl->amount = e->max_minor;
	}
	/* The currency: the entry's expression, the field, the default. */
	if (e->currency != NULL) {
		if (pxr_expr_eval(e->currency, &env, &v, &c->err) < 0)
			return rerr(c, r, i, "currency");
		pxr_buf_reset(&K.tmp);
		pxr_value_text(&v, K.R->tz, &K.tmp);
		snprintf(pl->currency, sizeof(pl->currency), "%s",
		    K.tmp.p != NULL ? K.tmp.p : "");
		if (K.tmp.len != 3 || pxr_currency_exponent(pl->currency) < 0)
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule "
			    "%s: compensation[%zu]: currency: '%s' is not an "
			    "ISO 4217 code", r->id, i, K.tmp.p != NULL ?
			    K.tmp.p : "");
	} else if (!PXR_ISNULL(cv = pxr_rec_get(rec, K.f_cur))) {
		if (cv->n != 3)
			goto badcur;
		memcpy(pl->currency, cv->s, 3);
		if (pxr_currency_exponent(pl->currency) < 0)
			goto badcur;
	} else if (K.R->currency != NULL)
		snprintf(pl->currency, sizeof(pl->currency), "%s",
		    K.R->currency);
	else if (pl->has_amount)
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "rule %s: no "
		    "currency: no 'currency' field and no defaults.currency",
		    r->id);
	return 0;
badcur:
	return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "column 'currency': "
	    "'%.*s' is not an ISO 4217 code", (int)(cv->n > 20 ? 20 : cv->n),
	    cv->s);
}

static void
voucher_code(char *out)
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	unsigned char rnd[10];
	size_t i, k = 0;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		FILE *fp = fopen("/dev/urandom", "re");

		if (fp == NULL || fread(rnd, 1, sizeof(rnd), fp) != sizeof(rnd))
			abort();	/* no randomness: never a weak code */
		fclose(fp);
	}
	for (i = 0; i < sizeof(rnd); i++) {
		if (i == 5)
			out[k++] = '-';
		out[k++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	}
	out[k] = '\0';
}

static void
set_text(struct pxr_rec *rec, size_t f, const char *s)
{
	if (s == NULL || *s == '\0')
		pxr_rec_setnull(rec, f);
	else
		pxr_rec_set(rec, f, PXR_STR, s, strlen(s));
}

/* Decide, record and write the batch. */
static int
flush_batch(struct pxr_cli *c)
{
	struct pxr_rec rec;
	size_t i;
	int rc = 0;

	if (K.nbatch == 0)
		return 0;
	if (K.st != NULL && pxr_state_lock(K.st, K.lock_ms, &c->err) < 0)
		return -2;
	if (refresh(c) < 0) {
		pxr_state_unlock(K.st);
		return -2;
	}
	pxr_rec_init(&rec, c->sch);
	for (i = 0; i < K.nbatch; i++) {
		struct plan *pl = &K.batch[i];
		const struct pxr_val *idv, *cv, *tv;
		const char *status = "issued";
		char code[16] = "", valid[40] = "", amount[32] = "";
		struct entry *e;

		pxr_rec_unpack(&rec, pl->p);
		idv = pxr_rec_get(&rec, K.f_id);
		cv = pxr_rec_get(&rec, K.f_cust);
		e = find_entry(idv->s, idv->n);
		pxr_buf_reset(&K.tmp);
		if (pl->has_percent)
			pxr_percent_format(&K.tmp, pl->percent_bp);
		if (e != NULL) {
			/* Already issued: the ledger's values, as they were. */
			set_text(&rec, K.f_kind, e->f[L_KIND]);
			if (pl->has_amount || strcmp(e->f[L_AMOUNT], "0") != 0)
				pxr_rec_set(&rec, K.f_amount, PXR_NUM,
				    e->f[L_AMOUNT], strlen(e->f[L_AMOUNT]));
			else
				pxr_rec_setnull(&rec, K.f_amount);
			set_text(&rec, K.f_currency, e->f[L_CUR]);
			set_text(&rec, K.f_code, e->f[L_CODE]);
			set_text(&rec, K.f_valid, e->f[L_VALID]);
			status = "duplicate";
		} else if (pl->kind == NULL) {
			pxr_rec_setref(&rec, K.f_kind, PXR_STR, "none", 4);
			pxr_rec_setnull(&rec, K.f_amount);
			pxr_rec_setnull(&rec, K.f_currency);
			pxr_rec_setnull(&rec, K.f_code);
			pxr_rec_setnull(&rec, K.f_valid);
			status = "none";
		} else {
			int64_t amt = pl->amount;
			const char *f[L_N];
			char *lf[L_N];
			size_t ll[L_N], k;

			if (pl->has_amount && K.R->has_cap && amt > 0) {
				struct total *t = total(NULL, cv->s, cv->n,
				    pl->currency);
				int64_t room;

				(void)pxr_money_sub(K.R->cap_minor, t->sum, &room);

				if (room < amt) {
					amt = room > 0 ? room : 0;
					status = amt > 0 ? "capped" :
					    "over_budget";
				}
			}
			if (pl->has_amount && K.R->has_budget && amt > 0) {
				struct total *t = total(&K.budget, "", 0,
				    pl->currency);
				int64_t room;

				(void)pxr_money_sub(K.R->budget_minor, t->sum,
				    &room);

				if (room < amt) {
					amt = room > 0 ? room : 0;
					status = amt > 0 ? "capped" :
					    "over_budget";
				}
				(void)pxr_money_add(&t->sum, amt);
			}
			if (strcmp(pl->kind, "voucher") == 0 ||
			    strcmp(pl->kind, "discount") == 0)
				voucher_code(code);
			if (pl->has_valid) {
				struct pxr_buf b = { 0 };

				pxr_time_format(&b, K.now + pl->valid);
				snprintf(valid, sizeof(valid), "%s", b.p);
				pxr_buf_free(&b);
			}
			snprintf(amount, sizeof(amount), "%lld",
			    (long long)(pl->has_amount ? amt : 0));
			f[L_AT] = K.now_text;
			f[L_ID] = idv->s;
			f[L_CUST] = PXR_ISNULL(cv) ? "" : cv->s;
			f[L_RULE] = pl->rule;
			tv = pxr_rec_get(&rec, K.f_tier);
			f[L_TIER] = PXR_ISNULL(tv) ? "" : tv->s;
			f[L_KIND] = pl->kind;
			f[L_AMOUNT] = amount;
			f[L_CUR] = pl->currency;
			f[L_CODE] = code;
			f[L_VALID] = valid;
			if (K.st != NULL && !K.dry)
				pxr_state_add(K.st, f);
			/* Known at once: a repeat in this run is a duplicate. */
			for (k = 0; k < L_N; k++) {
				lf[k] = (char *)f[k];
				ll[k] = strlen(f[k]);
			}
			add_entry(lf, ll);
			if (pl->has_amount)
				count_row(f[L_CUST], ll[L_CUST], pl->currency,
				    K.now_text, amount);
			set_text(&rec, K.f_kind, pl->kind);
			if (pl->has_amount)
				pxr_rec_set(&rec, K.f_amount, PXR_NUM, amount,
				    strlen(amount));
			else
				pxr_rec_setnull(&rec, K.f_amount);
			set_text(&rec, K.f_currency, pl->currency);
			set_text(&rec, K.f_code, code);
			set_text(&rec, K.f_valid, valid);
		}
		if (K.tmp.len > 0)
			pxr_rec_set(&rec, K.f_percent, PXR_NUM, K.tmp.p,
			    K.tmp.len);
		else
			pxr_rec_setnull(&rec, K.f_percent);
		set_text(&rec, K.f_item, pl->item);
		pxr_rec_setref(&rec, K.f_status, PXR_STR, status,
		    strlen(status));
		/* Pack the finished record for emission after the commit. */
		pxr_rec_repack(&pl->p, &rec);
	}
	/* The ledger is durable before anyone downstream hears of it. */
	if (K.st != NULL && !K.dry && pxr_state_commit(K.st, &c->err) < 0)
		rc = -2;
	if (K.st != NULL)
		pxr_state_unlock(K.st);
	for (i = 0; i < K.nbatch; i++) {
		if (rc == 0) {
			pxr_rec_unpack(&rec, K.batch[i].p);
			if (pxr_cli_emit(c, &rec) < 0)
				rc = -2;
		}
		free(K.batch[i].p);
	}
	K.nbatch = 0;
	pxr_rec_fini(&rec);
	return rc;
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	struct plan pl;

	if (plan(c, rec, &pl) < 0)
		return -1;
	/* A plan points into the rules only; the record is packed. */
	pl.tier = NULL;
	pl.p = pxr_rec_pack(rec);
	K.batch[K.nbatch++] = pl;
	if (K.nbatch == BATCH)
		return flush_batch(c);
	return 0;
}

static int
end(struct pxr_cli *c)
{
	return flush_batch(c);
}

int
main(int argc, char **argv)
{
	enum { O_LEDGER = OPT_CMD, O_LOCK, O_DRY };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "ledger", required_argument, NULL, O_LEDGER },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, end };
	struct pxr_cli c;
	struct pxr_buf b = { 0 };
	struct pxr_state_opts so = { 0 };
	int ch;

	K.lock_ms = 60000;
	pxr_cli_init(&c, argv, "pxr-compensate", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_LEDGER: K.ledger = optarg; break;
		case O_LOCK: K.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		case O_DRY: K.dry = 1; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (K.ledger == NULL)
		pxr_cli_usage(&c, "--ledger FILE is required (with --dry-run "
		    "it is only read)");
	K.R = pxr_cli_rules(&c);
	K.now = pxr_cli_now(&c, K.R->tz);
	pxr_time_format(&b, K.now);
	snprintf(K.now_text, sizeof(K.now_text), "%s", b.p);
	pxr_buf_free(&b);
	so.readonly = K.dry;
	so.checked = 1;
	K.st = pxr_state_open_opts(K.ledger, ledger_cols, &so, &c.err);
	if (K.st == NULL)
		pxr_cli_die(&c, &c.err);
	K.batch = pxr_calloc(BATCH, sizeof(*K.batch));
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
