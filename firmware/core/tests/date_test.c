/* Tests for core/date: parsing and ages as the Civil Code counts them. */
#include <stdlib.h>

#include "content.h"
#include "date.h"
#include "err.h"
#include "testlib.h"

static struct date D(const char *s)
{
	struct date d = {0, 0, 0};
	if (date_parse(s, strlen(s), &d))
		t_fail(__FILE__, __LINE__, "bad test date %s", s);
	return d;
}

/* Parse a partial date that must parse. */
static struct date P(const char *s)
{
	struct date d = {0, 0, 0};
	if (date_partial_parse(s, strlen(s), &d))
		t_fail(__FILE__, __LINE__, "bad partial test date %s", s);
	return d;
}

static int partial_rc(const char *s)
{
	struct date d = {7, 7, 7};
	int rc = date_partial_parse(s, strlen(s), &d);
	if (rc && (d.y != 7 || d.m != 7 || d.d != 7))
		t_fail(__FILE__, __LINE__, "%s: refused but *out written", s);
	return rc;
}

static void check_format(struct date d, const char *iso, const char *dmy)
{
	char a[16], b[16];
	CHECK_INT(date_partial_format(d, a, sizeof a), (int)strlen(iso));
	CHECK_STR(a, iso);
	CHECK_INT(date_partial_format_dmy(d, b, sizeof b), (int)strlen(dmy));
	CHECK_STR(b, dmy);
}

static void test_partial(void)
{
	struct date d;
	CHECK_INT(date_partial_parse("1950", 4, &d), 0);
	CHECK(d.y == 1950 && d.m == 0 && d.d == 0);
	CHECK_INT(date_partial_parse("2010-03", 7, &d), 0);
	CHECK(d.y == 2010 && d.m == 3 && d.d == 0);
	CHECK_INT(date_partial_parse("1960-06-06", 10, &d), 0);
	CHECK(d.y == 1960 && d.m == 6 && d.d == 6);
	CHECK_INT(partial_rc("1900"), 0);
	CHECK_INT(partial_rc("2999"), 0);
	CHECK_INT(partial_rc("2999-12"), 0);
	CHECK_INT(partial_rc("2024-02-29"), 0);
	/* Only the three shapes, digits where digits go, and real values. */
	const char *bad[] = {"",        "1",          "195",        "19600",      "1899",       "3000",       "0000",
			     "+950",    "-950",       " 1950",      "1950 ",      "1950x",      "1950-",      "1950-1",
			     "1960-6",  "1960-6-6",   "2010-00",    "2010-13",    "2010-1a",    "2010/03",    "2010-03-",
			     "2010-3-", "2010-03-00", "2010-03-32", "2025-02-29", "1900-02-29", "2026-04-31", "1960-06-06x",
			     "1960-06-6", "196a",     "1899-12",    "3000-01",    "19 0",       "2010 03"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (partial_rc(bad[i]) != ERR_PARSE)
			t_fail(__FILE__, __LINE__, "'%s' parsed as a partial date", bad[i]);
	t_checks++;
	/* A NUL inside the counted length is junk, not an end. */
	CHECK_INT(date_partial_parse("1950\0", 5, &d), ERR_PARSE);
	CHECK_INT(date_partial_parse("2010-03\0", 8, &d), ERR_PARSE);
	/* date_parse stays full-day only. */
	CHECK_INT(date_parse("1950", 4, &d), ERR_PARSE);
	CHECK_INT(date_parse("2010-03", 7, &d), ERR_PARSE);

	CHECK(date_partial_valid((struct date){1950, 0, 0}));
	CHECK(date_partial_valid((struct date){1950, 12, 0}));
	CHECK(date_partial_valid((struct date){2024, 2, 29}));
	CHECK(!date_partial_valid((struct date){1950, 13, 0}));
	CHECK(!date_partial_valid((struct date){1950, 0, 5}));
	CHECK(!date_partial_valid((struct date){1899, 0, 0}));
	CHECK(!date_partial_valid((struct date){3000, 1, 0}));
	CHECK(!date_partial_valid((struct date){2025, 2, 29}));
	CHECK(!date_valid((struct date){1950, 0, 0}));
	CHECK(!date_valid((struct date){1950, 6, 0}));

	CHECK_INT(date_cmp(date_partial_first(P("1950")), D("1950-01-01")), 0);
	CHECK_INT(date_cmp(date_partial_last(P("1950")), D("1950-12-31")), 0);
	CHECK_INT(date_cmp(date_partial_first(P("2024-02")), D("2024-02-01")), 0);
	CHECK_INT(date_cmp(date_partial_last(P("2024-02")), D("2024-02-29")), 0);
	CHECK_INT(date_cmp(date_partial_last(P("2023-02")), D("2023-02-28")), 0);
	CHECK_INT(date_cmp(date_partial_last(P("2010-04")), D("2010-04-30")), 0);
	CHECK_INT(date_cmp(date_partial_first(P("1960-06-06")), D("1960-06-06")), 0);
	CHECK_INT(date_cmp(date_partial_last(P("1960-06-06")), D("1960-06-06")), 0);

	check_format(P("1950"), "1950", "1950");
	check_format(P("2010-03"), "2010-03", "03/2010");
	check_format(P("1960-06-06"), "1960-06-06", "06/06/1960");
	char small[8] = "x";
	CHECK_INT(date_partial_format(P("1960-06-06"), small, sizeof small), ERR_INVAL);
	CHECK_STR(small, "");
	CHECK_INT(date_partial_format((struct date){1950, 13, 0}, small, sizeof small), ERR_INVAL);
	CHECK_INT(date_partial_format_dmy((struct date){1950, 0, 3}, small, sizeof small), ERR_INVAL);
	/* Every partial date of 1900..2999 formats back to what parses to it. */
	int round = 1;
	for (int y = 1900; y <= 2999 && round; y++)
		for (int m = 0; m <= 12 && round; m++) {
			char text[16];
			struct date in = {y, m, 0}, out;
			round = date_partial_format(in, text, sizeof text) == (m ? 7 : 4) &&
				date_partial_parse(text, strlen(text), &out) == 0 && date_cmp(in, out) == 0;
		}
	CHECK(round);
}

static void range(const char *birth, const char *on, int want_min, int want_max)
{
	int lo = -99, hi = -99;
	int rc = date_age_range(P(birth), D(on), &lo, &hi);
	if (rc || lo != want_min || hi != want_max)
		t_fail(__FILE__, __LINE__, "born %s on %s: rc %d ages %d..%d, want %d..%d", birth, on, rc, lo, hi,
		       want_min, want_max);
	t_checks++;
}

static void test_age_range(void)
{
	/* The spec's examples (eligibility.md, "Derived conditions"). */
	range("1960", "2026-04-01", 65, 66);
	range("2010", "2026-04-01", 15, 16);
	range("1950", "2026-04-01", 75, 76);
	range("2010-03", "2026-04-01", 16, 16);
	range("2010-05", "2026-04-01", 15, 15);
	/* The month of the request: 1 April anniversary is 16, later days 15. */
	range("2010-04", "2026-04-01", 15, 16);
	range("2010-04", "2026-04-30", 16, 16);
	/* A year ending on the request day: everyone has had the birthday. */
	range("1960", "2026-12-31", 66, 66);
	range("1960", "2026-01-01", 65, 66);
	/* A full day is a range of one. */
	range("1960-06-06", "2026-06-05", 65, 65);
	range("1960-06-06", "2026-06-06", 66, 66);
	/* Born in February of a leap year: 29 Feb counts from 28 Feb in a common year. */
	range("2008-02", "2026-02-27", 17, 18);
	range("2008-02", "2026-02-28", 18, 18);
	range("2008-02-29", "2026-02-28", 18, 18);
	range("2008-02-29", "2026-02-27", 17, 17);
	range("2008-02", "2028-02-28", 19, 20);
	range("2008-02", "2028-02-29", 20, 20);
	/* The year or month of the request itself: clamped to the request day. */
	range("2026", "2026-04-01", 0, 0);
	range("2026-04", "2026-04-01", 0, 0);
	range("2026-04", "2026-04-30", 0, 0);
	range("2025", "2026-04-01", 0, 1);
	range("1900", "1900-01-01", 0, 0);
	range("2999", "2999-12-31", 0, 0);
	int lo, hi;
	/* Its earliest day after the request: refused, never negative ages. */
	CHECK_INT(date_age_range(P("2027"), D("2026-04-01"), &lo, &hi), ERR_INVAL);
	CHECK_INT(date_age_range(P("2026-05"), D("2026-04-30"), &lo, &hi), ERR_INVAL);
	CHECK_INT(date_age_range(P("2026-04-02"), D("2026-04-01"), &lo, &hi), ERR_INVAL);
	CHECK_INT(date_age_range((struct date){2010, 13, 0}, D("2026-04-01"), &lo, &hi), ERR_INVAL);
	CHECK_INT(date_age_range(P("2010"), (struct date){2026, 4, 0}, &lo, &hi), ERR_INVAL);
	/* Against every birth day the date allows, for every request day of two years. */
	const char *births[] = {"1960", "2008-02", "2010-12", "2024", "2025-02"};
	int agree = 1;
	for (size_t b = 0; b < sizeof births / sizeof births[0] && agree; b++) {
		struct date bd = P(births[b]);
		for (struct date on = D("2024-01-01"); date_cmp(on, D("2026-01-01")) < 0 && agree; on = date_next(on)) {
			int want_lo = 1000, want_hi = -1, rc = date_age_range(bd, on, &lo, &hi);
			for (struct date x = date_partial_first(bd);
			     date_cmp(x, date_partial_last(bd)) <= 0 && date_cmp(x, on) <= 0; x = date_next(x)) {
				int a = date_age(x, on);
				want_lo = a < want_lo ? a : want_lo;
				want_hi = a > want_hi ? a : want_hi;
			}
			agree = want_hi < 0 ? rc == ERR_INVAL : rc == 0 && lo == want_lo && hi == want_hi;
			if (!agree)
				t_fail(__FILE__, __LINE__, "%s on %04d-%02d-%02d: %d..%d, want %d..%d", births[b], on.y,
				       on.m, on.d, lo, hi, want_lo, want_hi);
		}
	}
	t_checks++;
}

static void fields(const char *y, const char *m, const char *dd, const char *today, const char *want)
{
	struct date out = {7, 7, 7};
	const char *why = "unset";
	int rc = date_partial_from_fields(y, m, dd, D(today), &out, &why);
	char got[16] = "";
	if (!rc)
		date_partial_format(out, got, sizeof got);
	const char *g = rc ? why : got;
	if ((rc != 0) != (strncmp(want, "date.", 5) == 0) || !g || strcmp(g, want) ||
	    (rc && (out.y != 7 || out.m != 7 || out.d != 7)) || (rc && rc != ERR_INVAL) || (!rc && why))
		t_fail(__FILE__, __LINE__, "fields '%s' '%s' '%s' on %s: rc %d '%s', want '%s'", y ? y : "(null)",
		       m ? m : "(null)", dd ? dd : "(null)", today, rc, g ? g : "(null)", want);
	t_checks++;
}

static void test_from_fields(void)
{
	const char *t = "2026-05-20";
	fields("1950", "", "", t, "1950");
	fields("1950", NULL, NULL, t, "1950");
	fields("2010", "3", "", t, "2010-03");
	fields("2010", "03", NULL, t, "2010-03");
	fields("1960", "6", "6", t, "1960-06-06");
	fields("1960", "06", "06", t, "1960-06-06");
	fields("2024", "2", "29", t, "2024-02-29");
	fields("2026", "", "", t, "2026");         /* the year of today: allowed, clamped */
	fields("2026", "5", "", t, "2026-05");     /* the month of today */
	fields("2026", "05", "20", t, "2026-05-20"); /* today itself */
	fields("1900", "1", "1", t, "1900-01-01");
	/* The year is required, as 4 digits. */
	fields("", "", "", t, "date.year_needed");
	fields(NULL, "3", "4", t, "date.year_needed");
	fields("", "3", "", t, "date.year_needed");
	fields("60", "", "", t, "date.year_needed");
	fields("19600", "", "", t, "date.year_needed");
	fields("19a0", "", "", t, "date.year_needed");
	/* A day needs its month. */
	fields("1960", "", "6", t, "date.month_needed");
	fields("1960", NULL, "6", t, "date.month_needed");
	fields("1960", "0", "", t, "date.bad_month");
	fields("1960", "00", "", t, "date.bad_month");
	fields("1960", "13", "", t, "date.bad_month");
	fields("1960", "123", "", t, "date.bad_month");
	fields("1960", "x", "", t, "date.bad_month");
	fields("1960", "6", "0", t, "date.bad_day");
	fields("1960", "6", "00", t, "date.bad_day");
	fields("1960", "6", "31", t, "date.bad_day");
	fields("1960", "1", "32", t, "date.bad_day");
	fields("1960", "1", "100", t, "date.bad_day");
	fields("2025", "2", "29", t, "date.bad_day");
	fields("1900", "2", "29", t, "date.bad_day");
	fields("1960", "1", "-1", t, "date.bad_day");
	fields("1899", "", "", t, "date.too_old");
	fields("1899", "12", "31", t, "date.too_old");
	fields("0000", "", "", t, "date.too_old");
	/* After today: the next day, the next month, the next year. */
	fields("2026", "5", "21", t, "date.future");
	fields("2026", "6", "", t, "date.future");
	fields("2027", "", "", t, "date.future");
	fields("9999", "", "", t, "date.future");
	fields("2024", "2", "29", "2024-02-28", "date.future");
	/* Every reason is a message in both catalogs the kiosk shows (Vietnamese and Khmer). */
	static const char *const reasons[] = {"date.year_needed", "date.month_needed", "date.bad_month",
					      "date.bad_day",     "date.future",       "date.too_old"};
	static const char *const catalogs[] = {"firmware/content/kiosk/strings.vi", "firmware/content/kiosk/strings.km"};
	for (int c = 0; c < 2; c++) {
		size_t n;
		char *text = t_read_repo(catalogs[c], &n);
		struct catalog *cat = NULL;
		struct diag d = {""};
		CHECK(text != NULL);
		CHECK_INT(text ? catalog_parse(text, n, &cat, &d) : ERR_IO, 0);
		for (size_t i = 0; cat && i < sizeof reasons / sizeof reasons[0]; i++) {
			const char *msg = catalog_get(cat, reasons[i]);
			if (!msg || !*msg || !strcmp(msg, reasons[i]))
				t_fail(__FILE__, __LINE__, "%s has no message for %s", catalogs[c], reasons[i]);
			t_checks++;
		}
		catalog_destroy(cat);
		free(text);
	}
	/* A NULL why is allowed. */
	struct date out;
	CHECK_INT(date_partial_from_fields("1950", "", "", D(t), &out, NULL), 0);
	CHECK_INT(date_partial_from_fields("", "", "", D(t), &out, NULL), ERR_INVAL);
}

int main(void)
{
	struct date d;
	CHECK_INT(date_parse("2024-02-29", 10, &d), 0);
	CHECK_INT(date_parse("2025-02-29", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("1900-02-29", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("2000-02-29", 10, &d), 0);
	CHECK_INT(date_parse("2026-04-31", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("2026-13-01", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("2026-00-10", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("2026-1-10", 9, &d), ERR_PARSE);
	CHECK_INT(date_parse("2026/01/10", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("+026-01-10", 10, &d), ERR_PARSE);
	CHECK_INT(date_parse("1899-12-31", 10, &d), ERR_PARSE);

	/* Plain birthdays: the age changes on the day. */
	CHECK_INT(date_age(D("2010-03-10"), D("2026-03-09")), 15);
	CHECK_INT(date_age(D("2010-03-10"), D("2026-03-10")), 16);
	CHECK_INT(date_age(D("1966-01-01"), D("2025-12-31")), 59);
	CHECK_INT(date_age(D("1966-01-01"), D("2026-01-01")), 60);
	/* 29 February: in a common year the anniversary is 28 February. */
	CHECK_INT(date_age(D("2008-02-29"), D("2026-02-27")), 17);
	CHECK_INT(date_age(D("2008-02-29"), D("2026-02-28")), 18);
	CHECK_INT(date_age(D("2008-02-29"), D("2026-03-01")), 18);
	/* In a leap year it is 29 February itself. */
	CHECK_INT(date_age(D("2008-02-29"), D("2028-02-28")), 19);
	CHECK_INT(date_age(D("2008-02-29"), D("2028-02-29")), 20);
	/* Born 28 Feb is unaffected. */
	CHECK_INT(date_age(D("2008-02-28"), D("2026-02-27")), 17);
	CHECK_INT(date_age(D("2008-02-28"), D("2026-02-28")), 18);
	/* Newborn. */
	CHECK_INT(date_age(D("2026-05-05"), D("2026-05-05")), 0);
	CHECK_INT(date_age(D("2026-05-05"), D("2026-05-04")), -1);

	CHECK_INT(date_cmp(date_next(D("2025-12-31")), D("2026-01-01")), 0);
	CHECK_INT(date_cmp(date_prev(D("2026-01-01")), D("2025-12-31")), 0);
	CHECK_INT(date_cmp(date_next(D("2024-02-28")), D("2024-02-29")), 0);
	CHECK_INT(date_cmp(date_prev(D("2025-03-01")), D("2025-02-28")), 0);
	/* Every day of 1900..2100 round-trips and ages are monotonic. */
	struct date x = D("1900-01-01");
	int prev_age = -1, ok = 1;
	for (int i = 0; i < 73000 && ok; i++) {
		struct date n = date_next(x);
		ok = date_valid(n) && date_cmp(date_prev(n), x) == 0;
		int a = date_age(D("1900-01-01"), x);
		ok = ok && a >= prev_age;
		prev_age = a;
		x = n;
	}
	CHECK(ok);
	test_partial();
	test_age_range();
	test_from_fields();
	return t_done("core_date_test");
}
