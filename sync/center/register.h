/* sync/center/register: the case register's rules: a case's states, who may move it where, and the fixed lists its results are recorded with. Pure. */
#ifndef SPEAN_CENTER_REGISTER_H
#define SPEAN_CENTER_REGISTER_H

/*
 * A received request stays as it came (center.db refuses any change); what
 * staff do with it is a case beside it (office.db), keyed by the kiosk and
 * the request id. A request without a case row is "new".
 *
 * Results, refusals, referrals and voiding are recorded as codes from fixed
 * lists, never as free text: office.db is not sealed, and a typed note would
 * sooner or later hold a name or a story. What a case needs in words stays
 * in the file the officer keeps.
 */
enum case_state {
	CASE_NEW,
	CASE_ACCEPTED,   /* intake done: it is legal aid's to handle */
	CASE_NEEDS_INFO, /* waiting for papers or facts from the person */
	CASE_ASSIGNED,   /* to an officer */
	CASE_IN_PROGRESS,
	CASE_CLOSED,     /* with its result: form of aid, field of law, outcome */
	CASE_REFUSED,    /* with a reason */
	CASE_REFERRED,   /* elsewhere, with where */
	CASE_VOIDED,     /* a test or a duplicate: kept, hidden, out of the statistics */
	CASE_NSTATES
};

/* "new", "accepted", ... ; NULL for another value. */
const char *case_state_name(int s);
/* The state named, or -1. */
int case_state_find(const char *name);

/* Roles as ostore's: 0 director, 1 officer, 2 clerk. */
#define CASE_ROLE_DIRECTOR 0
#define CASE_ROLE_OFFICER 1
#define CASE_ROLE_CLERK 2

/*
 * May role move a case from `from` to `to`? mine: the case is assigned to
 * this user. 1 yes, 0 no. Intake (accept, ask for information, refuse,
 * refer, assign) is the clerk's and the director's; the work (start, close)
 * is the assigned officer's and the director's; voiding is the director's
 * and the clerk's, from any state but voided (a duplicate found after its
 * case ended too). Closed, refused, referred and voided are otherwise final.
 */
int case_allowed(int role, int mine, int from, int to);

/* A fixed list: its codes, NULL-terminated. Lists: "aid" (form of legal aid), "law" (field), "result",
 * "refusal", "referral", "void". NULL for an unknown list. */
const char *const *case_codes(const char *list);
/* 1 if code is on list. */
int case_code_valid(const char *list, const char *code);

#endif
