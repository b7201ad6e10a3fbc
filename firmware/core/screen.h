/* core/screen: the screening engine: facts + rules + date -> outcome. Pure, no allocation. */
#ifndef SPEAN_CORE_SCREEN_H
#define SPEAN_CORE_SCREEN_H

#include "date.h"
#include "facts.h"
#include "mem.h"
#include "rules.h"

enum outcome {
	OUTCOME_OUTSIDE_SCOPE,
	OUTCOME_LIKELY_ELIGIBLE,
	OUTCOME_STAFF_REVIEW,
	OUTCOME_NOT_LISTED,
};

struct screen_result {
	enum outcome outcome;
	enum tri scope_out;
	int urgent;
	struct date on;                       /* the date the rules were taken on */
	int nslots;
	enum tri slot[RULES_MAX_GROUPS];      /* per distinct group id, table order */
	int ndocs;
	const char *docs[RULES_MAX_GROUPS * RULES_MAX_DOCS]; /* point into rules */
};

/* Name used in JSON and records ("likely_eligible"). */
const char *outcome_name(enum outcome o);
/* Outcome by name, or -1. */
int outcome_find(const char *s, unsigned long n);

/*
 * Screen facts under rules. The request date is facts' request_date if set,
 * else `today`. Never fails: check facts_check() first for input errors.
 */
void screen(const struct rules *r, const struct facts *f, struct date today, struct screen_result *out);

/* The one-line JSON object of eligibility.md ("Output of spean screen"). */
void screen_result_json(const struct rules *r, const struct screen_result *res, struct buf *out);

#endif
