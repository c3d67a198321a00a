/* sha256.c: SHA-256 (FIPS 180-4 section 6.2) and HMAC (RFC 2104). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

/* FIPS 180-4 4.2.2: the first 32 bits of the cube roots of 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* FIPS 180-4 4.1.2: the six functions. */
#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)	(ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x)	(ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x)	(ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

void
pxr_sha256_init(struct pxr_sha256 *c)
{
	/* FIPS 180-4 5.3.3: square roots of the first 8 primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, h0, sizeof(h0));
	c->nbytes = 0;
	c->nbuf = 0;
}

/* FIPS 180-4 6.2.2: one 512-bit block. */
static void
block(struct pxr_sha256 *c, const unsigned char *p)
{
	uint32_t w[64], v[8], t1, t2;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) +
		    w[t - 16];
	memcpy(v, c->h, sizeof(v));	/* a b c d e f g h */
	for (t = 0; t < 64; t++) {
		t1 = v[7] + BSIG1(v[4]) + CH(v[4], v[5], v[6]) + K[t] + w[t];
		t2 = BSIG0(v[0]) + MAJ(v[0], v[1], v[2]);
		memmove(v + 1, v, 7 * sizeof(*v));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (t = 0; t < 8; t++)
		c->h[t] += v[t];
}

void
pxr_sha256_add(struct pxr_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t k;

	c->nbytes += n;
	if (c->nbuf > 0) {
		k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
		memcpy(c->buf + c->nbuf, p, k);
		c->nbuf += k;
		p += k;
		n -= k;
		if (c->nbuf < 64)
			return;
		block(c, c->buf);
		c->nbuf = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		block(c, p);
	memcpy(c->buf, p, n);
	c->nbuf = n;
}

void
pxr_sha256_end(struct pxr_sha256 *c, unsigned char out[PXR_SHA256_LEN])
{
	/* FIPS 180-4 5.1.1: a 1 bit, zeros, the length in bits (64 bits). */
	uint64_t bits = c->nbytes * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = c->nbuf < 56 ? 56 - c->nbuf : 120 - c->nbuf;
	int i;

	for (i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	pxr_sha256_add(c, pad, npad + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

static void
hex(const unsigned char d[PXR_SHA256_LEN], char out[PXR_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < PXR_SHA256_LEN; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * PXR_SHA256_LEN] = '\0';
}

void
pxr_sha256_hex(const void *p, size_t n, char out[PXR_SHA256_HEX])
{
	struct pxr_sha256 c;
	unsigned char d[PXR_SHA256_LEN];

	pxr_sha256_init(&c);
	pxr_sha256_add(&c, p, n);
	pxr_sha256_end(&c, d);
	hex(d, out);
}

void
pxr_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[PXR_SHA256_LEN])
{
	/* RFC 2104 section 2, with B = 64 and L = 32. */
	unsigned char k[64] = { 0 }, ipad[64], opad[64], inner[PXR_SHA256_LEN];
	struct pxr_sha256 c;
	int i;

	if (klen > sizeof(k)) {
		pxr_sha256_init(&c);
		pxr_sha256_add(&c, key, klen);
		pxr_sha256_end(&c, k);
	} else if (klen > 0)
		memcpy(k, key, klen);
	for (i = 0; i < 64; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	pxr_sha256_init(&c);
	pxr_sha256_add(&c, ipad, sizeof(ipad));
	pxr_sha256_add(&c, msg, mlen);
	pxr_sha256_end(&c, inner);
	pxr_sha256_init(&c);
	pxr_sha256_add(&c, opad, sizeof(opad));
	pxr_sha256_add(&c, inner, sizeof(inner));
	pxr_sha256_end(&c, out);
}

void
pxr_hmac_sha256_hex(const void *key, size_t klen, const void *msg,
    size_t mlen, char out[PXR_SHA256_HEX])
{
	unsigned char d[PXR_SHA256_LEN];

	pxr_hmac_sha256(key, klen, msg, mlen, d);
	hex(d, out);
}

int
pxr_sha256_file(const char *path, char out[PXR_SHA256_HEX])
{
	struct pxr_sha256 c;
	unsigned char d[PXR_SHA256_LEN], buf[16384];
	ssize_t got;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	pxr_sha256_init(&c);
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		pxr_sha256_add(&c, buf, (size_t)got);
	}
	close(fd);
	pxr_sha256_end(&c, d);
	hex(d, out);
	return 0;
}
