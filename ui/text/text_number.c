#define LOG_MODULE "text"
/* Numbers in the resident's language: Khmer digits on Khmer screens, ASCII digits on Vietnamese ones. */
#include <stdint.h>
#include <string.h>

#include "text.h"

/* KHMER DIGIT ZERO, U+17E0, in UTF-8; the other nine follow it in the last byte. */
#define KHMER_ZERO "\xe1\x9f\xa0"

/* "km" or "vi": 1 / 0; anything else -1. */
static int lang_khmer(const char *lang)
{
	if (!lang)
		return -1;
	if (!strcmp(lang, "km"))
		return 1;
	return strcmp(lang, "vi") ? -1 : 0;
}

int text_format_int(const char *lang, long long value, char *buf, size_t n)
{
	int khmer = lang_khmer(lang);
	if (!buf || !n)
		return ERR_INVAL;
	buf[0] = '\0';
	if (khmer < 0)
		return ERR_INVAL;
	/* Digits least significant first; unsigned so that LLONG_MIN has a magnitude. */
	unsigned long long mag = value < 0 ? 0ull - (unsigned long long)value : (unsigned long long)value;
	char rev[20];
	int nd = 0;
	do {
		rev[nd++] = (char)(mag % 10);
		mag /= 10;
	} while (mag);
	size_t need = (value < 0) + (size_t)nd * (khmer ? 3 : 1);
	if (need >= n)
		return ERR_TOOBIG;
	size_t o = 0;
	if (value < 0)
		buf[o++] = '-';
	while (nd > 0) {
		int d = rev[--nd];
		if (khmer) {
			memcpy(buf + o, KHMER_ZERO, 3);
			buf[o + 2] = (char)(buf[o + 2] + d);
			o += 3;
		} else {
			buf[o++] = (char)('0' + d);
		}
	}
	buf[o] = '\0';
	return (int)o;
}

/*
 * The catalog rule (see text.h): placeholders that take text_format_int's
 * digits. Everything else with digits in it (phone numbers, request numbers,
 * dates, times) is shown as typed or as stored.
 */
static const char *const counted[] = {"n", "total", "seconds", "left", "answered", "held", "delivered", "percent"};

int text_placeholder_counts(const char *key, const char *name)
{
	if (!name)
		return 0;
	/* assisted.refused's {n} is a request number the center quotes back: a code, not a count. */
	if (key && !strcmp(key, "assisted.refused") && !strcmp(name, "n"))
		return 0;
	for (size_t i = 0; i < sizeof counted / sizeof *counted; i++)
		if (!strcmp(name, counted[i]))
			return 1;
	return 0;
}
