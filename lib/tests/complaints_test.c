/* complaints_test.c: who complained about which incident, and when. */
#include <stddef.h>

#include "complaints.h"
#include "unit.h"

#define H	(3600 * (int64_t)1000000)

int
main(void)
{
	const struct pxr_complaint v[] = {
		{ "C1", 30 * H, NULL, "c.csv:2" },
		{ "C1", 20 * H, "", "c.csv:3" },
		{ "C2", 20 * H, "late:A9", "c.csv:4" },
		{ "C2", 25 * H, "late", "c.csv:5" },
		{ "C3", 5 * H, NULL, "c.csv:6" }
	};
	struct pxr_complaints *X = pxr_complaints_new(v, 5);
	const struct pxr_complaint *c;

	/* The first one in the window, whatever the file's order. */
	c = pxr_complaints_find(X, "C1", 2, 10 * H, 40 * H, "late:A1", 7,
	    "late", 4);
	CHECK(c != NULL && c->at == 20 * H, "C1: the earliest");
	CHECK_STR(c != NULL ? c->where : "", "c.csv:3", "C1: where");
	c = pxr_complaints_find(X, "C1", 2, 21 * H, 29 * H, "late:A1", 7,
	    "late", 4);
	CHECK(c == NULL, "C1: none within 21h..29h");
	/* A subject: this incident's id or its rule's, nothing else. */
	c = pxr_complaints_find(X, "C2", 2, 0, 40 * H, "late:A1", 7,
	    "late", 4);
	CHECK(c != NULL && c->at == 25 * H, "C2: about the rule");
	c = pxr_complaints_find(X, "C2", 2, 0, 40 * H, "lost:A1", 7,
	    "lost", 4);
	CHECK(c == NULL, "C2: about other incidents");
	c = pxr_complaints_find(X, "C2", 2, 0, 40 * H, "late:A9", 7,
	    "other", 5);
	CHECK(c != NULL && c->at == 20 * H, "C2: about the incident");
	/* Before the incident: not about it. */
	CHECK(pxr_complaints_find(X, "C3", 2, 6 * H, 40 * H, "x", 1, "y",
	    1) == NULL, "C3: before");
	CHECK(pxr_complaints_find(X, "C4", 2, 0, 40 * H, "x", 1, "y", 1) ==
	    NULL, "C4: none");
	CHECK(pxr_complaints_find(NULL, "C1", 2, 0, 40 * H, "x", 1, "y",
	    1) == NULL, "no index");
	pxr_complaints_free(X);
	pxr_complaints_free(NULL);
	UNIT_END();
}
