/* lint.h: the checks of pxr-lint beyond those of loading (pxr-lint(1)). */
#ifndef PXR_LINT_H
#define PXR_LINT_H

#include "rules.h"

/* What a sample of the input tells: its fields, longest values, locales. */
struct pxr_sample {
	char	**names;
	char	**longest;	/* per name */
	size_t	 n;
	char	**locales;	/* distinct values of the locale field */
	size_t	 nlocales;
	char	**bad;		/* per name, or NULL: why the first value of
				   a field declared with a format in
				   input.columns does not read as it */
	long	*badline;	/* per name: that value's line */
};

/*
 * Add to d the findings about R beyond loading: unknown fields (with
 * input.columns or a sample), declared-type mismatches, tier overlaps and
 * gaps, unreachable compensation entries, templates (missing, syntax,
 * unknown fields, surveys, SMS length), uncovered phases, sample values
 * that do not read as their declared columns.  sample may be NULL;
 * max_parts is the SMS length that warns.
 */
void	 pxr_lint(struct pxr_rules *R, const struct pxr_sample *sample,
	    int max_parts, struct pxr_diags *d);
/*
 * Add to d an error for each template file of each rule (every locale and
 * channel in the folder, each file once) that asks for a survey, review or
 * rating in any shipped locale (sv, da, nb, pl, en), unless the rule is
 * marked "survey": true (lint_survey.c).  R borrowed.
 */
void	 pxr_lint_surveys(const struct pxr_rules *R, struct pxr_diags *d);

#endif
