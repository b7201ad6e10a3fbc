/* core/holidays: the content pack's dated list of public holidays (holidays.txt) and the working days it leaves before a date. Pure, no allocation. */
#ifndef SPEAN_CORE_HOLIDAYS_H
#define SPEAN_CORE_HOLIDAYS_H

#include <stddef.h>

#include "date.h"
#include "err.h"

/*
 * holidays.txt (firmware/content/kiosk/holidays.txt says it again in its
 * header). ASCII lines; '#' starts a comment anywhere (comments may be any
 * UTF-8); blank lines are skipped; spaces and tabs around the parts are
 * trimmed:
 *
 *   covers = 2026..2027             first, once: the years the list is complete for
 *   2026-01-01 = off new_year       a day off that is not a Saturday or Sunday ...
 *   2026-04-26 = off hung_kings     ... or a holiday on a weekend, listed for the record
 *   2026-01-10 = work swap_new_year a Saturday or Sunday that is a working day
 *
 * Saturdays and Sundays are off unless listed as 'work'; every other day is
 * a working day unless listed as 'off'. So a holiday that falls on a
 * weekend gives nothing by itself: its compensatory day (Labour Code 2019
 * Art. 111(3): the next working day) is listed as 'off' in its own right.
 * Dates are strictly ascending (so never twice), inside the covered years;
 * every covered year lists at least one day; a name is 1..23 of [a-z0-9_].
 * At most HOLIDAYS_MAX_YEARS years and HOLIDAYS_MAX_DAYS lines.
 */
#define HOLIDAYS_MAX_YEARS 10
#define HOLIDAYS_MAX_DAYS 400
#define HOLIDAYS_MAX_NAME 24 /* bytes of a name with its NUL */

enum holiday_kind {
	HOLIDAY_OFF,  /* no work that day */
	HOLIDAY_WORK, /* a Saturday or Sunday worked (a swapped day) */
};

struct holiday {
	struct date date;
	enum holiday_kind kind;
	char name[HOLIDAYS_MAX_NAME];
	unsigned line;
};

struct holidays {
	int first_year, last_year; /* 0, 0: no list (every count is ERR_NOTFOUND) */
	int n;
	struct holiday day[HOLIDAYS_MAX_DAYS]; /* ascending */
};

/*
 * Parse holidays.txt into *h (overwritten; on error it is left empty).
 * 0, or ERR_PARSE with d = "line N: reason".
 */
int holidays_parse(const char *text, size_t len, struct holidays *h, struct diag *d);

/* 1 if every day of year y is in the list's covered years, else 0. */
int holidays_cover_year(const struct holidays *h, int y);

/*
 * The list must cover `year` (the current year: `spean content check`, the
 * center before it signs): 0, or ERR_NOTFOUND with d = "covers A..B, not
 * YEAR: ..." (or "no holiday list").
 */
int holidays_check_year(const struct holidays *h, int year, struct diag *d);

/* Monday 0 .. Sunday 6. */
int holidays_weekday(struct date dt);

/*
 * Is dt a working day? 1 yes, 0 no, ERR_NOTFOUND when dt's year is not
 * covered, ERR_INVAL for an invalid date.
 */
int holidays_is_workday(const struct holidays *h, struct date dt);

/*
 * The working days strictly after `from` and strictly before `to`: those
 * left before a hearing (or deadline) on `to`, counted on `from`, the
 * request date. A hearing tomorrow, or today, leaves 0; the day of the
 * request and the day of the hearing are never counted.
 *   0, *out set;
 *   ERR_NOTFOUND when a day to count lies outside the covered years: the
 *     kiosk says it cannot count rather than guess (from and to themselves
 *     need not be covered: they are not counted);
 *   ERR_INVAL when a date is not valid or `to` is before `from`.
 * *out is untouched on error.
 */
int holidays_workdays_between(const struct holidays *h, struct date from, struct date to, int *out);

#endif
