/*
 * Every row of shared/spec/personas-public.tsv, read from the file: the
 * baseline facts come from the file's own header comment, each row's facts
 * override them, and outcome, groups and urgent must match.
 */
#include "common.h"
#include "kv.h"
#include "personas.h"

int main(void)
{
	struct rules *r = load_repo_rules();
	char path[4096];
	snprintf(path, sizeof path, "%s/spec/personas-public.tsv", t_env("SPEAN_SHARED_DIR"));
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
	CHECK(ps.n >= 15);
	printf("%zu personas checked\n", ps.n);
	personas_free(&ps);
	rules_destroy(r);
	return t_done("core_personas_test");
}
