/* Fuzz target for ui/text's Khmer catalog rules (text_km_check, over any pack text) and digit formatting (text_format_int). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_check.h"
#include "kv.h"
#include "text.h"

/* text_km_check: a known answer set, a why that is a string, and a misspelling appended is always refused. */
static void check_rules(const uint8_t *data, size_t size)
{
	char why[200];
	memset(why, 0xA5, sizeof why);
	int rc = text_km_check((const char *)data, size, why, 120);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_INVAL);
	FUZZ_CHECK((rc == ERR_INVAL) == (size && !utf8_valid((const char *)data, size)));
	FUZZ_CHECK(memchr(why, '\0', 120) != NULL);
	for (size_t i = 120; i < sizeof why; i++)
		FUZZ_CHECK((unsigned char)why[i] == 0xA5);
	FUZZ_CHECK(rc != ERR_PARSE || why[0] != '\0');
	if (rc == ERR_INVAL || size > 4096)
		return;
	static const char bad[] = "ចាប់ផ្តើម";
	char s[4096 + sizeof bad];
	memcpy(s, data, size);
	memcpy(s + size, bad, sizeof bad - 1);
	FUZZ_CHECK(text_km_check(s, size + sizeof bad - 1, NULL, 0) == ERR_PARSE);
}

/* text_format_int: the digits read back give the value; too small a buffer is ERR_TOOBIG with "" written. */
static void check_digits(const uint8_t *data, size_t size)
{
	if (size < 10)
		return;
	long long v;
	memcpy(&v, data, sizeof v);
	const char *lang = (data[8] & 1) ? "km" : "vi";
	size_t n = data[9] % 80;
	char out[80], ascii[32];
	int rc = text_format_int(lang, v, out, n);
	int len = snprintf(ascii, sizeof ascii, "%lld", v);
	size_t need = (size_t)len + ((data[8] & 1) ? 2 * (size_t)(len - (v < 0)) : 0);
	if (n == 0) {
		FUZZ_CHECK(rc == ERR_INVAL);
		return;
	}
	if (need >= n) {
		FUZZ_CHECK(rc == ERR_TOOBIG && out[0] == '\0');
		return;
	}
	FUZZ_CHECK(rc == (int)need && strlen(out) == need);
	/* Map Khmer digits back to ASCII and compare with printf's. */
	char back[32];
	size_t o = 0;
	for (size_t i = 0; i < need; o++) {
		if ((unsigned char)out[i] == 0xE1) {
			FUZZ_CHECK((unsigned char)out[i + 1] == 0x9F && (unsigned char)out[i + 2] >= 0xA0 &&
				   (unsigned char)out[i + 2] <= 0xA9);
			back[o] = (char)('0' + (unsigned char)out[i + 2] - 0xA0);
			i += 3;
		} else {
			FUZZ_CHECK((data[8] & 1) == 0 || out[i] == '-');
			back[o] = out[i++];
		}
	}
	back[o] = '\0';
	FUZZ_CHECK(strcmp(back, ascii) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_rules(data, size);
	check_digits(data, size);
	return 0;
}
