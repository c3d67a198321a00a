/* sha256_test.c: SHA-256 and HMAC-SHA-256 against published vectors. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "unit.h"

static const char *
digest(const char *s)
{
	static char out[PXR_SHA256_HEX];

	pxr_sha256_hex(s, strlen(s), out);
	return out;
}

static const char *
hmac(const void *k, size_t kn, const char *m)
{
	static char out[PXR_SHA256_HEX];

	pxr_hmac_sha256_hex(k, kn, m, strlen(m), out);
	return out;
}

int
main(void)
{
	struct pxr_sha256 c;
	unsigned char d[PXR_SHA256_LEN], key[131];
	char *a, h[PXR_SHA256_HEX];
	size_t i;

	/* FIPS 180-2 appendix B (and the empty message). */
	CHECK_STR(digest("abc"), "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "FIPS 180-2 B.1 \"abc\"");
	CHECK_STR(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmno"
	    "mnopnopq"), "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1", "FIPS 180-2 B.2 (two blocks)");
	CHECK_STR(digest(""), "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855", "the empty message");
	/* B.3: a million 'a', fed in uneven pieces. */
	a = malloc(1000000);
	memset(a, 'a', 1000000);
	pxr_sha256_init(&c);
	for (i = 0; i < 1000000; i += 997)
		pxr_sha256_add(&c, a + i, 1000000 - i < 997 ? 1000000 - i :
		    997);
	pxr_sha256_end(&c, d);
	pxr_sha256_hex(a, 1000000, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0", "FIPS 180-2 B.3 (a million a)");
	CHECK(memcmp(d, "\xcd\xc7\x6e\x5c", 4) == 0, "pieces = one call");
	free(a);
	/* 55, 56 and 64 bytes: the padding's edges. */
	CHECK_STR(digest("1234567890123456789012345678901234567890123456789012345"),
	    "03c3a70e99ed5eeccd80f73771fcf1ece643d939d9ecc76f25544b0233f708e9",
	    "55 bytes: the length fits the block");

	/* RFC 4231 (HMAC-SHA-256), test cases 1, 2 and 6. */
	memset(key, 0x0b, 20);
	CHECK_STR(hmac(key, 20, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
	CHECK_STR(hmac("Jefe", 4, "what do ya want for nothing?"),
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843", "RFC 4231 case 2");
	memset(key, 0xaa, 131);
	CHECK_STR(hmac(key, 131, "Test Using Larger Than Block-Size Key - "
	    "Hash Key First"), "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54",
	    "RFC 4231 case 6 (a key longer than a block)");
	UNIT_END();
}
