/* Fuzz target for core/hours: the content pack's hours.txt, and the open/closed answer over what it accepts. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "hours.h"

static struct holidays hol; /* ~20 KiB: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = {""};
	struct hours h;
	if (!hol.first_year) {
		/* A Monday off and a Saturday worked in the week walked below. */
		static const char list[] = "covers = 2030..2030\n2030-01-07 = off holiday\n2030-01-12 = work swap\n";
		FUZZ_CHECK(holidays_parse(list, sizeof list - 1, &hol, &d) == 0);
	}
	int rc = hours_parse((const char *)data, size, &h, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		FUZZ_CHECK(!h.set && !h.work.line);
		for (int i = 0; i < 7; i++)
			FUZZ_CHECK(!h.day[i].line && !h.day[i].n);
		return 0;
	}
	FUZZ_CHECK(h.set && size <= HOURS_MAX_BYTES && hours_week_minutes(&h) > 0);
	for (int i = 0; i < 8; i++) {
		const struct hours_day *day = i < 7 ? &h.day[i] : &h.work;
		FUZZ_CHECK(i == 7 || day->line > 0);
		FUZZ_CHECK(day->n >= 0 && day->n <= HOURS_MAX_RANGES);
		for (int j = 0; j < day->n; j++) {
			FUZZ_CHECK(day->r[j].from >= 0 && day->r[j].from < day->r[j].to && day->r[j].to <= HOURS_DAY_MINUTES);
			FUZZ_CHECK(j == 0 || day->r[j - 1].to < day->r[j].from); /* in order, apart */
		}
	}
	/*
	 * Walk a week (Mon 2030-01-07, off, .. Sun 2030-01-13) from change to change: the answer holds up to the
	 * change and flips at it (ranges are apart, so a boundary inside a day always flips it).
	 */
	struct date dt = {2030, 1, 7};
	for (int day = 0; day < 7; day++, dt = date_next(dt)) {
		int opened = 0;
		for (int m = 0; m < HOURS_DAY_MINUTES;) {
			int st = hours_open_at(&h, &hol, dt, m), c = hours_minutes_to_change(&h, &hol, dt, m);
			FUZZ_CHECK(st == 0 || st == 1);
			FUZZ_CHECK(c >= 1 && c <= HOURS_DAY_MINUTES - m);
			FUZZ_CHECK(hours_open_at(&h, &hol, dt, m + c - 1) == st);
			if (m + c < HOURS_DAY_MINUTES)
				FUZZ_CHECK(hours_open_at(&h, &hol, dt, m + c) == !st);
			opened |= st;
			m += c;
		}
		if (day == 0)
			FUZZ_CHECK(!opened); /* a holiday off is closed all day */
	}
	FUZZ_CHECK(hours_open_at(&h, &hol, dt, HOURS_DAY_MINUTES) == ERR_INVAL);
	return 0;
}
