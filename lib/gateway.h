/*
 * gateway.h: the batch gateway protocol of pxr-send (--sms-gateway,
 * --push-gateway): one long-running gateway process for the whole run
 * instead of a process a message.  pxr-send writes one JSON line a
 * message on its standard input,
 *   {"message_id":"...","channel":"sms","to":"...","body":"..."}
 * and reads one line back from its standard output before the next,
 *   {"message_id":"...","status":"sent"}
 *   {"message_id":"...","status":"failed","error":"..."}
 * A reply for another message, a line that is no such object, or the end
 * of the gateway's output (it exited or died) means the gateway was lost:
 * the message's outcome is unknown, and the gateway takes no more.
 */
#ifndef PXR_GATEWAY_H
#define PXR_GATEWAY_H

#include <stddef.h>

#include "mem.h"

struct pxr_gateway;

/* Start argv (NULL-ended; borrowed) lazily, at the first message.  new. */
struct pxr_gateway *pxr_gateway_new(char **argv);
/*
 * Hand a message over and read its outcome: 0 sent; 1 failed (why: the
 * gateway's error); -1 lost (why: how), the outcome unknown; -2 the
 * gateway could not be started or was lost before (why), the message
 * not handed over.
 */
int	 pxr_gateway_send(struct pxr_gateway *, const char *mid,
	    const char *channel, const char *to, const char *body, size_t n,
	    struct pxr_buf *why);
/* Close its input and wait for it; NULL is allowed. */
void	 pxr_gateway_free(struct pxr_gateway *);

#endif
