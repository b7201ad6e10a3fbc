/*
 * ui/console/search: query forms. The folding is ICU's: NFD decomposition,
 * then everything but the combining marks (General_Category Mn) kept and
 * lower-cased with u_tolower; đ/Đ (U+0111/U+0110) do not decompose and are
 * mapped by hand, the one letter Vietnamese writes without a mark to drop.
 */
#include "search.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include "utf8.h"

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int search_code_parse(const char *q, size_t n, char hex[33])
{
	size_t k = 0, dashes = 0;
	while (n && (q[0] == ' ' || q[0] == '\t'))
		q++, n--;
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = q[i];
		if (c == '-' || c == ' ') {
			/* One separator (spaces, at most one dash), between two groups of four, as on the receipt. */
			if (++dashes > 1 || k != 4)
				return 0;
			int dash = 0;
			for (; i < n && (q[i] == ' ' || q[i] == '-'); i++)
				if (q[i] == '-' && dash++)
					return 0;
			i--;
			continue;
		}
		if (!hexdigit(c) || k == 32)
			return 0;
		hex[k++] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	if (k != 8 && !(k == 32 && !dashes))
		return 0;
	hex[k] = 0;
	return 1;
}

int search_phone_parse(const char *q, size_t n, char out[SEARCH_QUERY_MAX + 1])
{
	size_t k = 0;
	if (n > SEARCH_QUERY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = q[i];
		if (c >= '0' && c <= '9')
			out[k++] = c;
		else if (c == '+' && k == 0)
			;
		else if (c != ' ' && c != '.' && c != '-')
			return 0;
	}
	out[k] = 0;
	return k >= 3;
}

static void put_cp(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t k;
	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	buf_append(out, u, k);
}

void search_fold(const char *s, size_t n, struct buf *out)
{
	UErrorCode e = U_ZERO_ERROR;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
	int space = 1; /* at the start: leading white space dropped */
	size_t start = out->len;
	for (size_t i = 0; i < n;) {
		unsigned long c;
		size_t k = utf8_next(s + i, n - i, &c);
		if (!k) {
			i++;
			continue;
		}
		i += k;
		UChar dec[32];
		int32_t m = -1;
		if (U_SUCCESS(e)) {
			UErrorCode e2 = U_ZERO_ERROR;
			m = unorm2_getDecomposition(nfd, (UChar32)c, dec, 32, &e2);
			if (U_FAILURE(e2))
				m = -1;
		}
		unsigned long cps[32];
		int32_t ncp = 0;
		if (m < 0) /* no decomposition: the character itself */
			cps[ncp++] = c;
		else
			for (int32_t j = 0; j < m && ncp < 32; j++) {
				unsigned long u = dec[j];
				if (u >= 0xd800 && u < 0xdc00 && j + 1 < m && dec[j + 1] >= 0xdc00 && dec[j + 1] < 0xe000)
					u = 0x10000 + ((u - 0xd800) << 10) + (unsigned long)(dec[++j] - 0xdc00);
				cps[ncp++] = u;
			}
		for (int32_t j = 0; j < ncp; j++) {
			UChar32 d = (UChar32)cps[j];
			if (u_charType(d) == U_NON_SPACING_MARK)
				continue;
			if (d == 0x0110 || d == 0x0111)
				d = 'd';
			if (u_isUWhiteSpace(d) || u_iscntrl(d)) {
				if (!space)
					buf_putc(out, ' ');
				space = 1;
				continue;
			}
			put_cp(out, (unsigned long)u_tolower(d));
			space = 0;
		}
	}
	if (space && out->len > start)
		out->len--; /* the trailing space */
	buf_append(out, "", 0);
}
