/*
 * report_told.c: who was paid and told (issue 14).  Every compensation
 * paid must end told (a message handed over), or with a permanent reason
 * that the report lists as "paid, not told": no address, no consent, an
 * opt-out, no template, a field the template needs missing, or the
 * message expired from the outbox.  The rest is "paid, not yet told",
 * with the state it waits in.  Messages are tied to their incident by
 * their id (INCIDENT:CHANNEL).
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "time.h"

/* pxr-notify's reasons that no later run will change. */
static const char *const permanent[] = { "no-address", "no-consent",
	"opt-out", "no-template", "missing-field", NULL };

/* Whether reason (NULL: none) starts with word w, then ends or goes on. */
static int
is_word(const char *reason, const char *w)
{
	size_t n = strlen(w);

	return reason != NULL && strncmp(reason, w, n) == 0 &&
	    (reason[n] == '\0' || reason[n] == ' ' || reason[n] == ':');
}

static int
is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

/* Was m handed over (here, or before: "already sent")? */
static int
told(const struct rp_msg *m)
{
	return m->sent != RP_NOTIME || is(m->status, "sent") ||
	    is_word(m->reason, "already-sent") || (is(m->status, "skipped") &&
	    m->error != NULL && strncmp(m->error, "already", 7) == 0);
}

/* The permanent reason why m will never go, or NULL. */
static const char *
never(struct pxr_report *R, const struct rp_msg *m, struct pxr_buf *b)
{
	int i;

	if (m->ob == RP_OB_EXPIRED || is(m->status, "expired")) {
		const char *why = m->ob_why != NULL ? m->ob_why : m->reason;

		pxr_buf_reset(b);
		pxr_buf_adds(b, "expired from the outbox");
		if (why != NULL)
			pxr_buf_printf(b, " (%s)", why);
		return pxr_arena_strndup(&R->mem, b->p, b->len);
	}
	if (!is(m->status, "suppressed") && !is(m->status, "skipped"))
		return NULL;
	for (i = 0; permanent[i] != NULL; i++)
		if (is_word(m->reason, permanent[i]))
			return m->reason;
	return NULL;
}

/* What m waits in, for a message neither told nor given up. */
static const char *
waits(struct pxr_report *R, const struct rp_msg *m, struct pxr_buf *b)
{
	const char *st = m->status != NULL ? m->status : "?";

	pxr_buf_reset(b);
	if (m->ob == RP_OB_QUEUED) {
		pxr_buf_adds(b, "waiting in the outbox");
		if (m->after != RP_NOTIME) {
			pxr_buf_adds(b, " until ");
			pxr_time_format(b, m->after);
		}
		if (m->ob_why != NULL)
			pxr_buf_printf(b, " (%s)", m->ob_why);
	} else if (is(st, "deferred") || is(st, "queued")) {
		pxr_buf_printf(b, "%s", st);
		if (m->after != RP_NOTIME) {
			pxr_buf_adds(b, " until ");
			pxr_time_format(b, m->after);
		}
		if (m->error != NULL || m->reason != NULL)
			pxr_buf_printf(b, " (%s)", m->error != NULL ? m->error :
			    m->reason);
	} else if (is(st, "attempt") || is(st, "unknown"))
		pxr_buf_adds(b, "handed over with no outcome (unknown): "
		    "pxr-send --resend-unknown is a person's decision");
	else if (is(st, "failed"))
		pxr_buf_printf(b, "the gateway refused it (%s)", m->error !=
		    NULL ? m->error : "no error given");
	else if (is(st, "ready"))
		pxr_buf_adds(b, "ready, not handed over");
	else if (m->reason != NULL)
		pxr_buf_printf(b, "%s: %s", st, m->reason);
	else
		pxr_buf_printf(b, "%s", st);
	return pxr_arena_strndup(&R->mem, b->p, b->len);
}

static int
untoldcmp(const void *a, const void *b)
{
	const struct rp_untold *x = a, *y = b;
	int c;

	if (x->permanent != y->permanent)
		return y->permanent - x->permanent;
	if ((c = strcmp(x->c->cust != NULL ? x->c->cust : "",
	    y->c->cust != NULL ? y->c->cust : "")) != 0)
		return c;
	return strcmp(x->c->id, y->c->id);
}

/* Decide whether c was told; an untold one is listed with its why. */
static void
judge(struct pxr_report *R, struct pxr_hmap *byinc, const struct rp_comp *c,
    struct pxr_buf *b)
{
	const struct rp_msg *m = pxr_hmap_get(byinc, c->id, strlen(c->id)), *x;
	const char *perm = NULL, *wait = NULL;
	struct rp_untold *u;

	for (x = m; x != NULL; x = x->next)
		if (told(x)) {
			R->told++;
			return;
		}
	/* One message that may still go decides: it is not told yet. */
	for (x = m; x != NULL; x = x->next) {
		const char *p = never(R, x, b);

		if (p == NULL) {
			wait = waits(R, x, b);
			break;
		}
		if (perm == NULL)
			perm = p;
	}
	if (m == NULL)
		wait = "no message in the inputs (pxr-notify's output says "
		    "why)";
	R->untold = pxr_reallocarray(R->untold, R->nuntold + 1,
	    sizeof(*R->untold));
	u = &R->untold[R->nuntold++];
	u->c = c;
	u->permanent = wait == NULL;
	u->why = wait != NULL ? wait : perm;
	R->npermanent += u->permanent;
}

void
rp_told(struct pxr_report *R)
{
	struct pxr_hmap byinc;
	struct pxr_buf b = { 0 };
	size_t i;

	pxr_hmap_init(&byinc);
	for (i = 0; i < R->nmsg; i++) {
		struct rp_msg *m = R->msg_v[i];
		void **slot = pxr_hmap_put(&byinc, m->incident,
		    strlen(m->incident), NULL);

		/* The incident's messages in order of arrival. */
		m->next = NULL;
		if (*slot == NULL)
			*slot = m;
		else {
			struct rp_msg *x = *slot;

			while (x->next != NULL)
				x = x->next;
			x->next = m;
		}
		if (m->ob == RP_OB_EXPIRED || is(m->status, "expired"))
			rp_count(&R->t[RP_EXPIRED], m->ob_why != NULL ?
			    m->ob_why : m->reason != NULL ? m->reason : "?");
	}
	for (i = 0; i < R->nmsg; i++) {
		const struct rp_msg *m = R->msg_v[i];
		struct rp_inc *it;

		if (told(m) && (it = pxr_hmap_get(&R->inc, m->incident,
		    strlen(m->incident))) != NULL)
			it->told = 1;
	}
	for (i = 0; i < R->ncomp; i++) {
		const struct rp_comp *c = R->comp_v[i];

		if (!c->paid)
			continue;
		R->paid++;
		if (R->have_msgs)
			judge(R, &byinc, c, &b);
	}
	if (R->nuntold > 1)
		qsort(R->untold, R->nuntold, sizeof(*R->untold), untoldcmp);
	pxr_buf_free(&b);
	pxr_hmap_fini(&byinc, NULL);
}
