/* send.c: hand messages to the gateways, each once (see send.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calllist.h"
#include "fields.h"
#include "gateway.h"
#include "mail.h"
#include "outbox.h"
#include "send.h"
#include "sentlog.h"
#include "sidein.h"
#include "time.h"

struct send {
	struct pxr_mapper *m;
	struct pxr_send_opts o;
	struct pxr_sentlog *log;	/* NULL: a dry run without one */
	struct pxr_outbox *ob;		/* NULL: no outbox */
	struct pxr_calllist *cl;	/* NULL: no call list */
	int	 ob_held;		/* send_end holds the outbox's lock */
	struct pxr_schema *sch;
	const char *said;		/* the status last emitted */
	size_t	 nlost;			/* deferred, with no outbox to keep them */
	size_t	 f_mid, f_cust, f_ch, f_to, f_subj, f_body, f_status,
		 f_after, f_reason, f_locale, f_prio, f_cfrom, f_cto;
	size_t	 o_status, o_attempts, o_error, o_sent_at;
	struct timespec last;	/* the last hand-over, for --rate */
	struct pxr_buf msg, err, at;
	struct pxr_buf why;	/* --explain: why the outcome, or empty */
	int	 resent;	/* the claim is a --resend-unknown */
	struct pxr_gateway *gw[PXR_NCH];	/* --sms-gateway, ... */
};

static int
send_bind(struct pxr_mapper *mp, struct pxr_schema *sch,
    struct pxr_error *err)
{
	struct send *S = mp->state;

	(void)err;
	S->sch = sch;
	S->f_mid = pxr_field_ref(sch, PXR_F_MESSAGE_ID);
	S->f_cust = pxr_field_ref(sch, PXR_F_CUSTOMER_ID);
	S->f_ch = pxr_field_ref(sch, PXR_F_CHANNEL);
	S->f_to = pxr_field_ref(sch, PXR_F_TO);
	S->f_subj = pxr_field_ref(sch, PXR_F_SUBJECT);
	S->f_body = pxr_field_ref(sch, PXR_F_BODY);
	S->f_status = pxr_field_ref(sch, PXR_F_STATUS);
	S->f_after = pxr_field_ref(sch, PXR_F_SEND_AFTER);
	S->f_reason = pxr_field_ref(sch, PXR_F_REASON);
	S->f_locale = pxr_field_ref(sch, PXR_F_LOCALE);
	S->f_prio = pxr_field_ref(sch, PXR_F_PRIORITY);
	S->f_cfrom = pxr_field_ref(sch, PXR_F_CALL_FROM);
	S->f_cto = pxr_field_ref(sch, PXR_F_CALL_TO);
	/* message_id, channel, to stay where they are; then these. */
	pxr_field_add(sch, PXR_F_MESSAGE_ID);
	pxr_field_add(sch, PXR_F_CHANNEL);
	pxr_field_add(sch, PXR_F_TO);
	S->o_status = pxr_field_add(sch, PXR_F_STATUS);
	S->o_attempts = pxr_field_add(sch, PXR_F_ATTEMPTS);
	S->o_error = pxr_field_add(sch, PXR_F_ERROR);
	S->o_sent_at = pxr_field_add(sch, PXR_F_SENT_AT);
	return 0;
}

static int
valid_phone(const char *s)
{
	size_t i, digits = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '+' && i == 0)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		digits++;
	}
	return digits >= 5 && digits <= 15;
}

static int
valid_token(const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '-' || strlen(s) > 4096)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int
valid_to(int ch, const char *to)
{
	switch (ch) {
	case PXR_CH_EMAIL:
		return pxr_mail_addr_ok(to, strlen(to));
	case PXR_CH_SMS:
	case PXR_CH_PHONE:
		return valid_phone(to);
	default:
		return valid_token(to);
	}
}

/*
 * Run argv (tmpl with {to} and {message_id} replaced) with input on its
 * standard input, its standard output to our standard error; 0 when it
 * exits 0, else -1 with why in errbuf.  A failed exec is told back through
 * a pipe closed on exec, never printed by the child.
 */
static int
run(char **tmpl, const char *to, const char *mid, int to_last,
    const char *input, size_t n, struct pxr_buf *why)
{
	char **argv;
	size_t i, k = 0;
	int fds[2], efd[2], status, found = 0, eno = 0;
	pid_t pid;
	struct sigaction ign, old;
	ssize_t r;

	for (i = 0; tmpl[i] != NULL; i++)
		continue;
	argv = pxr_calloc(i + 2, sizeof(*argv));
	for (i = 0; tmpl[i] != NULL; i++) {
		if (strcmp(tmpl[i], "{to}") == 0) {
			argv[k++] = (char *)to;
			found = 1;
		} else if (strcmp(tmpl[i], "{message_id}") == 0)
			argv[k++] = (char *)mid;
		else
			argv[k++] = tmpl[i];
	}
	if (to_last && !found)
		argv[k++] = (char *)to;
	argv[k] = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		pxr_buf_printf(why, "pipe: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if (pipe2(efd, O_CLOEXEC) < 0) {
		pxr_buf_printf(why, "pipe: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(argv);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		pxr_buf_printf(why, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		close(efd[0]);
		close(efd[1]);
		free(argv);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		dup2(2, 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		eno = errno;
		free(argv);
		if (write(efd[1], &eno, sizeof(eno)) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[0]);
	close(efd[1]);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	while (n > 0) {
		ssize_t w = write(fds[1], input, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;	/* EPIPE: the command did not read it all */
		input += w;
		n -= (size_t)w;
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	while ((r = read(efd[0], &eno, sizeof(eno))) < 0 && errno == EINTR)
		continue;
	close(efd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	free(argv);
	if (r == (ssize_t)sizeof(eno)) {
		pxr_buf_printf(why, "%s: %s", tmpl[0], strerror(eno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		pxr_buf_printf(why, "%s exited %d", tmpl[0],
		    WEXITSTATUS(status));
	else
		pxr_buf_printf(why, "%s killed by signal %d", tmpl[0],
		    WTERMSIG(status));
	return -1;
}

/* Wait so that hand-overs keep to the rate. */
static void
pace(struct send *S)
{
	struct timespec now, wait;
	double gap;

	if (S->o.rate <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	gap = 1.0 / S->o.rate - ((double)(now.tv_sec - S->last.tv_sec) +
	    (double)(now.tv_nsec - S->last.tv_nsec) / 1e9);
	if (S->last.tv_sec != 0 && gap > 0) {
		wait.tv_sec = (time_t)gap;
		wait.tv_nsec = (long)((gap - (double)wait.tv_sec) * 1e9);
		nanosleep(&wait, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &S->last);
}

static const char *
str(const struct pxr_val *v)
{
	return PXR_ISNULL(v) ? "" : v->s;
}

/* Append a row for rec to the locked log; -2 and err on failure. */
static int
log_row(struct send *S, const struct pxr_rec *rec, enum pxr_sent_state st,
    struct pxr_error *err)
{
	const char *f[PXR_SL__N];

	pxr_buf_reset(&S->at);
	pxr_time_format(&S->at, S->o.now);
	f[PXR_SL_SENT_AT] = S->at.p;
	f[PXR_SL_MESSAGE_ID] = pxr_rec_get(rec, S->f_mid)->s;
	f[PXR_SL_CUSTOMER_ID] = str(pxr_rec_get(rec, S->f_cust));
	f[PXR_SL_CHANNEL] = str(pxr_rec_get(rec, S->f_ch));
	f[PXR_SL_TO] = str(pxr_rec_get(rec, S->f_to));
	f[PXR_SL_STATUS] = NULL;
	return pxr_sentlog_append(S->log, f, st, err) < 0 ? -2 : 0;
}

/* Lock the log and read what others wrote; -2 and err on failure. */
static int
lock(struct send *S, struct pxr_error *err)
{
	size_t torn;

	if (pxr_sentlog_lock(S->log, S->o.lock_ms, &torn, err) < 0)
		return -2;
	if (torn > 0)
		pxr_mapper_say(S->m, PXR_SAY_WARN, "%s: a torn last row (%zu "
		    "bytes) was ignored%s", pxr_sentlog_path(S->log), torn,
		    S->o.dry_run ? "" : " and cut off");
	return 0;
}

/* --explain: why the next outcome, printf-formatted (replaces). */
static void
because(struct send *S, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
because(struct send *S, const char *fmt, ...)
{
	va_list ap;
	char text[512];

	if (!S->m->explain)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pxr_buf_reset(&S->why);
	pxr_buf_adds(&S->why, text);
}

/* --explain: rec's outcome, status and error, and why (S->why). */
static void
explain(struct send *S, const struct pxr_rec *rec, const char *status,
    const char *error)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	char where[256];

	if (rec->line > 0)
		snprintf(where, sizeof(where), "%s:%ld", rec->file, rec->line);
	else
		snprintf(where, sizeof(where), "%s", rec->file != NULL ?
		    rec->file : "-");
	pxr_mapper_say(S->m, PXR_SAY_EXPLAIN, "%s: message %.*s: %s%s%s%s%s",
	    where, (int)mv->n, mv->s, status, error != NULL && *error != '\0' ?
	    " (" : "", error != NULL ? error : "", error != NULL &&
	    *error != '\0' ? ")" : "", S->why.len > 0 ? S->why.p : "");
	pxr_buf_reset(&S->why);
}

/* Emit rec with these outcome fields. */
static int
out(struct send *S, struct pxr_rec *rec, const char *status, int attempts,
    const char *error, struct pxr_error *err)
{
	if (S->m->explain)
		explain(S, rec, status, error);
	S->said = status;
	pxr_rec_setref(rec, S->o_status, PXR_STR, status, strlen(status));
	pxr_rec_setf(rec, S->o_attempts, PXR_NUM, "%d", attempts);
	if (error != NULL && *error != '\0')
		pxr_rec_set(rec, S->o_error, PXR_STR, error, strlen(error));
	else
		pxr_rec_setnull(rec, S->o_error);
	if (strcmp(status, "sent") == 0) {
		pxr_buf_reset(&S->at);
		pxr_time_format(&S->at, S->o.now);
		pxr_rec_set(rec, S->o_sent_at, PXR_STR, S->at.p, S->at.len);
	} else
		pxr_rec_setnull(rec, S->o_sent_at);
	if ((strcmp(status, "failed") == 0 || strcmp(status, "unknown") == 0) &&
	    S->o.status != NULL)
		*S->o.status = PXR_EXIT_FINDINGS;
	return pxr_mapper_emit(S->m, rec, err);
}

/* Does the command put the message id into its arguments? */
static int
has_mid(char **cmd)
{
	for (; *cmd != NULL; cmd++)
		if (strcmp(*cmd, "{message_id}") == 0)
			return 1;
	return 0;
}

/*
 * Under the log's lock: what to do with a message that is due.  0 and
 * *claimed set when the attempt row is written (hand it over), else the
 * record's outcome was emitted (or -1/-2).
 */
static int
claim(struct send *S, struct pxr_rec *rec, int ch, int *claimed,
    struct pxr_error *err)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	const char *to = str(pxr_rec_get(rec, S->f_to));
	char **cmd = S->o.cmd[ch];
	enum pxr_sent_state st;
	int rc;

	if (S->gw[ch] != NULL)
		cmd = S->o.gateway[ch];
	*claimed = 0;
	because(S, ": --dry-run hands over and records nothing");
	if (S->log == NULL)	/* a dry run with no sent log */
		return out(S, rec, "skipped", 0, "dry run: would send", err);
	if ((rc = lock(S, err)) < 0)
		return rc;
	st = pxr_sentlog_get(S->log, mv->s, mv->n);
	if (st == PXR_SENT_SENT) {
		pxr_sentlog_unlock(S->log);
		because(S, ": the sent log %s has it as sent: never twice",
		    pxr_sentlog_path(S->log));
		return out(S, rec, "skipped", 0, "already sent", err);
	}
	if (st == PXR_SENT_ATTEMPT && !S->o.resend_unknown) {
		pxr_sentlog_unlock(S->log);
		because(S, ": the sent log %s has a hand-over of it with no "
		    "outcome (a run stopped during it): at most once, so not "
		    "again unless --resend-unknown", pxr_sentlog_path(S->log));
		return out(S, rec, "unknown", 0, "handed over before with no "
		    "outcome; not sent again (see --resend-unknown)", err);
	}
	pxr_buf_reset(&S->err);
	if (!valid_to(ch, to))
		pxr_buf_printf(&S->err, "invalid %s address: \"%.60s\"",
		    pxr_channel_names[ch], to);
	else if (cmd != NULL && S->gw[ch] == NULL && mv->s[0] == '-' &&
	    has_mid(cmd))
		pxr_buf_printf(&S->err, "message_id starts with '-': the "
		    "gateway (%s) would take it for an option", cmd[0]);
	if (S->err.len > 0) {
		if (!S->o.dry_run && log_row(S, rec, PXR_SENT_FAILED, err) < 0) {
			pxr_sentlog_unlock(S->log);
			return -2;
		}
		pxr_sentlog_unlock(S->log);
		because(S, ": not handed over%s", S->o.dry_run ? "" : "; the "
		    "sent log records the failure");
		return out(S, rec, "failed", 0, S->err.p, err);
	}
	because(S, ": not handed over");
	if (cmd == NULL) {
		pxr_sentlog_unlock(S->log);
		pxr_buf_printf(&S->err, "no --%s given", ch == PXR_CH_SMS ?
		    "sms-command" : "push-command");
		return out(S, rec, "failed", 0, S->err.p, err);
	}
	if (S->o.dry_run) {
		pxr_sentlog_unlock(S->log);
		because(S, ": --dry-run hands over and records nothing");
		return out(S, rec, "skipped", 0, "dry run: would send", err);
	}
	S->resent = st == PXR_SENT_ATTEMPT;
	/* The claim: durable before the gateway hears of the message. */
	rc = log_row(S, rec, PXR_SENT_ATTEMPT, err);
	pxr_sentlog_unlock(S->log);
	if (rc < 0)
		return rc;
	*claimed = 1;
	return 0;
}

/*
 * Keep rec's message in the outbox until after (µs), with why (retry: its
 * gateway failed); a message already there keeps its first queued_at.
 * 0 kept (or kept already), 1 handed over from the outbox before, 2 given
 * up before (expired); -2 and err on failure.
 */
static int
queue(struct send *S, const struct pxr_rec *rec, int64_t after,
    const char *why, int retry, struct pxr_error *err)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	const struct pxr_ob_msg *m;
	const char *f[PXR_OB__N];
	struct pxr_buf ta = { 0 }, tq = { 0 };
	int rc;

	if (!S->ob_held && pxr_outbox_lock(S->ob, S->o.lock_ms, err) < 0)
		return -2;
	m = pxr_outbox_get(S->ob, mv->s, mv->n);
	/*
	 * Done or given up already: nothing to keep.  Deferred again while
	 * queued for no later (a rerun, the next night's export): it keeps
	 * its time.  A retry after a failure always moves it on.
	 */
	if (m != NULL && (m->state != PXR_OB_QUEUED || (!retry &&
	    m->send_after <= after))) {
		rc = m->state == PXR_OB_DONE ? 1 : m->state == PXR_OB_EXPIRED ?
		    2 : 0;
		if (!S->ob_held)
			pxr_outbox_unlock(S->ob);
		return rc;
	}
	pxr_time_format(&ta, after);
	pxr_time_format(&tq, m != NULL ? m->queued_at : S->o.now);
	memset(f, 0, sizeof(f));
	f[PXR_OB_MESSAGE_ID] = mv->s;
	f[PXR_OB_CUSTOMER_ID] = str(pxr_rec_get(rec, S->f_cust));
	f[PXR_OB_CHANNEL] = str(pxr_rec_get(rec, S->f_ch));
	f[PXR_OB_TO] = str(pxr_rec_get(rec, S->f_to));
	f[PXR_OB_SUBJECT] = str(pxr_rec_get(rec, S->f_subj));
	f[PXR_OB_BODY] = str(pxr_rec_get(rec, S->f_body));
	f[PXR_OB_SEND_AFTER] = ta.p;
	f[PXR_OB_QUEUED_AT] = tq.p;
	f[PXR_OB_REASON] = why;
	rc = pxr_outbox_put(S->ob, f, PXR_OB_QUEUED, S->o.now, err);
	if (!S->ob_held)
		pxr_outbox_unlock(S->ob);
	pxr_buf_free(&ta);
	pxr_buf_free(&tq);
	return rc < 0 ? -2 : 0;
}

static int deliver(struct send *, struct pxr_rec *, int, struct pxr_error *);

/* Unlock the sent log and the call list, and emit rec's outcome. */
static int
listed(struct send *S, struct pxr_rec *rec, const char *status,
    const char *why, struct pxr_error *err)
{
	pxr_calllist_unlock(S->cl);
	pxr_sentlog_unlock(S->log);
	return out(S, rec, status, 0, why, err);
}

/*
 * A call: listed on the call list once, ever.  Under the sent log's lock
 * and then the list's: a message the log has (sent, listed, not reached)
 * is not listed again; one the list has but the log not (a run that
 * died between the two) gets its claim; else the row goes on the list,
 * then the claim ('attempt') into the log: the outcome comes later.
 */
static int
list_call(struct send *S, struct pxr_rec *rec, struct pxr_error *err)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	const char *f[PXR_CL__N], *to = str(pxr_rec_get(rec, S->f_to));
	const char *const *had;
	enum pxr_sent_state st;

	if (S->log == NULL || (S->o.dry_run && S->cl == NULL))
		return out(S, rec, "skipped", 0, "dry run: would list the "
		    "call", err);
	if (S->cl == NULL)
		return out(S, rec, "failed", 0, "no --call-list given", err);
	if (!valid_phone(to)) {
		pxr_buf_reset(&S->err);
		pxr_buf_printf(&S->err, "invalid phone number: \"%.60s\"", to);
		return out(S, rec, "failed", 0, S->err.p, err);
	}
	if (lock(S, err) < 0)
		return -2;
	if (pxr_calllist_lock(S->cl, S->o.lock_ms, err) < 0) {
		pxr_sentlog_unlock(S->log);
		return -2;
	}
	st = pxr_sentlog_get(S->log, mv->s, mv->n);
	had = pxr_calllist_get(S->cl, mv->s, mv->n);
	if (st == PXR_SENT_SENT)
		return listed(S, rec, "skipped", "already sent: the customer "
		    "was reached", err);
	if (st == PXR_SENT_FAILED)
		return listed(S, rec, "skipped", "called before, not reached: "
		    "a call is listed once", err);
	if (st == PXR_SENT_ATTEMPT || S->o.dry_run)
		return listed(S, rec, "skipped", st == PXR_SENT_ATTEMPT ?
		    "on the call list, its outcome not yet in" :
		    "dry run: would list the call", err);
	if (had == NULL) {
		memset(f, 0, sizeof(f));
		f[PXR_CL_PRIORITY] = str(pxr_rec_get(rec, S->f_prio));
		f[PXR_CL_CALL_FROM] = str(pxr_rec_get(rec, S->f_cfrom));
		f[PXR_CL_CALL_TO] = str(pxr_rec_get(rec, S->f_cto));
		f[PXR_CL_MESSAGE_ID] = mv->s;
		f[PXR_CL_CUSTOMER_ID] = str(pxr_rec_get(rec, S->f_cust));
		f[PXR_CL_TO] = to;
		f[PXR_CL_LOCALE] = str(pxr_rec_get(rec, S->f_locale));
		f[PXR_CL_SCRIPT] = str(pxr_rec_get(rec, S->f_body));
		if (pxr_calllist_put(S->cl, f, S->o.now, err) < 0) {
			pxr_calllist_unlock(S->cl);
			pxr_sentlog_unlock(S->log);
			return -2;
		}
	}
	if (log_row(S, rec, PXR_SENT_ATTEMPT, err) < 0) {
		pxr_calllist_unlock(S->cl);
		pxr_sentlog_unlock(S->log);
		return -2;
	}
	if (had != NULL)
		return listed(S, rec, "skipped", "on the call list already "
		    "(its claim is written now)", err);
	return listed(S, rec, "listed", NULL, err);
}

static int
send_map(struct pxr_mapper *mp, struct pxr_rec *rec, struct pxr_error *err)
{
	struct send *S = mp->state;
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	const struct pxr_val *chv = pxr_rec_get(rec, S->f_ch);
	const struct pxr_val *stv = pxr_rec_get(rec, S->f_status);
	const char *status = PXR_ISNULL(stv) ? "ready" : stv->s;
	int ch;

	if (PXR_ISNULL(mv) || PXR_ISNULL(chv))
		return pxr_error_set(err, PXR_EXIT_DATAERR, "no message_id or "
		    "channel: is this the output of pxr-notify?");
	if ((ch = pxr_channel_of(chv->s)) < 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "column "
		    "'channel': '%s' is not email, sms, push or phone",
		    chv->s);
	if (strcmp(status, "suppressed") == 0) {
		const struct pxr_val *rv = pxr_rec_get(rec, S->f_reason);

		pxr_buf_reset(&S->err);
		pxr_buf_printf(&S->err, "suppressed: %s", PXR_ISNULL(rv) ? "?" :
		    rv->s);
		because(S, ": pxr-notify decided not to send it");
		return out(S, rec, "skipped", 0, S->err.p, err);
	}
	if (strcmp(status, "deferred") == 0) {
		const struct pxr_val *av = pxr_rec_get(rec, S->f_after);
		int64_t after;
		struct pxr_error e;

		if (PXR_ISNULL(av) || pxr_time_parse(av->s, av->n, NULL, &after,
		    NULL, &e) < 0)
			return pxr_error_set(err, PXR_EXIT_DATAERR,
			    "column 'send_after': not a time");
		if (after > S->o.now) {
			const struct pxr_val *rv = pxr_rec_get(rec,
			    S->f_reason);

			because(S, ": due at %.*s (%s), after --now; %s",
			    (int)av->n, av->s, PXR_ISNULL(rv) ? "deferred" :
			    rv->s, S->o.dry_run ? "--dry-run keeps it nowhere" :
			    S->ob == NULL ? "no --outbox keeps it: pass it "
			    "again when it is due" : "kept in the outbox until "
			    "then");
			if (S->ob == NULL || S->o.dry_run) {
				S->nlost += S->ob == NULL;
				return out(S, rec, "deferred", 0, NULL, err);
			}
			switch (queue(S, rec, after, PXR_ISNULL(rv) ?
			    "deferred" : rv->s, 0, err)) {
			case -2:
				return -2;
			case 1:
				because(S, ": the outbox handed it over on "
				    "an earlier run");
				return out(S, rec, "skipped", 0, "already "
				    "handed over from the outbox", err);
			case 2:
				because(S, ": the outbox gave it up on an "
				    "earlier run");
				return out(S, rec, "skipped", 0, "expired in "
				    "the outbox before", err);
			default:
				return out(S, rec, "queued", 0, NULL, err);
			}
		}
	} else if (strcmp(status, "ready") != 0)
		return pxr_error_set(err, PXR_EXIT_DATAERR, "column 'status': "
		    "'%s' is not ready, deferred or suppressed", status);
	return deliver(S, rec, ch, err);
}

/* Claim, hand over and log one due message; its outcome is emitted. */
static int
deliver(struct send *S, struct pxr_rec *rec, int ch, struct pxr_error *err)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S->f_mid);
	const char *to = str(pxr_rec_get(rec, S->f_to));
	int rc, claimed, attempts = 0, lost = 0;

	if (ch == PXR_CH_PHONE)
		return list_call(S, rec, err);
	if ((rc = claim(S, rec, ch, &claimed, err)) < 0 || !claimed)
		return rc;
	pxr_buf_reset(&S->msg);
	if (ch == PXR_CH_EMAIL) {
		const struct pxr_val *sv = pxr_rec_get(rec, S->f_subj);
		const struct pxr_val *bv = pxr_rec_get(rec, S->f_body);
		struct pxr_mail mail;

		memset(&mail, 0, sizeof(mail));
		mail.from = S->o.from;
		mail.to = to;
		mail.subject = PXR_ISNULL(sv) ? NULL : sv->s;
		mail.subject_len = PXR_ISNULL(sv) ? 0 : sv->n;
		mail.body = PXR_ISNULL(bv) ? NULL : bv->s;
		mail.body_len = PXR_ISNULL(bv) ? 0 : bv->n;
		mail.message_id = mv->s;
		mail.message_id_len = mv->n;
		mail.date = S->o.now;
		/* The address was checked by claim: this cannot fail. */
		(void)pxr_mail_format(&S->msg, &mail, err);
	} else {
		const struct pxr_val *bv = pxr_rec_get(rec, S->f_body);

		if (!PXR_ISNULL(bv))
			pxr_buf_add(&S->msg, bv->s, bv->n);
	}
	for (;;) {
		pace(S);
		attempts++;
		pxr_buf_reset(&S->err);
		if (S->gw[ch] != NULL) {
			rc = pxr_gateway_send(S->gw[ch], mv->s,
			    pxr_channel_names[ch], to, S->msg.p != NULL ?
			    S->msg.p : "", S->msg.len, &S->err);
			if (rc == -1) {	/* handed over, outcome unknown */
				lost = 1;
				break;
			}
			if (rc == -2) {	/* never handed over: failed */
				rc = -1;
				break;
			}
			rc = rc == 0 ? 0 : -1;
		} else
			rc = run(S->o.cmd[ch], to, mv->s, ch == PXR_CH_EMAIL,
			    S->msg.p != NULL ? S->msg.p : "", S->msg.len,
			    &S->err);
		if (rc == 0 || attempts > S->o.retries)
			break;
		{
			struct timespec w = { 0, 100000000L * attempts };

			nanosleep(&w, NULL);
		}
	}
	if (lost) {
		/* The attempt row stays without an outcome: never twice. */
		if (S->o.status != NULL)
			*S->o.status = PXR_EXIT_FINDINGS;
		because(S, ": handed over to the gateway, which gave no "
		    "outcome; not sent again unless --resend-unknown");
		return out(S, rec, "unknown", attempts, S->err.p, err);
	}
	if (lock(S, err) < 0)
		return -2;
	if (log_row(S, rec, rc == 0 ? PXR_SENT_SENT : PXR_SENT_FAILED,
	    err) < 0) {
		pxr_sentlog_unlock(S->log);
		return -2;
	}
	pxr_sentlog_unlock(S->log);
	if (rc != 0 && S->ob != NULL) {
		/* The gateway failed for now: the outbox tries again later. */
		if (queue(S, rec, S->o.now + S->o.retry_after, S->err.p, 1,
		    err) < 0)
			return -2;
		if (S->o.status != NULL)
			*S->o.status = PXR_EXIT_FINDINGS;
		if (S->m->explain) {
			pxr_buf_reset(&S->at);
			pxr_time_format(&S->at, S->o.now + S->o.retry_after);
			because(S, ": the gateway failed %d time%s; the outbox "
			    "tries again after %s", attempts, attempts == 1 ?
			    "" : "s", S->at.p);
		}
		return out(S, rec, "queued", attempts, S->err.p, err);
	}
	if (rc == 0)
		because(S, ": %sthe %s gateway took it (exit 0) on attempt %d; "
		    "the sent log records it as sent", S->resent ? "handed "
		    "over again (--resend-unknown): " : "",
		    pxr_channel_names[ch], attempts);
	else
		because(S, ": the gateway failed %d time%s; no --outbox to try "
		    "again later", attempts, attempts == 1 ? "" : "s");
	return out(S, rec, rc == 0 ? "sent" : "failed", attempts,
	    S->err.p, err);
}

/* A record of the output's schema for an outbox message. */
static void
ob_rec(struct send *S, struct pxr_rec *rec, const struct pxr_ob_msg *m)
{
	static const struct {
		int	 col;
		enum pxr_field f;
	} map[] = {
		{ PXR_OB_MESSAGE_ID, PXR_F_MESSAGE_ID },
		{ PXR_OB_CUSTOMER_ID, PXR_F_CUSTOMER_ID },
		{ PXR_OB_CHANNEL, PXR_F_CHANNEL },
		{ PXR_OB_TO, PXR_F_TO },
		{ PXR_OB_SUBJECT, PXR_F_SUBJECT },
		{ PXR_OB_BODY, PXR_F_BODY },
		{ PXR_OB_SEND_AFTER, PXR_F_SEND_AFTER },
		{ PXR_OB_REASON, PXR_F_REASON }
	};
	size_t i;

	pxr_rec_clear(rec);
	pxr_rec_fit(rec);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *v = m->f[map[i].col];
		size_t k = pxr_field_ref(S->sch, map[i].f);

		if (v[0] != '\0')
			pxr_rec_set(rec, k, PXR_STR, v, strlen(v));
	}
	pxr_rec_fit(rec);
}

/* Mark an outbox message done or given up, or keep it for later. */
static int
ob_mark(struct send *S, const struct pxr_ob_msg *m, enum pxr_ob_state st,
    int64_t after, const char *why, struct pxr_error *err)
{
	const char *f[PXR_OB__N];
	struct pxr_buf ta = { 0 };
	int rc;

	memcpy(f, m->f, sizeof(f));
	if (st == PXR_OB_QUEUED) {
		pxr_time_format(&ta, after);
		f[PXR_OB_SEND_AFTER] = ta.p;
	}
	f[PXR_OB_REASON] = why;
	rc = pxr_outbox_put(S->ob, f, st, S->o.now, err);
	pxr_buf_free(&ta);
	return rc;
}

/* The sent log's state an agent's outcome of a call stands for. */
static enum pxr_sent_state
outcome_state(const char *s)
{
	if (strcmp(s, "reached") == 0)
		return PXR_SENT_SENT;
	if (strcmp(s, "no-answer") == 0 || strcmp(s, "wrong-number") == 0 ||
	    strcmp(s, "declined") == 0)
		return PXR_SENT_FAILED;
	return PXR_SENT_NONE;
}

/* A bad record of the outcomes file: err says why; 1. */
static int
bad_outcome(struct pxr_error *err, const char *fmt, ...)
{
	char text[sizeof(err->text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pxr_error_set(err, PXR_EXIT_DATAERR, "%s", text);
	return 1;
}

/*
 * One outcome of a call (orec of the outcomes file), fed back into the
 * sent log like any delivery outcome, at called_at (else now); its
 * record goes out in rec.  0, 1 a bad record (why in err), -2 fatal.
 */
static int
outcome1(struct send *S, struct pxr_rec *orec, struct pxr_rec *rec,
    const size_t *k, struct pxr_error *err)
{
	const struct pxr_val *mv = pxr_rec_get(orec, k[0]);
	const struct pxr_val *ov = pxr_rec_get(orec, k[1]);
	const struct pxr_val *av = pxr_rec_get(orec, k[2]);
	const char *const *row;
	enum pxr_sent_state st;
	int64_t at = S->o.now, keep = S->o.now;
	struct pxr_error e;
	int rc;

	if (PXR_ISNULL(mv) || mv->n == 0 || PXR_ISNULL(ov))
		return bad_outcome(err, "an outcome needs "
		    "message_id and outcome");
	if ((st = outcome_state(ov->s)) == PXR_SENT_NONE)
		return bad_outcome(err, "outcome '%.40s' "
		    "is not reached, no-answer, wrong-number or declined",
		    ov->s);
	if (!PXR_ISNULL(av) && av->n > 0 && pxr_time_parse(av->s, av->n, NULL,
	    &at, NULL, &e) < 0)
		return bad_outcome(err, "called_at: %s",
		    e.text);
	if (pxr_calllist_lock(S->cl, S->o.lock_ms, err) < 0)
		return -2;
	if ((row = pxr_calllist_get(S->cl, mv->s, mv->n)) == NULL) {
		pxr_calllist_unlock(S->cl);
		return bad_outcome(err, "message_id '%.60s' "
		    "is not on the call list %s", mv->s,
		    pxr_calllist_path(S->cl));
	}
	pxr_rec_clear(rec);
	pxr_rec_fit(rec);
	pxr_rec_set(rec, S->f_mid, PXR_STR, row[PXR_CL_MESSAGE_ID],
	    strlen(row[PXR_CL_MESSAGE_ID]));
	pxr_rec_set(rec, S->f_cust, PXR_STR, row[PXR_CL_CUSTOMER_ID],
	    strlen(row[PXR_CL_CUSTOMER_ID]));
	pxr_rec_setref(rec, S->f_ch, PXR_STR, "phone", 5);
	pxr_rec_set(rec, S->f_to, PXR_STR, row[PXR_CL_TO],
	    strlen(row[PXR_CL_TO]));
	pxr_rec_fit(rec);
	if (lock(S, err) < 0) {
		pxr_calllist_unlock(S->cl);
		return -2;
	}
	if (pxr_sentlog_get(S->log, mv->s, mv->n) == PXR_SENT_SENT)
		return listed(S, rec, "skipped", "reached before: its outcome "
		    "is in the sent log", err) < 0 ? -2 : 0;
	S->o.now = at;
	rc = log_row(S, rec, st, err);
	pxr_calllist_unlock(S->cl);
	pxr_sentlog_unlock(S->log);
	if (rc == 0) {
		pxr_buf_reset(&S->msg);
		pxr_buf_printf(&S->msg, "call: %s", ov->s);
		rc = out(S, rec, st == PXR_SENT_SENT ? "sent" : "failed", 1,
		    st == PXR_SENT_SENT ? NULL : S->msg.p, err) < 0 ? -2 : 0;
	}
	S->o.now = keep;
	return rc;
}

/* Every outcome of the outcomes file, a bad one under --on-error. */
static int
outcomes(struct send *S, struct pxr_error *err)
{
	struct pxr_schema *osch = S->o.outcomes_sch;
	struct pxr_rec orec, rec;
	size_t k[3];
	int rc = 0, r;

	k[0] = pxr_schema_ref(osch, "message_id", 10);
	k[1] = pxr_schema_ref(osch, "outcome", 7);
	k[2] = pxr_schema_ref(osch, "called_at", 9);
	pxr_rec_init(&orec, osch);
	pxr_rec_init(&rec, S->sch);
	while (rc == 0 && (r = pxr_sidein_next(S->o.outcomes, &orec,
	    err)) != 0) {
		if (r < 0 || (rc = outcome1(S, &orec, &rec, k, err)) < 0) {
			rc = -2;
			break;
		}
		if (rc == 1)
			rc = pxr_sidein_bad(S->o.outcomes, &orec, err) < 0 ?
			    -2 : 0;
	}
	pxr_rec_fini(&orec);
	pxr_rec_fini(&rec);
	return rc;
}

/*
 * At the end of the input: hand over what the outbox holds that is due,
 * give up what waited too long.  The outbox stays locked throughout, so
 * that two runs never hand over its messages both (the sent log's claim
 * would stop the second anyway).
 */
static int
flush_outbox(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct send *S = mp->state;
	const struct pxr_ob_msg **due;
	struct pxr_rec rec;
	size_t i, nexp;
	int rc = 0;

	if (S->o.outcomes != NULL && S->cl != NULL && outcomes(S, err) < 0)
		return -2;
	if (S->nlost > 0)
		pxr_mapper_say(mp, PXR_SAY_WARN, "%zu deferred message%s not "
		    "kept anywhere: give --outbox FILE so that a later run "
		    "sends %s", S->nlost, S->nlost == 1 ? "" : "s",
		    S->nlost == 1 ? "it" : "them");
	if (S->ob == NULL || S->o.dry_run)
		return 0;
	if (pxr_outbox_lock(S->ob, S->o.lock_ms, err) < 0)
		return -2;
	S->ob_held = 1;
	due = pxr_outbox_due(S->ob, S->o.now, S->o.max_age, &nexp);
	pxr_rec_init(&rec, S->sch);
	for (i = 0; due[i] != NULL && rc == 0; i++) {
		const struct pxr_ob_msg *m = due[i];
		int ch = pxr_channel_of(m->f[PXR_OB_CHANNEL]);

		ob_rec(S, &rec, m);
		rec.file = S->o.outbox;
		rec.line = 0;
		because(S, ": not handed over; the outbox gives it up");
		if (i < nexp || ch < 0) {
			pxr_buf_reset(&S->err);
			if (ch < 0)
				pxr_buf_printf(&S->err, "channel '%s' is not "
				    "email, sms, push or phone",
				    m->f[PXR_OB_CHANNEL]);
			else
				pxr_buf_printf(&S->err, "expired: not handed "
				    "over within %lld h of %s (%s)",
				    (long long)(S->o.max_age / PXR_US_HOUR),
				    m->f[PXR_OB_QUEUED_AT], m->f[PXR_OB_REASON]);
			if (ob_mark(S, m, PXR_OB_EXPIRED, 0, S->err.p, err) < 0) {
				rc = -2;
				break;
			}
			if (S->o.status != NULL)
				*S->o.status = PXR_EXIT_FINDINGS;
			rc = out(S, &rec, "expired", 0, S->err.p, err) < 0 ? -2 :
			    0;
			continue;
		}
		S->said = NULL;
		/* deliver queues a failure again itself (a new row). */
		if (deliver(S, &rec, ch, err) < 0) {
			rc = -2;
			break;
		}
		if (S->said != NULL && strcmp(S->said, "queued") != 0 &&
		    ob_mark(S, m, PXR_OB_DONE, 0, S->said, err) < 0)
			rc = -2;
	}
	pxr_rec_fini(&rec);
	free(due);
	S->ob_held = 0;
	pxr_outbox_unlock(S->ob);
	return rc;
}

/* The end: the outbox, then the last outcome rows made durable. */
static int
send_end(struct pxr_mapper *mp, struct pxr_error *err)
{
	struct send *S = mp->state;
	struct pxr_error e2;
	int rc = flush_outbox(mp, err);

	if (pxr_sentlog_sync(S->log, rc < 0 ? &e2 : err) < 0 && rc == 0)
		rc = -2;
	return rc;
}

static void
send_free(void *state)
{
	struct send *S = state;
	int i;

	if (S == NULL)
		return;
	for (i = 0; i < PXR_NCH; i++)
		pxr_gateway_free(S->gw[i]);
	pxr_sentlog_close(S->log);
	pxr_outbox_close(S->ob);
	pxr_calllist_close(S->cl);
	pxr_buf_free(&S->msg);
	pxr_buf_free(&S->err);
	pxr_buf_free(&S->at);
	pxr_buf_free(&S->why);
	free(S);
}

struct pxr_mapper *
pxr_send_new(const struct pxr_send_opts *o, struct pxr_error *err)
{
	struct send *S = pxr_calloc(1, sizeof(*S));
	int i;

	S->o = *o;
	for (i = 0; i < PXR_NCH; i++)
		if (o->gateway[i] != NULL)
			S->gw[i] = pxr_gateway_new(o->gateway[i]);
	if (o->sent_log != NULL && (S->log = pxr_sentlog_open(o->sent_log,
	    o->dry_run, err)) == NULL) {
		free(S);
		return NULL;
	}
	if (o->sent_log == NULL && !o->dry_run) {
		free(S);
		pxr_error_set(err, PXR_EXIT_USAGE, "a sent log is needed");
		return NULL;
	}
	if (o->outbox != NULL && !o->dry_run &&
	    (S->ob = pxr_outbox_open(o->outbox, err)) == NULL) {
		send_free(S);
		return NULL;
	}
	if (o->call_list != NULL && !o->dry_run &&
	    (S->cl = pxr_calllist_open(o->call_list, err)) == NULL) {
		send_free(S);
		return NULL;
	}
	if (S->o.retry_after <= 0)
		S->o.retry_after = 15 * 60 * PXR_US_SEC;
	S->m = pxr_mapper_new("send", S, send_bind, send_map, send_end,
	    send_free);
	return S->m;
}
