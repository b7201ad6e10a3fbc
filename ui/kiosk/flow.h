/* kiosk/flow: the resident's path through the kiosk as a state machine (no SDL): the draft lives only here, in memory. */
#ifndef SPEAN_KIOSK_FLOW_H
#define SPEAN_KIOSK_FLOW_H

#include "content.h"
#include "record.h"
#include "screen.h"

enum flow_state {
	FS_ATTRACT,
	FS_LANGUAGE,
	FS_CONSENT,
	FS_DECLINED,
	FS_WHO,
	FS_QUESTION,
	FS_OUTCOME,
	FS_CONTACT,
	FS_REVIEW,
	FS_SUBMITTING,
	FS_RECEIPT,
	FS_SUBMIT_FAILED,
	FS_COMPACT,        /* assisted mode: every question that matters on one list, in any order */
	FS_COUNT
};

enum flow_who { WHO_SELF, WHO_FAMILY, WHO_OTHER };

enum flow_field { FIELD_NAME, FIELD_PHONE, FIELD_COMMUNE, FIELD_ADDRESS, FIELD_MATTER, FIELD_COUNT };

struct flow {
	enum flow_state state;
	const struct rules *rules;
	const struct content *content;
	struct date today;
	char lang[3];                 /* "vi" or "km" */
	char consent_lang[3];         /* the language consent was given in */
	enum flow_who who;
	struct facts facts;
	int q;                        /* current question (index into content->q) */
	int history[CONTENT_MAX_QUESTIONS];
	int nhist;                    /* questions answered or stepped through, in order (for Back) */
	/* What the resident last picked on each question, shown again when Back returns to it. */
	signed char picked[CONTENT_MAX_QUESTIONS]; /* FLOW_PICK_NONE, FLOW_PICK_UNKNOWN, or the answer's index */
	struct date picked_date[CONTENT_MAX_QUESTIONS];
	int picked_number[CONTENT_MAX_QUESTIONS];
	short progress_at[CONTENT_MAX_QUESTIONS + 1]; /* per mille shown at each history depth (never goes back) */
	struct screen_result result;
	struct contact contact;       /* the draft: memory only, wiped on reset */
	int field;                    /* contact field being edited */
	char receipt[2 * RECORD_ID_LEN + 1];
	int compact;                  /* assisted (outreach) mode: questions as a list (FS_COMPACT) */
};

#define FLOW_PICK_NONE (-1)
#define FLOW_PICK_UNKNOWN (-2)

const char *flow_state_name(enum flow_state s);

void flow_init(struct flow *f, const struct rules *r, const struct content *c, struct date today);
/* Wipe everything entered and return to the attract screen. */
void flow_reset(struct flow *f);
/* The one setter of f->state; logs the transition (names only, never data). */
void flow_set_state(struct flow *f, enum flow_state s);

void flow_start(struct flow *f);                       /* attract -> language */
void flow_language(struct flow *f, const char *lang);  /* -> consent */
void flow_consent(struct flow *f, int agree);          /* -> who or declined */
/* Switch the language on any screen: everything entered stays (consent keeps the language it was given in). */
void flow_set_lang(struct flow *f, const char *lang);
void flow_who(struct flow *f, enum flow_who who);      /* -> first question that matters */
/* Answer the current question: enum value index, a number, a date, or FACT_UNKNOWN (value < 0). */
void flow_answer(struct flow *f, int value);
void flow_answer_date(struct flow *f, struct date d);
/*
 * Answer j of the current question as its screen shows them: yes/no (0, 1), a choice in its
 * written order (a value, or a step to the question it opens), a gate's yes (0: opens its
 * question) or no (1).
 */
void flow_pick(struct flow *f, int j);
/*
 * A date ahead (Q_DEADLINE), from the date screen's fields: a whole day, today or later, turned
 * into the working days left (content's holidays, holidays_workdays_between). 0, or ERR_INVAL with
 * *why a catalog key: a date.* key, "q.deadline.full_date", "q.deadline.past", "q.deadline.too_far"
 * (the pack's holiday list does not reach that date: the kiosk does not guess).
 */
int flow_answer_deadline(struct flow *f, const char *year, const char *month, const char *day, const char **why);
/* Back: previous question, or the previous screen. */
void flow_back(struct flow *f);
/* Outcome -> contact (send) ; finish without sending -> reset. */
void flow_outcome_send(struct flow *f);
/*
 * Set a contact field (NFC UTF-8 text), checked as a contact file is
 * (contact_parse: no control or direction-override character, a phone of 9
 * to 13 digits...). 0, or ERR_INVAL with d->msg the catalog key of the
 * message to show next to the field ("contact.invalid_chars",
 * "contact.phone_invalid"); the field keeps its old value.
 */
int flow_contact_set(struct flow *f, enum flow_field field, const char *text, struct diag *d);
/* Contact done -> review, if the required fields are valid (else ERR_INVAL naming the field). */
int flow_contact_done(struct flow *f, struct diag *d);
void flow_review_send(struct flow *f);                 /* -> submitting */
/* The store's answer: id on success -> receipt, else -> submit_failed (nothing lost). */
void flow_submitted(struct flow *f, int ok, const unsigned char id[RECORD_ID_LEN]);

/*
 * How far through the questions the resident is, in per mille: answered / (answered + those that
 * still matter), never less than what an earlier screen showed (a bar of steps, no count that
 * jumps); Back shows what that screen showed.
 */
int flow_progress(struct flow *f);

/*
 * The compact flow (assisted mode, f->compact set before flow_who): the
 * outreach worker sees every question that can still change the outcome,
 * with those already answered, and answers them in any order.
 * flow_compact_list: those questions (indexes into content->q) in content
 * order; returns their count (at most max).
 */
int flow_compact_list(const struct flow *f, int *qs, int max);
/* Open question q on its own screen (dates, numbers, choices); its answer returns to the list. */
void flow_compact_open(struct flow *f, int q);
/* Answer question q from the list (as flow_answer: a value index or < 0 for unknown). */
void flow_compact_answer(struct flow *f, int q, int value);
/* List done: screen what was answered (unanswered facts stay unknown) -> outcome. */
void flow_compact_done(struct flow *f);

#endif
