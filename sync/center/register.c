/*
 * sync/center/register: the case register's rules as tables. The forms of
 * legal aid are those of the Law on Legal Aid 2017 (Art. 27: taking part in
 * proceedings, legal advice, representation outside proceedings); the
 * fields of law and results are the center's reporting categories as a
 * first list (the center can ask for others: they are codes here, words in
 * ui/console/console.vi).
 */
#include "register.h"

#include <string.h>

static const char *const state_names[CASE_NSTATES] = {"new",         "accepted", "needs_info", "assigned", "in_progress",
						      "closed",      "refused",  "referred",   "voided"};

const char *case_state_name(int s)
{
	return s >= 0 && s < CASE_NSTATES ? state_names[s] : NULL;
}

int case_state_find(const char *name)
{
	for (int i = 0; name && i < CASE_NSTATES; i++)
		if (!strcmp(state_names[i], name))
			return i;
	return -1;
}

int case_allowed(int role, int mine, int from, int to)
{
	if (from < 0 || from >= CASE_NSTATES || to < 0 || to >= CASE_NSTATES || role < 0 || role > 2)
		return 0;
	int director = role == CASE_ROLE_DIRECTOR, clerk = role == CASE_ROLE_CLERK, officer = role == CASE_ROLE_OFFICER;
	if (to == CASE_VOIDED)
		return from != CASE_VOIDED && (director || clerk);
	switch (from) {
	case CASE_NEW:
	case CASE_NEEDS_INFO:
		return (director || clerk) && (to == CASE_ACCEPTED || to == CASE_REFUSED || to == CASE_REFERRED ||
					       (from == CASE_NEW && to == CASE_NEEDS_INFO));
	case CASE_ACCEPTED:
		return (director || clerk) && (to == CASE_ASSIGNED || to == CASE_REFUSED || to == CASE_REFERRED);
	case CASE_ASSIGNED:
		if (to == CASE_ASSIGNED) /* handed to another officer */
			return director || clerk;
		return to == CASE_IN_PROGRESS && (director || (officer && mine));
	case CASE_IN_PROGRESS:
		return (to == CASE_CLOSED && (director || (officer && mine))) || (to == CASE_ASSIGNED && (director || clerk));
	default: /* closed, refused, referred, voided: final */
		return 0;
	}
}

static const char *const aid[] = {"proceedings", "advice", "representation", NULL};
static const char *const law[] = {"civil", "criminal", "administrative", "family", "labour", "land", "other", NULL};
static const char *const result[] = {"favourable", "partly", "unfavourable", "withdrawn", "advice_given", NULL};
static const char *const refusal[] = {"not_eligible", "outside_scope", "withdrawn", "unreachable", NULL};
static const char *const referral[] = {"court", "police", "commune", "social", "bar", "other_agency", NULL};
static const char *const voids[] = {"test", "duplicate", NULL};

const char *const *case_codes(const char *list)
{
	if (!list)
		return NULL;
	if (!strcmp(list, "aid"))
		return aid;
	if (!strcmp(list, "law"))
		return law;
	if (!strcmp(list, "result"))
		return result;
	if (!strcmp(list, "refusal"))
		return refusal;
	if (!strcmp(list, "referral"))
		return referral;
	if (!strcmp(list, "void"))
		return voids;
	return NULL;
}

int case_code_valid(const char *list, const char *code)
{
	const char *const *c = case_codes(list);
	for (; c && *c && code; c++)
		if (!strcmp(*c, code))
			return 1;
	return 0;
}
