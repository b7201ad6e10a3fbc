/* ui/input/vi_input: Vietnamese input methods (Telex, VNI) that rewrite the syllable before the caret. */
#ifndef SPEAN_UI_VI_INPUT_H
#define SPEAN_UI_VI_INPUT_H

#include <stddef.h>

#include "err.h"
#include "mem.h"

enum vi_method {
	VI_TELEX = 0, /* aa â, aw ă, ee ê, oo ô, ow ơ, uw/w ư, dd đ; s f r x j tones, z removes */
	VI_VNI = 1,   /* 1-5 tones, 0 removes, 6 circumflex, 7 horn, 8 breve, 9 đ */
};

/* A word longer than this (bytes) is refused with ERR_TOOBIG: pass the current word, not the field. */
#define VI_INPUT_MAX_WORD 1024

/* vi_input_key's results besides negative error codes. */
enum {
	VI_INPUT_LETTER = 0,   /* the key's letter ends the new text (typed, after an undo; it may take the tone: qú+a quá) */
	VI_INPUT_MODIFIER = 1, /* the key was consumed as a tone or letter modifier */
};

/*
 * One key press. word[0..n) is the text before the caret (UTF-8; usually the
 * current word); key is the typed printable ASCII character (0x20..0x7e).
 * Appends to out the text that replaces word[0..n): only the trailing run of
 * Latin letters is ever rewritten, everything before it is copied (normalised).
 * out always receives NFC (ICU), whatever the form of word.
 *
 * How the trailing run is treated: if it is a Vietnamese syllable, or the start
 * of one (initial consonant, vowel nucleus, final consonant, one tone), a
 * modifier key edits it and the tone is re-placed on the right vowel of the
 * whole syllable, old style (hòa, thủy, khỏe; hoàn, thuyền). A repeated
 * modifier undoes itself and types its letter (ass -> as, aaa -> aa, ddd -> dd,
 * a11 -> a1 in VNI; w w -> w). Anything that is not a Vietnamese syllable (an
 * English word, a run after an undo) gets the key appended as typed, so a
 * word can always be finished literally. Letter case is kept per letter.
 *
 * Returns VI_INPUT_MODIFIER, VI_INPUT_LETTER, or ERR_INVAL (word NULL with
 * n > 0, out NULL, unknown method, key not printable ASCII, word not valid
 * UTF-8 or containing NUL) or ERR_TOOBIG (n > VI_INPUT_MAX_WORD). On error out
 * is left as it was. Pure function: no state, no locks, safe from any thread.
 */
int vi_input_key(enum vi_method m, const char *word, size_t n, char key, struct buf *out);

/* Feed a whole key string from an empty word (tests, demos): out gets the final text. */
int vi_input_keys(enum vi_method m, const char *keys, struct buf *out);

/*
 * The keyboard's tone keys (for those who know neither Telex nor VNI): tone 1..5
 * (sắc huyền hỏi ngã nặng) goes on the right vowel of the syllable before the
 * caret, as Telex's tone letter (s f r x j) would put it, and replaces a tone
 * already there. word[0..n) is the text before the caret. Appends the new text
 * to out and returns VI_INPUT_MODIFIER; VI_INPUT_LETTER with out unchanged when
 * there is no Vietnamese syllable to take the tone (nothing to change: the key
 * does nothing rather than type a letter); ERR_INVAL / ERR_TOOBIG as vi_input_key.
 */
int vi_input_tone(const char *word, size_t n, int tone, struct buf *out);

/* The keyboard's letter keys for marked letters. */
enum vi_letter { VI_L_ACIRC, VI_L_ABREVE, VI_L_ECIRC, VI_L_OCIRC, VI_L_OHORN, VI_L_UHORN, VI_L_DSTROKE, VI_L_COUNT };
/* The letter as the key shows it: "â" (upper: "Â"); NULL outside the enum. */
const char *vi_letter_text(enum vi_letter l, int upper);

/*
 * A marked-letter key: if the syllable before the caret has the plain letter
 * the key marks (a for â/ă, e for ê, o for ô/ơ, u for ư, d for đ), it is
 * modified in place and the tone re-placed ("Nguyen" + ê = "Nguyên", "Nguyẽn"
 * + ê = "Nguyễn", "D" + đ = "Đ"): VI_INPUT_MODIFIER. Otherwise the letter is
 * inserted (capital if upper): VI_INPUT_LETTER ("Ph" + ư = "Phư"). Appends to
 * out the text that replaces word[0..n). Errors as vi_input_key.
 */
int vi_input_letter(const char *word, size_t n, enum vi_letter l, int upper, struct buf *out);

#endif
