#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* SPEAN_NOW=YYYY-MM-DDTHH:MM: 1 and its parts, or 0. */
static int now_override(int *year, int *month, int *day, int *minute)
{
	const char *o = getenv("SPEAN_NOW");
	int h, m;
	if (!o || sscanf(o, "%4d-%2d-%2dT%2d:%2d", year, month, day, &h, &m) != 5 || h < 0 || h > 23 || m < 0 || m > 59)
		return 0;
	*minute = h * 60 + m;
	return 1;
}

static void local_now(int *year, int *month, int *day, int *minute)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
}

void clock_today(int *year, int *month, int *day)
{
	const char *o = getenv("SPEAN_TODAY");
	int minute;
	if (o && sscanf(o, "%4d-%2d-%2d", year, month, day) == 3)
		return;
	if (!now_override(year, month, day, &minute))
		local_now(year, month, day, &minute);
}

void clock_local_now(int *year, int *month, int *day, int *minute)
{
	if (!now_override(year, month, day, minute))
		local_now(year, month, day, minute);
}

int64_t clock_wall_seconds(void)
{
	/* SPEAN_CLOCK_OFFSET=seconds shifts the wall clock, to test clock jumps. */
	const char *o = getenv("SPEAN_CLOCK_OFFSET");
	return (int64_t)time(NULL) + (o ? strtoll(o, NULL, 10) : 0);
}

uint64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
