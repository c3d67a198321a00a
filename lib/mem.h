/* mem.h: allocation, growable buffers and per-record arenas. */
#ifndef PXR_MEM_H
#define PXR_MEM_H

#include <stddef.h>
#include <string.h>

/*
 * Allocation that cannot fail: on exhaustion the process exits 71
 * (EX_OSERR) with one line on stderr, "PROG: out of memory while loading
 * FILE" (the one place lib/ writes there and exits).  A record is bounded
 * by the readers' limits, but a lookup file, a ledger or a sent log held
 * in memory grows with its rows: that is where memory runs out.
 */
/* Name what is being loaded (copied), for that line; NULL: nothing. */
void	 pxr_mem_loading(const char *);
void	*pxr_malloc(size_t);
void	*pxr_calloc(size_t, size_t);
void	*pxr_realloc(void *, size_t);
void	*pxr_reallocarray(void *, size_t, size_t);
char	*pxr_strdup(const char *);
char	*pxr_strndup(const char *, size_t);

/* A growable byte buffer; p is always NUL-terminated after len bytes. */
struct pxr_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/*
 * Room for more bytes (and the NUL) after len; the storage may move.
 * pxr_buf_need is the inline test, pxr_buf_grow the out-of-line growth.
 */
void	 pxr_buf_grow(struct pxr_buf *, size_t more);
#define pxr_buf_need(b, more) do {					\
	if ((b)->cap - (b)->len <= (more))				\
		pxr_buf_grow((b), (more));				\
} while (0)
/* Append n bytes of p (copied), keeping the NUL: inline, no call. */
static inline void
pxr_buf_add(struct pxr_buf *b, const void *p, size_t n)
{
	pxr_buf_need(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}
/* Append one byte: inline, the hot path of every writer. */
static inline void
pxr_buf_addc(struct pxr_buf *b, int c)
{
	pxr_buf_need(b, 1);
	b->p[b->len++] = (char)c;
	b->p[b->len] = '\0';
}
void	 pxr_buf_adds(struct pxr_buf *, const char *);
void	 pxr_buf_printf(struct pxr_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 pxr_buf_reset(struct pxr_buf *);
/* Free the storage; b may be NULL. */
void	 pxr_buf_free(struct pxr_buf *);

/*
 * An arena: allocations stay put until pxr_arena_reset, which keeps the
 * blocks for reuse, so a record's values cost no malloc once warm.
 */
struct pxr_arena_block;
struct pxr_arena {
	struct pxr_arena_block *head;
	struct pxr_arena_block *cur;
};

/* n bytes, valid until the next reset; borrowed from the arena. */
void	*pxr_arena_alloc(struct pxr_arena *, size_t);
/* A NUL-terminated copy of n bytes of s in the arena. */
char	*pxr_arena_strndup(struct pxr_arena *, const char *, size_t);
void	 pxr_arena_reset(struct pxr_arena *);
void	 pxr_arena_free(struct pxr_arena *);

#endif
