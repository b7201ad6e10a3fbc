/* ui/text internals shared by the module and its tests: script runs, font files, a shaping hook. */
#ifndef SPEAN_UI_TEXT_INTERNAL_H
#define SPEAN_UI_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "text.h"

enum text_script { TEXT_LATN = 0, TEXT_KHMR = 1 };

/* A run: bytes [start, end) of the string, drawn with one font and one HarfBuzz script. */
struct text_run {
	size_t start, end;
	enum text_script script;
};

/*
 * Split s[0..len) (valid UTF-8) into runs as text_measure and text_layout do.
 * Writes at most max runs; returns how many there are (may exceed max, like
 * snprintf), or ERR_INVAL for invalid UTF-8.
 */
int text_split_runs(struct text *t, enum text_style st, const char *s, size_t len, struct text_run *runs, size_t max);

/* Append the characters of a run that reach the shaper (no U+200B, no controls) to out. */
void text_run_text(const char *s, const struct text_run *r, struct buf *out);

/* File name (no directory) of the font used for a script and style. */
const char *text_font_file(enum text_script sc, enum text_style st);

/*
 * Test hook: with on = 0, Khmer fonts get HarfBuzz script "Zzzz" (unknown),
 * which is what SDL_ttf 2.20 does when nobody calls TTF_SetFontScriptName.
 * Exists so that the pixel test can prove it fails on unshaped Khmer.
 */
void text_test_set_khmer_script(struct text *t, int on);

/* The pixel size the Khmer face is drawn at for Latin size size_px (see TEXT_KHMER_BODY_PERMILLE). */
int text_khmer_px(const struct text *t, enum text_style st, int size_px);

/* Decode one code point of valid UTF-8 at s[*i], advancing *i (malformed: U+FFFD, one byte). */
uint32_t text_utf8_next(const char *s, size_t len, size_t *i);

#endif
