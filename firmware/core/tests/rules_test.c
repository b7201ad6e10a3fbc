/* Tests for core/rules and core/screen: the rules file, its errors, Kleene logic, and every date boundary. */
#include "common.h"

static void expect(const struct rules *r, const char *facts, const char *outcome, const char *groups,
		   const char *review, int line)
{
	struct screen_result res;
	screen_text(r, facts, &res);
	char g[256], rv[256];
	ids(r, &res, TRI_YES, g, sizeof g);
	ids(r, &res, TRI_MAYBE, rv, sizeof rv);
	t_checks++;
	if (strcmp(outcome_name(res.outcome), outcome) || strcmp(g, groups) || (review && strcmp(rv, review)))
		t_fail(__FILE__, line, "got %s groups=%s review=%s, want %s groups=%s review=%s",
		       outcome_name(res.outcome), g, rv, outcome, groups, review ? review : "*");
}
#define EXPECT(f, o, g, rv) expect(r, f, o, g, rv, __LINE__)

/* The personas' baseline: everything known and "no", so only what a test sets can matter. */
#define BASE                                                                                              \
	"meritorious = no\nhousehold = none\nmonthly_social_allowance = no\nsocial_protection_facility = no\n" \
	"social_pension_75 = no\nethnic_minority = no\nresidence_area_listed = no\ncriminal_role = none\n"     \
	"trafficking = none\nmatter_related_to_trafficking = no\nmartyr_kin = no\nagent_orange = no\n"       \
	"disability = no\ndv_victim = no\nhiv = no\nmatter_business = no\nspecific_matter = yes\n"

static void test_boundaries(const struct rules *r)
{
	/* Children: R03 ends on the 16th birthday. */
	EXPECT(BASE "request_date = 2026-03-09\nbirth_date = 2010-03-10\n", "likely_eligible", "R03", NULL);
	EXPECT(BASE "request_date = 2026-03-10\nbirth_date = 2010-03-10\n", "not_listed", "-", "-");
	/* Elderly with FD: R07C from the 60th birthday. */
	EXPECT(BASE "request_date = 2025-12-31\nbirth_date = 1966-01-01\nhousehold = near_poor\n", "not_listed", "-", "-");
	EXPECT(BASE "request_date = 2026-01-01\nbirth_date = 1966-01-01\nhousehold = near_poor\n", "likely_eligible", "R07C", NULL);

	/* R05 roles change on 2026-01-01 (valid_to 2025-12-31 / valid_from 2026-01-01). */
	EXPECT(BASE "request_date = 2025-12-31\nbirth_date = 2008-06-01\ncriminal_role = witness\n", "not_listed", "-", "-");
	EXPECT(BASE "request_date = 2026-01-01\nbirth_date = 2008-06-01\ncriminal_role = witness\n", "likely_eligible", "R05", NULL);
	EXPECT(BASE "request_date = 2025-12-31\nbirth_date = 2008-06-01\ncriminal_role = accused\n", "likely_eligible", "R05", NULL);
	EXPECT(BASE "request_date = 2026-01-01\nbirth_date = 2008-06-01\ncriminal_role = accused\n", "likely_eligible", "R05", NULL);

	/* R07DD (victim 16-<18 with FD) ends 2025-12-31; from 2026-01-01 a victim is an R05 role. */
	EXPECT(BASE "request_date = 2025-12-31\nbirth_date = 2008-06-01\ncriminal_role = victim\nhousehold = near_poor\n",
	       "likely_eligible", "R07DD", NULL);
	EXPECT(BASE "request_date = 2026-01-01\nbirth_date = 2008-06-01\ncriminal_role = victim\nhousehold = near_poor\n",
	       "likely_eligible", "R05", NULL);
	EXPECT(BASE "request_date = 2025-12-31\nbirth_date = 2008-06-01\ncriminal_role = victim\n", "not_listed", "-", "-");

	/* R06A from 2025-07-01; R07G (trafficking victim with FD) until 2025-06-30. */
	EXPECT(BASE "request_date = 2025-06-30\ntrafficking = victim\nmatter_related_to_trafficking = yes\nbirth_date = 2000-01-01\n",
	       "not_listed", "-", "-");
	EXPECT(BASE "request_date = 2025-07-01\ntrafficking = victim\nmatter_related_to_trafficking = yes\nbirth_date = 2000-01-01\n",
	       "likely_eligible", "R06A", NULL);
	EXPECT(BASE "request_date = 2025-06-30\ntrafficking = victim\nhousehold = near_poor\nbirth_date = 2000-01-01\n"
		    "matter_related_to_trafficking = yes\n", "likely_eligible", "R07G", NULL);
	EXPECT(BASE "request_date = 2025-07-01\ntrafficking = victim\nhousehold = near_poor\nbirth_date = 2000-01-01\n"
		    "matter_related_to_trafficking = yes\n", "likely_eligible", "R06A", NULL);
	/* Accompanying child: under 18 only. */
	EXPECT(BASE "request_date = 2026-01-01\ntrafficking = accompanying_child\nmatter_related_to_trafficking = yes\n"
		    "birth_date = 2008-01-02\n", "likely_eligible", "R06A", NULL);
	EXPECT(BASE "request_date = 2026-01-02\ntrafficking = accompanying_child\nmatter_related_to_trafficking = yes\n"
		    "birth_date = 2008-01-02\n", "not_listed", "-", "-");
}

/* Every dated variant in the rules file must be covered by a boundary test above. */
static void test_boundaries_cover_rules(const struct rules *r)
{
	static const char *const tested[] = {"2025-12-31", "2026-01-01", "2025-07-01", "2025-06-30"};
	for (int i = 0; i < r->ngroups; i++) {
		const struct rule_group *g = &r->groups[i];
		for (int k = 0; k < 2; k++) {
			if (!(k ? g->has_to : g->has_from))
				continue;
			struct date dt = k ? g->valid_to : g->valid_from;
			char s[16];
			snprintf(s, sizeof s, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
			int found = 0;
			for (size_t j = 0; j < sizeof tested / sizeof tested[0]; j++)
				found |= !strcmp(tested[j], s);
			t_checks++;
			if (!found)
				t_fail(__FILE__, __LINE__, "group %s line %u: boundary %s has no test", g->id, g->line, s);
		}
	}
}

static void test_three_valued(const struct rules *r)
{
	/* Unknown birth date: every age condition is maybe. */
	EXPECT(BASE "request_date = 2026-06-01\n", "staff_review", "-", "R03");
	EXPECT(BASE "request_date = 2026-06-01\ncriminal_role = witness\n", "staff_review", "-", "R03,R05");
	/* Unknown enum: maybe only where the unknown could satisfy the condition. */
	EXPECT(BASE "request_date = 2026-06-01\nbirth_date = 1990-01-01\ncriminal_role = unknown\nhousehold = near_poor\n",
	       "staff_review", "-", "R06");
	/* Unknown household: R02 maybe (and FD maybe -> only groups that need FD plus another yes). */
	EXPECT(BASE "request_date = 2026-06-01\nbirth_date = 1990-01-01\nhousehold = unknown\ncriminal_role = none\n",
	       "staff_review", "-", "R02");
	/* A yes group with scope unknown: staff review, group still reported. */
	EXPECT(BASE "request_date = 2026-06-01\nbirth_date = 1990-01-01\nhousehold = poor\nspecific_matter = unknown\n",
	       "staff_review", "R02", "-");
	/* Business matter: outside scope, whatever the groups. */
	EXPECT("request_date = 2026-06-01\nbirth_date = 2015-01-01\nspecific_matter = yes\nmatter_business = yes\n",
	       "outside_scope", "-", "-");
	/* General question (no specific matter): outside scope. */
	EXPECT("request_date = 2026-06-01\nbirth_date = 1990-01-01\nspecific_matter = no\nmatter_business = no\n",
	       "outside_scope", "-", NULL);
	/* FD maybe from the 75+ pension; yes once another FD condition is yes. */
	EXPECT(BASE "request_date = 2026-06-01\nbirth_date = 1945-01-01\nsocial_pension_75 = yes\nhousehold = none\n"
		    "monthly_social_allowance = no\nsocial_protection_facility = no\n", "staff_review", "-", "R07C");
	EXPECT(BASE "request_date = 2026-06-01\nbirth_date = 1945-01-01\nsocial_pension_75 = yes\nhousehold = none\n"
		    "monthly_social_allowance = yes\n", "likely_eligible", "R07C", NULL);
	/* Urgent only when the deadline is known and under 10 working days. */
	struct screen_result res;
	screen_text(r, BASE "household = poor\ndeadline_working_days = 9\n", &res);
	CHECK(res.urgent);
	screen_text(r, BASE "household = poor\ndeadline_working_days = 10\n", &res);
	CHECK(!res.urgent);
	screen_text(r, BASE "household = poor\ndeadline_working_days = unknown\n", &res);
	CHECK(!res.urgent);
	screen_text(r, BASE "household = poor\ndeadline_working_days = 0\n", &res);
	CHECK(res.urgent);
	/* Request date absent: the caller's today (2026-06-01 in screen_text). */
	screen_text(r, BASE "birth_date = 2010-06-02\n", &res);
	CHECK(res.slot[2] == TRI_YES);
	screen_text(r, BASE "birth_date = 2010-06-01\n", &res);
	CHECK(res.slot[2] == TRI_NO);
}

/* Partial birth dates (eligibility.md, "Derived conditions"): yes only if every allowed day gives yes. */
static void test_partial_birth(const struct rules *r)
{
	/* Born 2010 on 2026-04-01: 15 or 16, so "under 16" is for staff. */
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2010\n", "staff_review", "-", "R03");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2011\n", "likely_eligible", "R03", "-");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2009\n", "not_listed", "-", "-");
	/* On the last day of the year everyone born in 2010 is 16. */
	EXPECT(BASE "request_date = 2026-12-31\nbirth_date = 2010\n", "not_listed", "-", "-");
	EXPECT(BASE "request_date = 2026-12-30\nbirth_date = 2010\n", "staff_review", "-", "R03");
	/* The month of the request: born on 1 April turns 16 that day, later days do not. */
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2010-04\n", "staff_review", "-", "R03");
	EXPECT(BASE "request_date = 2026-04-30\nbirth_date = 2010-04\n", "not_listed", "-", "-");
	EXPECT(BASE "request_date = 2026-04-29\nbirth_date = 2010-04\n", "staff_review", "-", "R03");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2010-05\n", "likely_eligible", "R03", "-");
	/* Elderly with FD: 60 from the 60th birthday; 1966 is 59 or 60 on 2026-04-01. */
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 1966\nhousehold = near_poor\n", "staff_review", "-", "R07C");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 1965\nhousehold = near_poor\n", "likely_eligible", "R07C", "-");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 1966-03\nhousehold = near_poor\n", "likely_eligible", "R07C",
	       "-");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 1966-04\nhousehold = near_poor\n", "staff_review", "-",
	       "R07C");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 1966-05\nhousehold = near_poor\n", "not_listed", "-", "-");
	/* The year or month of the request itself: clamped to the request day, a newborn. */
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2026\n", "likely_eligible", "R03", "-");
	EXPECT(BASE "request_date = 2026-04-01\nbirth_date = 2026-04\n", "likely_eligible", "R03", "-");
	/* February of a leap year: 29 Feb reaches 18 on 28 Feb of a common year (accompanying child: under 18). */
	EXPECT(BASE "request_date = 2026-02-27\ntrafficking = accompanying_child\nmatter_related_to_trafficking = yes\n"
		    "birth_date = 2008-02\n", "staff_review", "-", "R06A");
	EXPECT(BASE "request_date = 2026-02-28\ntrafficking = accompanying_child\nmatter_related_to_trafficking = yes\n"
		    "birth_date = 2008-02\n", "not_listed", "-", "-");
	/* An earliest allowed day after the request date is an error in facts_check, and the engine never guesses. */
	struct facts f;
	struct diag d = {""};
	const char *late = "request_date = 2026-04-01\nbirth_date = 2026-05\n";
	CHECK_INT(facts_parse(late, strlen(late), &f, &d), 0);
	CHECK_INT(facts_check(&f, f.request_date, &d), ERR_INVAL);
	CHECK_STR(d.msg, "line 2: birth_date is after the request date");
	const char *year = "request_date = 2026-04-01\nbirth_date = 2026\n";
	CHECK_INT(facts_parse(year, strlen(year), &f, &d), 0);
	CHECK_INT(facts_check(&f, f.request_date, &d), 0);
	CHECK_INT(facts_check(&f, (struct date){2025, 12, 31}, &d), ERR_INVAL);
	/* The canonical text keeps what was known, no more. */
	struct buf b;
	buf_init(&b);
	facts_write(&f, "facts.", &b);
	CHECK_STR(b.data, "facts.request_date = 2026-04-01\nfacts.birth_date = 2026\n");
	buf_finish(&b);
}

static void test_json(const struct rules *r)
{
	struct screen_result res;
	struct buf b;
	buf_init(&b);
	screen_text(r, BASE "request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 5\n", &res);
	screen_result_json(r, &res, &b);
	char want[512];
	snprintf(want, sizeof want,
		 "{\"outcome\":\"likely_eligible\",\"groups\":[\"R02\"],\"review_groups\":[],\"urgent\":true,"
		 "\"documents\":[\"DOC_POOR_HOUSEHOLD_CERT\"],\"rules\":\"%s\"}", r->version);
	CHECK_STR(b.data, want);
	buf_finish(&b);
}

static void expect_error(const char *text, const char *want)
{
	struct rules *r = NULL;
	struct diag d = {""};
	int rc = rules_parse(text, strlen(text), &r, &d);
	t_checks++;
	if (rc != ERR_PARSE || r || strcmp(d.msg, want))
		t_fail(__FILE__, __LINE__, "rules error: got rc=%d \"%s\", want \"%s\"", rc, d.msg, want);
	rules_destroy(r);
}

#define HEAD "version = t1\n[scope]\ncite = c\nout_when = matter_business\n[urgent]\ncite = c\nwhen = deadline_working_days < 10\n"
#define G1 "[group R01]\nname = n\ncite = c\nwhen = meritorious\ndocuments = DOC_X\n"

static void test_errors(void)
{
	struct rules *r;
	struct diag d;
	CHECK_INT(rules_parse(HEAD G1, strlen(HEAD G1), &r, &d), 0);
	rules_destroy(r);
	expect_error("[scope]\n", "line 1: missing 'version' before the first section");
	expect_error(HEAD G1 "colour = red\n", "line 13: unknown key 'colour' in group (allowed: name, cite, when, valid_from, valid_to, documents)");
	expect_error(HEAD G1 "name = again\n", "line 13: duplicate key 'name' (first on line 9)");
	expect_error(HEAD "[group R02]\nname = n\nwhen = meritorious\ndocuments = DOC_X\n", "line 8: [group R02] is missing 'cite'");
	expect_error(HEAD "[group R02]\nname = n\ncite =\nwhen = meritorious\ndocuments = DOC_X\n", "line 10: 'cite' is empty");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = merit\ndocuments = DOC_X\n",
		     "line 11: in 'when': unknown fact or definition 'merit'");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = household = rich\ndocuments = DOC_X\n",
		     "line 11: in 'when': 'rich' is not a value of this fact");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = (meritorious\ndocuments = DOC_X\n",
		     "line 11: in 'when': expected ')' near ''");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = household in {poor\ndocuments = DOC_X\n",
		     "line 11: in 'when': expected '}' near ''");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = household =\ndocuments = DOC_X\n",
		     "line 11: in 'when': '' is not a value of this fact");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = age < x\ndocuments = DOC_X\n",
		     "line 11: in 'when': expected a number, got 'x'");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = household\ndocuments = DOC_X\n",
		     "line 11: in 'when': 'household' is not a yes/no fact: use '= value' or 'in {...}'");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = meritorious\nvalid_from = 2026-02-30\ndocuments = DOC_X\n",
		     "line 12: bad date in 'valid_from' (want YYYY-MM-DD)");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = meritorious\nvalid_from = 2026-02-03\nvalid_to = 2026-02-02\ndocuments = DOC_X\n",
		     "line 12: valid_from is after valid_to");
	expect_error(HEAD G1 G1, "line 13: [group R01] overlaps the validity of the one on line 8");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = meritorious\ndocuments = passport\n",
		     "line 12: document codes look like DOC_NAME (A-Z, 0-9, _), got 'passport'");
	expect_error(HEAD "[widget]\n", "line 8: unknown section '[widget]' (want group, define, scope or urgent)");
	expect_error(HEAD "[group]\n", "line 8: [group] needs a name, e.g. [group R01]");
	expect_error(HEAD "[define fd]\n", "line 8: definition names use A-Z, 0-9 and _ (e.g. FD)");
	expect_error("version = t\n" G1, "line 6: the rules need a [scope], an [urgent] and at least one [group] section");
	expect_error(HEAD "[scope]\ncite = c\nout_when = matter_business\n" G1, "line 8: a second [scope] section");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = meritorious and\ndocuments = DOC_X\n",
		     "line 11: in 'when': expected a condition at the end of the line");
	expect_error(HEAD "[group R02]\nname = n\ncite = c\nwhen = meritorious meritorious\ndocuments = DOC_X\n",
		     "line 11: in 'when': unexpected 'meritorious'");
	/* Non-overlapping variants are fine, and a define can be used. */
	const char *ok = HEAD "[define FD]\ncite = c\nwhen = household = near_poor\n"
			 "[group R05]\nname = a\ncite = c\nwhen = FD\nvalid_to = 2025-12-31\ndocuments = DOC_A\n"
			 "[group R05]\nname = b\ncite = c\nwhen = not FD\nvalid_from = 2026-01-01\ndocuments = DOC_B\n";
	CHECK_INT(rules_parse(ok, strlen(ok), &r, &d), 0);
	if (r) {
		CHECK_INT(r->nslots, 1);
		CHECK_INT(r->ngroups, 2);
		rules_destroy(r);
	}
}

static void test_documents(const struct rules *r)
{
	struct screen_result res;
	screen_text(r, BASE "request_date = 2026-06-01\nbirth_date = 2015-01-01\nhousehold = poor\nmeritorious = yes\n", &res);
	CHECK_INT(res.ndocs, 3);
	if (res.ndocs == 3) {
		CHECK_STR(res.docs[0], "DOC_MERITORIOUS_CERT");
		CHECK_STR(res.docs[1], "DOC_POOR_HOUSEHOLD_CERT");
		CHECK_STR(res.docs[2], "DOC_BIRTH_CERT");
	}
}

static void test_every_group_cited(const struct rules *r)
{
	for (int i = 0; i < r->ngroups; i++)
		CHECK(strstr(r->groups[i].cite, "Art.") != NULL);
	CHECK_INT(r->nslots, 15);
}

int main(void)
{
	struct rules *r = load_repo_rules();
	test_boundaries(r);
	test_partial_birth(r);
	test_boundaries_cover_rules(r);
	test_three_valued(r);
	test_json(r);
	test_documents(r);
	test_every_group_cited(r);
	test_errors();
	rules_destroy(r);
	return t_done("core_rules_test");
}
