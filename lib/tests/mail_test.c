/* mail_test.c: headers, display names and bodies of lib/mail.c. */
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "unit.h"

/* The longest line of b (without its "\n"). */
static size_t
longest(const struct pxr_buf *b)
{
	size_t i, col = 0, max = 0;

	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '\n')
			col = 0;
		else if (++col > max)
			max = col;
	}
	return max;
}

static char *
header(const char *name, const char *v)
{
	struct pxr_buf b = { 0 };

	pxr_mail_header_text(&b, name, v, strlen(v));
	return b.p;
}

static char *
from(const char *s)
{
	struct pxr_mail_addr a;
	struct pxr_error e;
	struct pxr_buf b = { 0 };

	if (pxr_mail_addr_parse(s, &a, &e) < 0)
		return pxr_strdup(e.text);
	pxr_mail_header_addr(&b, "From", &a);
	pxr_mail_addr_free(&a);
	return b.p;
}

static char *
body(const char *s, size_t n)
{
	struct pxr_buf b = { 0 };

	pxr_mail_body(&b, s, n);
	return b.p != NULL ? b.p : pxr_strdup("");
}

int
main(void)
{
	static const char pl[] = "Przepraszamy, \xc5\x81ukasz: zwrot 30,50 "
	    "z\xc5\x82 za op\xc3\xb3\xc5\xba" "nion\xc4\x85 paczk\xc4\x99 \xe2"
	    "\x80\x94 \xc5\xba" "d\xc5\xba" "b\xc5\x82o, g\xc4\x99\xc5\x9bl"
	    "\xc4\x85 ja\xc5\xba\xc5\x84, \xc5\xbc\xc3\xb3\xc5\x82\xc4\x87";
	struct pxr_buf b = { 0 };
	char *s, line[2101];

	CHECK(pxr_mail_addr_ok("a.b+c@example.se", 16), "a dot-atom address");
	CHECK(!pxr_mail_addr_ok("-x@example.se", 13), "a leading '-' is "
	    "refused (it would be an option)");
	CHECK(!pxr_mail_addr_ok("a..b@example.se", 15), "two dots in a row");
	CHECK(!pxr_mail_addr_ok("a b@example.se", 14), "a space");
	CHECK(!pxr_mail_addr_ok("\xc3\xa5sa@example.se", 15), "not ASCII");
	CHECK(!pxr_mail_addr_ok("a@b@c", 5), "two @");

	s = header("Subject", "Your parcel is late");
	CHECK_STR(s, "Subject: Your parcel is late\n", "plain ASCII as it is");
	free(s);
	s = header("Subject", "Hej\r\nBcc: x@example.se");
	CHECK_STR(s, "Subject: Hej  Bcc: x@example.se\n",
	    "CR and LF become spaces: no value adds a header");
	free(s);
	s = header("Subject", "a =?UTF-8?B?eA==?= b");
	CHECK(strstr(s, "=?UTF-8?B?YSA9") != NULL, "text that looks like an "
	    "encoded word is encoded: %s", s);
	free(s);
	s = header("Subject", pl);
	b.p = s;
	b.len = strlen(s);
	CHECK(longest(&b) <= 78, "a long Polish subject folds to lines of at "
	    "most 78 (%zu)", longest(&b));
	CHECK(strncmp(s, "Subject: =?UTF-8?B?", 19) == 0 &&
	    strstr(s, "?=\n =?UTF-8?B?") != NULL, "encoded words, one a "
	    "line: %s", s);
	free(s);
	s = header("Subject", "Lorem ipsum dolor sit amet, consectetur "
	    "adipiscing elit, sed do eiusmod tempor incididunt ut labore");
	CHECK_STR(s, "Subject: Lorem ipsum dolor sit amet, consectetur "
	    "adipiscing elit, sed do\n eiusmod tempor incididunt ut labore\n",
	    "a long ASCII subject folds at a space");
	free(s);
	memset(line, 'x', 100);
	line[100] = '\0';
	s = header("Subject", line);
	b.p = s;
	b.len = strlen(s);
	CHECK(longest(&b) <= 78 && strstr(s, "=?UTF-8?B?") != NULL, "a word "
	    "longer than a line is encoded (%zu)", longest(&b));
	free(s);

	s = from("Shop <shop@example.se>");
	CHECK_STR(s, "From: \"Shop\" <shop@example.se>\n", "an ASCII name");
	free(s);
	s = from("A <b> \\c \"d\" <shop@example.se>");
	CHECK_STR(s, "From: \"A <b> \\\\c \\\"d\\\"\" <shop@example.se>\n",
	    "<, >, \\ and \" in a name: a quoted string with quoted pairs");
	free(s);
	s = from("\"Shop, Inc.\" <shop@example.se>");
	CHECK_STR(s, "From: \"Shop, Inc.\" <shop@example.se>\n", "a quoted "
	    "name keeps its text");
	free(s);
	s = from("Kundtj\xc3\xa4nst <hej@example.se>");
	CHECK_STR(s, "From: =?UTF-8?B?S3VuZHRqw6Ruc3Q=?= <hej@example.se>\n",
	    "a name that is not ASCII: an encoded word");
	free(s);
	memset(line, 'n', 2000);
	memcpy(line, "Kundtj\xc3\xa4nst ", 12);
	memcpy(line + 1000, " <shop@example.se>", 19);
	s = from(line);
	b.p = s;
	b.len = strlen(s);
	CHECK(longest(&b) <= 78, "a display name with a 1,000-byte word: "
	    "encoded words, lines of at most 78 (%zu)", longest(&b));
	free(s);
	memset(line, 'n', 1000);
	memcpy(line + 1000, " <shop@example.se>", 19);
	s = from(line);
	b.p = s;
	b.len = strlen(s);
	CHECK(longest(&b) <= 78, "an ASCII one too (%zu)", longest(&b));
	free(s);
		s = from("shop@example.se");
	CHECK_STR(s, "From: shop@example.se\n", "an address alone");
	free(s);
	s = from("Shop <shop@exa mple.se>");
	CHECK_STR(s, "not an address: '<shop@exa mple.se>'", "a bad address");
	free(s);
	s = from("Shop\n <shop@example.se>");
	CHECK(strncmp(s, "a line break", 12) == 0, "a line break: %s", s);
	free(s);

	s = body("Hej\r\nd\xc3\xa5\r\n", 10);
	CHECK_STR(s, "Hej\nd=C3=A5\n", "CRLF is a line end; quoted-printable");
	free(s);
	s = body("a \nb\rc", 6);
	CHECK_STR(s, "a=20\nb=0Dc\n", "a space at a line end and a bare CR "
	    "are encoded; a last line end is added");
	free(s);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CHECK_STR(pxr_mail_body_encoding(line, 998), "7bit",
	    "a 998-octet ASCII line is 7bit");
	CHECK_STR(pxr_mail_body_encoding(line, 999), "quoted-printable",
	    "a 999-octet line is not");
	s = body(line, 2000);
	b.p = s;
	b.len = strlen(s);
	CHECK(longest(&b) == 76, "a 2,000-octet line in lines of 76 (%zu)",
	    longest(&b));
	free(s);

	{
		struct pxr_buf m = { 0 };
		char id[1200];

		memset(id, 'i', sizeof(id));
		pxr_mail_header_msgid(&m, "A1:email", 8, "example.se");
		CHECK_STR(m.p, "Message-ID: <A1%3Aemail@example.se>\n",
		    "a short id as it is, ':' as %%3A");
		pxr_buf_reset(&m);
		pxr_mail_header_msgid(&m, id, sizeof(id), "example.se");
		CHECK(m.len - 1 <= 78, "a long id fits the line (%zu)",
		    m.len - 1);
		s = pxr_strdup(m.p);
		pxr_buf_reset(&m);
		id[sizeof(id) - 1] = 'j';
		pxr_mail_header_msgid(&m, id, sizeof(id), "example.se");
		CHECK(strcmp(s, m.p) != 0, "long ids that differ at the end "
		    "differ");
		free(s);
		pxr_buf_free(&m);
	}
	UNIT_END();
}
