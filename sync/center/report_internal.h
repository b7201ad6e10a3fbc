/* sync/center/report_internal: the names and lists report.c finds for a request, shared with the form's PDF (report_pdf.c). */
#ifndef SPEAN_REPORT_INTERNAL_H
#define SPEAN_REPORT_INTERNAL_H

#include <stddef.h>

#include "report.h"

#define REPORT_FORM_MAX_DOCS (RULES_MAX_GROUPS * RULES_MAX_DOCS)

/* Staff wording for an outcome (fixed: the outcome set is the engine's). */
const char *report_outcome_label(enum outcome o);
/* The catalog's text for prefix + id[0..len), or NULL (no catalog, no entry). */
const char *report_catalog_name(const struct report_names *n, const char *prefix, const char *id, size_t len);
/* The commune's Vietnamese name, or NULL. */
const char *report_commune_name(const struct report_names *n, const char *code);
/* Next space-separated token of *p: 1 with (*tok, *len), 0 at the end. */
int report_next_token(const char **p, const char **tok, size_t *len);
int report_has_token(const char *s);
/* Documents of the listed groups (every dated variant), in order, without repeats; returns the new count. */
int report_collect_docs(const struct rules *rules, const char *groups, const char **docs, int ndocs);
/* The requester's relation in words (a kiosk's code), or what staff typed. */
const char *report_relation_label(const char *rel);

#endif
