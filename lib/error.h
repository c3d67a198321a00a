/* error.h: the error record every lib/ function fills, and the exit codes. */
#ifndef PXR_ERROR_H
#define PXR_ERROR_H

#include <stddef.h>

/* Exit status of every command (SPEC 2.1, sysexits(3) where one fits). */
enum pxr_exit {
	PXR_EXIT_OK = 0,
	PXR_EXIT_FINDINGS = 1,	/* lint errors, failed tests, unsent messages */
	PXR_EXIT_USAGE = 2,
	PXR_EXIT_STRICT = 3,	/* pxr-lint --strict: warnings only */
	PXR_EXIT_DATAERR = 65,	/* bad input record with --on-error fail */
	PXR_EXIT_NOINPUT = 66,	/* an input file cannot be opened */
	PXR_EXIT_OSERR = 71,	/* out of memory (lib/mem.c exits with it) */
	PXR_EXIT_CANTCREAT = 73,	/* an output cannot be created */
	PXR_EXIT_IOERR = 74,	/* read/write/fsync failure */
	PXR_EXIT_TEMPFAIL = 75,	/* state file locked by another run */
	PXR_EXIT_CONFIG = 78	/* bad rule file */
};

/*
 * What went wrong and where. lib/ fills it and returns -1 or NULL; only
 * cmd/ prints it.  file may be empty; line and column are 0 when unknown.
 * exit is the status a command should use if it gives up on this error.
 */
struct pxr_error {
	char	 file[256];
	long	 line;
	int	 column;
	int	 exit;
	char	 text[1024];
};

/* Set e (NULL is allowed) from a printf format, with no place; -1. */
int	 pxr_error_set(struct pxr_error *, int exitcode, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Set file and line of e; returns -1. */
int	 pxr_error_at(struct pxr_error *, const char *file, long line);
/* Reset e to "no error". */
void	 pxr_error_clear(struct pxr_error *);
/* Format "file:line: text" (parts that are unknown left out) into buf. */
const char *pxr_error_str(const struct pxr_error *, char *buf, size_t);

#endif
