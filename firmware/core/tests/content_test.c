/*
 * Tests for core/content: the kiosk's content pack (questions, catalogs,
 * communes) parses and is complete, bad packs are refused with a line, and
 * "ask only what matters": every public persona walked through the
 * questions in order, skipping those whose answer cannot change the
 * outcome, ends at the persona's outcome. Prints questions asked per persona.
 */
#include "common.h"
#include "content.h"

static void load_pack(struct content *c, struct catalog **vi, struct catalog **km)
{
	size_t n;
	struct diag d = {""};
	char *t = t_read_repo("firmware/content/kiosk/questions.conf", &n);
	memset(c, 0, sizeof *c);
	CHECK_INT(content_parse_questions(t, n, c, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/communes.txt", &n);
	CHECK_INT(content_parse_communes(t, n, c, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/strings.vi", &n);
	CHECK_INT(catalog_parse(t, n, vi, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/strings.km", &n);
	CHECK_INT(catalog_parse(t, n, km, &d), 0);
	free(t);
}

static void expect_q_error(const char *text, const char *want)
{
	struct content c;
	struct diag d = {""};
	memset(&c, 0, sizeof c);
	int rc = content_parse_questions(text, strlen(text), &c, &d);
	t_checks++;
	if (rc != ERR_PARSE || strcmp(d.msg, want))
		t_fail(__FILE__, __LINE__, "got %d \"%s\", want \"%s\"", rc, d.msg, want);
	content_finish(&c);
}

/* Walk the questions like the kiosk: returns the number asked. */
static int walk(const struct rules *r, const struct content *c, const struct facts *truth, struct date today,
		struct screen_result *final, char *asked, size_t an)
{
	struct facts f;
	facts_init(&f);
	f.set[F_REQUEST_DATE] = 1;
	f.val[F_REQUEST_DATE] = 0;
	f.request_date = today;
	int n = 0;
	size_t off = 0;
	asked[0] = '\0';
	for (int i = 0; i < c->nquestions; i++) {
		enum fact_id q = c->q[i].fact;
		if (!content_question_matters(r, &f, q, today))
			continue;
		n++;
		off += (size_t)snprintf(asked + off, an - off, "%s%s", off ? " " : "", c->q[i].id);
		f.set[q] = truth->set[q];
		f.val[q] = truth->set[q] ? truth->val[q] : FACT_UNKNOWN;
		if (q == F_BIRTH_DATE)
			f.birth_date = truth->birth_date;
	}
	screen(r, &f, today, final);
	return n;
}

static void test_personas(const struct rules *r, const struct content *c)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/spec/personas-public.tsv", t_env("SPEAN_SHARED_DIR"));
	char *text = t_read(path, NULL);
	if (!text) {
		t_fail(__FILE__, __LINE__, "cannot read %s", path);
		return;
	}
	char baseline[2048] = "";
	int total = 0, rows = 0;
	char *save;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			if (strstr(line, "meritorious=")) {
				size_t n = 0;
				for (char *p = line + 1; *p;) {
					while (*p == ' ')
						p++;
					char *b = p;
					while (*p && *p != ' ')
						p++;
					char *eq = memchr(b, '=', (size_t)(p - b));
					if (eq) {
						char *e = p[-1] == '.' ? p - 1 : p;
						n += (size_t)snprintf(baseline + n, sizeof baseline - n, "%.*s = %.*s\n", (int)(eq - b), b,
								      (int)(e - eq - 1), eq + 1);
					}
				}
			}
			continue;
		}
		char *f[5];
		char *s2;
		f[0] = strtok_r(line, "\t", &s2);
		for (int i = 1; i < 5; i++)
			f[i] = strtok_r(NULL, "\t", &s2);
		if (!f[4])
			continue;
		char facts[4096];
		size_t n = (size_t)snprintf(facts, sizeof facts, "%s", baseline);
		char *s3;
		for (char *kv = strtok_r(f[1], ";", &s3); kv; kv = strtok_r(NULL, ";", &s3)) {
			char *eq = strchr(kv, '=');
			n += (size_t)snprintf(facts + n, sizeof facts - n, "%.*s = %s\n", (int)(eq - kv), kv, eq + 1);
		}
		/* Build the truth with later lines overriding the baseline (common.h's reader). */
		struct facts truth;
		struct kv_reader rd;
		struct kv_item it;
		struct diag d;
		facts_init(&truth);
		kv_reader_init(&rd, facts, strlen(facts), 0);
		while (kv_next(&rd, &it, &d) > 0)
			facts_set_text(&truth, it.key, it.key_len, it.value, it.value_len, &d);
		struct screen_result res, direct;
		char asked[1024];
		int q = walk(r, c, &truth, truth.request_date, &res, asked, sizeof asked);
		screen(r, &truth, truth.request_date, &direct);
		int ok = res.outcome == direct.outcome && !strcmp(outcome_name(res.outcome), f[2]) &&
			 res.urgent == direct.urgent;
		printf("%-5s %2d of %d questions  %-16s %s\n", f[0], q, c->nquestions, outcome_name(res.outcome), asked);
		t_checks++;
		if (!ok)
			t_fail(__FILE__, __LINE__, "%s: asking only what matters gave %s, the full facts give %s (want %s)", f[0],
			       outcome_name(res.outcome), outcome_name(direct.outcome), f[2]);
		total += q;
		rows++;
	}
	printf("questions asked: %d over %d personas (%.1f each; %d questions in the pack)\n", total, rows,
	       rows ? (double)total / rows : 0.0, c->nquestions);
	CHECK(rows >= 15);
	CHECK(total < rows * c->nquestions); /* skipping happens */
	free(text);
}

int main(void)
{
	struct rules *r = load_repo_rules();
	struct content c;
	struct catalog *vi = NULL, *km = NULL;
	struct diag d = {""};
	struct content cc;
	load_pack(&c, &vi, &km);
	CHECK(c.nquestions >= 19);
	CHECK(c.ncommunes > 10);
	CHECK_INT(content_check_catalog(&c, r, vi, "vi", &d), 0);
	CHECK_INT(content_check_catalog(&c, r, km, "km", &d), 0);
	/* Both catalogs have the same keys. */
	CHECK_INT(catalog_count(vi), catalog_count(km));
	for (size_t i = 0; i < catalog_count(vi); i++)
		if (!catalog_get(km, catalog_key(vi, i)))
			t_fail(__FILE__, __LINE__, "strings.km lacks %s", catalog_key(vi, i));
	/* A missing key is named. */
	struct catalog *small;
	CHECK_INT(catalog_parse("q.hiv = x\n", 10, &small, &d), 0);
	CHECK_INT(content_check_catalog(&c, r, small, "km", &d), ERR_PARSE);
	CHECK_STR(d.msg, "the km catalog has no text for 'q.specific_matter'");
	catalog_destroy(small);
	CHECK_INT(catalog_parse("a = 1\na = 2\n", 12, &small, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 2: duplicate key 'a'");

	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = date\ntext = t\n",
		       "line 3: [question a] kind does not fit fact hiv");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = household\nkind = choice\nchoices = poor, rich\ntext = t\n",
		       "line 6: 'rich' is not a value of household, or is listed twice");
	/* At most five answers on a screen: four choices and "I don't know". */
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = choice\n"
		       "choices = none, reported, accused, victim, witness\ntext = t\n",
		       "line 6: at most 4 choices on a screen (with \"I don't know\": five); ask the rest as another question (>ID)");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = household\nkind = choice\nchoices = poor, poor\ntext = t\n",
		       "line 6: 'poor' is not a value of household, or is listed twice");
	/* A sequence: what an answer opens exists, comes later, asks the same fact, is opened once. */
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = gate\nyes = >b\nno = none\ntext = t\n",
		       "line 3: [question a] opens 'b', which is not a question");
	expect_q_error("version = 1\ncenter_phone = 1\n[question b]\nfact = criminal_role\nkind = choice\nchoices = victim\ntext = t\n"
		       "[question a]\nfact = criminal_role\nkind = gate\nyes = >b\nno = none\ntext = t\n",
		       "line 8: [question a] opens [question b]: it must come later, ask the same fact and be opened by one answer only");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = gate\nyes = >b\nno = none\ntext = t\n"
		       "[question b]\nfact = trafficking\nkind = choice\nchoices = victim\ntext = t\n",
		       "line 3: [question a] opens [question b]: it must come later, ask the same fact and be opened by one answer only");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = choice\nchoices = >b, >b\ntext = t\n"
		       "[question b]\nfact = criminal_role\nkind = choice\nchoices = victim\ntext = t\n",
		       "line 3: [question a] opens [question b]: it must come later, ask the same fact and be opened by one answer only");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = gate\nyes = >b\ntext = t\n"
		       "[question b]\nfact = criminal_role\nkind = choice\nchoices = victim\ntext = t\n",
		       "line 3: [question a] is a gate: it needs yes = >ID and no = VALUE or unknown");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = gate\nyes = victim\nno = none\ntext = t\n",
		       "line 6: yes = >ID: the question a yes opens");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = gate\nyes = >b\nno = maybe\ntext = t\n",
		       "line 7: no is one value of criminal_role or unknown, once");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = criminal_role\nkind = choice\nchoices = victim\ntext = t\n"
		       "[question b]\nfact = criminal_role\nkind = choice\nchoices = witness\ntext = t\n",
		       "line 8: [question b] asks again what line 3 asks");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = deadline_working_days\nkind = deadline\nchoices = 1\ntext = t\n",
		       "line 6: '1' is not a value of deadline_working_days, or is listed twice");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = yesno\ntext = t\n[question b]\nfact = hiv\nkind = yesno\ntext = t\n",
		       "line 7: [question b] asks again what line 3 asks");
	{
		/* The shipped sequence: the criminal role's gate opens the side, which opens the two ends. */
		struct content sc;
		struct diag sd = {""};
		memset(&sc, 0, sizeof sc);
		const char *seq = "version = 1\ncenter_phone = 1\n"
				  "[question g]\nfact = criminal_role\nkind = gate\nyes = >s\nno = none\ntext = t\n"
				  "[question s]\nfact = criminal_role\nkind = choice\nchoices = victim, >x\ntext = t\n"
				  "[question x]\nfact = criminal_role\nkind = choice\nchoices = accused\ntext = t\n";
		CHECK_INT(content_parse_questions(seq, strlen(seq), &sc, &sd), 0);
		CHECK_INT(sc.q[0].parent, -1);
		CHECK_INT(sc.q[1].parent, 0);
		CHECK_INT(sc.q[2].parent, 1);
		CHECK_INT(content_root(&sc, 2), 0);
		CHECK_INT(sc.q[0].gate_no, fact_value_find(F_CRIMINAL_ROLE, "none", 4));
		CHECK_INT(sc.q[1].choice[1].opens, 2);
		content_finish(&sc);
	}
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\ntext = t\n",
		       "line 3: [question a] needs fact, kind and text");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = yesno\ntext = t\ntext = u\n",
		       "line 7: 'text' repeated");
	/* Pictures (issue 12.6): two questions never share one, and none shows an answer button's symbol. */
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = yesno\ntext = t\nicon = ribbon\n"
		       "[question b]\nfact = agent_orange\nkind = yesno\ntext = u\nicon = ribbon\n",
		       "line 8: [question b] shows the picture ribbon of [question a] (line 3); each question has its own");
	expect_q_error("version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = yesno\ntext = t\nicon = answer_unknown\n",
		       "line 3: [question a] shows answer_unknown, an answer button's symbol; a question has its own picture");
	/* ... while questions without a picture, and different pictures, are fine; the repo's pack has one per question. */
	memset(&cc, 0, sizeof cc);
	const char *distinct = "version = 1\ncenter_phone = 1\n[question a]\nfact = hiv\nkind = yesno\ntext = t\nicon = ribbon\n"
			       "[question b]\nfact = agent_orange\nkind = yesno\ntext = u\nicon = drum\n[question c]\n"
			       "fact = disability\nkind = yesno\ntext = v\n[question d]\nfact = dv_victim\nkind = yesno\ntext = w\n";
	CHECK_INT(content_parse_questions(distinct, strlen(distinct), &cc, &d), 0);
	content_finish(&cc);
	for (int i = 0; i < c.nquestions; i++) {
		CHECK(c.q[i].icon[0] != '\0');
		for (int j = 0; j < i; j++)
			CHECK(strcmp(c.q[i].icon, c.q[j].icon) != 0);
	}
	expect_q_error("version = 1\n", "line 1: the questions file needs version, center_phone and at least one question");
	expect_q_error("colour = 1\n", "line 1: unknown key 'colour' (want version, center_phone)");
	memset(&cc, 0, sizeof cc);
	CHECK_INT(content_parse_communes("9000 = x\n", 9, &cc, &d), ERR_PARSE);
	content_finish(&cc);
	CHECK_INT(content_parse_communes("90001 = a\n90001 = b\n", 20, &cc, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 2: commune code 90001 listed twice");
	content_finish(&cc);

	/* Matters: with everything unknown the scope question matters; once poor + specific + not business, nothing else does but urgency. */
	struct facts f;
	facts_init(&f);
	struct date today = {2026, 6, 1};
	CHECK(content_question_matters(r, &f, F_SPECIFIC_MATTER, today));
	facts_set_text(&f, "household", 9, "poor", 4, &d);
	facts_set_text(&f, "specific_matter", 15, "yes", 3, &d);
	facts_set_text(&f, "matter_business", 15, "no", 2, &d);
	CHECK(!content_question_matters(r, &f, F_HIV, today));
	CHECK(!content_question_matters(r, &f, F_BIRTH_DATE, today));
	CHECK(content_question_matters(r, &f, F_DEADLINE_WORKING_DAYS, today));
	/* Ethnicity no: the area question cannot matter. */
	facts_init(&f);
	facts_set_text(&f, "ethnic_minority", 15, "no", 2, &d);
	CHECK(!content_question_matters(r, &f, F_RESIDENCE_AREA_LISTED, today));
	facts_set_text(&f, "ethnic_minority", 15, "yes", 3, &d);
	CHECK(content_question_matters(r, &f, F_RESIDENCE_AREA_LISTED, today));

	test_personas(r, &c);
	catalog_destroy(vi);
	catalog_destroy(km);
	content_finish(&c);
	rules_destroy(r);
	return t_done("core_content_test");
}
