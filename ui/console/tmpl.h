/* ui/console/tmpl: the console's page templates: values escaped by the template layer itself, never by a caller. */
#ifndef SPEAN_CONSOLE_TMPL_H
#define SPEAN_CONSOLE_TMPL_H

#include <stddef.h>

#include "content.h"
#include "err.h"
#include "mem.h"

/*
 * Template syntax (a small subset of Mustache, no way to write a value raw):
 *   {{name}}            the value of name, HTML-escaped (& < > " ') and with
 *                       every control, direction override and invalid byte
 *                       replaced (utf8_put_neutral): safe in text and in a
 *                       quoted attribute alike
 *   {{@key}}            the catalog's text for key, escaped the same way
 *   {{#name}}..{{/name}} a list: the block once per row (a row's names first,
 *                       then the enclosing ones); a string: the block once if
 *                       it is not empty
 *   {{^name}}..{{/name}} the block if name is absent, empty or an empty list
 *   {{>name}}           another template of the set (a partial), in scope
 * A {{name}} or {{@key}} that is not there is an error (a typo must not
 * become an empty field), as is an unclosed section or tag.
 */

/* Values: a scope of names, each a string or a list of rows (scopes). */
struct tv;
struct tv *tv_create(void); /* aborts on out-of-memory */
void tv_destroy(struct tv *v); /* rows too; NULL is a no-op */
/* Set name to a copy of s (NULL: ""); a name set twice keeps the last. */
void tv_set(struct tv *v, const char *name, const char *s);
void tv_setf(struct tv *v, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Append a row to list name (created empty on first use) and return it; owned by v. */
struct tv *tv_row(struct tv *v, const char *name);
/* Make list name exist (empty): {{^name}} shows, {{#name}} does not. */
void tv_list(struct tv *v, const char *name);

/* A set of templates by name (the console's are compiled in). */
struct tmpl_file {
	const char *name;
	const char *text;
	size_t len; /* 0: text is NUL-terminated */
};

/*
 * Render template name of files[0..n) with v into out (appended), catalog
 * texts from cat (may be NULL: any {{@key}} is then an error). 0, or
 * ERR_NOTFOUND / ERR_PARSE with d naming the template and what is wrong;
 * out may then hold part of the page (the caller answers 500 instead).
 */
int tmpl_render(const struct tmpl_file *files, size_t n, const char *name, const struct tv *v, const struct catalog *cat,
		struct buf *out, struct diag *d);

/* HTML-escape s[0..len) into out as {{name}} does. */
void tmpl_escape(struct buf *out, const char *s, size_t len);

#endif
