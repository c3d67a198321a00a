/*
 * mail.h: Internet messages as the standards want them: RFC 5322 headers
 * folded to at most 78 characters a line, RFC 2047 encoded words of at
 * most 75, display names as RFC 5322 quoted strings or encoded words, and
 * a body in 7bit only when every line fits in 998 octets, quoted-printable
 * (RFC 2045) otherwise.  Line ends are "\n": a sendmail-compatible command
 * turns them into CRLF.
 */
#ifndef PXR_MAIL_H
#define PXR_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mem.h"

/* The longest header line written (RFC 5322 2.1.1's "SHOULD"). */
#define PXR_MAIL_LINE	78
/* The longest line of any kind (RFC 5322 2.1.1's "MUST"). */
#define PXR_MAIL_MAXLINE	998

/* A sender: display name (may be empty) and address, both new. */
struct pxr_mail_addr {
	char	*name;
	char	*addr;
};

/*
 * Is s (n bytes) an address pxr can put in a header and hand to a
 * sendmail as an argument: dot-atom "@" dot-atom (RFC 5322 3.4.1, no
 * comments, no quoted local part), ASCII, at most 254 octets, not
 * starting with '-'.  1 or 0.
 */
int	 pxr_mail_addr_ok(const char *s, size_t n);

/*
 * Parse a sender as people write it: "addr", "<addr>", "Name <addr>" or
 * "\"Name\" <addr>" (the address is the last <...>, which ends the text;
 * the name is everything before it, any bytes but CR and LF).  Fills a
 * (free it with pxr_mail_addr_free); -1 and err (exit 2) when there is no
 * valid address or the text holds CR or LF.
 */
int	 pxr_mail_addr_parse(const char *s, struct pxr_mail_addr *a,
	    struct pxr_error *err);
/* Free what a holds (not a itself); NULL is allowed. */
void	 pxr_mail_addr_free(struct pxr_mail_addr *a);

/*
 * Append the header "name: value" to b, folded, ending in "\n".  The
 * value is unstructured text (RFC 5322 3.2.5) of n bytes: CR and LF in it
 * become spaces (no value can add a header); it is written as it is when
 * that is plain printable ASCII that folds at its spaces into lines of
 * at most PXR_MAIL_LINE characters, else as RFC 2047 "B" encoded words of
 * UTF-8 (whole characters each, at most 75 characters a word), one line
 * each.
 */
void	 pxr_mail_header_text(struct pxr_buf *b, const char *name,
	    const char *value, size_t n);

/*
 * Append the header "name: mailbox" for a (borrowed) to b: the display
 * name as a quoted string (RFC 5322 3.2.4, '"' and '\\' as quoted pairs),
 * folded at its spaces, when it is printable ASCII with no "=?" and no
 * word over 200 characters, else as encoded words; then <addr>, on a line
 * of its own when it does not fit (an address longer than a line is never
 * cut); just addr when there is no name.
 */
void	 pxr_mail_header_addr(struct pxr_buf *b, const char *name,
	    const struct pxr_mail_addr *a);

/*
 * Append a Message-ID header for the message id mid (n bytes) in domain:
 * <mid@domain>, bytes outside atext as %XX; when that would make the line
 * longer than PXR_MAIL_LINE, its head and a 128-bit hash of the whole id
 * instead (the same id always gives the same Message-ID).
 */
void	 pxr_mail_header_msgid(struct pxr_buf *b, const char *mid, size_t n,
	    const char *domain);

/*
 * The body's transfer encoding: "7bit" when the n bytes are ASCII
 * without NUL or a bare CR and no line is longer than PXR_MAIL_MAXLINE
 * octets, else "quoted-printable".  Borrowed (static).
 */
const char *pxr_mail_body_encoding(const char *s, size_t n);

/*
 * Append the body s (n bytes) to b in the encoding pxr_mail_body_encoding
 * chose: line ends (LF or CRLF) are the message's line ends, and a body
 * that does not end with one gets one.  Quoted-printable lines are at most
 * 76 characters; a bare CR is =0D.
 */
void	 pxr_mail_body(struct pxr_buf *b, const char *s, size_t n);

/* A plain-text message. */
struct pxr_mail {
	const struct pxr_mail_addr *from;	/* NULL: pxr <pxr@localhost> */
	const char *to;		/* an address (pxr_mail_addr_ok) */
	const char *subject;	/* may be NULL */
	size_t	 subject_len;
	const char *body;	/* may be NULL */
	size_t	 body_len;
	const char *message_id;
	size_t	 message_id_len;
	int64_t	 date;		/* microseconds since the epoch, UTC */
};

/*
 * Append the whole message m (borrowed) to b: From, To, Subject, Date,
 * Message-ID (in the From address's domain), MIME-Version, Content-Type
 * text/plain UTF-8, Content-Transfer-Encoding, a blank line, the body.
 * -1 and err (exit 65) when m->to is not an address.
 */
int	 pxr_mail_format(struct pxr_buf *b, const struct pxr_mail *m,
	    struct pxr_error *err);

#endif
