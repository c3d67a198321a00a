/* report_text.c: the report as aligned tables for a terminal. */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Append v's money to b and return b's text (b reset first). */
static const char *
money(const struct pxr_report *R, struct pxr_buf *b, int64_t v,
    const char *cur)
{
	pxr_buf_reset(b);
	rp_money(R, b, v, cur);
	return b->p;
}

/* "SEK 1.00, €2.00" of the rows' sums into b. */
static const char *
sums(const struct pxr_report *R, struct pxr_buf *b, const struct rp_row *r,
    size_t n)
{
	size_t i;

	pxr_buf_reset(b);
	pxr_buf_adds(b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			pxr_buf_adds(b, ", ");
		rp_money(R, b, r[i].sum, r[i].cur);
	}
	if (n == 0)
		pxr_buf_adds(b, "-");
	return b->p;
}

static void
money_table(const struct pxr_report *R, FILE *fp, const struct rp_table *t,
    size_t w)
{
	struct pxr_buf s = { 0 }, m = { 0 }, x = { 0 };
	size_t j;

	fprintf(fp, "  %-*s  %-8s %6s  %14s  %12s  %12s\n", (int)w, "kind",
	    "currency", "count", "sum", "mean", "max");
	for (j = 0; j < t->n; j++) {
		const struct rp_row *r = &t->r[j];

		fprintf(fp, "  %-*s  %-8s %6ld  %14s  %12s  %12s\n", (int)w,
		    r->name, r->cur != NULL ? r->cur : "-", r->count,
		    money(R, &s, r->sum, r->cur), money(R, &m, rp_mean(r),
		    r->cur), money(R, &x, r->max, r->cur));
	}
	for (j = 0; j < R->nmoney; j++) {
		const struct rp_row *r = &R->money[j];

		fprintf(fp, "  %-*s  %-8s %6ld  %14s\n", (int)w, "total",
		    r->cur != NULL ? r->cur : "-", r->count,
		    money(R, &s, r->sum, r->cur));
	}
	pxr_buf_free(&s);
	pxr_buf_free(&m);
	pxr_buf_free(&x);
}

/* The columns s takes on a terminal: its UTF-8 characters. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* s in w columns, left- or right-aligned, then two spaces. */
static void
cell(FILE *fp, const char *s, size_t w, int right)
{
	size_t n = width(s);

	if (right)
		fprintf(fp, "%*s", (int)(w > n ? w - n : 0), "");
	fputs(s, fp);
	if (!right)
		fprintf(fp, "%*s", (int)(w > n ? w - n : 0), "");
	fputs("  ", fp);
}

/* The paid compensations not told, permanent (perm) or not yet. */
static void
untold(const struct pxr_report *R, FILE *fp, int perm)
{
	struct pxr_buf b = { 0 };
	size_t i, wc = 8, wi = 8, wa = 6, n = 0;

	for (i = 0; i < R->nuntold; i++) {
		const struct rp_untold *u = &R->untold[i];

		if (u->permanent != perm)
			continue;
		n++;
		pxr_buf_reset(&b);
		rp_gave(R, &b, u->c);
		if (u->c->cust != NULL && width(u->c->cust) > wc)
			wc = width(u->c->cust);
		if (width(u->c->id) > wi)
			wi = width(u->c->id);
		if (width(b.p) > wa)
			wa = width(b.p);
	}
	fprintf(fp, "\n%s\n", perm ? "Paid, not told (a permanent reason)" :
	    "Paid, not yet told");
	if (n == 0)
		fprintf(fp, "  (none)\n");
	else {
		fputs("  ", fp);
		cell(fp, "customer", wc, 0);
		cell(fp, "incident", wi, 0);
		cell(fp, "amount", wa, 1);
		fprintf(fp, "%s\n", perm ? "reason" : "waiting");
	}
	for (i = 0; i < R->nuntold; i++) {
		const struct rp_untold *u = &R->untold[i];

		if (u->permanent != perm)
			continue;
		pxr_buf_reset(&b);
		rp_gave(R, &b, u->c);
		fputs("  ", fp);
		cell(fp, u->c->cust != NULL ? u->c->cust : "-", wc, 0);
		cell(fp, u->c->id, wi, 0);
		cell(fp, b.p, wa, 1);
		fprintf(fp, "%s\n", u->why);
	}
	pxr_buf_free(&b);
}

/* One repurchase row: recovered, then not. */
static void
rebuy_row(FILE *fp, const struct rp_rebuy *r, size_t w)
{
	int k;

	fputs("  ", fp);
	cell(fp, r->rule != NULL ? r->rule : "(all rules)", w, 0);
	for (k = 1; k >= 0; k--)
		fprintf(fp, "%*ld  %6ld  %5.1f %%%s", k ? 9 : 13, r->n[k],
		    r->bought[k], rp_percent(r->bought[k], r->n[k]), k ? "  " :
		    "\n");
}

static void
rebuy(const struct pxr_report *R, FILE *fp)
{
	struct pxr_buf b = { 0 };
	size_t i, w = strlen("(all rules)");

	rp_within(R, &b);
	fprintf(fp, "\nRepurchase within %s of an incident\n", b.p);
	pxr_buf_free(&b);
	if (!R->have_purchases) {
		fprintf(fp, "  %s\n", rp_rebuy_absent);
		return;
	}
	if (R->nrebuy == 0) {
		fprintf(fp, "  (no incident with a customer and a time)\n");
		return;
	}
	for (i = 0; i < R->nrebuy; i++)
		if (width(R->rebuy[i].rule) > w)
			w = width(R->rebuy[i].rule);
	fputs("  ", fp);
	cell(fp, "rule", w, 0);
	fprintf(fp, "%9s  %6s  %7s  %13s  %6s  %7s\n", "recovered", "bought",
	    "rate", "not recovered", "bought", "rate");
	for (i = 0; i < R->nrebuy; i++)
		rebuy_row(fp, &R->rebuy[i], w);
	rebuy_row(fp, &R->rebuy_all, w);
}

/* One redemption row: vouchers issued, redeemed, rate, the orders. */
static void
redeem_row(const struct pxr_report *R, FILE *fp, const struct rp_redeem *r,
    size_t w)
{
	struct pxr_buf b = { 0 };

	if (r->cur != NULL && *r->cur != '\0')
		rp_money(R, &b, r->order, r->cur);
	fputs("  ", fp);
	cell(fp, r->name, w, 0);
	fprintf(fp, "%8ld  %8ld  %5.1f %%  %s\n", r->issued, r->redeemed,
	    rp_percent(r->redeemed, r->issued), b.p != NULL ? b.p : "-");
	pxr_buf_free(&b);
}

/* With redemptions: are the vouchers used, per rule and tier? */
static void
redeem(const struct pxr_report *R, FILE *fp)
{
	size_t i, w = strlen("(all rules)");

	if (!R->have_redeemed)
		return;
	fprintf(fp, "\nVouchers redeemed by rule and tier\n");
	if (R->nredeem == 0) {
		fprintf(fp, "  (no voucher with a code was issued)\n");
		return;
	}
	for (i = 0; i < R->nredeem; i++)
		if (width(R->redeem[i].name) > w)
			w = width(R->redeem[i].name);
	fputs("  ", fp);
	cell(fp, "rule/tier", w, 0);
	fprintf(fp, "%8s  %8s  %7s  %s\n", "issued", "redeemed", "rate",
	    "orders");
	for (i = 0; i < R->nredeem; i++)
		redeem_row(R, fp, &R->redeem[i], w);
	redeem_row(R, fp, &R->redeem_all, w);
}

static void
told(const struct pxr_report *R, FILE *fp)
{
	fprintf(fp, "\nPaid and told\n");
	if (!R->have_msgs) {
		fprintf(fp, "  compensations paid                  %6ld\n  %s\n",
		    R->paid, rp_told_absent);
		return;
	}
	fprintf(fp, "  compensations paid                  %6ld\n"
	    "  told (a message handed over)        %6ld\n"
	    "  paid, not told (permanent reason)   %6zu\n"
	    "  paid, not yet told                  %6zu\n", R->paid, R->told,
	    R->npermanent, R->nuntold - R->npermanent);
	untold(R, fp, 1);
	untold(R, fp, 0);
}

int
rp_write_text(const struct pxr_report *R, FILE *fp)
{
	struct pxr_buf b = { 0 };
	size_t i, j;

	fprintf(fp, "%s\n\nTotals\n", R->title);
	fprintf(fp, "  incidents                      %8zu\n", R->ninc);
	fprintf(fp, "  customers with an incident     %8ld\n", R->customers);
	fprintf(fp, "  compensations in money         %8ld\n",
	    R->t[RP_MONEY_T].total);
	fprintf(fp, "  gestures (no money)            %8ld\n",
	    R->t[RP_GESTURES].total);
	fprintf(fp, "  messages sent                  %8ld of %zu\n", R->sent,
	    R->nmsg);
	fprintf(fp, "  paid                           %s\n", sums(R, &b,
	    R->money, R->nmoney));
	for (i = 0; i < RP_NTABLES; i++) {
		const struct rp_table *t = &R->t[i];
		size_t w = strlen(t->col);

		for (j = 0; j < t->n; j++)
			if (strlen(t->r[j].name) > w)
				w = strlen(t->r[j].name);
		if (w < 5)
			w = 5;
		fprintf(fp, "\n%s\n", t->title);
		if (t->n == 0) {
			fprintf(fp, "  (none)\n");
			continue;
		}
		if (t->kind == RP_MONEY) {
			money_table(R, fp, t, w);
			continue;
		}
		fprintf(fp, "  %-*s  %6s\n", (int)w, t->col, "count");
		for (j = 0; j < t->n; j++)
			fprintf(fp, "  %-*s  %6ld\n", (int)w, t->r[j].name,
			    t->r[j].count);
		fprintf(fp, "  %-*s  %6ld\n", (int)w, "total", t->total);
	}
	fprintf(fp, "\nBy night\n");
	if (R->nnights == 0)
		fprintf(fp, "  (none)\n");
	else
		fprintf(fp, "  %-10s  %9s  %13s  %8s  %4s  %s%s\n", "night",
		    "incidents", "compensations", "gestures", "sent",
		    R->have_complaints ? "first contact  " : "", "paid");
	for (i = 0; i < R->nnights; i++) {
		const struct rp_night *n = &R->nights[i];
		char fc[32] = "";

		if (R->have_complaints && n->fc_n > 0)
			snprintf(fc, sizeof(fc), "%11.1f %%  ", rp_percent(
			    n->fc_good, n->fc_n));
		else if (R->have_complaints)
			snprintf(fc, sizeof(fc), "%13s  ", "-");
		fprintf(fp, "  %-10s  %9ld  %13ld  %8ld  %4ld  %s%s\n", n->date,
		    n->incidents, n->comps, n->gestures, n->sent, fc, sums(R,
		    &b, n->money, n->nmoney));
	}
	told(R, fp);
	fprintf(fp, "\nFirst contact\n");
	if (!R->have_complaints)
		fprintf(fp, "  %s\n", rp_fc_absent);
	else {
		fprintf(fp, "  incidents with a customer          %6ld\n",
		    R->fc_incidents);
		fprintf(fp, "  told before any complaint, or none %6ld\n",
		    R->fc_good);
		fprintf(fp, "  first-contact rate                 %5.1f %%\n",
		    rp_fc_rate(R));
		fprintf(fp, "  customers who complained untold    %6ld\n",
		    R->fc_untold);
		fprintf(fp, "  complaints with no incident        %6ld\n",
		    R->fc_orphans);
		fprintf(fp, "  customers who complained           %6ld\n"
		    "  unhappy customers, estimated       %6lld  (1 in %d "
		    "complains)\n  of them silent, estimated          %6lld\n",
		    R->complainers, (long long)R->complainers *
		    R->o.silent_ratio, R->o.silent_ratio,
		    (long long)R->complainers * (R->o.silent_ratio - 1));
	}
	rebuy(R, fp);
	redeem(R, fp);
	pxr_buf_free(&b);
	return 0;
}
