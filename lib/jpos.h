/*
 * jpos.h: where each value of a JSON text is.  jansson keeps no positions
 * after parsing; this index maps a path such as "rules[2].when" to the
 * line and column of the value (and of its member name).
 */
#ifndef PXR_JPOS_H
#define PXR_JPOS_H

#include <stddef.h>

struct pxr_jpos;

/* Index text (n bytes, already known to be valid JSON); new. */
struct pxr_jpos *pxr_jpos_new(const char *text, size_t n);
void	 pxr_jpos_free(struct pxr_jpos *);
/*
 * Position of the value at path (1-based line and column; column in
 * characters).  With key set, the position of its member name instead.
 * 0 if found, -1 if not (then line and column of the nearest parent).
 */
int	 pxr_jpos_find(const struct pxr_jpos *, const char *path, int key,
	    long *line, int *col);
/*
 * For a string value at path: the line and column of byte off of its
 * decoded text (escapes accounted for).
 */
int	 pxr_jpos_strpos(const struct pxr_jpos *, const char *path, size_t off,
	    long *line, int *col);

#endif
