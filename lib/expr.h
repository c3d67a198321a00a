/* expr.h: the expression language of rule files (pxr-expr(7)). */
#ifndef PXR_EXPR_H
#define PXR_EXPR_H

#include <stdint.h>

#include "coltype.h"
#include "error.h"
#include "mem.h"
#include "rec.h"
#include "time.h"

/* Kinds of value. */
enum pxr_vt {
	PXR_V_NULL = 0,
	PXR_V_BOOL,
	PXR_V_INT,
	PXR_V_DBL,
	PXR_V_STR,	/* text from a literal or a function */
	PXR_V_FIELD,	/* text from a field: read by what it meets */
	PXR_V_TIME,
	PXR_V_DUR
};

struct pxr_value {
	int	 t;
	int	 dateonly;	/* TIME: prints as a date */
	int64_t	 i;		/* BOOL, INT, TIME (µs), DUR (µs) */
	int64_t	 days;		/* DUR: calendar days (d, w) counted in i */
	double	 d;
	const char *s;		/* STR, FIELD */
	size_t	 n;
	const char *field;	/* FIELD: the field's name, for messages */
};

/* What an evaluation sees. */
struct pxr_env {
	int64_t	 now;
	struct pxr_tz *tz;		/* defaults.timezone */
	const struct pxr_rec *rec;
	struct pxr_arena *arena;	/* scratch text; caller resets per record */
};

struct pxr_expr;

/*
 * Compile src (n bytes).  On error NULL, err->text "LINE:COL: what" with
 * err->line and err->column set to the position inside src.  The
 * declared types (may be NULL) are copied: a field declared with a
 * format (coltype.h) is read by it wherever the expression reads it.
 */
struct pxr_expr *pxr_expr_compile(const char *src, size_t n,
	    const struct pxr_coltype *, size_t ntypes, struct pxr_error *);
void	 pxr_expr_free(struct pxr_expr *);
/* Resolve field names to indices of sch (names added hidden). */
void	 pxr_expr_bind(struct pxr_expr *, struct pxr_schema *);
/* The source text; borrowed. */
const char *pxr_expr_src(const struct pxr_expr *);
/* Evaluate; 0, or -1 with err->text naming the field at fault. */
int	 pxr_expr_eval(const struct pxr_expr *, const struct pxr_env *,
	    struct pxr_value *, struct pxr_error *);
/* Evaluate as a condition: 1 true, 0 false or null, -1 error. */
int	 pxr_expr_test(const struct pxr_expr *, const struct pxr_env *,
	    struct pxr_error *);
/*
 * Explain a condition's outcome into b: which sub-condition was false or
 * null, with the operands' values.  Returns like pxr_expr_test.
 */
int	 pxr_expr_explain(const struct pxr_expr *, const struct pxr_env *,
	    struct pxr_buf *, struct pxr_error *);

/* Each field name the expression reads, in order; borrowed. */
size_t	 pxr_expr_fields(const struct pxr_expr *, const char ***names,
	    int **cols);

/*
 * Check the expression against the declared column types: 1 and msg and
 * *off (byte offset in the source) for the first operation whose operands
 * can never meet (a text column compared with a number, a time column
 * with a number); 0 when none is seen.
 */
int	 pxr_expr_typecheck(const struct pxr_expr *, char *msg, size_t n,
	    size_t *off);

/*
 * The name of builtin function i (0, 1, ...) and, when help is not NULL,
 * its help line ("days(d): a duration in days"); NULL past the last.
 * Both static.
 */
const char *pxr_expr_builtin(size_t i, const char **help);

/* Append v as text ("" for null); TIME as ISO-8601 UTC. */
void	 pxr_value_text(const struct pxr_value *, struct pxr_tz *,
	    struct pxr_buf *);
/* The value as a number (INT or DBL); -1 if it is not one. */
int	 pxr_value_number(const struct pxr_value *, struct pxr_value *,
	    struct pxr_error *);
/* A kind's name for messages: "number", "time", ... */
const char *pxr_vt_name(int);

/* Parse a number the way fields are read: 1 and *v set, or 0. */
int	 pxr_number_parse(const char *, size_t, struct pxr_value *);

#endif
