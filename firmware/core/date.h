/* core/date: civil dates and ages as the law counts them (Civil Code Art. 148). Pure. */
#ifndef SPEAN_CORE_DATE_H
#define SPEAN_CORE_DATE_H

struct date {
	int y, m, d;
};

/* Strict "YYYY-MM-DD", a real calendar day, year 1900..2999. 0 or ERR_PARSE. */
int date_parse(const char *s, unsigned long n, struct date *out);
int date_valid(struct date dt);
int date_cmp(struct date a, struct date b);
int date_is_leap(int y);
int date_days_in_month(int y, int m);
/*
 * Completed years on `on` for someone born `birth`. The N-th anniversary of
 * 29 February falls on 28 February in a common year. Negative if on < birth.
 */
int date_age(struct date birth, struct date on);
/* Day after / before (for boundary tests). */
struct date date_next(struct date d);
struct date date_prev(struct date d);

/*
 * Partial dates: a birth date as people know it. `d == 0` means year and
 * month known, `m == 0 && d == 0` the year alone; otherwise a full day.
 * date_valid() keeps meaning a real full calendar day.
 */

/* Strict "YYYY", "YYYY-MM" or "YYYY-MM-DD": a 4-digit year 1900..2999, a
 * 2-digit month 01..12, a 2-digit real day. Anything else: ERR_PARSE. */
int date_partial_parse(const char *s, unsigned long n, struct date *out);
/* A real day, a year 1900..2999 with a month 1..12 and d 0, or such a year alone. */
int date_partial_valid(struct date dt);
/* The earliest and latest full day a valid partial date allows (a full day: itself). */
struct date date_partial_first(struct date dt);
struct date date_partial_last(struct date dt);
/* Writes "YYYY", "YYYY-MM" or "YYYY-MM-DD" and a NUL into out[n] (n >= 11 always
 * fits). Returns the length, or ERR_INVAL (out set to "") for an invalid date. */
int date_partial_format(struct date dt, char *out, unsigned long n);
/* The same as people write it in Vietnam: "1950", "03/2010", "06/06/1960". */
int date_partial_format_dmy(struct date dt, char *out, unsigned long n);
/*
 * The completed years on `on` of everyone born on a day `birth` allows:
 * *min for the latest such day (clamped to `on`), *max for the earliest.
 * Every age in between is reached by some allowed day. ERR_INVAL if `birth`
 * is not a valid partial date, `on` not a real day, or the earliest allowed
 * day is after `on`.
 */
int date_age_range(struct date birth, struct date on, int *min, int *max);
/*
 * The kiosk's date screen: three fields as typed (digits; NULL or "" is
 * empty). The year is required (4 digits), the month optional (1 or 2
 * digits), the day (1 or 2 digits) only with a month. On success *out is the
 * partial date and 0 is returned; otherwise ERR_INVAL and *why is the
 * catalog key of the message to show: "date.year_needed", "date.month_needed"
 * (a day without a month), "date.bad_month", "date.bad_day" (no such day in
 * that month, 29 February of a common year included), "date.too_old" (before
 * 1900), "date.future" (the earliest day the fields allow is after `today`;
 * also when `today` itself is not a real day, so a bad clock never admits a
 * date). The year or month of `today` is accepted: the engine clamps it.
 */
int date_partial_from_fields(const char *year, const char *month, const char *day, struct date today,
			     struct date *out, const char **why);

#endif
