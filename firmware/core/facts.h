/* core/facts: the engine's input vocabulary (eligibility.md "Facts") and its file format. Pure. */
#ifndef SPEAN_CORE_FACTS_H
#define SPEAN_CORE_FACTS_H

#include <stddef.h>

#include "date.h"
#include "err.h"
#include "mem.h"

enum fact_id {
	F_REQUEST_DATE,
	F_BIRTH_DATE,
	F_MERITORIOUS,
	F_HOUSEHOLD,
	F_MONTHLY_SOCIAL_ALLOWANCE,
	F_SOCIAL_PROTECTION_FACILITY,
	F_SOCIAL_PENSION_75,
	F_ETHNIC_MINORITY,
	F_RESIDENCE_AREA_LISTED,
	F_CRIMINAL_ROLE,
	F_TRAFFICKING,
	F_MATTER_RELATED_TO_TRAFFICKING,
	F_MARTYR_KIN,
	F_AGENT_ORANGE,
	F_DISABILITY,
	F_DV_VICTIM,
	F_HIV,
	F_MATTER_BUSINESS,
	F_SPECIFIC_MATTER,
	F_DEADLINE_WORKING_DAYS,
	F_COUNT
};

enum fact_kind {
	FK_DATE, /* YYYY-MM-DD */
	FK_ENUM, /* one of a fixed list; yes/no facts are enums {yes, no} */
	FK_INT,  /* integer >= 0 */
};

#define FACT_UNKNOWN (-1)
#define FACT_MAX_VALUES 16
#define FACT_INT_MAX 100000

struct fact_def {
	const char *key;
	enum fact_kind kind;
	int allows_unknown;            /* "unknown" is a legal value */
	int nvalues;                   /* FK_ENUM */
	const char *values[FACT_MAX_VALUES];
};

const struct fact_def *fact_def(enum fact_id id);
/* Fact id by key, or -1. */
int fact_find(const char *key, size_t n);
/* Index of an enum value name for fact id, or -1. */
int fact_value_find(enum fact_id id, const char *v, size_t n);

/*
 * Facts about the beneficiary. For each fact: set (it appeared in the input)
 * and its value: enum index, integer, or FACT_UNKNOWN. Dates live in the
 * date fields (valid when val != FACT_UNKNOWN): request_date a full day,
 * birth_date a partial date (core/date: YYYY, YYYY-MM or YYYY-MM-DD).
 */
struct facts {
	unsigned char set[F_COUNT];
	int val[F_COUNT];
	unsigned line[F_COUNT]; /* source line, for messages; 0 if set by code */
	struct date request_date;
	struct date birth_date;
};

void facts_init(struct facts *f); /* everything unknown */
/* Set one fact from text; ERR_INVAL with d = "unknown key"/"bad value ..." (no line). */
int facts_set_text(struct facts *f, const char *key, size_t kn, const char *val, size_t vn,
		   struct diag *d);
/* Parse a facts file. Errors: d = "line N: reason"; the caller prefixes the file name. */
int facts_parse(const char *text, size_t len, struct facts *out, struct diag *d);
/* Known value (not absent, not unknown)? */
int facts_known(const struct facts *f, enum fact_id id);
/*
 * Consistency with the effective request date `on`: a birth date whose
 * earliest allowed day is after it is an error naming the birth_date line
 * (a year or month holding `on` is fine).
 */
int facts_check(const struct facts *f, struct date on, struct diag *d);
/* Append "prefix.key = value" lines for every set fact (canonical order). */
void facts_write(const struct facts *f, const char *prefix, struct buf *out);

#endif
