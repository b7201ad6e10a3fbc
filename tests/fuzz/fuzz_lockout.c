/* Fuzz target for the kiosk's staff PIN lockout record: lockout_load, then lockout_save and load again. */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "lockout.h"

/* Three clocks: just booted, a long uptime, and the top of uint64_t (saturation, never a wrap to unlocked). */
static const uint64_t nows[3] = {0, 86400ull * 1000000000ull, UINT64_MAX - 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int i = 0; i < 3; i++) {
		uint64_t now = nows[i];
		struct lockout st = {3, 3, 3};
		struct diag d = {""};
		unsigned left;
		int rc = lockout_load((const char *)data, size, now, &st, &d);
		FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
		int locked = lockout_locked(&st, now, &left);
		if (rc) {
			fuzz_check_diag(&d);
			/* Refused: the fail-safe state, locked for the first period (to the top of the clock for the last one). */
			FUZZ_CHECK(locked && left == (i < 2 ? LOCKOUT_FIRST_S : 1) && st.lockouts == 1 && st.fails == 0);
			continue;
		}
		FUZZ_CHECK(st.fails >= 0 && st.fails < LOCKOUT_TRIES);
		FUZZ_CHECK(st.lockouts >= 0 && st.lockouts <= LOCKOUT_MAX_COUNT);
		FUZZ_CHECK(left <= LOCKOUT_MAX_S);
		if (locked) {
			FUZZ_CHECK(st.fails == 0 && st.lockouts >= 1);
			FUZZ_CHECK(left >= 1 && left <= LOCKOUT_MAX_S);
		}
		/* What it saves loads back to the same state, and saves to the same text. */
		char a[LOCKOUT_TEXT_MAX], b[LOCKOUT_TEXT_MAX];
		size_t na = lockout_save(&st, now, a);
		FUZZ_CHECK(na > 0 && na < LOCKOUT_TEXT_MAX && strlen(a) == na);
		struct lockout back;
		struct diag d2 = {""};
		FUZZ_CHECK(lockout_load(a, na, now, &back, &d2) == 0);
		FUZZ_CHECK(back.fails == st.fails && back.lockouts == st.lockouts);
		unsigned left2;
		FUZZ_CHECK(lockout_locked(&back, now, &left2) == locked && left2 == left);
		FUZZ_CHECK(lockout_save(&back, now, b) == na && !memcmp(a, b, na));
		/* Wrong PINs after the lockout lock again, never for less than the first period (the top clock saturates). */
		uint64_t later = now + (uint64_t)left * 1000000000ull;
		if (i < 2 && !lockout_locked(&back, later, NULL)) {
			while (!lockout_locked(&back, later, NULL) && lockout_fail(&back, later) == 0)
				;
			FUZZ_CHECK(lockout_locked(&back, later, &left2) && left2 >= LOCKOUT_FIRST_S && left2 <= LOCKOUT_MAX_S);
		}
	}
	return 0;
}
