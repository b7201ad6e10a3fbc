/* Tests for kiosk/flow: the resident's path, Back, declining, submit failure, and that a reset wipes the draft. */
#include <stdio.h>
#include <stdlib.h>

#include "flow.h"
#include "testlib.h"

static int find_q(const struct flow *f, enum fact_id id)
{
	return f->state == FS_QUESTION && f->content->q[f->q].fact == id;
}

int main(void)
{
	size_t n;
	struct diag d = {""};
	char *t = t_read_repo("firmware/content/eligibility.rules", &n);
	struct rules *r;
	CHECK_INT(rules_parse(t, n, &r, &d), 0);
	free(t);
	struct content c;
	memset(&c, 0, sizeof c);
	t = t_read_repo("firmware/content/kiosk/questions.conf", &n);
	CHECK_INT(content_parse_questions(t, n, &c, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/holidays.txt", &n);
	CHECK_INT(holidays_parse(t, n, &c.holidays, &d), 0);
	free(t);

	struct flow f;
	flow_init(&f, r, &c, (struct date){2026, 5, 20});
	CHECK_INT(f.state, FS_ATTRACT);
	flow_answer(&f, 0); /* ignored outside a question */
	CHECK_INT(f.state, FS_ATTRACT);
	flow_start(&f);
	flow_language(&f, "fr");
	CHECK_INT(f.state, FS_LANGUAGE);
	flow_language(&f, "km");
	CHECK_INT(f.state, FS_CONSENT);
	CHECK_STR(f.lang, "km");
	/* Declining keeps nothing. */
	flow_consent(&f, 0);
	CHECK_INT(f.state, FS_DECLINED);
	flow_reset(&f);
	flow_start(&f);
	flow_language(&f, "vi");
	flow_consent(&f, 1);
	CHECK_INT(f.state, FS_WHO);
	flow_who(&f, WHO_FAMILY);
	/* Specific matter yes, not business, household none: the birth date is asked. */
	CHECK(find_q(&f, F_SPECIFIC_MATTER));
	flow_pick(&f, 0);
	CHECK(find_q(&f, F_MATTER_BUSINESS));
	flow_pick(&f, 1);
	CHECK(find_q(&f, F_HOUSEHOLD));
	flow_pick(&f, 2); /* the third choice: none */
	CHECK_INT(f.facts.val[F_HOUSEHOLD], 2);
	CHECK(find_q(&f, F_BIRTH_DATE));
	flow_answer_date(&f, (struct date){2030, 1, 1}); /* future: refused */
	CHECK(find_q(&f, F_BIRTH_DATE));
	flow_answer_date(&f, (struct date){2026, 6, 0}); /* a month that starts after today: refused */
	CHECK(find_q(&f, F_BIRTH_DATE));
	flow_answer_date(&f, (struct date){1960, 0, 0}); /* the year alone */
	CHECK(f.facts.set[F_BIRTH_DATE]);
	CHECK(!find_q(&f, F_BIRTH_DATE));
	/* Progress: some way through, and shown again as it was when Back returns to a screen. */
	int p_next = flow_progress(&f);
	CHECK(p_next > 0 && p_next < 1000);
	CHECK_INT(flow_progress(&f), p_next);
	/* Back re-asks the birth date, forgets the answer but remembers what was typed. */
	flow_back(&f);
	CHECK(find_q(&f, F_BIRTH_DATE));
	CHECK(!f.facts.set[F_BIRTH_DATE]);
	CHECK_INT(f.picked_date[f.q].y, 1960);
	CHECK_INT(f.picked_date[f.q].m, 0);
	CHECK(flow_progress(&f) < p_next);
	/* Back again: the household, with "none" still picked; now poor (R02): the birth date no longer matters. */
	flow_back(&f);
	CHECK(find_q(&f, F_HOUSEHOLD));
	CHECK_INT(f.picked[f.q], 2);
	flow_pick(&f, 0);
	/* The deadline, one thing at a time: is there a date? yes -> which date. */
	CHECK(find_q(&f, F_DEADLINE_WORKING_DAYS));
	CHECK_INT(c.q[f.q].kind, Q_GATE);
	int gate = f.q;
	flow_pick(&f, 0);
	CHECK(find_q(&f, F_DEADLINE_WORKING_DAYS));
	CHECK_INT(c.q[f.q].kind, Q_DEADLINE);
	CHECK(!f.facts.set[F_DEADLINE_WORKING_DAYS]);
	const char *why = NULL;
	CHECK_INT(flow_answer_deadline(&f, "2026", "5", "19", &why), ERR_INVAL); /* yesterday */
	CHECK_STR(why, "q.deadline.past");
	CHECK_INT(flow_answer_deadline(&f, "2026", "5", "", &why), ERR_INVAL);
	CHECK_STR(why, "q.deadline.full_date");
	CHECK_INT(flow_answer_deadline(&f, "2026", "2", "30", &why), ERR_INVAL);
	CHECK_STR(why, "date.bad_day");
	CHECK_INT(flow_answer_deadline(&f, "2031", "1", "5", &why), ERR_INVAL); /* past the pack's holidays */
	CHECK_STR(why, "q.deadline.too_far");
	/* Wed 20 May 2026 -> Wed 27 May: Thu, Fri, Mon, Tue = 4 working days left. */
	CHECK_INT(flow_answer_deadline(&f, "2026", "05", "27", &why), 0);
	CHECK_INT(f.facts.val[F_DEADLINE_WORKING_DAYS], 4);
	CHECK_INT(f.state, FS_OUTCOME);
	CHECK_INT(f.result.outcome, OUTCOME_LIKELY_ELIGIBLE);
	CHECK(f.result.urgent);
	/* Back to the date (as typed), back to the gate (yes picked), "no": no deadline, not urgent. */
	flow_back(&f);
	CHECK_INT(c.q[f.q].kind, Q_DEADLINE);
	CHECK_INT(f.picked_date[f.q].d, 27);
	flow_back(&f);
	CHECK_INT(f.q, gate);
	CHECK_INT(f.picked[f.q], 0);
	flow_pick(&f, 1);
	CHECK_INT(f.state, FS_OUTCOME);
	CHECK(!f.result.urgent);
	flow_back(&f);
	flow_pick(&f, 0);
	CHECK_INT(flow_answer_deadline(&f, "2026", "05", "27", &why), 0);
	/* The criminal role as a sequence: a suspect -> how far -> an early step. */
	{
		struct flow g;
		flow_init(&g, r, &c, (struct date){2026, 5, 20});
		flow_start(&g);
		flow_language(&g, "km");
		flow_consent(&g, 1);
		flow_who(&g, WHO_SELF);
		flow_pick(&g, 0);  /* specific matter */
		flow_pick(&g, 1);  /* not business */
		flow_pick(&g, 2);  /* household: none */
		flow_answer_date(&g, (struct date){2009, 0, 0}); /* 16 or 17: the criminal role matters (R05) */
		CHECK(find_q(&g, F_CRIMINAL_ROLE));
		CHECK_STR(c.q[g.q].id, "criminal_role");
		flow_pick(&g, 3); /* suspected */
		CHECK_STR(c.q[g.q].id, "criminal_suspect");
		CHECK(!g.facts.set[F_CRIMINAL_ROLE]);
		flow_pick(&g, 0); /* an early step */
		CHECK_STR(c.q[g.q].id, "criminal_early");
		flow_pick(&g, 2); /* emergency detention */
		CHECK_INT(g.facts.val[F_CRIMINAL_ROLE], fact_value_find(F_CRIMINAL_ROLE, "emergency_detained", 18));
		CHECK(!find_q(&g, F_CRIMINAL_ROLE));
		/* Back walks the sequence backwards, each screen with its pick. */
		flow_back(&g);
		CHECK_STR(c.q[g.q].id, "criminal_early");
		CHECK_INT(g.picked[g.q], 2);
		flow_back(&g);
		CHECK_STR(c.q[g.q].id, "criminal_suspect");
		CHECK_INT(g.picked[g.q], 0);
		flow_back(&g);
		CHECK_STR(c.q[g.q].id, "criminal_role");
		CHECK_INT(g.picked[g.q], 3);
		/* Declining keeps the language. */
		flow_reset(&g);
		flow_start(&g);
		flow_language(&g, "km");
		flow_consent(&g, 0);
		CHECK_INT(g.state, FS_DECLINED);
		CHECK_STR(g.lang, "km");
		flow_reset(&g);
		contact_finish(&g.contact);
	}
	flow_outcome_send(&f);
	CHECK_INT(f.state, FS_CONTACT);
	CHECK_INT(flow_contact_done(&f, &d), ERR_INVAL);
	CHECK_STR(d.msg, "name");
	CHECK_INT(flow_contact_set(&f, FIELD_PHONE, "call me", &d), ERR_INVAL);
	CHECK(f.contact.phone == NULL);
	CHECK_STR(d.msg, "contact.phone_invalid");
	/* Control and direction characters: refused in every typed field, with the message to show. */
	static const char *const odd[] = {"Th\xE2\x80\xAE" "ach", "a\tb", "a\x7f", "\xC2\x9B" "2J", "\xE2\x81\xA6x\xE2\x81\xA9",
					  "0912\xE2\x80\x8F" "345678", "a\nb"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
		for (int fld = FIELD_NAME; fld < FIELD_COUNT; fld++) {
			if (fld == FIELD_COMMUNE)
				continue;
			d.msg[0] = '\0';
			CHECK_INT(flow_contact_set(&f, (enum flow_field)fld, odd[i], &d), ERR_INVAL);
			CHECK_STR(d.msg, "contact.invalid_chars");
		}
	CHECK(f.contact.name == NULL && f.contact.phone == NULL && f.contact.address == NULL && f.contact.matter == NULL);
	CHECK_INT(flow_contact_set(&f, FIELD_PHONE, "0912 345 678", &d), 0);
	CHECK_INT(flow_contact_set(&f, FIELD_NAME, "Thạch Thị Mẫu", &d), 0);
	CHECK_INT(flow_contact_set(&f, FIELD_COMMUNE, "90032", &d), 0);
	CHECK_INT(flow_contact_done(&f, &d), 0);
	CHECK_INT(f.state, FS_REVIEW);
	CHECK_STR(f.contact.requester_relation, "family");
	CHECK_STR(f.contact.consent_text, "kiosk-vi-1");
	flow_review_send(&f);
	CHECK_INT(f.state, FS_SUBMITTING);
	/* The store failed: the draft is still there to try again. */
	unsigned char id[RECORD_ID_LEN] = {0xab};
	flow_submitted(&f, 0, id);
	CHECK_INT(f.state, FS_SUBMIT_FAILED);
	CHECK_STR(f.contact.name, "Thạch Thị Mẫu");
	flow_review_send(&f);
	flow_submitted(&f, 1, id);
	CHECK_INT(f.state, FS_RECEIPT);
	CHECK(!strncmp(f.receipt, "ab000000", 8));
	/* Once stored, nothing personal stays in the flow. */
	CHECK(f.contact.name == NULL && f.contact.phone == NULL);
	CHECK(!f.facts.set[F_BIRTH_DATE] && !f.facts.set[F_HOUSEHOLD]);
	flow_reset(&f);
	CHECK_INT(f.state, FS_ATTRACT);
	CHECK_STR(f.receipt, "");

	/* A reset in the middle (idle) wipes the draft. */
	flow_start(&f);
	flow_language(&f, "km");
	flow_consent(&f, 1);
	flow_who(&f, WHO_SELF);
	flow_answer(&f, 0);
	CHECK(f.facts.set[F_SPECIFIC_MATTER]);
	flow_reset(&f);
	CHECK(!f.facts.set[F_SPECIFIC_MATTER]);
	CHECK_STR(f.lang, "vi");

	/* The compact flow (assisted): the list shrinks as answers make questions moot, answers in any order. */
	f.compact = 1;
	flow_start(&f);
	flow_language(&f, "vi");
	flow_consent(&f, 1);
	flow_who(&f, WHO_OTHER);
	CHECK_INT(f.state, FS_COMPACT);
	int qs[CONTENT_MAX_QUESTIONS];
	int all = flow_compact_list(&f, qs, CONTENT_MAX_QUESTIONS);
	CHECK(all > 5);
	int hh = -1, bd = -1, sm = -1;
	for (int i = 0; i < c.nquestions; i++) {
		hh = c.q[i].fact == F_HOUSEHOLD ? i : hh;
		bd = c.q[i].fact == F_BIRTH_DATE ? i : bd;
		sm = c.q[i].fact == F_SPECIFIC_MATTER ? i : sm;
	}
	flow_compact_answer(&f, hh, 0); /* poor household, answered before the first question */
	CHECK_INT(f.state, FS_COMPACT);
	CHECK(f.facts.set[F_HOUSEHOLD] && f.facts.val[F_HOUSEHOLD] == 0);
	int fewer = flow_compact_list(&f, qs, CONTENT_MAX_QUESTIONS);
	CHECK(fewer < all);
	int has_hh = 0, has_bd = 0;
	for (int i = 0; i < fewer; i++)
		has_hh |= qs[i] == hh, has_bd |= qs[i] == bd;
	CHECK(has_hh);  /* answered: still listed, with its answer */
	CHECK(!has_bd); /* a poor household qualifies at any age */
	flow_compact_answer(&f, hh, 9); /* not a value of household: ignored */
	CHECK_INT(f.state, FS_COMPACT);
	CHECK_INT(f.facts.val[F_HOUSEHOLD], 0);
	flow_compact_open(&f, bd);
	CHECK_INT(f.state, FS_QUESTION);
	flow_answer_date(&f, (struct date){1950, 2, 1});
	CHECK_INT(f.state, FS_COMPACT);
	flow_compact_answer(&f, sm, -1);
	CHECK(f.facts.set[F_SPECIFIC_MATTER] && f.facts.val[F_SPECIFIC_MATTER] == FACT_UNKNOWN);
	flow_compact_done(&f);
	CHECK_INT(f.state, FS_OUTCOME);
	flow_back(&f); /* back to the list, answers kept */
	CHECK_INT(f.state, FS_COMPACT);
	CHECK(f.facts.set[F_HOUSEHOLD]);
	flow_back(&f);
	CHECK_INT(f.state, FS_WHO);
	flow_reset(&f);
	CHECK(!f.facts.set[F_HOUSEHOLD]);

	contact_finish(&f.contact);
	content_finish(&c);
	rules_destroy(r);
	return t_done("kiosk_flow_test");
}
