/*
 * report_rebuy.c: does recovery pay (issue 18)?  The silent-unhappy
 * estimate ("only 1 in 26 unhappy customers complains": the customers
 * who complained times the stated ratio) and, with a purchases file, the
 * share of customers who bought again within a window after an incident:
 * those recovered (a compensation paid or a message handed over about
 * it) against those failed and not recovered, per rule and over all.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "time.h"

const char rp_rebuy_absent[] = "Repurchase is not measured: no purchases "
	"file (--purchases: customer_id, purchased_at) was given.";

/* A customer's incidents of a rule (or of all): the first, and if any
 * was recovered. */
struct unit {
	struct rp_rebuy *row;	/* NULL: the all-rules row */
	const char *cust;
	int64_t	 start;
	int	 recovered;
};

double
rp_percent(long part, long whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void
rp_within(const struct pxr_report *R, struct pxr_buf *b)
{
	pxr_dur_format(b, R->o.within);
}

/* Was the incident recovered: paid for, or a message about it went? */
static int
recovered(const struct pxr_report *R, const struct rp_inc *it)
{
	const struct rp_comp *c = pxr_hmap_get(&R->comp, it->id,
	    strlen(it->id));

	return it->told || (c != NULL && c->paid);
}

/* The end of the window after t: calendar days in TZ when whole days. */
static int64_t
window_end(const struct pxr_report *R, int64_t t)
{
	int64_t w = R->o.within;

	if (w % PXR_US_DAY == 0 && w / PXR_US_DAY <= 3650000)
		return pxr_time_add_days(R->o.tz, t, w / PXR_US_DAY);
	return t > INT64_MAX - w ? INT64_MAX : t + w;
}

/* Did cust buy after start and no later than the window's end? */
static int
bought(const struct pxr_report *R, const char *cust, int64_t start)
{
	const struct rp_purchase *p = pxr_hmap_get(&R->purchases, cust,
	    strlen(cust));
	int64_t end = window_end(R, start);

	for (; p != NULL; p = p->next)
		if (p->t > start && p->t <= end)
			return 1;
	return 0;
}

/* The unit of key (made when new, in *v), its start the earliest. */
static void
add_unit(struct pxr_report *R, struct pxr_hmap *units, struct unit ***v,
    size_t *n, struct pxr_buf *key, struct rp_rebuy *row,
    const struct rp_inc *it)
{
	void **slot = pxr_hmap_put(units, key->p, key->len, NULL);
	struct unit *u = *slot;

	if (u == NULL) {
		u = pxr_arena_alloc(&R->mem, sizeof(*u));
		u->row = row;
		u->cust = it->cust;
		u->start = it->night;
		u->recovered = 0;
		*slot = u;
		*v = pxr_reallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = u;
	}
	if (it->night < u->start)
		u->start = it->night;
	u->recovered |= recovered(R, it);
}

static int
rebuycmp(const void *a, const void *b)
{
	return strcmp(((const struct rp_rebuy *)a)->rule,
	    ((const struct rp_rebuy *)b)->rule);
}

void
rp_rebuy(struct pxr_report *R)
{
	struct pxr_hmap units, rules;
	struct pxr_buf key = { 0 };
	struct unit **v = NULL;
	size_t i, n = 0;

	if (!R->have_purchases)
		return;
	pxr_hmap_init(&units);
	pxr_hmap_init(&rules);
	/* The rows first: their addresses stay put from here. */
	for (i = 0; i < R->ninc; i++) {
		const struct rp_inc *it = R->inc_v[i];
		int added;
		void **slot;

		if (it->cust == NULL || it->night == RP_NOTIME)
			continue;
		slot = pxr_hmap_put(&rules, it->rule, strlen(it->rule),
		    &added);
		if (added) {
			R->rebuy = pxr_reallocarray(R->rebuy, R->nrebuy + 1,
			    sizeof(*R->rebuy));
			memset(&R->rebuy[R->nrebuy], 0, sizeof(*R->rebuy));
			R->rebuy[R->nrebuy].rule = it->rule;
			*slot = (void *)(uintptr_t)R->nrebuy++;
		}
	}
	for (i = 0; i < R->ninc; i++) {
		const struct rp_inc *it = R->inc_v[i];
		struct rp_rebuy *row;

		if (it->cust == NULL || it->night == RP_NOTIME)
			continue;
		row = &R->rebuy[(uintptr_t)pxr_hmap_get(&rules, it->rule,
		    strlen(it->rule))];
		/* RULE US CUSTOMER, and US CUSTOMER for every rule. */
		pxr_buf_reset(&key);
		pxr_buf_printf(&key, "%s\x1f%s", it->rule, it->cust);
		add_unit(R, &units, &v, &n, &key, row, it);
		pxr_buf_reset(&key);
		pxr_buf_printf(&key, "\x1f%s", it->cust);
		add_unit(R, &units, &v, &n, &key, NULL, it);
	}
	for (i = 0; i < n; i++) {
		struct rp_rebuy *row = v[i]->row != NULL ? v[i]->row :
		    &R->rebuy_all;
		int r = v[i]->recovered;

		row->n[r]++;
		row->bought[r] += bought(R, v[i]->cust, v[i]->start);
	}
	if (R->nrebuy > 1)
		qsort(R->rebuy, R->nrebuy, sizeof(*R->rebuy), rebuycmp);
	free(v);
	pxr_buf_free(&key);
	pxr_hmap_fini(&units, NULL);
	pxr_hmap_fini(&rules, NULL);
}
