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

#endif
