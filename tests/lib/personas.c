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

int personas_load(const char *path, struct personas *out, struct diag *d)
{
	struct buf b;
	struct persona base;
	int rc, have_base = 0, lineno = 0;
	memset(out, 0, sizeof *out);
	memset(&base, 0, sizeof base);
	buf_init(&b);
	if ((rc = fs_read_file(path, 4u << 20, &b, d)))
		goto fail;
	for (char *line = b.data, *next; line && *line; line = next) {
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
					diag_set(d, "%s:%d: bad baseline fact", path, lineno);
					rc = ERR_PARSE;
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
		if (!have_base || nf < 5) {
			diag_set(d, "%s:%d: %s", path, lineno,
				 !have_base ? "a persona before the baseline comment" : "a persona row has fewer than 5 fields");
			rc = ERR_PARSE;
			goto fail;
		}
		struct persona p = base;
		snprintf(p.id, sizeof p.id, "%s", f[0]);
		if (apply(&p, f[1], ';', 0)) {
			diag_set(d, "%s:%d: bad fact in persona %s", path, lineno, p.id);
			rc = ERR_PARSE;
			goto fail;
		}
		snprintf(p.outcome, sizeof p.outcome, "%s", f[2]);
		snprintf(p.groups, sizeof p.groups, "%s", f[3]);
		p.urgent = !strcmp(f[4], "yes");
		snprintf(p.what, sizeof p.what, "%s", nf > 5 ? f[5] : "");
		out->p = xrealloc(out->p, (out->n + 1) * sizeof *out->p);
		out->p[out->n++] = p;
	}
	buf_finish(&b);
	return 0;
fail:
	buf_finish(&b);
	personas_free(out);
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
