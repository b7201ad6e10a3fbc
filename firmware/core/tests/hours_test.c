/*
 * Tests for core/hours: the parser's refusals (one per rule, with its line),
 * the open/closed answer and the minutes to the next change on hand-made
 * hours with a hand-made holiday list, and the shipped hours.txt with the
 * shipped holidays.txt on days a person can check on a 2026 calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "testlib.h"

static struct hours H;
static struct holidays HOL; /* big: not on the stack */

static struct date D(const char *s)
{
	struct date d = {0, 0, 0};
	if (date_parse(s, strlen(s), &d))
		t_fail(__FILE__, __LINE__, "bad test date %s", s);
	return d;
}

static void parse_ok(const char *text, int line)
{
	struct diag d = {""};
	int rc = hours_parse(text, strlen(text), &H, &d);
	t_checks++;
	if (rc || !H.set)
		t_fail(__FILE__, line, "hours_parse: %d %s", rc, d.msg);
}
#define PARSE_OK(t) parse_ok(t, __LINE__)

static void refused(const char *text, const char *want, int line)
{
	struct diag d = {""};
	int rc = hours_parse(text, strlen(text), &H, &d);
	t_checks++;
	if (rc != ERR_PARSE || strcmp(d.msg, want))
		t_fail(__FILE__, line, "got %d \"%s\", want \"%s\"", rc, d.msg, want);
	/* A refused file leaves nothing half-parsed: always open, no day set. */
	t_checks++;
	if (H.set || H.day[0].line || H.day[0].n || H.work.line)
		t_fail(__FILE__, line, "a refused file kept something");
}
#define REFUSED(t, w) refused(t, w, __LINE__)

/* "HH:MM" on day s: open? */
static int open_at(const char *s, const char *hm)
{
	return hours_open_at(&H, &HOL, D(s), atoi(hm) * 60 + atoi(hm + 3));
}

static int to_change(const char *s, const char *hm)
{
	return hours_minutes_to_change(&H, &HOL, D(s), atoi(hm) * 60 + atoi(hm + 3));
}

#define WEEK "mon-fri 07:00-11:30 13:30-17:00\nsat 07:00-11:30\nsun closed\n"

int main(void)
{
	struct diag d = {""};
	/* ---- refusals, each with its line ---- */
	REFUSED("", "no line gives mon (write 'mon closed' for a day the office is closed)");
	REFUSED("# only a comment\n", "no line gives mon (write 'mon closed' for a day the office is closed)");
	REFUSED("mon-fri 07:00-11:30\nsat closed\n", "no line gives sun (write 'sun closed' for a day the office is closed)");
	REFUSED("mon-sun closed\n", "open on no day of the week: the screen would never be on (a pack without hours.txt is always open)");
	REFUSED(WEEK "work closed\nwork 07:00-08:00\n", "line 5: 'work' is given twice (line 4)");
	REFUSED("mon-fri 07:00-11:30\nfri 13:00-17:00\nsat,sun closed\n", "line 2: fri is given twice (line 1)");
	REFUSED("mon-sun 07:00-17:00\nsat,sun closed\n", "line 2: sat is given twice (line 1)");
	REFUSED("mon,tue,mon 07:00-17:00\n", "line 1: mon is named twice on this line");
	REFUSED("mon-wed,tue 07:00-17:00\n", "line 1: tue is named twice on this line");
	REFUSED("\n\nfri-mon 07:00-17:00\n", "line 3: 'fri-mon' runs backwards: a range goes mon to sun");
	REFUSED("monday 07:00-17:00\n", "line 1: 'monday' is not a day (mon tue wed thu fri sat sun, a range mon-fri, a list sat,sun; or work)");
	REFUSED("Mon 07:00-17:00\n", "line 1: 'Mon' is not a day (mon tue wed thu fri sat sun, a range mon-fri, a list sat,sun; or work)");
	REFUSED("mon, 07:00-17:00\n", "line 1: '' is not a day (mon tue wed thu fri sat sun, a range mon-fri, a list sat,sun; or work)");
	REFUSED("work,sat 07:00-17:00\n", "line 1: 'work' is not a day (mon tue wed thu fri sat sun, a range mon-fri, a list sat,sun; or work)");
	REFUSED("mon\n", "line 1: want 'DAYS HH:MM-HH:MM ...' or 'DAYS closed'");
	/* Inverted and empty ranges. */
	REFUSED("mon 17:00-07:00\n", "line 1: 17:00-07:00 is inverted or empty: a range ends after it starts");
	REFUSED("mon 07:00-07:00\n", "line 1: 07:00-07:00 is inverted or empty: a range ends after it starts");
	/* Overlapping, touching and out-of-order ranges. */
	REFUSED("# hours\nmon 07:00-11:30 11:00-17:00\n",
		"line 2: 11:00-17:00 starts before 07:00-11:30 ends (or as it ends): list a day's ranges in order, apart (touching ranges are one)");
	REFUSED("mon 07:00-11:30 11:30-17:00\n",
		"line 1: 11:30-17:00 starts before 07:00-11:30 ends (or as it ends): list a day's ranges in order, apart (touching ranges are one)");
	REFUSED("mon 13:30-17:00 07:00-11:30\n",
		"line 1: 07:00-11:30 starts before 13:30-17:00 ends (or as it ends): list a day's ranges in order, apart (touching ranges are one)");
	REFUSED("mon 01:00-02:00 03:00-04:00 05:00-06:00 07:00-08:00 09:00-10:00\n", "line 1: more than 4 ranges on one day");
	/* Times: two digits each, 00:00..24:00. */
	REFUSED("mon 7:00-11:30\n", "line 1: '7:00-11:30' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon 07:00-24:01\n", "line 1: '07:00-24:01' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon 07:60-08:00\n", "line 1: '07:60-08:00' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon 25:00-26:00\n", "line 1: '25:00-26:00' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon 07:00~08:00\n", "line 1: '07:00~08:00' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon 07:00-08:00,09:00-10:00\n", "line 1: '07:00-08:00,09:00-10' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'");
	REFUSED("mon closed 07:00-08:00\n", "line 1: 'closed' stands alone: a day is closed or has ranges");
	REFUSED("mon 07:00-08:00 closed\n", "line 1: 'closed' stands alone: a day is closed or has ranges");
	/* Text only; ASCII outside comments; a size cap. */
	REFUSED("mon 07:00-08:00\x01\n", "line 1: a control character or bad UTF-8 (only text, and only ASCII outside comments)");
	REFUSED("mon 07:00-08:00 # \xff\n", "line 1: a control character or bad UTF-8 (only text, and only ASCII outside comments)");
	REFUSED("mon 07:00\xe2\x80\x93" "08:00\n", "line 1: only ASCII outside comments");
	{
		char big[HOURS_MAX_BYTES + 2];
		memset(big, '#', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		REFUSED(big, "4097 bytes; hours.txt is at most 4096");
		big[HOURS_MAX_BYTES] = '\0'; /* a comment of exactly the cap: size accepted, then no days */
		REFUSED(big, "no line gives mon (write 'mon closed' for a day the office is closed)");
	}

	/* ---- accepted forms ---- */
	PARSE_OK("mon-sun 00:00-24:00\n");
	CHECK_INT(hours_week_minutes(&H), 7 * 1440);
	PARSE_OK("  sat,sun\tclosed  \r\nmon,wed-fri 08:00-12:00   # Tết: giờ làm việc\r\ntue 08:00-09:00 10:00-11:00\n");
	CHECK_INT(H.day[1].n, 2);
	CHECK_INT(H.day[1].line, 3);
	CHECK_INT(H.day[2].r[0].from, 8 * 60);
	CHECK_INT(H.day[5].n, 0);
	CHECK_INT(H.work.line, 0);
	CHECK_INT(hours_week_minutes(&H), 4 * 240 + 120);

	/* ---- open, closed, and the next change, on hand-made holidays ---- */
	const char *hol = "covers = 2030..2030\n2030-01-01 = off new_year\n2030-01-05 = work swap\n2030-01-12 = off weekend_day\n";
	CHECK_INT(holidays_parse(hol, strlen(hol), &HOL, &d), 0);
	PARSE_OK(WEEK);
	/* Wed 2030-01-02: a working day. Ranges are [from, to). */
	CHECK_INT(open_at("2030-01-02", "06:59"), 0);
	CHECK_INT(open_at("2030-01-02", "07:00"), 1);
	CHECK_INT(open_at("2030-01-02", "11:29"), 1);
	CHECK_INT(open_at("2030-01-02", "11:30"), 0);
	CHECK_INT(open_at("2030-01-02", "13:30"), 1);
	CHECK_INT(open_at("2030-01-02", "16:59"), 1);
	CHECK_INT(open_at("2030-01-02", "17:00"), 0);
	CHECK_INT(to_change("2030-01-02", "00:00"), 7 * 60);
	CHECK_INT(to_change("2030-01-02", "07:00"), 270);
	CHECK_INT(to_change("2030-01-02", "12:00"), 90);
	CHECK_INT(to_change("2030-01-02", "16:00"), 60);
	CHECK_INT(to_change("2030-01-02", "18:30"), 330); /* to midnight */
	CHECK_INT(to_change("2030-01-02", "23:59"), 1);
	/* Tue 2030-01-01: a holiday off, closed all day; the next change is at midnight. */
	CHECK_INT(open_at("2030-01-01", "09:00"), 0);
	CHECK_INT(to_change("2030-01-01", "09:00"), 15 * 60);
	/* Sat 2030-01-05: a swapped working day, without a 'work' line: Saturday's hours. */
	CHECK_INT(open_at("2030-01-05", "09:00"), 1);
	CHECK_INT(open_at("2030-01-05", "14:00"), 0);
	/* Sat 2030-01-12: a holiday on a Saturday: closed though Saturdays open. */
	CHECK_INT(open_at("2030-01-12", "09:00"), 0);
	CHECK_INT(open_at("2030-01-19", "09:00"), 1);
	/* Sun 2030-01-06: closed. */
	CHECK_INT(open_at("2030-01-06", "09:00"), 0);
	/* With a 'work' line, the swapped Saturday opens all day like it. */
	PARSE_OK(WEEK "work 07:00-11:30 13:30-17:00\n");
	CHECK_INT(open_at("2030-01-05", "14:00"), 1);
	CHECK_INT(open_at("2030-01-19", "14:00"), 0);
	/* No holiday list (NULL, or a year it does not cover): every day by its weekday. */
	CHECK_INT(hours_open_at(&H, NULL, D("2030-01-01"), 9 * 60), 1);
	CHECK_INT(open_at("2031-01-01", "09:00"), 1);
	/* Bad input. */
	CHECK_INT(hours_open_at(&H, &HOL, (struct date){2030, 2, 30}, 0), ERR_INVAL);
	CHECK_INT(hours_open_at(&H, &HOL, D("2030-01-02"), 1440), ERR_INVAL);
	CHECK_INT(hours_minutes_to_change(&H, &HOL, D("2030-01-02"), -1), ERR_INVAL);
	/* No hours.txt: always open, the next change at midnight. */
	memset(&H, 0, sizeof H);
	CHECK_INT(open_at("2030-01-01", "03:00"), 1);
	CHECK_INT(to_change("2030-01-01", "23:00"), 60);

	/* ---- the shipped files: cases a person can check on a 2026 calendar ---- */
	size_t len;
	char *t = t_read_repo("firmware/content/kiosk/holidays.txt", &len);
	CHECK_INT(holidays_parse(t, len, &HOL, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/hours.txt", &len);
	CHECK_INT(hours_parse(t, len, &H, &d), 0);
	free(t);
	CHECK_INT(H.set, 1);
	CHECK_INT(open_at("2026-05-20", "09:00"), 1); /* Wednesday morning */
	CHECK_INT(open_at("2026-05-20", "12:30"), 0); /* lunch */
	CHECK_INT(open_at("2026-05-20", "18:30"), 0); /* evening */
	CHECK_INT(open_at("2026-05-23", "09:00"), 1); /* Saturday morning */
	CHECK_INT(open_at("2026-05-23", "14:00"), 0);
	CHECK_INT(open_at("2026-05-24", "09:00"), 0); /* Sunday */
	CHECK_INT(open_at("2026-04-30", "09:00"), 0); /* Reunification Day, a Thursday */
	CHECK_INT(open_at("2026-01-10", "14:00"), 1); /* Saturday worked for New Year's swap: the 'work' line */
	return t_done("core_hours_test");
}
