/*
 * Every row of shared/spec/personas-public.tsv, read from the file: the
 * baseline facts come from the file's own header comment, each row's facts
 * override them, and outcome, groups and urgent must match.
 */
#include "common.h"
#include "kv.h"
#include "personas.h"

#define BASE "# meritorious=no household=none deadline_working_days absent.\n"

/* The reader itself: a row's facts replace the baseline's, and every malformed file is refused with its line. */
static void reader(void)
{
	struct personas ps;
	struct diag d = {""};
	const char *good = "# Worked examples.\n" BASE "# id\tfacts\n"
			   "X1\trequest_date=2026-01-02;household=poor\tlikely_eligible\tR02\tyes\tpoor\n\n"
			   "X2\tmeritorious=yes\tnot_listed\t-\tno\n";
	CHECK_INT(personas_parse(good, strlen(good), "good", &ps, &d), 0);
	CHECK_INT(ps.n, 2);
	if (ps.n == 2) {
		CHECK_STR(persona_get(&ps.p[0], "household"), "poor");
		CHECK_STR(persona_get(&ps.p[0], "meritorious"), "no");
		CHECK_STR(persona_get(&ps.p[0], "request_date"), "2026-01-02");
		CHECK(persona_get(&ps.p[0], "deadline_working_days") == NULL);
		CHECK_INT(ps.p[0].nfacts, 3);
		CHECK_INT(ps.p[0].urgent, 1);
		CHECK_STR(ps.p[0].groups, "R02");
		CHECK_STR(persona_get(&ps.p[1], "meritorious"), "yes");
		CHECK_STR(persona_get(&ps.p[1], "household"), "none");
		CHECK_STR(ps.p[1].outcome, "not_listed");
		CHECK_INT(ps.p[1].urgent, 0);
		struct buf b;
		buf_init(&b);
		persona_facts_text(&ps.p[1], &b);
		CHECK_STR(b.data, "meritorious = yes\nhousehold = none\n");
		buf_finish(&b);
	}
	personas_free(&ps);
	char many[4096];
	size_t n = (size_t)snprintf(many, sizeof many, BASE "X\t");
	for (int i = 0; i < PERSONA_MAX_FACTS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "k%d=v;", i);
	snprintf(many + n, sizeof many - n, "\tnot_listed\t-\tno\n");
	char longkey[256];
	snprintf(longkey, sizeof longkey, BASE "X\t%064d=1\tnot_listed\t-\tno\n", 0);
	static const char nul[] = BASE "X\tk=v\0\tnot_listed\t-\tno\n";
	const struct {
		const char *text;
		size_t len;
		const char *msg;
	} bad[] = {
		{"X\tk=v\tnot_listed\t-\tno\n" BASE, 0, "t:1: a persona before the baseline comment"},
		{BASE "X\tk=v\tnot_listed\t-\n", 0, "t:2: a persona row has fewer than 5 tab-separated fields"},
		{BASE "X\tk=v;oops\tnot_listed\t-\tno\n", 0, "t:2: a fact without '=', empty, too long or one too many"},
		{BASE "X\t=v\tnot_listed\t-\tno\n", 0, "t:2: a fact without '=', empty, too long or one too many"},
		{BASE "X\tk=v\tnot_listed\t-\tmaybe\n", 0, "t:2: urgent is neither yes nor no"},
		{BASE "\tk=v\tnot_listed\t-\tno\n", 0, "t:2: an empty id, or an id, outcome or groups too long"},
		{BASE "X234567890123456\tk=v\tnot_listed\t-\tno\n", 0,
		 "t:2: an empty id, or an id, outcome or groups too long"},
		{"# meritorious=no household=none =x\n", 0, "t:1: a baseline fact is empty, too long or one too many"},
		{many, 0, "t:2: a fact without '=', empty, too long or one too many"},
		{longkey, 0, "t:2: a fact without '=', empty, too long or one too many"},
		{nul, sizeof nul - 1, "t: a NUL byte"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct diag e = {""};
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		CHECK_INT(personas_parse(bad[i].text, len, "t", &ps, &e), ERR_PARSE);
		CHECK_STR(e.msg, bad[i].msg);
		CHECK_INT(ps.n, 0);
		personas_free(&ps);
	}
	CHECK(personas_load("/nonexistent/personas.tsv", &ps, &d) < 0);
}

/* argv: the persona file of shared/spec (default personas-public.tsv) and the rows it must have at least. */
int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "personas-public.tsv";
	size_t min_rows = argc > 2 ? (size_t)atoi(argv[2]) : 15;
	reader();
	struct rules *r = load_repo_rules();
	char path[4096];
	snprintf(path, sizeof path, "%s/spec/%s", t_env("SPEAN_SHARED_DIR"), file);
	struct personas ps;
	struct diag d = {""};
	if (personas_load(path, &ps, &d)) {
		fprintf(stderr, "%s (shared/ must sit beside the repo)\n", d.msg);
		return 2;
	}
	for (size_t i = 0; i < ps.n; i++) {
		const struct persona *p = &ps.p[i];
		/* Baseline first, then the row's own facts (the reader merged them). */
		struct buf facts;
		buf_init(&facts);
		persona_facts_text(p, &facts);
		struct screen_result res;
		screen_text(r, facts.data ? facts.data : "", &res);
		buf_finish(&facts);
		char got_groups[256];
		ids(r, &res, TRI_YES, got_groups, sizeof got_groups);
		int ok = !strcmp(outcome_name(res.outcome), p->outcome) && !strcmp(got_groups, p->groups) &&
			 res.urgent == p->urgent;
		printf("%-5s %-16s %-8s urgent=%-3s %s\n", p->id, outcome_name(res.outcome), got_groups,
		       res.urgent ? "yes" : "no", ok ? "ok" : "MISMATCH");
		if (!ok)
			t_fail(__FILE__, __LINE__, "%s: got %s %s urgent=%d, want %s %s urgent=%s", p->id,
			       outcome_name(res.outcome), got_groups, res.urgent, p->outcome, p->groups,
			       p->urgent ? "yes" : "no");
		t_checks++;
	}
	CHECK(ps.n >= min_rows);
	printf("%zu personas of %s checked\n", ps.n, file);
	personas_free(&ps);
	rules_destroy(r);
	return t_done(argc > 1 ? file : "core_personas_test");
}
