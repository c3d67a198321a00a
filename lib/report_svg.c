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

int
rp_write_svg(const struct pxr_report *R, FILE *fp)
{
	int y = 30, h = 40;
	size_t i;

	for (i = 0; i < RP_NTABLES; i++)
		h += rp_svg_height(&R->t[i]);
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
	fprintf(fp, "</svg>\n");
	return 0;
}
