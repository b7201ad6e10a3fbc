/* Fuzz target for core/holidays: the content pack's holidays.txt and the working-day counter over what it accepts. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "holidays.h"

static struct holidays h; /* ~20 KiB: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = {""};
	int rc = holidays_parse((const char *)data, size, &h, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		FUZZ_CHECK(h.first_year == 0 && h.n == 0);
		return 0;
	}
	FUZZ_CHECK(h.first_year >= 1900 && h.first_year <= h.last_year && h.last_year <= 2999);
	FUZZ_CHECK(h.last_year - h.first_year < HOLIDAYS_MAX_YEARS && h.n > 0 && h.n <= HOLIDAYS_MAX_DAYS);
	for (int i = 0; i < h.n; i++) {
		const struct holiday *x = &h.day[i];
		FUZZ_CHECK(date_valid(x->date) && holidays_cover_year(&h, x->date.y));
		FUZZ_CHECK(i == 0 || date_cmp(h.day[i - 1].date, x->date) < 0);
		FUZZ_CHECK(x->name[0] && strlen(x->name) < HOLIDAYS_MAX_NAME);
		FUZZ_CHECK(x->kind == HOLIDAY_OFF || (x->kind == HOLIDAY_WORK && holidays_weekday(x->date) >= 5));
		FUZZ_CHECK(holidays_is_workday(&h, x->date) == (x->kind == HOLIDAY_WORK));
	}
	/* The counter over the whole covered span and across its edges: additive, bounded, never out of coverage inside. */
	struct date first = {h.first_year, 1, 1}, last = {h.last_year, 12, 31};
	/* From the day before the first covered day to the day after the last (dates stop at 1900 and 2999). */
	struct date from = h.first_year > 1900 ? date_prev(first) : first, to = h.last_year < 2999 ? date_next(last) : last;
	int all = -1, part1 = -1, part2 = -1;
	FUZZ_CHECK(holidays_workdays_between(&h, from, to, &all) == 0);
	FUZZ_CHECK(all >= 0 && all <= 366 * HOLIDAYS_MAX_YEARS);
	struct date mid = h.day[h.n / 2].date;
	if (date_cmp(from, mid) < 0 && date_cmp(mid, to) < 0) {
		FUZZ_CHECK(holidays_workdays_between(&h, from, mid, &part1) == 0);
		FUZZ_CHECK(holidays_workdays_between(&h, mid, to, &part2) == 0);
		FUZZ_CHECK(part1 + part2 + (holidays_is_workday(&h, mid) == 1) == all);
	}
	if (last.y < 2999)
		FUZZ_CHECK(holidays_workdays_between(&h, first, date_next(date_next(last)), &all) == ERR_NOTFOUND);
	FUZZ_CHECK(holidays_workdays_between(&h, mid, date_prev(mid), &all) == ERR_INVAL);
	return 0;
}
