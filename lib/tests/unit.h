/* unit.h: a tiny TAP-like harness for the lib/ unit tests. */
#ifndef PXR_UNIT_H
#define PXR_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		printf("ok ");						\
	else {								\
		printf("not ok (%s:%d: %s) ", __FILE__, __LINE__, #cond); \
		unit_failed = 1;					\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

#define CHECK_STR(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int ok_ = g_ != NULL && strcmp(g_, w_) == 0;			\
	CHECK(ok_, __VA_ARGS__);					\
	if (!ok_)							\
		printf("#   got  \"%s\"\n#   want \"%s\"\n",		\
		    g_ == NULL ? "(null)" : g_, w_);			\
} while (0)

#define UNIT_END() return unit_failed

#endif
