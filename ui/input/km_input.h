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

#endif
