/*
 * csvcount: the bare libcsv parse that benchmarks compare against.
 * Reads stdin in 256 KiB blocks, counts fields and rows, prints both.
 */
#include <stdio.h>
#include <unistd.h>

#include <csv.h>

static unsigned long fields, rows;

static void
cb1(void *s, size_t n, void *d)
{
	(void)s;
	(void)n;
	(void)d;
	fields++;
}

static void
cb2(int c, void *d)
{
	(void)c;
	(void)d;
	rows++;
}

int
main(void)
{
	static char buf[256 * 1024];
	struct csv_parser p;
	ssize_t n;

	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (csv_parse(&p, buf, (size_t)n, cb1, cb2, NULL) != (size_t)n) {
			fprintf(stderr, "csvcount: %s\n",
			    csv_strerror(csv_error(&p)));
			return 1;
		}
	csv_fini(&p, cb1, cb2, NULL);
	csv_free(&p);
	printf("%lu rows, %lu fields\n", rows, fields);
	return 0;
}
