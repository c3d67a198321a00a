/*
 * rules_int.h: what the parts of the rule file loader share (rules.c,
 * rules_rule.c, rules_notify.c, rules_journey.c, rules_input.c); private
 * to them.  The JSON text of a rule file never leaves these files: every
 * section becomes typed structs
 * in rules.h.
 */
#ifndef PXR_RULES_INT_H
#define PXR_RULES_INT_H

#include <jansson.h>

#include "rules.h"

/* The kinds of member a section may hold. */
enum { J_STR = 1, J_INT, J_NUM, J_BOOL, J_OBJ, J_ARR, J_EXPR, J_DUR,
	J_STRARR, J_EXPRARR, J_MAP, J_STROBJ };

/* One member a section may hold: its name, kind, and whether required. */
struct mdef {
	const char *name;
	int	 type;
	int	 req;
};

/* The state of one load: the model being filled and the findings. */
struct ld {
	struct pxr_rules *r;
	struct pxr_diags *d;
	struct pxr_diags own;
};

#define ERR(L, path, check, ...) \
	pxr_diag_add((L)->d, (L)->r->pos, path, 0, PXR_SEV_ERROR, check, \
	    __VA_ARGS__)

/* Check an object's members against defs; 0 if it is an object at all. */
int	 pxr_rl_check_obj(struct ld *, json_t *, const char *path,
	    const struct mdef *);
/* The member if present with the right type, else NULL; borrowed. */
json_t	*pxr_rl_get(json_t *, const char *name, int type);
/* A string member, copied (new), or NULL. */
char	*pxr_rl_getstr(json_t *, const char *name);
/* Compile the expression s at path (new), or NULL with a finding. */
struct pxr_expr *pxr_rl_compile(struct ld *, const char *path, json_t *s);
/* Parse the duration v at path into *out: 0, or -1 (a finding if bad). */
int	 pxr_rl_duration(struct ld *, const char *path, json_t *v,
	    int64_t *out);

/* Load rules[idx] from o into r (rules_rule.c). */
void	 pxr_rl_load_rule(struct ld *, struct pxr_rule *, json_t *o,
	    size_t idx);
/* Free what a rule holds (not r itself). */
void	 pxr_rl_free_rule(struct pxr_rule *);
/* Load a rule's or the fan's notify member o at path into n. */
void	 pxr_rl_load_rnotify(struct ld *, struct pxr_rnotify *, json_t *o,
	    const char *path);
/* Free a rule's notify member and n itself; NULL is allowed. */
void	 pxr_rl_free_rnotify(struct pxr_rnotify *);
/* Load the top-level notify section v (rules_notify.c); NULL: none. */
void	 pxr_rl_load_notify(struct ld *, json_t *v);
/* Load the top-level fan section v; NULL: none. */
void	 pxr_rl_load_fan(struct ld *, json_t *v);
/*
 * Check the currency code at path: a finding bad-currency (naming the
 * successor of a withdrawn code) and -1, or 0.
 */
int	 pxr_rl_currency(struct ld *, const char *path, const char *code);
/* Load the input section v (rules_input.c); NULL: none. */
void	 pxr_rl_load_input(struct ld *, json_t *v);
/*
 * A compensation entry's when_strategy and offer_valid (members of o at
 * path) into c, each strategy name checked (rules_journey.c).
 */
void	 pxr_rl_load_strategies(struct ld *, struct pxr_comp *c, json_t *o,
	    const char *path);
/* Load the journey section v (rules_journey.c); NULL: none. */
void	 pxr_rl_load_journey(struct ld *, json_t *v);
/* Free the journey of R (its name and phases). */
void	 pxr_rl_free_journey(struct pxr_rules *);
/* Free the notify and fan sections of R. */
void	 pxr_rl_free_sections(struct pxr_rules *);

#endif
