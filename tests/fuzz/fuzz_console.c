/* Fuzz target for what a browser sends the office console's inbox: the search box (a receipt code, a phone, a
 * name folded for search) and any value put through the template layer's escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "search.h"
#include "tmpl.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data;
	char hex[33];
	if (search_code_parse(q, size, hex)) {
		size_t n = strlen(hex);
		FUZZ_CHECK(n == 8 || n == 32);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
	}
	char digits[SEARCH_QUERY_MAX + 1];
	if (search_phone_parse(q, size, digits)) {
		FUZZ_CHECK(strlen(digits) >= 3 && strlen(digits) <= SEARCH_QUERY_MAX);
		FUZZ_CHECK(strspn(digits, "0123456789") == strlen(digits));
	}
	struct buf b;
	buf_init(&b);
	search_fold(q, size, &b);
	for (size_t i = 0; i < b.len;) { /* valid UTF-8, no NUL (controls fold to spaces) */
		unsigned long cp;
		size_t k = utf8_next(b.data + i, b.len - i, &cp);
		FUZZ_CHECK(k > 0 && cp != 0);
		i += k;
	}
	FUZZ_CHECK(!b.len || (b.data[0] != ' ' && b.data[b.len - 1] != ' '));
	/* Escaped: valid UTF-8, nothing unsafe, no character that ends a text or an attribute. */
	b.len = 0;
	tmpl_escape(&b, q, size);
	FUZZ_CHECK(utf8_safe(b.data, b.len));
	FUZZ_CHECK(!memchr(b.data, '<', b.len) && !memchr(b.data, '>', b.len) && !memchr(b.data, '"', b.len) &&
		   !memchr(b.data, '\'', b.len));
	buf_finish(&b);
	return 0;
}
