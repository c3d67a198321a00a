/* rec_test.c: schemas, records, buffers, arenas. */
#include "rec.h"
#include "unit.h"

int
main(void)
{
	struct pxr_schema *s = pxr_schema_new();
	struct pxr_rec r;
	struct pxr_buf b = { 0 };
	struct pxr_arena a = { 0 };
	char name[32];
	size_t i, k;
	char *p1, *p2;

	CHECK(pxr_schema_add(s, "a", 1) == 0, "first name is index 0");
	CHECK(pxr_schema_ref(s, "hidden", 6) == 1, "a reference adds hidden");
	CHECK(pxr_schema_nvisible(s) == 1, "hidden names are not visible");
	CHECK(pxr_schema_add(s, "hidden", 6) == 1, "adding makes it visible");
	CHECK(pxr_schema_nvisible(s) == 2, "two visible");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		pxr_schema_add(s, name, strlen(name));
	}
	k = pxr_schema_find(s, "f999", 4);
	CHECK(k == 1001, "index stable across rehash (%zu)", k);
	CHECK(pxr_schema_find(s, "nope", 4) == PXR_NOFIELD, "missing name");

	pxr_rec_init(&r, s);
	pxr_rec_set(&r, 0, PXR_STR, "x\0y", 3);
	CHECK(pxr_rec_get(&r, 0)->n == 3 && memcmp(pxr_rec_get(&r, 0)->s,
	    "x\0y", 3) == 0, "values keep NUL bytes");
	pxr_rec_setf(&r, 1, PXR_NUM, "%d", 42);
	CHECK_STR(pxr_rec_get(&r, 1)->s, "42", "setf formats");
	CHECK(pxr_rec_get(&r, 5000)->t == PXR_ABSENT, "past the end is absent");
	pxr_rec_clear(&r);
	CHECK(pxr_rec_get(&r, 0)->t == PXR_ABSENT, "clear makes absent");
	pxr_rec_fini(&r);

	pxr_buf_printf(&b, "%s-%d", "ab", 7);
	pxr_buf_addc(&b, '!');
	CHECK_STR(b.p, "ab-7!", "buffer printf and addc");
	pxr_buf_free(&b);

	p1 = pxr_arena_strndup(&a, "hello", 5);
	p2 = pxr_arena_alloc(&a, 200000);
	memset(p2, 'x', 200000);
	CHECK_STR(p1, "hello", "arena keeps earlier allocations in place");
	pxr_arena_reset(&a);
	p1 = pxr_arena_strndup(&a, "again", 5);
	CHECK_STR(p1, "again", "arena reuses after reset");
	pxr_arena_free(&a);
	pxr_arena_free(&a);
	pxr_schema_free(s);
	pxr_schema_free(NULL);
	pxr_buf_free(NULL);
	UNIT_END();
}
