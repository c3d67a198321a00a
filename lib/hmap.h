/*
 * hmap.h: the one hash map of lib/ (after jansson's hashtable.c): byte
 * string keys to pointers, open addressing, growing at half load, keys
 * copied into the map's own arena (no malloc per key).  An entry costs
 * 24 bytes of table (at most twice that at the load bound) plus its key.
 */
#ifndef PXR_HMAP_H
#define PXR_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

struct pxr_hent {
	const char *key;	/* NUL-terminated copy; NULL: empty slot */
	void	*val;
	uint32_t hash;
	uint32_t klen;		/* keys are at most UINT32_MAX bytes */
};

struct pxr_hmap {
	struct pxr_hent *v;
	size_t	 cap;		/* a power of two, or 0 */
	size_t	 n;
	struct pxr_arena keys;
};

/* An empty map (a zeroed struct is one too). */
void	 pxr_hmap_init(struct pxr_hmap *);
/* Free the table and keys; free_val (may be NULL) is called on each value. */
void	 pxr_hmap_fini(struct pxr_hmap *, void (*free_val)(void *));
/* The value of the key of n bytes, or NULL; borrowed. */
void	*pxr_hmap_get(const struct pxr_hmap *, const char *, size_t);
/*
 * The value slot of the key of n bytes, added (value NULL, *added 1) when
 * absent; valid until the next put.  added may be NULL.
 */
void	**pxr_hmap_put(struct pxr_hmap *, const char *, size_t, int *added);
/* The key of a value slot returned by put or next; borrowed. */
const char *pxr_hmap_key(const struct pxr_hmap *, void **slot, size_t *n);
/*
 * Iterate: start with *i = 0; each call gives the next entry (1) or the
 * end (0).  Order is the table's, not insertion order.
 */
int	 pxr_hmap_next(const struct pxr_hmap *, size_t *i,
	    const struct pxr_hent **);
/* Number of keys. */
size_t	 pxr_hmap_count(const struct pxr_hmap *);

#endif
