#include "screen.h"

#include <string.h>

#include "kv.h"

static const char *const outcome_names[] = {
	[OUTCOME_OUTSIDE_SCOPE] = "outside_scope",
	[OUTCOME_LIKELY_ELIGIBLE] = "likely_eligible",
	[OUTCOME_STAFF_REVIEW] = "staff_review",
	[OUTCOME_NOT_LISTED] = "not_listed",
};

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < 4 ? outcome_names[o] : "?";
}

int outcome_find(const char *s, unsigned long n)
{
	for (int i = 0; i < 4; i++)
		if (kv_eq(s, n, outcome_names[i]))
			return i;
	return -1;
}

int rules_in_force(const struct rule_group *g, struct date on)
{
	return (!g->has_from || date_cmp(on, g->valid_from) >= 0) &&
	       (!g->has_to || date_cmp(on, g->valid_to) <= 0);
}

static void add_doc(struct screen_result *out, const char *doc)
{
	for (int i = 0; i < out->ndocs; i++)
		if (!strcmp(out->docs[i], doc))
			return;
	out->docs[out->ndocs++] = doc;
}

void screen(const struct rules *r, const struct facts *f, struct date today, struct screen_result *out)
{
	struct date on = f->set[F_REQUEST_DATE] && f->val[F_REQUEST_DATE] != FACT_UNKNOWN ? f->request_date : today;
	memset(out, 0, sizeof *out);
	out->on = on;
	out->nslots = r->nslots;
	/* Slots start at "no": a group with no variant in force on `on` is no. */
	const struct rule_group *active[RULES_MAX_GROUPS] = {0};
	for (int i = 0; i < r->ngroups; i++) {
		const struct rule_group *g = &r->groups[i];
		if (rules_in_force(g, on)) {
			out->slot[g->slot] = rules_eval(r, g->when, f, on);
			active[g->slot] = g;
		}
	}
	int any_yes = 0, any_maybe = 0;
	for (int s = 0; s < r->nslots; s++) {
		any_yes |= out->slot[s] == TRI_YES;
		any_maybe |= out->slot[s] == TRI_MAYBE;
	}
	out->scope_out = rules_eval(r, r->scope_out, f, on);
	if (out->scope_out == TRI_YES)
		out->outcome = OUTCOME_OUTSIDE_SCOPE;
	else if (any_yes && out->scope_out == TRI_NO)
		out->outcome = OUTCOME_LIKELY_ELIGIBLE;
	else if (any_yes || any_maybe)
		out->outcome = OUTCOME_STAFF_REVIEW;
	else
		out->outcome = OUTCOME_NOT_LISTED;
	out->urgent = rules_eval(r, r->urgent, f, on) == TRI_YES;
	/*
	 * Outside scope: no group is reported (personas-public.tsv P18: a poor
	 * household with a business matter lists no group), so nothing suggests
	 * legal aid or documents for a matter it does not cover.
	 */
	if (out->outcome == OUTCOME_OUTSIDE_SCOPE) {
		for (int s = 0; s < r->nslots; s++)
			out->slot[s] = TRI_NO;
		return;
	}
	/* Documents: for confirmed groups first, then for groups staff will review. */
	for (int want = TRI_YES; want >= TRI_MAYBE; want--)
		for (int s = 0; s < r->nslots; s++)
			if ((int)out->slot[s] == want && active[s])
				for (int k = 0; k < active[s]->ndocs; k++)
					add_doc(out, active[s]->docs[k]);
}

static void json_ids(const struct rules *r, const struct screen_result *res, enum tri want, struct buf *out)
{
	buf_putc(out, '[');
	int first = 1;
	for (int s = 0; s < res->nslots; s++) {
		if (res->slot[s] != want)
			continue;
		if (!first)
			buf_putc(out, ',');
		buf_put_json_string(out, r->slot_id[s]);
		first = 0;
	}
	buf_putc(out, ']');
}

void screen_result_json(const struct rules *r, const struct screen_result *res, struct buf *out)
{
	buf_puts(out, "{\"outcome\":");
	buf_put_json_string(out, outcome_name(res->outcome));
	buf_puts(out, ",\"groups\":");
	json_ids(r, res, TRI_YES, out);
	buf_puts(out, ",\"review_groups\":");
	json_ids(r, res, TRI_MAYBE, out);
	buf_printf(out, ",\"urgent\":%s,\"documents\":[", res->urgent ? "true" : "false");
	for (int i = 0; i < res->ndocs; i++) {
		if (i)
			buf_putc(out, ',');
		buf_put_json_string(out, res->docs[i]);
	}
	buf_puts(out, "],\"rules\":");
	buf_put_json_string(out, r->version);
	buf_putc(out, '}');
}
