/* report_json.c: the report as one JSON document. */
#include <jansson.h>

#include "report_int.h"

static json_t *
row(const struct rp_row *r, int stats)
{
	json_t *x = json_pack("{s:s,s:I}", "name", r->name, "count",
	    (json_int_t)r->count);

	if (r->cur != NULL)
		json_object_set_new(x, "currency", json_string(r->cur));
	json_object_set_new(x, "sum_minor", json_integer(r->sum));
	if (stats) {
		json_object_set_new(x, "mean_minor", json_integer(rp_mean(r)));
		json_object_set_new(x, "max_minor", json_integer(r->max));
	}
	return x;
}

static json_t *
sums(const struct rp_row *r, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *x = row(&r[i], 0);

		json_object_del(x, "name");
		json_array_append_new(a, x);
	}
	return a;
}

/* Paid and told: the counts and each compensation not told. */
static json_t *
told(const struct pxr_report *R)
{
	json_t *o = json_pack("{s:I}", "paid", (json_int_t)R->paid), *a[2];
	size_t i;

	if (!R->have_msgs) {
		json_object_set_new(o, "absent", json_string(rp_told_absent));
		return o;
	}
	a[0] = json_array();
	a[1] = json_array();
	for (i = 0; i < R->nuntold; i++) {
		const struct rp_untold *u = &R->untold[i];
		json_t *x = json_pack("{s:s?,s:s,s:s,s:s}", "customer_id",
		    u->c->cust, "incident_id", u->c->id, "kind", u->c->kind,
		    "reason", u->why);

		if (!rp_gesture(u->c)) {
			json_object_set_new(x, "amount_minor",
			    json_integer(u->c->amount));
			json_object_set_new(x, "currency", u->c->cur != NULL ?
			    json_string(u->c->cur) : json_null());
		}
		json_array_append_new(a[u->permanent], x);
	}
	json_object_set_new(o, "told", json_integer(R->told));
	json_object_set_new(o, "paid_not_told", a[1]);
	json_object_set_new(o, "paid_not_yet_told", a[0]);
	return o;
}

/* Customers, bought and the rate of one side of a repurchase row. */
static json_t *
side(const struct rp_rebuy *x, int k)
{
	return json_pack("{s:I,s:I,s:f}", "customers", (json_int_t)x->n[k],
	    "bought", (json_int_t)x->bought[k], "rate", rp_percent(
	    x->bought[k], x->n[k]) / 100.0);
}

static json_t *
rebuy_row(const struct rp_rebuy *x)
{
	return json_pack("{s:s?,s:o,s:o}", "rule", x->rule, "recovered",
	    side(x, 1), "not_recovered", side(x, 0));
}

/* Repurchase within the window: per rule and over all, or absent. */
static json_t *
rebuy(const struct pxr_report *R)
{
	struct pxr_buf w = { 0 };
	json_t *o, *a;
	size_t i;

	if (!R->have_purchases)
		return json_pack("{s:s}", "absent", rp_rebuy_absent);
	rp_within(R, &w);
	a = json_array();
	for (i = 0; i < R->nrebuy; i++)
		json_array_append_new(a, rebuy_row(&R->rebuy[i]));
	o = json_pack("{s:s,s:o,s:o}", "within", w.p, "by_rule", a, "all",
	    rebuy_row(&R->rebuy_all));
	json_object_del(json_object_get(o, "all"), "rule");
	pxr_buf_free(&w);
	return o;
}

/* Redemption per rule/tier and over all. */
static json_t *
redeem(const struct pxr_report *R)
{
	json_t *a = json_array();
	const struct rp_redeem *x;
	size_t i;

	for (i = 0; i <= R->nredeem; i++) {
		x = i < R->nredeem ? &R->redeem[i] : &R->redeem_all;
		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:f,s:I,"
		    "s:s?}", "rule_tier", x->name, "issued",
		    (json_int_t)x->issued, "redeemed", (json_int_t)x->redeemed,
		    "rate", rp_percent(x->redeemed, x->issued) / 100.0,
		    "orders_minor", (json_int_t)x->order, "currency",
		    x->cur != NULL && *x->cur != '\0' ? x->cur : NULL));
	}
	return a;
}

int
rp_write_json(const struct pxr_report *R, FILE *fp)
{
	json_t *o = json_object(), *a;
	size_t i, j;
	int rc;

	json_object_set_new(o, "title", json_string(R->title));
	json_object_set_new(o, "totals", json_pack("{s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:o}", "incidents", (json_int_t)R->ninc, "customers",
	    (json_int_t)R->customers, "compensations",
	    (json_int_t)R->t[RP_MONEY_T].total, "gestures",
	    (json_int_t)R->t[RP_GESTURES].total, "messages",
	    (json_int_t)R->nmsg, "messages_sent", (json_int_t)R->sent, "paid",
	    sums(R->money, R->nmoney)));
	for (i = 0; i < RP_NTABLES; i++) {
		const struct rp_table *t = &R->t[i];

		a = json_array();
		for (j = 0; j < t->n; j++) {
			if (t->kind == RP_MONEY)
				json_array_append_new(a, row(&t->r[j], 1));
			else
				json_array_append_new(a, json_pack("{s:s,s:I}",
				    "name", t->r[j].name, "count",
				    (json_int_t)t->r[j].count));
		}
		json_object_set_new(o, t->id, a);
	}
	a = json_array();
	for (i = 0; i < R->nnights; i++) {
		const struct rp_night *n = &R->nights[i];

		json_t *x = json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}", "night",
		    n->date, "incidents", (json_int_t)n->incidents,
		    "compensations", (json_int_t)n->comps, "gestures",
		    (json_int_t)n->gestures, "sent", (json_int_t)n->sent,
		    "paid", sums(n->money, n->nmoney));

		if (R->have_complaints)
			json_object_set_new(x, "first_contact", json_pack(
			    "{s:I,s:I,s:f}", "incidents", (json_int_t)n->fc_n,
			    "first", (json_int_t)n->fc_good, "rate",
			    rp_percent(n->fc_good, n->fc_n) / 100.0));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "by_night", a);
	json_object_set_new(o, "told", told(R));
	if (R->have_complaints)
		json_object_set_new(o, "first_contact", json_pack(
		    "{s:I,s:I,s:f,s:I,s:I,s:{s:I,s:i,s:I,s:I}}", "incidents",
		    (json_int_t)R->fc_incidents, "first",
		    (json_int_t)R->fc_good, "rate", R->fc_incidents > 0 ?
		    (double)R->fc_good / (double)R->fc_incidents : 0.0,
		    "complained_untold", (json_int_t)R->fc_untold,
		    "complaints_without_incident", (json_int_t)R->fc_orphans,
		    "silent_unhappy", "complained_customers",
		    (json_int_t)R->complainers, "ratio", R->o.silent_ratio,
		    "unhappy_estimated", (json_int_t)R->complainers *
		    R->o.silent_ratio, "silent_estimated",
		    (json_int_t)R->complainers * (R->o.silent_ratio - 1)));
	else
		json_object_set_new(o, "first_contact", json_pack("{s:n,s:s}",
		    "rate", "absent", rp_fc_absent));
	json_object_set_new(o, "repurchase", rebuy(R));
	if (R->have_redeemed)
		json_object_set_new(o, "redemption", redeem(R));
	rc = json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
	json_decref(o);
	return rc;
}
