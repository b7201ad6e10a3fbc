/*
 * Tests for the case register's rules: every (role, assigned or not, from,
 * to) against the table the issue sets (intake by clerks and the director,
 * the work by the assigned officer and the director, voiding by the director
 * and clerks, final states final), state names both ways, the code lists.
 */
#include <string.h>

#include "register.h"
#include "testlib.h"

/* The expected answer, written as the rules read in words (not as register.c computes it). */
static int expect(int role, int mine, int from, int to)
{
	int dir = role == CASE_ROLE_DIRECTOR, clerk = role == CASE_ROLE_CLERK, off = role == CASE_ROLE_OFFICER;
	int intake = dir || clerk, worker = dir || (off && mine);
	if (to == CASE_VOIDED) /* a duplicate found after the case ended is voided all the same */
		return intake && from != CASE_VOIDED;
	if (from == CASE_VOIDED || from == CASE_CLOSED || from == CASE_REFUSED || from == CASE_REFERRED)
		return 0;
	if (from == CASE_NEW)
		return intake && (to == CASE_ACCEPTED || to == CASE_NEEDS_INFO || to == CASE_REFUSED || to == CASE_REFERRED);
	if (from == CASE_NEEDS_INFO)
		return intake && (to == CASE_ACCEPTED || to == CASE_REFUSED || to == CASE_REFERRED);
	if (from == CASE_ACCEPTED)
		return intake && (to == CASE_ASSIGNED || to == CASE_REFUSED || to == CASE_REFERRED);
	if (from == CASE_ASSIGNED)
		return (to == CASE_ASSIGNED && intake) || (to == CASE_IN_PROGRESS && worker);
	if (from == CASE_IN_PROGRESS)
		return (to == CASE_CLOSED && worker) || (to == CASE_ASSIGNED && intake);
	return 0;
}

int main(void)
{
	int allowed = 0;
	for (int role = 0; role < 3; role++)
		for (int mine = 0; mine < 2; mine++)
			for (int from = 0; from < CASE_NSTATES; from++)
				for (int to = 0; to < CASE_NSTATES; to++) {
					int got = case_allowed(role, mine, from, to);
					allowed += got;
					if (got != expect(role, mine, from, to))
						t_fail(__FILE__, __LINE__, "role %d mine %d %s -> %s: got %d", role, mine,
						       case_state_name(from), case_state_name(to), got);
				}
	CHECK(allowed > 20);
	/* Nothing moves back to new; an officer never intakes, never voids; bad values are refused. */
	CHECK(!case_allowed(CASE_ROLE_DIRECTOR, 1, CASE_ACCEPTED, CASE_NEW));
	CHECK(!case_allowed(CASE_ROLE_OFFICER, 1, CASE_NEW, CASE_ACCEPTED));
	CHECK(!case_allowed(CASE_ROLE_OFFICER, 1, CASE_IN_PROGRESS, CASE_VOIDED));
	CHECK(!case_allowed(CASE_ROLE_OFFICER, 0, CASE_ASSIGNED, CASE_IN_PROGRESS));
	CHECK(case_allowed(CASE_ROLE_OFFICER, 1, CASE_ASSIGNED, CASE_IN_PROGRESS));
	CHECK(!case_allowed(3, 1, CASE_NEW, CASE_ACCEPTED));
	CHECK(!case_allowed(CASE_ROLE_CLERK, 0, -1, CASE_ACCEPTED));
	CHECK(!case_allowed(CASE_ROLE_CLERK, 0, CASE_NEW, CASE_NSTATES));
	for (int s = 0; s < CASE_NSTATES; s++)
		CHECK_INT(case_state_find(case_state_name(s)), s);
	CHECK(case_state_name(CASE_NSTATES) == NULL);
	CHECK_INT(case_state_find("open"), -1);
	CHECK_INT(case_state_find(NULL), -1);
	CHECK(case_code_valid("aid", "advice"));
	CHECK(!case_code_valid("aid", "land"));
	CHECK(!case_code_valid("nolist", "advice"));
	CHECK(!case_code_valid("void", NULL));
	CHECK(case_codes("law") && !strcmp(case_codes("law")[0], "civil"));
	return t_done("register_test");
}
