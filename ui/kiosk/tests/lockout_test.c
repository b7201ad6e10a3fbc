/* Tests for kiosk/lockout: thresholds, doubling and its cap, success, remaining time, save/load, every refusal. */
#include <stdio.h>
#include <string.h>

#include "lockout.h"
#include "testlib.h"

#define S 1000000000ull

/* Five wrong PINs at now; returns what the fifth returned (the four before must return 0). */
static unsigned five_wrong(struct lockout *st, uint64_t now)
{
	for (int i = 0; i < LOCKOUT_TRIES - 1; i++) {
		CHECK_INT(lockout_fail(st, now), 0);
		CHECK(!lockout_locked(st, now, NULL));
	}
	return lockout_fail(st, now);
}

/* text must be refused with a message containing want, and leave the fail-safe state. */
static void refused(const char *text, const char *want)
{
	struct lockout st = {3, 0, 0};
	struct diag d = {""};
	uint64_t now = 500 * S;
	int rc = lockout_load(text, strlen(text), now, &st, &d);
	CHECK_INT(rc, ERR_PARSE);
	if (!strstr(d.msg, want))
		t_fail(__FILE__, __LINE__, "refusal of [%s]: message \"%s\" lacks \"%s\"", text, d.msg, want);
	unsigned left = 0;
	CHECK(lockout_locked(&st, now, &left));
	CHECK_INT(left, LOCKOUT_FIRST_S);
	CHECK_INT(st.lockouts, 1);
	CHECK_INT(st.fails, 0);
}

static void loads(const char *text, uint64_t now, struct lockout *st)
{
	struct diag d = {""};
	int rc = lockout_load(text, strlen(text), now, st, &d);
	if (rc)
		t_fail(__FILE__, __LINE__, "[%s] refused: %s", text, d.msg);
}

int main(void)
{
	struct lockout st;
	unsigned left;
	uint64_t now = 1000 * S; /* a monotonic clock well after boot */

	/* Thresholds: four wrong PINs count down the tries, the fifth locks for 60 s. */
	lockout_init(&st);
	CHECK(!lockout_locked(&st, now, &left));
	CHECK_INT(left, 0);
	CHECK_INT(lockout_tries_left(&st), 5);
	CHECK_INT(lockout_fail(&st, now), 0);
	CHECK_INT(lockout_tries_left(&st), 4);
	CHECK_INT(lockout_fail(&st, now), 0);
	CHECK_INT(lockout_fail(&st, now), 0);
	CHECK_INT(lockout_fail(&st, now), 0);
	CHECK_INT(lockout_tries_left(&st), 1);
	CHECK(!lockout_locked(&st, now, NULL));
	CHECK_INT(lockout_fail(&st, now), 60);
	CHECK(lockout_locked(&st, now, &left));
	CHECK_INT(left, 60);
	CHECK_INT(st.fails, 0);
	CHECK_INT(st.lockouts, 1);
	CHECK_INT(lockout_tries_left(&st), 5);

	/* Remaining time, rounded up: 59.5 s left shows 60, 1 ns left shows 1, the end is unlocked. */
	CHECK(lockout_locked(&st, now + S / 2, &left));
	CHECK_INT(left, 60);
	CHECK(lockout_locked(&st, now + S, &left));
	CHECK_INT(left, 59);
	CHECK(lockout_locked(&st, now + 60 * S - 1, &left));
	CHECK_INT(left, 1);
	CHECK(!lockout_locked(&st, now + 60 * S, &left));
	CHECK_INT(left, 0);

	/* Wrong PINs while locked change nothing (the kiosk does not even check them). */
	CHECK_INT(lockout_fail(&st, now + 30 * S), 0);
	CHECK_INT(st.fails, 0);
	CHECK_INT(st.lockouts, 1);
	CHECK(lockout_locked(&st, now + 30 * S, &left));
	CHECK_INT(left, 30);

	/* Doubling: 120, 240, ... up to 60 << 6 = 3840 s, and it stays there. */
	unsigned want[] = {120, 240, 480, 960, 1920, 3840, 3840, 3840};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		now += 4000 * S; /* past any lockout */
		CHECK(!lockout_locked(&st, now, NULL));
		CHECK_INT(lockout_next_period(&st), want[i]);
		CHECK_INT(five_wrong(&st, now), want[i]);
		CHECK(lockout_locked(&st, now + (uint64_t)want[i] * S - 1, NULL));
		CHECK(!lockout_locked(&st, now + (uint64_t)want[i] * S, NULL));
	}
	CHECK_INT(st.lockouts, 9);
	CHECK_INT(LOCKOUT_MAX_S, 3840);

	/* A right PIN resets both counts: the next lockout is 60 s again. */
	now += 4000 * S;
	CHECK_INT(lockout_fail(&st, now), 0);
	CHECK_INT(lockout_fail(&st, now), 0);
	lockout_success(&st);
	CHECK_INT(st.fails, 0);
	CHECK_INT(st.lockouts, 0);
	CHECK_INT(lockout_tries_left(&st), 5);
	CHECK_INT(five_wrong(&st, now), 60);

	/* The lockout count saturates instead of overflowing; a clock near the top stays locked. */
	st = (struct lockout){0, LOCKOUT_MAX_COUNT, 0};
	CHECK_INT(five_wrong(&st, now), 3840);
	CHECK_INT(st.lockouts, LOCKOUT_MAX_COUNT);
	lockout_init(&st);
	CHECK_INT(five_wrong(&st, UINT64_MAX - 5), 60);
	CHECK(lockout_locked(&st, UINT64_MAX - 1, &left));
	CHECK_INT(left, 1);

	/* Save: the counts and the seconds left at that moment, rounded up; nothing else. */
	char buf[LOCKOUT_TEXT_MAX];
	lockout_init(&st);
	now = 7 * S;
	CHECK_INT(lockout_save(&st, now, buf), strlen(buf));
	CHECK_STR(buf, "version = 1\nfails = 0\nlockouts = 0\nremaining = 0\n");
	lockout_fail(&st, now);
	lockout_fail(&st, now);
	lockout_save(&st, now, buf);
	CHECK_STR(buf, "version = 1\nfails = 2\nlockouts = 0\nremaining = 0\n");
	lockout_fail(&st, now);
	lockout_fail(&st, now);
	lockout_fail(&st, now);
	lockout_save(&st, now + 20 * S + 1, buf);
	CHECK_STR(buf, "version = 1\nfails = 0\nlockouts = 1\nremaining = 40\n");
	lockout_save(&st, now + 61 * S, buf);
	CHECK_STR(buf, "version = 1\nfails = 0\nlockouts = 1\nremaining = 0\n");

	/* Load after a restart: the monotonic clock began again near 0; the lockout resumes with what was left. */
	struct lockout back;
	lockout_save(&st, now + 20 * S + 1, buf);
	loads(buf, 3 * S, &back);
	CHECK_INT(back.fails, 0);
	CHECK_INT(back.lockouts, 1);
	CHECK(lockout_locked(&back, 3 * S, &left));
	CHECK_INT(left, 40);
	CHECK(lockout_locked(&back, 42 * S, &left));
	CHECK_INT(left, 1);
	CHECK(!lockout_locked(&back, 43 * S, NULL));
	/* ... and the counts go on: the next lockout after it doubles. */
	CHECK_INT(five_wrong(&back, 43 * S), 120);
	/* Round trips of every reachable kind of state. */
	struct lockout cases[] = {{0, 0, 0}, {4, 0, 0}, {3, 7, 0}, {0, 3, 100 * S + 240 * S}, {0, 7, 100 * S + 3840 * S}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		lockout_save(&cases[i], 100 * S, buf);
		loads(buf, 5 * S, &back);
		CHECK_INT(back.fails, cases[i].fails);
		CHECK_INT(back.lockouts, cases[i].lockouts);
		CHECK_INT(back.locked_until, cases[i].locked_until ? cases[i].locked_until - 95 * S : 0);
	}
	/* Comments, blank lines, CRLF and spaces are the kv format's. */
	loads("# the staff PIN lockout\r\n\r\nversion=1\r\n  fails = 1  \r\nlockouts = 0\r\nremaining = 0", now, &back);
	CHECK_INT(back.fails, 1);

	/* The fail-safe state: locked for the first period, one lockout counted. */
	lockout_fail_safe(&st, now);
	CHECK(lockout_locked(&st, now, &left));
	CHECK_INT(left, 60);
	CHECK_INT(st.lockouts, 1);

	/* Every refusal, with its message; each leaves the fail-safe state. */
	refused("", "version is missing");
	refused("# nothing but a comment\n", "version is missing");
	refused("version = 1\nfails = 0\nlockouts = 0\n", "remaining is missing");
	refused("version = 1\nfails = 0\nremaining = 0\n", "lockouts is missing");
	refused("version = 1\nlockouts = 0\nremaining = 0\n", "fails is missing");
	refused("fails = 0\nversion = 1\nlockouts = 0\nremaining = 0\n", "line 1: fails before the version");
	refused("version = 2\nfails = 0\nlockouts = 0\nremaining = 0\n", "line 1: version 2: it is 1");
	refused("version = 0\nfails = 0\nlockouts = 0\nremaining = 0\n", "line 1: version 0: it is 1");
	refused("version = 1\nfails = 0\nfails = 1\nlockouts = 0\nremaining = 0\n", "line 3: fails given twice (first on line 2)");
	refused("version = 1\nversion = 1\n", "line 2: version given twice");
	refused("version = 1\nfails = 0\nlockouts = 0\nremaining = 0\npin = 1234\n", "line 5: unknown key 'pin'");
	refused("version = 1\nfails = 5\nlockouts = 0\nremaining = 0\n", "line 2: fails 5: it is 0 to 4");
	refused("version = 1\nfails = 0\nlockouts = 1000001\nremaining = 0\n", "line 3: lockouts 1000001: it is 0 to 1000000");
	refused("version = 1\nfails = 0\nlockouts = 7\nremaining = 3841\n", "line 4: remaining 3841: it is 0 to 3840");
	refused("version = 1\nfails = -1\nlockouts = 0\nremaining = 0\n", "line 2: fails wants a plain decimal number, got '-1'");
	refused("version = 1\nfails = +1\nlockouts = 0\nremaining = 0\n", "got '+1'");
	refused("version = 1\nfails = 01\nlockouts = 0\nremaining = 0\n", "got '01'");
	refused("version = 1\nfails = 1.0\nlockouts = 0\nremaining = 0\n", "got '1.0'");
	refused("version = 1\nfails = 0x1\nlockouts = 0\nremaining = 0\n", "got '0x1'");
	refused("version = 1\nfails =\nlockouts = 0\nremaining = 0\n", "line 2: fails wants a plain decimal number, got ''");
	refused("version = 1\nfails = 0\nlockouts = 99999999999\nremaining = 0\n", "got '99999999999'");
	refused("version = 1\nfails = 0\nlockouts = 0\nremaining = 18446744073709551617\n", "line 4: remaining wants");
	refused("version = 1\nfails = 0\nlockouts = 0\nremaining = 30\n", "line 4: remaining 30 with lockouts 0");
	refused("version = 1\nfails = 2\nlockouts = 1\nremaining = 30\n", "line 2: fails 2 while locked");
	refused("version = 1\nfails = 0\nlockouts = 1\nremaining = 61\n", "line 4: remaining 61 is longer than lockout 1's period of 60 seconds");
	refused("version = 1\nfails = 0\nlockouts = 3\nremaining = 241\n", "period of 240 seconds");
	refused("version = 1\nfails 0\n", "line 2: expected '=' after key 'fails'");
	refused("version = 1\nfails = 0\x01\n", "line 2: control character");
	refused("version = 1\nfails = \xff\n", "line 2: not valid UTF-8");
	refused("[x]\n", "sections");
	char big[4 * LOCKOUT_TEXT_MAX + 2];
	memset(big, '#', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(big, "longer than a lockout record can be");
	/* A NUL inside: the text is taken with its length, not as a C string. */
	{
		const char t[] = "version = 1\nfails = 0\0\nlockouts = 0\nremaining = 0\n";
		struct diag d = {""};
		CHECK_INT(lockout_load(t, sizeof t - 1, now, &back, &d), ERR_PARSE);
		CHECK(lockout_locked(&back, now, NULL));
	}
	/* A refused value is quoted cut short (a damaged file may hold anything). */
	{
		char t[200];
		snprintf(t, sizeof t, "version = 1\nfails = %0100d\n", 7);
		struct diag d = {""};
		CHECK_INT(lockout_load(t, strlen(t), now, &back, &d), ERR_PARSE);
		CHECK(strlen(d.msg) < 120);
	}
	return t_done("kiosk_lockout_test");
}
