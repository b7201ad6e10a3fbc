/* kiosk/lockout: see lockout.h. Pure: no clock, no I/O, no logging (the caller logs what it decides). */
#include "lockout.h"

#include <stdio.h>
#include <string.h>

#include "kv.h"

#define NS 1000000000ull

void lockout_init(struct lockout *st)
{
	memset(st, 0, sizeof *st);
}

static unsigned period_of(int lockouts_before)
{
	int shift = lockouts_before < LOCKOUT_MAX_SHIFT ? lockouts_before : LOCKOUT_MAX_SHIFT;
	return LOCKOUT_FIRST_S << (shift < 0 ? 0 : shift);
}

/* now + s seconds, saturating (a caller's clock near the top of uint64_t stays locked, never wraps to unlocked). */
static uint64_t after(uint64_t now, unsigned s)
{
	uint64_t dur = (uint64_t)s * NS;
	return now > UINT64_MAX - dur ? UINT64_MAX : now + dur;
}

int lockout_locked(const struct lockout *st, uint64_t now, unsigned *seconds_left)
{
	int locked = now < st->locked_until;
	if (seconds_left) {
		uint64_t left = locked ? st->locked_until - now : 0;
		uint64_t s = left / NS + (left % NS != 0);
		/* A loaded lockout is at most LOCKOUT_MAX_S; a state set by hand is clamped for display. */
		*seconds_left = s > UINT32_MAX ? UINT32_MAX : (unsigned)s;
	}
	return locked;
}

unsigned lockout_fail(struct lockout *st, uint64_t now)
{
	if (lockout_locked(st, now, NULL))
		return 0;
	if (st->fails < 0)
		st->fails = 0;
	if (++st->fails < LOCKOUT_TRIES)
		return 0;
	unsigned s = period_of(st->lockouts);
	st->locked_until = after(now, s);
	if (st->lockouts < LOCKOUT_MAX_COUNT)
		st->lockouts++;
	st->fails = 0;
	return s;
}

void lockout_success(struct lockout *st)
{
	lockout_init(st);
}

int lockout_tries_left(const struct lockout *st)
{
	int f = st->fails < 0 ? 0 : st->fails >= LOCKOUT_TRIES ? LOCKOUT_TRIES - 1 : st->fails;
	return LOCKOUT_TRIES - f;
}

unsigned lockout_next_period(const struct lockout *st)
{
	return period_of(st->lockouts);
}

void lockout_fail_safe(struct lockout *st, uint64_t now)
{
	lockout_init(st);
	st->lockouts = 1;
	st->locked_until = after(now, LOCKOUT_FIRST_S);
}

size_t lockout_save(const struct lockout *st, uint64_t now, char buf[LOCKOUT_TEXT_MAX])
{
	unsigned left;
	lockout_locked(st, now, &left);
	if (left > LOCKOUT_MAX_S)
		left = LOCKOUT_MAX_S; /* only a state set by hand; the loader would refuse more */
	int fails = st->fails < 0 ? 0 : st->fails >= LOCKOUT_TRIES ? LOCKOUT_TRIES - 1 : st->fails;
	int lockouts = st->lockouts < 0 ? 0 : st->lockouts > LOCKOUT_MAX_COUNT ? LOCKOUT_MAX_COUNT : st->lockouts;
	if (left && !lockouts)
		lockouts = 1;
	if (left)
		fails = 0;
	int n = snprintf(buf, LOCKOUT_TEXT_MAX, "version = %d\nfails = %d\nlockouts = %d\nremaining = %u\n",
			 LOCKOUT_VERSION, fails, lockouts, left);
	return n < 0 ? 0 : (size_t)n;
}

/* A plain decimal number: digits only, no sign, no leading zero, at most 10 digits. */
static int parse_number(const char *s, size_t n, unsigned long long *v)
{
	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int lockout_load(const char *text, size_t n, uint64_t now, struct lockout *st, struct diag *d)
{
	static const char *const keys[4] = {"version", "fails", "lockouts", "remaining"};
	static const unsigned long long max[4] = {LOCKOUT_VERSION, LOCKOUT_TRIES - 1, LOCKOUT_MAX_COUNT, LOCKOUT_MAX_S};
	static const char *const why[4] = {
		"is 1 (the only version this kiosk reads)",
		"is 0 to 4 (the fifth wrong PIN locks and restarts the count)",
		"is 0 to 1000000",
		"is 0 to 3840 seconds (the longest lockout)",
	};
	unsigned long long val[4] = {0, 0, 0, 0};
	unsigned line[4] = {0, 0, 0, 0};
	struct kv_reader r;
	struct kv_item it;
	int rc;
	if (n > 4 * LOCKOUT_TEXT_MAX) {
		diag_set(d, "%zu bytes: longer than a lockout record can be (%d at most)", n, 4 * LOCKOUT_TEXT_MAX);
		goto fail;
	}
	kv_reader_init(&r, text, n, 0);
	while ((rc = kv_next(&r, &it, d)) == 1) {
		int k = 0;
		while (k < 4 && !kv_eq(it.key, it.key_len, keys[k]))
			k++;
		if (k == 4) {
			diag_set(d, "line %u: unknown key '%.*s' (version, fails, lockouts, remaining)", it.line,
				 (int)(it.key_len > 24 ? 24 : it.key_len), it.key);
			goto fail;
		}
		if (line[k]) {
			diag_set(d, "line %u: %s given twice (first on line %u)", it.line, keys[k], line[k]);
			goto fail;
		}
		line[k] = it.line;
		if (k && !line[0]) {
			diag_set(d, "line %u: %s before the version (the first key is 'version = 1')", it.line, keys[k]);
			goto fail;
		}
		if (parse_number(it.value, it.value_len, &val[k])) {
			diag_set(d, "line %u: %s wants a plain decimal number, got '%.*s'", it.line, keys[k],
				 (int)(it.value_len > 24 ? 24 : it.value_len), it.value);
			goto fail;
		}
		if (val[k] > max[k] || (k == 0 && val[k] != LOCKOUT_VERSION)) {
			diag_set(d, "line %u: %s %llu: it %s", it.line, keys[k], val[k], why[k]);
			goto fail;
		}
	}
	if (rc < 0)
		goto fail;
	for (int k = 0; k < 4; k++)
		if (!line[k]) {
			diag_set(d, "%s is missing (a lockout record has version, fails, lockouts and remaining)", keys[k]);
			goto fail;
		}
	if (val[3]) {
		/* Locked: the count restarted when it locked, and no lockout is longer than its own period. */
		if (!val[2]) {
			diag_set(d, "line %u: remaining %llu with lockouts 0: a lockout that never happened", line[3], val[3]);
			goto fail;
		}
		if (val[1]) {
			diag_set(d, "line %u: fails %llu while locked: no PIN is checked during a lockout", line[1], val[1]);
			goto fail;
		}
		unsigned p = period_of((int)val[2] - 1);
		if (val[3] > p) {
			diag_set(d, "line %u: remaining %llu is longer than lockout %llu's period of %u seconds", line[3],
				 val[3], val[2], p);
			goto fail;
		}
	}
	st->fails = (int)val[1];
	st->lockouts = (int)val[2];
	st->locked_until = val[3] ? after(now, (unsigned)val[3]) : 0;
	return 0;
fail:
	lockout_fail_safe(st, now);
	return ERR_PARSE;
}
