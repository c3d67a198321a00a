/*
 * report_redeem.c: are the vouchers used (issue 17)?  With the
 * redemptions of pxr-ledger redeem (redeemed.csv) beside the ledger: per
 * rule and tier (and currency), the compensations issued with a code,
 * how many were redeemed, the rate, and the redeemed orders' amount.
 */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_int.h"

const char rp_redeem_absent[] = "Redemption is not measured: no "
	"redemptions (pxr-ledger redeem's redeemed.csv) were given.";

static int
redeemcmp(const void *a, const void *b)
{
	const struct rp_redeem *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->cur, y->cur);
}

/* The row of name and cur, made when new. */
static struct rp_redeem *
row(struct pxr_report *R, const char *name, const char *cur)
{
	size_t i;

	for (i = 0; i < R->nredeem; i++)
		if (strcmp(R->redeem[i].name, name) == 0 &&
		    strcmp(R->redeem[i].cur, cur) == 0)
			return &R->redeem[i];
	R->redeem = pxr_reallocarray(R->redeem, R->nredeem + 1,
	    sizeof(*R->redeem));
	memset(&R->redeem[R->nredeem], 0, sizeof(*R->redeem));
	R->redeem[R->nredeem].name = name;
	R->redeem[R->nredeem].cur = cur;
	return &R->redeem[R->nredeem++];
}

void
rp_redeem(struct pxr_report *R)
{
	struct pxr_buf b = { 0 };
	struct rp_redeem *r;
	struct rp_redeemed *x;
	size_t i;

	R->redeem_all.name = "(all rules)";
	R->redeem_all.cur = NULL;
	if (!R->have_redeemed)
		return;
	for (i = 0; i < R->ncomp; i++) {
		struct rp_comp *c = R->comp_v[i];

		/* A voucher (a code) issued: not pending, reversed, ... */
		if (c->code == NULL || *c->code == '\0' || !c->in_ledger ||
		    strcmp(c->lstate, "issued") != 0)
			continue;
		pxr_buf_reset(&b);
		pxr_buf_printf(&b, "%s/%s", c->rule != NULL ? c->rule : "-",
		    c->tier != NULL ? c->tier : "-");
		r = row(R, pxr_arena_strndup(&R->mem, b.p, b.len),
		    c->cur != NULL ? c->cur : "");
		r->issued++;
		R->redeem_all.issued++;
		if ((x = pxr_hmap_get(&R->redeemed, c->code,
		    strlen(c->code))) == NULL || x->counted)
			continue;
		x->counted = 1;
		r->redeemed++;
		(void)pxr_money_add(&r->order, x->order);
		R->redeem_all.redeemed++;
		if (R->redeem_all.cur == NULL)
			R->redeem_all.cur = r->cur;
		if (strcmp(R->redeem_all.cur, r->cur) == 0)
			(void)pxr_money_add(&R->redeem_all.order, x->order);
		else	/* orders in several currencies: no one sum */
			R->redeem_all.cur = "";
	}
	pxr_buf_free(&b);
	qsort(R->redeem, R->nredeem, sizeof(*R->redeem), redeemcmp);
}
