/* jsonl.c: the JSON Lines reader (jansson validates, we keep the text). */
#include <string.h>

#include <jansson.h>

#include "streamint.h"

static const char *
skipws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static unsigned
hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else
			v |= (unsigned)(c - 'A' + 10);
	}
	return v;
}

static void
put_utf8(struct pxr_buf *b, unsigned c)
{
	if (c < 0x80)
		pxr_buf_addc(b, (int)c);
	else if (c < 0x800) {
		pxr_buf_addc(b, (int)(0xc0 | (c >> 6)));
		pxr_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		pxr_buf_addc(b, (int)(0xe0 | (c >> 12)));
		pxr_buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		pxr_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		pxr_buf_addc(b, (int)(0xf0 | (c >> 18)));
		pxr_buf_addc(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		pxr_buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		pxr_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

/*
 * Decode the (valid) JSON string at p into b; return the byte after its
 * closing quote.
 */
static const char *
decode_string(const char *p, const char *end, struct pxr_buf *b)
{
	p++;			/* opening quote */
	for (;;) {
		const char *q = p;
		uint64_t w;

		while (end - q >= 8) {
			memcpy(&w, q, 8);
			if (has_byte(w, '"') | has_byte(w, '\\'))
				break;
			q += 8;
		}
		while (q < end && *q != '"' && *q != '\\')
			q++;
		if (q >= end)
			return NULL;
		pxr_buf_add(b, p, (size_t)(q - p));
		p = q;
		if (*p == '"')
			return p + 1;
		p++;
		if (p >= end)
			return NULL;
		switch (*p) {
		case 'b': pxr_buf_addc(b, '\b'); p++; break;
		case 'f': pxr_buf_addc(b, '\f'); p++; break;
		case 'n': pxr_buf_addc(b, '\n'); p++; break;
		case 'r': pxr_buf_addc(b, '\r'); p++; break;
		case 't': pxr_buf_addc(b, '\t'); p++; break;
		case 'u': {
			unsigned c;

			if (end - p < 5)
				return NULL;
			c = hex4(p + 1);
			p += 5;
			if (c >= 0xd800 && c < 0xdc00 && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u') {
				unsigned lo = hex4(p + 2);

				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			put_utf8(b, c);
			break;
		}
		default:
			pxr_buf_addc(b, *p);
			p++;
			break;
		}
	}
}

const char *
pxr_json_unquote(struct pxr_buf *b, const char *p, const char *end)
{
	return decode_string(p, end, b);
}

/* Skip the (valid) JSON value at p; return the byte after it. */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	do {
		if (p >= end)
			return NULL;
		if (*p == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\')
					p++;
				p++;
			}
			if (p >= end)
				return NULL;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			p++;
		} else if (depth == 0) {
			while (p < end && *p != ',' && *p != '}' && *p != ']' &&
			    *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
		} else
			p++;
	} while (depth > 0);
	return p;
}

/*
 * A JSON string at p (its opening quote) with no escape but \" \\ \/ \b
 * \f \n \r \t and no byte under 0x20 (keys: no escape at all): the byte
 * after its closing quote, or NULL.  The line is valid UTF-8 already.
 */
static const char *
plain_string(const char *p, const char *end, int key)
{
	uint64_t w;

	/* Eight bytes at a time while none is a quote, \\ or control. */
	for (p++; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if (has_byte(w, '"') | has_byte(w, '\\') | has_control(w))
			break;
	}
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (key || ++p >= end || memchr("\"\\/bfnrt", *p, 8) ==
			    NULL)
				return NULL;
		}
	}
	return NULL;
}

/* A JSON number of at most 20 bytes and no exponent (no overflow as a
 * real): the byte after it, or NULL. */
static const char *
plain_number(const char *p, const char *end)
{
	const char *s = p;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		if (++p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p - s <= 20 ? p : NULL;
}

/* Valid UTF-8: eight ASCII bytes at a time, the rest as pxr_utf8_next. */
static int
utf8_ok(const char *s, size_t n)
{
	unsigned long cp;
	uint64_t w;
	size_t i = 0, k;

	while (i < n) {
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & PXR_HIGHS) == 0) {
				i += 8;
				continue;
			}
		}
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = pxr_utf8_next(s + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * 1 when the line is certainly one JSON object that jansson (with
 * JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL) accepts, so that it
 * need not build a tree of it: valid UTF-8, no NUL, an object of at most
 * 64 members whose keys have no escape and differ byte for byte, each
 * value a plain string, a short number, true, false or null.  0 for
 * anything else, which jansson then judges (and words the error of).
 * fuzz/csvdiff_fuzz.c (built as jsonldiff) holds the two to the same
 * records and refusals on the same bytes.
 */
static int
plain_object(const char *line, size_t len)
{
	const char *p, *end = line + len, *key[64], *q;
	size_t klen[64], nk = 0, i;

	if (memchr(line, '\0', len) != NULL || !utf8_ok(line, len))
		return 0;
	p = skipws(line, end);
	if (p >= end || *p != '{')
		return 0;
	p = skipws(p + 1, end);
	if (p < end && *p == '}')
		return skipws(p + 1, end) == end;
	for (;;) {
		if (p >= end || *p != '"' || nk == 64 ||
		    (q = plain_string(p, end, 1)) == NULL)
			return 0;
		key[nk] = p + 1;
		klen[nk] = (size_t)(q - p) - 2;
		for (i = 0; i < nk; i++)
			if (klen[i] == klen[nk] && memcmp(key[i], key[nk],
			    klen[nk]) == 0)
				return 0;	/* a duplicate: jansson's */
		nk++;
		p = skipws(q, end);
		if (p >= end || *p != ':')
			return 0;
		p = skipws(p + 1, end);
		if (p >= end)
			return 0;
		if (*p == '"')
			q = plain_string(p, end, 0);
		else if (*p == '-' || (*p >= '0' && *p <= '9'))
			q = plain_number(p, end);
		else if (end - p >= 4 && memcmp(p, "true", 4) == 0)
			q = p + 4;
		else if (end - p >= 5 && memcmp(p, "false", 5) == 0)
			q = p + 5;
		else if (end - p >= 4 && memcmp(p, "null", 4) == 0)
			q = p + 4;
		else
			return 0;
		if (q == NULL)
			return 0;
		p = skipws(q, end);
		if (p >= end)
			return 0;
		if (*p == '}')
			return skipws(p + 1, end) == end;
		if (*p != ',')
			return 0;
		p = skipws(p + 1, end);
	}
}

/*
 * The schema index of the member named by n bytes of key at place k of
 * a line: the lines of a file name their members in the same order, so
 * the index of the member at k in the line before is tried first (a
 * compare, not a hash and a lookup); else the schema's, remembered.
 */
static size_t
key_index(struct pxr_reader *r, size_t k, const char *key, size_t n)
{
	size_t idx, old;

	if (k < r->njidx && (idx = r->jidx[k]) < r->sch->n &&
	    r->sch->visible[idx] && memchr(key, '\0', n) == NULL &&
	    strncmp(r->sch->names[idx], key, n) == 0 &&
	    r->sch->names[idx][n] == '\0')
		return idx;
	idx = pxr_schema_add(r->sch, key, n);
	if (k >= r->njidx) {
		old = r->njidx;
		r->njidx = k + 8;
		r->jidx = pxr_reallocarray(r->jidx, r->njidx,
		    sizeof(*r->jidx));
		while (old < r->njidx)
			r->jidx[old++] = PXR_NOFIELD;
	}
	r->jidx[k] = idx;
	return idx;
}

int
pxr_jsonl_next(struct pxr_reader *r, struct pxr_rec *rec,
    struct pxr_error *err)
{
	char *line;
	size_t len;
	const char *p, *end;
	json_error_t je;
	json_t *j;
	size_t k;
	int rc;

	for (;;) {
		rc = pxr_lines_next(&r->in, r->max, &line, &len, err, r->name);
		if (rc <= 0) {
			pxr_buf_reset(&r->raw);
			return rc;
		}
		pxr_buf_reset(&r->raw);
		pxr_buf_add(&r->raw, line, len);
		rec->line = r->in.lineno;
		if (r->in.lineno == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		end = line + len;
		if (skipws(line, end) == end)
			continue;	/* blank line */
		break;
	}
	/* A plain object needs no tree: jansson would take it. */
	if (!r->nofast && plain_object(line, len))
		goto scan;
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_INT_AS_REAL, &je);
	if (j == NULL) {
		if (je.column > 0)
			pxr_error_set(err, PXR_EXIT_DATAERR, "not a JSON "
			    "object: %s (column %d)", je.text, je.column);
		else
			pxr_error_set(err, PXR_EXIT_DATAERR, "not a JSON "
			    "object: %s", je.text);
		return pxr_error_at(err, r->name, r->in.lineno);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		pxr_error_set(err, PXR_EXIT_DATAERR, "not a JSON object");
		return pxr_error_at(err, r->name, r->in.lineno);
	}
	json_decref(j);
	/* jansson and this scanner must agree; a raw NUL could part them. */
	if (memchr(line, '\0', len) != NULL) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "not a JSON object: a NUL "
		    "byte in the line");
		return pxr_error_at(err, r->name, r->in.lineno);
	}

scan:
	pxr_rec_clear(rec);
	p = skipws(line, end) + 1;
	for (k = 0;; k++) {
		size_t idx;
		const char *v;

		p = skipws(p, end);
		if (p >= end)
			goto bad;
		if (*p == '}')
			break;
		if (*p != '"')
			goto bad;
		pxr_buf_reset(&r->jtmp);
		if ((p = decode_string(p, end, &r->jtmp)) == NULL)
			goto bad;
		idx = key_index(r, k, r->jtmp.p, r->jtmp.len);
		pxr_rec_fit(rec);
		p = skipws(p, end);
		if (p >= end || *p != ':')
			goto bad;
		p = skipws(p + 1, end);
		if (p >= end)
			goto bad;
		v = p;
		switch (*p) {
		case '"':
			pxr_buf_reset(&r->jtmp);
			if ((p = decode_string(p, end, &r->jtmp)) == NULL)
				goto bad;
			pxr_rec_set(rec, idx, PXR_STR, r->jtmp.p, r->jtmp.len);
			break;
		case 'n':
			if (end - p < 4)
				goto bad;
			p += 4;
			pxr_rec_setnull(rec, idx);
			break;
		default:
			if ((p = skip_value(p, end)) == NULL)
				goto bad;
			pxr_rec_set(rec, idx, *v == '{' || *v == '[' ? PXR_JSON :
			    *v == 't' || *v == 'f' ? PXR_BOOL : PXR_NUM, v,
			    (size_t)(p - v));
			break;
		}
		p = skipws(p, end);
		if (p < end && *p == ',')
			p++;
	}
	return 1;
bad:
	pxr_error_set(err, PXR_EXIT_DATAERR, "not a JSON object (the line "
	    "does not read the same twice)");
	return pxr_error_at(err, r->name, r->in.lineno);
}

size_t
pxr_utf8_next(const char *s, size_t n, unsigned long *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c;
	size_t k, i;
	unsigned long min, v;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		k = 1;
		min = 0x80;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 2;
		min = 0x800;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 3;
		min = 0x10000;
		v = c & 0x07;
	} else
		return 0;
	if (n <= k)
		return 0;
	for (i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return k + 1;
}

int
pxr_utf8_valid(const char *s, size_t n)
{
	unsigned long cp;
	size_t i, k;

	for (i = 0; i < n; i += k)
		if ((k = pxr_utf8_next(s + i, n - i, &cp)) == 0)
			return 0;
	return 1;
}

size_t
pxr_utf8_fix(struct pxr_buf *b, const char *s, size_t n)
{
	unsigned long cp;
	size_t i, k, bad = 0;

	pxr_buf_grow(b, n);
	for (i = 0; i < n; i += k)
		if ((k = pxr_utf8_next(s + i, n - i, &cp)) == 0) {
			pxr_buf_add(b, "\xef\xbf\xbd", 3);
			bad++;
			k = 1;
		} else
			pxr_buf_add(b, s + i, k);
	return bad;
}

int
pxr_json_string(struct pxr_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, mark = b->len;

	pxr_buf_grow(b, n + 2);
	pxr_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			pxr_buf_addc(b, c);
			continue;
		}
		switch (c) {
		case '"': pxr_buf_add(b, "\\\"", 2); continue;
		case '\\': pxr_buf_add(b, "\\\\", 2); continue;
		case '\n': pxr_buf_add(b, "\\n", 2); continue;
		case '\r': pxr_buf_add(b, "\\r", 2); continue;
		case '\t': pxr_buf_add(b, "\\t", 2); continue;
		default:
			break;
		}
		if (c < 0x20) {
			pxr_buf_add(b, "\\u00", 4);
			pxr_buf_addc(b, hex[c >> 4]);
			pxr_buf_addc(b, hex[c & 15]);
			continue;
		}
		/* Non-ASCII: copy the whole (validated) sequence. */
		{
			size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (i + k > n || !pxr_utf8_valid(s + i, k)) {
				b->len = mark;
				b->p[mark] = '\0';
				return -1;
			}
			pxr_buf_add(b, s + i, k);
			i += k - 1;
		}
	}
	pxr_buf_addc(b, '"');
	return 0;
}
