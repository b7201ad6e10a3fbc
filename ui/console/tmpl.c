/*
 * ui/console/tmpl: a Mustache subset rendered straight from the template
 * text (templates are a few KB: no compiled form is worth keeping). Sections
 * are found by scanning for their closing tag, counting nested sections of
 * the same name; partials nest at most TMPL_DEPTH deep (a template that
 * includes itself is an error, not a stack overflow).
 */
#include "tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define TMPL_DEPTH 16
#define TMPL_NAME_MAX 64

struct tv_entry {
	char *name;
	char *str;        /* a string value, or NULL for a list */
	struct tv **rows; /* a list */
	size_t nrows, caprows;
};

struct tv {
	const struct tv *parent; /* a row's enclosing scope while it renders */
	struct tv_entry *e;
	size_t n, cap;
};

struct tv *tv_create(void)
{
	return xcalloc(1, sizeof(struct tv));
}

void tv_destroy(struct tv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->e[i].name);
		free(v->e[i].str);
		for (size_t j = 0; j < v->e[i].nrows; j++)
			tv_destroy(v->e[i].rows[j]);
		free(v->e[i].rows);
	}
	free(v->e);
	free(v);
}

static struct tv_entry *entry(struct tv *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->e[i].name, name))
			return &v->e[i];
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->e = xrealloc(v->e, v->cap * sizeof *v->e);
	}
	struct tv_entry *e = &v->e[v->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name);
	return e;
}

void tv_set(struct tv *v, const char *name, const char *s)
{
	struct tv_entry *e = entry(v, name);
	for (size_t j = 0; j < e->nrows; j++)
		tv_destroy(e->rows[j]);
	e->nrows = 0;
	free(e->str);
	e->str = xstrdup(s ? s : "");
}

void tv_setf(struct tv *v, const char *name, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_append(&b, "", 0);
	tv_set(v, name, b.data);
	buf_finish(&b);
}

void tv_list(struct tv *v, const char *name)
{
	struct tv_entry *e = entry(v, name);
	free(e->str);
	e->str = NULL;
}

struct tv *tv_row(struct tv *v, const char *name)
{
	struct tv_entry *e = entry(v, name);
	free(e->str);
	e->str = NULL;
	if (e->nrows == e->caprows) {
		e->caprows = e->caprows ? 2 * e->caprows : 8;
		e->rows = xrealloc(e->rows, e->caprows * sizeof *e->rows);
	}
	struct tv *r = tv_create();
	e->rows[e->nrows++] = r;
	return r;
}

static const struct tv_entry *lookup(const struct tv *v, const char *name)
{
	for (; v; v = v->parent)
		for (size_t i = 0; i < v->n; i++)
			if (!strcmp(v->e[i].name, name))
				return &v->e[i];
	return NULL;
}

void tmpl_escape(struct buf *out, const char *s, size_t len)
{
	struct buf safe;
	buf_init(&safe);
	utf8_put_neutral(&safe, s, len, 0);
	size_t start = 0;
	for (size_t i = 0; i < safe.len; i++) {
		const char *rep;
		switch (safe.data[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(out, safe.data + start, i - start);
		buf_puts(out, rep);
		start = i + 1;
	}
	buf_append(out, safe.data + start, safe.len - start);
	buf_finish_wipe(&safe); /* it held a value: personal data, often */
}

struct render {
	const struct tmpl_file *files;
	size_t nfiles;
	const struct catalog *cat;
	struct buf *out;
	struct diag *d;
	const char *file; /* the template being rendered, for messages */
	int depth;
};

/* A tag at p (just after "{{"): its kind, its name into name; returns the text after "}}", or NULL. */
static const char *tag(const char *p, const char *end, char *kind, char name[TMPL_NAME_MAX])
{
	const char *close = NULL;
	for (const char *q = p; q + 1 < end; q++)
		if (q[0] == '}' && q[1] == '}') {
			close = q;
			break;
		}
	if (!close)
		return NULL;
	*kind = (*p == '#' || *p == '^' || *p == '/' || *p == '@' || *p == '>') ? *p++ : 0;
	while (p < close && *p == ' ')
		p++;
	const char *e = close;
	while (e > p && e[-1] == ' ')
		e--;
	if (e == p || (size_t)(e - p) >= TMPL_NAME_MAX)
		return NULL;
	for (const char *q = p; q < e; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
		      *q == '.' || *q == '-'))
			return NULL;
	memcpy(name, p, (size_t)(e - p));
	name[e - p] = '\0';
	return close + 2;
}

/* The {{/name}} closing the section whose body starts at p: *body_end at its "{{", returns the text after it. */
static const char *section_end(const char *p, const char *end, const char *name, const char **body_end)
{
	int depth = 0;
	while (p < end) {
		const char *o = memmem(p, (size_t)(end - p), "{{", 2);
		if (!o)
			return NULL;
		char kind, nm[TMPL_NAME_MAX];
		const char *after = tag(o + 2, end, &kind, nm);
		if (!after)
			return NULL;
		if ((kind == '#' || kind == '^') && !strcmp(nm, name))
			depth++;
		else if (kind == '/' && !strcmp(nm, name)) {
			if (!depth) {
				*body_end = o;
				return after;
			}
			depth--;
		}
		p = after;
	}
	return NULL;
}

static int render_file(struct render *r, const char *name, const struct tv *v);

static int render_text(struct render *r, const char *p, const char *end, const struct tv *v)
{
	while (p < end) {
		const char *o = memmem(p, (size_t)(end - p), "{{", 2);
		if (!o) {
			buf_append(r->out, p, (size_t)(end - p));
			return 0;
		}
		buf_append(r->out, p, (size_t)(o - p));
		char kind, name[TMPL_NAME_MAX];
		const char *after = tag(o + 2, end, &kind, name);
		if (!after) {
			diag_set(r->d, "template %s: a malformed tag at byte %td", r->file, o - p);
			return ERR_PARSE;
		}
		const struct tv_entry *e = kind == '@' || kind == '>' ? NULL : lookup(v, name);
		int rc = 0;
		switch (kind) {
		case 0:
			if (!e || !e->str) {
				diag_set(r->d, "template %s: no value '%s'", r->file, name);
				return ERR_NOTFOUND;
			}
			tmpl_escape(r->out, e->str, strlen(e->str));
			break;
		case '@': {
			const char *t = r->cat ? catalog_get(r->cat, name) : NULL;
			if (!t) {
				diag_set(r->d, "template %s: no catalog text '%s'", r->file, name);
				return ERR_NOTFOUND;
			}
			tmpl_escape(r->out, t, strlen(t));
			break;
		}
		case '>':
			rc = render_file(r, name, v);
			break;
		case '/':
			diag_set(r->d, "template %s: {{/%s}} closes no section", r->file, name);
			return ERR_PARSE;
		default: { /* '#' or '^' */
			const char *body_end, *next = section_end(after, end, name, &body_end);
			if (!next) {
				diag_set(r->d, "template %s: section '%s' is not closed", r->file, name);
				return ERR_PARSE;
			}
			int full = e && (e->str ? e->str[0] != '\0' : e->nrows > 0);
			if (kind == '^') {
				if (!full)
					rc = render_text(r, after, body_end, v);
			} else if (e && !e->str) {
				for (size_t i = 0; !rc && i < e->nrows; i++) {
					e->rows[i]->parent = v;
					rc = render_text(r, after, body_end, e->rows[i]);
					e->rows[i]->parent = NULL;
				}
			} else if (full)
				rc = render_text(r, after, body_end, v);
			after = next;
		}
		}
		if (rc)
			return rc;
		p = after;
	}
	return 0;
}

static int render_file(struct render *r, const char *name, const struct tv *v)
{
	if (r->depth >= TMPL_DEPTH) {
		diag_set(r->d, "template %s: partials nest deeper than %d", name, TMPL_DEPTH);
		return ERR_PARSE;
	}
	for (size_t i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].name, name)) {
			const char *was = r->file;
			r->file = name;
			r->depth++;
			size_t len = r->files[i].len ? r->files[i].len : strlen(r->files[i].text);
			int rc = render_text(r, r->files[i].text, r->files[i].text + len, v);
			r->depth--;
			r->file = was;
			return rc;
		}
	diag_set(r->d, "no template '%s'", name);
	return ERR_NOTFOUND;
}

int tmpl_render(const struct tmpl_file *files, size_t n, const char *name, const struct tv *v, const struct catalog *cat,
		struct buf *out, struct diag *d)
{
	struct render r = {files, n, cat, out, d, name, 0};
	return render_file(&r, name, v);
}
