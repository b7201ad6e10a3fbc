/*
 * tests/lib/personas: the worked examples of shared/spec (personas-public.tsv and files written like it),
 * read as the file writes them: a header comment names the baseline facts ("# meritorious=no household=none
 * ... deadline_working_days absent."), then one row per persona, tab-separated: id, its own facts
 * ("key=value;..." replacing baseline keys), outcome, groups, urgent (yes|no), what it shows.
 * Shared by the core persona test and the journey benchmark: one reader, one reading of the file.
 */
#ifndef SPEAN_TESTS_PERSONAS_H
#define SPEAN_TESTS_PERSONAS_H

#include <stddef.h>

#include "err.h"
#include "mem.h"

#define PERSONA_MAX_FACTS 48

struct persona {
	char id[16];
	int nfacts;
	char key[PERSONA_MAX_FACTS][48];   /* baseline keys first (in the header's order), then the row's new ones */
	char value[PERSONA_MAX_FACTS][48];
	char outcome[32];
	char groups[64];                   /* "R01,R02" or "-" */
	int urgent;
	char what[160];
};

struct personas {
	struct persona *p;
	size_t n;
};

/*
 * Parse text[0..len) (name: how messages call it, e.g. the path). 0, or
 * ERR_PARSE with d naming the line: a NUL byte, a row before the baseline, a
 * row with fewer than five fields, a fact without '=' or with an empty key, a
 * key, value, id, outcome or groups too long, too many facts, urgent other
 * than yes/no. out is empty on failure; personas_free it either way.
 */
int personas_parse(const char *text, size_t len, const char *name, struct personas *out, struct diag *d);
/* Read and parse the file at path: as personas_parse, or ERR_NOTFOUND/ERR_IO if it cannot be read. */
int personas_load(const char *path, struct personas *out, struct diag *d);
void personas_free(struct personas *ps);
/* The persona's value for key ("yes", "1950-05-01", "unknown"...), or NULL when the key is absent. */
const char *persona_get(const struct persona *p, const char *key);
/* Its facts as "key = value\n" lines (the facts file format), appended to out. */
void persona_facts_text(const struct persona *p, struct buf *out);

#endif
