/* pxr-report: what a night found, cost, sent, and whether we were first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "money.h"
#include "tmpl.h"

static const char usage[] =
"usage: pxr-report [--complaints FILE] [--format text|csv|json|svg|html]\n"
"                  [--locale LOCALE] [--title TEXT] [INPUT ...]\n";

static const char help[] =
"Summarise a run from any mix of stage outputs, ledgers and sent logs\n"
"(recognised by their columns): incidents by phase, rule and tier;\n"
"compensation by kind and currency (count, sum, mean, max); messages by\n"
"channel, locale and status; and with --complaints (customer_id,\n"
"complained_at) the first-contact rate: the share of incidents whose\n"
"customer heard from us before complaining, or never complained.\n"
"\n"
"      --complaints FILE  a complaints export\n"
"      --format F         text (default), csv, json, svg or html\n"
"      --locale L         how money is written (default en)\n"
"      --title TEXT       the report's title\n"
"\n"
"example:\n"
"  pxr-report --complaints complaints.csv --format html \\\n"
"      compensated.csv state/sent.csv > report.html\n";

enum { F_TEXT, F_CSV, F_JSON, F_SVG, F_HTML };

/* A small string-keyed map of records. */
struct item {
	struct item *next;
	char	*key;
	char	*f[8];
	int64_t	 t;		/* a time, µs */
	int	 rank;
};

struct map {
	struct item **tab;
	size_t	 n, cap;
	struct item **order;	/* insertion order */
};

static struct item *
get(struct map *m, const char *key, int add)
{
	struct item *it, **slot;
	size_t i;

	if (m->cap == 0) {
		if (!add)
			return NULL;
		m->cap = 1024;
		m->tab = pxr_calloc(m->cap, sizeof(*m->tab));
	}
	slot = &m->tab[pxr_hash(key, strlen(key)) & (m->cap - 1)];
	for (it = *slot; it != NULL; it = it->next)
		if (strcmp(it->key, key) == 0)
			return it;
	if (!add)
		return NULL;
	if (m->n * 2 >= m->cap) {
		struct item **old = m->tab;
		size_t oc = m->cap;

		m->cap *= 2;
		m->tab = pxr_calloc(m->cap, sizeof(*m->tab));
		for (i = 0; i < oc; i++) {
			struct item *x, *nx;

			for (x = old[i]; x != NULL; x = nx) {
				nx = x->next;
				slot = &m->tab[pxr_hash(x->key, strlen(x->key)) & (m->cap - 1)];
				x->next = *slot;
				*slot = x;
			}
		}
		free(old);
		slot = &m->tab[pxr_hash(key, strlen(key)) & (m->cap - 1)];
	}
	it = pxr_calloc(1, sizeof(*it));
	it->key = pxr_strdup(key);
	it->next = *slot;
	*slot = it;
	m->order = pxr_reallocarray(m->order, m->n + 1, sizeof(*m->order));
	m->order[m->n++] = it;
	return it;
}

static void
map_free(struct map *m)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		for (j = 0; j < 8; j++)
			free(m->order[i]->f[j]);
		free(m->order[i]->key);
		free(m->order[i]);
	}
	free(m->order);
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

static void
setf(struct item *it, int i, const char *s)
{
	if (s == NULL)
		return;
	free(it->f[i]);
	it->f[i] = pxr_strdup(s);
}

/* incidents: 0 rule, 1 phase, 2 tier, 3 customer; t event_at */
/* comps: 0 kind, 1 amount, 2 currency, 3 status */
/* messages: 0 incident, 1 channel, 2 locale, 3 status, 4 customer; t sent */
static struct map inc, comp, msg, complaints;
static int64_t none_time = INT64_MIN;

static const char *
val(const struct pxr_rec *r, size_t f)
{
	const struct pxr_val *v;

	if (f == PXR_NOFIELD)
		return NULL;
	v = pxr_rec_get(r, f);
	return PXR_ISNULL(v) ? NULL : v->s;
}

static int64_t
timeof(const char *s)
{
	struct pxr_error e;
	int64_t t;

	if (s == NULL || pxr_time_parse(s, strlen(s), NULL, &t, NULL, &e) < 0)
		return none_time;
	return t;
}

static int
status_rank(const char *s)
{
	static const char *order[] = { "suppressed", "skipped", "ready",
	    "deferred", "attempt", "unknown", "failed", "sent", NULL };
	int i;

	for (i = 0; order[i] != NULL; i++)
		if (strcmp(order[i], s) == 0)
			return i + 1;
	return 0;
}

static void
read_input(struct pxr_cli *c, const char *path, int is_complaints)
{
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_sidein *in;
	struct pxr_rec rec;
	size_t f_id, f_rule, f_phase, f_tier, f_cust, f_at, f_kind, f_amt,
	    f_cur, f_cstat, f_mid, f_ch, f_loc, f_status, f_sent, f_lkind,
	    f_lamt, f_lcur, f_issued, f_compl;
	int first = 1, is_ledger = 0, is_msg = 0;

	in = pxr_cli_sidein(c, path, sch);
	pxr_rec_init(&rec, sch);
	while (pxr_cli_sidein_next(c, in, &rec) != 0) {
		const char *id, *mid;
		struct item *it;

		if (first) {
			first = 0;
#define F(name) pxr_schema_find(sch, name, strlen(name))
			f_id = F("incident_id"); f_rule = F("rule");
			f_phase = F("phase"); f_tier = F("tier");
			f_cust = F("customer_id"); f_at = F("event_at");
			f_kind = F("comp_kind"); f_amt = F("comp_amount_minor");
			f_cur = F("comp_currency"); f_cstat = F("comp_status");
			f_mid = F("message_id"); f_ch = F("channel");
			f_loc = F("locale"); f_status = F("status");
			f_sent = F("sent_at"); f_lkind = F("kind");
			f_lamt = F("amount_minor"); f_lcur = F("currency");
			f_issued = F("issued_at"); f_compl = F("complained_at");
#undef F
			is_ledger = f_issued != PXR_NOFIELD && f_lkind !=
			    PXR_NOFIELD && f_id != PXR_NOFIELD;
			is_msg = f_mid != PXR_NOFIELD && f_ch != PXR_NOFIELD;
			if (is_complaints && (f_cust == PXR_NOFIELD ||
			    f_compl == PXR_NOFIELD)) {
				pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "a complaints export needs customer_id "
				    "and complained_at");
				pxr_error_at(&c->err, path, 0);
				pxr_cli_die(c, &c->err);
			}
		}
		if (is_complaints) {
			const char *cu = val(&rec, f_cust);
			int64_t t = timeof(val(&rec, f_compl));
			char key[512];

			if (cu == NULL || t == none_time)
				continue;
			/* Every complaint: key customer \x1f time. */
			snprintf(key, sizeof(key), "%s\x1f%lld", cu,
			    (long long)t);
			it = get(&complaints, key, 1);
			setf(it, 0, cu);
			it->t = t;
			continue;
		}
		id = val(&rec, f_id);
		if (is_ledger) {
			it = get(&comp, id, 1);
			setf(it, 0, val(&rec, f_lkind));
			setf(it, 1, val(&rec, f_lamt));
			setf(it, 2, val(&rec, f_lcur));
			if (it->f[3] == NULL)
				setf(it, 3, "issued");
			continue;
		}
		if (id != NULL && val(&rec, f_rule) != NULL) {
			it = get(&inc, id, 1);
			setf(it, 0, val(&rec, f_rule));
			setf(it, 1, val(&rec, f_phase));
			setf(it, 2, val(&rec, f_tier));
			setf(it, 3, val(&rec, f_cust));
			if (val(&rec, f_at) != NULL)
				it->t = timeof(val(&rec, f_at));
			if (val(&rec, f_kind) != NULL) {
				struct item *cp = get(&comp, id, 1);

				setf(cp, 0, val(&rec, f_kind));
				setf(cp, 1, val(&rec, f_amt));
				setf(cp, 2, val(&rec, f_cur));
				setf(cp, 3, val(&rec, f_cstat));
			}
		}
		if (is_msg && (mid = val(&rec, f_mid)) != NULL) {
			const char *st = val(&rec, f_status);
			int rk = st != NULL ? status_rank(st) : 0;

			it = get(&msg, mid, 1);
			if (it->f[0] == NULL) {
				/* INCIDENT_ID:CHANNEL */
				const char *colon = strrchr(mid, ':');
				char *iid = pxr_strndup(mid, colon != NULL ?
				    (size_t)(colon - mid) : strlen(mid));

				it->f[0] = iid;
				it->t = none_time;
			}
			setf(it, 1, val(&rec, f_ch));
			setf(it, 2, val(&rec, f_loc));
			setf(it, 4, val(&rec, f_cust));
			if (rk >= it->rank) {
				it->rank = rk;
				setf(it, 3, st);
				if (st != NULL && strcmp(st, "sent") == 0 &&
				    val(&rec, f_sent) != NULL)
					it->t = timeof(val(&rec, f_sent));
			}
		}
	}
	pxr_rec_fini(&rec);
	pxr_cli_sidein_close(c, in);
	pxr_schema_free(sch);
}

/* A table: rows of a name and numbers. */
struct row {
	char	*name;
	long	 count;
	char	*cur;
	int64_t	 sum, max;
	int	 money;
};

struct table {
	const char *id;
	const char *title;
	const char *col;
	struct row *r;
	size_t	 n;
};

static struct row *
row_of(struct table *t, const char *name, const char *cur)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->r[i].name, name) == 0 && ((cur == NULL &&
		    t->r[i].cur == NULL) || (cur != NULL && t->r[i].cur !=
		    NULL && strcmp(cur, t->r[i].cur) == 0)))
			return &t->r[i];
	t->r = pxr_reallocarray(t->r, t->n + 1, sizeof(*t->r));
	memset(&t->r[t->n], 0, sizeof(t->r[0]));
	t->r[t->n].name = pxr_strdup(name);
	t->r[t->n].cur = cur != NULL ? pxr_strdup(cur) : NULL;
	return &t->r[t->n++];
}

static int
rowcmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return strcmp(x->cur != NULL ? x->cur : "", y->cur != NULL ? y->cur :
	    "");
}

static const char *locale = "en";

static char *
money(int64_t v, const char *cur)
{
	struct pxr_buf b = { 0 };

	if (cur == NULL || pxr_money_format(&b, v, cur, locale) < 0) {
		pxr_buf_reset(&b);
		pxr_buf_printf(&b, "%lld", (long long)v);
	}
	return b.p;
}

static int64_t
mean(const struct row *r)
{
	int64_t q, rem;

	if (r->count == 0)
		return 0;
	q = r->sum / r->count;
	rem = r->sum % r->count;
	if (rem * 2 >= r->count)
		q++;		/* half up, in minor units */
	return q;
}

/* One horizontal bar chart of a table's counts (or sums). */
static void
svg_chart(FILE *fp, const struct table *t, int y0, int standalone)
{
	size_t i;
	double maxv = 0;
	int h = 28 + (int)t->n * 22 + 10;

	for (i = 0; i < t->n; i++) {
		double v = t->r[i].money ? (double)t->r[i].sum :
		    (double)t->r[i].count;

		if (v > maxv)
			maxv = v;
	}
	if (standalone)
		fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"640\" height=\"%d\" font-family=\"sans-serif\" "
		    "font-size=\"12\">\n", h);
	fprintf(fp, "<g transform=\"translate(0,%d)\">\n<text x=\"4\" y=\"16\" "
	    "font-weight=\"bold\">", y0);
	pxr_xml_escape(fp, t->title);
	fprintf(fp, "</text>\n");
	for (i = 0; i < t->n; i++) {
		const struct row *r = &t->r[i];
		double v = r->money ? (double)r->sum : (double)r->count;
		int w = maxv > 0 ? (int)(360.0 * v / maxv) : 0, y = 28 +
		    (int)i * 22;
		char label[256], *m = NULL;

		snprintf(label, sizeof(label), "%s%s%s", r->name, r->cur !=
		    NULL ? " " : "", r->cur != NULL ? r->cur : "");
		fprintf(fp, "<text x=\"150\" y=\"%d\" text-anchor=\"end\">",
		    y + 13);
		pxr_xml_escape(fp, label);
		fprintf(fp, "</text><rect x=\"156\" y=\"%d\" width=\"%d\" "
		    "height=\"16\" fill=\"#4e79a7\"/><text x=\"%d\" y=\"%d\">",
		    y, w < 1 && v > 0 ? 1 : w, 160 + w, y + 13);
		if (r->money) {
			m = money(r->sum, r->cur);
			pxr_xml_escape(fp, m);
			free(m);
		} else
			fprintf(fp, "%ld", r->count);
		fprintf(fp, "</text>\n");
	}
	fprintf(fp, "</g>\n");
	if (standalone)
		fprintf(fp, "</svg>\n");
}

int
main(int argc, char **argv)
{
	enum { O_COMPL = OPT_CMD, O_FORMAT, O_LOCALE, O_TITLE };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "complaints", required_argument, NULL, O_COMPL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "locale", required_argument, NULL, O_LOCALE },
		{ "title", required_argument, NULL, O_TITLE },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_cli c;
	const char *complfile = NULL, *title = "pxr report";
	int ch, fmt = F_TEXT, a;
	size_t i, j, k;
	struct table t[8];
	size_t nt = 0;
	long fc_incidents = 0, fc_good = 0, fc_customers = 0, fc_orphans = 0;
	int have_fc = 0;

	pxr_cli_init(&c, argv, "pxr-report", usage, help);
	c.formula_guard = 1;	/* made for spreadsheets */
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_COMPL: complfile = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0) fmt = F_TEXT;
			else if (strcmp(optarg, "csv") == 0) fmt = F_CSV;
			else if (strcmp(optarg, "json") == 0) fmt = F_JSON;
			else if (strcmp(optarg, "svg") == 0) fmt = F_SVG;
			else if (strcmp(optarg, "html") == 0) fmt = F_HTML;
			else pxr_cli_usage(&c, "--format: expected text, csv, "
			    "json, svg or html, got '%s'", optarg);
			break;
		case O_LOCALE: locale = optarg; break;
		case O_TITLE: title = optarg; break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (optind == argc)
		read_input(&c, "-", 0);
	for (a = optind; a < argc; a++)
		read_input(&c, argv[a], 0);
	if (complfile != NULL) {
		read_input(&c, complfile, 1);
		have_fc = 1;
	}
	memset(t, 0, sizeof(t));
	t[0] = (struct table){ "incidents-by-phase", "Incidents by phase",
	    "phase", NULL, 0 };
	t[1] = (struct table){ "incidents-by-rule", "Incidents by rule", "rule",
	    NULL, 0 };
	t[2] = (struct table){ "incidents-by-tier", "Incidents by rule and tier",
	    "rule/tier", NULL, 0 };
	t[3] = (struct table){ "compensation", "Compensation by kind and "
	    "currency", "kind", NULL, 0 };
	t[4] = (struct table){ "messages-by-channel", "Messages by channel",
	    "channel", NULL, 0 };
	t[5] = (struct table){ "messages-by-locale", "Messages by locale",
	    "locale", NULL, 0 };
	t[6] = (struct table){ "messages-by-status", "Messages by status",
	    "status", NULL, 0 };
	nt = 7;
	for (i = 0; i < inc.n; i++) {
		struct item *it = inc.order[i];
		char rt[512];

		row_of(&t[0], it->f[1] != NULL ? it->f[1] : "(none)",
		    NULL)->count++;
		row_of(&t[1], it->f[0], NULL)->count++;
		snprintf(rt, sizeof(rt), "%s/%s", it->f[0], it->f[2] != NULL ?
		    it->f[2] : "-");
		row_of(&t[2], rt, NULL)->count++;
	}
	for (i = 0; i < comp.n; i++) {
		struct item *it = comp.order[i];
		struct pxr_error e;
		int64_t v = 0;
		struct row *r;

		if (it->f[0] == NULL || strcmp(it->f[0], "none") == 0)
			continue;
		if (it->f[1] != NULL && pxr_money_parse_minor(it->f[1],
		    strlen(it->f[1]), &v, &e) < 0)
			continue;
		r = row_of(&t[3], it->f[0], it->f[2]);
		r->money = it->f[2] != NULL;
		r->count++;
		if (__builtin_add_overflow(r->sum, v, &r->sum)) {
			fprintf(stderr, "pxr-report: the sum of %s %s overflows\n",
			    it->f[0], it->f[2]);
			exit(PXR_EXIT_DATAERR);
		}
		if (v > r->max)
			r->max = v;
	}
	for (i = 0; i < msg.n; i++) {
		struct item *it = msg.order[i];

		row_of(&t[4], it->f[1] != NULL ? it->f[1] : "?", NULL)->count++;
		row_of(&t[5], it->f[2] != NULL ? it->f[2] : "-", NULL)->count++;
		row_of(&t[6], it->f[3] != NULL ? it->f[3] : "?", NULL)->count++;
	}
	for (i = 0; i < nt; i++)
		if (t[i].n > 1)
			qsort(t[i].r, t[i].n, sizeof(t[i].r[0]), rowcmp);
	if (have_fc) {
		struct map hit = { 0 }, cust = { 0 };

		for (i = 0; i < inc.n; i++) {
			struct item *it = inc.order[i];
			int64_t sent = none_time, complained = none_time;

			if (it->f[3] == NULL)
				continue;
			fc_incidents++;
			/* The first message of this incident that went out. */
			for (j = 0; j < msg.n; j++)
				if (msg.order[j]->f[0] != NULL &&
				    strcmp(msg.order[j]->f[0], it->key) == 0 &&
				    msg.order[j]->t != none_time &&
				    (sent == none_time || msg.order[j]->t < sent))
					sent = msg.order[j]->t;
			/* The customer's first complaint since the event. */
			for (k = 0; k < complaints.n; k++) {
				struct item *cp = complaints.order[k];

				if (strcmp(cp->f[0], it->f[3]) != 0)
					continue;
				get(&hit, cp->key, 1);
				if (it->t != 0 && it->t != none_time &&
				    cp->t < it->t)
					continue;
				if (complained == none_time || cp->t < complained)
					complained = cp->t;
			}
			if (complained == none_time || (sent != none_time &&
			    sent < complained))
				fc_good++;
			else if (get(&cust, it->f[3], 0) == NULL) {
				get(&cust, it->f[3], 1);
				fc_customers++;
			}
		}
		for (k = 0; k < complaints.n; k++)
			if (get(&hit, complaints.order[k]->key, 0) == NULL)
				fc_orphans++;
		map_free(&hit);
		map_free(&cust);
	}

	switch (fmt) {
	case F_TEXT:
		printf("%s\n", title);
		for (i = 0; i < nt; i++) {
			size_t w = strlen(t[i].col);

			for (j = 0; j < t[i].n; j++)
				if (strlen(t[i].r[j].name) > w)
					w = strlen(t[i].r[j].name);
			printf("\n%s\n", t[i].title);
			if (t[i].n == 0) {
				printf("  (none)\n");
				continue;
			}
			if (i == 3) {
				printf("  %-*s  %-8s %6s  %14s  %12s  %12s\n",
				    (int)w, "kind", "currency", "count", "sum",
				    "mean", "max");
				for (j = 0; j < t[i].n; j++) {
					struct row *r = &t[i].r[j];
					char *s = money(r->sum, r->cur),
					    *m = money(mean(r), r->cur),
					    *x = money(r->max, r->cur);

					printf("  %-*s  %-8s %6ld  %14s  %12s  "
					    "%12s\n", (int)w, r->name, r->cur !=
					    NULL ? r->cur : "-", r->count, s, m, x);
					free(s);
					free(m);
					free(x);
				}
				continue;
			}
			printf("  %-*s  %6s\n", (int)w, t[i].col, "count");
			for (j = 0; j < t[i].n; j++)
				printf("  %-*s  %6ld\n", (int)w, t[i].r[j].name,
				    t[i].r[j].count);
		}
		if (have_fc) {
			printf("\nFirst contact\n");
			printf("  incidents with a customer          %6ld\n",
			    fc_incidents);
			printf("  told before any complaint, or none %6ld\n",
			    fc_good);
			printf("  first-contact rate                 %5.1f %%\n",
			    fc_incidents > 0 ? 100.0 * (double)fc_good /
			    (double)fc_incidents : 0.0);
			printf("  customers who complained untold    %6ld\n",
			    fc_customers);
			printf("  complaints with no incident        %6ld\n",
			    fc_orphans);
		}
		break;
	case F_CSV: {
		struct pxr_buf b = { 0 };

		printf("section,name,currency,count,sum_minor,mean_minor,"
		    "max_minor,value\n");
		for (i = 0; i < nt; i++)
			for (j = 0; j < t[i].n; j++) {
				struct row *r = &t[i].r[j];

				pxr_buf_reset(&b);
				pxr_buf_printf(&b, "%s,", t[i].id);
				/* Names come from data: guard against formulas. */
				if (strchr("=+-@\t\r", r->name[0]) != NULL) {
					struct pxr_buf g = { 0 };

					pxr_buf_addc(&g, '\'');
					pxr_buf_adds(&g, r->name);
					pxr_csv_field(&b, g.p, g.len);
					pxr_buf_free(&g);
				} else
					pxr_csv_field(&b, r->name,
					    strlen(r->name));
				pxr_buf_printf(&b, ",%s,%ld,", r->cur != NULL ?
				    r->cur : "", r->count);
				if (r->money)
					pxr_buf_printf(&b, "%lld,%lld,%lld,",
					    (long long)r->sum,
					    (long long)mean(r),
					    (long long)r->max);
				else
					pxr_buf_adds(&b, ",,,");
				printf("%s\n", b.p);
			}
		if (have_fc)
			printf("first-contact,incidents,,%ld,,,,\n"
			    "first-contact,first,,%ld,,,,\n"
			    "first-contact,rate_percent,,,,,,%.1f\n"
			    "first-contact,complained_untold,,%ld,,,,\n"
			    "first-contact,complaints_without_incident,,%ld,,,,\n",
			    fc_incidents, fc_good, fc_incidents > 0 ? 100.0 *
			    (double)fc_good / (double)fc_incidents : 0.0,
			    fc_customers, fc_orphans);
		pxr_buf_free(&b);
		break;
	}
	case F_JSON: {
		json_t *o = json_object();

		json_object_set_new(o, "title", json_string(title));
		for (i = 0; i < nt; i++) {
			json_t *arr = json_array();

			for (j = 0; j < t[i].n; j++) {
				struct row *r = &t[i].r[j];
				json_t *x = json_pack("{s:s,s:I}", "name",
				    r->name, "count", (json_int_t)r->count);

				if (r->cur != NULL)
					json_object_set_new(x, "currency",
					    json_string(r->cur));
				if (r->money) {
					json_object_set_new(x, "sum_minor",
					    json_integer(r->sum));
					json_object_set_new(x, "mean_minor",
					    json_integer(mean(r)));
					json_object_set_new(x, "max_minor",
					    json_integer(r->max));
				}
				json_array_append_new(arr, x);
			}
			json_object_set_new(o, t[i].id, arr);
		}
		if (have_fc)
			json_object_set_new(o, "first_contact", json_pack(
			    "{s:I,s:I,s:f,s:I,s:I}", "incidents",
			    (json_int_t)fc_incidents, "first",
			    (json_int_t)fc_good, "rate", fc_incidents > 0 ?
			    (double)fc_good / (double)fc_incidents : 0.0,
			    "complained_untold", (json_int_t)fc_customers,
			    "complaints_without_incident",
			    (json_int_t)fc_orphans));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
		break;
	}
	case F_SVG: {
		int y = 30, h = 40;

		for (i = 0; i < nt; i++)
			h += 38 + (int)t[i].n * 22;
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
		    "xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
		    "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
		    "<text x=\"4\" y=\"20\" font-size=\"16\" "
		    "font-weight=\"bold\">", h);
		pxr_xml_escape(stdout, title);
		printf("</text>\n");
		for (i = 0; i < nt; i++) {
			svg_chart(stdout, &t[i], y, 0);
			y += 38 + (int)t[i].n * 22;
		}
		printf("</svg>\n");
		break;
	}
	case F_HTML:
		printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
		    "charset=\"utf-8\">\n<title>");
		pxr_xml_escape(stdout, title);
		printf("</title>\n<style>\nbody { font-family: sans-serif; "
		    "margin: 2em; }\ntable { border-collapse: collapse; "
		    "margin-bottom: 1em; }\ntd, th { border: 1px solid #ccc; "
		    "padding: 2px 8px; }\ntd.n { text-align: right; }\n"
		    "</style>\n</head>\n<body>\n<h1>");
		pxr_xml_escape(stdout, title);
		printf("</h1>\n");
		if (have_fc)
			printf("<p id=\"first-contact\">First-contact rate: "
			    "<strong>%.1f %%</strong> of %ld incidents; %ld "
			    "customers complained before we told them; %ld "
			    "complaints concern no incident.</p>\n",
			    fc_incidents > 0 ? 100.0 * (double)fc_good /
			    (double)fc_incidents : 0.0, fc_incidents,
			    fc_customers, fc_orphans);
		for (i = 0; i < nt; i++) {
			printf("<h2>");
			pxr_xml_escape(stdout, t[i].title);
			printf("</h2>\n");
			if (t[i].n > 0)
				svg_chart(stdout, &t[i], 0, 1);
			printf("<table>\n<tr><th>");
			pxr_xml_escape(stdout, t[i].col);
			printf("</th>%s<th>count</th>%s</tr>\n", i == 3 ?
			    "<th>currency</th>" : "", i == 3 ?
			    "<th>sum</th><th>mean</th><th>max</th>" : "");
			for (j = 0; j < t[i].n; j++) {
				struct row *r = &t[i].r[j];

				printf("<tr><td>");
				pxr_xml_escape(stdout, r->name);
				printf("</td>");
				if (i == 3) {
					char *s = money(r->sum, r->cur),
					    *m = money(mean(r), r->cur),
					    *x = money(r->max, r->cur);

					printf("<td>%s</td><td class=\"n\">%ld"
					    "</td><td class=\"n\">", r->cur !=
					    NULL ? r->cur : "-", r->count);
					pxr_xml_escape(stdout, s);
					printf("</td><td class=\"n\">");
					pxr_xml_escape(stdout, m);
					printf("</td><td class=\"n\">");
					pxr_xml_escape(stdout, x);
					printf("</td>");
					free(s);
					free(m);
					free(x);
				} else
					printf("<td class=\"n\">%ld</td>",
					    r->count);
				printf("</tr>\n");
			}
			printf("</table>\n");
		}
		printf("</body>\n</html>\n");
		break;
	}
	pxr_cli_exit(&c, 0);
}
