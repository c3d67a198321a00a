/*
 * sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the
 * evidence a ledger row keeps (the rule file's digest) and keyed
 * pseudonyms.  Written from the standards; tested against their
 * published vectors (lib/tests/sha256_test.c).
 */
#ifndef PXR_SHA256_H
#define PXR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PXR_SHA256_LEN	32
#define PXR_SHA256_HEX	(2 * PXR_SHA256_LEN + 1)

/* A digest being computed (caller-owned, nothing to free). */
struct pxr_sha256 {
	uint32_t h[8];
	uint64_t nbytes;	/* message length so far */
	unsigned char buf[64];	/* a block being filled */
	size_t	 nbuf;
};

/* Start a digest in *c. */
void	 pxr_sha256_init(struct pxr_sha256 *);
/* Add n bytes of p (borrowed) to the digest. */
void	 pxr_sha256_add(struct pxr_sha256 *, const void *p, size_t n);
/* Finish: the 32 bytes of the digest into out; *c is spent. */
void	 pxr_sha256_end(struct pxr_sha256 *, unsigned char out[PXR_SHA256_LEN]);
/* The digest of n bytes of p as 64 lower-case hex digits and a NUL. */
void	 pxr_sha256_hex(const void *p, size_t n, char out[PXR_SHA256_HEX]);
/* HMAC-SHA-256 of msg under key (both borrowed) into out. */
void	 pxr_hmac_sha256(const void *key, size_t klen, const void *msg,
	    size_t mlen, unsigned char out[PXR_SHA256_LEN]);
/* The same as 64 lower-case hex digits and a NUL. */
void	 pxr_hmac_sha256_hex(const void *key, size_t klen, const void *msg,
	    size_t mlen, char out[PXR_SHA256_HEX]);
/*
 * The SHA-256 of the file at path as hex into out: 0, or -1 with errno
 * set when it cannot be read.
 */
int	 pxr_sha256_file(const char *path, char out[PXR_SHA256_HEX]);

#endif
