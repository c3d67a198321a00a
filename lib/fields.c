/* fields.c: the table of the pipeline's fields (see fields.h). */
#include <string.h>

#include "fields.h"

#define F(name, by, help) { name, sizeof(name) - 1, by, help }

const struct pxr_field_def pxr_fields[PXR_F__N] = {
	[PXR_F_INCIDENT_ID] = F("incident_id", PXR_BY_DETECT,
	    "the incident's stable id: rule and key"),
	[PXR_F_RULE] = F("rule", PXR_BY_DETECT, "the rule's id"),
	[PXR_F_PHASE] = F("phase", PXR_BY_DETECT, "the journey phase"),
	[PXR_F_CUSTOMER_ID] = F("customer_id", PXR_BY_DETECT,
	    "the customer the incident is about"),
	[PXR_F_MEASURE] = F("measure", PXR_BY_DETECT | PXR_BY_THRESHOLD,
	    "how bad: the rule's measure (a group's aggregate)"),
	[PXR_F_UNIT] = F("unit", PXR_BY_DETECT, "the measure's unit"),
	[PXR_F_EVENT_AT] = F("event_at", PXR_BY_DETECT,
	    "when it happened, UTC"),
	[PXR_F_DETECTED_AT] = F("detected_at", PXR_BY_DETECT,
	    "the run's reference time, UTC"),
	[PXR_F_TIER] = F("tier", PXR_BY_THRESHOLD, "the tier's name"),
	[PXR_F_TIER_RANK] = F("tier_rank", PXR_BY_THRESHOLD,
	    "the tier's 1-based rank"),
	[PXR_F_GROUP_COUNT] = F("group_count", PXR_BY_THRESHOLD,
	    "incidents in the group"),
	[PXR_F_COMP_KIND] = F("comp_kind", PXR_BY_COMPENSATE,
	    "refund, credit, voucher, gift, …"),
	[PXR_F_COMP_AMOUNT_MINOR] = F("comp_amount_minor", PXR_BY_COMPENSATE,
	    "the amount in minor units"),
	[PXR_F_COMP_CURRENCY] = F("comp_currency", PXR_BY_COMPENSATE,
	    "ISO 4217 code of the amount"),
	[PXR_F_COMP_PERCENT] = F("comp_percent", PXR_BY_COMPENSATE,
	    "the percentage applied"),
	[PXR_F_COMP_ITEM] = F("comp_item", PXR_BY_COMPENSATE,
	    "the item given"),
	[PXR_F_COMP_CODE] = F("comp_code", PXR_BY_COMPENSATE,
	    "the voucher code"),
	[PXR_F_COMP_VALID_UNTIL] = F("comp_valid_until", PXR_BY_COMPENSATE,
	    "the voucher's expiry"),
	[PXR_F_COMP_STATUS] = F("comp_status", PXR_BY_COMPENSATE,
	    "issued, duplicate, capped, …"),
	[PXR_F_MESSAGE_ID] = F("message_id", PXR_BY_NOTIFY,
	    "the message's stable id"),
	[PXR_F_CHANNEL] = F("channel", PXR_BY_NOTIFY, "email, sms, push, phone"),
	[PXR_F_TO] = F("to", PXR_BY_NOTIFY, "the address"),
	[PXR_F_LOCALE] = F("locale", PXR_BY_NOTIFY,
	    "the template's locale"),
	[PXR_F_SUBJECT] = F("subject", PXR_BY_NOTIFY, "the subject line"),
	[PXR_F_BODY] = F("body", PXR_BY_NOTIFY, "the message text"),
	[PXR_F_SEGMENTS] = F("segments", PXR_BY_NOTIFY,
	    "SMS parts the body takes"),
	[PXR_F_SEND_AFTER] = F("send_after", PXR_BY_NOTIFY,
	    "not before this time (quiet hours)"),
	[PXR_F_STATUS] = F("status", PXR_BY_NOTIFY | PXR_BY_SEND,
	    "ready, deferred, suppressed; sent, failed, …"),
	[PXR_F_REASON] = F("reason", PXR_BY_NOTIFY,
	    "why suppressed or deferred"),
	[PXR_F_COMPLAINED] = F("complained", PXR_BY_NOTIFY,
	    "when the customer complained before being told (--complaints)"),
	[PXR_F_PRIORITY] = F("priority", PXR_BY_NOTIFY,
	    "a call's order: 1 first (the rule's most severe tier)"),
	[PXR_F_CALL_FROM] = F("call_from", PXR_BY_NOTIFY,
	    "a call not before this local time"),
	[PXR_F_CALL_TO] = F("call_to", PXR_BY_NOTIFY,
	    "a call not at or after this local time"),
	[PXR_F_SENT_AT] = F("sent_at", PXR_BY_SEND, "when it was handed over"),
	[PXR_F_ATTEMPTS] = F("attempts", PXR_BY_SEND, "tries so far"),
	[PXR_F_ERROR] = F("error", PXR_BY_SEND, "the gateway's error"),
	[PXR_F_FAN_DAY] = F("fan_day", PXR_BY_FAN, "the day of the pick"),
	[PXR_F_FAN_TEAM] = F("fan_team", PXR_BY_FAN, "the team that gives"),
	[PXR_F_FAN_SCORE] = F("fan_score", PXR_BY_FAN, "the pick's score"),
	[PXR_F_FAN_KIND] = F("fan_kind", PXR_BY_FAN, "the gesture's kind"),
	[PXR_F_FAN_ITEM] = F("fan_item", PXR_BY_FAN, "the gesture"),
	[PXR_F_CURRENCY] = F("currency", 0,
	    "the customer's or order's currency (read)"),
};

size_t
pxr_field_ref(struct pxr_schema *sch, enum pxr_field f)
{
	return pxr_schema_ref(sch, pxr_fields[f].name, pxr_fields[f].len);
}

size_t
pxr_field_add(struct pxr_schema *sch, enum pxr_field f)
{
	return pxr_schema_add(sch, pxr_fields[f].name, pxr_fields[f].len);
}

int
pxr_field_lookup(const char *s, size_t n)
{
	int i;

	for (i = 0; i < PXR_F__N; i++)
		if (pxr_fields[i].len == n && memcmp(pxr_fields[i].name, s,
		    n) == 0)
			return i;
	return -1;
}
