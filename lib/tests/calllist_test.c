/* calllist_test.c: the call list: listed once, read back, reopened. */
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "calllist.h"
#include "unit.h"

/* List a call; the row's fields as given, the script with a newline. */
static int
put(struct pxr_calllist *cl, const char *id, const char *prio)
{
	const char *f[PXR_CL__N] = { 0 };
	struct pxr_error e;
	int rc;

	f[PXR_CL_PRIORITY] = prio;
	f[PXR_CL_CALL_FROM] = "2026-11-23T09:00:00+01:00";
	f[PXR_CL_CALL_TO] = "2026-11-23T18:00:00+01:00";
	f[PXR_CL_MESSAGE_ID] = id;
	f[PXR_CL_CUSTOMER_ID] = "C1";
	f[PXR_CL_TO] = "+46701234567";
	f[PXR_CL_LOCALE] = "sv";
	f[PXR_CL_SCRIPT] = "Ring \"Åsa\",\nbe om ursäkt.";
	if (pxr_calllist_lock(cl, 1000, &e) < 0)
		return -1;
	rc = pxr_calllist_put(cl, f, 1795000000LL * 1000000, &e);
	pxr_calllist_unlock(cl);
	return rc;
}

int
main(void)
{
	char path[] = "/tmp/pxr-calllist-XXXXXX";
	struct pxr_calllist *cl, *other;
	const char *const *row;
	struct pxr_error e;
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	cl = pxr_calllist_open(path, &e);
	CHECK(cl != NULL, "opens a new call list");
	CHECK(put(cl, "i1:phone", "1") == 0, "lists a call");
	row = pxr_calllist_get(cl, "i1:phone", 8);
	CHECK(row != NULL && strcmp(row[PXR_CL_PRIORITY], "1") == 0 &&
	    strcmp(row[PXR_CL_LISTED_AT], "2026-11-18T11:06:40Z") == 0,
	    "read back at once, with when it was listed");
	CHECK(pxr_calllist_get(cl, "i2:phone", 8) == NULL, "i2 is not listed");
	/* Another process's view: it sees the row at its next lock. */
	other = pxr_calllist_open(path, &e);
	CHECK(other != NULL && pxr_calllist_lock(other, 1000, &e) == 0,
	    "a second opener locks");
	row = pxr_calllist_get(other, "i1:phone", 8);
	CHECK(row != NULL && strcmp(row[PXR_CL_SCRIPT],
	    "Ring \"Åsa\",\nbe om ursäkt.") == 0 &&
	    strcmp(row[PXR_CL_CALL_FROM], "2026-11-23T09:00:00+01:00") == 0,
	    "the script survives quotes, commas and newlines");
	pxr_calllist_unlock(other);
	/* A second listing of the same id (by hand, or a bug) never
	 * replaces the first. */
	CHECK(put(other, "i1:phone", "3") == 0, "a second row is written");
	CHECK(pxr_calllist_lock(cl, 1000, &e) == 0, "relock");
	row = pxr_calllist_get(cl, "i1:phone", 8);
	CHECK(row != NULL && strcmp(row[PXR_CL_PRIORITY], "1") == 0,
	    "the first listing is the one");
	pxr_calllist_unlock(cl);
	pxr_calllist_close(other);
	pxr_calllist_close(cl);
	pxr_calllist_close(NULL);
	/* A file of another kind is refused. */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, "a,b\n1,2\n", 8) != 8)
		return 1;
	close(fd);
	cl = pxr_calllist_open(path, &e);
	CHECK(cl == NULL || pxr_calllist_lock(cl, 1000, &e) < 0,
	    "another file is no call list: %s", e.text);
	pxr_calllist_close(cl);
	unlink(path);
	UNIT_END();
}
