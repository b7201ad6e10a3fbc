/* tests/lib/personas: the worked examples of shared/spec, baseline plus each row's own facts (see personas.h). */
#include "personas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"

/* Set key (kn bytes) to value (vn bytes): replaces an earlier value, else appends. */
static int put(struct persona *p, const char *key, size_t kn, const char *val, size_t vn)
{
	if (kn == 0 || kn >= sizeof p->key[0] || vn >= sizeof p->value[0])
		return ERR_PARSE;
	int i = 0;
	while (i < p->nfacts && !(strlen(p->key[i]) == kn && !memcmp(p->key[i], key, kn)))
		i++;
	if (i == p->nfacts) {
		if (p->nfacts == PERSONA_MAX_FACTS)
			return ERR_PARSE;
		memcpy(p->key[i], key, kn);
		p->key[i][kn] = '\0';
		p->nfacts++;
	}
	memcpy(p->value[i], val, vn);
	p->value[i][vn] = '\0';
	return 0;
}

/*
 * Apply "key=value" tokens separated by sep. Tokens without '=' are words of
 * the header's prose ("deadline_working_days absent.") and skipped when
 * prose is set; a token's trailing '.' (end of the header's sentence) is dropped.
 */
static int apply(struct persona *p, const char *s, char sep, int prose)
{
	while (*s) {
		while (*s == sep)
			s++;
		const char *b = s;
		while (*s && *s != sep)
			s++;
		const char *e = s;
		if (e > b && e[-1] == '.')
			e--;
		if (e == b)
			continue;
		const char *eq = memchr(b, '=', (size_t)(e - b));
		if (!eq) {
			if (prose)
				continue;
			return ERR_PARSE;
		}
		if (put(p, b, (size_t)(eq - b), eq + 1, (size_t)(e - eq - 1)))
			return ERR_PARSE;
	}
	return 0;
}

/* Copy src into dst (n bytes of room) if it fits; -1 if not. */
static int copy(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n)
		return -1;
	memcpy(dst, src, l + 1);
	return 0;
}

int personas_parse(const char *text, size_t len, const char *name, struct personas *out, struct diag *d)
{
	struct persona base;
	int have_base = 0, lineno = 0;
	const char *why = NULL;
	memset(out, 0, sizeof *out);
	memset(&base, 0, sizeof base);
	if (memchr(text, '\0', len)) {
		diag_set(d, "%s: a NUL byte", name);
		return ERR_PARSE;
	}
	char *copy_text = xmalloc(len + 1);
	memcpy(copy_text, text, len);
	copy_text[len] = '\0';
	for (char *line = copy_text, *next; line && *line; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (line[0] == '#') {
			/* The header sentence that names the baseline. */
			if (strstr(line, "meritorious=") && strstr(line, "household=")) {
				memset(&base, 0, sizeof base);
				if (apply(&base, line + 1, ' ', 1)) {
					why = "a baseline fact is empty, too long or one too many";
					goto fail;
				}
				have_base = 1;
			}
			continue;
		}
		if (!*line)
			continue;
		char *f[6] = {0};
		int nf = 0;
		for (char *p = line; p && nf < 6;) {
			f[nf++] = p;
			char *tab = strchr(p, '\t');
			if (tab)
				*tab = '\0';
			p = tab ? tab + 1 : NULL;
		}
		if (!have_base) {
			why = "a persona before the baseline comment";
			goto fail;
		}
		if (nf < 5) {
			why = "a persona row has fewer than 5 tab-separated fields";
			goto fail;
		}
		struct persona p = base;
		if (!*f[0] || copy(p.id, sizeof p.id, f[0]) || copy(p.outcome, sizeof p.outcome, f[2]) ||
		    copy(p.groups, sizeof p.groups, f[3])) {
			why = "an empty id, or an id, outcome or groups too long";
			goto fail;
		}
		if (apply(&p, f[1], ';', 0)) {
			why = "a fact without '=', empty, too long or one too many";
			goto fail;
		}
		if (strcmp(f[4], "yes") && strcmp(f[4], "no")) {
			why = "urgent is neither yes nor no";
			goto fail;
		}
		p.urgent = !strcmp(f[4], "yes");
		snprintf(p.what, sizeof p.what, "%s", nf > 5 ? f[5] : "");
		out->p = xrealloc(out->p, (out->n + 1) * sizeof *out->p);
		out->p[out->n++] = p;
	}
	free(copy_text);
	return 0;
fail:
	diag_set(d, "%s:%d: %s", name, lineno, why);
	free(copy_text);
	personas_free(out);
	return ERR_PARSE;
}

int personas_load(const char *path, struct personas *out, struct diag *d)
{
	struct buf b;
	buf_init(&b);
	memset(out, 0, sizeof *out);
	int rc = fs_read_file(path, 4u << 20, &b, d);
	if (!rc)
		rc = personas_parse(b.data ? b.data : "", b.len, path, out, d);
	buf_finish(&b);
	return rc;
}

void personas_free(struct personas *ps)
{
	free(ps->p);
	ps->p = NULL;
	ps->n = 0;
}

const char *persona_get(const struct persona *p, const char *key)
{
	for (int i = 0; i < p->nfacts; i++)
		if (!strcmp(p->key[i], key))
			return p->value[i];
	return NULL;
}

void persona_facts_text(const struct persona *p, struct buf *out)
{
	for (int i = 0; i < p->nfacts; i++)
		buf_printf(out, "%s = %s\n", p->key[i], p->value[i]);
}
