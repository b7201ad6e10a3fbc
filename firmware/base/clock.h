/* base/clock: the wall clock, read in one place (it is unreliable on a kiosk: never order by it). */
#ifndef SPEAN_BASE_CLOCK_H
#define SPEAN_BASE_CLOCK_H

#include <stdint.h>

/* Today's local calendar date. SPEAN_TODAY=YYYY-MM-DD overrides (tests, demos), else SPEAN_NOW's date. */
void clock_today(int *year, int *month, int *day);
/*
 * The local wall clock's date, minute of the day (0..1439) and second of
 * that minute: when the office is open, for the screen (never for ordering:
 * the clock may jump). SPEAN_NOW=YYYY-MM-DDTHH:MM[:SS] overrides it (tests,
 * demos): that instant at the process's first read, running on from there.
 */
void clock_local_now(int *year, int *month, int *day, int *minute, int *second);
/* Wall-clock seconds since the epoch (for audit display only). SPEAN_CLOCK_OFFSET shifts it (tests). */
int64_t clock_wall_seconds(void);
/* Monotonic nanoseconds (for durations and benchmarks). */
uint64_t clock_mono_ns(void);

#endif
