/* kiosk/lockout: the staff PIN lockout (pure: the caller passes a monotonic `now` in ns; no clock, no I/O, no SDL). */
#ifndef SPEAN_KIOSK_LOCKOUT_H
#define SPEAN_KIOSK_LOCKOUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * LOCKOUT_TRIES wrong PINs in a row lock the PIN screen for LOCKOUT_FIRST_S
 * seconds; each further lockout (without a right PIN between) doubles it, up
 * to LOCKOUT_FIRST_S << LOCKOUT_MAX_SHIFT (64 min). A right PIN resets both
 * counts. Times are nanoseconds of one monotonic clock (the caller's): never
 * the wall clock, which a kiosk cannot trust.
 */
#define LOCKOUT_TRIES 5
#define LOCKOUT_FIRST_S 60u
#define LOCKOUT_MAX_SHIFT 6
#define LOCKOUT_MAX_S (LOCKOUT_FIRST_S << LOCKOUT_MAX_SHIFT)
#define LOCKOUT_MAX_COUNT 1000000 /* lockouts saturate here (the period stopped growing long before) */

struct lockout {
	int fails;             /* wrong PINs since the last lockout or right PIN, 0 .. LOCKOUT_TRIES-1 */
	int lockouts;          /* lockouts since the last right PIN, 0 .. LOCKOUT_MAX_COUNT */
	uint64_t locked_until; /* ns on the caller's monotonic clock; locked while now < locked_until */
};

/* Not locked, no wrong PIN (a zeroed struct is the same state). */
void lockout_init(struct lockout *st);
/* 1 if a PIN must not even be checked at now; *seconds_left (may be NULL) gets the seconds left, rounded up (0 if not locked). */
int lockout_locked(const struct lockout *st, uint64_t now, unsigned *seconds_left);
/*
 * A wrong PIN at now. Returns the seconds of the lockout it just started, or
 * 0 if it did not lock. While locked it changes nothing and returns 0 (the
 * caller does not check PINs then).
 */
unsigned lockout_fail(struct lockout *st, uint64_t now);
/* The right PIN: both counts back to 0, not locked. */
void lockout_success(struct lockout *st);
/* Wrong PINs left before the next lockout (1 .. LOCKOUT_TRIES). */
int lockout_tries_left(const struct lockout *st);
/* The period the next lockout will have, in seconds (60, 120, ... 3840). */
unsigned lockout_next_period(const struct lockout *st);

/*
 * Persistence. The text holds the two counts and the REMAINING lockout
 * seconds at `now` (rounded up), never a clock reading: the monotonic clock
 * restarts at boot and the wall clock is not trusted. No PIN, nothing
 * personal:
 *     version = 1
 *     fails = 0
 *     lockouts = 1
 *     remaining = 60
 * A lockout loaded with remaining R is locked until load's now + R s: the
 * time the kiosk was off is not counted, so a restart never shortens a
 * lockout (it resumes with what was left when the text was saved).
 */
#define LOCKOUT_TEXT_MAX 128
#define LOCKOUT_VERSION 1
/* Write st's text at now into buf (NUL-terminated); returns its length (< LOCKOUT_TEXT_MAX). */
size_t lockout_save(const struct lockout *st, uint64_t now, char buf[LOCKOUT_TEXT_MAX]);
/*
 * Parse text[0..n) (the base/kv line format; comments and blank lines
 * allowed) at now into st. Strict: version 1, each key exactly once, no other
 * key, plain decimal numbers in range, and a consistent state (remaining > 0
 * only after a lockout, within that lockout's period, with no wrong PIN
 * counted). 0, or ERR_PARSE with d saying why (line numbers and keys; at most
 * 24 bytes of a bad value), and st is then lockout_fail_safe's state: a file
 * nobody can read back is treated as an attack, not as a clean slate.
 */
int lockout_load(const char *text, size_t n, uint64_t now, struct lockout *st, struct diag *d);
/* The state for a lost or damaged record: locked for the first period from now, one lockout counted. */
void lockout_fail_safe(struct lockout *st, uint64_t now);

#endif
