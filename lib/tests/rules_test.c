/* rules_test.c: the typed rule model: the notify and fan sections. */
#include <stdlib.h>
#include <unistd.h>

#include "rules.h"
#include "stagerun.h"
#include "unit.h"

/* Load text as a rule file; the number of errors into *nerr. */
static struct pxr_rules *
load(const char *text, size_t *nerr, char *first, size_t n)
{
	struct pxr_diags d = { 0 };
	const char *path = stagerun_file(text, ".json");
	struct pxr_rules *R;

	if (path == NULL)
		return NULL;
	R = pxr_rules_load(path, &d);
	*nerr = d.nerr;
	snprintf(first, n, "%s", d.n > 0 ? d.v[0].msg : "");
	pxr_diags_free(&d);
	unlink(path);
	return R;
}

int
main(void)
{
	struct pxr_rules *R;
	struct pxr_quiet q;
	char msg[1024];
	size_t nerr;
	int m;

	CHECK(pxr_quiet_time("21:00", 5, &m) == 0 && m == 21 * 60,
	    "21:00 is 1260 minutes");
	CHECK(pxr_quiet_time("21:00x", 6, &m) < 0, "21:00x is no time of day");
	CHECK(pxr_quiet_time("24:00", 5, &m) < 0, "24:00 is no time of day");
	CHECK(pxr_quiet_parse("21:00-08:00", &q) == 0 && q.on &&
	    q.from == 1260 && q.to == 480, "quiet hours across midnight");
	CHECK(pxr_quiet_parse("21:00x-08:00", &q) < 0 &&
	    pxr_quiet_parse("21:00", &q) < 0, "malformed quiet hours refused");
	CHECK(pxr_channel_of("sms") == PXR_CH_SMS && pxr_channel_of("fax") < 0,
	    "channel names");

	R = load("{ \"version\": 1, \"rules\": [ { \"id\": \"a\", "
	    "\"when\": \"true\" } ] }", &nerr, msg, sizeof(msg));
	CHECK(R != NULL, "a file without notify loads");
	if (R != NULL) {
		CHECK_STR(R->notify.addr[PXR_CH_SMS], "phone",
		    "the default SMS address field");
		CHECK_STR(R->notify.templates, "/tmp", "templates default to "
		    "the rule file's folder");
		CHECK(R->fan == NULL && R->notify.max_count == 0,
		    "no fan, no limit");
	}
	pxr_rules_free(R);

	R = load("{ \"version\": 1, \"rules\": [ { \"id\": \"a\", "
	    "\"when\": \"true\", \"notify\": { \"channels\": [\"sms\", "
	    "\"sms\", \"email\"], \"template\": \"t\" } } ],\n"
	    "\"notify\": { \"templates\": \"tpl\", \"fields\": { \"sms\": "
	    "\"mobile\" }, \"from\": { \"email\": \"a@b.se\" },\n"
	    "\"quiet_hours\": { \"sms\": { \"from\": \"21:00\", \"to\": "
	    "\"08:00\" } }, \"max_per_customer\": { \"count\": 2, "
	    "\"period\": \"24h\" }, \"rename\": { \"status\": \"st\" } },\n"
	    "\"fan\": { \"score\": \"1\", \"template\": \"f\", "
	    "\"cooldown\": \"30d\" } }", &nerr, msg, sizeof(msg));
	CHECK(R != NULL, "a full notify and fan section loads (%s)", msg);
	if (R != NULL) {
		const struct pxr_notify_cfg *n = &R->notify;

		CHECK_STR(n->templates, "/tmp/tpl", "templates from the "
		    "file's folder");
		CHECK_STR(n->addr[PXR_CH_SMS], "mobile", "fields.sms");
		CHECK_STR(n->addr[PXR_CH_EMAIL], "email", "a default kept");
		CHECK_STR(n->from[PXR_CH_EMAIL], "a@b.se", "from.email");
		CHECK(n->quiet[PXR_CH_SMS].on && n->quiet[PXR_CH_SMS].from ==
		    1260 && !n->quiet[PXR_CH_EMAIL].on, "quiet hours typed");
		CHECK(n->max_count == 2 && n->max_period ==
		    24LL * 3600 * 1000000, "max_per_customer typed");
		CHECK(n->nrename == 1 && strcmp(n->rename_to[0], "st") == 0,
		    "rename typed");
		CHECK(R->rules[0].notify->nch == 2 && R->rules[0].notify->ch[0] ==
		    PXR_CH_SMS && R->rules[0].notify->ch[1] == PXR_CH_EMAIL,
		    "a rule's channels, each once, in order");
		CHECK(R->fan != NULL && R->fan->score != NULL &&
		    R->fan->when == NULL && R->fan->per_day == 1 &&
		    R->fan->cooldown == 30LL * 86400 * 1000000,
		    "the fan section, compiled once, with its defaults");
		CHECK(R->fan != NULL && R->fan->notify != NULL &&
		    R->fan->notify->nch == 2, "the fan's channels default to "
		    "email and sms");
	}
	pxr_rules_free(R);

	R = load("{ \"version\": 1, \"rules\": [], \"notify\": { "
	    "\"quiet_hours\": { \"sms\": { \"from\": \"21:00x\", \"to\": "
	    "\"08:00\" } } } }", &nerr, msg, sizeof(msg));
	CHECK(R == NULL && nerr == 1, "quiet hours of 6 characters refused");
	CHECK_STR(msg, "notify.quiet_hours.sms.from: expected a time of day "
	    "hh:mm, not '21:00x'", "the finding names the member");
	pxr_rules_free(R);
	UNIT_END();
}
