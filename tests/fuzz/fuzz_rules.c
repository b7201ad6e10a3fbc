/* Fuzz target for core/rules and core/screen: parse a rules file, then screen fixed and derived facts. */
#include <stdint.h>
#include <string.h>

#include "facts.h"
#include "fuzz_common.h"
#include "kv.h"
#include "mem.h"
#include "rules.h"
#include "screen.h"

/* Every root and child index points at an earlier node: evaluation terminates. */
static void check_rules_sane(const struct rules *r)
{
	FUZZ_CHECK(r->version && r->version[0]);
	FUZZ_CHECK(r->nnodes > 0 && r->nnodes <= RULES_MAX_NODES);
	FUZZ_CHECK(r->ngroups > 0);
	FUZZ_CHECK(r->nslots > 0 && r->nslots <= RULES_MAX_GROUPS && r->nslots <= r->ngroups);
	FUZZ_CHECK(r->scope_out >= 0 && r->scope_out < r->nnodes);
	FUZZ_CHECK(r->urgent >= 0 && r->urgent < r->nnodes);
	FUZZ_CHECK(r->scope_cite != NULL);
	for (int i = 0; i < r->nnodes; i++) {
		const struct rule_node *n = &r->nodes[i];
		switch ((enum node_op)n->op) {
		case N_CONST:
			FUZZ_CHECK(n->value == TRI_MAYBE);
			break;
		case N_IN:
			FUZZ_CHECK(n->fact >= 0 && n->fact < F_COUNT);
			FUZZ_CHECK(fact_def((enum fact_id)n->fact)->kind == FK_ENUM);
			break;
		case N_CMP:
			FUZZ_CHECK(n->fact == NODE_AGE ||
				   (n->fact >= 0 && n->fact < F_COUNT && fact_def((enum fact_id)n->fact)->kind == FK_INT));
			FUZZ_CHECK(n->cmp <= CMP_NE);
			break;
		case N_NOT:
			FUZZ_CHECK(n->a >= 0 && n->a < i);
			break;
		case N_AND:
		case N_OR:
			FUZZ_CHECK(n->a >= 0 && n->a < i && n->b >= 0 && n->b < i);
			break;
		default:
			FUZZ_FAIL("unknown node op");
		}
	}
	for (int i = 0; i < r->ngroups; i++) {
		const struct rule_group *g = &r->groups[i];
		FUZZ_CHECK(g->when >= 0 && g->when < r->nnodes);
		FUZZ_CHECK(g->slot >= 0 && g->slot < r->nslots);
		FUZZ_CHECK(g->name && g->cite);
		FUZZ_CHECK(g->ndocs >= 0 && g->ndocs <= RULES_MAX_DOCS);
		FUZZ_CHECK(strcmp(r->slot_id[g->slot], g->id) == 0);
		if (g->has_from)
			FUZZ_CHECK(date_valid(g->valid_from));
		if (g->has_to)
			FUZZ_CHECK(date_valid(g->valid_to));
	}
}

static void screen_one(const struct rules *r, const struct facts *f, struct date today)
{
	struct screen_result res;
	struct buf json;
	screen(r, f, today, &res);
	FUZZ_CHECK((unsigned)res.outcome <= OUTCOME_NOT_LISTED);
	FUZZ_CHECK(res.nslots == r->nslots);
	FUZZ_CHECK(res.ndocs >= 0 && res.ndocs <= RULES_MAX_GROUPS * RULES_MAX_DOCS);
	for (int s = 0; s < res.nslots; s++) {
		FUZZ_CHECK(res.slot[s] == TRI_NO || res.slot[s] == TRI_MAYBE || res.slot[s] == TRI_YES);
		if (res.outcome == OUTCOME_OUTSIDE_SCOPE)
			FUZZ_CHECK(res.slot[s] == TRI_NO);
	}
	if (res.outcome == OUTCOME_LIKELY_ELIGIBLE)
		FUZZ_CHECK(res.scope_out == TRI_NO);
	buf_init(&json);
	screen_result_json(r, &res, &json);
	FUZZ_CHECK(json.len > 2 && json.data[0] == '{' && json.data[json.len - 1] == '}');
	FUZZ_CHECK(utf8_valid(json.data, json.len));
	buf_finish(&json);
}

/* Facts chosen by the input's bytes, so the evaluator sees many combinations per rule set. */
static void derived_facts(const uint8_t *data, size_t size, struct facts *f)
{
	facts_init(f);
	if (size == 0)
		return;
	for (int i = 0; i < F_COUNT; i++) {
		const struct fact_def *fd = fact_def((enum fact_id)i);
		unsigned b = data[((size_t)i * 7919u) % size];
		if (b % 5 == 0)
			continue; /* absent */
		f->set[i] = 1;
		f->line[i] = 0;
		if (b % 5 == 1 && fd->allows_unknown) {
			f->val[i] = FACT_UNKNOWN;
			continue;
		}
		switch (fd->kind) {
		case FK_DATE:
			if (i == F_REQUEST_DATE)
				f->request_date = (struct date){2024 + (int)(b % 3), 2, 28 + (int)(b % 2 && b % 3 == 0)};
			else /* a full day, or a year and month, or a year alone (b / 5 % 3) */
				f->birth_date = (struct date){1950 + (int)(b % 75), b / 5 % 3 == 2 ? 0 : 1 + (int)(b % 12),
							      b / 5 % 3 ? 0 : 1 + (int)(b % 28)};
			f->val[i] = 0;
			break;
		case FK_ENUM:
			f->val[i] = (int)(b % (unsigned)fd->nvalues);
			break;
		case FK_INT:
			f->val[i] = (int)(b % 32);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct date dates[] = {{2026, 3, 10}, {2025, 6, 30}, {2025, 7, 1}, {2024, 2, 29}};
	struct rules *r = NULL;
	struct diag d = {""};
	if (rules_parse((const char *)data, size, &r, &d)) {
		FUZZ_CHECK(r == NULL);
		fuzz_check_diag(&d);
		return 0;
	}
	FUZZ_CHECK(r != NULL);
	check_rules_sane(r);

	struct facts unknown, base, persona, derived;
	facts_init(&unknown);
	/* Everything known and "no": only what a rule asks about positively can match. */
	facts_init(&base);
	for (int i = 0; i < F_COUNT; i++) {
		const struct fact_def *fd = fact_def((enum fact_id)i);
		if (fd->kind != FK_ENUM)
			continue;
		int no = fact_value_find((enum fact_id)i, "no", 2);
		if (no < 0)
			no = fact_value_find((enum fact_id)i, "none", 4);
		base.set[i] = 1;
		base.val[i] = no >= 0 ? no : 0;
	}
	base.set[F_SPECIFIC_MATTER] = 1;
	base.val[F_SPECIFIC_MATTER] = fact_value_find(F_SPECIFIC_MATTER, "yes", 3);
	/* A 16-year-old born on 29 February, accused, near-poor, with a deadline in 3 days. */
	persona = base;
	persona.set[F_BIRTH_DATE] = 1;
	persona.val[F_BIRTH_DATE] = 0;
	persona.birth_date = (struct date){2008, 2, 29};
	persona.val[F_CRIMINAL_ROLE] = fact_value_find(F_CRIMINAL_ROLE, "accused", 7);
	persona.val[F_HOUSEHOLD] = fact_value_find(F_HOUSEHOLD, "near_poor", 9);
	persona.set[F_DEADLINE_WORKING_DAYS] = 1;
	persona.val[F_DEADLINE_WORKING_DAYS] = 3;
	derived_facts(data, size, &derived);

	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		screen_one(r, &unknown, dates[i]);
		screen_one(r, &base, dates[i]);
		screen_one(r, &persona, dates[i]);
		screen_one(r, &derived, dates[i]);
	}
	rules_destroy(r);
	return 0;
}
