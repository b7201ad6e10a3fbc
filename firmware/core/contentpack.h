/* core/contentpack: a content pack as a whole (its files' names, sizes, pictures' and recordings' headers, questions, catalogs, rules): the one check the center runs before it signs and the kiosk before it installs or starts. Pure. */
#ifndef SPEAN_CORE_CONTENTPACK_H
#define SPEAN_CORE_CONTENTPACK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Limits of a pack (README "Content packs"). The version: 10^12 is below
 * 2^53 (a spreadsheet or a JSON tool never rounds it), 13 digits, and
 * leaves room for date-like numbers (YYYYMMDDNN) a thousandfold; one pack a
 * second would take 31,000 years to reach it. A version past it would let
 * no later pack ever go up (anti-rollback), so it is refused everywhere.
 */
#define CONTENT_MAX_VERSION 1000000000000ull
#define CONTENT_MAX_FILES 1024
#define CONTENT_MAX_NAME 128          /* bytes of a file's name with its directories (NUL not counted: < this) */
#define CONTENT_MAX_BYTES (60u << 20) /* every file together (the signed message is at most 64 MiB) */
#define CONTENT_MAX_TEXT (4u << 20)   /* questions.conf, communes.txt, strings.*, eligibility.rules, audio.keys, holidays.txt */
#define CONTENT_MAX_AUDIO (8u << 20)  /* one recording (audio/LANG/KEY.wav): ~4 min of 16 kHz 16-bit mono */
#define CONTENT_PICTURE_MIN 32        /* a picture is square, 32 to 1024 px */
#define CONTENT_PICTURE_MAX 1024

/*
 * A file's name inside a pack: relative parts of [A-Za-z0-9._-] joined by
 * '/', none empty, "." or ".."; shorter than CONTENT_MAX_NAME. So nothing
 * absolute, no backslash, NUL or control character, nothing that leaves the
 * pack's directory. 1: good.
 */
int content_name_ok(const char *name, size_t n);
/* One part of such a name (a picture's or a recording's key: no '/'). */
int content_key_ok(const char *s, size_t n);

struct content_picture {
	int w, h, bpp;
	size_t pixels_at; /* offset of the pixel rows */
};
/*
 * A picture's BMP header, before anything is allocated for its pixels:
 * "BM", a Windows header (40, 108 or 124 bytes), 1 plane, 24 or 32 bits per
 * pixel uncompressed (or 32-bit bitfields), square CONTENT_PICTURE_MIN..MAX
 * px, and a file size that matches the header and the pixel rows it
 * declares. 0, or ERR_PARSE with the reason (no file name) in d.
 */
int content_bmp_check(const void *data, size_t len, struct content_picture *p, struct diag *d);
/*
 * A recording: RIFF/WAVE whose chunk sizes add up to the file, one "fmt "
 * (PCM, 1 or 2 channels, 8000 to 48000 Hz, 8 or 16 bits, consistent block
 * size and rate) before one "data" chunk, at most CONTENT_MAX_AUDIO bytes.
 * 0, or ERR_PARSE / ERR_TOOBIG with the reason in d.
 */
int content_wav_check(const void *data, size_t len, struct diag *d);

struct content_file {
	const char *name;
	const void *data;
	size_t len;
};
/*
 * The whole pack: the limits above on count, names (unique), sizes; the
 * rules (the pack's eligibility.rules, else default_rules), questions.conf,
 * communes.txt, strings.vi and strings.km parsed and complete; every
 * picture a question names present as icons/NAME.bmp and none shown by two
 * questions (not even as a copy under another name); the answer symbols
 * (content_answer_symbol) present; every BMP's header good; every file
 * under audio/ an audio/LANG/KEY.wav recording with a good header;
 * audio.keys' keys good names; holidays.txt, when present, a good list
 * (holidays_parse); hours.txt, when present, good opening hours
 * (hours_parse; a pack without it is always open). 0, or a negative code
 * with d = "NAME: reason".
 */
int content_pack_check(const struct content_file *f, size_t n, const char *default_rules, size_t default_rules_len,
		       struct diag *d);
/*
 * What a pack going out (signed by the center, checked by `spean content
 * check`) needs beyond content_pack_check: a holidays.txt that covers
 * `year`, the current one. 0; ERR_NOTFOUND (missing, or another year) or
 * ERR_PARSE, with d = "holidays.txt: reason".
 */
int content_pack_holidays(const struct content_file *f, size_t n, int year, struct diag *d);

#endif
