/* fuzz.h: what the libFuzzer harnesses share. */
#ifndef PXR_FUZZ_H
#define PXR_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* The bytes as a file: a path valid until fuzz_close(fd). */
static int
fuzz_file(const uint8_t *data, size_t n, char *path, size_t len)
{
	int fd = memfd_create("pxr-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (n > 0 && write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
