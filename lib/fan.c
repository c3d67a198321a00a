/* fan.c: the day's picks for an unexpected gesture, on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "fan.h"
#include "fields.h"
#include "hmap.h"
#include "rules.h"
#include "state.h"

const char *const pxr_fan_history_cols[] = { "picked_on", "customer_id",
	"team", "score", "kind", "item", "picked_at", NULL };

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

/* A customer of the history (in the stage's arena). */
struct hist {
	int64_t	 last;		/* the day last picked (days since epoch) */
	char	*team_today;	/* picked today for this team, or NULL */
};

struct fan {
	struct pxr_mapper *m;
	struct pxr_rules *R;
	struct pxr_expr *when, *score, *by;
	const char *byfield;
	size_t	 f_by, f_cust;
	long	 per_day;
	long	 lock_ms;
	int64_t	 cooldown_days;
	uint64_t seed;
	int64_t	 now, today;
	char	 day[16];
	const char *kind, *item;
	struct pxr_state *st;
	struct pxr_hmap hist;		/* customer -> struct hist */
	struct pxr_hmap team_idx;	/* team name -> index + 1 */
	struct team *teams;
	size_t	 nteams;
	struct pxr_arena mem;		/* the history's records */
	struct pxr_arena scratch;	/* one record's values */
	struct pxr_schema *sch;
	size_t	 o_id, o_rule, o_day, o_team, o_score, o_kind, o_item;
};

static uint64_t
fnv(const char *s, uint64_t h)
{
	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct team *
team_get(struct fan *F, const char *name)
{
	void **slot = pxr_hmap_put(&F->team_idx, name, strlen(name), NULL);

	if (*slot == NULL) {
		F->teams = pxr_reallocarray(F->teams, F->nteams + 1,
		    sizeof(*F->teams));
		memset(&F->teams[F->nteams], 0, sizeof(F->teams[0]));
		F->teams[F->nteams].name = pxr_strdup(name);
		*slot = (void *)(uintptr_t)++F->nteams;
	}
	return &F->teams[(uintptr_t)*slot - 1];
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
	struct fan *F = ctx;
	void **slot = pxr_hmap_put(&F->hist, f[1], l[1], NULL);
	struct hist *x = *slot;
	int64_t d = day_of(f[0]);

	(void)line;
	if (x == NULL) {
		x = pxr_arena_alloc(&F->mem, sizeof(*x));
		x->last = INT64_MIN;
		x->team_today = NULL;
		*slot = x;
	}
	if (d > x->last)
		x->last = d;
	if (d == F->today) {
		x->team_today = pxr_arena_strndup(&F->mem, f[2], l[2]);
		team_get(F, f[2])->done++;
	}
	return 0;
}

/* Read the history's rows other runs added, under its lock. */
static int
refresh(struct fan *F, int say, struct pxr_error *err)
{
	size_t torn;

	if (F->st == NULL)
		return 0;
	if (pxr_state_lock(F->st, F->lock_ms, err) < 0 ||
	    pxr_state_refresh(F->st, hist_row, F, &torn, err) < 0)
		return -1;
	if (say && torn > 0)
		pxr_mapper_say(F->m, PXR_SAY_WARN, "%s: a torn last row (%zu "
		    "bytes) was ignored and cut off", pxr_state_path(F->st),
		    torn);
	return 0;
}

static int
fan_bind(struct pxr_mapper *mp, struct pxr_schema *sch,
    struct pxr_error *err)
{
	struct fan *F = mp->state;

	F->sch = sch;
	if (F->when != NULL)
		pxr_expr_bind(F->when, sch);
	pxr_expr_bind(F->score, sch);
	if (F->by != NULL)
		pxr_expr_bind(F->by, sch);
	if (F->byfield != NULL)
		F->f_by = pxr_schema_ref(sch, F->byfield, strlen(F->byfield));
	F->f_cust = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	F->o_id = pxr_field_add(sch, PXR_F_INCIDENT_ID);
	F->o_rule = pxr_field_add(sch, PXR_F_RULE);
	F->o_day = pxr_field_add(sch, PXR_F_FAN_DAY);
	F->o_team = pxr_field_add(sch, PXR_F_FAN_TEAM);
	F->o_score = pxr_field_add(sch, PXR_F_FAN_SCORE);
	F->o_kind = pxr_field_add(sch, PXR_F_FAN_KIND);
	F->o_item = pxr_field_add(sch, PXR_F_FAN_ITEM);
	/* Who was picked before, and today: known before the first pick. */
	if (refresh(F, 1, err) < 0)
		return -2;
	if (F->st != NULL)
		pxr_state_unlock(F->st);
	return 0;
}

/* Better: picked today already, else a higher score, else the lower tie. */
static int
better(const struct cand *a, const struct cand *b)
{
	if (a->again != b->again)
		return a->again;
	if (a->score != b->score)
		return a->score > b->score;
	return a->tie < b->tie;
}

/* The record's team into team (size n): the --by field or fan.by. */
static int
team_of(struct fan *F, struct pxr_rec *rec, struct pxr_env *env, char *team,
    size_t n, struct pxr_error *err)
{
	struct pxr_value v;

	team[0] = '\0';
	if (F->byfield != NULL) {
		const struct pxr_val *bv = pxr_rec_get(rec, F->f_by);

		if (!PXR_ISNULL(bv))
			snprintf(team, n, "%.*s", (int)(bv->n > n - 1 ? n - 1 :
			    bv->n), bv->s);
	} else if (F->by != NULL) {
		struct pxr_buf b = { 0 };

		if (pxr_expr_eval(F->by, env, &v, err) < 0)
			return -1;
		pxr_value_text(&v, F->R->tz, &b);
		snprintf(team, n, "%s", b.p != NULL ? b.p : "");
		pxr_buf_free(&b);
	}
	return 0;
}

/* Whether the customer may be picked: 1, 0 (cooldown, when), -1 err. */
static int
admitted(struct fan *F, const struct hist *h, struct pxr_env *env,
    struct pxr_error *err)
{
	if (h != NULL && h->last != INT64_MIN &&
	    F->today - h->last < F->cooldown_days)
		return 0;
	if (F->when == NULL)
		return 1;
	return pxr_expr_test(F->when, env, err);
}

/* Put cd into the team's short list, best first (cd's memory taken). */
static void
shortlist(struct fan *F, struct team *t, struct cand *cd,
    const struct pxr_rec *rec)
{
	size_t i, keep = (size_t)F->per_day;

	for (i = 0; i < t->n; i++)
		if (better(cd, &t->top[i]))
			break;
	if (i >= keep) {
		free(cd->cust);
		return;
	}
	cd->p = pxr_rec_pack(rec);
	if (t->n == keep) {
		free(t->top[t->n - 1].p);
		free(t->top[t->n - 1].cust);
		t->n--;
	}
	t->top = pxr_reallocarray(t->top, keep + 1, sizeof(*t->top));
	memmove(&t->top[i + 1], &t->top[i], (t->n - i) * sizeof(*t->top));
	t->top[i] = *cd;
	t->n++;
}

static int
fan_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct fan *F = mp->state;
	const struct pxr_val *cv = pxr_rec_get(rec, F->f_cust);
	struct pxr_env env;
	struct pxr_value v;
	struct hist *h;
	struct cand cd;
	char team[256], text[sizeof(err->text)];
	int rc;

	if (PXR_ISNULL(cv))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "no customer_id");
	pxr_arena_reset(&F->scratch);
	env.now = F->now;
	env.tz = F->R->tz;
	env.rec = rec;
	env.arena = &F->scratch;
	memset(&cd, 0, sizeof(cd));
	cd.cust = pxr_strndup(cv->s, cv->n);
	if (team_of(F, rec, &env, team, sizeof(team), err) < 0)
		goto fail;
	h = pxr_hmap_get(&F->hist, cv->s, cv->n);
	if (h != NULL && h->team_today != NULL && strcmp(h->team_today,
	    team) == 0)
		cd.again = 1;	/* today's pick: it comes out again */
	else if ((rc = admitted(F, h, &env, err)) <= 0) {
		if (rc == 0 && h != NULL && h->last != INT64_MIN &&
		    F->today - h->last < F->cooldown_days)
			pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: customer "
			    "%s: picked %lld day(s) ago, within the cooldown "
			    "of %lld day(s): not a candidate", rec->file,
			    rec->line, cd.cust, (long long)(F->today -
			    h->last), (long long)F->cooldown_days);
		else if (rc == 0)
			pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: customer "
			    "%s: fan.when is false: not a candidate",
			    rec->file, rec->line, cd.cust);
		free(cd.cust);
		return rc < 0 ? pxr_error_set(err, PXR_EXIT_DATAERR, "fan: %s",
		    strcpy(text, err->text)) : 0;
	}
	if (pxr_expr_eval(F->score, &env, &v, err) < 0)
		goto fail;
	if (v.t == PXR_V_FIELD && pxr_value_number(&v, &v, err) < 0)
		goto fail;
	cd.score = v.t == PXR_V_INT ? (double)v.i : v.t == PXR_V_DBL ? v.d :
	    -1e300;
	cd.tie = fnv(cd.cust, fnv(F->day, F->seed * 1099511628211ULL +
	    1469598103934665603ULL));
	pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "%s:%ld: customer %s: team %s, "
	    "score %.15g%s", rec->file, rec->line, cd.cust, team, cd.score,
	    cd.again ? ": today's pick already, given again" : "");
	shortlist(F, team_get(F, team), &cd, rec);
	return 0;
fail:
	snprintf(text, sizeof(text), "%s", err->text);
	free(cd.cust);
	return pxr_error_set(err, PXR_EXIT_DATAERR, "fan: %s", text);
}

/* The pick's row of the history, queued. */
static void
record(struct fan *F, const struct team *t, const struct cand *cd,
    const char *at)
{
	const char *f[8];
	char score[64];

	snprintf(score, sizeof(score), "%.15g", cd->score);
	f[0] = F->day;
	f[1] = cd->cust;
	f[2] = t->name;
	f[3] = score;
	f[4] = F->kind != NULL ? F->kind : "";
	f[5] = F->item != NULL ? F->item : "";
	f[6] = at;
	f[7] = NULL;
	pxr_state_add(F->st, f);
}

static void
set_or_null(struct pxr_rec *rec, size_t f, const char *s)
{
	if (s != NULL)
		pxr_rec_set(rec, f, PXR_STR, s, strlen(s));
	else
		pxr_rec_setnull(rec, f);
}

/* The pick's fields on its record, packed again to be emitted later. */
static void
mark(struct fan *F, struct pxr_rec *rec, const struct team *t,
    struct cand *cd, struct pxr_buf *id)
{
	pxr_rec_unpack(rec, cd->p);
	pxr_buf_reset(id);
	pxr_buf_printf(id, "fan:%s:%s", F->day, cd->cust);
	pxr_rec_set(rec, F->o_id, PXR_STR, id->p, id->len);
	pxr_rec_setref(rec, F->o_rule, PXR_STR, "fan", 3);
	pxr_rec_set(rec, F->o_day, PXR_STR, F->day, strlen(F->day));
	pxr_rec_set(rec, F->o_team, PXR_STR, t->name, strlen(t->name));
	pxr_rec_setf(rec, F->o_score, PXR_NUM, "%.15g", cd->score);
	set_or_null(rec, F->o_kind, F->kind);
	set_or_null(rec, F->o_item, F->item);
	pxr_rec_repack(&cd->p, rec);
	cd->picked = 1;
}

static int
fan_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct fan *F = mp->state;
	struct pxr_rec rec;
	struct pxr_buf at = { 0 }, id = { 0 };
	size_t i, j;
	int rc = 0;

	pxr_time_format(&at, F->now);
	pxr_rec_init(&rec, F->sch);
	/* Picks another run made meanwhile count against today's room. */
	if (refresh(F, 0, err) < 0)
		rc = -2;
	for (i = 0; i < F->nteams && rc == 0; i++) {
		struct team *t = &F->teams[i];
		size_t room = t->done < (size_t)F->per_day ?
		    (size_t)F->per_day - t->done : 0;

		for (j = 0; j < t->n; j++) {
			struct cand *cd = &t->top[j];

			if (!cd->again) {
				if (room == 0) {
					pxr_mapper_say(mp, PXR_SAY_EXPLAIN,
					    "team %s: customer %s (score "
					    "%.15g): no room left today "
					    "(fan.per_day %ld)", t->name,
					    cd->cust, cd->score, F->per_day);
					continue;
				}
				room--;
				if (F->st != NULL)
					record(F, t, cd, at.p);
			}
			pxr_mapper_say(mp, PXR_SAY_EXPLAIN, "team %s: customer "
			    "%s picked (score %.15g, rank %zu of the team's "
			    "best)", t->name, cd->cust, cd->score, j + 1);
			mark(F, &rec, t, cd, &id);
		}
	}
	/* The history is durable before anyone hears of a pick. */
	if (rc == 0 && F->st != NULL && pxr_state_commit(F->st, err) < 0)
		rc = -2;
	if (F->st != NULL)
		pxr_state_unlock(F->st);
	for (i = 0; i < F->nteams && rc == 0; i++)
		for (j = 0; j < F->teams[i].n && rc == 0; j++) {
			struct cand *cd = &F->teams[i].top[j];

			if (!cd->picked)
				continue;	/* no room today */
			pxr_rec_unpack(&rec, cd->p);
			if (pxr_mapper_emit(mp, &rec, err) < 0)
				rc = -2;
		}
	pxr_rec_fini(&rec);
	pxr_buf_free(&at);
	pxr_buf_free(&id);
	return rc;
}

static void
fan_free(void *p)
{
	struct fan *F = p;
	size_t i, j;

	if (F == NULL)
		return;
	for (i = 0; i < F->nteams; i++) {
		for (j = 0; j < F->teams[i].n; j++) {
			free(F->teams[i].top[j].p);
			free(F->teams[i].top[j].cust);
		}
		free(F->teams[i].top);
		free(F->teams[i].name);
	}
	free(F->teams);
	pxr_hmap_fini(&F->hist, NULL);
	pxr_hmap_fini(&F->team_idx, NULL);
	pxr_state_close(F->st);
	pxr_arena_free(&F->mem);
	pxr_arena_free(&F->scratch);
	free(F);
}

struct pxr_mapper *
pxr_fan_new(const struct pxr_fan_opts *o, struct pxr_rules *R,
    struct pxr_error *err)
{
	struct pxr_buf b = { 0 };
	struct fan *F;

	if (R->fan == NULL) {
		pxr_error_set(err, PXR_EXIT_CONFIG, "no 'fan' section");
		return NULL;
	}
	F = pxr_calloc(1, sizeof(*F));
	F->R = R;
	F->when = R->fan->when;
	F->score = R->fan->score;
	F->byfield = o->byfield;
	if (F->byfield == NULL)
		F->by = R->fan->by;
	F->per_day = o->per_day > 0 ? o->per_day : R->fan->per_day;
	F->cooldown_days = (R->fan->cooldown + PXR_US_DAY - 1) / PXR_US_DAY;
	F->kind = R->fan->kind;
	F->item = R->fan->item;
	F->seed = o->seed;
	F->lock_ms = o->lock_ms > 0 ? o->lock_ms : 60000;
	F->now = o->now;
	pxr_date_format(&b, F->now, R->tz);
	snprintf(F->day, sizeof(F->day), "%s", b.p);
	pxr_buf_free(&b);
	F->today = day_of(F->day);
	if (o->history != NULL && (F->st = pxr_state_open(o->history,
	    pxr_fan_history_cols, 0, err)) == NULL) {
		fan_free(F);
		return NULL;
	}
	F->m = pxr_mapper_new("fan", F, fan_bind, fan_map, fan_end, fan_free);
	return F->m;
}
