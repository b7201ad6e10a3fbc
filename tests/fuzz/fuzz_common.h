/* tests/fuzz: helpers shared by the fuzz targets (checks that survive NDEBUG, the repo's rules). */
#ifndef SPEAN_FUZZ_COMMON_H
#define SPEAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rules.h"

/* The libFuzzer entry point; standalone.c calls it for every corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* firmware/content/eligibility.rules as built into spean (firmware/app: spean_builtin_rules). */
extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

/* A property violation is a crash: libFuzzer keeps the input. assert() is gone under NDEBUG. */
#define FUZZ_CHECK(c)                                                                        \
	do {                                                                                 \
		if (!(c)) {                                                                  \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* An unconditional property violation (with why). */
#define FUZZ_FAIL(why)                                                                      \
	do {                                                                                 \
		fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, why);        \
		abort();                                                                     \
	} while (0)

/* After a failed parse the diag must say why: non-empty and terminated inside msg. */
static inline void fuzz_check_diag(const struct diag *d)
{
	FUZZ_CHECK(memchr(d->msg, '\0', sizeof d->msg) != NULL);
	FUZZ_CHECK(d->msg[0] != '\0');
}

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
