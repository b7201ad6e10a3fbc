/*
 * Digits per language and the Khmer catalog's house rules:
 * - text_format_int against ICU's own Khmer-digit formatting (locale
 *   km@numbers=khmr, no grouping), buffer limits and bad arguments;
 * - every {placeholder} of both catalogs has a decided digit style (a new one
 *   fails here until someone decides);
 * - strings.km: no ASCII ':' or ASCII digits in Khmer text, none of the known
 *   COENG TA misspellings; and the check refuses each of them when they are
 *   put back (so it can fail).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "kv.h"
#include "testlib.h"
#include "text.h"

/* ICU's formatting of v in Khmer digits, as UTF-8. */
static void icu_khmer(long long v, char *out, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	UNumberFormat *f = unum_open(UNUM_DECIMAL, NULL, 0, "km@numbers=khmr", NULL, &st);
	CHECK(U_SUCCESS(st));
	unum_setAttribute(f, UNUM_GROUPING_USED, 0);
	UChar u[64];
	int32_t len = unum_formatInt64(f, v, u, 64, NULL, &st);
	int32_t olen;
	u_strToUTF8(out, (int32_t)n, &olen, u, len, &st);
	CHECK(U_SUCCESS(st));
	unum_close(f);
}

static void test_format_int(void)
{
	static const long long vals[] = {0, 1, 7, 9, 10, 12, 16, 18, 100, 2026, 1234567890, LLONG_MAX};
	char got[128], want[128];
	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		icu_khmer(vals[i], want, sizeof want);
		int n = text_format_int("km", vals[i], got, sizeof got);
		CHECK_STR(got, want);
		CHECK_INT(n, (int)strlen(want));
		snprintf(want, sizeof want, "%lld", vals[i]);
		CHECK_INT(text_format_int("vi", vals[i], got, sizeof got), (int)strlen(want));
		CHECK_STR(got, want);
	}
	char vi[8];
	icu_khmer(16, want, sizeof want);
	text_format_int("km", 16, got, sizeof got);
	text_format_int("vi", 16, vi, sizeof vi);
	printf("text_format_int: 16 -> km %s (ICU %s), vi %s\n", got, want, vi);
	/* Negative numbers: '-' then the digits; LLONG_MIN has a magnitude too. */
	CHECK_INT(text_format_int("km", -5, got, sizeof got), 4);
	CHECK_STR(got, "-\xe1\x9f\xa5");
	CHECK_INT(text_format_int("vi", LLONG_MIN, got, sizeof got), 20);
	CHECK_STR(got, "-9223372036854775808");
	CHECK_INT(text_format_int("km", LLONG_MIN, got, sizeof got), 1 + 19 * 3);
	/* Sizes: exactly enough (with the NUL) fits; one byte less is ERR_TOOBIG with "" written. */
	CHECK_INT(text_format_int("km", 18, got, 7), 6);
	CHECK_STR(got, "\xe1\x9f\xa1\xe1\x9f\xa8");
	CHECK_INT(text_format_int("km", 18, got, 6), ERR_TOOBIG);
	CHECK_STR(got, "");
	CHECK_INT(text_format_int("vi", 18, got, 2), ERR_TOOBIG);
	CHECK_INT(text_format_int("vi", 18, got, 3), 2);
	/* Languages the kiosk does not have, and no buffer. */
	CHECK_INT(text_format_int("en", 1, got, sizeof got), ERR_INVAL);
	CHECK_STR(got, "");
	CHECK_INT(text_format_int(NULL, 1, got, sizeof got), ERR_INVAL);
	CHECK_INT(text_format_int("km", 1, NULL, 8), ERR_INVAL);
	CHECK_INT(text_format_int("km", 1, got, 0), ERR_INVAL);
}

struct raw {
	char key[64];
	char *value;
};

/* key = value pairs of strings.<lang>, values as written (placeholders kept). */
static int load_raw(const char *lang, struct raw **out)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/firmware/content/kiosk/strings.%s", t_env("SPEAN_SOURCE_DIR"), lang);
	size_t len;
	char *text = t_read(path, &len);
	CHECK(text != NULL);
	if (!text)
		return -1;
	struct kv_reader r;
	struct kv_item it;
	struct diag d = {""};
	int n = 0, cap = 256, rc;
	struct raw *e = xmalloc((size_t)cap * sizeof *e);
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, &d)) > 0) {
		if (it.is_section)
			continue;
		if (n == cap) {
			cap *= 2;
			e = xrealloc(e, (size_t)cap * sizeof *e);
		}
		snprintf(e[n].key, sizeof e[n].key, "%.*s", (int)it.key_len, it.key);
		e[n].value = xstrndup(it.value, it.value_len);
		n++;
	}
	free(text);
	CHECK_INT(rc, 0);
	*out = e;
	return n;
}

static void free_raw(struct raw *e, int n)
{
	for (int i = 0; i < n; i++)
		free(e[i].value);
	free(e);
}

/* Every placeholder is decided: counted (text_format_int) or as typed (this list). */
static void test_placeholders(void)
{
	/* ... and the setup screens' values from a stick or the computer: a folder, key fingerprints, a URL, a printer, a file's line. */
	static const char *const as_typed[] = {"phone", "date", "last", "groups", "folder", "fp", "url", "printer", "line"};
	for (int l = 0; l < 2; l++) {
		struct raw *e;
		int n = load_raw(l ? "km" : "vi", &e);
		int counted = 0, typed = 0;
		for (int i = 0; i < n; i++)
			for (const char *p = strchr(e[i].value, '{'); p; p = strchr(p + 1, '{')) {
				const char *q = strchr(p, '}');
				CHECK(q != NULL);
				if (!q)
					break;
				char name[32];
				snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
				int c = text_placeholder_counts(e[i].key, name), t = 0;
				for (size_t k = 0; k < sizeof as_typed / sizeof *as_typed; k++)
					t |= !strcmp(name, as_typed[k]);
				t |= !strcmp(e[i].key, "assisted.refused") && !strcmp(name, "n");
				if (c == t)
					t_fail(__FILE__, __LINE__, "strings.%s %s: {%s} has %s digit style", l ? "km" : "vi",
					       e[i].key, name, c ? "two" : "no");
				t_checks++;
				counted += c;
				typed += t;
			}
		printf("strings.%s: %d placeholders in the resident's digits, %d as typed\n", l ? "km" : "vi", counted,
		       typed);
		CHECK(counted >= 10);
		free_raw(e, n);
	}
	CHECK(text_placeholder_counts("progress", "n"));
	CHECK(text_placeholder_counts("idle.body", "seconds"));
	CHECK(!text_placeholder_counts("assisted.refused", "n"));
	CHECK(!text_placeholder_counts("receipt.body", "phone"));
	CHECK(!text_placeholder_counts("x", NULL));
}

static void test_km_catalog(void)
{
	struct raw *e;
	int n = load_raw("km", &e);
	CHECK(n > 100);
	int khmer_colons = 0, passed = 0;
	for (int i = 0; i < n; i++) {
		char why[200];
		if (text_km_check(e[i].value, strlen(e[i].value), why, sizeof why))
			t_fail(__FILE__, __LINE__, "strings.km %s: %s", e[i].key, why);
		else
			passed++;
		t_checks++;
		for (const char *p = strstr(e[i].value, "\xe1\x9f\x96"); p; p = strstr(p + 3, "\xe1\x9f\x96"))
			khmer_colons++;
	}
	printf("strings.km: %d of %d values pass the Khmer rules (%d Khmer colons)\n", passed, n, khmer_colons);
	CHECK(khmer_colons > 0);
	free_raw(e, n);

	/* The check refuses what was fixed, if it came back; and keeps what is right. */
	static const char *const bad[] = {
		"ចាប់ផ្តើម", "ស្តាប់ម្តងទៀត", "ផ្តល់អាទិភាព", "បណ្តឹង", "ត្រូវគេប្តឹង", "សេចក្តីសម្រេច", "ម្តាយ", "ប្តី",
		"ផ្លាស់ប្តូរ", "ថ្ម: {percent}%", "សំណួរទី 4 / {total}", "ថ្ម\xe1\x9f\x96 50%",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char why[200];
		int rc = text_km_check(bad[i], strlen(bad[i]), why, sizeof why);
		if (rc != ERR_PARSE)
			t_fail(__FILE__, __LINE__, "'%s' passed the Khmer rules", bad[i]);
		t_checks++;
		CHECK(why[0] != '\0');
		if (i == 0 || i == 9)
			printf("  refused: %s\n", why);
	}
	static const char *const good[] = {
		"ចាប់ផ្ដើម", "ស្ត្រី", "មន្ត្រី", "បន្ត", "ប៉ុន្តែ", "បដិវត្តន៍", "ថ្ម៖ {percent}%", "សំណួរទី {n} / {total}",
		"Tiếng Việt", "12:30", "",
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char why[200];
		if (text_km_check(good[i], strlen(good[i]), why, sizeof why))
			t_fail(__FILE__, __LINE__, "'%s' refused: %s", good[i], why);
		t_checks++;
	}
	CHECK_INT(text_km_check("\xe1\x9e", 2, NULL, 0), ERR_INVAL);
}

int main(void)
{
	test_format_int();
	test_placeholders();
	test_km_catalog();
	return t_done("text_catalog_test");
}
