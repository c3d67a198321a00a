/* rec.h: records, their values, and the schema that names their fields. */
#ifndef PXR_REC_H
#define PXR_REC_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* What a value is.  Input CSV cells are text (or null when empty). */
enum pxr_vtype {
	PXR_ABSENT = 0,	/* the record has no such field */
	PXR_NULL,	/* an empty CSV cell or JSON null */
	PXR_STR,	/* text */
	PXR_NUM,	/* a number; s is its exact text */
	PXR_BOOL,	/* "true" or "false" */
	PXR_JSON	/* a nested JSON object or array, s its exact text */
};

/* A field's value: n bytes at s (NUL-terminated, but may hold NULs). */
struct pxr_val {
	const char *s;
	size_t	 n;
	int	 t;
};

/*
 * The names of a stream's fields, in order.  An index, once handed out,
 * is stable for the life of the schema.  A name is "visible" once the
 * input has it or a stage adds it; names only referred to by expressions
 * are hidden and never written.
 */
struct pxr_schema {
	char	**names;
	unsigned char *visible;
	size_t	 n;
	size_t	 cap;
	size_t	*slots;	/* open-addressing hash: index + 1, 0 empty */
	size_t	 nslots;
	size_t	*order;	/* visible indices, in the order they became so */
	size_t	 norder;
	int	 header;	/* the input's names came from a CSV header or
				   --columns: a name not visible is not there */
};

#define PXR_NOFIELD ((size_t)-1)

/* FNV-1a of n bytes: for hash tables and stable tie-breaks. */
uint64_t pxr_hash(const char *, size_t);
/* Append s to b for an id: '%', ':' and control bytes as %XX. */
void	 pxr_id_part(struct pxr_buf *, const char *, size_t);

struct pxr_schema *pxr_schema_new(void);
void	 pxr_schema_free(struct pxr_schema *);
/* Index of the name of n bytes, or PXR_NOFIELD. */
size_t	 pxr_schema_find(const struct pxr_schema *, const char *, size_t);
/* Index of name, adding it hidden when new. */
size_t	 pxr_schema_ref(struct pxr_schema *, const char *, size_t);
/* Index of name, adding it (or making it) visible. */
size_t	 pxr_schema_add(struct pxr_schema *, const char *, size_t);
/* Number of visible names. */
size_t	 pxr_schema_nvisible(const struct pxr_schema *);
/*
 * Rename field k to name (n bytes, copied): 0, or -1 when another field
 * has that name.  Indices stay; records read before keep their values.
 */
int	 pxr_schema_rename(struct pxr_schema *, size_t k, const char *,
	    size_t n);

/*
 * A record: one value per schema index.  Values point into the record's
 * arena or into the reader's buffers; both are valid until the next read.
 */
struct pxr_rec {
	struct pxr_schema *sch;
	struct pxr_val *v;
	size_t	 cap;
	const char *file;	/* borrowed: the input's name */
	long	 line;		/* where the record starts */
	struct pxr_arena arena;
};

void	 pxr_rec_init(struct pxr_rec *, struct pxr_schema *);
void	 pxr_rec_fini(struct pxr_rec *);
/* Make room for every schema index; new slots are absent. */
void	 pxr_rec_fit(struct pxr_rec *);
/* Forget all values (all absent) and reset the arena. */
void	 pxr_rec_clear(struct pxr_rec *);
/* The value at index i (an absent value past the end); borrowed. */
extern const struct pxr_val pxr_rec_absent;
static inline const struct pxr_val *
pxr_rec_get(const struct pxr_rec *r, size_t i)
{
	return i < r->cap ? &r->v[i] : &pxr_rec_absent;
}
/* Set index i to a copy of n bytes of s, of type t. */
void	 pxr_rec_set(struct pxr_rec *, size_t, int t, const char *, size_t);
/* Set index i without copying: s must outlive the record's use. */
static inline void
pxr_rec_setref(struct pxr_rec *r, size_t i, int t, const char *s, size_t n)
{
	if (i >= r->cap)
		pxr_rec_fit(r);
	r->v[i].s = s;
	r->v[i].n = n;
	r->v[i].t = t;
}
void	 pxr_rec_setf(struct pxr_rec *, size_t, int t, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 pxr_rec_setnull(struct pxr_rec *, size_t);
/* Copy every value of src into dst (same schema), deep into dst's arena. */
void	 pxr_rec_copy(struct pxr_rec *dst, const struct pxr_rec *src);

/*
 * A record packed into one allocation, for stages that hold records
 * (pxr-threshold's groups).  new; free with free().
 */
struct pxr_packed {
	size_t	 n;
	long	 line;
	const char *file;
	struct pxr_val v[];
};

struct pxr_packed *pxr_rec_pack(const struct pxr_rec *);
/* Replace *p by a packing of rec, which may point into *p. */
void	 pxr_rec_repack(struct pxr_packed **p, const struct pxr_rec *);
/* Point rec's values at p's (borrowed: p must outlive the use). */
void	 pxr_rec_unpack(struct pxr_rec *, const struct pxr_packed *);

/* True when a value is null or absent. */
#define PXR_ISNULL(v) ((v)->t == PXR_ABSENT || (v)->t == PXR_NULL)

#endif
