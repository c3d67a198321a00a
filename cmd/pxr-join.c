/* pxr-join: join a record stream with a lookup file held in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: pxr-join -f FILE --on KEY [--file-key KEY] [--left] [options] [INPUT ...]\n";

static const char help[] =
"Join each record of the stream with the rows of FILE whose key is equal,\n"
"adding FILE's columns.  FILE is held in memory; the stream is not.\n"
"\n"
"  -f, --file FILE      the lookup file (CSV or JSON Lines)\n"
"      --on KEY         the stream's key field\n"
"      --file-key KEY   FILE's key field (default: the same as --on)\n"
"      --left           keep stream rows without a match (new fields null)\n"
"\n"
"example: one row per customer in each postcode with an outage\n"
"  pxr-join -f customers.csv --on postcode < outages.csv\n";

struct lrow {
	struct lrow *next;	/* the next row with the same key */
	const char *key;
	size_t	 klen;
	struct pxr_val v[];	/* one per lookup column */
};

struct join {
	const char *file;
	const char *on;
	const char *fkey;
	int	 left;

	struct pxr_schema *lsch;
	size_t	 lkey;		/* key index in the lookup schema */
	size_t	*lcols;		/* lookup schema indices we add */
	size_t	 nlcols;
	size_t	*outidx;	/* their index in the stream's schema */
	unsigned char *isnew;	/* not a field of the stream's own */
	struct lrow **tab;	/* hash: first row of a key */
	struct lrow **tail;
	size_t	 ntab;
	size_t	 nrows;
	size_t	 skey;		/* key index in the stream */
};

static struct join J;

static void
grow(void)
{
	struct lrow **ot = J.tab;
	size_t on = J.ntab, i;

	J.ntab = on == 0 ? 1024 : on * 2;
	J.tab = pxr_calloc(J.ntab, sizeof(*J.tab));
	J.tail = pxr_reallocarray(J.tail, J.ntab, sizeof(*J.tail));
	for (i = 0; i < on; i++) {
		struct lrow *r = ot[i];
		size_t k;

		if (r == NULL)
			continue;
		k = pxr_hash(r->key, r->klen) & (J.ntab - 1);
		while (J.tab[k] != NULL)
			k = (k + 1) & (J.ntab - 1);
		J.tab[k] = r;
		for (J.tail[k] = r; J.tail[k]->next != NULL;
		    J.tail[k] = J.tail[k]->next)
			continue;
	}
	free(ot);
}

static struct lrow *
lookup(const char *key, size_t n, size_t *slot)
{
	size_t k = pxr_hash(key, n) & (J.ntab - 1);

	while (J.tab[k] != NULL) {
		if (J.tab[k]->klen == n && memcmp(J.tab[k]->key, key, n) == 0)
			break;
		k = (k + 1) & (J.ntab - 1);
	}
	*slot = k;
	return J.tab[k];
}

/* Keep one lookup row: its key and column values in one allocation. */
static void
keep(const struct pxr_rec *rec)
{
	const struct pxr_val *kv = pxr_rec_get(rec, J.lkey);
	struct lrow *r, *first;
	size_t i, size, slot;
	char *p;

	if (PXR_ISNULL(kv))
		return;
	size = sizeof(*r) + J.nlcols * sizeof(r->v[0]) + kv->n + 1;
	for (i = 0; i < J.nlcols; i++)
		size += pxr_rec_get(rec, J.lcols[i])->n + 1;
	r = pxr_malloc(size);
	r->next = NULL;
	p = (char *)&r->v[J.nlcols];
	memcpy(p, kv->s, kv->n);
	p[kv->n] = '\0';
	r->key = p;
	r->klen = kv->n;
	p += kv->n + 1;
	for (i = 0; i < J.nlcols; i++) {
		const struct pxr_val *v = pxr_rec_get(rec, J.lcols[i]);

		memcpy(p, v->s, v->n);
		p[v->n] = '\0';
		r->v[i].s = p;
		r->v[i].n = v->n;
		r->v[i].t = v->t == PXR_ABSENT ? PXR_NULL : v->t;
		p += v->n + 1;
	}
	if ((J.nrows + 1) * 2 > J.ntab)
		grow();
	first = lookup(r->key, r->klen, &slot);
	if (first == NULL) {
		J.tab[slot] = r;
		J.tail[slot] = r;
	} else {
		J.tail[slot]->next = r;
		J.tail[slot] = r;
	}
	J.nrows++;
}

static void
load(struct pxr_cli *c)
{
	struct pxr_reader_opts o;
	struct pxr_reader *rd;
	struct pxr_rec rec;
	size_t i;
	int rc, keyed = 0;

	memset(&o, 0, sizeof(o));
	o.max_record = c->max_record;
	J.lsch = pxr_schema_new();
	rd = pxr_reader_open(J.file, &o, J.lsch, &c->err);
	if (rd == NULL)
		pxr_cli_die(c, &c->err);
	pxr_rec_init(&rec, J.lsch);
	grow();
	while ((rc = pxr_reader_next(rd, &rec, &c->err)) != 0) {
		if (rc < 0)
			pxr_cli_die(c, &c->err);
		if (!keyed) {
			/* The lookup file's columns are known now. */
			keyed = 1;
			J.lkey = pxr_schema_find(J.lsch, J.fkey, strlen(J.fkey));
			if (J.lkey == PXR_NOFIELD) {
				pxr_error_set(&c->err, PXR_EXIT_DATAERR,
				    "no key field '%s'", J.fkey);
				pxr_error_at(&c->err, J.file, rec.line);
				pxr_cli_die(c, &c->err);
			}
			J.lcols = pxr_reallocarray(NULL, J.lsch->n + 1,
			    sizeof(*J.lcols));
			for (i = 0; i < J.lsch->n; i++)
				if (i != J.lkey)
					J.lcols[J.nlcols++] = i;
		}
		pxr_rec_fit(&rec);
		keep(&rec);
	}
	if (!keyed && J.lsch->n > 0) {
		/* A header and no rows: the columns still join (to nothing). */
		J.lkey = pxr_schema_find(J.lsch, J.fkey, strlen(J.fkey));
		J.lcols = pxr_reallocarray(NULL, J.lsch->n + 1,
		    sizeof(*J.lcols));
		for (i = 0; i < J.lsch->n; i++)
			if (i != J.lkey)
				J.lcols[J.nlcols++] = i;
	}
	pxr_rec_fini(&rec);
	pxr_reader_close(rd);
}

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	size_t i;

	J.skey = pxr_schema_ref(sch, J.on, strlen(J.on));
	J.outidx = pxr_reallocarray(NULL, J.nlcols + 1, sizeof(*J.outidx));
	J.isnew = pxr_calloc(J.nlcols + 1, 1);
	for (i = 0; i < J.nlcols; i++) {
		const char *nm = J.lsch->names[J.lcols[i]];
		size_t k = pxr_schema_find(sch, nm, strlen(nm));

		J.isnew[i] = k == PXR_NOFIELD || !sch->visible[k];
		J.outidx[i] = pxr_schema_add(sch, nm, strlen(nm));
	}
	(void)c;
	return 0;
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	const struct pxr_val *kv = pxr_rec_get(rec, J.skey);
	struct lrow *r = NULL;
	size_t i, slot;
	int rc;

	if (!PXR_ISNULL(kv))
		r = lookup(kv->s, kv->n, &slot);
	if (r == NULL) {
		if (!J.left)
			return 0;
		for (i = 0; i < J.nlcols; i++)
			if (J.isnew[i])
				pxr_rec_setnull(rec, J.outidx[i]);
		return pxr_cli_emit(c, rec);
	}
	for (; r != NULL; r = r->next) {
		for (i = 0; i < J.nlcols; i++)
			pxr_rec_setref(rec, J.outidx[i], r->v[i].t, r->v[i].s,
			    r->v[i].n);
		if ((rc = pxr_cli_emit(c, rec)) < 0)
			return rc;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "file", required_argument, NULL, 'f' },
		{ "on", required_argument, NULL, OPT_CMD },
		{ "file-key", required_argument, NULL, OPT_CMD + 1 },
		{ "left", no_argument, NULL, OPT_CMD + 2 },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, NULL };
	struct pxr_cli c;
	int ch;

	pxr_cli_init(&c, argv, "pxr-join", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT "f:", longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			J.file = optarg;
			break;
		case OPT_CMD:
			J.on = optarg;
			break;
		case OPT_CMD + 1:
			J.fkey = optarg;
			break;
		case OPT_CMD + 2:
			J.left = 1;
			break;
		default:
			pxr_cli_usage(&c, NULL);
		}
	}
	if (J.file == NULL)
		pxr_cli_usage(&c, "-f FILE is required");
	if (J.on == NULL || *J.on == '\0')
		pxr_cli_usage(&c, "--on KEY is required");
	if (J.fkey == NULL)
		J.fkey = J.on;
	load(&c);
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
