#define LOG_MODULE "flow"
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "log.h"
#include "mem.h"
#include "utf8.h"

static const char *const state_names[FS_COUNT] = {
	"attract", "language", "consent", "declined", "who", "question", "outcome",
	"contact", "review", "submitting", "receipt", "submit_failed", "compact",
};

const char *flow_state_name(enum flow_state s)
{
	return (unsigned)s < FS_COUNT ? state_names[s] : "?";
}

void flow_set_state(struct flow *f, enum flow_state s)
{
	if (f->state != s)
		log_info("state from=%s to=%s", flow_state_name(f->state), flow_state_name(s));
	f->state = s;
}

static void clear_draft(struct flow *f)
{
	contact_finish(&f->contact);
	contact_init(&f->contact);
	mem_wipe(&f->facts, sizeof f->facts);
	facts_init(&f->facts);
	mem_wipe(&f->result, sizeof f->result);
	mem_wipe(f->history, sizeof f->history);
	memset(f->picked, FLOW_PICK_NONE, sizeof f->picked);
	mem_wipe(f->picked_date, sizeof f->picked_date);
	mem_wipe(f->picked_number, sizeof f->picked_number);
	memset(f->progress_at, 0, sizeof f->progress_at);
	mem_wipe(f->receipt, sizeof f->receipt);
	f->nhist = 0;
	f->q = 0;
	f->field = 0;
	f->who = WHO_SELF;
	memcpy(f->lang, "vi", 3);
	memset(f->consent_lang, 0, sizeof f->consent_lang);
	/* The request date is the kiosk's today. */
	f->facts.set[F_REQUEST_DATE] = 1;
	f->facts.val[F_REQUEST_DATE] = 0;
	f->facts.request_date = f->today;
}

void flow_init(struct flow *f, const struct rules *r, const struct content *c, struct date today)
{
	memset(f, 0, sizeof *f);
	f->rules = r;
	f->content = c;
	f->today = today;
	contact_init(&f->contact);
	clear_draft(f);
	f->state = FS_ATTRACT;
}

void flow_reset(struct flow *f)
{
	clear_draft(f);
	flow_set_state(f, FS_ATTRACT);
}

void flow_start(struct flow *f)
{
	if (f->state == FS_ATTRACT)
		flow_set_state(f, FS_LANGUAGE);
}

void flow_language(struct flow *f, const char *lang)
{
	if (f->state != FS_LANGUAGE || (strcmp(lang, "vi") && strcmp(lang, "km")))
		return;
	memcpy(f->lang, lang, 3);
	flow_set_state(f, FS_CONSENT);
}

void flow_consent(struct flow *f, int agree)
{
	if (f->state != FS_CONSENT)
		return;
	if (!agree) {
		/* Nothing is kept but the language: the resident is thanked in the language they chose. */
		char lang[3];
		memcpy(lang, f->lang, sizeof lang);
		clear_draft(f);
		memcpy(f->lang, lang, sizeof lang);
		flow_set_state(f, FS_DECLINED);
		return;
	}
	f->contact.consent = 1;
	memcpy(f->consent_lang, f->lang, sizeof f->consent_lang);
	flow_set_state(f, FS_WHO);
}

void flow_set_lang(struct flow *f, const char *lang)
{
	if (strcmp(lang, "vi") && strcmp(lang, "km"))
		return;
	memcpy(f->lang, lang, 3);
}

/* The next question of the sequence at or after `from` that can still change the outcome; -1 if none. */
static int next_question(const struct flow *f, int from)
{
	for (int i = from; i < f->content->nquestions; i++)
		if (f->content->q[i].parent < 0 &&
		    content_question_matters(f->rules, &f->facts, f->content->q[i].fact, f->today))
			return i;
	return -1;
}

static void advance(struct flow *f, int from)
{
	int n = next_question(f, from);
	if (n >= 0) {
		f->q = n;
		flow_set_state(f, FS_QUESTION);
		return;
	}
	screen(f->rules, &f->facts, f->today, &f->result);
	flow_set_state(f, FS_OUTCOME);
}

void flow_who(struct flow *f, enum flow_who who)
{
	if (f->state != FS_WHO)
		return;
	f->who = who;
	if (f->compact)
		flow_set_state(f, FS_COMPACT);
	else
		advance(f, 0);
}

static void answered(struct flow *f)
{
	if (f->compact) {
		flow_set_state(f, FS_COMPACT);
		return;
	}
	f->history[f->nhist++] = f->q;
	/* After a question another one opened, the sequence goes on after the first of them. */
	advance(f, content_root(f->content, f->q) + 1);
}

void flow_answer(struct flow *f, int value)
{
	if (f->state != FS_QUESTION)
		return;
	enum fact_id id = f->content->q[f->q].fact;
	const struct fact_def *fd = fact_def(id);
	f->facts.set[id] = 1;
	if (value < 0)
		f->picked[f->q] = FLOW_PICK_UNKNOWN;
	else if (fd->kind == FK_INT)
		f->picked_number[f->q] = value;
	if (value < 0)
		f->facts.val[id] = FACT_UNKNOWN;
	else if (fd->kind == FK_ENUM && value >= fd->nvalues)
		return;
	else if (fd->kind == FK_INT && value > FACT_INT_MAX)
		return;
	else
		f->facts.val[id] = fd->kind == FK_DATE ? FACT_UNKNOWN : value;
	answered(f);
}

void flow_answer_date(struct flow *f, struct date d)
{
	if (f->state != FS_QUESTION)
		return;
	enum fact_id id = f->content->q[f->q].fact;
	/* A year, a year and month, or a day (eligibility.md); none that starts after today. */
	if (fact_def(id)->kind != FK_DATE || !date_partial_valid(d) || date_cmp(date_partial_first(d), f->today) > 0)
		return;
	f->facts.set[id] = 1;
	f->facts.val[id] = 0;
	f->facts.birth_date = d;
	f->picked_date[f->q] = d;
	f->picked[f->q] = 0;
	answered(f);
}

int flow_answer_deadline(struct flow *f, const char *year, const char *month, const char *day, const char **why)
{
	if (f->state != FS_QUESTION || f->content->q[f->q].kind != Q_DEADLINE)
		return ERR_STATE;
	/* A whole day: the fields as the date helper reads them, with a day required. */
	struct date d;
	const char *w = NULL;
	struct date far = {2999, 12, 31};
	if (date_partial_from_fields(year, month, day, far, &d, &w)) {
		*why = w;
		return ERR_INVAL;
	}
	if (!date_valid(d)) {
		*why = "q.deadline.full_date";
		return ERR_INVAL;
	}
	if (date_cmp(d, f->today) < 0) {
		*why = "q.deadline.past";
		return ERR_INVAL;
	}
	int days;
	int rc = holidays_workdays_between(&f->content->holidays, f->today, d, &days);
	if (rc == ERR_NOTFOUND) {
		/* The pack's holidays do not reach that far: the center counts (the date goes in the record's matter by staff). */
		*why = "q.deadline.too_far";
		return ERR_INVAL;
	}
	if (rc)
		return rc;
	enum fact_id id = f->content->q[f->q].fact;
	f->picked_date[f->q] = d;
	f->picked[f->q] = 0;
	f->facts.set[id] = 1;
	f->facts.val[id] = days > FACT_INT_MAX ? FACT_INT_MAX : days;
	log_info("deadline_counted"); /* not the date: it is the resident's */
	answered(f);
	return 0;
}

void flow_pick(struct flow *f, int j)
{
	if (f->state != FS_QUESTION)
		return;
	const struct question *q = &f->content->q[f->q];
	int value = -1, opens = -1;
	switch (q->kind) {
	case Q_YESNO:
		if (j != 0 && j != 1)
			return;
		value = j;
		break;
	case Q_CHOICE:
		if (j < 0 || j >= q->nchoice)
			return;
		value = q->choice[j].value;
		opens = value < 0 ? q->choice[j].opens : -1;
		break;
	case Q_GATE:
		if (j == 0)
			opens = q->choice[0].opens;
		else if (j == 1)
			value = q->gate_no; /* may be FACT_UNKNOWN: "no deadline" leaves the count unknown */
		else
			return;
		break;
	default:
		return;
	}
	f->picked[f->q] = (signed char)j;
	if (opens >= 0) {
		/* A step to the next question of the same fact: Back comes here again. */
		f->history[f->nhist++] = f->q;
		f->q = opens;
		flow_set_state(f, FS_QUESTION);
		return;
	}
	enum fact_id id = q->fact;
	f->facts.set[id] = 1;
	f->facts.val[id] = value < 0 ? FACT_UNKNOWN : value;
	answered(f);
}

void flow_back(struct flow *f)
{
	switch (f->state) {
	case FS_LANGUAGE:
		flow_reset(f);
		break;
	case FS_CONSENT:
		flow_set_state(f, FS_LANGUAGE);
		break;
	case FS_WHO:
		flow_set_state(f, FS_CONSENT);
		break;
	case FS_COMPACT:
		flow_set_state(f, FS_WHO);
		break;
	case FS_QUESTION:
	case FS_OUTCOME:
		if (f->compact) { /* answers stay: the list shows them */
			flow_set_state(f, FS_COMPACT);
			break;
		}
		if (f->nhist == 0) {
			flow_set_state(f, FS_WHO);
			break;
		}
		/* Forget the last answer and ask it again. */
		f->q = f->history[--f->nhist];
		enum fact_id id = f->content->q[f->q].fact;
		f->facts.set[id] = 0;
		f->facts.val[id] = FACT_UNKNOWN;
		if (id == F_BIRTH_DATE)
			memset(&f->facts.birth_date, 0, sizeof f->facts.birth_date);
		flow_set_state(f, FS_QUESTION);
		break;
	case FS_CONTACT:
		if (f->field > 0)
			f->field--;
		else
			flow_set_state(f, FS_OUTCOME);
		break;
	case FS_REVIEW:
		f->field = FIELD_COUNT - 1; /* the review's last step, not the first field */
		flow_set_state(f, FS_CONTACT);
		break;
	default:
		break;
	}
}

void flow_outcome_send(struct flow *f)
{
	if (f->state != FS_OUTCOME)
		return;
	f->field = 0;
	flow_set_state(f, FS_CONTACT);
}

static char **field_slot(struct contact *c, enum flow_field field)
{
	switch (field) {
	case FIELD_NAME: return &c->name;
	case FIELD_PHONE: return &c->phone;
	case FIELD_COMMUNE: return &c->commune_code;
	case FIELD_ADDRESS: return &c->address;
	case FIELD_MATTER: return &c->matter;
	default: return NULL;
	}
}

static const char *const field_keys[FIELD_COUNT] = {"name", "phone", "commune_code", "address", "matter"};

int flow_contact_set(struct flow *f, enum flow_field field, const char *text, struct diag *d)
{
	char **slot = field_slot(&f->contact, field);
	if (!slot)
		return ERR_INVAL;
	/* Validate through the same rules as a contact file. */
	struct contact probe;
	struct buf line;
	contact_init(&probe);
	buf_init(&line);
	buf_printf(&line, "%s = %s\n", field_keys[field], text);
	int rc = text[0] ? contact_parse(line.data, line.len, &probe, d) : 0;
	buf_finish_wipe(&line);
	contact_finish(&probe);
	if (rc) {
		/*
		 * What the resident is told next to the field (a catalog key). A
		 * control or direction character is named as such, in a phone too;
		 * a name, address or matter has no other way to be refused (the
		 * entry is shorter than their limits).
		 */
		int phone = field == FIELD_PHONE && utf8_safe(text, strlen(text));
		diag_set(d, "%s", phone ? "contact.phone_invalid" : "contact.invalid_chars");
		return ERR_INVAL;
	}
	if (*slot) {
		mem_wipe(*slot, strlen(*slot));
		free(*slot);
		*slot = NULL;
	}
	if (text[0])
		*slot = xstrdup(text);
	return 0;
}

int flow_contact_done(struct flow *f, struct diag *d)
{
	if (f->state != FS_CONTACT)
		return ERR_STATE;
	if (!f->contact.name || !*f->contact.name) {
		diag_set(d, "name");
		return ERR_INVAL;
	}
	if (!f->contact.commune_code) {
		diag_set(d, "commune");
		return ERR_INVAL;
	}
	free(f->contact.requester_relation);
	f->contact.requester_relation = f->who == WHO_SELF ? NULL : xstrdup(f->who == WHO_FAMILY ? "family" : "other");
	free(f->contact.consent_text);
	char ct[16];
	snprintf(ct, sizeof ct, "kiosk-%s-1", f->consent_lang[0] ? f->consent_lang : f->lang);
	f->contact.consent_text = xstrdup(ct);
	flow_set_state(f, FS_REVIEW);
	return 0;
}

void flow_review_send(struct flow *f)
{
	if (f->state == FS_REVIEW || f->state == FS_SUBMIT_FAILED)
		flow_set_state(f, FS_SUBMITTING);
}

void flow_submitted(struct flow *f, int ok, const unsigned char id[RECORD_ID_LEN])
{
	if (f->state != FS_SUBMITTING)
		return;
	if (!ok) {
		flow_set_state(f, FS_SUBMIT_FAILED);
		return;
	}
	hex_encode(id, RECORD_ID_LEN, f->receipt);
	/* The request is sealed and stored: drop the draft now, keep only the receipt number. */
	char keep[sizeof f->receipt], lang[3];
	struct screen_result res = f->result;
	memcpy(keep, f->receipt, sizeof keep);
	memcpy(lang, f->lang, sizeof lang);
	clear_draft(f);
	memcpy(f->receipt, keep, sizeof keep);
	memcpy(f->lang, lang, sizeof lang);
	f->result = res; /* the outcome and documents stay on the receipt until the reset */
	flow_set_state(f, FS_RECEIPT);
}

int flow_progress(struct flow *f)
{
	int depth = f->nhist < CONTENT_MAX_QUESTIONS ? f->nhist : CONTENT_MAX_QUESTIONS;
	if (f->progress_at[depth])
		return f->progress_at[depth] - 1; /* this screen was shown before: the same bar */
	int more = 0;
	for (int i = content_root(f->content, f->q) + 1; i < f->content->nquestions; i++)
		more += f->content->q[i].parent < 0 &&
			content_question_matters(f->rules, &f->facts, f->content->q[i].fact, f->today);
	int pm = 1000 * f->nhist / (f->nhist + 1 + more);
	for (int d = 0; d < depth; d++)
		if (f->progress_at[d] - 1 > pm)
			pm = f->progress_at[d] - 1;
	f->progress_at[depth] = (short)(pm + 1);
	/* Deeper screens are measured again when reached (answers may have changed since). */
	for (int d = depth + 1; d <= CONTENT_MAX_QUESTIONS; d++)
		f->progress_at[d] = 0;
	return pm;
}

int flow_compact_list(const struct flow *f, int *qs, int max)
{
	int n = 0;
	for (int i = 0; i < f->content->nquestions && n < max; i++) {
		enum fact_id id = f->content->q[i].fact;
		if (f->content->q[i].parent >= 0)
			continue; /* reached from the question that opens it */
		if (f->facts.set[id] || content_question_matters(f->rules, &f->facts, id, f->today))
			qs[n++] = i;
	}
	return n;
}

void flow_compact_open(struct flow *f, int q)
{
	if (f->state != FS_COMPACT || q < 0 || q >= f->content->nquestions)
		return;
	f->q = q;
	flow_set_state(f, FS_QUESTION);
}

void flow_compact_answer(struct flow *f, int q, int value)
{
	if (f->state != FS_COMPACT || q < 0 || q >= f->content->nquestions)
		return;
	f->q = q;
	f->state = FS_QUESTION; /* through flow_answer's checks; a valid answer returns to the list */
	flow_answer(f, value);
	f->state = FS_COMPACT;
}

void flow_compact_done(struct flow *f)
{
	if (f->state != FS_COMPACT)
		return;
	screen(f->rules, &f->facts, f->today, &f->result);
	flow_set_state(f, FS_OUTCOME);
}
