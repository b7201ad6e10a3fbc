#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void clock_today(int *year, int *month, int *day)
{
	const char *o = getenv("SPEAN_TODAY");
	if (o && sscanf(o, "%4d-%2d-%2d", year, month, day) == 3)
		return;
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
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
