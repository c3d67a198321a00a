/* ledger_test.c: the ledger's lifecycle, keyed pseudonyms, a change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "pseudo.h"
#include "sha256.h"
#include "unit.h"

int
main(void)
{
	char dir[] = "/tmp/pxr-ledger-test.XXXXXX", path[128], pn[PXR_PSEUDO_LEN];
	char pn2[PXR_PSEUDO_LEN], hex[PXR_SHA256_HEX];
	struct pxr_pseudo *P, *P2;
	struct pxr_buf b = { 0 };
	struct pxr_error err;
	struct pxr_ledger *L;
	const struct pxr_lg_entry *e;
	struct stat sb;
	unsigned char key[32];
	FILE *fp;
	int missing;

	/* The lifecycle: what may follow what. */
	CHECK(pxr_ledger_next(PXR_LG_NONE, PXR_LG_ISSUED) == PXR_LG_ISSUED,
	    "a first row issued");
	CHECK(pxr_ledger_next(PXR_LG_ISSUED, PXR_LG_ISSUED) == PXR_LG_NONE,
	    "issued twice: refused");
	CHECK(pxr_ledger_next(PXR_LG_PENDING, PXR_LG_APPROVED) ==
	    PXR_LG_APPROVED, "pending then approved");
	CHECK(pxr_ledger_next(PXR_LG_APPROVED, PXR_LG_ISSUED) == PXR_LG_ISSUED,
	    "approved then issued (handed on)");
	CHECK(pxr_ledger_next(PXR_LG_REJECTED, PXR_LG_APPROVED) == PXR_LG_NONE,
	    "rejected then approved: refused");
	CHECK(pxr_ledger_next(PXR_LG_PENDING, PXR_LG_REVERSED) == PXR_LG_NONE,
	    "a pending one cannot be reversed");
	CHECK(pxr_ledger_next(PXR_LG_ISSUED, PXR_LG_REVERSED) ==
	    PXR_LG_REVERSED, "issued then reversed");
	CHECK(!pxr_ledger_counts(PXR_LG_REVERSED) &&
	    !pxr_ledger_counts(PXR_LG_REJECTED) &&
	    pxr_ledger_counts(PXR_LG_PENDING), "what counts against caps");
	CHECK(pxr_ledger_state("") == PXR_LG_ISSUED &&
	    pxr_ledger_state("nonsense") == PXR_LG_BADSTATE,
	    "an old row is issued, an unknown state bad");

	/* A key made once, 0600, the same pseudonym from it every time. */
	if (mkdtemp(dir) == NULL)
		return 1;
	P = pxr_pseudo_open(dir, 0, &missing, &err);
	CHECK(P == NULL && missing, "no key, none made without create");
	P = pxr_pseudo_open(dir, 1, &missing, &err);
	CHECK(P != NULL, "a key made");
	snprintf(path, sizeof(path), "%s/%s", dir, PXR_PSEUDO_KEY);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600 &&
	    sb.st_size == 32, "the key: 32 bytes, mode 0600");
	P2 = pxr_pseudo_open(dir, 1, &missing, &err);
	pxr_pseudo_of(P, "C001", 4, pn);
	pxr_pseudo_of(P2, "C001", 4, pn2);
	CHECK_STR(pn, pn2, "the key is not made again: same pseudonym");
	fp = fopen(path, "rb");
	CHECK(fp != NULL && fread(key, 1, 32, fp) == 32, "key read");
	if (fp != NULL)
		fclose(fp);
	pxr_hmac_sha256_hex(key, 32, "C001", 4, hex);
	CHECK(strncmp(pn, "pn-", 3) == 0 && strncmp(pn + 3, hex, 32) == 0 &&
	    strlen(pn) == 35, "pn- and 32 hex digits of HMAC-SHA-256(key, id)");
	CHECK(pxr_pseudo_text(P, "late:C001:C001", 14, "C001", 4, &b) == 1 &&
	    strncmp(b.p, "late:pn-", 8) == 0 && strstr(b.p, "C001") == NULL,
	    "every occurrence replaced: %s", b.p);
	CHECK(pxr_pseudo_text(P, "late:A1", 7, "C001", 4, &b) == 0 &&
	    strcmp(b.p, "late:A1") == 0, "a text without the id is kept");

	/* A change: one row, durable; again: already so. */
	snprintf(path, sizeof(path), "%s/ledger.csv", dir);
	fp = fopen(path, "w");
	fputs("issued_at,incident_id,customer_id,rule,tier,kind,amount_minor,"
	    "currency,code,valid_until,subject,run_id,rules_sha256,measure,"
	    "unit,state,reason,check\n"
	    "2026-11-21T06:00:00Z,i1,C1,r,,credit,500,SEK,,,,n1,,,,"
	    "pending_approval,,-\n", fp);
	fclose(fp);
	L = pxr_ledger_open(path, 0, &err);
	CHECK(L != NULL && pxr_ledger_load(L, 1000, 1, &err) == 0, "loaded");
	CHECK(pxr_ledger_change(L, "i1", PXR_LG_REVERSED, "x",
	    "2026-11-21T07:00:00Z", NULL, &err) < 0 && err.exit == 65,
	    "a pending one is not reversed (65)");
	CHECK(pxr_ledger_change(L, "i1", PXR_LG_APPROVED, NULL,
	    "2026-11-21T07:00:00Z", "ok", &err) == 0, "approved");
	CHECK(pxr_ledger_change(L, "i1", PXR_LG_APPROVED, NULL,
	    "2026-11-21T07:01:00Z", "ok", &err) == 1, "approved again: once");
	e = pxr_ledger_get(L, "i1");
	CHECK(e != NULL && e->state == PXR_LG_APPROVED &&
	    strcmp(e->changed_at, "2026-11-21T07:00:00Z") == 0,
	    "its state and time");
	pxr_ledger_close(L);
	L = pxr_ledger_open(path, 1, &err);
	CHECK(L != NULL && pxr_ledger_load(L, 1000, 1, &err) == 0 &&
	    (e = pxr_ledger_get(L, "i1")) != NULL &&
	    e->state == PXR_LG_APPROVED, "read back: approved");
	pxr_ledger_close(L);

	pxr_pseudo_free(P);
	pxr_pseudo_free(P2);
	pxr_buf_free(&b);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, PXR_PSEUDO_KEY);
	unlink(path);
	rmdir(dir);
	UNIT_END();
}
