/* mail.c: RFC 5322 / 2045 / 2047 messages (see mail.h). */
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "rec.h"
#include "time.h"

/* "=?UTF-8?B?" and "?=": what an encoded word costs besides its text. */
#define EW_OPEN		"=?UTF-8?B?"
#define EW_COST		12
/* The longest encoded word (RFC 2047 2). */
#define EW_MAX		75
/* The longest word of a display name written in quotes. */
#define QUOTED_WORD_MAX	200

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Is s (n bytes) a dot-atom: atext runs joined by single dots? */
static int
dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!(is_atext((unsigned char)s[i]) ||
		    (s[i] == '.' && s[i + 1] != '.')))
			return 0;
	return 1;
}

int
pxr_mail_addr_ok(const char *s, size_t n)
{
	const char *at;

	if (n == 0 || n > 254 || s[0] == '-' || memchr(s, '\0', n) != NULL)
		return 0;
	if ((at = memchr(s, '@', n)) == NULL)
		return 0;
	return dot_atom(s, (size_t)(at - s)) &&
	    dot_atom(at + 1, n - (size_t)(at - s) - 1);
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

int
pxr_mail_addr_parse(const char *s, struct pxr_mail_addr *a,
    struct pxr_error *err)
{
	size_t n = strlen(s), b = 0, i;
	const char *lt = NULL;
	struct pxr_buf name = { 0 };

	memset(a, 0, sizeof(*a));
	if (strpbrk(s, "\r\n") != NULL)
		return pxr_error_set(err, PXR_EXIT_USAGE, "a line break in "
		    "the sender: '%s'", s);
	while (b < n && is_wsp(s[b]))
		b++;
	while (n > b && is_wsp(s[n - 1]))
		n--;
	if (n > b && s[n - 1] == '>') {
		for (i = n - 1; i > b; i--)
			if (s[i - 1] == '<') {
				lt = s + i - 1;
				break;
			}
		if (lt == NULL)
			return pxr_error_set(err, PXR_EXIT_USAGE, "not an "
			    "address: '%s'", s);
	}
	if (lt == NULL) {
		if (!pxr_mail_addr_ok(s + b, n - b))
			return pxr_error_set(err, PXR_EXIT_USAGE, "not an "
			    "address: '%s'", s);
		a->addr = pxr_strndup(s + b, n - b);
		a->name = pxr_strdup("");
		return 0;
	}
	if (!pxr_mail_addr_ok(lt + 1, (size_t)(s + n - 1 - lt - 1)))
		return pxr_error_set(err, PXR_EXIT_USAGE, "not an address: "
		    "'%.*s'", (int)(s + n - lt), lt);
	a->addr = pxr_strndup(lt + 1, (size_t)(s + n - 1 - lt - 1));
	n = (size_t)(lt - s);
	while (n > b && is_wsp(s[n - 1]))
		n--;
	/* A quoted name loses its quotes and quoted pairs. */
	if (n - b >= 2 && s[b] == '"' && s[n - 1] == '"') {
		for (i = b + 1; i < n - 1; i++) {
			if (s[i] == '\\' && i + 1 < n - 1)
				i++;
			pxr_buf_addc(&name, s[i]);
		}
	} else
		pxr_buf_add(&name, s + b, n - b);
	/* White space in a name is one space; none at either end. */
	a->name = pxr_malloc(name.len + 1);
	for (i = 0, n = 0; i < name.len; i++) {
		if (is_wsp(name.p[i]) && (n == 0 || a->name[n - 1] == ' '))
			continue;
		a->name[n++] = is_wsp(name.p[i]) ? ' ' : name.p[i];
	}
	while (n > 0 && a->name[n - 1] == ' ')
		n--;
	a->name[n] = '\0';
	pxr_buf_free(&name);
	return 0;
}

void
pxr_mail_addr_free(struct pxr_mail_addr *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->addr);
	a->name = a->addr = NULL;
}

/* The length of the UTF-8 character starting with c (1 for other bytes). */
static size_t
u8len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * Append s (n bytes) as "B" encoded words, the first starting at column
 * col, the others each on a line of its own; the column after the last.
 * at_space: end a word after a space of s where one can (a phrase: a
 * reader may keep the white space between two words, RFC 2047 6.2 drops
 * it; a break after a space loses nothing either way but that one space).
 */
static size_t
encoded_words(struct pxr_buf *b, const char *s, size_t n, size_t col,
    int at_space)
{
	size_t i = 0, j;

	while (i < n) {
		size_t room = PXR_MAIL_LINE - col, take = 0, sp = 0, chars;

		if (room > EW_MAX)
			room = EW_MAX;
		/* Whole groups of 4 base64 characters, 3 bytes each. */
		chars = room > EW_COST ? (room - EW_COST) / 4 * 4 : 0;
		while (i + take < n) {
			size_t k = u8len((unsigned char)s[i + take]);

			if (i + take + k > n)
				k = n - i - take;
			if ((take + k + 2) / 3 * 4 > chars)
				break;
			take += k;
			if (s[i + take - 1] == ' ')
				sp = take;
		}
		if (at_space && i + take < n && sp > 0)
			take = sp;
		if (take == 0) {
			/* No room left on this line: fold first. */
			pxr_buf_adds(b, "\n ");
			col = 1;
			continue;
		}
		pxr_buf_adds(b, EW_OPEN);
		for (j = 0; j < take; j += 3) {
			unsigned v = (unsigned)(unsigned char)s[i + j] << 16;

			if (j + 1 < take)
				v |= (unsigned)(unsigned char)s[i + j + 1] << 8;
			if (j + 2 < take)
				v |= (unsigned char)s[i + j + 2];
			pxr_buf_addc(b, b64[v >> 18 & 63]);
			pxr_buf_addc(b, b64[v >> 12 & 63]);
			pxr_buf_addc(b, j + 1 < take ? b64[v >> 6 & 63] : '=');
			pxr_buf_addc(b, j + 2 < take ? b64[v & 63] : '=');
		}
		pxr_buf_adds(b, "?=");
		col += EW_COST + (take + 2) / 3 * 4;
		i += take;
		if (i < n) {
			pxr_buf_adds(b, "\n ");
			col = 1;
		}
	}
	return col;
}

/*
 * Can s (n bytes) go into a header as it is, folded at its spaces from
 * column col: printable ASCII, no space at either end (a reader drops
 * it), nothing that looks like an encoded word, every word short enough
 * for a line?
 */
static int
plain_text(const char *s, size_t n, size_t col)
{
	size_t i, w = 0;

	if (n == 0)
		return 1;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e ||
		    (c == '=' && i + 1 < n && s[i + 1] == '?'))
			return 0;
		if (c == ' ') {
			w = 0;
			col = 1;	/* the next word may start a line */
			continue;
		}
		if (++w + col > PXR_MAIL_LINE)
			return 0;
	}
	return 1;
}

/*
 * Append plain text s from column col, folding before a space when the
 * next word (and tail more characters after the last) would pass the
 * line; the column after it.
 */
static size_t
fold_plain(struct pxr_buf *b, const char *s, size_t n, size_t col,
    size_t tail)
{
	size_t i = 0;

	while (i < n) {
		const char *sp = memchr(s + i, ' ', n - i);
		size_t w = sp != NULL ? (size_t)(sp - (s + i)) : n - i;
		size_t t = sp != NULL ? 0 : tail;

		if (i > 0) {
			if (col + 1 + w + t > PXR_MAIL_LINE) {
				pxr_buf_adds(b, "\n ");
				col = 1;
			} else {
				pxr_buf_addc(b, ' ');
				col++;
			}
		}
		pxr_buf_add(b, s + i, w);
		col += w;
		i += w + (sp != NULL);
	}
	return col;
}

void
pxr_mail_header_text(struct pxr_buf *b, const char *name, const char *value,
    size_t n)
{
	struct pxr_buf clean = { 0 };
	size_t i, col = strlen(name) + 2;

	for (i = 0; i < n; i++)
		pxr_buf_addc(&clean, value[i] == '\r' || value[i] == '\n' ?
		    ' ' : value[i]);
	pxr_buf_adds(b, name);
	pxr_buf_adds(b, ": ");
	if (clean.len > 0 && plain_text(clean.p, clean.len, col))
		fold_plain(b, clean.p, clean.len, col, 0);
	else if (clean.len > 0)
		encoded_words(b, clean.p, clean.len, col, 0);
	pxr_buf_addc(b, '\n');
	pxr_buf_free(&clean);
}

/*
 * Is the word s (n bytes) an atom (RFC 5322 3.2.3), not like "=?", short
 * enough for a line?
 */
static int
atom(const char *s, size_t n)
{
	size_t i;

	if (n > PXR_MAIL_LINE - 2)
		return 0;

	for (i = 0; i < n; i++)
		if (!is_atext((unsigned char)s[i]) ||
		    (s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
			return 0;
	return n > 0;
}

/*
 * Append a display name that is not printable ASCII as a phrase from
 * column col: atoms as they are, each run of other words as encoded
 * words (one where it fits, so that no two encoded words meet where the
 * name has a space a reader could lose or add); the column after it.
 */
static size_t
phrase(struct pxr_buf *b, const char *s, size_t n, size_t col)
{
	size_t i = 0, j, k;

	while (i < n) {
		for (j = i; j < n && s[j] != ' '; j++)
			continue;
		k = j;
		if (!atom(s + i, j - i)) {
			/* The run of words that are not atoms. */
			while (k < n) {
				size_t e;

				for (e = k + 1; e < n && s[e] != ' '; e++)
					continue;
				if (atom(s + k + 1, e - k - 1))
					break;
				k = e;
			}
		}
		if (i > 0) {
			if (col + 1 + (k == j ? j - i : EW_COST + 8) >
			    PXR_MAIL_LINE) {
				pxr_buf_adds(b, "\n ");
				col = 1;
			} else {
				pxr_buf_addc(b, ' ');
				col++;
			}
		}
		if (k == j && atom(s + i, j - i)) {
			pxr_buf_add(b, s + i, j - i);
			col += j - i;
		} else
			col = encoded_words(b, s + i, k - i, col, 1);
		i = k + 1;
	}
	return col;
}

void
pxr_mail_header_addr(struct pxr_buf *b, const char *name,
    const struct pxr_mail_addr *a)
{
	struct pxr_buf q = { 0 };
	size_t n = strlen(a->name), i, w, col = strlen(name) + 2;
	int printable = 1;

	pxr_buf_adds(b, name);
	pxr_buf_adds(b, ": ");
	if (n == 0) {
		pxr_buf_adds(b, a->addr);
		pxr_buf_addc(b, '\n');
		return;
	}
	for (i = 0, w = 0; i < n; i++) {
		unsigned char c = (unsigned char)a->name[i];

		/* A reader would decode "=?...?=" even in quotes. */
		if (c < 0x20 || c > 0x7e || (c == '=' && a->name[i + 1] == '?'))
			printable = 0;
		/* A word too long to fold is encoded (lines stay <= 998). */
		w = c == ' ' ? 0 : w + 1;
		if (w > QUOTED_WORD_MAX)
			printable = 0;
	}
	if (printable) {
		/* A quoted string (RFC 5322 3.2.4): " and \ as quoted pairs. */
		for (i = 0; i < n; i++) {
			if (a->name[i] == '"' || a->name[i] == '\\')
				pxr_buf_addc(&q, '\\');
			pxr_buf_addc(&q, a->name[i]);
		}
		pxr_buf_addc(b, '"');
		col = fold_plain(b, q.p, q.len, col + 1, 1) + 1;
		pxr_buf_addc(b, '"');
		pxr_buf_free(&q);
	} else
		col = phrase(b, a->name, n, col);
	if (col + 3 + strlen(a->addr) > PXR_MAIL_LINE)
		pxr_buf_adds(b, "\n <");
	else
		pxr_buf_adds(b, " <");
	pxr_buf_adds(b, a->addr);
	pxr_buf_adds(b, ">\n");
}

void
pxr_mail_header_msgid(struct pxr_buf *b, const char *mid, size_t n,
    const char *domain)
{
	struct pxr_buf left = { 0 }, rev = { 0 };
	size_t i, dn = strlen(domain), room;

	/*
	 * A dot-atom: atext as it is, a dot where it may stand (not first,
	 * not last, not after a dot), other bytes as %XX.
	 */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)mid[i];

		if ((is_atext(c) && c != '%') || (c == '.' && left.len > 0 &&
		    left.p[left.len - 1] != '.' && i + 1 < n))
			pxr_buf_addc(&left, (char)c);
		else
			pxr_buf_printf(&left, "%%%02X", c);
	}
	/* "Message-ID: <" left "@" domain ">" */
	room = PXR_MAIL_LINE > 13 + 2 + dn ? PXR_MAIL_LINE - 13 - 2 - dn : 0;
	if (left.len > room) {
		uint64_t h1 = pxr_hash(mid, n), h2;

		for (i = n; i > 0; i--)
			pxr_buf_addc(&rev, mid[i - 1]);
		h2 = pxr_hash(rev.p != NULL ? rev.p : "", rev.len);
		pxr_buf_free(&rev);
		/* The head, never a %XX cut in two, then "-" and the hash. */
		i = room > 33 ? room - 33 : 0;
		if (i > 0 && left.p[i - 1] == '%')
			i--;
		else if (i > 1 && left.p[i - 2] == '%')
			i -= 2;
		left.len = i;
		pxr_buf_printf(&left, "%s%016llx%016llx", i > 0 ? "-" : "",
		    (unsigned long long)h1, (unsigned long long)h2);
	}
	pxr_buf_printf(b, "Message-ID: <%s@%s>\n", left.p, domain);
	pxr_buf_free(&left);
}

const char *
pxr_mail_body_encoding(const char *s, size_t n)
{
	size_t i, line = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			line = 0;
			continue;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c == '\0' || c == '\r' || c >= 0x80 ||
		    ++line > PXR_MAIL_MAXLINE)
			return "quoted-printable";
	}
	return "7bit";
}

/* Append s (n bytes) as quoted-printable, lines of at most 76. */
static void
quoted_printable(struct pxr_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int eol = i + 1 == n || s[i + 1] == '\n' ||
		    (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
		char enc[3];
		size_t k;

		if (c == '\n') {
			pxr_buf_addc(b, '\n');
			col = 0;
			continue;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !eol)) {
			enc[0] = (char)c;
			k = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			k = 3;
		}
		/* 75 and a soft break "=" make 76 (RFC 2045 6.7 (5)). */
		if (col + k > 75) {
			pxr_buf_adds(b, "=\n");
			col = 0;
		}
		pxr_buf_add(b, enc, k);
		col += k;
	}
}

void
pxr_mail_body(struct pxr_buf *b, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	if (strcmp(pxr_mail_body_encoding(s, n), "7bit") == 0) {
		for (i = 0; i < n; i++)
			if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
				pxr_buf_addc(b, s[i]);
	} else
		quoted_printable(b, s, n);
	if (s[n - 1] != '\n')
		pxr_buf_addc(b, '\n');
}

int
pxr_mail_format(struct pxr_buf *b, const struct pxr_mail *m,
    struct pxr_error *err)
{
	static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const struct pxr_mail_addr dflt = { "pxr", "pxr@localhost" };
	const struct pxr_mail_addr *from = m->from != NULL ? m->from : &dflt;
	const char *dom = m->from != NULL ? strrchr(from->addr, '@') + 1 :
	    "pxr.invalid";
	struct pxr_civil c;

	if (m->to == NULL || !pxr_mail_addr_ok(m->to, strlen(m->to)))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "not an e-mail "
		    "address");
	pxr_mail_header_addr(b, "From", from);
	pxr_buf_printf(b, "To: %s\n", m->to);
	pxr_mail_header_text(b, "Subject", m->subject != NULL ? m->subject :
	    "", m->subject != NULL ? m->subject_len : 0);
	pxr_time_civil(m->date, NULL, &c);
	pxr_buf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\n",
	    days[c.wday - 1], c.day, mons[c.month - 1], c.year, c.hour, c.min,
	    c.sec);
	pxr_mail_header_msgid(b, m->message_id, m->message_id_len, dom);
	pxr_buf_adds(b, "MIME-Version: 1.0\n");
	pxr_buf_adds(b, "Content-Type: text/plain; charset=UTF-8\n");
	pxr_buf_printf(b, "Content-Transfer-Encoding: %s\n\n",
	    pxr_mail_body_encoding(m->body != NULL ? m->body : "",
	    m->body != NULL ? m->body_len : 0));
	if (m->body != NULL)
		pxr_mail_body(b, m->body, m->body_len);
	return 0;
}
