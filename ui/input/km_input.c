#include "km_input.h"

#include <string.h>

/* U+17D2 KHMER SIGN COENG */
static const char coeng[] = "\xe1\x9f\x92";

const struct km_key *km_layout_key(int row, int col)
{
	if (row < 0 || row >= KM_LAYOUT_ROWS || col < 0 || col >= km_layout[row].len)
		return NULL;
	return &km_layout[row].keys[col];
}

int km_layout_find(const char *xkb, int *row, int *col)
{
	for (int r = 0; xkb && r < KM_LAYOUT_ROWS; r++) {
		for (int c = 0; c < km_layout[r].len; c++) {
			if (strcmp(km_layout[r].keys[c].xkb, xkb))
				continue;
			if (row)
				*row = r;
			if (col)
				*col = c;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

void km_input_init(struct km_input *st)
{
	st->coeng = 0;
}

int km_input_coeng(struct km_input *st)
{
	st->coeng = !st->coeng;
	return st->coeng;
}

/* One Khmer consonant (U+1780..U+17A2, three bytes in UTF-8) and nothing else? */
static int is_consonant(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (strlen(s) != 3 || p[0] != 0xE1)
		return 0;
	unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	return cp >= 0x1780 && cp <= 0x17A2;
}

int km_input_key(struct km_input *st, int row, int col, int shift, struct buf *out)
{
	const struct km_key *k = km_layout_key(row, col);
	if (!st || !out || !k)
		return ERR_INVAL;
	const char *text = k->text[shift ? 1 : 0];
	if (st->coeng && is_consonant(text))
		buf_puts(out, coeng);
	buf_puts(out, text);
	st->coeng = 0;
	return 0;
}

/* ---- the paged keyboard -------------------------------------------------------------------------- */

static const char *const page_consonants[] = {
	"ក", "ខ", "គ", "ឃ", "ង", "ច", "ឆ", "ជ", "ឈ", "ញ", "ដ", "ឋ", "ឌ", "ឍ", "ណ", "ត", "ថ", "ទ",
	"ធ", "ន", "ប", "ផ", "ព", "ភ", "ម", "យ", "រ", "ល", "វ", "ឝ", "ឞ", "ស", "ហ", "ឡ", "អ",
};
static const char *const page_vowels[] = {
	/* dependent vowels U+17B6..U+17C5 */
	"\xe1\x9e\xb6", "\xe1\x9e\xb7", "\xe1\x9e\xb8", "\xe1\x9e\xb9", "\xe1\x9e\xba", "\xe1\x9e\xbb", "\xe1\x9e\xbc",
	"\xe1\x9e\xbd", "\xe1\x9e\xbe", "\xe1\x9e\xbf", "\xe1\x9f\x80", "\xe1\x9f\x81", "\xe1\x9f\x82", "\xe1\x9f\x83",
	"\xe1\x9f\x84", "\xe1\x9f\x85",
	/* signs U+17C6..U+17D0 and COENG U+17D2 */
	"\xe1\x9f\x86", "\xe1\x9f\x87", "\xe1\x9f\x88", "\xe1\x9f\x89", "\xe1\x9f\x8a", "\xe1\x9f\x8b", "\xe1\x9f\x8c",
	"\xe1\x9f\x8d", "\xe1\x9f\x8e", "\xe1\x9f\x8f", "\xe1\x9f\x90", "\xe1\x9f\x92",
};
static const char *const page_digits[] = {
	"១", "២", "៣", "៤", "៥", "៦", "៧", "៨", "៩", "០", "/", ",", "-", ".",
	/* independent vowels (U+17A5..U+17B3 without the deprecated U+17A8) */
	"ឥ", "ឦ", "ឧ", "ឩ", "ឪ", "ឫ", "ឬ", "ឭ", "ឮ", "ឯ", "ឰ", "ឱ", "ឲ", "ឳ", "។", "៖",
	/* what NiDA's number row has besides digits and signs */
	"ៗ", "៛", "(", ")",
};

const char *const *km_page_keys(enum km_page p, int *n)
{
	int m = 0;
	const char *const *k = NULL;
	switch (p) {
	case KM_PAGE_CONSONANTS: k = page_consonants, m = (int)(sizeof page_consonants / sizeof *page_consonants); break;
	case KM_PAGE_VOWELS: k = page_vowels, m = (int)(sizeof page_vowels / sizeof *page_vowels); break;
	case KM_PAGE_DIGITS: k = page_digits, m = (int)(sizeof page_digits / sizeof *page_digits); break;
	default: break;
	}
	if (n)
		*n = m;
	return k;
}

/* The first (or, with last, the last) code point of s[0..n); 0 if none. */
static unsigned cp_at(const char *s, size_t n, int last)
{
	size_t i = 0;
	if (last) {
		if (!n)
			return 0;
		i = n - 1;
		while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
			i--;
	}
	const unsigned char *p = (const unsigned char *)s + i;
	size_t left = n - i;
	if (!left)
		return 0;
	if (p[0] < 0x80)
		return p[0];
	if ((p[0] & 0xE0) == 0xC0 && left >= 2)
		return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	if ((p[0] & 0xF0) == 0xE0 && left >= 3)
		return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	return 0;
}

static int is_base(unsigned c)
{
	return c >= 0x1780 && c <= 0x17B3; /* consonants and independent vowels */
}

static int is_dep_vowel(unsigned c)
{
	return c >= 0x17B6 && c <= 0x17C5;
}

static int is_sign(unsigned c)
{
	return (c >= 0x17C6 && c <= 0x17D1) || c == 0x17D3 || c == 0x17DD;
}

int km_is_mark(const char *text)
{
	unsigned c = text ? cp_at(text, strlen(text), 0) : 0;
	return is_dep_vowel(c) || is_sign(c) || c == 0x17D2 || c == 0x17B4 || c == 0x17B5;
}

int km_input_mark_ok(const char *before, size_t n, const char *text)
{
	if (!km_is_mark(text))
		return 1;
	unsigned m = cp_at(text, strlen(text), 0);
	unsigned prev = before ? cp_at(before, n, 1) : 0;
	/* A lone COENG at the end (armed by the NiDA key, waiting for its consonant) takes nothing else. */
	if (is_base(prev))
		return 1;
	/* The register shifters and ROBAT sit on the consonant itself, before any vowel (HarfBuzz's Khmer syllables). */
	int on_consonant = m == 0x17C9 || m == 0x17CA || m == 0x17CC;
	if (is_sign(m) && !on_consonant && (is_dep_vowel(prev) || is_sign(prev)))
		return 1;
	return 0;
}
