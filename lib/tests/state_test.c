/* state_test.c: state files: create, append, checks, torn and whole tails. */
#include <stdlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "state.h"
#include "unit.h"

static int nrows;
static char last[64];

static int
count(void *ctx, char **f, size_t *l, long line)
{
	(void)ctx;
	(void)l;
	(void)line;
	nrows++;
	snprintf(last, sizeof(last), "%s|%s", f[0], f[1]);
	return 0;
}

static void
put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("# cannot write %s\n", path);
	close(fd);
}

static off_t
size_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* Open, lock and read path; the refresh's return, rows in nrows. */
static int
reread(const char *path, int checked, size_t nreq, size_t *torn,
    struct pxr_error *e, struct pxr_state **out)
{
	static const char *const cols[] = { "a", "b", "c", NULL };
	struct pxr_state_opts o = { 0 };
	struct pxr_state *st;
	int rc;

	o.checked = checked;
	o.nrequired = nreq;
	nrows = 0;
	last[0] = '\0';
	if ((st = pxr_state_open_opts(path, cols, &o, e)) == NULL)
		return -2;
	rc = pxr_state_lock(st, 1000, e) == 0 ? pxr_state_refresh(st, count,
	    NULL, torn, e) : -2;
	if (out != NULL)
		*out = st;
	else
		pxr_state_close(st);
	return rc;
}

int
main(void)
{
	static const char *const cols[] = { "a", "b", NULL };
	const char *row[3];
	struct pxr_error e;
	struct pxr_state *st;
	struct stat sb;
	char path[] = "/tmp/pxr-state-XXXXXX";
	size_t torn;
	int fd;

	/* An unchecked file: create 0600, append, reread. */
	fd = mkstemp(path);
	close(fd);
	unlink(path);
	st = pxr_state_open(path, cols, 0, &e);
	CHECK(st != NULL, "state file created");
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
	CHECK(pxr_state_lock(st, 1000, &e) == 0, "locked");
	CHECK(pxr_state_refresh(st, count, NULL, &torn, &e) == 0 && nrows == 0,
	    "empty file reads as no rows");
	row[0] = "1";
	row[1] = "x,y";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit");
	pxr_state_close(st);
	st = pxr_state_open(path, cols, 1, &e);
	CHECK(pxr_state_lock(st, 1000, &e) == 0, "shared lock read-only");
	pxr_state_close(st);
	unlink(path);

	/* A checked file: the check is written, verified, "-" taken. */
	CHECK(reread(path, 1, 2, &torn, &e, &st) == 0 && nrows == 0,
	    "a new checked file");
	row[0] = "1";
	row[1] = "x";
	row[2] = "y";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit");
	pxr_state_close(st);
	CHECK(size_of(path) == 12 + 23, "header a,b,c,check and a "
	    "row with 16 hex digits (%lld)", (long long)size_of(path));
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == 0 && nrows == 1 &&
	    torn == 0, "reread: one row");
	put(path, "a,b,c,check\n1,x,y,0000000000000000\n");
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == -1 && e.line == 2,
	    "a wrong check is refused at its line (%ld)", e.line);
	put(path, "a,b,c,check\n1,x,y,-\n");
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == 0 && nrows == 1,
	    "'-': a row added by hand, taken");

	/* A quoted newline, even in the first field, is in the check. */
	CHECK(reread(path, 1, 2, &torn, &e, &st) == 0, "open");
	row[0] = "multi\nline";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit");
	pxr_state_close(st);
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == 0 && nrows == 2 &&
	    strncmp(last, "multi\nline|", 11) == 0, "read back and checked "
	    "(%d rows)", nrows);
	put(path, "a,b,c,check\n1,x,y,-\n");
	row[0] = "1";

	/* Tails: torn in a checked file, whole, or refused. */
	CHECK(reread(path, 1, 2, &torn, &e, &st) == 0, "open");
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit");
	pxr_state_close(st);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "2,\"torn", 7) == 7, "a torn row appended");
	close(fd);
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == 0 && nrows == 2 &&
	    torn == 7, "checked: two rows, 7 torn bytes (%d, %zu)", nrows,
	    torn);
	CHECK(size_of(path) == 20 + 23, "torn tail cut (%lld)",
	    (long long)size_of(path));
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "3,x,y,-", 7) == 7, "a whole row without line end");
	close(fd);
	CHECK(reread(path, 1, 2, &torn, &e, &st) == 0 && nrows == 3 &&
	    torn == 0 && strcmp(last, "3|x") == 0, "taken as a row");
	row[0] = "4";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "commit after it");
	pxr_state_close(st);
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == 0 && nrows == 4 &&
	    strcmp(last, "4|x") == 0, "the line end was added first");
	put(path, "a,b\n1,x\n2,x");
	CHECK(reread(path, 0, 2, &torn, &e, NULL) == 0 && nrows == 2,
	    "unchecked: a whole last row is taken (%d)", nrows);
	put(path, "a,b\n1,x\n2");
	CHECK(reread(path, 0, 2, &torn, &e, NULL) == -1 && e.line == 3 &&
	    e.exit == PXR_EXIT_DATAERR && size_of(path) == 9,
	    "unchecked: an incomplete last row is refused, never cut");

	/* An older layout: fewer columns, no check; read and appended as is. */
	put(path, "a,b\n1,x\n");
	CHECK(reread(path, 1, 2, &torn, &e, &st) == 0 && nrows == 1 &&
	    strcmp(last, "1|x") == 0, "two of three columns");
	CHECK(pxr_state_has(st, 1) && !pxr_state_has(st, 2), "it has a, b");
	row[0] = "2";
	pxr_state_add(st, row);
	CHECK(pxr_state_commit(st, &e) == 0, "append");
	pxr_state_close(st);
	CHECK(size_of(path) == 12, "the row as the file has it: 2,x");
	put(path, "a\n1\n");
	CHECK(reread(path, 1, 2, &torn, &e, NULL) == -1, "fewer than required");
	unlink(path);
	UNIT_END();
}
