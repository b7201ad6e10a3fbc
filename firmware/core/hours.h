/* core/hours: the content pack's opening hours (hours.txt): when the office is open, so the kiosk's screen is off when it is not. Pure, no allocation. */
#ifndef SPEAN_CORE_HOURS_H
#define SPEAN_CORE_HOURS_H

#include <stddef.h>

#include "date.h"
#include "err.h"
#include "holidays.h"

/*
 * hours.txt (firmware/content/kiosk/hours.txt says it again in its header).
 * ASCII lines; '#' starts a comment anywhere (comments may be any UTF-8);
 * blank lines are skipped; spaces and tabs separate the parts:
 *
 *   mon-fri 07:00-11:30 13:30-17:00   the days, then their open ranges
 *   sat     07:00-11:30
 *   sun     closed                    a day the office is closed
 *   work    07:00-11:30 13:30-17:00   optional: a Saturday or Sunday that holidays.txt
 *                                     lists as 'work' (a swapped working day)
 *
 * DAYS is a day (mon tue wed thu fri sat sun), a range of them in the
 * week's order (mon-fri), or a list of those joined by ',' (sat,sun); or
 * 'work' alone. Every day of the week is given exactly once, so none is
 * forgotten. A range is HH:MM-HH:MM from 00:00 to 24:00, its end after its
 * start; a day's ranges come in order and apart (touching ranges are one
 * range: write it so); at most HOURS_MAX_RANGES a day. The office must be
 * open on some day of the week. At most HOURS_MAX_BYTES.
 *
 * A day holidays.txt lists as 'off' (a holiday, also one on a weekend) is
 * closed. A 'work' day opens with the 'work' line, else with its own
 * weekday's hours. A pack without hours.txt: always open (the screen is
 * dimmed when idle, never turned off for closing time).
 */
#define HOURS_MAX_BYTES 4096
#define HOURS_MAX_RANGES 4
#define HOURS_DAY_MINUTES 1440

struct hours_range {
	int from, to; /* minutes since midnight, 0 <= from < to <= 1440 */
};

struct hours_day {
	int n; /* 0: closed */
	struct hours_range r[HOURS_MAX_RANGES]; /* ascending, apart */
	unsigned line; /* where it was given; 0: not given */
};

struct hours {
	int set; /* 0: no hours.txt, always open */
	struct hours_day day[7]; /* Monday 0 .. Sunday 6 */
	struct hours_day work;   /* line 0: a swapped working day keeps its weekday's hours */
};

/*
 * Parse hours.txt into *h (overwritten; on error it is left unset: always
 * open). 0, or ERR_PARSE with d = "line N: reason" (or a reason about the
 * whole file: its size, a day not given, never open).
 */
int hours_parse(const char *text, size_t len, struct hours *h, struct diag *d);

/*
 * Open at `minute` (0..1439) of day dt? 1 open, 0 closed. hol may be NULL
 * or empty (no list: every day by its weekday). An unset h is always open.
 * ERR_INVAL for an invalid date or minute.
 */
int hours_open_at(const struct hours *h, const struct holidays *hol, struct date dt, int minute);

/*
 * Minutes from `minute` of dt until the next time the answer of
 * hours_open_at may change: the next start or end of dt's ranges, else
 * midnight (1..1440). An unset h: minutes to midnight. ERR_INVAL as above.
 */
int hours_minutes_to_change(const struct hours *h, const struct holidays *hol, struct date dt, int minute);

/* Minutes open in a whole week (what `spean content check` prints). */
int hours_week_minutes(const struct hours *h);

#endif
