/* pxr-fan: the day's picks for an unexpected gesture, on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rules.h"
#include "state.h"

static const char usage[] =
"usage: pxr-fan -r RULES [--per-day N] [--by FIELD] [--history FILE]\n"
"               [--seed S] [options] [INPUT ...]\n";

static const char help[] =
"Pick, for the day of --now, the customers who get an unexpected gesture:\n"
"those the rule file's 'fan.when' admits and no pick within 'fan.cooldown'\n"
"(180d) has reached, ranked by 'fan.score', N a day (per team with --by),\n"
"ties broken from the date and the seed so a rerun picks the same.  Picks\n"
"go to the history file (append-only, locked, synced); a pick already made\n"
"that day comes out again instead of a new one.  The output (fields\n"
"incident_id, rule 'fan', fan_day, fan_team, fan_score, fan_kind,\n"
"fan_item) flows into pxr-notify, which renders fan.template.\n"
"\n"
"      --per-day N     picks a day (default fan.per_day, else 1)\n"
"      --by FIELD      pick per value of this field (default fan.by)\n"
"      --history FILE  the pick history (CSV)\n"
"      --seed S        the tie-break seed (default 0)\n"
"\n"
"example:\n"
"  pxr-fan -r plays.json --history state/fan.csv --now \"$RUN_AT\" < customers.csv \\\n"
"    | pxr-notify -r plays.json --sent-log state/sent.csv\n";

static const char *const hist_cols[] = { "picked_on", "customer_id", "team",
	"score", "kind", "item", "picked_at", NULL };

struct cand {
	struct pxr_packed *p;
	char	*cust;
	double	 score;
	uint64_t tie;
	int	 again;		/* picked today already */
	int	 picked;	/* comes out */
};

struct team {
	char	*name;
	struct cand *top;	/* best first */
	size_t	 n;
	size_t	 done;		/* picks today in the history */
};

struct hist {
	struct hist *next;
	char	*cust;
	int64_t	 last;		/* the day last picked (days since epoch) */
	char	*team_today;	/* picked today for this team, or NULL */
};

static struct {
	struct pxr_rules *R;
	struct pxr_expr *when, *score, *by;
	const char *byfield;
	size_t	 f_by, f_cust;
	long	 per_day;
	int64_t	 cooldown_days;
	uint64_t seed;
	int64_t	 now, today;
	char	 day[16];
	const char *kind, *item;
	struct pxr_state *st;
	const char *hpath;
	struct hist **h;
	size_t	 nh;
	struct team *teams;
	size_t	 nteams;
	struct pxr_arena scratch;
	size_t	 o_id, o_rule, o_day, o_team, o_score, o_kind, o_item;
} F;

static uint64_t
fnv(const char *s, uint64_t h)
{
	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct hist *
hist_get(const char *cust, int add)
{
	struct hist **slot = &F.h[fnv(cust, 1469598103934665603ULL) %
	    F.nh], *x;

	for (x = *slot; x != NULL; x = x->next)
		if (strcmp(x->cust, cust) == 0)
			return x;
	if (!add)
		return NULL;
	x = pxr_calloc(1, sizeof(*x));
	x->cust = pxr_strdup(cust);
	x->last = INT64_MIN;
	x->next = *slot;
	*slot = x;
	return x;
}

static struct team *
team_get(const char *name)
{
	size_t i;

	for (i = 0; i < F.nteams; i++)
		if (strcmp(F.teams[i].name, name) == 0)
			return &F.teams[i];
	F.teams = pxr_reallocarray(F.teams, F.nteams + 1, sizeof(*F.teams));
	memset(&F.teams[F.nteams], 0, sizeof(F.teams[0]));
	F.teams[F.nteams].name = pxr_strdup(name);
	return &F.teams[F.nteams++];
}

static int64_t
day_of(const char *date)
{
	int y, m, d;

	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return INT64_MIN;
	return pxr_days_from_civil(y, m, d);
}

static int
hist_row(void *ctx, char **f, size_t *l, long line)
{
	struct hist *x = hist_get(f[1], 1);
	int64_t d = day_of(f[0]);

	(void)ctx;
	(void)l;
	(void)line;
	if (d > x->last)
		x->last = d;
	if (d == F.today) {
		free(x->team_today);
		x->team_today = pxr_strdup(f[2]);
		team_get(f[2])->done++;
	}
	return 0;
}

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	(void)c;
	if (F.when != NULL)
		pxr_expr_bind(F.when, sch);
	pxr_expr_bind(F.score, sch);
	if (F.by != NULL)
		pxr_expr_bind(F.by, sch);
	if (F.byfield != NULL)
		F.f_by = pxr_schema_ref(sch, F.byfield, strlen(F.byfield));
	F.f_cust = pxr_schema_ref(sch, "customer_id", 11);
	F.o_id = pxr_schema_add(sch, "incident_id", 11);
	F.o_rule = pxr_schema_add(sch, "rule", 4);
	F.o_day = pxr_schema_add(sch, "fan_day", 7);
	F.o_team = pxr_schema_add(sch, "fan_team", 8);
	F.o_score = pxr_schema_add(sch, "fan_score", 9);
	F.o_kind = pxr_schema_add(sch, "fan_kind", 8);
	F.o_item = pxr_schema_add(sch, "fan_item", 8);
	return 0;
}

/* Better: a higher score, else the lower tie-break. */
static int
better(const struct cand *a, const struct cand *b)
{
	if (a->again != b->again)
		return a->again;
	if (a->score != b->score)
		return a->score > b->score;
	return a->tie < b->tie;
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	const struct pxr_val *cv = pxr_rec_get(rec, F.f_cust);
	struct pxr_env env;
	struct pxr_value v;
	struct hist *h;
	struct team *t;
	struct cand cd;
	char team[256] = "", *cust;
	size_t i, keep;
	int rc;

	if (PXR_ISNULL(cv))
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "no "
		    "customer_id");
	cust = pxr_strndup(cv->s, cv->n);
	pxr_arena_reset(&F.scratch);
	env.now = F.now;
	env.tz = F.R->tz;
	env.rec = rec;
	env.arena = &F.scratch;
	if (F.byfield != NULL) {
		const struct pxr_val *bv = pxr_rec_get(rec, F.f_by);

		if (!PXR_ISNULL(bv))
			snprintf(team, sizeof(team), "%.*s", (int)(bv->n > 255 ?
			    255 : bv->n), bv->s);
	} else if (F.by != NULL) {
		struct pxr_buf b = { 0 };

		if (pxr_expr_eval(F.by, &env, &v, &c->err) < 0)
			goto fail;
		pxr_value_text(&v, F.R->tz, &b);
		snprintf(team, sizeof(team), "%s", b.p != NULL ? b.p : "");
		pxr_buf_free(&b);
	}
	h = hist_get(cust, 0);
	memset(&cd, 0, sizeof(cd));
	if (h != NULL && h->team_today != NULL && strcmp(h->team_today,
	    team) == 0)
		cd.again = 1;	/* today's pick: it comes out again */
	else {
		if (h != NULL && h->last != INT64_MIN &&
		    F.today - h->last < F.cooldown_days) {
			free(cust);
			return 0;	/* within the cooldown */
		}
		if (F.when != NULL) {
			if ((rc = pxr_expr_test(F.when, &env, &c->err)) < 0)
				goto fail;
			if (rc == 0) {
				free(cust);
				return 0;
			}
		}
	}
	if (pxr_expr_eval(F.score, &env, &v, &c->err) < 0)
		goto fail;
	if (v.t == PXR_V_FIELD && pxr_value_number(&v, &v, &c->err) < 0)
		goto fail;
	cd.score = v.t == PXR_V_INT ? (double)v.i : v.t == PXR_V_DBL ? v.d :
	    -1e300;
	cd.tie = fnv(cust, fnv(F.day, F.seed * 1099511628211ULL +
	    1469598103934665603ULL));
	t = team_get(team);
	keep = (size_t)F.per_day;
	/* Insert into the team's short list, best first. */
	for (i = 0; i < t->n; i++)
		if (better(&cd, &t->top[i]))
			break;
	if (i >= keep) {
		free(cust);
		return 0;
	}
	cd.p = pxr_rec_pack(rec);
	cd.cust = cust;
	if (t->n == keep) {
		free(t->top[t->n - 1].p);
		free(t->top[t->n - 1].cust);
		t->n--;
	}
	t->top = pxr_reallocarray(t->top, keep + 1, sizeof(*t->top));
	memmove(&t->top[i + 1], &t->top[i], (t->n - i) * sizeof(*t->top));
	t->top[i] = cd;
	t->n++;
	return 0;
fail:
	{
		char text[sizeof(c->err.text)];

		snprintf(text, sizeof(text), "%s", c->err.text);
		pxr_error_set(&c->err, PXR_EXIT_DATAERR, "fan: %s", text);
	}
	free(cust);
	return -1;
}

static int
end(struct pxr_cli *c)
{
	struct pxr_rec rec;
	struct pxr_buf at = { 0 }, id = { 0 };
	size_t i, j, torn;
	int rc = 0;

	pxr_time_format(&at, F.now);
	pxr_rec_init(&rec, c->sch);
	/* Picks another run made meanwhile count against today's room. */
	if (F.st != NULL && (pxr_state_lock(F.st, 60000, &c->err) < 0 ||
	    pxr_state_refresh(F.st, hist_row, NULL, &torn, &c->err) < 0))
		return -2;
	for (i = 0; i < F.nteams; i++) {
		struct team *t = &F.teams[i];
		size_t room = t->done < (size_t)F.per_day ?
		    (size_t)F.per_day - t->done : 0;

		for (j = 0; j < t->n; j++) {
			struct cand *cd = &t->top[j];
			char score[64];

			if (!cd->again) {
				const char *f[8];

				if (room == 0)
					continue;
				room--;
				snprintf(score, sizeof(score), "%.15g",
				    cd->score);
				f[0] = F.day;
				f[1] = cd->cust;
				f[2] = t->name;
				f[3] = score;
				f[4] = F.kind != NULL ? F.kind : "";
				f[5] = F.item != NULL ? F.item : "";
				f[6] = at.p;
				if (F.st != NULL)
					pxr_state_add(F.st, f);
			}
			cd->picked = 1;
			pxr_rec_unpack(&rec, cd->p);
			pxr_buf_reset(&id);
			pxr_buf_printf(&id, "fan:%s:%s", F.day, cd->cust);
			pxr_rec_set(&rec, F.o_id, PXR_STR, id.p, id.len);
			pxr_rec_setref(&rec, F.o_rule, PXR_STR, "fan", 3);
			pxr_rec_set(&rec, F.o_day, PXR_STR, F.day, strlen(F.day));
			pxr_rec_set(&rec, F.o_team, PXR_STR, t->name,
			    strlen(t->name));
			pxr_rec_setf(&rec, F.o_score, PXR_NUM, "%.15g",
			    cd->score);
			if (F.kind != NULL)
				pxr_rec_set(&rec, F.o_kind, PXR_STR, F.kind,
				    strlen(F.kind));
			else
				pxr_rec_setnull(&rec, F.o_kind);
			if (F.item != NULL)
				pxr_rec_set(&rec, F.o_item, PXR_STR, F.item,
				    strlen(F.item));
			else
				pxr_rec_setnull(&rec, F.o_item);
			/* Written after the commit below: held in order. */
			pxr_rec_repack(&cd->p, &rec);
		}
	}
	/* The history is durable before anyone hears of a pick. */
	if (F.st != NULL && pxr_state_commit(F.st, &c->err) < 0)
		rc = -2;
	if (F.st != NULL)
		pxr_state_unlock(F.st);
	for (i = 0; i < F.nteams && rc == 0; i++)
		for (j = 0; j < F.teams[i].n; j++) {
			struct cand *cd = &F.teams[i].top[j];

			if (!cd->picked)
				continue;	/* no room today */
			pxr_rec_unpack(&rec, cd->p);
			if (pxr_cli_emit(c, &rec) < 0)
				rc = -2;
		}
	pxr_rec_fini(&rec);
	pxr_buf_free(&at);
	pxr_buf_free(&id);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_PER = OPT_CMD, O_BY, O_HIST, O_SEED };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "per-day", required_argument, NULL, O_PER },
		{ "by", required_argument, NULL, O_BY },
		{ "history", required_argument, NULL, O_HIST },
		{ "seed", required_argument, NULL, O_SEED },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, end };
	struct pxr_cli c;
	struct pxr_buf b = { 0 };
	char *endp;
	size_t torn;
	int ch;

	pxr_cli_init(&c, argv, "pxr-fan", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_PER:
			F.per_day = strtol(optarg, &endp, 10);
			if (*endp != '\0' || F.per_day < 1 || F.per_day > 10000)
				pxr_cli_usage(&c, "--per-day: a number from 1");
			break;
		case O_BY: F.byfield = optarg; break;
		case O_HIST: F.hpath = optarg; break;
		case O_SEED:
			F.seed = strtoull(optarg, &endp, 10);
			if (*endp != '\0')
				pxr_cli_usage(&c, "--seed: a whole number");
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	F.R = pxr_cli_rules(&c);
	if (F.R->fan == NULL) {
		fprintf(stderr, "pxr-fan: %s: no 'fan' section\n", c.rules);
		exit(PXR_EXIT_CONFIG);
	}
	F.when = F.R->fan->when;
	F.score = F.R->fan->score;
	if (F.byfield == NULL)
		F.by = F.R->fan->by;
	if (F.per_day == 0)
		F.per_day = F.R->fan->per_day;
	F.cooldown_days = (F.R->fan->cooldown + PXR_US_DAY - 1) / PXR_US_DAY;
	F.kind = F.R->fan->kind;
	F.item = F.R->fan->item;
	F.now = pxr_cli_now(&c, F.R->tz);
	pxr_date_format(&b, F.now, F.R->tz);
	snprintf(F.day, sizeof(F.day), "%s", b.p);
	pxr_buf_free(&b);
	F.today = day_of(F.day);
	F.nh = 65536;
	F.h = pxr_calloc(F.nh, sizeof(*F.h));
	if (F.hpath != NULL) {
		F.st = pxr_state_open(F.hpath, hist_cols, 0, &c.err);
		if (F.st == NULL || pxr_state_lock(F.st, 60000, &c.err) < 0 ||
		    pxr_state_refresh(F.st, hist_row, NULL, &torn, &c.err) < 0)
			pxr_cli_die(&c, &c.err);
		if (torn > 0)
			pxr_cli_warn(&c, "%s: a torn last row (%zu bytes) was "
			    "ignored and cut off", F.hpath, torn);
		pxr_state_unlock(F.st);
	}
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
