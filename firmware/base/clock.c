#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * SPEAN_NOW=YYYY-MM-DDTHH:MM[:SS]: 1 and its parts as of now (the instant
 * given at the first read, plus the monotonic time since), or 0.
 */
static int now_override(int *year, int *month, int *day, int *minute, int *second)
{
	static uint64_t first_ns;
	const char *o = getenv("SPEAN_NOW");
	struct tm tm;
	int s = 0, n;
	memset(&tm, 0, sizeof tm);
	if (!o || (n = sscanf(o, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &s)) < 5 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || s < 0 || s > 59)
		return 0;
	if (!first_ns)
		first_ns = clock_mono_ns();
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = s;
	/* Civil time as given (timegm: no zone, no DST), run on by the seconds since the first read. */
	time_t t = timegm(&tm) + (time_t)((clock_mono_ns() - first_ns) / 1000000000u);
	gmtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
	*second = tm.tm_sec;
	return 1;
}

static void local_now(int *year, int *month, int *day, int *minute, int *second)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
	*second = tm.tm_sec > 59 ? 59 : tm.tm_sec; /* a leap second */
}

void clock_today(int *year, int *month, int *day)
{
	const char *o = getenv("SPEAN_TODAY");
	int minute, second;
	if (o && sscanf(o, "%4d-%2d-%2d", year, month, day) == 3)
		return;
	if (!now_override(year, month, day, &minute, &second))
		local_now(year, month, day, &minute, &second);
}

void clock_local_now(int *year, int *month, int *day, int *minute, int *second)
{
	if (!now_override(year, month, day, minute, second))
		local_now(year, month, day, minute, second);
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
