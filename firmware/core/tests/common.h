/* Helpers shared by the core tests: load the repo's rules file, screen a facts string. */
#ifndef CORE_TEST_COMMON_H
#define CORE_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "kv.h"
#include "rules.h"
#include "screen.h"
#include "testlib.h"

static inline struct rules *load_repo_rules(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/firmware/content/eligibility.rules", t_env("SPEAN_SOURCE_DIR"));
	size_t len;
	char *text = t_read(path, &len);
	if (!text) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	struct rules *r;
	struct diag d = {""};
	if (rules_parse(text, len, &r, &d)) {
		fprintf(stderr, "%s: %s\n", path, d.msg);
		exit(2);
	}
	free(text);
	return r;
}

/* Screen "k = v" lines; returns the JSON-ish summary "outcome groups|review urgent". */
static inline void screen_text(const struct rules *r, const char *facts, struct screen_result *res)
{
	/* Later lines override earlier ones (tests start from a baseline). */
	struct facts f;
	struct diag d = {""};
	struct kv_reader rd;
	struct kv_item it;
	int rc;
	facts_init(&f);
	kv_reader_init(&rd, facts, strlen(facts), 0);
	while ((rc = kv_next(&rd, &it, &d)) > 0)
		if (facts_set_text(&f, it.key, it.key_len, it.value, it.value_len, &d))
			rc = -1;
	if (rc) {
		t_fail(__FILE__, __LINE__, "facts: %s", d.msg);
		memset(res, 0, sizeof *res);
		return;
	}
	struct date today = {2026, 6, 1};
	screen(r, &f, today, res);
}

static inline void ids(const struct rules *r, const struct screen_result *res, enum tri want, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int s = 0; s < res->nslots; s++)
		if (res->slot[s] == want)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "", r->slot_id[s]);
	if (!len)
		snprintf(out, n, "-");
}

#endif
