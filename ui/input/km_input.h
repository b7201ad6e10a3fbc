/* ui/input/km_input: the Khmer NiDA on-screen keyboard: layout table (from xkb-data) and one-shot COENG. */
#ifndef SPEAN_UI_KM_INPUT_H
#define SPEAN_UI_KM_INPUT_H

#include "err.h"
#include "mem.h"

/*
 * The layout, as xkb-data's symbols/kh ("basic", group 1) defines it: row 0 is
 * the number row (TLDE AE01..AE12), rows 1-3 the letter rows (AD01..AD12 BKSL,
 * AC01..AC11, AB01..AB10), row 4 the space bar (SPCE: U+200B ZERO WIDTH SPACE,
 * the Khmer word separator; with shift a real space). Generated into
 * km_layout.c by gen_km_layout.py; static, read-only, safe from any thread.
 */
#define KM_LAYOUT_ROWS 5
#define KM_ROW_SPACE 4

struct km_key {
	const char *xkb;       /* xkb key name: "AE01" */
	const char *text[2];   /* UTF-8 it types: [0] base level, [1] with shift; never NULL or empty */
	unsigned char mark[2]; /* 1: text starts with a combining sign (vowel sign, COENG, ...) */
};

struct km_row {
	const struct km_key *keys;
	int len;
};

extern const struct km_row km_layout[KM_LAYOUT_ROWS];

/*
 * The key at row/col, or NULL outside the layout. Labels for drawing are
 * text[shift]; where mark[] is set, draw the sign on a carrier (the Khmer
 * convention is អ, as in អា) or as a graphic, never as a lone string: shaping
 * a lone mark inserts a dotted circle, which text.md's checks reject.
 */
const struct km_key *km_layout_key(int row, int col);
/* Where an xkb key is: 0, or ERR_NOTFOUND. */
int km_layout_find(const char *xkb, int *row, int *col);

/* One keyboard's typing state; embed it, km_input_init it. No heap, no finish. */
struct km_input {
	int coeng; /* 1: the next consonant is typed as a subscript (U+17D2 + consonant) */
};

void km_input_init(struct km_input *st);

/*
 * The one-shot COENG key: arms it, or disarms it when pressed again. Returns
 * the new state (1 armed) so the toolkit can light the key. A long press on a
 * consonant is km_input_coeng then km_input_key.
 */
int km_input_coeng(struct km_input *st);

/*
 * A key press: appends to out what key (row, col) types at the shift level
 * (0 or 1). When COENG is armed and the key types one consonant (U+1780 to
 * U+17A2), U+17D2 comes first; any key disarms it. 0, or ERR_INVAL (NULL
 * state or out, row/col outside the layout); on error out and st are unchanged.
 */
int km_input_key(struct km_input *st, int row, int col, int shift, struct buf *out);

/*
 * The paged keyboard for those who do not know NiDA: every key types one
 * character and no key needs shift. Page KM_PAGE_CONSONANTS holds the 35
 * consonants (U+1780..U+17A2) in alphabet order, KM_PAGE_VOWELS the dependent
 * vowels, signs and COENG, KM_PAGE_DIGITS the Khmer digits, the independent
 * vowels and "/ , - . ។ ៖ ៗ ៛ ( )". A page stays until another is chosen.
 */
enum km_page { KM_PAGE_CONSONANTS, KM_PAGE_VOWELS, KM_PAGE_DIGITS, KM_PAGE_NIDA, KM_PAGE_COUNT };

/* The keys of a page (UTF-8 strings, one character each); NULL and *n = 0 for NiDA and outside the enum. */
const char *const *km_page_keys(enum km_page p, int *n);

/* 1 if the key's text starts with a combining sign (a dependent vowel, a sign, COENG): it needs a base. */
int km_is_mark(const char *text);

/*
 * 1 if text can be typed after before[0..n) without the shaper drawing a
 * dotted circle: a key whose text is not a mark always can; a dependent
 * vowel, COENG or a sign only after a consonant or independent vowel (a
 * subscript consonant counts: ស្ត + ្រ), and a sign (U+17C6..U+17D1, U+17D3,
 * U+17DD) other than the register shifters and ROBAT (U+17C9 U+17CA U+17CC,
 * which sit on the consonant) also after a dependent vowel or another sign
 * (ាំ, េះ). The keyboard
 * greys a key out while this is 0.
 */
int km_input_mark_ok(const char *before, size_t n, const char *text);

#endif
