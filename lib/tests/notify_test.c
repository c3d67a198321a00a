/* notify_test.c: the notify stage as a mapper, in-process. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify.h"
#include "rules.h"
#include "stagerun.h"
#include "unit.h"

static char dir[] = "/tmp/pxr-notify-test-XXXXXX";

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
	char *out, *line, *save;

	if (m == NULL) {
		printf("# new: %s\n", e.text);
		return pxr_strdup("");
	}
	if (stagerun_chain(&r, &m, 1, csv) < 0)
		printf("# fatal: %s\n", r.err.text);
	if (nbad != NULL)
		*nbad = r.nbad;
	out = pxr_strdup(r.out != NULL ? r.out : "");
	/* The ten added fields end each line: keep message_id, channel,
	 * locale, status and reason (no field here holds a comma). */
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *p = line;
		int n = 0;

		f[n++] = p;
		while (n < 64 && (p = strchr(p, ',')) != NULL) {
			*p++ = '\0';
			f[n++] = p;
		}
		if (n >= 10)
			pxr_buf_printf(&b, "%s %s %s %s %s\n", f[n - 10],
			    f[n - 9], f[n - 7], f[n - 2], f[n - 1]);
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
	rm("t.sv.sms");
	rm("t.en.sms");
	rm("t.sv.email");
	rmdir(dir);
	UNIT_END();
}
