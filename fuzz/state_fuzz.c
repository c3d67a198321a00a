/* state_fuzz.c: read a ledger (torn, corrupt, anything) as pxr does. */
#include <stdlib.h>

#include "fuzz.h"
#include "state.h"

static int
row(void *ctx, char **f, size_t *l, long line)
{
	(void)ctx;
	(void)f;
	(void)l;
	(void)line;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char *const cols[] = { "issued_at", "incident_id",
	    "customer_id", "rule", "tier", "kind", "amount_minor", "currency",
	    "code", "valid_until", NULL };
	struct pxr_state *st;
	struct pxr_error e;
	char path[64];
	size_t torn;
	int fd = fuzz_file(data, n, path, sizeof(path));

	if (fd < 0)
		abort();
	st = pxr_state_open(path, cols, 1, &e);
	if (st != NULL && pxr_state_lock(st, 1000, &e) == 0)
		(void)pxr_state_refresh(st, row, NULL, &torn, &e);
	pxr_state_close(st);
	close(fd);
	return 0;
}
