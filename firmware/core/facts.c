#include "facts.h"

#include <string.h>

#include "kv.h"

#define YN {"yes", "no"}

static const struct fact_def defs[F_COUNT] = {
	[F_REQUEST_DATE] = {"request_date", FK_DATE, 0, 0, {0}},
	[F_BIRTH_DATE] = {"birth_date", FK_DATE, 1, 0, {0}},
	[F_MERITORIOUS] = {"meritorious", FK_ENUM, 1, 2, YN},
	[F_HOUSEHOLD] = {"household", FK_ENUM, 1, 3, {"poor", "near_poor", "none"}},
	[F_MONTHLY_SOCIAL_ALLOWANCE] = {"monthly_social_allowance", FK_ENUM, 1, 2, YN},
	[F_SOCIAL_PROTECTION_FACILITY] = {"social_protection_facility", FK_ENUM, 1, 2, YN},
	[F_SOCIAL_PENSION_75] = {"social_pension_75", FK_ENUM, 1, 2, YN},
	[F_ETHNIC_MINORITY] = {"ethnic_minority", FK_ENUM, 1, 2, YN},
	[F_RESIDENCE_AREA_LISTED] = {"residence_area_listed", FK_ENUM, 1, 2, YN},
	[F_CRIMINAL_ROLE] = {"criminal_role", FK_ENUM, 1, 9,
			     {"none", "reported", "prosecution_requested", "emergency_detained", "accused",
			      "victim", "witness", "diversion", "prisoner"}},
	[F_TRAFFICKING] = {"trafficking", FK_ENUM, 1, 4,
			   {"none", "victim", "being_identified", "accompanying_child"}},
	[F_MATTER_RELATED_TO_TRAFFICKING] = {"matter_related_to_trafficking", FK_ENUM, 1, 2, YN},
	[F_MARTYR_KIN] = {"martyr_kin", FK_ENUM, 1, 2, YN},
	[F_AGENT_ORANGE] = {"agent_orange", FK_ENUM, 1, 2, YN},
	[F_DISABILITY] = {"disability", FK_ENUM, 1, 2, YN},
	[F_DV_VICTIM] = {"dv_victim", FK_ENUM, 1, 2, YN},
	[F_HIV] = {"hiv", FK_ENUM, 1, 2, YN},
	[F_MATTER_BUSINESS] = {"matter_business", FK_ENUM, 1, 2, YN},
	[F_SPECIFIC_MATTER] = {"specific_matter", FK_ENUM, 1, 2, YN},
	[F_DEADLINE_WORKING_DAYS] = {"deadline_working_days", FK_INT, 1, 0, {0}},
};

const struct fact_def *fact_def(enum fact_id id)
{
	return (unsigned)id < F_COUNT ? &defs[id] : NULL;
}

int fact_find(const char *key, size_t n)
{
	for (int i = 0; i < F_COUNT; i++)
		if (kv_eq(key, n, defs[i].key))
			return i;
	return -1;
}

int fact_value_find(enum fact_id id, const char *v, size_t n)
{
	const struct fact_def *fd = fact_def(id);
	if (!fd)
		return -1;
	for (int i = 0; i < fd->nvalues; i++)
		if (kv_eq(v, n, fd->values[i]))
			return i;
	return -1;
}

void facts_init(struct facts *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < F_COUNT; i++)
		f->val[i] = FACT_UNKNOWN;
}

int facts_known(const struct facts *f, enum fact_id id)
{
	return f->set[id] && f->val[id] != FACT_UNKNOWN;
}

/* Quote at most 40 bytes of a bad value: facts are enums and dates, never free text. */
#define QUOTE(s, n) utf8_prefix((s), (n), 40)

int facts_set_text(struct facts *f, const char *key, size_t kn, const char *val, size_t vn,
		   struct diag *d)
{
	int id = fact_find(key, kn);
	if (id < 0) {
		diag_set(d, "unknown key '%.*s'", QUOTE(key, kn), key);
		return ERR_INVAL;
	}
	const struct fact_def *fd = &defs[id];
	int v = FACT_UNKNOWN;
	if (kv_eq(val, vn, "unknown")) {
		if (!fd->allows_unknown) {
			diag_set(d, "%s cannot be 'unknown' (leave it out to use today)", fd->key);
			return ERR_INVAL;
		}
	} else {
		switch (fd->kind) {
		case FK_DATE: {
			struct date dt;
			if (id == F_BIRTH_DATE ? date_partial_parse(val, vn, &dt) : date_parse(val, vn, &dt)) {
				diag_set(d, "bad date for %s: '%.*s' (want %s)", fd->key, QUOTE(val, vn), val,
					 id == F_BIRTH_DATE ? "YYYY, YYYY-MM or a real day as YYYY-MM-DD"
							    : "a real day as YYYY-MM-DD");
				return ERR_INVAL;
			}
			if (id == F_REQUEST_DATE)
				f->request_date = dt;
			else
				f->birth_date = dt;
			v = 0;
			break;
		}
		case FK_ENUM:
			v = fact_value_find((enum fact_id)id, val, vn);
			if (v < 0) {
				struct buf allowed;
				buf_init(&allowed);
				for (int i = 0; i < fd->nvalues; i++)
					buf_printf(&allowed, "%s%s", i ? ", " : "", fd->values[i]);
				diag_set(d, "bad value for %s: '%.*s' (want one of: %s%s)", fd->key, QUOTE(val, vn),
					 val, allowed.data, fd->allows_unknown ? ", unknown" : "");
				buf_finish(&allowed);
				return ERR_INVAL;
			}
			break;
		case FK_INT: {
			long n = 0;
			if (vn == 0 || vn > 6)
				goto badint;
			for (size_t i = 0; i < vn; i++) {
				if (val[i] < '0' || val[i] > '9')
					goto badint;
				n = n * 10 + (val[i] - '0');
			}
			if (n > FACT_INT_MAX)
				goto badint;
			v = (int)n;
			break;
		badint:
			diag_set(d, "bad value for %s: '%.*s' (want a whole number from 0 to %d, or unknown)",
				 fd->key, QUOTE(val, vn), val, FACT_INT_MAX);
			return ERR_INVAL;
		}
		}
	}
	f->set[id] = 1;
	f->val[id] = v;
	return 0;
}

int facts_parse(const char *text, size_t len, struct facts *out, struct diag *d)
{
	struct kv_reader r;
	struct kv_item it;
	int rc;
	facts_init(out);
	kv_reader_init(&r, text, len, KV_INLINE_COMMENTS);
	while ((rc = kv_next(&r, &it, d)) > 0) {
		int id = fact_find(it.key, it.key_len);
		if (id >= 0 && out->set[id]) {
			diag_set(d, "line %u: duplicate key '%s' (first on line %u)", it.line, defs[id].key,
				 out->line[id]);
			return ERR_PARSE;
		}
		if (facts_set_text(out, it.key, it.key_len, it.value, it.value_len, d)) {
			diag_prefix(d, "line %u: ", it.line);
			return ERR_PARSE;
		}
		out->line[id] = it.line;
	}
	return rc;
}

int facts_check(const struct facts *f, struct date on, struct diag *d)
{
	/* A year or month that holds `on` is fine: its later days are clamped to `on` (date_age_range). */
	if (facts_known(f, F_BIRTH_DATE) && date_cmp(date_partial_first(f->birth_date), on) > 0) {
		if (f->line[F_BIRTH_DATE])
			diag_set(d, "line %u: birth_date is after the request date", f->line[F_BIRTH_DATE]);
		else
			diag_set(d, "birth_date is after the request date");
		return ERR_INVAL;
	}
	return 0;
}

void facts_write(const struct facts *f, const char *prefix, struct buf *out)
{
	for (int i = 0; i < F_COUNT; i++) {
		if (!f->set[i])
			continue;
		buf_printf(out, "%s%s = ", prefix, defs[i].key);
		if (f->val[i] == FACT_UNKNOWN) {
			buf_puts(out, "unknown");
		} else if (defs[i].kind == FK_DATE) {
			char text[16];
			date_partial_format(i == F_REQUEST_DATE ? f->request_date : f->birth_date, text, sizeof text);
			buf_puts(out, text);
		} else if (defs[i].kind == FK_INT) {
			buf_printf(out, "%d", f->val[i]);
		} else {
			buf_puts(out, defs[i].values[f->val[i]]);
		}
		buf_putc(out, '\n');
	}
}
