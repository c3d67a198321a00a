/* hmap.c: the one hash map of lib/ (see hmap.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "rec.h"

void
pxr_hmap_init(struct pxr_hmap *h)
{
	memset(h, 0, sizeof(*h));
}

void
pxr_hmap_fini(struct pxr_hmap *h, void (*free_val)(void *))
{
	size_t i;

	if (h == NULL)
		return;
	if (free_val != NULL)
		for (i = 0; i < h->cap; i++)
			if (h->v[i].key != NULL)
				free_val(h->v[i].val);
	free(h->v);
	pxr_arena_free(&h->keys);
	memset(h, 0, sizeof(*h));
}

/* The slot of the key, or the empty slot where it would go. */
static struct pxr_hent *
slot_of(const struct pxr_hmap *h, const char *k, size_t n, uint32_t hash)
{
	size_t i = hash & (h->cap - 1);

	for (;;) {
		struct pxr_hent *e = &h->v[i];

		if (e->key == NULL || (e->hash == hash && e->klen == n &&
		    memcmp(e->key, k, n) == 0))
			return e;
		i = (i + 1) & (h->cap - 1);
	}
}

static void
grow(struct pxr_hmap *h)
{
	struct pxr_hent *old = h->v;
	size_t ocap = h->cap, i;

	h->cap = ocap == 0 ? 64 : ocap * 2;
	h->v = pxr_calloc(h->cap, sizeof(*h->v));
	for (i = 0; i < ocap; i++)
		if (old[i].key != NULL)
			*slot_of(h, old[i].key, old[i].klen, old[i].hash) =
			    old[i];
	free(old);
}

void *
pxr_hmap_get(const struct pxr_hmap *h, const char *k, size_t n)
{
	struct pxr_hent *e;

	if (h->n == 0 || n > UINT32_MAX)
		return NULL;
	e = slot_of(h, k, n, (uint32_t)pxr_hash(k, n));
	return e->key != NULL ? e->val : NULL;
}

void **
pxr_hmap_put(struct pxr_hmap *h, const char *k, size_t n, int *added)
{
	uint32_t hash = (uint32_t)pxr_hash(k, n);
	struct pxr_hent *e;

	if ((h->n + 1) * 2 > h->cap)
		grow(h);
	e = slot_of(h, k, n, hash);
	if (added != NULL)
		*added = e->key == NULL;
	if (e->key == NULL) {
		e->key = pxr_arena_strndup(&h->keys, k, n);
		e->klen = (uint32_t)n;
		e->hash = hash;
		e->val = NULL;
		h->n++;
	}
	return &e->val;
}

const char *
pxr_hmap_key(const struct pxr_hmap *h, void **slot, size_t *n)
{
	const struct pxr_hent *e = (const struct pxr_hent *)(void *)
	    ((char *)slot - offsetof(struct pxr_hent, val));

	(void)h;
	if (n != NULL)
		*n = e->klen;
	return e->key;
}

int
pxr_hmap_next(const struct pxr_hmap *h, size_t *i, const struct pxr_hent **e)
{
	for (; *i < h->cap; (*i)++)
		if (h->v[*i].key != NULL) {
			*e = &h->v[(*i)++];
			return 1;
		}
	return 0;
}

size_t
pxr_hmap_count(const struct pxr_hmap *h)
{
	return h->n;
}
