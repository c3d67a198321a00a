/* rules_fuzz.c: load and lint a rule file. */
#include <stdlib.h>

#include "fuzz.h"
#include "lint.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pxr_diags d = { 0 };
	struct pxr_rules *R;
	char path[64];
	int fd = fuzz_file(data, n, path, sizeof(path));

	if (fd < 0)
		abort();
	R = pxr_rules_check(path, &d);
	if (R != NULL)
		pxr_lint(R, NULL, 2, &d);
	pxr_diags_sort(&d);
	pxr_diags_free(&d);
	pxr_rules_free(R);
	close(fd);
	return 0;
}
