/* expr_fuzz.c: compile an expression, evaluate and explain it. */
#include <stdlib.h>
#include <string.h>

#include "expr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const struct pxr_coltype types[] = { { "t", PXR_C_TIME },
	    { "k", PXR_C_INT }, { "s", PXR_C_STRING } };
	static const char *names[] = { "a", "b", "t", "k", "s", "j", "d" };
	static const char *vals[] = { "42", "2026-11-20T10:00:00Z",
	    "2026-11-21 08:00", "7", "Hello", "{\"x\":{\"y\":[1,2]}}", "1h30m" };
	struct pxr_schema *sch = pxr_schema_new();
	struct pxr_arena arena = { 0 };
	struct pxr_buf b = { 0 };
	struct pxr_error e;
	struct pxr_expr *x;
	struct pxr_env env;
	struct pxr_value v;
	struct pxr_rec r;
	size_t i;

	x = pxr_expr_compile((const char *)data, n, types, 3, &e);
	if (x != NULL) {
		for (i = 0; i < 7; i++)
			pxr_schema_add(sch, names[i], strlen(names[i]));
		pxr_expr_bind(x, sch);
		pxr_rec_init(&r, sch);
		for (i = 0; i < 7; i++)
			pxr_rec_set(&r, i, i == 5 ? PXR_JSON : PXR_STR, vals[i],
			    strlen(vals[i]));
		env.now = 1763715600 * PXR_US_SEC;
		env.tz = pxr_tz_get("Europe/Stockholm");
		env.rec = &r;
		env.arena = &arena;
		if (pxr_expr_eval(x, &env, &v, &e) == 0)
			pxr_value_text(&v, env.tz, &b);
		(void)pxr_expr_explain(x, &env, &b, &e);
		(void)pxr_expr_typecheck(x, e.text, sizeof(e.text), &i);
		pxr_rec_fini(&r);
		pxr_expr_free(x);
	}
	pxr_buf_free(&b);
	pxr_arena_free(&arena);
	pxr_schema_free(sch);
	return 0;
}
