/*
 * report_csv.c: the report as one CSV table (section, name, currency,
 * count, sum_minor, mean_minor, max_minor, value), made for spreadsheets:
 * every text that a spreadsheet would run as a formula is quoted away.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "stream.h"

/* Append s (NULL: empty) as a CSV field, a formula guarded by a quote. */
static void
field(struct pxr_buf *b, const char *s)
{
	if (s == NULL)
		return;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL) {
		struct pxr_buf g = { 0 };

		pxr_buf_addc(&g, '\'');
		pxr_buf_adds(&g, s);
		pxr_csv_field(b, g.p, g.len);
		pxr_buf_free(&g);
	} else
		pxr_csv_field(b, s, strlen(s));
}

/* One line: section, name, currency, then the rest as given. */
static void
line(FILE *fp, struct pxr_buf *b, const char *section, const char *name,
    const char *cur, const char *rest)
{
	pxr_buf_reset(b);
	field(b, section);
	pxr_buf_addc(b, ',');
	field(b, name);
	pxr_buf_addc(b, ',');
	field(b, cur);
	pxr_buf_addc(b, ',');
	pxr_buf_adds(b, rest);
	fprintf(fp, "%s\n", b->p);
}

/* A count line, the measure named in value (may be NULL). */
static void
count(FILE *fp, struct pxr_buf *b, struct pxr_buf *r, const char *section,
    const char *name, long n, const char *what)
{
	pxr_buf_reset(r);
	pxr_buf_printf(r, "%ld,,,,", n);
	field(r, what);
	line(fp, b, section, name, NULL, r->p);
}

static void
money(FILE *fp, struct pxr_buf *b, struct pxr_buf *r, const char *section,
    const char *name, const struct rp_row *x, int stats, const char *what)
{
	pxr_buf_reset(r);
	pxr_buf_printf(r, "%ld,%lld,", x->count, (long long)x->sum);
	if (stats)
		pxr_buf_printf(r, "%lld,%lld,", (long long)rp_mean(x),
		    (long long)x->max);
	else
		pxr_buf_adds(r, ",,");
	field(r, what);
	line(fp, b, section, name, x->cur, r->p);
}

/*
 * Paid and told: the counts, then a line per compensation not told,
 * named CUSTOMER/INCIDENT (as rule/tier), its amount (none for a
 * gesture) and why.
 */
static void
told(const struct pxr_report *R, FILE *fp, struct pxr_buf *b,
    struct pxr_buf *r)
{
	struct pxr_buf nm = { 0 };
	size_t i;

	count(fp, b, r, "told", "paid", R->paid, NULL);
	if (!R->have_msgs) {
		pxr_buf_reset(r);
		pxr_buf_adds(r, ",,,,");
		field(r, rp_told_absent);
		line(fp, b, "told", "absent", NULL, r->p);
		return;
	}
	count(fp, b, r, "told", "told", R->told, NULL);
	count(fp, b, r, "told", "not_told", (long)R->npermanent, NULL);
	count(fp, b, r, "told", "not_yet_told", (long)(R->nuntold -
	    R->npermanent), NULL);
	for (i = 0; i < R->nuntold; i++) {
		const struct rp_untold *u = &R->untold[i];

		pxr_buf_reset(&nm);
		pxr_buf_printf(&nm, "%s/%s", u->c->cust != NULL ? u->c->cust :
		    "", u->c->id);
		pxr_buf_reset(r);
		if (!rp_gesture(u->c))
			pxr_buf_printf(r, "1,%lld,,,", (long long)u->c->amount);
		else
			pxr_buf_adds(r, "1,,,,");
		field(r, u->why);
		line(fp, b, u->permanent ? "paid-not-told" :
		    "paid-not-yet-told", nm.p, !rp_gesture(u->c) ? u->c->cur :
		    NULL, r->p);
	}
	pxr_buf_free(&nm);
}

/* A repurchase row's four counts, the measure named in value. */
static void
rebuy_row(FILE *fp, struct pxr_buf *b, struct pxr_buf *r,
    const struct rp_rebuy *x)
{
	const char *name = x->rule != NULL ? x->rule : "(all rules)";

	count(fp, b, r, "repurchase", name, x->n[1], "recovered");
	count(fp, b, r, "repurchase", name, x->bought[1], "recovered_bought");
	count(fp, b, r, "repurchase", name, x->n[0], "not_recovered");
	count(fp, b, r, "repurchase", name, x->bought[0],
	    "not_recovered_bought");
}

/* Repurchase: the window, then per rule and over all (as by-night). */
static void
rebuy(const struct pxr_report *R, FILE *fp, struct pxr_buf *b,
    struct pxr_buf *r)
{
	struct pxr_buf w = { 0 };
	size_t i;

	pxr_buf_reset(r);
	pxr_buf_adds(r, ",,,,");
	if (!R->have_purchases) {
		field(r, rp_rebuy_absent);
		line(fp, b, "repurchase", "absent", NULL, r->p);
		return;
	}
	rp_within(R, &w);
	field(r, w.p);
	line(fp, b, "repurchase", "within", NULL, r->p);
	pxr_buf_free(&w);
	for (i = 0; i < R->nrebuy; i++)
		rebuy_row(fp, b, r, &R->rebuy[i]);
	if (R->nrebuy > 0)
		rebuy_row(fp, b, r, &R->rebuy_all);
}

/* Redemption: per rule/tier and over all, when redemptions were given. */
static void
redeem(const struct pxr_report *R, FILE *fp, struct pxr_buf *b,
    struct pxr_buf *r)
{
	const struct rp_redeem *x;
	size_t i;

	for (i = 0; R->have_redeemed && i <= R->nredeem; i++) {
		x = i < R->nredeem ? &R->redeem[i] : &R->redeem_all;
		count(fp, b, r, "redemption", x->name, x->issued, "issued");
		count(fp, b, r, "redemption", x->name, x->redeemed,
		    "redeemed");
		pxr_buf_reset(r);
		pxr_buf_printf(r, ",,,,%.1f", rp_percent(x->redeemed,
		    x->issued));
		line(fp, b, "redemption-rate-percent", x->name, NULL, r->p);
		if (x->cur != NULL && *x->cur != '\0') {
			pxr_buf_reset(r);
			pxr_buf_printf(r, "%ld,%lld,,,orders", x->redeemed,
			    (long long)x->order);
			line(fp, b, "redemption", x->name, x->cur, r->p);
		}
	}
}

int
rp_write_csv(const struct pxr_report *R, FILE *fp)
{
	struct pxr_buf b = { 0 }, r = { 0 };
	size_t i, j;

	fprintf(fp, "section,name,currency,count,sum_minor,mean_minor,"
	    "max_minor,value\n");
	pxr_buf_adds(&r, ",,,,");
	field(&r, R->title);
	line(fp, &b, "title", NULL, NULL, r.p);
	count(fp, &b, &r, "totals", "incidents", (long)R->ninc, NULL);
	count(fp, &b, &r, "totals", "customers", R->customers, NULL);
	count(fp, &b, &r, "totals", "compensations", R->t[RP_MONEY_T].total,
	    NULL);
	count(fp, &b, &r, "totals", "gestures", R->t[RP_GESTURES].total, NULL);
	count(fp, &b, &r, "totals", "messages", (long)R->nmsg, NULL);
	count(fp, &b, &r, "totals", "messages_sent", R->sent, NULL);
	for (j = 0; j < R->nmoney; j++)
		money(fp, &b, &r, "totals", "paid", &R->money[j], 0, NULL);
	for (i = 0; i < RP_NTABLES; i++) {
		const struct rp_table *t = &R->t[i];

		for (j = 0; j < t->n; j++) {
			if (t->kind == RP_MONEY)
				money(fp, &b, &r, t->id, t->r[j].name, &t->r[j],
				    1, NULL);
			else
				count(fp, &b, &r, t->id, t->r[j].name,
				    t->r[j].count, NULL);
		}
		if (t->kind == RP_COUNT && t->n > 0)
			count(fp, &b, &r, t->id, "(total)", t->total, NULL);
	}
	for (i = 0; i < R->nnights; i++) {
		const struct rp_night *n = &R->nights[i];

		count(fp, &b, &r, "by-night", n->date, n->incidents,
		    "incidents");
		count(fp, &b, &r, "by-night", n->date, n->comps,
		    "compensations");
		count(fp, &b, &r, "by-night", n->date, n->gestures,
		    "gestures");
		count(fp, &b, &r, "by-night", n->date, n->sent, "sent");
		if (R->have_complaints) {
			count(fp, &b, &r, "by-night", n->date, n->fc_n,
			    "first_contact_incidents");
			count(fp, &b, &r, "by-night", n->date, n->fc_good,
			    "first_contact_first");
		}
		for (j = 0; j < n->nmoney; j++)
			money(fp, &b, &r, "by-night", n->date, &n->money[j], 0,
			    "paid");
	}
	told(R, fp, &b, &r);
	if (R->have_complaints) {
		count(fp, &b, &r, "first-contact", "incidents", R->fc_incidents,
		    NULL);
		count(fp, &b, &r, "first-contact", "first", R->fc_good, NULL);
		pxr_buf_reset(&r);
		pxr_buf_printf(&r, ",,,,%.1f", rp_fc_rate(R));
		line(fp, &b, "first-contact", "rate_percent", NULL, r.p);
		count(fp, &b, &r, "first-contact", "complained_untold",
		    R->fc_untold, NULL);
		count(fp, &b, &r, "first-contact",
		    "complaints_without_incident", R->fc_orphans, NULL);
		count(fp, &b, &r, "first-contact", "complained_customers",
		    R->complainers, NULL);
		count(fp, &b, &r, "first-contact", "silent_ratio",
		    R->o.silent_ratio, NULL);
		count(fp, &b, &r, "first-contact", "unhappy_estimated",
		    R->complainers * R->o.silent_ratio, NULL);
		count(fp, &b, &r, "first-contact", "silent_estimated",
		    R->complainers * (R->o.silent_ratio - 1), NULL);
	} else {
		pxr_buf_reset(&r);
		pxr_buf_adds(&r, ",,,,");
		field(&r, rp_fc_absent);
		line(fp, &b, "first-contact", "absent", NULL, r.p);
	}
	rebuy(R, fp, &b, &r);
	redeem(R, fp, &b, &r);
	pxr_buf_free(&b);
	pxr_buf_free(&r);
	return 0;
}
