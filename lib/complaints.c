/* complaints.c: the complaints of customers, found by customer. */
#include <stdlib.h>
#include <string.h>

#include "complaints.h"
#include "hmap.h"
#include "mem.h"

/* A customer's complaints, a list in the index's arena. */
struct cnode {
	struct pxr_complaint c;
	struct cnode *next;
};

struct pxr_complaints {
	struct pxr_hmap by_cust;	/* customer -> struct cnode list */
	struct pxr_arena mem;
};

static const char *
keep(struct pxr_complaints *X, const char *s)
{
	return s == NULL ? "" : pxr_arena_strndup(&X->mem, s, strlen(s));
}

struct pxr_complaints *
pxr_complaints_new(const struct pxr_complaint *v, size_t n)
{
	struct pxr_complaints *X = pxr_calloc(1, sizeof(*X));
	struct cnode *c;
	void **slot;
	size_t i;

	pxr_hmap_init(&X->by_cust);
	for (i = 0; i < n; i++) {
		c = pxr_arena_alloc(&X->mem, sizeof(*c));
		c->c.cust = keep(X, v[i].cust);
		c->c.at = v[i].at;
		c->c.subject = keep(X, v[i].subject);
		c->c.where = keep(X, v[i].where);
		slot = pxr_hmap_put(&X->by_cust, c->c.cust, strlen(c->c.cust),
		    NULL);
		c->next = *slot;
		*slot = c;
	}
	return X;
}

const struct pxr_complaint *
pxr_complaints_find(const struct pxr_complaints *X, const char *cust,
    size_t cn, int64_t from, int64_t to, const char *id, size_t idn,
    const char *rule, size_t rn)
{
	const struct cnode *c;
	const struct pxr_complaint *best = NULL;
	size_t sn;

	if (X == NULL || cust == NULL)
		return NULL;
	for (c = pxr_hmap_get(&X->by_cust, cust, cn); c != NULL;
	    c = c->next) {
		if (c->c.at < from || c->c.at > to)
			continue;
		sn = strlen(c->c.subject);
		if (sn > 0 && !(sn == idn && memcmp(c->c.subject, id,
		    sn) == 0) && !(sn == rn && memcmp(c->c.subject, rule,
		    sn) == 0))
			continue;
		if (best == NULL || c->c.at < best->at)
			best = &c->c;
	}
	return best;
}

void
pxr_complaints_free(struct pxr_complaints *X)
{
	if (X == NULL)
		return;
	pxr_hmap_fini(&X->by_cust, NULL);
	pxr_arena_free(&X->mem);
	free(X);
}
