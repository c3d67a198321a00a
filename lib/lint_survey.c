/*
 * lint_survey.c: "never send a survey afterwards" (pxr-lint(1)): every
 * template file of every rule, in every locale and channel present in the
 * template folder, is searched for the wording of a survey, a review or a
 * rating in each shipped locale; a hit is an error unless the rule is
 * marked "survey": true.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "lint.h"
#include "mem.h"

/*
 * Words that ask a customer for a survey, a review or a rating, lower
 * case, by locale.  Matched anywhere in a line, after folding ASCII and
 * Latin-1 capitals (Ø, Ä, ...) to lower case.
 */
static const struct {
	const char *locale;
	const char *word;
} survey_words[] = {
	{ "en", "survey" }, { "en", "questionnaire" }, { "en", "rate us" },
	{ "en", "rate your experience" }, { "en", "how did we do" },
	{ "en", "rating" }, { "en", "review" }, { "en", "feedback" },
	{ "sv", "enk\xc3\xa4t" }, { "sv", "betygs\xc3\xa4tt" },
	{ "sv", "recension" }, { "sv", "omd\xc3\xb6me" },
	{ "sv", "hur gjorde vi" }, { "sv", "vad tyckte du" },
	{ "da", "unders\xc3\xb8gelse" }, { "da", "sp\xc3\xb8rgeskema" },
	{ "nb", "vurder oss" }, { "da", "vurder os" },
	{ "da", "anmeldelse" }, { "da", "bed\xc3\xb8m" },
	{ "da", "hvordan klarede vi" },
	{ "nb", "unders\xc3\xb8kelse" },
	{ "nb", "hvordan gjorde vi" }, { "nb", "gi oss en vurdering" },
	{ "pl", "ankiet" }, { "pl", "oce\xc5\x84" }, { "pl", "opini" },
	{ "pl", "recenzj" }, { "pl", "jak nam posz\xc5\x82o" }
};
#define NWORDS	(sizeof(survey_words) / sizeof(survey_words[0]))

/* Fold line to lower case in place: ASCII and Latin-1 (U+00C0-U+00DE). */
static void
fold(char *line)
{
	unsigned char *s = (unsigned char *)line;

	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 32;
		else if (*s == 0xc3 && s[1] >= 0x80 && s[1] <= 0x9e &&
		    s[1] != 0x97)
			*++s += 0x20;
}

/* The first survey word in file: its line, column and word; 0 if none. */
static int
find_survey(const char *file, long *lineno, int *col, size_t *w)
{
	FILE *fp = fopen(file, "re");
	char *line = NULL;
	const char *hit;
	size_t cap = 0, k;
	long n = 0;
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && getline(&line, &cap, fp) != -1) {
		n++;
		fold(line);
		for (*w = 0; *w < NWORDS; (*w)++)
			if ((hit = strstr(line, survey_words[*w].word)) !=
			    NULL) {
				/* The column in characters, as jpos counts. */
				for (*col = 1, k = 0; line + k < hit; k++)
					*col += ((unsigned char)line[k] &
					    0xc0) != 0x80;
				*lineno = n;
				found = 1;
				break;
			}
	}
	free(line);
	fclose(fp);
	return found;
}

/* Check every file NAME.* in dir (each once: done) for rule r. */
static void
check_files(const char *dir, const char *name, const char *rule, int survey,
    struct pxr_hmap *done, struct pxr_diags *d)
{
	struct dirent **ents;
	struct pxr_buf path = { 0 };
	size_t nl = strlen(name);
	long line;
	size_t w;
	int n, i, col, added;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *f = ents[i]->d_name;

		if (strncmp(f, name, nl) != 0 || f[nl] != '.' || survey) {
			free(ents[i]);
			continue;
		}
		pxr_buf_reset(&path);
		pxr_buf_printf(&path, "%s/%s", dir, f);
		free(ents[i]);
		(void)pxr_hmap_put(done, path.p, path.len, &added);
		if (!added || !find_survey(path.p, &line, &col, &w))
			continue;
		pxr_diag_add(d, NULL, "", 0, PXR_SEV_ERROR, "template-survey",
		    "%s asks for a survey, review or rating ('%s', %s): "
		    "never after a failure (mark a survey rule \"survey\": "
		    "true)", rule, survey_words[w].word,
		    survey_words[w].locale);
		d->v[d->n - 1].file = pxr_strdup(path.p);
		d->v[d->n - 1].line = line;
		d->v[d->n - 1].col = col;
	}
	free(ents);
	pxr_buf_free(&path);
}

void
pxr_lint_surveys(const struct pxr_rules *R, struct pxr_diags *d)
{
	struct pxr_hmap done = { 0 };
	char what[160];
	size_t i;

	for (i = 0; i < R->nrules; i++) {
		const struct pxr_rule *r = &R->rules[i];

		/* A survey rule needs the window that keeps it from the
		 * customers just failed. */
		if (r->survey && !R->has_no_survey) {
			snprintf(what, sizeof(what), "%s.survey", r->path);
			pxr_diag_add(d, R->pos, what, 0, PXR_SEV_WARNING,
			    "survey-no-window", "%s: rule '%s' is a survey but "
			    "limits.no_survey_after is not set: a customer "
			    "compensated yesterday would be asked (set it, "
			    "e.g. \"30d\")", what, r->id);
		}
		if (r->notify == NULL || r->notify->tmpl == NULL)
			continue;
		snprintf(what, sizeof(what), "the message of rule %s", r->id);
		check_files(R->notify.templates, r->notify->tmpl, what,
		    r->survey, &done, d);
	}
	if (R->fan != NULL && R->fan->notify != NULL &&
	    R->fan->notify->tmpl != NULL)
		check_files(R->notify.templates, R->fan->notify->tmpl,
		    "the fan's message", 0, &done, d);
	pxr_hmap_fini(&done, NULL);
}
