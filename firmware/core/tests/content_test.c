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

static void expect_communes_error(const char *text, const char *want)
{
	struct content c;
	struct diag d = {""};
	memset(&c, 0, sizeof c);
	int rc = content_parse_communes(text, strlen(text), &c, &d);
	t_checks++;
	if (rc != ERR_PARSE || strcmp(d.msg, want))
		t_fail(__FILE__, __LINE__, "%s: got %d \"%s\", want \"%s\"", text, rc, d.msg, want);
	content_finish(&c);
}

/* "CODE = Vietnamese name | Khmer name": the Khmer part is optional and strict. */
static void test_communes_km(const struct content *pack)
{
	struct content cc;
	struct diag d = {""};
	memset(&cc, 0, sizeof cc);
	const char *ok = "90001 = Phường Trà Vinh | សង្កាត់ព្រះត្រពាំង\n"
			 "90002 = Phường Long Đức\n"
			 "90005 =\tXã Càng Long\t|\tឃុំកន្លង់  \n"
			 "90006 = Xã Khmer 2|ក២\n";
	CHECK_INT(content_parse_communes(ok, strlen(ok), &cc, &d), 0);
	CHECK_INT(cc.ncommunes, 4);
	CHECK_STR(cc.communes[0].name, "Phường Trà Vinh");
	CHECK_STR(cc.communes[0].name_km, "សង្កាត់ព្រះត្រពាំង");
	CHECK_STR(cc.communes[1].name, "Phường Long Đức");
	CHECK(cc.communes[1].name_km == NULL);
	CHECK_STR(cc.communes[2].name, "Xã Càng Long");
	CHECK_STR(cc.communes[2].name_km, "ឃុំកន្លង់");
	CHECK_STR(cc.communes[3].name, "Xã Khmer 2");
	CHECK_STR(cc.communes[3].name_km, "ក២");
	content_finish(&cc);

	expect_communes_error("90001 = a\n90002 = | ព្រះត្រពាំង\n",
			      "line 2: the Vietnamese name before '|' is empty (leave out '|' when there is no Khmer name)");
	expect_communes_error("90001 = Trà Vinh |\n",
			      "line 1: the Khmer name after '|' is empty (leave out '|' when there is no Khmer name)");
	expect_communes_error("90001 = Trà Vinh |  \t \n",
			      "line 1: the Khmer name after '|' is empty (leave out '|' when there is no Khmer name)");
	expect_communes_error("90001 = |\n",
			      "line 1: the Vietnamese name before '|' is empty (leave out '|' when there is no Khmer name)");
	expect_communes_error("90001 = Trà Vinh | ព្រះត្រពាំង | ព្រះ\n",
			      "line 1: a second '|' (want 'CODE = Vietnamese name | Khmer name')");
	expect_communes_error("90001 = Trà Vinh || ព្រះត្រពាំង\n",
			      "line 1: a second '|' (want 'CODE = Vietnamese name | Khmer name')");
	/* Latin, Khmer digits or signs only, a name put on the wrong side: no Khmer letter. */
	expect_communes_error("90001 = Trà Vinh | Tra Vinh\n",
			      "line 1: the name after '|' has no Khmer letter (want 'CODE = Vietnamese name | Khmer name')");
	expect_communes_error("90001 = Trà Vinh | ១២៣ ៖\n",
			      "line 1: the name after '|' has no Khmer letter (want 'CODE = Vietnamese name | Khmer name')");
	expect_communes_error("90001 = ព្រះត្រពាំង | Trà Vinh\n",
			      "line 1: the name after '|' has no Khmer letter (want 'CODE = Vietnamese name | Khmer name')");

	/* The pack's list: a few communes with their Khmer names, the rest Vietnamese only, no '|' left in a name. */
	int with_km = 0;
	for (int i = 0; i < pack->ncommunes; i++) {
		const struct commune *m = &pack->communes[i];
		CHECK(!strchr(m->name, '|') && (!m->name_km || !strchr(m->name_km, '|')));
		with_km += m->name_km != NULL;
		if (!strcmp(m->code, "90001"))
			CHECK_STR(m->name_km ? m->name_km : "(none)", "សង្កាត់ព្រះត្រពាំង");
	}
	CHECK(with_km >= 2 && with_km < pack->ncommunes);
}

/* Is key a question text: "q.ID" with no further dot? */
static int question_key(const char *key)
{
	return !strncmp(key, "q.", 2) && !strchr(key + 2, '.');
}

static int has_any(const char *s, const char *const *subs)
{
	for (; *subs; subs++)
		if (strstr(s, *subs))
			return 1;
	return 0;
}

/*
 * "you" and "that person": every question text q.ID speaks of the person who
 * needs help in one way ("người đó", "អ្នកនោះ"), never "bạn" or "người cần
 * giúp"; its q.ID.you, for a resident asking for themselves, speaks to them
 * and never of "người đó". Both catalogs, every question of the pack.
 */
static void test_you_and_that_person(const struct content *c, const struct catalog *vi, const struct catalog *km)
{
	static const char *const vi_you[] = {"Bạn", "bạn", NULL};
	static const char *const vi_other[] = {"Người đó", "người đó", "người cần giúp", "Người cần giúp", NULL};
	static const char *const km_other[] = {"អ្នកនោះ", "អ្នកដែលត្រូវការជំនួយ", NULL};
	char key[96];
	for (int i = 0; i < c->nquestions; i++) {
		snprintf(key, sizeof key, "%s.you", c->q[i].text_key);
		if (!catalog_get(vi, key) || !catalog_get(km, key))
			t_fail(__FILE__, __LINE__, "question %s: no %s in strings.vi and strings.km", c->q[i].id, key);
		t_checks++;
	}
	int nq = 0;
	for (size_t i = 0; i < catalog_count(vi); i++) {
		const char *k = catalog_key(vi, i);
		if (!question_key(k))
			continue;
		nq++;
		snprintf(key, sizeof key, "%s.you", k);
		const char *v = catalog_value(vi, i), *vy = catalog_get(vi, key);
		const char *m = catalog_get(km, k), *my = catalog_get(km, key);
		t_checks++;
		if (!vy || !m || !my) {
			t_fail(__FILE__, __LINE__, "%s: needs %s and both in strings.km", k, key);
			continue;
		}
		t_checks += 4;
		if (has_any(v, vi_you) || strstr(v, "người cần giúp") || strstr(v, "Người cần giúp"))
			t_fail(__FILE__, __LINE__, "strings.vi %s speaks to the resident or of \"người cần giúp\": %s", k, v);
		if (has_any(vy, vi_other))
			t_fail(__FILE__, __LINE__, "strings.vi %s speaks of another person: %s", key, vy);
		if (strstr(m, "អ្នកដែលត្រូវការជំនួយ"))
			t_fail(__FILE__, __LINE__, "strings.km %s says \"អ្នកដែលត្រូវការជំនួយ\", not \"អ្នកនោះ\": %s", k, m);
		if (has_any(my, km_other))
			t_fail(__FILE__, __LINE__, "strings.km %s speaks of another person: %s", key, my);
		/* Where the Vietnamese names the person, the Khmer does too, the same way. */
		t_checks += 2;
		if (has_any(v, vi_other) != (strstr(m, "អ្នកនោះ") != NULL))
			t_fail(__FILE__, __LINE__, "%s: \"người đó\" in one catalog and not \"អ្នកនោះ\" in the other", k);
		if (has_any(vy, vi_you) != (strstr(my, "អ្នក") != NULL))
			t_fail(__FILE__, __LINE__, "%s: \"bạn\" in one catalog and not \"អ្នក\" in the other", key);
	}
	CHECK(nq >= c->nquestions);
}

/* The {placeholders} of s, sorted and joined ("{groups}{phone}"), into out. */
static void placeholders(const char *s, char *out, size_t n)
{
	char found[16][40];
	int k = 0;
	for (const char *p = strchr(s, '{'); p && k < 16; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		if (!e || (size_t)(e - p) >= sizeof found[0] - 1)
			break;
		snprintf(found[k++], sizeof found[0], "%.*s", (int)(e - p + 1), p);
	}
	qsort(found, (size_t)k, sizeof found[0], (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < k; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s", found[i]);
}

/*
 * Every KEY.you (questions, outcome bodies, the name field) has its KEY, both
 * in both catalogs, speaks to the resident and never of "người đó" / "người
 * cần giúp" / "អ្នកនោះ" / "អ្នកដែលត្រូវការជំនួយ"; and a text fills in the same
 * {placeholders} in Khmer as in Vietnamese, and in KEY.you as in KEY.
 */
static void test_you_variants(const struct catalog *vi, const struct catalog *km)
{
	static const char *const other[] = {"Người đó", "người đó", "người cần giúp", "Người cần giúp", "អ្នកនោះ",
					    "អ្នកដែលត្រូវការជំនួយ", NULL};
	int nyou = 0;
	char base[96], a[256], b[256];
	for (size_t i = 0; i < catalog_count(vi); i++) {
		const char *k = catalog_key(vi, i), *v = catalog_value(vi, i), *m = catalog_get(km, k);
		placeholders(v, a, sizeof a);
		placeholders(m ? m : "", b, sizeof b);
		t_checks++;
		if (m && strcmp(a, b))
			t_fail(__FILE__, __LINE__, "%s: strings.vi fills in %s, strings.km %s", k, a, b);
		size_t n = strlen(k);
		if (n < 5 || strcmp(k + n - 4, ".you"))
			continue;
		nyou++;
		snprintf(base, sizeof base, "%.*s", (int)(n - 4), k);
		const char *bv = catalog_get(vi, base), *bm = catalog_get(km, base);
		t_checks += 3;
		if (!bv || !bm || !m) {
			t_fail(__FILE__, __LINE__, "%s: %s and both in strings.km are needed too", k, base);
			continue;
		}
		if (has_any(v, other) || has_any(m, other))
			t_fail(__FILE__, __LINE__, "%s speaks of another person", k);
		placeholders(bv, b, sizeof b);
		if (strcmp(a, b))
			t_fail(__FILE__, __LINE__, "%s fills in %s, %s fills in %s", k, a, base, b);
	}
	CHECK(nyou >= 20);
}

/*
 * Keys the issue-12 screens use before questions.conf asks for them (the
 * criminal-case sequence, the deadline, finishing without sending, the steps
 * of the progress bar, the contact refusals, the language switch), and every
 * small-print legal term belongs to a choice label that says it in plain words.
 */
static void test_issue12_keys(const struct catalog *vi, const struct catalog *km)
{
	static const char *const keys[] = {
		"q.criminal_role", "q.criminal_role.you", "q.criminal_role.none", "q.criminal_role.victim",
		"q.criminal_role.victim.term", "q.criminal_role.witness", "q.criminal_role.witness.term",
		"q.criminal_role.criminal_suspect", "q.criminal_suspect", "q.criminal_suspect.you",
		"q.criminal_suspect.criminal_early", "q.criminal_suspect.accused", "q.criminal_suspect.accused.term",
		"q.criminal_suspect.criminal_decided", "q.criminal_early", "q.criminal_early.you", "q.criminal_early.reported",
		"q.criminal_early.reported.term", "q.criminal_early.prosecution_requested",
		"q.criminal_early.prosecution_requested.term", "q.criminal_early.emergency_detained",
		"q.criminal_early.emergency_detained.term", "q.criminal_decided", "q.criminal_decided.you",
		"q.criminal_decided.prisoner", "q.criminal_decided.prisoner.term", "q.criminal_decided.diversion",
		"q.criminal_decided.diversion.term", "q.deadline.full_date", "date.year", "date.month", "date.day",
		"q.deadline", "q.deadline.you", "q.deadline_date", "q.deadline_date.you", "q.deadline_date.unknown",
		"q.deadline.past", "q.deadline.too_far", "outcome.finish_confirm", "outcome.finish_confirm.body",
		"outcome.finish_confirm.yes", "outcome.finish_confirm.no", "step.questions", "step.outcome", "step.contact",
		"step.review", "contact.commune_required", "contact.name_required", "lang.switch",
	};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		t_checks++;
		if (!catalog_get(vi, keys[i]) || !catalog_get(km, keys[i]))
			t_fail(__FILE__, __LINE__, "%s is missing from strings.vi or strings.km", keys[i]);
	}
	/* The body names the phone to call, in both. */
	CHECK(strstr(catalog_get(vi, "outcome.finish_confirm.body") ? catalog_get(vi, "outcome.finish_confirm.body") : "",
		     "{phone}"));
	CHECK(strstr(catalog_get(km, "outcome.finish_confirm.body") ? catalog_get(km, "outcome.finish_confirm.body") : "",
		     "{phone}"));
	const struct catalog *cats[2] = {vi, km};
	for (int c = 0; c < 2; c++)
		for (size_t i = 0; i < catalog_count(cats[c]); i++) {
			const char *k = catalog_key(cats[c], i);
			size_t n = strlen(k);
			if (n < 6 || strcmp(k + n - 5, ".term"))
				continue;
			char label[96];
			snprintf(label, sizeof label, "%.*s", (int)(n - 5), k);
			const char *plain = catalog_get(cats[c], label);
			t_checks++;
			if (!plain || !strcmp(plain, catalog_value(cats[c], i)))
				t_fail(__FILE__, __LINE__, "%s: its label %s is missing or says the same", k, label);
		}
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
	test_communes_km(&c);

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

	test_you_and_that_person(&c, vi, km);
	test_issue12_keys(vi, km);
	test_you_variants(vi, km);
	test_personas(r, &c);
	catalog_destroy(vi);
	catalog_destroy(km);
	content_finish(&c);
	rules_destroy(r);
	return t_done("core_content_test");
}
