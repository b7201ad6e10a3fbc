/* Fuzz target for core/facts: parse, check against dates, write and re-parse (round trip), screen. */
#include <stdint.h>
#include <string.h>

#include "facts.h"
#include "fuzz_common.h"
#include "kv.h"
#include "mem.h"
#include "screen.h"

/* Everything but the source lines, which differ between the input and the written form. */
static void check_same_facts(const struct facts *a, const struct facts *b)
{
	FUZZ_CHECK(memcmp(a->set, b->set, sizeof a->set) == 0);
	FUZZ_CHECK(memcmp(a->val, b->val, sizeof a->val) == 0);
	FUZZ_CHECK(date_cmp(a->request_date, b->request_date) == 0);
	FUZZ_CHECK(date_cmp(a->birth_date, b->birth_date) == 0);
}

static void check_facts_sane(const struct facts *f)
{
	for (int i = 0; i < F_COUNT; i++) {
		const struct fact_def *fd = fact_def((enum fact_id)i);
		FUZZ_CHECK(f->set[i] == 0 || f->set[i] == 1);
		if (!f->set[i]) {
			FUZZ_CHECK(f->val[i] == FACT_UNKNOWN);
			continue;
		}
		FUZZ_CHECK(f->line[i] > 0);
		if (f->val[i] == FACT_UNKNOWN) {
			FUZZ_CHECK(fd->allows_unknown);
			continue;
		}
		switch (fd->kind) {
		case FK_DATE:
			FUZZ_CHECK(f->val[i] == 0);
			if (i == F_REQUEST_DATE)
				FUZZ_CHECK(date_valid(f->request_date));
			else
				FUZZ_CHECK(date_partial_valid(f->birth_date));
			break;
		case FK_ENUM:
			FUZZ_CHECK(f->val[i] >= 0 && f->val[i] < fd->nvalues);
			break;
		case FK_INT:
			FUZZ_CHECK(f->val[i] >= 0 && f->val[i] <= FACT_INT_MAX);
			break;
		}
	}
}

static void check_screen(const struct facts *f, struct date today)
{
	const struct rules *r = fuzz_repo_rules();
	struct screen_result res;
	struct buf json;
	screen(r, f, today, &res);
	FUZZ_CHECK((unsigned)res.outcome <= OUTCOME_NOT_LISTED);
	FUZZ_CHECK(res.nslots == r->nslots);
	FUZZ_CHECK(date_valid(res.on));
	buf_init(&json);
	screen_result_json(r, &res, &json);
	FUZZ_CHECK(json.len > 2 && json.data[0] == '{' && json.data[json.len - 1] == '}');
	FUZZ_CHECK(utf8_valid(json.data, json.len));
	buf_finish(&json);

	/*
	 * A partial birth date answers yes or no only where every day it allows
	 * does: its earliest day and its latest (clamped to the request date) must
	 * give the same answer for every group it settles.
	 */
	int lo, hi;
	/* (`today` passed facts_check, but a request_date in the facts may still precede the birth: no range.) */
	if (facts_known(f, F_BIRTH_DATE) && f->birth_date.d == 0 && date_age_range(f->birth_date, res.on, &lo, &hi) == 0) {
		struct facts full = *f;
		struct date last = date_partial_last(f->birth_date);
		struct date ends[2] = {date_partial_first(f->birth_date), date_cmp(last, res.on) > 0 ? res.on : last};
		FUZZ_CHECK(lo <= hi && hi - lo <= 1 && lo >= 0);
		for (int e = 0; e < 2; e++) {
			struct screen_result one;
			full.birth_date = ends[e];
			FUZZ_CHECK(date_valid(full.birth_date));
			screen(r, &full, today, &one);
			for (int s = 0; s < res.nslots; s++)
				FUZZ_CHECK(res.slot[s] == TRI_MAYBE || res.slot[s] == one.slot[s]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct date dates[] = {
		{2026, 3, 10}, {2024, 2, 29}, {2023, 2, 28}, {1900, 1, 1}, {2999, 12, 31},
	};
	struct facts f, g;
	struct diag d = {""};
	if (facts_parse((const char *)data, size, &f, &d)) {
		fuzz_check_diag(&d);
		return 0;
	}
	check_facts_sane(&f);

	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		struct diag dc = {""};
		int rc = facts_check(&f, dates[i], &dc);
		FUZZ_CHECK(rc == 0 || rc == ERR_INVAL);
		int late_birth = facts_known(&f, F_BIRTH_DATE) && date_cmp(date_partial_first(f.birth_date), dates[i]) > 0;
		FUZZ_CHECK((rc != 0) == late_birth);
		if (rc)
			fuzz_check_diag(&dc);
		else
			check_screen(&f, dates[i]);
	}
	if (facts_known(&f, F_REQUEST_DATE)) {
		struct diag dc = {""};
		if (facts_check(&f, f.request_date, &dc))
			fuzz_check_diag(&dc);
	}

	/* Round trip: the canonical form parses back to the same facts and is a fixed point. */
	struct buf out, again;
	buf_init(&out);
	buf_init(&again);
	buf_puts(&out, ""); /* an empty facts set still gives a buffer */
	facts_write(&f, "", &out);
	struct diag d2 = {""};
	if (facts_parse(out.data, out.len, &g, &d2)) {
		fprintf(stderr, "re-parse failed: %s\n--- written:\n%s---\n", d2.msg, out.data);
		FUZZ_FAIL("facts_write output does not parse again");
	}
	check_same_facts(&f, &g);
	facts_write(&g, "", &again);
	FUZZ_CHECK(again.len == out.len);
	FUZZ_CHECK(again.len == 0 || memcmp(again.data, out.data, out.len) == 0);
	buf_finish(&again);
	buf_finish(&out);
	return 0;
}
