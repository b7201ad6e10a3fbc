/* Tests for core/date: parsing and ages as the Civil Code counts them. */
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
	return t_done("core_date_test");
}
