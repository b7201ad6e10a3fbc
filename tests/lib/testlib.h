/* tests/lib: tiny assertion helpers and temp-dir/process utilities for Spean's C tests. */
#ifndef SPEAN_TESTLIB_H
#define SPEAN_TESTLIB_H

#include <stddef.h>
#include <string.h>

#include "mem.h"

extern int t_failures;
extern int t_checks;

void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CHECK(c)                                                                         \
	do {                                                                             \
		t_checks++;                                                              \
		if (!(c))                                                                \
			t_fail(__FILE__, __LINE__, "%s", #c);                            \
	} while (0)
#define CHECK_INT(a, b)                                                                  \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                      \
		t_checks++;                                                              \
		if (_a != _b)                                                            \
			t_fail(__FILE__, __LINE__, "%s == %lld, want %lld", #a, _a, _b); \
	} while (0)
#define CHECK_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *_a = (a), *_b = (b);                                             \
		t_checks++;                                                                  \
		if (!_a || !_b || strcmp(_a, _b))                                            \
			t_fail(__FILE__, __LINE__, "%s == \"%s\", want \"%s\"", #a, _a ? _a : "(null)", \
			       _b ? _b : "(null)");                                          \
	} while (0)

/* Print "N checks, M failed" and return the exit status for main. */
int t_done(const char *name);

/* A fresh temporary directory (removed by t_rmtree, which removes a link itself, never what it points to). */
char *t_tmpdir(const char *tag);
void t_rmtree(const char *dir);
/* Environment lookups with a fallback error. */
const char *t_env(const char *name);
/* A file of the repo ($SPEAN_SOURCE_DIR/rel), whole; exits with a message if it is missing. */
char *t_read_repo(const char *rel, size_t *len);
/* Write a file (creating it). */
void t_write(const char *path, const char *text);
/* Read a whole file into a NUL-terminated malloc'd string (NULL if missing). */
char *t_read(const char *path, size_t *len);

/*
 * Run argv, capture stdout and stderr (each into a malloc'd string),
 * return the exit status (or 128+signal).
 */
int t_run(char *const argv[], char **out, char **err);

/* Does the file (bytes) contain needle? */
int t_file_contains(const char *path, const void *needle, size_t n);

#endif
