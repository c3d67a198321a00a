/* outbox_test.c: the durable outbox: queue, due, done, expiry, reopen. */
#include <stdlib.h>
#include <unistd.h>

#include "outbox.h"
#include "time.h"
#include "unit.h"

static int64_t
t(const char *s)
{
	struct pxr_error e;
	int64_t v = 0;

	(void)pxr_time_parse(s, strlen(s), NULL, &v, NULL, &e);
	return v;
}

static int
put(struct pxr_outbox *ob, const char *id, const char *after,
    const char *queued, enum pxr_ob_state st, const char *now)
{
	const char *f[PXR_OB__N] = { 0 };
	struct pxr_error e;
	int rc;

	f[PXR_OB_MESSAGE_ID] = id;
	f[PXR_OB_CHANNEL] = "sms";
	f[PXR_OB_TO] = "+46701234567";
	f[PXR_OB_BODY] = "Hej,\nförlåt!";
	f[PXR_OB_SEND_AFTER] = after;
	f[PXR_OB_QUEUED_AT] = queued;
	f[PXR_OB_REASON] = "quiet-hours";
	if (pxr_outbox_lock(ob, 1000, &e) < 0)
		return -1;
	rc = pxr_outbox_put(ob, f, st, t(now), &e);
	pxr_outbox_unlock(ob);
	return rc;
}

int
main(void)
{
	char path[] = "/tmp/pxr-outbox-XXXXXX";
	const struct pxr_ob_msg **due, *m;
	struct pxr_outbox *ob;
	struct pxr_error e;
	size_t nexp;
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	ob = pxr_outbox_open(path, &e);
	CHECK(ob != NULL, "a new outbox opens");
	CHECK(put(ob, "b:sms", "2026-11-21T09:00:00Z", "2026-11-21T06:00:00Z",
	    PXR_OB_QUEUED, "2026-11-21T06:00:00Z") == 0, "queue b");
	CHECK(put(ob, "a:sms", "2026-11-21T07:00:00Z", "2026-11-21T06:00:00Z",
	    PXR_OB_QUEUED, "2026-11-21T06:00:00Z") == 0, "queue a");
	CHECK(put(ob, "c:sms", "2026-11-21T07:30:00Z", "2026-11-14T06:00:00Z",
	    PXR_OB_QUEUED, "2026-11-21T06:00:00Z") == 0, "queue c, old");
	CHECK(pxr_outbox_queued(ob) == 3, "three queued");
	pxr_outbox_close(ob);

	/* Another run: everything comes back from the file. */
	ob = pxr_outbox_open(path, &e);
	CHECK(pxr_outbox_lock(ob, 1000, &e) == 0, "lock and read");
	CHECK(pxr_outbox_queued(ob) == 3, "three queued after reopening");
	due = pxr_outbox_due(ob, t("2026-11-21T08:00:00Z"), 0, &nexp);
	CHECK(due[0] != NULL && due[1] != NULL && due[2] == NULL,
	    "two due at 08:00");
	CHECK_STR(due[0]->f[PXR_OB_MESSAGE_ID], "a:sms", "oldest first");
	CHECK_STR(due[0]->f[PXR_OB_BODY], "Hej,\nförlåt!", "the body whole");
	CHECK(nexp == 0, "no expiry asked, none expired");
	free(due);
	due = pxr_outbox_due(ob, t("2026-11-21T08:00:00Z"), 7 * PXR_US_DAY,
	    &nexp);
	CHECK(nexp == 1 && due[0] != NULL &&
	    strcmp(due[0]->f[PXR_OB_MESSAGE_ID], "c:sms") == 0,
	    "c waited over 7 days: expired, first");
	free(due);
	pxr_outbox_unlock(ob);
	CHECK(put(ob, "a:sms", "2026-11-21T07:00:00Z", "2026-11-21T06:00:00Z",
	    PXR_OB_DONE, "2026-11-21T08:00:00Z") == 0, "a done");
	CHECK(put(ob, "a:sms", "2026-11-22T07:00:00Z", "2026-11-21T06:00:00Z",
	    PXR_OB_QUEUED, "2026-11-22T06:00:00Z") == 0, "a queued again");
	m = pxr_outbox_get(ob, "a:sms", 5);
	CHECK(m != NULL && m->state == PXR_OB_DONE, "done is final");
	CHECK(pxr_outbox_queued(ob) == 2, "two still queued");
	pxr_outbox_close(ob);
	unlink(path);
	UNIT_END();
}
