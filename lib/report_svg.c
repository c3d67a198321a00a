/*
 * report_svg.c: the report's bar charts, drawn by the program: one SVG
 * of every table, or one chart each for the HTML page.  Money bars are
 * scaled per currency: a euro is never drawn against a krona.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "stream.h"

#define ROW_H	22
#define HEAD_H	28
#define BAR_W	360.0

/* The value a row's bar shows: its sum of money, else its count. */
static double
value(const struct rp_table *t, const struct rp_row *r)
{
	return t->kind == RP_MONEY ? (double)r->sum : (double)r->count;
}

/* The longest bar of the row's scale: its currency's, or the table's. */
static double
scale(const struct rp_table *t, const struct rp_row *r)
{
	double m = 0;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct rp_row *x = &t->r[i];

		if (t->kind == RP_MONEY && !((x->cur == NULL && r->cur ==
		    NULL) || (x->cur != NULL && r->cur != NULL &&
		    strcmp(x->cur, r->cur) == 0)))
			continue;
		if (value(t, x) > m)
			m = value(t, x);
	}
	return m;
}

int
rp_svg_height(const struct rp_table *t)
{
	return HEAD_H + (int)t->n * ROW_H + 10;
}

int
rp_svg_chart(FILE *fp, const struct pxr_report *R, const struct rp_table *t,
    int y0, int alone)
{
	struct pxr_buf m = { 0 };
	size_t i;

	if (alone)
		fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"640\" height=\"%d\" font-family=\"sans-serif\" "
		    "font-size=\"12\" role=\"img\">\n", rp_svg_height(t));
	fprintf(fp, "<g transform=\"translate(0,%d)\">\n<text x=\"4\" y=\"16\" "
	    "font-weight=\"bold\">", y0);
	pxr_xml_escape(fp, t->title);
	if (t->kind == RP_MONEY)
		fprintf(fp, " (bars scaled per currency)");
	fprintf(fp, "</text>\n");
	for (i = 0; i < t->n; i++) {
		const struct rp_row *r = &t->r[i];
		double v = value(t, r), mx = scale(t, r);
		int w = mx > 0 ? (int)(BAR_W * v / mx) : 0;
		int y = HEAD_H + (int)i * ROW_H;

		fprintf(fp, "<text x=\"150\" y=\"%d\" text-anchor=\"end\">",
		    y + 13);
		pxr_xml_escape(fp, r->name);
		if (r->cur != NULL) {
			fputc(' ', fp);
			pxr_xml_escape(fp, r->cur);
		}
		fprintf(fp, "</text><rect x=\"156\" y=\"%d\" width=\"%d\" "
		    "height=\"16\" fill=\"#4e79a7\"/><text x=\"%d\" y=\"%d\">",
		    y, w < 1 && v > 0 ? 1 : w, 160 + w, y + 13);
		if (t->kind == RP_MONEY) {
			pxr_buf_reset(&m);
			rp_money(R, &m, r->sum, r->cur);
			pxr_xml_escape(fp, m.p);
		} else
			fprintf(fp, "%ld", r->count);
		fprintf(fp, "</text>\n");
	}
	fprintf(fp, "</g>\n");
	if (alone)
		fprintf(fp, "</svg>\n");
	pxr_buf_free(&m);
	return 0;
}

/* One bar at y: its label, width of BAR_W * v / mx, colour and text. */
static void
bar(FILE *fp, int y, const char *label, double v, double mx,
    const char *colour, const char *text)
{
	int w = mx > 0 ? (int)(BAR_W * v / mx) : 0;

	if (*label != '\0') {
		fprintf(fp, "<text x=\"150\" y=\"%d\" text-anchor=\"end\">",
		    y + 13);
		pxr_xml_escape(fp, label);
		fprintf(fp, "</text>");
	}
	fprintf(fp, "<rect x=\"156\" y=\"%d\" width=\"%d\" "
	    "height=\"16\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">", y,
	    w < 1 && v > 0 ? 1 : w, colour, 160 + w, y + 13);
	pxr_xml_escape(fp, text);
	fprintf(fp, "</text>\n");
}

static void
open_chart(FILE *fp, int h, int y0, int alone, const char *title)
{
	if (alone)
		fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"640\" height=\"%d\" font-family=\"sans-serif\" "
		    "font-size=\"12\" role=\"img\">\n", h);
	fprintf(fp, "<g transform=\"translate(0,%d)\">\n<text x=\"4\" "
	    "y=\"16\" font-weight=\"bold\">", y0);
	pxr_xml_escape(fp, title);
	fprintf(fp, "</text>\n");
}

static void
close_chart(FILE *fp, int alone)
{
	fprintf(fp, "</g>\n");
	if (alone)
		fprintf(fp, "</svg>\n");
}

int
rp_svg_silent_height(const struct pxr_report *R)
{
	return R->have_complaints ? HEAD_H + 2 * ROW_H + 10 : 0;
}

int
rp_svg_silent(FILE *fp, const struct pxr_report *R, int y0, int alone)
{
	struct pxr_buf b = { 0 };
	double c = (double)R->complainers, sil = c * (R->o.silent_ratio - 1);

	if (!R->have_complaints)
		return 0;
	pxr_buf_printf(&b, "Unhappy customers, estimated (1 in %d "
	    "complains)", R->o.silent_ratio);
	open_chart(fp, rp_svg_silent_height(R), y0, alone, b.p);
	pxr_buf_reset(&b);
	pxr_buf_printf(&b, "%ld", R->complainers);
	bar(fp, HEAD_H, "complained", c, c > sil ? c : sil, "#4e79a7", b.p);
	pxr_buf_reset(&b);
	pxr_buf_printf(&b, "%.0f (estimated)", sil);
	bar(fp, HEAD_H + ROW_H, "silent", sil, c > sil ? c : sil, "#bab0ac",
	    b.p);
	close_chart(fp, alone);
	pxr_buf_free(&b);
	return 0;
}

int
rp_svg_rebuy_height(const struct pxr_report *R)
{
	if (!R->have_purchases || R->nrebuy == 0)
		return 0;
	return HEAD_H + ROW_H + (int)(R->nrebuy + 1) * (2 * ROW_H + 8) + 10;
}

/* A rule's two bars: recovered, not recovered (rates out of 100 %). */
static void
rebuy_bars(FILE *fp, int y, const struct rp_rebuy *x)
{
	struct pxr_buf b = { 0 };
	int k;

	for (k = 1; k >= 0; k--) {
		pxr_buf_reset(&b);
		pxr_buf_printf(&b, "%.1f %% (%ld of %ld)", rp_percent(
		    x->bought[k], x->n[k]), x->bought[k], x->n[k]);
		bar(fp, y + (1 - k) * ROW_H, k ? (x->rule != NULL ? x->rule :
		    "(all rules)") : "", rp_percent(x->bought[k], x->n[k]),
		    100.0, k ? "#4e79a7" : "#f28e2b", b.p);
	}
	pxr_buf_free(&b);
}

int
rp_svg_rebuy(FILE *fp, const struct pxr_report *R, int y0, int alone)
{
	struct pxr_buf b = { 0 };
	size_t i;
	int y = HEAD_H + ROW_H;

	if (rp_svg_rebuy_height(R) == 0)
		return 0;
	pxr_buf_adds(&b, "Bought again within ");
	rp_within(R, &b);
	pxr_buf_adds(&b, " of an incident, per rule");
	open_chart(fp, rp_svg_rebuy_height(R), y0, alone, b.p);
	fprintf(fp, "<rect x=\"156\" y=\"%d\" width=\"12\" height=\"12\" "
	    "fill=\"#4e79a7\"/><text x=\"172\" y=\"%d\">recovered (paid or "
	    "told)</text><rect x=\"340\" y=\"%d\" width=\"12\" height=\"12\" "
	    "fill=\"#f28e2b\"/><text x=\"356\" y=\"%d\">not recovered</text>"
	    "\n", HEAD_H, HEAD_H + 11, HEAD_H, HEAD_H + 11);
	for (i = 0; i < R->nrebuy; i++, y += 2 * ROW_H + 8)
		rebuy_bars(fp, y, &R->rebuy[i]);
	rebuy_bars(fp, y, &R->rebuy_all);
	close_chart(fp, alone);
	pxr_buf_free(&b);
	return 0;
}

int
rp_write_svg(const struct pxr_report *R, FILE *fp)
{
	int y = 30, h = 40;
	size_t i;

	for (i = 0; i < RP_NTABLES; i++)
		h += rp_svg_height(&R->t[i]);
	h += rp_svg_silent_height(R) + rp_svg_rebuy_height(R);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"4\" "
	    "y=\"20\" font-size=\"16\" font-weight=\"bold\">", h);
	pxr_xml_escape(fp, R->title);
	fprintf(fp, "</text>\n");
	for (i = 0; i < RP_NTABLES; i++) {
		rp_svg_chart(fp, R, &R->t[i], y, 0);
		y += rp_svg_height(&R->t[i]);
	}
	rp_svg_silent(fp, R, y, 0);
	y += rp_svg_silent_height(R);
	rp_svg_rebuy(fp, R, y, 0);
	fprintf(fp, "</svg>\n");
	return 0;
}
