/* rec.c: schemas and records. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

uint64_t
pxr_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (n-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

void
pxr_id_part(struct pxr_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' || c == ':' || c < 0x20 || c == 0x7f) {
			pxr_buf_addc(b, '%');
			pxr_buf_addc(b, hex[c >> 4]);
			pxr_buf_addc(b, hex[c & 15]);
		} else
			pxr_buf_addc(b, (char)c);
	}
}

struct pxr_schema *
pxr_schema_new(void)
{
	struct pxr_schema *s = pxr_calloc(1, sizeof(*s));

	s->nslots = 64;
	s->slots = pxr_calloc(s->nslots, sizeof(*s->slots));
	return s;
}

void
pxr_schema_free(struct pxr_schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->visible);
	free(s->slots);
	free(s->order);
	free(s);
}

size_t
pxr_schema_find(const struct pxr_schema *s, const char *name, size_t n)
{
	size_t i = pxr_hash(name, n) & (s->nslots - 1);

	for (;;) {
		size_t k = s->slots[i];

		if (k == 0)
			return PXR_NOFIELD;
		k--;
		if (strlen(s->names[k]) == n && memcmp(s->names[k], name, n) == 0)
			return k;
		i = (i + 1) & (s->nslots - 1);
	}
}

static void
rehash(struct pxr_schema *s)
{
	size_t k, i;

	free(s->slots);
	s->nslots *= 2;
	s->slots = pxr_calloc(s->nslots, sizeof(*s->slots));
	for (k = 0; k < s->n; k++) {
		i = pxr_hash(s->names[k], strlen(s->names[k])) & (s->nslots - 1);
		while (s->slots[i] != 0)
			i = (i + 1) & (s->nslots - 1);
		s->slots[i] = k + 1;
	}
}

static size_t
insert(struct pxr_schema *s, const char *name, size_t n, int visible)
{
	size_t k = pxr_schema_find(s, name, n), i;

	if (k != PXR_NOFIELD) {
		if (visible && !s->visible[k]) {
			s->visible[k] = 1;
			s->order[s->norder++] = k;
		}
		return k;
	}
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 16 : s->cap * 2;
		s->names = pxr_reallocarray(s->names, s->cap, sizeof(*s->names));
		s->visible = pxr_realloc(s->visible, s->cap);
		s->order = pxr_reallocarray(s->order, s->cap, sizeof(*s->order));
	}
	k = s->n++;
	s->names[k] = pxr_strndup(name, n);
	s->visible[k] = visible != 0;
	if (visible)
		s->order[s->norder++] = k;
	if (s->n * 2 > s->nslots)
		rehash(s);
	else {
		i = pxr_hash(name, n) & (s->nslots - 1);
		while (s->slots[i] != 0)
			i = (i + 1) & (s->nslots - 1);
		s->slots[i] = k + 1;
	}
	return k;
}

size_t
pxr_schema_ref(struct pxr_schema *s, const char *name, size_t n)
{
	return insert(s, name, n, 0);
}

size_t
pxr_schema_add(struct pxr_schema *s, const char *name, size_t n)
{
	return insert(s, name, n, 1);
}

size_t
pxr_schema_nvisible(const struct pxr_schema *s)
{
	return s->norder;
}

int
pxr_schema_rename(struct pxr_schema *s, size_t k, const char *name, size_t n)
{
	if (pxr_schema_find(s, name, n) != PXR_NOFIELD)
		return -1;
	free(s->names[k]);
	s->names[k] = pxr_strndup(name, n);
	s->nslots /= 2;		/* rehash doubles: the same size again */
	rehash(s);
	return 0;
}

void
pxr_rec_init(struct pxr_rec *r, struct pxr_schema *sch)
{
	memset(r, 0, sizeof(*r));
	r->sch = sch;
	pxr_rec_fit(r);
}

void
pxr_rec_fini(struct pxr_rec *r)
{
	if (r == NULL)
		return;
	free(r->v);
	pxr_arena_free(&r->arena);
	r->v = NULL;
	r->cap = 0;
}

void
pxr_rec_fit(struct pxr_rec *r)
{
	size_t old = r->cap;

	if (r->sch->n <= r->cap)
		return;
	r->cap = r->sch->n + 16;
	r->v = pxr_reallocarray(r->v, r->cap, sizeof(*r->v));
	memset(r->v + old, 0, (r->cap - old) * sizeof(*r->v));
}

void
pxr_rec_clear(struct pxr_rec *r)
{
	pxr_rec_fit(r);
	if (r->cap > 0)
		memset(r->v, 0, r->cap * sizeof(*r->v));
	pxr_arena_reset(&r->arena);
}

/* What pxr_rec_get gives past the end of a record. */
const struct pxr_val pxr_rec_absent = { "", 0, PXR_ABSENT };

void
pxr_rec_set(struct pxr_rec *r, size_t i, int t, const char *s, size_t n)
{
	pxr_rec_setref(r, i, t, pxr_arena_strndup(&r->arena, s, n), n);
}

void
pxr_rec_setf(struct pxr_rec *r, size_t i, int t, const char *fmt, ...)
{
	char small[128], *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(small)) {
		pxr_rec_set(r, i, t, small, (size_t)n);
		return;
	}
	p = pxr_arena_alloc(&r->arena, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pxr_rec_setref(r, i, t, p, (size_t)n);
}

void
pxr_rec_setnull(struct pxr_rec *r, size_t i)
{
	pxr_rec_setref(r, i, PXR_NULL, "", 0);
}

void
pxr_rec_copy(struct pxr_rec *dst, const struct pxr_rec *src)
{
	size_t i;

	pxr_rec_clear(dst);
	dst->file = src->file;
	dst->line = src->line;
	for (i = 0; i < src->cap && i < src->sch->n; i++)
		if (src->v[i].t != PXR_ABSENT)
			pxr_rec_set(dst, i, src->v[i].t, src->v[i].s,
			    src->v[i].n);
}

struct pxr_packed *
pxr_rec_pack(const struct pxr_rec *r)
{
	struct pxr_packed *p;
	size_t i, n = r->sch->n < r->cap ? r->sch->n : r->cap, size;
	char *d;

	size = sizeof(*p) + n * sizeof(p->v[0]);
	for (i = 0; i < n; i++)
		if (r->v[i].t != PXR_ABSENT)
			size += r->v[i].n + 1;
	p = pxr_malloc(size);
	p->n = n;
	p->line = r->line;
	p->file = r->file;
	d = (char *)&p->v[n];
	for (i = 0; i < n; i++) {
		p->v[i] = r->v[i];
		if (r->v[i].t == PXR_ABSENT)
			continue;
		if (r->v[i].n > 0)
			memcpy(d, r->v[i].s, r->v[i].n);
		d[r->v[i].n] = '\0';
		p->v[i].s = d;
		d += r->v[i].n + 1;
	}
	return p;
}

void
pxr_rec_unpack(struct pxr_rec *r, const struct pxr_packed *p)
{
	size_t i;

	pxr_rec_clear(r);
	r->line = p->line;
	r->file = p->file;
	for (i = 0; i < p->n; i++)
		if (p->v[i].t != PXR_ABSENT)
			pxr_rec_setref(r, i, p->v[i].t, p->v[i].s, p->v[i].n);
}

void
pxr_rec_repack(struct pxr_packed **p, const struct pxr_rec *r)
{
	struct pxr_packed *n = pxr_rec_pack(r);

	free(*p);
	*p = n;
}
