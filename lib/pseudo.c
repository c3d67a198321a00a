/* pseudo.c: keyed pseudonyms (see pseudo.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "pseudo.h"
#include "sha256.h"

#define KEYLEN 32

struct pxr_pseudo {
	unsigned char key[KEYLEN];
};

static int
fail(struct pxr_error *err, int code, const char *path, const char *what)
{
	pxr_error_set(err, code, "%s: %s", what, strerror(errno));
	return pxr_error_at(err, path, 0);
}

/* Make the key file at path: random bytes, 0600, synced with its folder. */
static int
make_key(const char *path, const char *dir, struct pxr_error *err)
{
	unsigned char k[KEYLEN];
	int fd, dfd;

	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k))
		return fail(err, PXR_EXIT_IOERR, path, "no random bytes");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;	/* another run made it first: theirs */
	if (fd < 0)
		return fail(err, PXR_EXIT_CANTCREAT, path, "create");
	if (write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd) < 0) {
		close(fd);
		unlink(path);
		return fail(err, PXR_EXIT_IOERR, path, "write");
	}
	close(fd);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

struct pxr_pseudo *
pxr_pseudo_open(const char *dir, int create, int *missing,
    struct pxr_error *err)
{
	struct pxr_pseudo *P;
	struct pxr_buf path = { 0 };
	ssize_t got;
	int fd;

	*missing = 0;
	pxr_buf_printf(&path, "%s/%s", dir, PXR_PSEUDO_KEY);
	if (create && access(path.p, F_OK) < 0 && make_key(path.p, dir,
	    err) < 0) {
		pxr_buf_free(&path);
		return NULL;
	}
	if ((fd = open(path.p, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT && !create)
			*missing = 1;
		else
			fail(err, PXR_EXIT_NOINPUT, path.p, "open");
		pxr_buf_free(&path);
		return NULL;
	}
	P = pxr_calloc(1, sizeof(*P));
	got = read(fd, P->key, sizeof(P->key));
	close(fd);
	if (got != (ssize_t)sizeof(P->key)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "not a pseudonym key "
		    "(%d bytes expected): it cannot be made again; restore it "
		    "from a backup", KEYLEN);
		pxr_error_at(err, path.p, 0);
		pxr_buf_free(&path);
		free(P);
		return NULL;
	}
	pxr_buf_free(&path);
	return P;
}

struct pxr_pseudo *
pxr_pseudo_open_near(const char *path, int create, int *missing,
    struct pxr_error *err)
{
	const char *slash = strrchr(path, '/');
	struct pxr_pseudo *P;
	char *dir;

	if (slash == NULL)
		dir = pxr_strdup(".");
	else
		dir = pxr_strndup(path, slash == path ? 1 :
		    (size_t)(slash - path));
	P = pxr_pseudo_open(dir, create, missing, err);
	free(dir);
	return P;
}

void
pxr_pseudo_of(const struct pxr_pseudo *P, const char *id, size_t n,
    char out[PXR_PSEUDO_LEN])
{
	char hex[PXR_SHA256_HEX];

	pxr_hmac_sha256_hex(P->key, sizeof(P->key), id, n, hex);
	snprintf(out, PXR_PSEUDO_LEN, "pn-%.32s", hex);
}

int
pxr_pseudo_text(const struct pxr_pseudo *P, const char *text, size_t n,
    const char *cust, size_t cn, struct pxr_buf *out)
{
	char pn[PXR_PSEUDO_LEN];
	const char *p = text, *end = text + n, *hit;
	int any = 0;

	pxr_buf_reset(out);
	pxr_buf_addc(out, '\0');	/* out->p is never NULL */
	out->len = 0;
	while (cn > 0 && (hit = memmem(p, (size_t)(end - p), cust, cn)) !=
	    NULL) {
		if (!any)
			pxr_pseudo_of(P, cust, cn, pn);
		any = 1;
		pxr_buf_add(out, p, (size_t)(hit - p));
		pxr_buf_adds(out, pn);
		p = hit + cn;
	}
	pxr_buf_add(out, p, (size_t)(end - p));
	return any;
}

void
pxr_pseudo_free(struct pxr_pseudo *P)
{
	if (P != NULL)
		explicit_bzero(P->key, sizeof(P->key));
	free(P);
}
