/* pxr-send: hand messages to the mail and SMS gateways, each exactly once. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mail.h"
#include "rules.h"
#include "state.h"

static const char usage[] =
"usage: pxr-send --sent-log FILE [--sendmail CMD] [--sms-command CMD]\n"
"                [--push-command CMD] [--from ADDRESS] [-r RULES] [--rate N/s]\n"
"                [--retries N] [--resend-unknown] [--dry-run] [options]\n"
"                [INPUT ...]\n";

static const char help[] =
"Deliver the 'ready' messages of pxr-notify (and 'deferred' ones whose\n"
"send_after has passed): e-mail as an RFC 5322 message piped to a\n"
"sendmail-compatible command with the recipient as its last argument,\n"
"SMS and push through commands run without a shell, {to} and\n"
"{message_id} replaced as whole arguments, the body on standard input.\n"
"An 'attempt' row is written and synced to the sent log before each\n"
"hand-over and a 'sent' or 'failed' row after; a message already 'sent'\n"
"is skipped, one handed over with no outcome is reported 'unknown'.\n"
"\n"
"      --sent-log FILE      the sent log (CSV, append-only, created 0600)\n"
"      --sendmail CMD       default: /usr/sbin/sendmail -i --\n"
"      --sms-command CMD    e.g. 'sms-gw --to {to} --ref {message_id}'\n"
"      --push-command CMD\n"
"      --from ADDRESS       the From of e-mail (default: notify.from.email\n"
"                           of the rule file given with -r)\n"
"      --rate N/s           at most N hand-overs a second\n"
"      --retries N          retries of a failed hand-over (default 2)\n"
"      --resend-unknown     send again what was handed over with no outcome\n"
"      --dry-run            show what would be sent; write and send nothing\n"
"      --lock-timeout DUR   wait this long for the sent log's lock (60s)\n"
"\n"
"example:\n"
"  pxr-notify -r plays.json --sent-log state/sent.csv < compensated.csv \\\n"
"    | pxr-send --sent-log state/sent.csv --sms-command 'sms-gw --to {to}'\n";

static const char *const sent_cols[] = {
	"sent_at", "message_id", "customer_id", "channel", "to", "status", NULL
};

struct known {
	struct known *next;
	char	*id;
	int	 state;		/* 1 attempt, 2 sent, 3 failed */
};

struct send {
	const char *sentlog;
	char	**sendmail, **sms, **push;
	struct pxr_mail_addr *from;
	double	 rate;
	int	 retries;
	int	 resend_unknown;
	int	 dry;
	long	 lock_ms;
	int64_t	 now;
	struct pxr_state *st;
	struct known **tab;
	size_t	 ntab;
	size_t	 f_mid, f_cust, f_ch, f_to, f_subj, f_body, f_status,
		 f_after, f_reason;
	size_t	 o_status, o_attempts, o_error, o_sent_at;
	struct timespec last;
};

static struct send S;

static struct known *
known(const char *id, int add)
{
	struct known **slot = &S.tab[pxr_hash(id, strlen(id)) & (S.ntab - 1)], *k;

	for (k = *slot; k != NULL; k = k->next)
		if (strcmp(k->id, id) == 0)
			return k;
	if (!add)
		return NULL;
	k = pxr_calloc(1, sizeof(*k));
	k->id = pxr_strdup(id);
	k->next = *slot;
	*slot = k;
	return k;
}

static int
sent_row(void *ctx, char **f, size_t *l, long line)
{
	struct known *k = known(f[1], 1);
	int st = strcmp(f[5], "attempt") == 0 ? 1 : strcmp(f[5], "sent") == 0 ?
	    2 : strcmp(f[5], "failed") == 0 ? 3 : 0;

	(void)ctx;
	(void)l;
	(void)line;
	/* A message once sent stays sent, whatever follows. */
	if (k->state != 2 && st != 0)
		k->state = st;
	return 0;
}

/* Split a command line like a shell would (quotes, backslashes), no shell. */
static char **
split_cmd(struct pxr_cli *c, const char *opt, const char *s)
{
	char **v = NULL;
	size_t n = 0;
	struct pxr_buf a = { 0 };
	int in = 0;
	char q = 0;

	for (;; s++) {
		if (*s == '\0' || (!q && (*s == ' ' || *s == '\t'))) {
			if (q)
				pxr_cli_usage(c, "%s: unterminated quote", opt);
			if (in) {
				v = pxr_reallocarray(v, n + 2, sizeof(*v));
				v[n++] = pxr_strndup(a.p != NULL ? a.p : "",
				    a.len);
				pxr_buf_reset(&a);
				in = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		in = 1;
		if (q == 0 && (*s == '\'' || *s == '"')) {
			q = *s;
			continue;
		}
		if (q != 0 && *s == q) {
			q = 0;
			continue;
		}
		if (*s == '\\' && q != '\'' && s[1] != '\0') {
			s++;
			pxr_buf_addc(&a, *s);
			continue;
		}
		pxr_buf_addc(&a, *s);
	}
	pxr_buf_free(&a);
	if (n == 0)
		pxr_cli_usage(c, "%s: empty command", opt);
	v[n] = NULL;
	return v;
}

/* ---- addresses ---- */

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

static void
build_email(struct pxr_buf *m, const struct pxr_rec *rec, const char *to,
    const char *mid)
{
	const struct pxr_val *sv = pxr_rec_get(rec, S.f_subj);
	const struct pxr_val *bv = pxr_rec_get(rec, S.f_body);
	struct pxr_mail mail;
	struct pxr_error e;

	memset(&mail, 0, sizeof(mail));
	mail.from = S.from;
	mail.to = to;
	if (!PXR_ISNULL(sv)) {
		mail.subject = sv->s;
		mail.subject_len = sv->n;
	}
	if (!PXR_ISNULL(bv)) {
		mail.body = bv->s;
		mail.body_len = bv->n;
	}
	mail.message_id = mid;
	mail.message_id_len = strlen(mid);
	mail.date = S.now;
	/* The address was checked before: this cannot fail. */
	(void)pxr_mail_format(m, &mail, &e);
}

/* ---- hand-over ---- */

/* Run argv with input on its stdin; its stdout goes to our stderr. */
static int
run(char **tmpl, const char *to, const char *mid, int to_last,
    const char *input, size_t n, char *errbuf, size_t errn)
{
	char **argv;
	size_t i, k = 0;
	int fds[2], status, found = 0;
	pid_t pid;
	struct sigaction ign, old;

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
		snprintf(errbuf, errn, "pipe: %s", strerror(errno));
		free(argv);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(errbuf, errn, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(argv);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		dup2(2, 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "pxr-send: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
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
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	free(argv);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(errbuf, errn, "%s exited %d", tmpl[0],
		    WEXITSTATUS(status));
	else
		snprintf(errbuf, errn, "%s killed by signal %d", tmpl[0],
		    WTERMSIG(status));
	return -1;
}

static void
pace(void)
{
	struct timespec now, wait;
	double gap;

	if (S.rate <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	gap = 1.0 / S.rate - ((double)(now.tv_sec - S.last.tv_sec) +
	    (double)(now.tv_nsec - S.last.tv_nsec) / 1e9);
	if (S.last.tv_sec != 0 && gap > 0) {
		wait.tv_sec = (time_t)gap;
		wait.tv_nsec = (long)((gap - (double)wait.tv_sec) * 1e9);
		nanosleep(&wait, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &S.last);
}

static int
log_row(struct pxr_cli *c, const struct pxr_rec *rec, const char *mid,
    const char *status)
{
	const struct pxr_val *cv = pxr_rec_get(rec, S.f_cust);
	const struct pxr_val *chv = pxr_rec_get(rec, S.f_ch);
	const struct pxr_val *tv = pxr_rec_get(rec, S.f_to);
	struct pxr_buf t = { 0 };
	const char *f[6];
	size_t torn;
	int rc = 0;

	if (pxr_state_lock(S.st, S.lock_ms, &c->err) < 0)
		return -1;
	if (pxr_state_refresh(S.st, sent_row, NULL, &torn, &c->err) < 0) {
		pxr_state_unlock(S.st);
		return -1;
	}
	if (torn > 0)
		pxr_cli_warn(c, "%s: a torn last row (%zu bytes) was ignored "
		    "and cut off", S.sentlog, torn);
	pxr_time_format(&t, S.now);
	f[0] = t.p;
	f[1] = mid;
	f[2] = PXR_ISNULL(cv) ? "" : cv->s;
	f[3] = PXR_ISNULL(chv) ? "" : chv->s;
	f[4] = PXR_ISNULL(tv) ? "" : tv->s;
	f[5] = status;
	pxr_state_add(S.st, f);
	if (pxr_state_commit(S.st, &c->err) < 0)
		rc = -1;
	pxr_state_unlock(S.st);
	pxr_buf_free(&t);
	return rc;
}

static int
bind(struct pxr_cli *c, struct pxr_schema *sch)
{
	(void)c;
	S.f_mid = pxr_schema_ref(sch, "message_id", 10);
	S.f_cust = pxr_schema_ref(sch, "customer_id", 11);
	S.f_ch = pxr_schema_ref(sch, "channel", 7);
	S.f_to = pxr_schema_ref(sch, "to", 2);
	S.f_subj = pxr_schema_ref(sch, "subject", 7);
	S.f_body = pxr_schema_ref(sch, "body", 4);
	S.f_status = pxr_schema_ref(sch, "status", 6);
	S.f_after = pxr_schema_ref(sch, "send_after", 10);
	S.f_reason = pxr_schema_ref(sch, "reason", 6);
	/* message_id, channel, to stay where they are; then these. */
	pxr_schema_add(sch, "message_id", 10);
	pxr_schema_add(sch, "channel", 7);
	pxr_schema_add(sch, "to", 2);
	S.o_status = pxr_schema_add(sch, "status", 6);
	S.o_attempts = pxr_schema_add(sch, "attempts", 8);
	S.o_error = pxr_schema_add(sch, "error", 5);
	S.o_sent_at = pxr_schema_add(sch, "sent_at", 7);
	return 0;
}

static int
out(struct pxr_cli *c, struct pxr_rec *rec, const char *status, int attempts,
    const char *error)
{
	pxr_rec_setref(rec, S.o_status, PXR_STR, status, strlen(status));
	pxr_rec_setf(rec, S.o_attempts, PXR_NUM, "%d", attempts);
	if (error != NULL && *error != '\0')
		pxr_rec_set(rec, S.o_error, PXR_STR, error, strlen(error));
	else
		pxr_rec_setnull(rec, S.o_error);
	if (strcmp(status, "sent") == 0) {
		struct pxr_buf t = { 0 };

		pxr_time_format(&t, S.now);
		pxr_rec_set(rec, S.o_sent_at, PXR_STR, t.p, t.len);
		pxr_buf_free(&t);
	} else
		pxr_rec_setnull(rec, S.o_sent_at);
	if (strcmp(status, "failed") == 0 || strcmp(status, "unknown") == 0)
		c->status = PXR_EXIT_FINDINGS;
	return pxr_cli_emit(c, rec);
}

static int
map(struct pxr_cli *c, struct pxr_rec *rec)
{
	const struct pxr_val *mv = pxr_rec_get(rec, S.f_mid);
	const struct pxr_val *chv = pxr_rec_get(rec, S.f_ch);
	const struct pxr_val *tv = pxr_rec_get(rec, S.f_to);
	const struct pxr_val *stv = pxr_rec_get(rec, S.f_status);
	const struct pxr_val *av = pxr_rec_get(rec, S.f_after);
	char mid[1024], to[1024], err[512] = "", status[32];
	struct known *k;
	struct pxr_buf msg = { 0 };
	char **cmd;
	int ch, attempts = 0, rc;
	size_t torn;

	if (PXR_ISNULL(mv) || PXR_ISNULL(chv))
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "no "
		    "message_id or channel: is this the output of pxr-notify?");
	snprintf(mid, sizeof(mid), "%s", mv->s);
	snprintf(to, sizeof(to), "%s", PXR_ISNULL(tv) ? "" : tv->s);
	snprintf(status, sizeof(status), "%s", PXR_ISNULL(stv) ? "ready" :
	    stv->s);
	ch = strcmp(chv->s, "email") == 0 ? 0 : strcmp(chv->s, "sms") == 0 ?
	    1 : strcmp(chv->s, "push") == 0 ? 2 : -1;
	if (ch < 0)
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "column "
		    "'channel': '%s' is not email, sms or push", chv->s);
	if (strcmp(status, "suppressed") == 0) {
		const struct pxr_val *rv = pxr_rec_get(rec, S.f_reason);

		snprintf(err, sizeof(err), "suppressed: %s", PXR_ISNULL(rv) ?
		    "?" : rv->s);
		return out(c, rec, "skipped", 0, err);
	}
	if (strcmp(status, "deferred") == 0) {
		int64_t after;
		struct pxr_error e;

		if (PXR_ISNULL(av) || pxr_time_parse(av->s, av->n, NULL, &after,
		    NULL, &e) < 0)
			return pxr_error_set(&c->err, PXR_EXIT_DATAERR,
			    "column 'send_after': not a time");
		if (after > S.now)
			return out(c, rec, "deferred", 0, NULL);
	} else if (strcmp(status, "ready") != 0)
		return pxr_error_set(&c->err, PXR_EXIT_DATAERR, "column "
		    "'status': '%s' is not ready, deferred or suppressed",
		    status);
	if (S.dry)
		return out(c, rec, "skipped", 0, "dry run: would send");
	/* What the sent log knows now, under its lock. */
	if (pxr_state_lock(S.st, S.lock_ms, &c->err) < 0 ||
	    pxr_state_refresh(S.st, sent_row, NULL, &torn, &c->err) < 0)
		return -2;
	pxr_state_unlock(S.st);
	k = known(mid, 0);
	if (k != NULL && k->state == 2)
		return out(c, rec, "skipped", 0, "already sent");
	if (k != NULL && k->state == 1 && !S.resend_unknown)
		return out(c, rec, "unknown", 0, "handed over before with no "
		    "outcome; not sent again (see --resend-unknown)");
	if ((ch == 0 && !pxr_mail_addr_ok(to, strlen(to))) || (ch == 1 && !valid_phone(to)) ||
	    (ch == 2 && !valid_token(to))) {
		snprintf(err, sizeof(err), "invalid %s address: \"%.60s\"",
		    chv->s, to);
		if (log_row(c, rec, mid, "failed") < 0)
			return -2;
		known(mid, 1)->state = 3;
		return out(c, rec, "failed", 0, err);
	}
	cmd = ch == 0 ? S.sendmail : ch == 1 ? S.sms : S.push;
	if (cmd == NULL) {
		snprintf(err, sizeof(err), "no --%s given", ch == 1 ?
		    "sms-command" : "push-command");
		return out(c, rec, "failed", 0, err);
	}
	if (ch == 0)
		build_email(&msg, rec, to, mid);
	else {
		const struct pxr_val *bv = pxr_rec_get(rec, S.f_body);

		if (!PXR_ISNULL(bv))
			pxr_buf_add(&msg, bv->s, bv->n);
	}
	/* The attempt is durable before the gateway hears of it. */
	if (log_row(c, rec, mid, "attempt") < 0) {
		pxr_buf_free(&msg);
		return -2;
	}
	known(mid, 1)->state = 1;
	for (;;) {
		pace();
		attempts++;
		err[0] = '\0';
		rc = run(cmd, to, mid, ch == 0, msg.p != NULL ? msg.p : "",
		    msg.len, err, sizeof(err));
		if (rc == 0 || attempts > S.retries)
			break;
		{
			struct timespec w = { 0, 100000000L * attempts };

			nanosleep(&w, NULL);
		}
	}
	pxr_buf_free(&msg);
	if (log_row(c, rec, mid, rc == 0 ? "sent" : "failed") < 0)
		return -2;
	known(mid, 1)->state = rc == 0 ? 2 : 3;
	return out(c, rec, rc == 0 ? "sent" : "failed", attempts, err);
}

int
main(int argc, char **argv)
{
	enum { O_SENT = OPT_CMD, O_SENDMAIL, O_SMS, O_PUSH, O_FROM, O_RATE,
	    O_RETRIES, O_UNKNOWN, O_DRY, O_LOCK };
	static const struct option longopts[] = {
		PXR_CLI_LONG,
		{ "sent-log", required_argument, NULL, O_SENT },
		{ "sendmail", required_argument, NULL, O_SENDMAIL },
		{ "sms-command", required_argument, NULL, O_SMS },
		{ "push-command", required_argument, NULL, O_PUSH },
		{ "from", required_argument, NULL, O_FROM },
		{ "rate", required_argument, NULL, O_RATE },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "resend-unknown", no_argument, NULL, O_UNKNOWN },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "lock-timeout", required_argument, NULL, O_LOCK },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_stage st = { NULL, bind, map, NULL };
	struct pxr_cli c;
	struct pxr_tz *tz;
	const char *from = NULL;
	char *end;
	int ch;

	S.retries = 2;
	S.lock_ms = 60000;
	S.ntab = 65536;
	S.tab = pxr_calloc(S.ntab, sizeof(*S.tab));
	pxr_cli_init(&c, argv, "pxr-send", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_SENT: S.sentlog = optarg; break;
		case O_SENDMAIL:
			S.sendmail = split_cmd(&c, "--sendmail", optarg);
			break;
		case O_SMS: S.sms = split_cmd(&c, "--sms-command", optarg);
			break;
		case O_PUSH: S.push = split_cmd(&c, "--push-command", optarg);
			break;
		case O_FROM: from = optarg; break;
		case O_RATE:
			S.rate = strtod(optarg, &end);
			if (end == optarg || S.rate <= 0 || (*end != '\0' &&
			    strcmp(end, "/s") != 0))
				pxr_cli_usage(&c, "--rate: expected N/s, e.g. "
				    "20/s");
			break;
		case O_RETRIES:
			S.retries = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || S.retries < 0 || S.retries > 20)
				pxr_cli_usage(&c, "--retries: a number from 0 "
				    "to 20");
			break;
		case O_UNKNOWN: S.resend_unknown = 1; break;
		case O_DRY: S.dry = 1; break;
		case O_LOCK: S.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (S.sentlog == NULL && !S.dry)
		pxr_cli_usage(&c, "--sent-log FILE is required");
	if (S.sendmail == NULL)
		S.sendmail = split_cmd(&c, "--sendmail",
		    "/usr/sbin/sendmail -i --");
	tz = pxr_tz_env();
	if (c.rules != NULL) {
		struct pxr_rules *R = pxr_cli_rules(&c);

		tz = R->tz;
		if (from == NULL && R->notify.from[PXR_CH_EMAIL] != NULL)
			from = R->notify.from[PXR_CH_EMAIL];
	}
	if (from != NULL) {
		S.from = pxr_calloc(1, sizeof(*S.from));
		if (pxr_mail_addr_parse(from, S.from, &c.err) < 0)
			pxr_cli_usage(&c, "--from: %s", c.err.text);
	}
	S.now = pxr_cli_now(&c, tz);
	if (S.sentlog != NULL) {
		S.st = pxr_state_open(S.sentlog, sent_cols, S.dry, &c.err);
		if (S.st == NULL)
			pxr_cli_die(&c, &c.err);
	}
	pxr_cli_run(&c, &st, argc - optind, argv + optind);
}
