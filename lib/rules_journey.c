/*
 * rules_journey.c: the journey section of the rule file (the customer
 * experience map of pxr-map(1)): each phase's id, name, description, the
 * customer's needs (rational, emotional), what moves them to choose and to
 * recommend, the touchpoints, the owner and the risks; and the four
 * strategies (ways to connect) a compensation entry is for; loaded into
 * the typed model of rules.h (see rules_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const struct mdef journey_defs[] = {
	{ "name", J_STR, 0 }, { "phases", J_ARR, 1 }, { NULL, 0, 0 }
};
static const struct mdef phase_defs[] = {
	{ "id", J_STR, 1 }, { "name", J_STR, 0 }, { "description", J_STR, 0 },
	{ "needs", J_OBJ, 0 }, { "motivation", J_OBJ, 0 },
	{ "touchpoints", J_STRARR, 0 }, { "owner", J_STR, 0 },
	{ "risks", J_STRARR, 0 }, { NULL, 0, 0 }
};
static const struct mdef needs_defs[] = {
	{ "rational", J_STRARR, 0 }, { "emotional", J_STRARR, 0 },
	{ NULL, 0, 0 }
};
static const struct mdef motivation_defs[] = {
	{ "choice", J_STRARR, 0 }, { "recommendation", J_STRARR, 0 },
	{ NULL, 0, 0 }
};

const char *const pxr_strategy_names[PXR_NSTRAT] = {
	"quick-response", "advisory", "coaching", "automatic"
};

int
pxr_strategy_of(const char *s, size_t n)
{
	int i;

	for (i = 0; i < PXR_NSTRAT; i++)
		if (strlen(pxr_strategy_names[i]) == n &&
		    memcmp(pxr_strategy_names[i], s, n) == 0)
			return i;
	return -1;
}

void
pxr_rl_load_strategies(struct ld *L, struct pxr_comp *c, json_t *o,
    const char *path)
{
	json_t *v = pxr_rl_get(o, "when_strategy", J_STRARR), *x;
	char sub[200];
	size_t i;
	int k;

	c->offer_valid = (int64_t)7 * 24 * 3600 * 1000000;
	if ((x = pxr_rl_get(o, "offer_valid", J_DUR)) != NULL) {
		snprintf(sub, sizeof(sub), "%s.offer_valid", path);
		(void)pxr_rl_duration(L, sub, x, &c->offer_valid);
	}
	if (v == NULL || !json_is_array(v))
		return;
	json_array_foreach(v, i, x) {
		snprintf(sub, sizeof(sub), "%s.when_strategy[%zu]", path, i);
		if ((k = pxr_strategy_of(json_string_value(x),
		    json_string_length(x))) >= 0) {
			c->strategies |= 1 << k;
			continue;
		}
		if (pxr_suggest(json_string_value(x), pxr_strategy_names,
		    PXR_NSTRAT) != NULL)
			ERR(L, sub, "bad-strategy", "%s: unknown strategy '%s' "
			    "(did you mean '%s'?)", sub, json_string_value(x),
			    pxr_suggest(json_string_value(x),
			    pxr_strategy_names, PXR_NSTRAT));
		else
			ERR(L, sub, "bad-strategy", "%s: unknown strategy '%s' "
			    "(quick-response, advisory, coaching or automatic)",
			    sub, json_string_value(x));
	}
}

/* The array of strings o.name into l (copied), if it is one. */
static void
getlist(json_t *o, const char *name, struct pxr_strlist *l)
{
	json_t *v = pxr_rl_get(o, name, J_STRARR), *x;
	size_t i;

	if (v == NULL || !json_is_array(v))
		return;
	l->v = pxr_calloc(json_array_size(v) + 1, sizeof(*l->v));
	json_array_foreach(v, i, x)
		l->v[l->n++] = pxr_strdup(json_string_value(x));
}

static void
freelist(struct pxr_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* An object member o.name checked against defs at path: borrowed or NULL. */
static json_t *
getobj(struct ld *L, json_t *o, const char *name, const char *path,
    const struct mdef *defs)
{
	json_t *v = pxr_rl_get(o, name, J_OBJ);
	char sub[200];

	if (v == NULL)
		return NULL;
	snprintf(sub, sizeof(sub), "%s.%s", path, name);
	return pxr_rl_check_obj(L, v, sub, defs) == 0 ? v : NULL;
}

static void
load_phase(struct ld *L, struct pxr_phase *ph, json_t *y, const char *path)
{
	json_t *v;

	if (pxr_rl_check_obj(L, y, path, phase_defs) < 0)
		return;
	ph->id = pxr_rl_getstr(y, "id");
	ph->name = pxr_rl_getstr(y, "name");
	ph->description = pxr_rl_getstr(y, "description");
	ph->owner = pxr_rl_getstr(y, "owner");
	if ((v = getobj(L, y, "needs", path, needs_defs)) != NULL) {
		getlist(v, "rational", &ph->rational);
		getlist(v, "emotional", &ph->emotional);
	}
	if ((v = getobj(L, y, "motivation", path, motivation_defs)) != NULL) {
		getlist(v, "choice", &ph->choice);
		getlist(v, "recommendation", &ph->recommendation);
	}
	getlist(y, "touchpoints", &ph->touchpoints);
	getlist(y, "risks", &ph->risks);
}

void
pxr_rl_load_journey(struct ld *L, json_t *v)
{
	struct pxr_rules *R = L->r;
	json_t *x, *y;
	size_t i, j;
	char sub[160];

	if (v == NULL || pxr_rl_check_obj(L, v, "journey", journey_defs) != 0)
		return;
	R->journey = pxr_rl_getstr(v, "name");
	if ((x = pxr_rl_get(v, "phases", J_ARR)) == NULL)
		return;
	R->nphases = json_array_size(x);
	R->phases = pxr_calloc(R->nphases + 1, sizeof(*R->phases));
	json_array_foreach(x, i, y) {
		snprintf(sub, sizeof(sub), "journey.phases[%zu]", i);
		load_phase(L, &R->phases[i], y, sub);
		for (j = 0; j < i && R->phases[i].id != NULL; j++)
			if (R->phases[j].id != NULL && strcmp(R->phases[j].id,
			    R->phases[i].id) == 0) {
				snprintf(sub, sizeof(sub),
				    "journey.phases[%zu].id", i);
				ERR(L, sub, "duplicate-rule-id", "%s: phase id "
				    "'%s' used twice", sub, R->phases[i].id);
			}
	}
}

void
pxr_rl_free_journey(struct pxr_rules *R)
{
	size_t i;

	for (i = 0; i < R->nphases; i++) {
		struct pxr_phase *ph = &R->phases[i];

		free(ph->id);
		free(ph->name);
		free(ph->description);
		free(ph->owner);
		freelist(&ph->rational);
		freelist(&ph->emotional);
		freelist(&ph->choice);
		freelist(&ph->recommendation);
		freelist(&ph->touchpoints);
		freelist(&ph->risks);
	}
	free(R->phases);
	free(R->journey);
}
