/*
 * Tests for core/holidays: the parser's refusals (one per rule, with its
 * line), and the working-day counter on hand-made lists checked against a
 * day-by-day count written here independently (date_next + a weekday from
 * Zeller's congruence), plus the shipped holidays.txt on known 2026 cases.
 */
#include <stdio.h>
#include <stdlib.h>

#include "holidays.h"
#include "testlib.h"

static struct holidays H; /* big: not on the stack */

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
	int rc = holidays_parse(text, strlen(text), &H, &d);
	t_checks++;
	if (rc)
		t_fail(__FILE__, line, "holidays_parse: %d %s", rc, d.msg);
}
#define PARSE_OK(t) parse_ok(t, __LINE__)

static void refused(const char *text, const char *want, int line)
{
	struct diag d = {""};
	int rc = holidays_parse(text, strlen(text), &H, &d);
	t_checks++;
	if (rc != ERR_PARSE || strcmp(d.msg, want))
		t_fail(__FILE__, line, "got %d \"%s\", want \"%s\"", rc, d.msg, want);
	/* A refused list is left empty: nothing half-parsed is counted with. */
	t_checks++;
	if (H.first_year || H.n)
		t_fail(__FILE__, line, "a refused list kept %d..%d and %d days", H.first_year, H.last_year, H.n);
}
#define REFUSED(t, w) refused(t, w, __LINE__)

static int count(const char *from, const char *to)
{
	int n = -100;
	int rc = holidays_workdays_between(&H, D(from), D(to), &n);
	return rc ? rc : n;
}

/* Zeller's congruence, Monday 0 .. Sunday 6: an independent weekday for the oracle below. */
static int zeller(struct date dt)
{
	int m = dt.m, y = dt.y;
	if (m < 3) {
		m += 12;
		y--;
	}
	int h = (dt.d + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7; /* 0 Saturday */
	return (h + 5) % 7;
}

/* Day by day, the obvious way. */
static int slow_count(struct date from, struct date to)
{
	int n = 0;
	for (struct date x = date_next(from); date_cmp(x, to) < 0; x = date_next(x)) {
		int work = zeller(x) < 5;
		for (int i = 0; i < H.n; i++)
			if (!date_cmp(H.day[i].date, x))
				work = H.day[i].kind == HOLIDAY_WORK;
		n += work;
	}
	return n;
}

static const char *const small =
	"# hand-made: 2030 starts on a Tuesday\n"
	"covers = 2030..2031\n"
	"2030-01-01 = off new_year      # Tuesday\n"
	"2030-02-02 = off tet_eve       # Saturday: for the record\n"
	"2030-02-03 = off tet_1         # Sunday\n"
	"2030-02-04 = off tet_2\n"
	"2030-02-05 = off tet_3\n"
	"2030-02-06 = off tet_4\n"
	"2030-02-07 = off comp_tet\n"
	"2030-02-08 = off comp_tet\n"
	"2030-03-09 = work swap\n"
	"2030-03-11 = off swap\n"
	"\t2031-01-01 = off new_year\r\n";

int main(void)
{
	/* ---- the counter on a hand-made list ---- */
	PARSE_OK(small);
	CHECK_INT(H.first_year, 2030);
	CHECK_INT(H.last_year, 2031);
	CHECK_INT(H.n, 11);
	CHECK_INT(holidays_weekday(D("2030-01-01")), 1);
	CHECK_INT(holidays_weekday(D("2026-12-04")), 4);
	/* Plain weekends: Monday 2030-01-07 to Monday 2030-01-14 leaves Tue..Fri and the Monday? no: strictly between. */
	CHECK_INT(count("2030-01-07", "2030-01-14"), 4);
	CHECK_INT(count("2030-01-11", "2030-01-14"), 0); /* Friday to Monday: only the weekend between */
	CHECK_INT(count("2030-01-10", "2030-01-14"), 1);
	/* Tomorrow and today leave nothing; yesterday is a mistake the kiosk refuses. */
	CHECK_INT(count("2030-01-08", "2030-01-09"), 0);
	CHECK_INT(count("2030-01-08", "2030-01-08"), 0);
	CHECK_INT(count("2030-01-09", "2030-01-08"), ERR_INVAL);
	/* A holiday on a weekday: New Year's Day (Tuesday) is not a working day. */
	CHECK_INT(count("2029-12-31", "2030-01-03"), 1); /* 01-01 off, 01-02 on */
	CHECK_INT(count("2030-01-01", "2030-01-03"), 1);
	/* Tết across a weekend: Sat 2 .. Fri 8 February all off, the Sat/Sun entries change nothing. */
	CHECK_INT(count("2030-02-01", "2030-02-11"), 0);
	CHECK_INT(count("2030-01-31", "2030-02-12"), 2); /* Fri 1/2 and Mon 11/2 */
	/* A Saturday worked counts, the swapped Monday does not. */
	CHECK_INT(count("2030-03-08", "2030-03-11"), 1); /* Sat 9 worked, Sun 10 off */
	CHECK_INT(count("2030-03-10", "2030-03-13"), 1); /* Mon 11 off, Tue 12 on */
	CHECK_INT(count("2030-03-07", "2030-03-13"), 3); /* Fri 8, Sat 9, Tue 12 */
	CHECK_INT(holidays_is_workday(&H, D("2030-03-09")), 1);
	CHECK_INT(holidays_is_workday(&H, D("2030-03-11")), 0);
	CHECK_INT(holidays_is_workday(&H, D("2030-02-02")), 0);
	CHECK_INT(holidays_is_workday(&H, D("2030-02-12")), 1);
	/* Range edges: from and to are not counted, so they need not be covered... */
	CHECK_INT(count("2029-12-31", "2030-01-02"), 0);
	CHECK_INT(count("2031-12-30", "2032-01-01"), 1); /* Wed 31/12/2031 */
	CHECK_INT(count("2031-12-31", "2032-01-05"), ERR_NOTFOUND);
	CHECK_INT(count("2029-12-30", "2030-01-02"), ERR_NOTFOUND); /* Mon 31/12/2029 is outside */
	CHECK_INT(count("2031-12-31", "2032-01-01"), 0);             /* nothing between */
	/* ... outside coverage altogether, distinct from a bad range. */
	CHECK_INT(count("2033-01-01", "2033-02-01"), ERR_NOTFOUND);
	CHECK_INT(count("2025-01-01", "2033-02-01"), ERR_NOTFOUND);
	CHECK_INT(holidays_is_workday(&H, D("2032-01-05")), ERR_NOTFOUND);
	CHECK_INT(holidays_is_workday(&H, (struct date){2030, 2, 30}), ERR_INVAL);
	{
		int n = 7;
		CHECK_INT(holidays_workdays_between(&H, (struct date){2030, 2, 30}, D("2030-03-01"), &n), ERR_INVAL);
		CHECK_INT(n, 7); /* untouched on error */
	}
	/* Every pair of days in the covered years (and a little outside) against the day-by-day count. */
	{
		long pairs = 0;
		struct date lo = D("2029-12-25"), hi = D("2032-01-06");
		for (struct date a = lo; date_cmp(a, hi) <= 0; a = date_next(a))
			for (struct date b = a; date_cmp(b, hi) <= 0; b = date_next(b)) {
				if (b.d != 1 && b.d != 15 && b.d != 28 && date_cmp(b, date_next(date_next(a))) > 0)
					continue; /* every start, and the ends that cross months: 3 a month plus the short ranges */
				int n = -1, rc = holidays_workdays_between(&H, a, b, &n);
				struct date f = date_next(a), l = date_prev(b);
				int inside = date_cmp(f, b) >= 0 || (f.y >= 2030 && l.y <= 2031);
				pairs++;
				if (inside ? rc || n != slow_count(a, b) : rc != ERR_NOTFOUND) {
					t_fail(__FILE__, __LINE__, "%04d-%02d-%02d..%04d-%02d-%02d: rc %d n %d, want %s %d", a.y, a.m, a.d,
					       b.y, b.m, b.d, rc, n, inside ? "ok" : "ERR_NOTFOUND", inside ? slow_count(a, b) : 0);
					break;
				}
			}
		t_checks++;
		printf("counter checked on %ld ranges against the day-by-day count\n", pairs);
	}

	/* ---- the parser's refusals ---- */
	REFUSED("", "no 'covers = FIRST..LAST' line");
	REFUSED("# only a comment\n\n", "no 'covers = FIRST..LAST' line");
	REFUSED("# nothing\n2026-01-01 = off new_year\n", "line 2: 'covers = FIRST..LAST' comes before the days");
	REFUSED("covers = 2026..2027\n2026-01-01 = off new_year\n",
		"covers 2026..2027 but lists no day in 2027");
	REFUSED("covers = 2026\n", "line 1: want 'covers = FIRST..LAST', two years 1900..2999, the first not after the last");
	REFUSED("covers = 2027..2026\n", "line 1: want 'covers = FIRST..LAST', two years 1900..2999, the first not after the last");
	REFUSED("covers = 1899..2026\n", "line 1: want 'covers = FIRST..LAST', two years 1900..2999, the first not after the last");
	REFUSED("covers = 2026..2040\n", "line 1: covers 15 years; at most 10");
	REFUSED("covers = 2026..2026\ncovers = 2026..2026\n", "line 2: 'covers' comes once, before the days");
	REFUSED("covers = 2026..2026\n2026-02-30 = off tet\n", "line 2: '2026-02-30' is not a date YYYY-MM-DD (nor 'covers')");
	REFUSED("covers = 2026..2026\n26-02-03 = off tet\n", "line 2: '26-02-03' is not a date YYYY-MM-DD (nor 'covers')");
	REFUSED("covers = 2026..2026\nholiday 2026-01-01\n",
		"line 2: want 'YYYY-MM-DD = off NAME', 'YYYY-MM-DD = work NAME' or 'covers = FIRST..LAST'");
	REFUSED("covers = 2026..2026\n2027-01-01 = off new_year\n", "line 2: 2027-01-01 is outside the covered years 2026..2026");
	REFUSED("covers = 2026..2026\n2026-01-01 = off new_year\n\n2026-01-01 = off new_year\n",
		"line 4: 2026-01-01 is listed twice (line 2)");
	REFUSED("covers = 2026..2026\n2026-02-17 = off tet_1\n2026-01-01 = off new_year\n",
		"line 3: 2026-01-01 comes after 2026-02-17 (line 2): list the days in order");
	REFUSED("covers = 2026..2026\n2026-01-01 = holiday new_year\n", "line 2: kind 'holiday' is not off or work");
	REFUSED("covers = 2026..2026\n2026-01-01 = off\n", "line 2: want one name of 1 to 23 characters a-z 0-9 _ after 'off'");
	REFUSED("covers = 2026..2026\n2026-01-01 = off New_Year\n",
		"line 2: want one name of 1 to 23 characters a-z 0-9 _ after 'off'");
	REFUSED("covers = 2026..2026\n2026-01-01 = off new year\n",
		"line 2: want one name of 1 to 23 characters a-z 0-9 _ after 'off'");
	REFUSED("covers = 2026..2026\n2026-01-01 = off a_name_of_twenty_four_ch\n",
		"line 2: want one name of 1 to 23 characters a-z 0-9 _ after 'off'");
	REFUSED("covers = 2026..2026\n2026-01-09 = work swap\n",
		"line 2: 2026-01-09 is a Friday: 'work' is for a Saturday or Sunday worked (a weekday is a working day already)");
	REFUSED("covers = 2026..2026\n2026-01-01 = off t\x1b[2Jt\n",
		"line 2: a control character or bad UTF-8 (only text, and only ASCII outside comments)");
	REFUSED("covers = 2026..2026\n2026-01-01 = off tết\n", "line 2: only ASCII outside comments");
	REFUSED("covers = 2026..2026 # bad \xc3 UTF-8\n", "line 1: a control character or bad UTF-8 (only text, and only ASCII outside comments)");
	{
		/* One past the cap of days: 401 weekdays over two years. */
		char *big = malloc(64 * 1024);
		size_t n = (size_t)sprintf(big, "covers = 2026..2027\n");
		int listed = 0;
		for (struct date x = D("2026-01-01"); x.y <= 2027 && listed <= HOLIDAYS_MAX_DAYS; x = date_next(x))
			if (zeller(x) < 5) {
				n += (size_t)sprintf(big + n, "%04d-%02d-%02d = off x\n", x.y, x.m, x.d);
				listed++;
			}
		REFUSED(big, "line 402: more than 400 days listed");
		free(big);
	}
	/* A comment may say anything in Vietnamese; a list with CRLF line ends parses. */
	PARSE_OK("covers = 2026..2026   # Tết Bính Ngọ\r\n2026-01-01 = off new_year # Tết Dương lịch\r\n");
	CHECK_INT(H.n, 1);
	CHECK_STR(H.day[0].name, "new_year");
	struct diag d = {""};
	CHECK_INT(holidays_check_year(&H, 2026, &d), 0);
	CHECK_INT(holidays_check_year(&H, 2027, &d), ERR_NOTFOUND);
	CHECK_STR(d.msg, "covers 2026..2026, not 2027: the kiosk cannot count working days this year (add 2027's holidays)");

	/* ---- the shipped list: cases a person can check on a 2026 calendar ---- */
	size_t len;
	char *t = t_read_repo("firmware/content/kiosk/holidays.txt", &len);
	d.msg[0] = '\0';
	CHECK_INT(holidays_parse(t, len, &H, &d), 0);
	free(t);
	CHECK_INT(H.first_year, 2026);
	CHECK_INT(H.last_year, 2027);
	/* Request Wed 31/12/2025, hearing Mon 12/1/2026: 1/1 and 2/1 off, Sat 10/1 worked: 5,6,7,8,9 and 10 = 6. */
	CHECK_INT(count("2025-12-31", "2026-01-12"), 6);
	/* Request Fri 13/2/2026, hearing Mon 23/2: nine days of Tết and weekends, nothing left. */
	CHECK_INT(count("2026-02-13", "2026-02-23"), 0);
	/* Hùng Kings on Sunday 26/4, compensated Monday 27/4; 30/4 and 1/5: Fri 24/4 to Mon 4/5 leaves Tue 28, Wed 29. */
	CHECK_INT(count("2026-04-24", "2026-05-04"), 2);
	/* National Day: Sat 22/8 worked, Mon 31/8 .. Wed 2/9 off. Thu 20/8 to Thu 3/9: 21, 22, 24..28 = 7. */
	CHECK_INT(count("2026-08-20", "2026-09-03"), 7);
	/* A hearing in 2028 cannot be counted with this list. */
	CHECK_INT(count("2027-12-20", "2028-01-10"), ERR_NOTFOUND);
	return t_done("core_holidays_test");
}
