/* mem.c: allocation, buffers, arenas. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

static char loading[256];

void
pxr_mem_loading(const char *what)
{
	if (what == NULL)
		loading[0] = '\0';
	else if (strcmp(what, "-") == 0)
		snprintf(loading, sizeof(loading), "standard input");
	else
		snprintf(loading, sizeof(loading), "%s", what);
}

static void
say(const char *s)
{
	if (write(2, s, strlen(s)) < 0)
		_exit(71);
}

/* No allocation from here on: write(2) the parts, then _exit. */
static void
oom(void)
{
	say(program_invocation_short_name);
	say(": out of memory");
	if (loading[0] != '\0') {
		say(" while loading ");
		say(loading);
	}
	say("\n");
	_exit(71);
}

void *
pxr_malloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		oom();
	return p;
}

void *
pxr_calloc(size_t n, size_t m)
{
	void *p = calloc(n == 0 ? 1 : n, m == 0 ? 1 : m);

	if (p == NULL)
		oom();
	return p;
}

void *
pxr_realloc(void *p, size_t n)
{
	p = realloc(p, n == 0 ? 1 : n);
	if (p == NULL)
		oom();
	return p;
}

void *
pxr_reallocarray(void *p, size_t n, size_t m)
{
	if (m != 0 && n > SIZE_MAX / m)
		oom();
	return pxr_realloc(p, n * m);
}

char *
pxr_strdup(const char *s)
{
	return pxr_strndup(s, strlen(s));
}

char *
pxr_strndup(const char *s, size_t n)
{
	char *p = pxr_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
pxr_buf_grow(struct pxr_buf *b, size_t more)
{
	size_t want;

	if (more > SIZE_MAX - b->len - 1)
		oom();
	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->p = pxr_realloc(b->p, b->cap);
}

void
pxr_buf_adds(struct pxr_buf *b, const char *s)
{
	pxr_buf_add(b, s, strlen(s));
}

void
pxr_buf_printf(struct pxr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pxr_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
pxr_buf_reset(struct pxr_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
pxr_buf_free(struct pxr_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct pxr_arena_block {
	struct pxr_arena_block *next;
	size_t	 used;
	size_t	 size;
	max_align_t data[];
};

void *
pxr_arena_alloc(struct pxr_arena *a, size_t n)
{
	struct pxr_arena_block *b;
	size_t size;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	for (b = a->cur; b != NULL; b = b->next) {
		if (b->size - b->used >= n) {
			void *p = (char *)b->data + b->used;

			b->used += n;
			a->cur = b;
			return p;
		}
		if (b->next == NULL)
			break;
	}
	size = n > 65536 ? n : 65536;
	b = pxr_malloc(sizeof(*b) + size);
	b->size = size;
	b->used = n;
	b->next = NULL;
	if (a->head == NULL)
		a->head = b;
	else {
		struct pxr_arena_block *t = a->cur;

		while (t->next != NULL)
			t = t->next;
		t->next = b;
	}
	a->cur = b;
	return b->data;
}

char *
pxr_arena_strndup(struct pxr_arena *a, const char *s, size_t n)
{
	char *p = pxr_arena_alloc(a, n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
pxr_arena_reset(struct pxr_arena *a)
{
	struct pxr_arena_block *b, *next, *keep = a->head;

	if (keep == NULL)
		return;
	/* Keep the first block; drop big one-off blocks so memory stays bounded. */
	for (b = keep->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	keep->next = NULL;
	keep->used = 0;
	a->cur = keep;
}

void
pxr_arena_free(struct pxr_arena *a)
{
	struct pxr_arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = a->cur = NULL;
}
