#define LOG_MODULE "text"
/* The Khmer catalog's house rules: the Khmer colon, Khmer digits, and spellings with COENG DA. */
#include <stdio.h>
#include <string.h>

#include "kv.h"
#include "text.h"
#include "text_internal.h"

/*
 * Spellings with COENG TA (U+17D2 U+178F) where the standard spelling (Chuon
 * Nath's dictionary) has COENG DA (U+17D2 U+178A). They render alike in most
 * fonts, so only the code points tell; search, sort and spell-checkers see
 * two different words. Each was in strings.km until issue 12. Substrings:
 * ក្តី also catches សេចក្តី, ប្តឹង also បណ្តឹង's sibling forms.
 */
static const struct {
	const char *bad, *good;
} coeng_ta[] = {
	{"ផ្តើម", "ផ្ដើម"}, {"ម្តង", "ម្ដង"}, {"ផ្តល់", "ផ្ដល់"}, {"បណ្តឹង", "បណ្ដឹង"}, {"ប្តឹង", "ប្ដឹង"},
	{"ស្តាប់", "ស្ដាប់"}, {"ក្តី", "ក្ដី"}, {"ម្តាយ", "ម្ដាយ"}, {"ប្តី", "ប្ដី"}, {"ប្តូរ", "ប្ដូរ"},
};

static int has_khmer(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t c = text_utf8_next(s, n, &i);
		if ((c >= 0x1780 && c <= 0x17FF) || (c >= 0x19E0 && c <= 0x19FF))
			return 1;
	}
	return 0;
}

static int find(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(s + i, w, m))
			return 1;
	return 0;
}

int text_km_check(const char *s, size_t n, char *why, size_t whyn)
{
	char tmp[160];
	if (!why || !whyn) {
		why = tmp;
		whyn = sizeof tmp;
	}
	why[0] = '\0';
	if (!s || (n && !utf8_valid(s, n))) {
		snprintf(why, whyn, "not UTF-8");
		return ERR_INVAL;
	}
	for (size_t i = 0; i < sizeof coeng_ta / sizeof *coeng_ta; i++)
		if (find(s, n, coeng_ta[i].bad)) {
			snprintf(why, whyn, "%s is written with COENG TA: the standard spelling is %s (COENG DA)",
				 coeng_ta[i].bad, coeng_ta[i].good);
			return ERR_PARSE;
		}
	if (!has_khmer(s, n))
		return 0; /* a name in Latin letters (lang.vi = Tiếng Việt): not Khmer text */
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '{')
			depth++;
		else if (c == '}' && depth > 0)
			depth--;
		else if (depth)
			continue;
		else if (c == ':') {
			snprintf(why, whyn, "ASCII ':' in Khmer text at byte %zu: Khmer writes the colon \xe1\x9f\x96 (U+17D6)",
				 i);
			return ERR_PARSE;
		} else if (c >= '0' && c <= '9') {
			snprintf(why, whyn, "ASCII digit '%c' in Khmer text at byte %zu: Khmer screens use Khmer digits", c,
				 i);
			return ERR_PARSE;
		}
	}
	return 0;
}
