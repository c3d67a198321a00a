/* error.c: the shared error record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int
pxr_error_set(struct pxr_error *e, int exitcode, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	/* A new error: its place, if any, is set after (pxr_error_at). */
	e->file[0] = '\0';
	e->line = 0;
	e->column = 0;
	e->exit = exitcode;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -1;
}

int
pxr_error_at(struct pxr_error *e, const char *file, long line)
{
	if (e == NULL)
		return -1;
	snprintf(e->file, sizeof(e->file), "%s", file == NULL ? "" : file);
	e->line = line;
	return -1;
}

void
pxr_error_clear(struct pxr_error *e)
{
	if (e == NULL)
		return;
	e->file[0] = '\0';
	e->text[0] = '\0';
	e->line = 0;
	e->column = 0;
	e->exit = 0;
}

const char *
pxr_error_str(const struct pxr_error *e, char *buf, size_t n)
{
	if (e->file[0] != '\0' && e->line > 0 && e->column > 0)
		snprintf(buf, n, "%s:%ld:%d: %s", e->file, e->line, e->column,
		    e->text);
	else if (e->file[0] != '\0' && e->line > 0)
		snprintf(buf, n, "%s:%ld: %s", e->file, e->line, e->text);
	else if (e->file[0] != '\0')
		snprintf(buf, n, "%s: %s", e->file, e->text);
	else
		snprintf(buf, n, "%s", e->text);
	return buf;
}
