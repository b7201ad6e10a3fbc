/* ui/text: Vietnamese and Khmer text on SDL surfaces (fonts, script runs, shaping, ICU line breaks, carets, NFC). */
#ifndef SPEAN_UI_TEXT_H
#define SPEAN_UI_TEXT_H

#include <stddef.h>

#include <SDL_pixels.h>
#include <SDL_surface.h>

#include "err.h"
#include "mem.h"

/*
 * The only module that includes SDL_ttf.h. Every string is split into runs by
 * script: Khmer (U+1780-U+17FF, U+19E0-U+19FF) goes to Noto Sans Khmer UI with
 * HarfBuzz script "Khmr", everything else to Noto Sans with "Latn"; digits,
 * spaces and punctuation join the run around them when that run's font has the
 * glyph (Noto Sans Khmer UI has no digits, so "លេខ 0912" gets a Latin run).
 * Runs share one baseline: the largest ascent of the fonts in the line.
 *
 * Khmer and Latin at the same visual size on one baseline: Noto Sans Khmer UI
 * draws its consonants exactly as tall as Noto Sans's x-height (0.536 em) and
 * 0.244 em above its baseline (to fit subscripts into Latin's descent), so at
 * the same pixel size Khmer looked smaller than the Vietnamese beside it and
 * floated about 4 px above it. So the Khmer face is drawn at
 * text_khmer_px(size) = size * TEXT_KHMER_BODY_PERMILLE / 1000 (the ratio is
 * computed from the fonts' glyphs at text_init: 1.2 for these fonts), and its
 * runs are lowered by the measured height of its consonants above its
 * baseline, so that Khmer consonants stand on the line's baseline where Latin
 * letters stand. A Khmer run's line box is its font's, lowered by as much: a
 * mixed line is taller than a Latin one (room for Khmer subscripts below the
 * baseline); a Khmer-only line is TEXT_KHMER_BODY_PERMILLE/1000 times as tall
 * as before. Sizes given to this module are Latin sizes.
 * Glyphs use FreeType's normal hinting, whose advances are what
 * `hb-shape --font-funcs=ft --ft-load-flags=0 --font-size=<px*64>` reports
 * (the tests hold every catalog string to that, +-1 px).
 *
 * Threads: a struct text and its layouts belong to one thread (the UI thread);
 * SDL_ttf and the cached ICU break iterators are not shareable. text_caret_stops,
 * text_prev_stop, text_next_stop and text_nfc touch no struct text and may be
 * called from any thread.
 *
 * Errors: functions return 0 (or a count) on success and a negative code of
 * base/err.h on failure. Invalid UTF-8 is ERR_INVAL. Out of memory aborts.
 *
 * Privacy: nothing here logs text; logs carry sizes, counts and file names.
 */

enum text_style { TEXT_REGULAR, TEXT_BOLD };

/* Sizes are pixels per em (SDL_ttf point size at 72 dpi) of the Latin face. */
enum { TEXT_SIZE_MIN = 4, TEXT_SIZE_MAX = 400 };

/*
 * A Khmer consonant's body is drawn this many thousandths of the Latin
 * x-height tall: 1.2 x-heights is 0.64 em in Noto Sans, 90% of its capital
 * height. A Khmer consonant carries the distinctions a Latin word spreads
 * over ascenders and capitals inside its body (many differ only by a small
 * stroke or loop), so at 1.0 x-height it read smaller than the Vietnamese
 * beside it; at 1.33 (capital height) a line with subscripts would be 30%
 * taller than a Latin one. Checked by text_pixels_test on rendered ink.
 */
#define TEXT_KHMER_BODY_PERMILLE 1200

struct text;
struct text_layout;

/*
 * Open the four fonts in font_dir (NotoSans-Regular.ttf, NotoSans-Bold.ttf,
 * NotoSansKhmerUI-Regular.ttf, NotoSansKhmerUI-Bold.ttf); each further
 * (style, size) is opened on first use and cached until text_destroy.
 * Initialises SDL_ttf (reference-counted across struct texts); SDL_Init is not
 * needed. ERR_NOTFOUND / ERR_IO / ERR_PARSE with d->msg naming the file.
 */
int text_init(struct text **out, const char *font_dir, struct diag *d);
/* Closes the fonts and, with the last struct text, SDL_ttf. NULL is a no-op. */
void text_destroy(struct text *t);
/*
 * Measured advances are remembered per font (exact text as key) so line
 * breaking and repeated screens do not shape the same run twice. This wipes
 * them all (a privacy reset: they may hold what a resident typed).
 */
void text_forget(struct text *t);

/*
 * One line, no wrapping: *w = sum of the runs' advance widths (HarfBuzz
 * advances, floored to whole pixels per run), *h = largest ascent + largest
 * descent of the fonts used (the Latin font's for an empty string). U+200B and
 * control characters draw nothing and take no width. w or h may be NULL.
 */
int text_measure(struct text *t, const char *utf8, int size_px, enum text_style st, int *w, int *h);

/*
 * Lay out utf8 in lines no wider than max_w (max_w <= 0: break only at '\n').
 * Break opportunities come from ICU's line break iterator for lang ("vi",
 * "km"; Khmer words are found with ICU's dictionary); U+200B is a break
 * opportunity that draws nothing; '\n' is a forced break; spaces at the end
 * of a line hang (take no width). A word wider than max_w is cut at caret
 * stops (grapheme clusters, never right after COENG). The layout copies what
 * it needs from utf8 and refers to t's fonts: free it before text_destroy.
 * NULL on a bad argument (size out of range, invalid UTF-8) or if a font
 * cannot be opened (logged).
 */
struct text_layout *text_layout(struct text *t, const char *utf8, int size_px, enum text_style st, int max_w,
				const char *lang);
void text_layout_free(struct text_layout *l);

int text_layout_lines(const struct text_layout *l);
/* Width of the widest line; height of all lines. */
int text_layout_width(const struct text_layout *l);
int text_layout_height(const struct text_layout *l);
/* Both at once; w or h may be NULL. */
void text_layout_size(const struct text_layout *l, int *w, int *h);
/* Width, height and baseline (from the line's top) of line i; 0 when i is out of range. */
int text_layout_line_width(const struct text_layout *l, int i);
int text_layout_line_height(const struct text_layout *l, int i);
int text_layout_line_baseline(const struct text_layout *l, int i);
/* Byte range [*start, *end) of line i in the laid-out string (trailing spaces and '\n' included). */
int text_layout_line_range(const struct text_layout *l, int i, size_t *start, size_t *end);

/*
 * Draw blended (anti-aliased) onto dst with the layout's top-left at (x, y);
 * align 0: lines start at x; 1: each line is centred in the layout's width.
 * Clipped by dst's clip rectangle. Allocates only SDL_ttf's run surfaces
 * (freed before returning). Drawing errors are logged, not returned.
 */
void text_layout_draw(const struct text_layout *l, SDL_Surface *dst, int x, int y, SDL_Color fg, int align);

/*
 * Caret stops of utf8[0..len): ICU grapheme boundaries, except that a boundary
 * right after COENG (U+17D2) is not a stop (COENG + consonant is one unit for
 * the user). Writes the byte offsets, 0 and len included, ascending; returns
 * how many, ERR_TOOBIG if max is too small, ERR_INVAL on invalid UTF-8.
 */
int text_caret_stops(const char *utf8, size_t len, size_t *stops, size_t max);
/* The stop before / after byte offset pos (0 and len at the ends). Invalid UTF-8: one byte. */
size_t text_prev_stop(const char *utf8, size_t len, size_t pos);
size_t text_next_stop(const char *utf8, size_t len, size_t pos);

/*
 * NFC-normalise in[0..n) with ICU into out (initialised by the caller; its old
 * content is replaced). Intermediate buffers are wiped: the text may be a
 * resident's name. ERR_INVAL on invalid UTF-8.
 */
int text_nfc(const char *in, size_t n, struct buf *out);

/*
 * 0 if every character of utf8 has a glyph in the font of its run and no dotted
 * circle is drawn; ERR_NOTFOUND otherwise, with why (n bytes) naming the first
 * problem codepoint ("U+21E7 not in NotoSans-Regular.ttf").
 * Limitation: SDL_ttf 2.20 does not expose shaped glyph ids, so this checks
 * per codepoint (TTF_GlyphIsProvided32), rejects U+25CC in the text, and
 * predicts HarfBuzz's dotted circle for a Khmer sign with no base before it
 * in its run. A font whose GSUB maps to .notdef would slip through; the tests
 * check the real glyph sequence with hb-shape.
 */
int text_glyph_check(struct text *t, const char *utf8, int size_px, char *why, size_t n);

/*
 * Digits: one style per language on every screen.
 *
 * The catalog rule. On Khmer screens, numbers the kiosk counts are written in
 * Khmer digits (០-៩): counts, seconds, pages and progress, i.e. the
 * placeholders {n} {total} (progress, page), {seconds} (idle.body,
 * assisted.locked), {left}, {answered}, {held}, {delivered} and {percent}
 * (text_placeholder_counts says which). Numbers a person types, dials or
 * quotes stay as typed, in ASCII digits, in both languages: phone numbers
 * ({phone}; the phone keypad has ASCII digits), request numbers and receipt
 * codes (receipt.number's value, assisted.refused's {n}: the center quotes
 * them back), dates and times ({date}, {last}, a birth date typed on the
 * keypad). Vietnamese screens use ASCII digits throughout. Digits written into
 * strings.km itself are Khmer digits (text_catalog_test refuses ASCII digits
 * there).
 *
 * text_format_int writes value in lang's digits ("km": Khmer digits; "vi":
 * ASCII), with '-' for a negative value and no grouping, NUL-terminated, into
 * buf[0..n). Returns the length in bytes (a Khmer digit is 3), ERR_TOOBIG if
 * it does not fit (buf is then ""), ERR_INVAL for another language or no buf.
 */
int text_format_int(const char *lang, long long value, char *buf, size_t n);
/* 1 if placeholder {name} of catalog key `key` takes text_format_int's digits under the rule above. */
int text_placeholder_counts(const char *key, const char *name);

/*
 * The Khmer catalog's house rules, for every value of strings.km (and any
 * Khmer text the center ships): 0, or ERR_PARSE with why naming the problem:
 * an ASCII ':' in Khmer text (Khmer writes ៖, U+17D6), an ASCII digit in
 * Khmer text outside a {placeholder} (the digit rule above), or one of the
 * known spellings with COENG TA where the standard has COENG DA (ចាប់ផ្តើម for
 * ចាប់ផ្ដើម, ...; ស្ត្រី, មន្ត្រី, បន្ត, ប៉ុន្តែ rightly keep COENG TA).
 * ERR_INVAL on invalid UTF-8. A value with no Khmer letter is not Khmer text.
 */
int text_km_check(const char *s, size_t n, char *why, size_t whyn);

/*
 * `spean text measure --lang km|vi --size PX [--bold] STRING`: argv[0] is the
 * command's name, argv[1] the subcommand. Prints the width in pixels on one
 * line. Fonts from $SPEAN_FONT_DIR, else $SPEAN_SHARE_DIR/fonts, else the installed ones.
 * Returns the exit status: 0, 1 (fonts unusable), 2 (usage).
 */
int text_cli(int argc, char **argv);

#endif
