/* base/utf8: decoding UTF-8 and neutralising what must never reach a screen, a terminal or a file raw (control and direction-override characters). */
#ifndef SPEAN_BASE_UTF8_H
#define SPEAN_BASE_UTF8_H

#include <stddef.h>

#include "mem.h"

/* U+FFFD REPLACEMENT CHARACTER: what an unsafe code point or an invalid byte is shown as. */
#define UTF8_MARK "\xEF\xBF\xBD"

/*
 * Length (1..4) of the well-formed UTF-8 sequence at s[0..n) and its code
 * point in *cp, or 0 if it is invalid (overlong, surrogate, past U+10FFFF,
 * truncated, a stray continuation byte). n must be at least 1.
 */
size_t utf8_next(const char *s, size_t n, unsigned long *cp);

/*
 * 1 if cp is a character no output of Spean shows as it is, and no contact
 * field may hold: the C0 controls (U+0000-U+001F, TAB, CR and LF included),
 * DEL (U+007F), the C1 controls (U+0080-U+009F), the bidirectional marks,
 * embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069) and the line and paragraph separators (U+2028, U+2029).
 * A terminal runs C0/C1 sequences (ESC [ ... clears a screen, rewrites a
 * title); a direction override makes a name or file name read as something
 * else ("exe.txt" shown for "txt.exe"); a separator breaks a line in some
 * editors and CSV readers. Nothing in Vietnamese or Khmer text needs any of
 * them (the zero-width space and joiners Khmer uses are not in the list).
 */
int utf8_unsafe(unsigned long cp);

/* Flags for utf8_put_neutral: ASCII controls a format needs and that are kept as they are. */
enum {
	UTF8_KEEP_TAB = 1u << 0,
	UTF8_KEEP_LF = 1u << 1,
	UTF8_KEEP_CR = 1u << 2,
};

/*
 * Append s[0..n) to out, with every unsafe code point (utf8_unsafe, but for
 * the controls named in keep) and every byte that is not part of valid
 * UTF-8 replaced by UTF8_MARK, one mark per code point or byte. What is
 * appended is valid UTF-8 and never holds an unsafe character. For every
 * text that comes from outside (a request, a stick's file name, a message
 * about one) before it is printed or written.
 */
void utf8_put_neutral(struct buf *out, const char *s, size_t n, unsigned keep);

/*
 * utf8_put_neutral(s, strlen(s), 0) into a new NUL-terminated string (s may
 * be NULL: ""). For printf("%s") of a name to a terminal. The caller frees it.
 */
char *utf8_neutral_dup(const char *s);

/* 1 if s[0..n) is valid UTF-8 without any unsafe code point (utf8_unsafe); 0 otherwise. */
int utf8_safe(const char *s, size_t n);

#endif
