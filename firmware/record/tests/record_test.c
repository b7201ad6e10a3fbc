/* Tests for record: contact files, the plaintext form round trip, and what gets signed. */
#include <stdio.h>
#include <stdlib.h>

#include "record.h"
#include "testlib.h"

static const char *rules_text(size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/firmware/content/eligibility.rules", t_env("SPEAN_SOURCE_DIR"));
	return t_read(path, len);
}

static void expect_contact_error(const char *text, int rc, const char *want)
{
	struct contact c;
	struct diag d = {""};
	contact_init(&c);
	int got = contact_parse(text, strlen(text), &c, &d);
	if (!got)
		got = contact_validate(&c, &d);
	t_checks++;
	if (got != rc || strcmp(d.msg, want))
		t_fail(__FILE__, __LINE__, "contact: got %d \"%s\", want %d \"%s\"", got, d.msg, rc, want);
	contact_finish(&c);
}

int main(void)
{
	const char *ok = "name = Thạch Thị Sô Phia\nphone = 0912 345 678\ncommune_code = 29242\n"
			 "address = Ấp Chợ, xã Hòa Ân # nhà số 5\nmatter = tranh chấp đất ស្ត្រី\nconsent = yes\n";
	struct contact c;
	struct diag d = {""};
	contact_init(&c);
	CHECK_INT(contact_parse(ok, strlen(ok), &c, &d), 0);
	CHECK_INT(contact_validate(&c, &d), 0);
	CHECK_STR(c.address, "Ấp Chợ, xã Hòa Ân # nhà số 5");

	expect_contact_error("name = A\ncommune_code = 29242\n", ERR_REFUSED,
			     "consent is required: the contact file must say 'consent = yes' (explicit, never assumed)");
	expect_contact_error("name = A\ncommune_code = 29242\nconsent = YES\n", ERR_REFUSED,
			     "consent is required: the contact file must say 'consent = yes' (explicit, never assumed)");
	expect_contact_error("name = A\nconsent = yes\n", ERR_INVAL, "commune_code is required");
	expect_contact_error("commune_code = 29242\nconsent = yes\n", ERR_INVAL, "name is required");
	expect_contact_error("name = A\nname = B\n", ERR_PARSE, "line 2: duplicate key 'name'");
	expect_contact_error("nam = A\n", ERR_PARSE,
			     "line 1: unknown key 'nam' (want name, phone, commune_code, address, matter, requester_relation, consent)");
	/* Bad values are reported without quoting them (they are personal). */
	expect_contact_error("phone = call me\n", ERR_PARSE,
			     "line 1: phone must be 9 to 13 digits (spaces, '.', '-' and a leading '+' allowed)");
	expect_contact_error("commune_code = 2924\n", ERR_PARSE, "line 1: commune_code must be the 5-digit commune code");
	/*
	 * Characters no one types, in every field: TAB, DEL, a C1 control, the
	 * bidi overrides, isolates and marks, a line separator (the kv reader
	 * already refuses the other C0 controls and invalid UTF-8).
	 */
	static const char *const unsafe[] = {"\t", "\x7f", "\xC2\x80", "\xC2\x9B", "\xC2\x9F", "\xE2\x80\xAA", "\xE2\x80\xAE",
					     "\xE2\x81\xA6", "\xE2\x81\xA9", "\xE2\x80\x8F", "\xD8\x9C", "\xE2\x80\xA8"};
	static const char *const fields[] = {"name", "phone", "address", "matter", "requester_relation", "consent_text"};
	for (size_t u = 0; u < sizeof unsafe / sizeof *unsafe; u++)
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
			char line[128], want[200];
			snprintf(line, sizeof line, "%s = 0912%s345678\n", fields[f], unsafe[u]);
			snprintf(want, sizeof want,
				 "line 1: %s holds a control character or a text-direction override (not allowed in a contact field)",
				 fields[f]);
			expect_contact_error(line, ERR_PARSE, want);
		}
	/* What Khmer and Vietnamese need stays: the zero-width space, the joiners, combining marks. */
	const char *khmer = "name = ស្ត្រី\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D Nguye\xCC\x83n\ncommune_code = 29242\nconsent = yes\n";
	contact_finish(&c);
	contact_init(&c);
	CHECK_INT(contact_parse(khmer, strlen(khmer), &c, &d), 0);
	contact_finish(&c);
	contact_init(&c);
	CHECK_INT(contact_parse(ok, strlen(ok), &c, &d), 0);

	/* Plaintext round trip: what the center opens is what was entered. */
	size_t rlen;
	char *rt = (char *)rules_text(&rlen);
	struct rules *rules;
	CHECK_INT(rules_parse(rt, rlen, &rules, &d), 0);
	struct facts f;
	const char *ft = "request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 5\n"
			 "ethnic_minority = yes\nresidence_area_listed = unknown\n";
	CHECK_INT(facts_parse(ft, strlen(ft), &f, &d), 0);
	struct screen_result res;
	screen(rules, &f, (struct date){2026, 1, 1}, &res);
	unsigned char id[RECORD_ID_LEN];
	for (int i = 0; i < RECORD_ID_LEN; i++)
		id[i] = (unsigned char)(i * 7);
	struct buf plain;
	buf_init(&plain);
	record_write_plain(id, "km", &f, rules, &res, &c, &plain);
	struct request req;
	request_init(&req);
	CHECK_INT(record_parse_plain(plain.data, plain.len, &req, &d), 0);
	CHECK(!memcmp(req.id, id, RECORD_ID_LEN));
	CHECK_STR(req.lang, "km");
	CHECK_STR(req.contact.name, c.name);
	CHECK_STR(req.contact.phone, c.phone);
	CHECK_STR(req.contact.address, c.address);
	CHECK_STR(req.contact.matter, c.matter);
	CHECK_INT(req.contact.consent, 1);
	CHECK_INT(req.outcome, OUTCOME_STAFF_REVIEW);
	CHECK_STR(req.groups, "R02");
	CHECK(req.review_groups && strstr(req.review_groups, "R04") && !strstr(req.review_groups, "R02"));
	CHECK_INT(req.urgent, 1);
	CHECK_INT(req.facts.val[F_HOUSEHOLD], 0);
	CHECK_INT(req.facts.val[F_DEADLINE_WORKING_DAYS], 5);
	CHECK(!req.facts.set[F_HIV]);
	/* Writing it again gives the same bytes. */
	struct buf again;
	buf_init(&again);
	record_write_plain(req.id, req.lang, &req.facts, rules, &res, &req.contact, &again);
	CHECK_STR(again.data, plain.data);
	request_finish(&req);

	/* A birth year alone, and a year and month, travel as they were known (no day is made up). */
	static const char *const partial[] = {"1950", "2010-03"};
	for (int i = 0; i < 2; i++) {
		struct facts pf;
		char pft[128], line[64];
		snprintf(pft, sizeof pft, "request_date = 2026-04-01\nbirth_date = %s\n", partial[i]);
		CHECK_INT(facts_parse(pft, strlen(pft), &pf, &d), 0);
		screen(rules, &pf, (struct date){2026, 4, 1}, &res);
		buf_finish(&again);
		buf_init(&again);
		record_write_plain(id, "vi", &pf, rules, &res, &c, &again);
		snprintf(line, sizeof line, "\nfacts.birth_date = %s\n", partial[i]);
		CHECK(strstr(again.data, line) != NULL);
		request_init(&req);
		CHECK_INT(record_parse_plain(again.data, again.len, &req, &d), 0);
		CHECK_INT(date_cmp(req.facts.birth_date, pf.birth_date), 0);
		CHECK_INT(req.facts.birth_date.d, 0);
		CHECK_INT(req.facts.birth_date.m, i ? 3 : 0);
		request_finish(&req);
	}

	/* Broken records are rejected with a reason. */
	request_init(&req);
	CHECK_INT(record_parse_plain("id = 00\n", 8, &req, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 1: a record starts with 'format = spean-request-1'");
	request_finish(&req);
	request_init(&req);
	const char *dup = "format = spean-request-1\nid = 000102030405060708090a0b0c0d0e0f\nfacts.hiv = no\nfacts.hiv = no\n";
	CHECK_INT(record_parse_plain(dup, strlen(dup), &req, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 4: duplicate fact");
	request_finish(&req);

	/* The center still opens a record holding them (it neutralises them in what it writes): nothing is lost. */
	request_init(&req);
	const char *odd = "format = spean-request-1\nid = 000102030405060708090a0b0c0d0e0f\noutcome = not_listed\n"
			  "urgent = no\nrules = x\ncontact.name = A\xE2\x80\xAE" "B\tC\x7f\n";
	CHECK_INT(record_parse_plain(odd, strlen(odd), &req, &d), 0);
	CHECK_STR(req.contact.name, "A\xE2\x80\xAE" "B\tC\x7f");
	request_finish(&req);

	/* Signed bytes change with every field. */
	unsigned char pk[32] = {1}, h[32] = {2}, a[RECORD_SIGNED_LEN], b[RECORD_SIGNED_LEN];
	record_signed_bytes(a, pk, id, 7, 0, h);
	record_signed_bytes(b, pk, id, 8, 0, h);
	CHECK(memcmp(a, b, sizeof a));
	record_signed_bytes(b, pk, id, 7, 1, h);
	CHECK(memcmp(a, b, sizeof a));

	buf_finish(&again);
	buf_finish(&plain);
	rules_destroy(rules);
	free(rt);
	contact_finish(&c);
	return t_done("record_test");
}
