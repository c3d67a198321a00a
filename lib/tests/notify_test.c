/* notify_test.c: the notify stage as a mapper, in-process. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

static char dir[] = "/tmp/pxr-notify-test-XXXXXX";
static char fatal[1024];	/* the last run's fatal error, or "" */

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

static void
rm(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* The rule file text (its templates in dir), loaded. */
static struct pxr_rules *
load(const char *fmt)
{
	struct pxr_diags d = { 0 };
	char text[2048];
	const char *path;
	struct pxr_rules *R;

	snprintf(text, sizeof(text), fmt, dir);
	if ((path = stagerun_file(text, ".json")) == NULL)
		return NULL;
	R = pxr_rules_load(path, &d);
	if (R == NULL && d.n > 0)
		printf("# %s\n", d.v[0].msg);
	pxr_diags_free(&d);
	unlink(path);
	return R;
}

/* Run csv through a notify stage; the output projected on a few fields. */
static char *
run(struct pxr_rules *R, const struct pxr_notify_opts *o, const char *csv,
    int *nbad)
{
	struct pxr_error e;
	struct pxr_mapper *m = pxr_notify_new(o, R, &e);
	struct stagerun r;
	struct pxr_buf b = { 0 };
	static const char *const want[5] = { "message_id", "channel",
	    "locale", "status", "reason" };
	int col[5] = { -1, -1, -1, -1, -1 }, i;
	char *out, *line, *save;

	if (m == NULL) {
		printf("# new: %s\n", e.text);
		return pxr_strdup("");
	}
	fatal[0] = '\0';
	if (stagerun_chain(&r, &m, 1, csv) < 0)
		snprintf(fatal, sizeof(fatal), "%s", r.err.text);
	if (nbad != NULL)
		*nbad = r.nbad;
	out = pxr_strdup(r.out != NULL ? r.out : "");
	/* Keep message_id, channel, locale, status and reason, found by
	 * the header (no field here holds a comma). */
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *p = line;
		int n = 0, k;

		f[n++] = p;
		while (n < 64 && (p = strchr(p, ',')) != NULL) {
			*p++ = '\0';
			f[n++] = p;
		}
		if (col[0] < 0)
			for (i = 0; i < 5; i++)
				for (k = 0; k < n; k++)
					if (strcmp(f[k], want[i]) == 0)
						col[i] = k;
		for (i = 0; i < 5; i++)
			pxr_buf_printf(&b, "%s%s", i > 0 ? " " : "",
			    col[i] >= 0 && col[i] < n ? f[col[i]] : "?");
		pxr_buf_addc(&b, '\n');
	}
	free(out);
	stagerun_free(&r);
	pxr_mapper_free(m);
	return b.p != NULL ? b.p : pxr_strdup("");
}

int
main(void)
{
	struct pxr_notify_opts o = { 0 };
	struct pxr_rules *R;
	char *out;
	int nbad;

	if (mkdtemp(dir) == NULL)
		return 1;
	put("t.sv.sms", "Hej {{name}}");
	put("t.en.sms", "Hi {{name}}");
	put("t.sv.email", "Subject: Hej\n\nHej {{name}}");
	R = load("{ \"version\": 1,\n"
	    "  \"defaults\": { \"currency\": \"SEK\", \"locale\": \"sv\" },\n"
	    "  \"rules\": [ { \"id\": \"out\", \"when\": \"true\",\n"
	    "    \"notify\": { \"channels\": [\"sms\", \"email\"], "
	    "\"template\": \"t\" } } ],\n"
	    "  \"notify\": { \"templates\": \"%s\",\n"
	    "    \"fields\": { \"locale\": \"lang\" } } }\n");
	CHECK(R != NULL, "the rule file loads");
	if (R == NULL)
		UNIT_END();
	o.now = 1795000000LL * 1000000;
	out = run(R, &o, "incident_id,rule,customer_id,name,phone,email,lang\n"
	    "i1,out,C1,Åsa,+46701,,sv-SE\n"
	    "i2,out,C2,Bo,,bo@example.se,en\n"
	    "i3,out,C3,Cy,,,sv\n"
	    "i4,out,C4,Di,+45201,,da\n", &nbad);
	CHECK_STR(out,
	    "message_id channel locale status reason\n"
	    "i1:sms sms sv ready \n"
	    "i2:email email sv ready \n"
	    "i3:sms sms sv suppressed no-address\n"
	    "i4:sms sms sv ready \n",
	    "the first channel with an address; the locale chain "
	    "sv-SE, sv, then the default; no address is said");
	free(out);
	out = run(R, &o, "incident_id,rule,customer_id,name,phone\n"
	    "i1,nosuch,C1,A,+46701\ni2,out,C2,B,+46702\n", &nbad);
	CHECK(nbad == 1, "a rule not in the file is a bad record (%d)", nbad);
	free(out);
	pxr_rules_free(R);

	/* Issue 14: with all, each channel its own template by locale. */
	put("t.da.email", "Subject: Hej\n\nHej {{name}}");
	R = load("{ \"version\": 1,\n"
	    "  \"defaults\": { \"locale\": \"sv\" },\n"
	    "  \"rules\": [ { \"id\": \"out\", \"when\": \"true\",\n"
	    "    \"notify\": { \"channels\": [\"sms\", \"email\"], "
	    "\"all\": true, \"template\": \"t\" } } ],\n"
	    "  \"notify\": { \"templates\": \"%s\",\n"
	    "    \"fields\": { \"locale\": \"locale\" } } }\n");
	CHECK(R != NULL, "the rule file with all loads");
	out = run(R, &o, "incident_id,rule,customer_id,name,phone,email,locale\n"
	    "i1,out,C1,Søren,+45201,s@example.dk,da\n", &nbad);
	CHECK_STR(out,
	    "message_id channel locale status reason\n"
	    "i1:sms sms sv ready \n"
	    "i1:email email da ready \n",
	    "no Danish SMS: the fallback; the Danish e-mail all the same");
	free(out);

	/* Issue 15: a placeholder without a value is never sent as a gap. */
	out = run(R, &o, "incident_id,rule,customer_id,phone,email,locale\n"
	    "i1,out,C1,+45201,s@example.dk,da\n", &nbad);
	CHECK_STR(out,
	    "message_id channel locale status reason\n"
	    "i1:sms sms da suppressed missing-field name\n"
	    "i1:email email da suppressed missing-field name\n",
	    "no 'name' in the record: suppressed missing-field name");
	free(out);

	/* Issue 15: the input's status is never overwritten silently. */
	out = run(R, &o, "incident_id,rule,customer_id,status\n"
	    "i1,out,C1,DELIVERED\n", &nbad);
	CHECK_STR(fatal, "the input has a field 'status', which pxr-notify "
	    "writes: rename it (--rename status=NEW)",
	    "an input field 'status' stops the stream, named");
	free(out);
	{
		const char *from[] = { "status" }, *to[] = { "parcel_status" };

		o.rename_from = from;
		o.rename_to = to;
		o.nrename = 1;
		out = run(R, &o, "incident_id,rule,customer_id,status,name,"
		    "phone\ni1,out,C1,DELIVERED,Bo,+46701\n", &nbad);
		CHECK_STR(out, "message_id channel locale status reason\n"
		    "i1:sms sms sv ready \n",
		    "renamed, it goes on as parcel_status");
		free(out);
		o.nrename = 0;
	}

	/* Issue 14: the limit counts what is handed over; paid waits. */
	o.max_count = 1;
	o.max_period = 24LL * 3600 * 1000000;
	out = run(R, &o, "incident_id,rule,customer_id,name,phone,"
	    "comp_status\n"
	    "a,out,C1,A,+46701,none\nb,out,C1,A,+46701,none\n"
	    "c,out,C2,B,+46702,issued\nd,out,C2,B,+46702,issued\n", &nbad);
	CHECK_STR(out,
	    "message_id channel locale status reason\n"
	    "a:sms sms sv ready \n"
	    "b:sms sms  suppressed rate-limit\n"
	    "c:sms sms sv ready \n"
	    "d:sms sms sv deferred rate-limit\n",
	    "an unpaid second message is dropped, a paid one deferred");
	free(out);
	pxr_rules_free(R);
	rm("t.da.email");
	rm("t.sv.sms");
	rm("t.en.sms");
	rm("t.sv.email");
	rmdir(dir);
	UNIT_END();
}
