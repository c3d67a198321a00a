/*
 * report_html.c: the report as one self-contained page: the totals and
 * the first-contact rate first, then every table with its chart, then
 * the nights.  Every value from the data is escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "stream.h"

static void
esc(FILE *fp, const char *s)
{
	pxr_xml_escape(fp, s != NULL ? s : "-");
}

/* A cell of money, right-aligned. */
static void
money_td(FILE *fp, const struct pxr_report *R, int64_t v, const char *cur)
{
	struct pxr_buf b = { 0 };

	rp_money(R, &b, v, cur);
	fprintf(fp, "<td class=\"n\">");
	esc(fp, b.p);
	fprintf(fp, "</td>");
	pxr_buf_free(&b);
}

static void
paid(FILE *fp, const struct pxr_report *R, const struct rp_row *r, size_t n)
{
	struct pxr_buf b = { 0 };
	size_t i;

	pxr_buf_adds(&b, n == 0 ? "-" : "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			pxr_buf_adds(&b, ", ");
		rp_money(R, &b, r[i].sum, r[i].cur);
	}
	esc(fp, b.p);
	pxr_buf_free(&b);
}

static void
totals(FILE *fp, const struct pxr_report *R)
{
	size_t i;

	fprintf(fp, "<h2>Totals</h2>\n<table id=\"totals\">\n"
	    "<tr><td>incidents</td><td class=\"n\">%zu</td></tr>\n"
	    "<tr><td>customers with an incident</td><td class=\"n\">%ld</td>"
	    "</tr>\n<tr><td>compensations in money</td><td class=\"n\">%ld"
	    "</td></tr>\n<tr><td>gestures (no money)</td><td class=\"n\">%ld"
	    "</td></tr>\n<tr><td>messages sent</td><td class=\"n\">%ld of %zu"
	    "</td></tr>\n", R->ninc, R->customers, R->t[RP_MONEY_T].total,
	    R->t[RP_GESTURES].total, R->sent, R->nmsg);
	for (i = 0; i < R->nmoney; i++) {
		fprintf(fp, "<tr><td>paid in ");
		esc(fp, R->money[i].cur);
		fprintf(fp, " (%ld)</td>", R->money[i].count);
		money_td(fp, R, R->money[i].sum, R->money[i].cur);
		fprintf(fp, "</tr>\n");
	}
	fprintf(fp, "</table>\n");
}

static void
table(FILE *fp, const struct pxr_report *R, const struct rp_table *t)
{
	size_t j;

	fprintf(fp, "<h2>");
	esc(fp, t->title);
	fprintf(fp, "</h2>\n");
	if (t->n == 0) {
		fprintf(fp, "<p>(none)</p>\n");
		return;
	}
	rp_svg_chart(fp, R, t, 0, 1);
	fprintf(fp, "<table>\n<tr><th>");
	esc(fp, t->col);
	fprintf(fp, "</th>%s</tr>\n", t->kind == RP_MONEY ? "<th>currency</th>"
	    "<th>count</th><th>sum</th><th>mean</th><th>max</th>" :
	    "<th>count</th>");
	for (j = 0; j < t->n; j++) {
		const struct rp_row *r = &t->r[j];

		fprintf(fp, "<tr><td>");
		esc(fp, r->name);
		fprintf(fp, "</td>");
		if (t->kind == RP_MONEY) {
			fprintf(fp, "<td>");
			esc(fp, r->cur);
			fprintf(fp, "</td><td class=\"n\">%ld</td>", r->count);
			money_td(fp, R, r->sum, r->cur);
			money_td(fp, R, rp_mean(r), r->cur);
			money_td(fp, R, r->max, r->cur);
		} else
			fprintf(fp, "<td class=\"n\">%ld</td>", r->count);
		fprintf(fp, "</tr>\n");
	}
	if (t->kind == RP_MONEY)
		for (j = 0; j < R->nmoney; j++) {
			fprintf(fp, "<tr class=\"total\"><td>total</td><td>");
			esc(fp, R->money[j].cur);
			fprintf(fp, "</td><td class=\"n\">%ld</td>",
			    R->money[j].count);
			money_td(fp, R, R->money[j].sum, R->money[j].cur);
			fprintf(fp, "<td></td><td></td></tr>\n");
		}
	else
		fprintf(fp, "<tr class=\"total\"><td>total</td><td class=\"n\">"
		    "%ld</td></tr>\n", t->total);
	fprintf(fp, "</table>\n");
}

static void
nights(FILE *fp, const struct pxr_report *R)
{
	size_t i;

	fprintf(fp, "<h2>By night</h2>\n");
	if (R->nnights == 0) {
		fprintf(fp, "<p>(none)</p>\n");
		return;
	}
	fprintf(fp, "<table id=\"by-night\">\n<tr><th>night</th><th>incidents"
	    "</th><th>compensations</th><th>gestures</th><th>sent</th>"
	    "%s<th>paid</th></tr>\n", R->have_complaints ? "<th>first contact"
	    "</th>" : "");
	for (i = 0; i < R->nnights; i++) {
		const struct rp_night *n = &R->nights[i];

		fprintf(fp, "<tr><td>%s</td><td class=\"n\">%ld</td>"
		    "<td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
		    "<td class=\"n\">%ld</td>", n->date, n->incidents, n->comps,
		    n->gestures, n->sent);
		if (R->have_complaints && n->fc_n > 0)
			fprintf(fp, "<td class=\"n\">%.1f %%</td>", rp_percent(
			    n->fc_good, n->fc_n));
		else if (R->have_complaints)
			fprintf(fp, "<td class=\"n\">-</td>");
		fprintf(fp, "<td class=\"n\">");
		paid(fp, R, n->money, n->nmoney);
		fprintf(fp, "</td></tr>\n");
	}
	fprintf(fp, "</table>\n");
}

/* Paid and told: the counts, then who was paid and not told. */
static void
told(FILE *fp, const struct pxr_report *R)
{
	size_t i;
	int perm;

	fprintf(fp, "<h2>Paid and told</h2>\n");
	if (!R->have_msgs) {
		fprintf(fp, "<p id=\"told\">%ld compensation%s paid. ",
		    R->paid, R->paid == 1 ? "" : "s");
		esc(fp, rp_told_absent);
		fprintf(fp, "</p>\n");
		return;
	}
	fprintf(fp, "<table id=\"told\">\n<tr><td>compensations paid</td>"
	    "<td class=\"n\">%ld</td></tr>\n<tr><td>told (a message handed "
	    "over)</td><td class=\"n\">%ld</td></tr>\n<tr><td>paid, not told "
	    "(a permanent reason)</td><td class=\"n\">%zu</td></tr>\n<tr><td>"
	    "paid, not yet told</td><td class=\"n\">%zu</td></tr>\n</table>\n",
	    R->paid, R->told, R->npermanent, R->nuntold - R->npermanent);
	for (perm = 1; perm >= 0; perm--) {
		fprintf(fp, "<h3>%s</h3>\n", perm ? "Paid, not told (a "
		    "permanent reason)" : "Paid, not yet told");
		if ((perm ? R->npermanent : R->nuntold - R->npermanent) == 0) {
			fprintf(fp, "<p>(none)</p>\n");
			continue;
		}
		fprintf(fp, "<table class=\"untold\">\n<tr><th>customer</th>"
		    "<th>incident</th><th>amount</th><th>%s</th></tr>\n",
		    perm ? "reason" : "waiting");
		for (i = 0; i < R->nuntold; i++) {
			const struct rp_untold *u = &R->untold[i];
			struct pxr_buf b = { 0 };

			if (u->permanent != perm)
				continue;
			rp_gave(R, &b, u->c);
			fprintf(fp, "<tr><td>");
			esc(fp, u->c->cust);
			fprintf(fp, "</td><td>");
			esc(fp, u->c->id);
			fprintf(fp, "</td><td class=\"n\">");
			esc(fp, b.p);
			fprintf(fp, "</td><td>");
			esc(fp, u->why);
			fprintf(fp, "</td></tr>\n");
			pxr_buf_free(&b);
		}
		fprintf(fp, "</table>\n");
	}
}

static void
rebuy_tr(FILE *fp, const struct rp_rebuy *x)
{
	int k;

	fprintf(fp, "<tr%s><td>", x->rule == NULL ? " class=\"total\"" : "");
	esc(fp, x->rule != NULL ? x->rule : "(all rules)");
	fprintf(fp, "</td>");
	for (k = 1; k >= 0; k--)
		fprintf(fp, "<td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
		    "<td class=\"n\">%.1f %%</td>", x->n[k], x->bought[k],
		    rp_percent(x->bought[k], x->n[k]));
	fprintf(fp, "</tr>\n");
}

/* Are the vouchers used: issued and redeemed per rule and tier. */
static void
redeem(FILE *fp, const struct pxr_report *R)
{
	const struct rp_redeem *x;
	struct pxr_buf b = { 0 };
	size_t i;

	if (!R->have_redeemed)
		return;
	fprintf(fp, "<h3>Vouchers redeemed by rule and tier</h3>\n"
	    "<table id=\"redemption\">\n<tr><th>rule/tier</th><th>issued"
	    "</th><th>redeemed</th><th>rate</th><th>orders</th></tr>\n");
	for (i = 0; i <= R->nredeem; i++) {
		x = i < R->nredeem ? &R->redeem[i] : &R->redeem_all;
		pxr_buf_reset(&b);
		if (x->cur != NULL && *x->cur != '\0')
			rp_money(R, &b, x->order, x->cur);
		fprintf(fp, "<tr%s><td>", i == R->nredeem ?
		    " class=\"total\"" : "");
		esc(fp, x->name);
		fprintf(fp, "</td><td class=\"n\">%ld</td><td class=\"n\">"
		    "%ld</td><td class=\"n\">%.1f %%</td><td class=\"n\">",
		    x->issued, x->redeemed, rp_percent(x->redeemed,
		    x->issued));
		esc(fp, b.len > 0 ? b.p : "-");
		fprintf(fp, "</td></tr>\n");
	}
	fprintf(fp, "</table>\n");
	pxr_buf_free(&b);
}

/* Does recovery pay: the silent-unhappy chart, then repurchase. */
static void
pays(FILE *fp, const struct pxr_report *R)
{
	struct pxr_buf b = { 0 };
	size_t i;

	fprintf(fp, "<h2>Does recovery pay?</h2>\n");
	rp_svg_silent(fp, R, 0, 1);
	rp_within(R, &b);
	fprintf(fp, "<h3>Repurchase within %s of an incident</h3>\n", b.p);
	pxr_buf_free(&b);
	if (!R->have_purchases || R->nrebuy == 0) {
		fprintf(fp, "<p id=\"repurchase\">");
		esc(fp, R->have_purchases ? "(no incident with a customer and "
		    "a time)" : rp_rebuy_absent);
		fprintf(fp, "</p>\n");
		return;
	}
	rp_svg_rebuy(fp, R, 0, 1);
	fprintf(fp, "<table id=\"repurchase\">\n<tr><th>rule</th>"
	    "<th>recovered</th><th>bought</th><th>rate</th>"
	    "<th>not recovered</th><th>bought</th><th>rate</th></tr>\n");
	for (i = 0; i < R->nrebuy; i++)
		rebuy_tr(fp, &R->rebuy[i]);
	rebuy_tr(fp, &R->rebuy_all);
	fprintf(fp, "</table>\n");
}

int
rp_write_html(const struct pxr_report *R, FILE *fp)
{
	size_t i;

	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<title>");
	esc(fp, R->title);
	fprintf(fp, "</title>\n<style>\nbody { font-family: sans-serif; "
	    "margin: 2em; }\ntable { border-collapse: collapse; "
	    "margin-bottom: 1em; }\ntd, th { border: 1px solid #ccc; "
	    "padding: 2px 8px; }\ntd.n { text-align: right; }\n"
	    "tr.total td { font-weight: bold; }\n</style>\n</head>\n<body>\n"
	    "<h1>");
	esc(fp, R->title);
	fprintf(fp, "</h1>\n");
	if (R->have_complaints)
		fprintf(fp, "<p id=\"first-contact\">First-contact rate: "
		    "<strong>%.1f %%</strong> of %ld incident%s; %ld "
		    "customer%s complained before we told them; %ld "
		    "complaint%s no incident.</p>\n", rp_fc_rate(R),
		    R->fc_incidents, R->fc_incidents == 1 ? "" : "s",
		    R->fc_untold, R->fc_untold == 1 ? "" : "s", R->fc_orphans,
		    R->fc_orphans == 1 ? " concerns" : "s concern");
	if (R->have_complaints)
		fprintf(fp, "<p id=\"silent-unhappy\">Unhappy customers, "
		    "estimated: <strong>%lld</strong> (%ld customer%s "
		    "complained; only 1 in %d unhappy customers complains), of "
		    "whom <strong>%lld</strong> silent.</p>\n",
		    (long long)R->complainers * R->o.silent_ratio,
		    R->complainers, R->complainers == 1 ? "" : "s",
		    R->o.silent_ratio, (long long)R->complainers *
		    (R->o.silent_ratio - 1));
	else {
		fprintf(fp, "<p id=\"first-contact\">");
		esc(fp, rp_fc_absent);
		fprintf(fp, "</p>\n");
	}
	totals(fp, R);
	for (i = 0; i < RP_NTABLES; i++)
		table(fp, R, &R->t[i]);
	nights(fp, R);
	told(fp, R);
	pays(fp, R);
	redeem(fp, R);
	fprintf(fp, "</body>\n</html>\n");
	return 0;
}
