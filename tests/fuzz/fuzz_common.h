/* tests/fuzz: helpers shared by the fuzz targets (checks that survive NDEBUG, the repo's rules). */
#ifndef SPEAN_FUZZ_COMMON_H
#define SPEAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_check.h"
#include "rules.h"

/* firmware/content/eligibility.rules as built into spean (firmware/app: spean_builtin_rules). */
extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

/* The repo's rules, parsed once per process (kept for the process's life on purpose). */
static inline const struct rules *fuzz_repo_rules(void)
{
	static struct rules *r;
	if (!r) {
		struct diag d = {""};
		if (rules_parse((const char *)spean_builtin_rules, spean_builtin_rules_len, &r, &d)) {
			fprintf(stderr, "fuzz: built-in rules do not parse: %s\n", d.msg);
			abort();
		}
	}
	return r;
}

#endif
