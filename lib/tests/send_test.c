/* send_test.c: the send stage as a mapper, in-process, and the sent log. */
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "send.h"
#include "sentlog.h"
#include "stagerun.h"
#include "unit.h"

static char logpath[64], gwpath[64];
static int status;

/* A stand-in gateway: "to=TO id=ID" and the body, appended to gwpath. */
static char *gw[] = { "/bin/sh", "-c",
    "printf 'to=%s id=%s\\n' \"$1\" \"$2\" >> \"$0\"; cat >> \"$0\"",
    gwpath, "{to}", "{message_id}", NULL };
static char *nosuch[] = { "pxr-no-such-gateway", "{to}", NULL };

static char *
run(int dry, int resend, char **cmd, const char *csv)
{
	struct pxr_send_opts o;
	struct pxr_error e;
	struct pxr_mapper *m;
	struct stagerun r;
	char *out;

	memset(&o, 0, sizeof(o));
	o.sent_log = logpath;
	o.cmd[PXR_CH_SMS] = cmd;
	o.dry_run = dry;
	o.resend_unknown = resend;
	o.lock_ms = 1000;
	o.now = (int64_t)1795262400 * 1000000;	/* 2026-11-21T12:00:00Z */
	o.status = &status;
	if ((m = pxr_send_new(&o, &e)) == NULL) {
		printf("# %s\n", e.text);
		return pxr_strdup("");
	}
	if (stagerun_chain(&r, &m, 1, csv) < 0)
		printf("# fatal: %s\n", r.err.text);
	out = pxr_strdup(r.out != NULL ? r.out : "");
	stagerun_free(&r);
	pxr_mapper_free(m);
	return out;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct pxr_buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return pxr_strdup("");
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		pxr_buf_add(&b, chunk, n);
	fclose(fp);
	return b.p != NULL ? b.p : pxr_strdup("");
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

#define HEAD "message_id,customer_id,channel,to,body,status\n"
#define OUTHEAD "message_id,customer_id,channel,to,body,status,attempts," \
    "error,sent_at\n"

int
main(void)
{
	struct pxr_error e;
	struct pxr_sentlog *sl;
	char *out, *s;
	size_t torn, i;
	FILE *fp;
	clock_t t0;

	(void)stagerun_file;	/* not needed here */
	snprintf(logpath, sizeof(logpath), "/tmp/pxr-send-test-%d.csv",
	    (int)getpid());
	snprintf(gwpath, sizeof(gwpath), "/tmp/pxr-send-test-%d.gw",
	    (int)getpid());
	unlink(logpath);
	unlink(gwpath);

	CHECK_STR(pxr_sentlog_cols[PXR_SL_MESSAGE_ID], "message_id",
	    "the sent log's columns by name");
	CHECK_STR(pxr_sentlog_cols[PXR_SL_STATUS], "status", "status");
	CHECK(pxr_sentlog_state("sent") == PXR_SENT_SENT &&
	    pxr_sentlog_state("bogus") == PXR_SENT_NONE, "states");

	out = run(0, 0, gw, HEAD "m1,C1,sms,+46701,hello,ready\n"
	    "m2,C2,sms,+46702,later,deferred\n"
	    "m3,C3,sms,+46703,no,suppressed\n");
	CHECK_STR(out, OUTHEAD
	    "m1,C1,sms,+46701,hello,sent,1,,2026-11-21T12:00:00Z\n"
	    "m3,C3,sms,+46703,no,skipped,0,suppressed: ?,\n",
	    "a ready message is sent, a suppressed one skipped; a deferred "
	    "one without send_after is a bad record");
	free(out);
	s = slurp(gwpath);
	CHECK_STR(s, "to=+46701 id=m1\nhello", "the gateway got {to}, "
	    "{message_id} and the body");
	free(s);
	s = slurp(logpath);
	CHECK_STR(s, "sent_at,message_id,customer_id,channel,to,status\n"
	    "2026-11-21T12:00:00Z,m1,C1,sms,+46701,attempt\n"
	    "2026-11-21T12:00:00Z,m1,C1,sms,+46701,sent\n",
	    "an attempt row before the hand-over, sent after");
	free(s);

	status = 0;
	out = run(0, 0, gw, HEAD "m1,C1,sms,+46701,hello,ready\n");
	CHECK_STR(out, OUTHEAD "m1,C1,sms,+46701,hello,skipped,0,already "
	    "sent,\n", "a rerun skips what was sent");
	free(out);
	CHECK(status == 0, "and exits 0");

	put(logpath, "sent_at,message_id,customer_id,channel,to,status\n"
	    "2026-11-21T11:00:00Z,u1,C1,sms,+46701,attempt\n"
	    "2026-11-21T11:00:00Z,s1,C1,sms,+46701,attempt\n"
	    "2026-11-21T11:00:01Z,s1,C1,sms,+46701,sent\n");
	out = run(1, 0, gw, HEAD "u1,C1,sms,+46701,a,ready\n"
	    "s1,C1,sms,+46701,b,ready\nn1,C1,sms,+46701,c,ready\n");
	CHECK_STR(out, OUTHEAD "u1,C1,sms,+46701,a,unknown,0,handed over "
	    "before with no outcome; not sent again (see --resend-unknown),\n"
	    "s1,C1,sms,+46701,b,skipped,0,already sent,\n"
	    "n1,C1,sms,+46701,c,skipped,0,dry run: would send,\n",
	    "a dry run reads the sent log: unknown, already sent, would send");
	free(out);
	CHECK(status == 1, "an unknown message: status 1");
	out = run(0, 1, gw, HEAD "u1,C1,sms,+46701,a,ready\n");
	CHECK(strstr(out, ",sent,1,") != NULL, "--resend-unknown sends it");
	free(out);

	unlink(gwpath);
	out = run(0, 0, gw, HEAD "--x,C1,sms,+46701,a,ready\n");
	CHECK(strstr(out, ",failed,0,message_id starts with '-'") != NULL,
	    "an id that a gateway would take for an option fails: %s", out);
	free(out);
	CHECK(access(gwpath, F_OK) < 0, "and is not handed over");

	out = run(0, 0, nosuch, HEAD "g1,C1,sms,+46701,a,ready\n");
	CHECK(strstr(out, ",failed,1,pxr-no-such-gateway: No such file or "
	    "directory,") != NULL, "a gateway that cannot run: its error "
	    "(no retries asked): %s", out);
	free(out);

	/* A big sent log loads in linear time (one hash map). */
	unlink(logpath);
	fp = fopen(logpath, "w");
	fputs("sent_at,message_id,customer_id,channel,to,status\n", fp);
	for (i = 0; i < 300000; i++)
		fprintf(fp, "2026-11-21T11:00:00Z,id-%zu:sms,C%zu,sms,+46701,"
		    "sent\n", i, i);
	fclose(fp);
	t0 = clock();
	sl = pxr_sentlog_open(logpath, 1, &e);
	CHECK(sl != NULL && pxr_sentlog_lock(sl, 1000, &torn, &e) == 0,
	    "a 300,000-row log opens");
	if (sl != NULL) {
		CHECK(pxr_sentlog_count(sl) == 300000 &&
		    pxr_sentlog_get(sl, "id-299999:sms", 13) == PXR_SENT_SENT &&
		    pxr_sentlog_get(sl, "id-300000:sms", 13) == PXR_SENT_NONE,
		    "every id known (%zu)", pxr_sentlog_count(sl));
		pxr_sentlog_unlock(sl);
	}
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0, "in %.2f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	pxr_sentlog_close(sl);
	unlink(logpath);
	unlink(gwpath);
	UNIT_END();
}
