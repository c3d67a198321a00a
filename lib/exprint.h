/*
 * exprint.h: what the phases of the expression language share, private to
 * lib/expr*.c.  expr_lex.c cuts the source into tokens, expr_parse.c builds
 * the tree (struct node), expr_check.c checks it against declared column
 * types, expr_eval.c evaluates it for a record and expr_builtin.c holds the
 * functions, one table row each.  expr.c is the public entry
 * (compile, bind, values).
 */
#ifndef PXR_EXPRINT_H
#define PXR_EXPRINT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "expr.h"

#define PXR_EX_MAX_DEPTH	200	/* nesting of the source */
#define PXR_EX_MAXARGS		3	/* arguments of a builtin not lazy */

enum op {
	N_LIT, N_FIELD, N_LIST, N_NEG, N_NOT, N_AND, N_OR,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_MATCH, N_NMATCH, N_IN,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD, N_CALL
};

struct pxr_ex_builtin;

struct node {
	int	 op;
	const struct pxr_ex_builtin *bi;	/* N_CALL */
	size_t	 start, end;	/* source span */
	struct node **kid;
	size_t	 nkid;
	struct pxr_value lit;
	char	*text;		/* literal text, field name */
	/* fields */
	size_t	 col;		/* schema index */
	size_t	 pcol;		/* dotted name: index of the first part */
	const char *path;	/* dotted name: the rest */
	int	 ctype;	/* PXR_C_*: what the checks see (money: int) */
	const struct pxr_coltype *decl;	/* its formatted declaration, or NULL */
	/* regex */
	pcre2_code *re;
	pcre2_match_data *md;
};

struct pxr_expr {
	char	*src;
	size_t	 n;
	struct node *root;
	struct pxr_coltype *types;
	size_t	 ntypes;
	const char **fnames;
	int	*fcols;
	size_t	 nfields;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
};

/* ---- lexer (expr_lex.c) ---- */

enum tok {
	T_END, T_NUM, T_DUR, T_STR, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_OR, T_AND, T_NOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH,
	T_NMATCH, T_IN, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_TRUE,
	T_FALSE, T_NULL
};

struct lex {
	const char *s;
	size_t	 n, i;
	int	 tok;
	size_t	 tstart, tend;
	struct pxr_buf text;	/* decoded string or identifier */
	struct pxr_error *err;
	struct pxr_expr *e;
	int	 depth;
	int	 failed;
};

/*
 * Set the first compile error of l: err's text "LINE:COL: what" for the
 * byte offset at of the source; later calls keep the first.  Returns -1.
 */
int	 pxr_ex_perr(struct lex *l, size_t at, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Read the next token into l->tok (text in l->text): 0, or -1 on error. */
int	 pxr_ex_next(struct lex *l);
/* A token's name for messages ("')'", "end of expression"); static. */
const char *pxr_ex_tokname(int tok);

/*
 * The calendar days of a valid duration text: its d and w parts
 * ("1w2d3h" is 9), which move a time by days of the calendar (expr.c).
 */
int64_t	 pxr_ex_dur_days(const char *s, size_t n);

/* ---- parser (expr_parse.c) ---- */

/* Parse the expression from l's current token: the tree (new), or NULL. */
struct node *pxr_ex_parse(struct lex *l);
/* Free a tree; NULL is fine. */
void	 pxr_ex_freenode(struct node *);
/*
 * Compile the pattern pat (a text literal) into n->re and n->md: 0, or -1
 * with a compile error at the place in the pattern.
 */
int	 pxr_ex_compile_regex(struct lex *l, struct node *n,
	    const struct node *pat);

/* ---- evaluator (expr_eval.c) ---- */

struct ev {
	const struct pxr_expr *e;
	const struct pxr_env *env;
	struct pxr_error *err;
};

/* Evaluate n into *r: 0, or -1 with x->err set. */
int	 pxr_ex_eval(struct ev *x, const struct node *n, struct pxr_value *r);
/* n as a condition: *t 1 true, 0 false, -1 null; 0, or -1 on error. */
int	 pxr_ex_truth(struct ev *x, const struct node *n, int *t);
/* Set a data error (exit 65) on x->err; returns -1. */
int	 pxr_ex_rterr(struct ev *x, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "column 'F': not WHAT: "text"" for the field value v; returns -1. */
int	 pxr_ex_field_err(struct ev *x, const struct pxr_value *v,
	    const char *what);
/* n + 1 bytes of scratch, valid until the caller resets env->arena. */
char	*pxr_ex_scratch(struct ev *x, size_t n);
/*
 * A FIELD (or STR for times and durations) read as the given kind in
 * place; other kinds pass through or are an error.  0, or -1.
 */
int	 pxr_ex_as_number(struct ev *x, struct pxr_value *v);
int	 pxr_ex_as_time(struct ev *x, struct pxr_value *v);
int	 pxr_ex_as_dur(struct ev *x, struct pxr_value *v);
int	 pxr_ex_as_bool(struct ev *x, struct pxr_value *v);
/* Bring a and b to a common kind (a field takes what it meets): 0, -1. */
int	 pxr_ex_unify(struct ev *x, struct pxr_value *a, struct pxr_value *b);
/* *out -1, 0, 1 for a <, ==, > b (kinds unified): 0, or -1. */
int	 pxr_ex_compare(struct ev *x, const struct pxr_value *a,
	    const struct pxr_value *b, int *out);
/* -1 with "integer overflow in WHAT" when ovf, else 0. */
int	 pxr_ex_checked(struct ev *x, int ovf, const char *what);
/* Match n's pattern against v: *matched 0 or 1; 0, or -1 on a limit. */
int	 pxr_ex_regex_match(struct ev *x, const struct node *n,
	    const struct pxr_value *v, int *matched);

/* ---- builtins (expr_builtin.c) ---- */

#define PXR_EX_LAZY	0x1	/* gets its arguments unevaluated */
#define PXR_EX_NULLOK	0x2	/* a null after the first argument is passed */

/*
 * One builtin function.  fn gets the evaluated arguments in a (at most
 * PXR_EX_MAXARGS; a null argument has already made the result null unless
 * PXR_EX_NULLOK) and *r zeroed (null); a PXR_EX_LAZY one evaluates n's
 * kids itself; fn reads its row's arg as n->bi->arg.  prep, when set,
 * runs at compile time on the call node.  Adding a builtin: a function
 * here in expr_builtin.c, its row, and its line in pxr-expr(7).
 */
struct pxr_ex_builtin {
	const char *name;
	int	 min, max;	/* arguments; max -1: any (lazy only) */
	int	 kind;		/* the result's PXR_C_* type; -1: unchecked */
	int	 flags;
	int	(*fn)(struct ev *x, const struct node *n, struct pxr_value *a,
		    struct pxr_value *r);
	int64_t	 arg;		/* for fn: a unit, which variant */
	int	(*prep)(struct lex *l, struct node *n);
	const char *help;	/* "name(args): what", pxr-expr(7) */
};

/* The builtin called name, or NULL; static. */
const struct pxr_ex_builtin *pxr_ex_builtin_find(const char *name);

#endif
