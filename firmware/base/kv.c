#include "kv.h"

#include <string.h>

#include "utf8.h"

int utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return (int)k;
}

int utf8_valid(const char *s, size_t n)
{
	unsigned long cp;
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_next(s + i, n - i, &cp)) || cp == 0)
			return 0;
	return 1;
}

void kv_reader_init(struct kv_reader *r, const char *text, size_t len, unsigned flags)
{
	r->p = text;
	r->end = text + len;
	r->line = 0;
	r->flags = flags;
}

int kv_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_blank(**b))
		(*b)++;
	while (*e > *b && is_blank((*e)[-1]))
		(*e)--;
}

int kv_next(struct kv_reader *r, struct kv_item *it, struct diag *d)
{
	while (r->p < r->end) {
		const char *b = r->p;
		const char *nl = memchr(b, '\n', (size_t)(r->end - b));
		const char *e = nl ? nl : r->end;
		r->p = nl ? nl + 1 : r->end;
		r->line++;
		if (e > b && e[-1] == '\r')
			e--;
		if (!utf8_valid(b, (size_t)(e - b))) {
			diag_set(d, "line %u: not valid UTF-8 text", r->line);
			return ERR_PARSE;
		}
		for (const char *q = b; q < e; q++) {
			if ((unsigned char)*q < 0x20 && *q != '\t') {
				diag_set(d, "line %u: control character in line", r->line);
				return ERR_PARSE;
			}
		}
		trim(&b, &e);
		if (b == e || *b == '#')
			continue;
		if (r->flags & KV_INLINE_COMMENTS) {
			const char *h = memchr(b, '#', (size_t)(e - b));
			if (h) {
				e = h;
				trim(&b, &e);
			}
		}
		it->line = r->line;
		if (*b == '[') {
			if (!(r->flags & KV_SECTIONS)) {
				diag_set(d, "line %u: sections ('[...]') are not allowed here", r->line);
				return ERR_PARSE;
			}
			if (e[-1] != ']' || e - b < 3) {
				diag_set(d, "line %u: section header must look like '[name]'", r->line);
				return ERR_PARSE;
			}
			const char *sb = b + 1, *se = e - 1;
			trim(&sb, &se);
			if (sb == se) {
				diag_set(d, "line %u: empty section header", r->line);
				return ERR_PARSE;
			}
			it->is_section = 1;
			it->key = sb;
			it->key_len = (size_t)(se - sb);
			it->value = se;
			it->value_len = 0;
			return 1;
		}
		const char *k = b;
		while (b < e && is_key_char(*b))
			b++;
		if (b == k) {
			diag_set(d, "line %u: expected 'key = value' (keys use letters, digits, '_' and '.')", r->line);
			return ERR_PARSE;
		}
		const char *ke = b;
		while (b < e && is_blank(*b))
			b++;
		if (b == e || *b != '=') {
			diag_set(d, "line %u: expected '=' after key '%.*s'", r->line, (int)(ke - k > 64 ? 64 : ke - k), k);
			return ERR_PARSE;
		}
		b++;
		trim(&b, &e);
		it->is_section = 0;
		it->key = k;
		it->key_len = (size_t)(ke - k);
		it->value = b;
		it->value_len = (size_t)(e - b);
		return 1;
	}
	return 0;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, size_t len, unsigned char *out, size_t n)
{
	if (len != 2 * n)
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ERR_PARSE;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* The next line of [*p, end) with the blanks around it trimmed into [*b, *e); 0 at the end. */
static int key_line(const char **p, const char *end, const char **b, const char **e)
{
	if (*p >= end)
		return 0;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*b = *p;
	*e = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	while (*b < *e && (**b == ' ' || **b == '\t' || **b == '\r'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	return 1;
}

/* For "NAME = VALUE" at eq in [b, e): the value's start (blanks skipped) if NAME is name, else NULL. */
static const char *key_value(const char *b, const char *eq, const char *e, const char *name, size_t nl_name)
{
	const char *ne = eq;
	while (ne > b && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	if ((size_t)(ne - b) != nl_name || memcmp(b, name, nl_name))
		return NULL;
	b = eq + 1;
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	return b;
}

/* name NULL: the one bare hex line; otherwise the line "name = HEX" (other named lines are skipped). */
static int keyfile_core(const char *text, size_t len, const char *name, unsigned char *key, size_t keylen,
			struct diag *d)
{
	int found = 0;
	unsigned line = 0;
	const char *p = text, *end = text + len, *b, *e;
	size_t nl_name = name ? strlen(name) : 0;
	while (key_line(&p, end, &b, &e)) {
		line++;
		if (b == e || *b == '#')
			continue;
		const char *eq = memchr(b, '=', (size_t)(e - b));
		if (name) {
			if (!eq) {
				diag_set(d, "line %u: expected 'NAME = HEX'", line);
				return ERR_PARSE;
			}
			if (!(b = key_value(b, eq, e, name, nl_name)))
				continue;
		} else if (eq) {
			diag_set(d, "line %u: expected a bare key (this looks like a named one)", line);
			return ERR_PARSE;
		}
		if (found) {
			diag_set(d, "line %u: more than one %s%skey in the file", line, name ? name : "", name ? " " : "");
			return ERR_PARSE;
		}
		if (hex_decode(b, (size_t)(e - b), key, keylen)) {
			diag_set(d, "line %u: expected %zu hexadecimal characters", line, 2 * keylen);
			return ERR_PARSE;
		}
		found = 1;
	}
	if (!found) {
		if (name)
			diag_set(d, "no '%s' key in the file", name);
		else
			diag_set(d, "no key in the file");
		return ERR_PARSE;
	}
	return 0;
}

int keyfile_parse(const char *text, size_t len, unsigned char *key, size_t keylen, struct diag *d)
{
	return keyfile_core(text, len, NULL, key, keylen, d);
}

int keyfile_parse_named(const char *text, size_t len, const char *name, unsigned char *key, size_t keylen,
			struct diag *d)
{
	return keyfile_core(text, len, name, key, keylen, d);
}


int keyfile_text_named(const char *text, size_t len, const char *name, char *out, size_t n, struct diag *d)
{
	int found = 0;
	unsigned line = 0;
	size_t nl_name = strlen(name);
	const char *p = text, *end = text + len, *b, *e;
	out[0] = '\0';
	while (key_line(&p, end, &b, &e)) {
		line++;
		const char *eq = b < e && *b != '#' ? memchr(b, '=', (size_t)(e - b)) : NULL;
		if (!eq || !(b = key_value(b, eq, e, name, nl_name)))
			continue;
		size_t vl = (size_t)(e - b);
		if (found) {
			diag_set(d, "line %u: '%s' repeated", line, name);
			return ERR_PARSE;
		}
		if (vl == 0 || vl >= n) {
			diag_set(d, "line %u: '%s' is %s", line, name, vl ? "too long" : "empty");
			return ERR_PARSE;
		}
		for (size_t i = 0; i < vl; i++)
			if ((unsigned char)b[i] <= ' ' || (unsigned char)b[i] > '~') {
				diag_set(d, "line %u: '%s' has a byte that is not printable ASCII", line, name);
				return ERR_PARSE;
			}
		memcpy(out, b, vl);
		out[vl] = '\0';
		found = 1;
	}
	if (!found) {
		diag_set(d, "no '%s' in the file", name);
		return ERR_NOTFOUND;
	}
	return 0;
}

int kv_pack_line(const char *s, const char *e, unsigned line, const char **code, const char **code_end, struct diag *d)
{
	size_t ln = e > s ? (size_t)(e - s) : 0; /* e >= s always; said so for the optimiser's bounds check */
	const char *hash = ln ? memchr(s, '#', ln) : NULL, *ce = hash ? hash : e;
	/* A comment is any text (a decision's number, a Vietnamese name), but text: no control characters. */
	int ok = !hash || utf8_valid(hash, (size_t)(e - hash));
	for (const char *p = s; ok && p < e; p++)
		ok = (unsigned char)*p >= 0x20 || *p == '\t';
	if (!ok) {
		diag_set(d, "line %u: a control character or bad UTF-8 (only text, and only ASCII outside comments)", line);
		return ERR_PARSE;
	}
	for (const char *p = s; p < ce; p++)
		if ((unsigned char)*p > 0x7e) {
			diag_set(d, "line %u: only ASCII outside comments", line);
			return ERR_PARSE;
		}
	while (s < ce && (*s == ' ' || *s == '\t'))
		s++;
	while (ce > s && (ce[-1] == ' ' || ce[-1] == '\t'))
		ce--;
	*code = s;
	*code_end = ce;
	return 0;
}
