/*
 * pseudo.h: keyed pseudonyms for erased customers (pxr-ledger forget).
 * A customer's pseudonym is "pn-" and the first 32 hex digits of
 * HMAC-SHA-256(key, customer id) (sha256.h): the same id gives the same
 * pseudonym, so reruns still find what was paid and told, and without
 * the key it cannot be turned back into the id.  The key is 32 random
 * bytes in DIR/pseudonym.key, mode 0600, next to the ledger.
 */
#ifndef PXR_PSEUDO_H
#define PXR_PSEUDO_H

#include <stddef.h>

#include "error.h"
#include "mem.h"

#define PXR_PSEUDO_KEY "pseudonym.key"
#define PXR_PSEUDO_LEN 36	/* "pn-", 32 hex digits, NUL */

struct pxr_pseudo;

/*
 * The key of the state folder dir: read, or with create made (0600,
 * never overwritten).  new; NULL when there is none and !create (err
 * untouched, *missing set), or NULL and err (73, 74) on failure.
 */
struct pxr_pseudo *pxr_pseudo_open(const char *dir, int create,
	    int *missing, struct pxr_error *);
/* The key of the folder of file path (a ledger): as pxr_pseudo_open. */
struct pxr_pseudo *pxr_pseudo_open_near(const char *path, int create,
	    int *missing, struct pxr_error *);
/* The pseudonym of customer id (n bytes) into out. */
void	 pxr_pseudo_of(const struct pxr_pseudo *, const char *id, size_t n,
	    char out[PXR_PSEUDO_LEN]);
/*
 * text (n bytes) with every occurrence of the customer id cust (cn > 0
 * bytes) replaced by its pseudonym, into out (reset first); 1 if any
 * was, 0 if text does not hold it (out is text).
 */
int	 pxr_pseudo_text(const struct pxr_pseudo *, const char *text, size_t n,
	    const char *cust, size_t cn, struct pxr_buf *out);
void	 pxr_pseudo_free(struct pxr_pseudo *);

#endif
