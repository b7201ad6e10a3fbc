/* tests/fuzz: the checks every fuzz target uses (they survive NDEBUG); no project module beyond base/err. */
#ifndef SPEAN_FUZZ_CHECK_H
#define SPEAN_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* The libFuzzer entry point; standalone.c calls it for every corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

#endif
