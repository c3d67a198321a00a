/* send.h: the stage that hands messages to the gateways, each once. */
#ifndef PXR_SEND_H
#define PXR_SEND_H

#include <stdint.h>

#include "error.h"
#include "rules.h"
#include "stage.h"

struct pxr_mail_addr;
struct pxr_sidein;

struct pxr_send_opts {
	const char *sent_log;	/* the sent log; NULL only with dry_run */
	/*
	 * The gateway of each channel (PXR_CH_*) as a NULL-ended argv
	 * (NULL: none);
	 * an argument "{to}" or "{message_id}" is replaced by that value;
	 * e-mail's gets the recipient as its last argument when it has no
	 * "{to}".  Borrowed: must outlive the mapper.
	 */
	char	**cmd[PXR_NCH];
	/*
	 * SMS's and push's long-running gateway (gateway.h: a JSON line a
	 * message in, an outcome line out), instead of cmd; NULL-ended argv,
	 * borrowed.
	 */
	char	**gateway[PXR_NCH];
	const struct pxr_mail_addr *from;	/* e-mail's From; borrowed */
	double	 rate;		/* at most this many hand-overs a second */
	int	 retries;	/* of a failed hand-over */
	int	 resend_unknown;	/* hand over again what has no outcome */
	int	 dry_run;	/* read the log, write and hand over nothing */
	long	 lock_ms;	/* wait for the log's lock (then exit 75) */
	int64_t	 now;
	int	*status;	/* set to 1 when a message failed or is unknown */
	const char *outbox;	/* the outbox (outbox.h); NULL: none */
	int64_t	 max_age;	/* µs a message may wait there (0: forever) */
	int64_t	 retry_after;	/* µs before a failed hand-over is retried */
	const char *call_list;	/* the phone channel's call list, or NULL */
	/*
	 * Outcomes of calls (message_id, outcome, called_at), read at the
	 * end: borrowed, with the schema its records are read into; NULL:
	 * none.
	 */
	struct pxr_sidein *outcomes;
	struct pxr_schema *outcomes_sch;
};

/*
 * The send stage: each 'ready' message (and 'deferred' one whose
 * send_after has passed) is checked against the sent log and claimed with
 * an 'attempt' row in one critical section under the log's lock, then
 * handed to its gateway, then its outcome ('sent' or 'failed') appended.
 * Each record comes out with status (sent, skipped, failed, deferred,
 * unknown, queued, expired), attempts, error and sent_at.  Gateways'
 * output goes to standard error.
 *
 * With an outbox, a message deferred to later and one whose gateway
 * failed are kept there ('queued'), and at the end of the input every
 * queued message that is due is handed over the same way (one record
 * each), and one that waited longer than max_age is given up ('expired',
 * with the reason).  Without one, a deferred message is only in the
 * output: the stage says how many at the end.
 *
 * A phone message (a call by an agent) is listed on the call list instead
 * of handed to a gateway: claimed under the sent log's lock as an
 * 'attempt' and written to the list ('listed'), once ever; its outcome
 * comes later from the outcomes file: 'reached' is a 'sent' row, the
 * others ('no-answer', 'wrong-number', 'declined') a 'failed' one, and a
 * call is never listed again.
 *
 * new; NULL and err when the sent log, the outbox or the call list cannot
 * be opened.
 */
struct pxr_mapper *pxr_send_new(const struct pxr_send_opts *,
	    struct pxr_error *);

#endif
