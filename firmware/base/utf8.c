#include "utf8.h"

#include <string.h>

size_t utf8_next(const char *str, size_t n, unsigned long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t len;
	unsigned long v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

int utf8_unsafe(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static int kept(unsigned long cp, unsigned keep)
{
	return (cp == '\t' && (keep & UTF8_KEEP_TAB)) || (cp == '\n' && (keep & UTF8_KEEP_LF)) ||
	       (cp == '\r' && (keep & UTF8_KEEP_CR));
}

void utf8_put_neutral(struct buf *out, const char *s, size_t n, unsigned keep)
{
	/* Runs of plain text are copied in one append: the common case is no mark at all. */
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (len && (!utf8_unsafe(cp) || kept(cp, keep))) {
			i += len;
			continue;
		}
		buf_append(out, s + run, i - run);
		buf_puts(out, UTF8_MARK);
		i += len ? len : 1;
		run = i;
	}
	buf_append(out, s + run, i - run);
}

char *utf8_neutral_dup(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_append(&b, "", 0);
	if (s)
		utf8_put_neutral(&b, s, strlen(s), 0);
	return b.data;
}

int utf8_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned long cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len || utf8_unsafe(cp))
			return 0;
		i += len;
	}
	return 1;
}
