/* pxr-send: hand messages to the mail and SMS gateways, each exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "rules.h"
#include "send.h"

static const char usage[] =
"usage: pxr-send --sent-log FILE [--outbox FILE] [--sendmail CMD]\n"
"                [--sms-command CMD] [--push-command CMD] [--from ADDRESS]\n"
"                [-r RULES] [--rate N/s] [--retries N] [--retry-after DUR]\n"
"                [--expire-after DUR] [--resend-unknown] [--dry-run]\n"
"                [--call-list FILE] [--call-outcomes FILE]\n"
"                [--sms-gateway CMD] [--push-gateway CMD]\n"
"                [options] [INPUT ...]\n";

static const char help[] =
"Deliver the 'ready' messages of pxr-notify (and 'deferred' ones whose\n"
"send_after has passed): e-mail as an RFC 5322 message piped to a\n"
"sendmail-compatible command with the recipient as its last argument,\n"
"SMS and push through commands run without a shell, {to} and\n"
"{message_id} replaced as whole arguments, the body on standard input.\n"
"An 'attempt' row is written and synced to the sent log before each\n"
"hand-over and a 'sent' or 'failed' row after; a message already 'sent'\n"
"is skipped, one handed over with no outcome is reported 'unknown'.\n"
"With --outbox, a message deferred to later (quiet hours, a rate limit)\n"
"or whose gateway failed is kept there ('queued'), and every run hands\n"
"over what the outbox holds that is due, input or not.\n"
"A phone message (a call by an agent) goes on the call list, once ever;\n"
"the agents' outcomes come back with --call-outcomes.\n"
"\n"
"      --sent-log FILE      the sent log (CSV, append-only, created 0600)\n"
"      --sendmail CMD       default: /usr/sbin/sendmail -i --\n"
"      --sms-command CMD    e.g. 'sms-gw --to {to} --ref {message_id}'\n"
"      --push-command CMD\n"
"      --sms-gateway CMD, --push-gateway CMD\n"
"                           one long-running gateway for the run instead:\n"
"                           a JSON line a message on its input, an outcome\n"
"                           line ({\"message_id\",\"status\":\"sent\"|\"failed\"})\n"
"                           back before the next\n"
"      --from ADDRESS       the From of e-mail (default: notify.from.email\n"
"                           of the rule file given with -r)\n"
"      --rate N/s           at most N hand-overs a second\n"
"      --retries N          retries of a failed hand-over (default 2)\n"
"      --resend-unknown     send again what was handed over with no outcome\n"
"      --dry-run            show what would be sent; write and send nothing\n"
"      --lock-timeout DUR   wait this long for the sent log's lock (60s)\n"
"      --outbox FILE        keep what cannot go yet; hand over what is due\n"
"      --retry-after DUR    retry a failed hand-over after this (15m)\n"
"      --expire-after DUR   give up a message kept longer (7d)\n"
"      --call-list FILE     the calls for agents (CSV, append-only, 0600)\n"
"      --call-outcomes FILE message_id,outcome[,called_at]: reached (sent),\n"
"                           no-answer, wrong-number, declined (failed)\n"
"      --explain            say on stderr why each message was handed over,\n"
"                           kept, skipped or failed\n"
"\n"
"example:\n"
"  pxr-notify -r plays.json --sent-log state/sent.csv < compensated.csv \\\n"
"    | pxr-send --sms-command 'sms-gw --to {to}' \\\n"
"        --sent-log state/sent.csv --outbox state/outbox.csv\n"
"  # every hour from cron: what is due, without a night's file\n"
"  pxr-send --sms-command 'sms-gw --to {to}' \\\n"
"      --sent-log state/sent.csv --outbox state/outbox.csv < /dev/null\n"
"  # thousands of SMS a second through one gateway process\n"
"  pxr-send --sms-gateway 'sms-gw --batch' --sent-log state/sent.csv \\\n"
"      < messages.csv\n"
"  # the agents' outcomes of yesterday's calls\n"
"  pxr-send --sent-log state/sent.csv --call-list state/calls.csv \\\n"
"      --call-outcomes outcomes.csv < /dev/null\n";

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

int
main(int argc, char **argv)
{
	enum { O_SENT = OPT_CMD, O_SENDMAIL, O_SMS, O_PUSH, O_FROM, O_RATE,
	    O_RETRIES, O_UNKNOWN, O_DRY, O_LOCK, O_OUTBOX, O_EXPIRE,
	    O_RETRY_AFTER, O_CALLS, O_OUTCOMES, O_SMSGW, O_PUSHGW };
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
		{ "outbox", required_argument, NULL, O_OUTBOX },
		{ "expire-after", required_argument, NULL, O_EXPIRE },
		{ "retry-after", required_argument, NULL, O_RETRY_AFTER },
		{ "call-list", required_argument, NULL, O_CALLS },
		{ "call-outcomes", required_argument, NULL, O_OUTCOMES },
		{ "sms-gateway", required_argument, NULL, O_SMSGW },
		{ "push-gateway", required_argument, NULL, O_PUSHGW },
		{ NULL, 0, NULL, 0 }
	};
	struct pxr_send_opts o;
	struct pxr_mail_addr sender;
	struct pxr_mapper *m;
	struct pxr_cli c;
	static struct pxr_rules *volatile R;	/* kept to the end: tz, From */
	struct pxr_tz *tz;
	const char *from = NULL, *outcomes = NULL;
	char *end;
	int ch;

	memset(&o, 0, sizeof(o));
	o.retries = 2;
	o.max_age = 7 * PXR_US_DAY;
	o.lock_ms = 60000;
	pxr_cli_init(&c, argv, "pxr-send", usage, help);
	while ((ch = getopt_long(argc, argv, PXR_CLI_SHORT, longopts,
	    NULL)) != -1) {
		if (pxr_cli_option(&c, ch, optarg))
			continue;
		switch (ch) {
		case O_SENT: o.sent_log = optarg; break;
		case O_SENDMAIL:
			o.cmd[PXR_CH_EMAIL] = split_cmd(&c, "--sendmail",
			    optarg);
			break;
		case O_SMS:
			o.cmd[PXR_CH_SMS] = split_cmd(&c, "--sms-command",
			    optarg);
			break;
		case O_PUSH:
			o.cmd[PXR_CH_PUSH] = split_cmd(&c,
			    "--push-command", optarg);
			break;
		case O_FROM: from = optarg; break;
		case O_RATE:
			o.rate = strtod(optarg, &end);
			if (end == optarg || o.rate <= 0 || (*end != '\0' &&
			    strcmp(end, "/s") != 0))
				pxr_cli_usage(&c, "--rate: expected N/s, e.g. "
				    "20/s");
			break;
		case O_RETRIES:
			o.retries = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.retries < 0 || o.retries > 20)
				pxr_cli_usage(&c, "--retries: a number from 0 "
				    "to 20");
			break;
		case O_UNKNOWN: o.resend_unknown = 1; break;
		case O_DRY: o.dry_run = 1; break;
		case O_LOCK: o.lock_ms = pxr_cli_ms(&c, "--lock-timeout",
		    optarg); break;
		case O_OUTBOX: o.outbox = optarg; break;
		case O_EXPIRE:
			o.max_age = (int64_t)pxr_cli_ms(&c, "--expire-after",
			    optarg) * 1000;
			break;
		case O_RETRY_AFTER:
			o.retry_after = (int64_t)pxr_cli_ms(&c, "--retry-after",
			    optarg) * 1000;
			break;
		case O_CALLS: o.call_list = optarg; break;
		case O_OUTCOMES: outcomes = optarg; break;
		case O_SMSGW:
			o.gateway[PXR_CH_SMS] = split_cmd(&c, "--sms-gateway",
			    optarg);
			break;
		case O_PUSHGW:
			o.gateway[PXR_CH_PUSH] = split_cmd(&c,
			    "--push-gateway", optarg);
			break;
		default: pxr_cli_usage(&c, NULL);
		}
	}
	if (o.sent_log == NULL && !o.dry_run)
		pxr_cli_usage(&c, "--sent-log FILE is required");
	if (o.gateway[PXR_CH_SMS] != NULL && o.cmd[PXR_CH_SMS] != NULL)
		pxr_cli_usage(&c, "--sms-gateway or --sms-command, not both");
	if (o.gateway[PXR_CH_PUSH] != NULL && o.cmd[PXR_CH_PUSH] != NULL)
		pxr_cli_usage(&c, "--push-gateway or --push-command, not both");
	if (o.cmd[PXR_CH_EMAIL] == NULL)
		o.cmd[PXR_CH_EMAIL] = split_cmd(&c, "--sendmail",
		    "/usr/sbin/sendmail -i --");
	tz = pxr_tz_env();
	if (c.rules != NULL) {
		/* Kept to the end: the From may be the rule file's. */
		R = pxr_cli_rules(&c);
		tz = R->tz;
		if (from == NULL && R->notify.from[PXR_CH_EMAIL] != NULL)
			from = R->notify.from[PXR_CH_EMAIL];
	}
	if (from != NULL) {
		if (pxr_mail_addr_parse(from, &sender, &c.err) < 0)
			pxr_cli_usage(&c, "--from: %s", c.err.text);
		o.from = &sender;
	}
	if (outcomes != NULL) {
		if (o.call_list == NULL)
			pxr_cli_usage(&c, "--call-outcomes needs --call-list "
			    "FILE");
		o.outcomes_sch = pxr_schema_new();
		o.outcomes = pxr_cli_sidein(&c, outcomes, o.outcomes_sch);
	}
	o.now = pxr_cli_now(&c, tz);
	o.status = &c.status;
	if ((m = pxr_send_new(&o, &c.err)) == NULL)
		pxr_cli_die(&c, &c.err);
	pxr_cli_run_mapper(&c, m, argc - optind, argv + optind);
}
