#define LOG_MODULE "text"
/* UTF-8 decoding, caret stops and NFC through ICU: no fonts, no struct text, safe from any thread. */
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "kv.h"
#include "log.h"
#include "text.h"
#include "text_internal.h"

#define COENG 0x17D2u

uint32_t text_utf8_next(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i;
	uint32_t c = p[0];
	size_t n;
	if (c < 0x80) {
		*i += 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		c &= 0x07;
	} else {
		*i += 1;
		return 0xFFFD;
	}
	if (n > left) {
		*i += 1;
		return 0xFFFD;
	}
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			*i += 1;
			return 0xFFFD;
		}
		c = (c << 6) | (p[k] & 0x3Fu);
	}
	*i += n;
	return c;
}

/* Is the code point that ends at byte offset pos COENG (3 bytes: E1 9F 92)? */
static int after_coeng(const char *s, size_t pos)
{
	return pos >= 3 && (unsigned char)s[pos - 3] == 0xE1 && (unsigned char)s[pos - 2] == 0x9F &&
	       (unsigned char)s[pos - 1] == 0x92;
}

/* A grapheme iterator over s[0..len) as UTF-8 (boundaries are byte offsets), or NULL. */
static UBreakIterator *open_graphemes(const char *s, size_t len, UText *ut)
{
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &st);
	if (U_FAILURE(st)) {
		log_error("icu_open_failed what=grapheme err=%s", u_errorName(st));
		return NULL;
	}
	utext_openUTF8(ut, s, (int64_t)len, &st);
	ubrk_setUText(bi, ut, &st);
	if (U_FAILURE(st)) {
		log_error("icu_settext_failed err=%s", u_errorName(st));
		ubrk_close(bi);
		utext_close(ut);
		return NULL;
	}
	return bi;
}

int text_caret_stops(const char *utf8, size_t len, size_t *stops, size_t max)
{
	if (!utf8 || len > INT32_MAX || (len && !utf8_valid(utf8, len)))
		return ERR_INVAL;
	if (max < 1)
		return ERR_TOOBIG;
	stops[0] = 0;
	if (!len) {
		return 1;
	}
	UText ut = UTEXT_INITIALIZER;
	UBreakIterator *bi = open_graphemes(utf8, len, &ut);
	if (!bi)
		return ERR_IO;
	size_t n = 1;
	int rc = 0;
	for (int32_t b = ubrk_following(bi, 0); b != UBRK_DONE; b = ubrk_next(bi)) {
		size_t pos = (size_t)b;
		if (pos < len && after_coeng(utf8, pos))
			continue;
		if (n == max) {
			rc = ERR_TOOBIG;
			break;
		}
		stops[n++] = pos;
	}
	ubrk_close(bi);
	utext_close(&ut);
	return rc ? rc : (int)n;
}

size_t text_prev_stop(const char *utf8, size_t len, size_t pos)
{
	if (pos > len)
		pos = len;
	if (pos == 0)
		return 0;
	if (!utf8_valid(utf8, len))
		return pos - 1;
	UText ut = UTEXT_INITIALIZER;
	UBreakIterator *bi = open_graphemes(utf8, len, &ut);
	if (!bi)
		return pos - 1;
	int32_t b = ubrk_preceding(bi, (int32_t)pos);
	while (b != UBRK_DONE && b > 0 && after_coeng(utf8, (size_t)b))
		b = ubrk_previous(bi);
	ubrk_close(bi);
	utext_close(&ut);
	return b == UBRK_DONE || b < 0 ? 0 : (size_t)b;
}

size_t text_next_stop(const char *utf8, size_t len, size_t pos)
{
	if (pos >= len)
		return len;
	if (!utf8_valid(utf8, len))
		return pos + 1;
	UText ut = UTEXT_INITIALIZER;
	UBreakIterator *bi = open_graphemes(utf8, len, &ut);
	if (!bi)
		return pos + 1;
	int32_t b = ubrk_following(bi, (int32_t)pos);
	while (b != UBRK_DONE && (size_t)b < len && after_coeng(utf8, (size_t)b))
		b = ubrk_next(bi);
	ubrk_close(bi);
	utext_close(&ut);
	return b == UBRK_DONE ? len : (size_t)b;
}

static void wipe_free(UChar *p, int32_t n)
{
	if (p) {
		mem_wipe(p, (size_t)n * sizeof *p);
		free(p);
	}
}

int text_nfc(const char *in, size_t n, struct buf *out)
{
	if (!in || !out || n > INT32_MAX / 4 || (n && !utf8_valid(in, n)))
		return ERR_INVAL;
	if (out->len)
		mem_wipe(out->data, out->len);
	out->len = 0;
	buf_reserve(out, n + 1);
	out->data[0] = '\0';
	if (!n)
		return 0;

	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st)) {
		log_error("icu_open_failed what=nfc err=%s", u_errorName(st));
		return ERR_IO;
	}
	/* UTF-16 never needs more code units than UTF-8 has bytes. */
	int32_t cap16 = (int32_t)n + 1, len16 = 0;
	UChar *u16 = xmalloc((size_t)cap16 * sizeof *u16);
	u_strFromUTF8(u16, cap16, &len16, in, (int32_t)n, &st);
	if (U_FAILURE(st)) {
		wipe_free(u16, cap16);
		return ERR_INVAL;
	}
	/* NFC can grow text (a decomposed singleton can expand), at most 3x in UTF-16. */
	int32_t capn = len16 * 3 + 1;
	UChar *norm = xmalloc((size_t)capn * sizeof *norm);
	int32_t lenn = unorm2_normalize(nfc, u16, len16, norm, capn, &st);
	wipe_free(u16, cap16);
	if (U_FAILURE(st)) {
		log_error("icu_nfc_failed err=%s", u_errorName(st));
		wipe_free(norm, capn);
		return ERR_IO;
	}
	int32_t len8 = 0;
	u_strToUTF8(NULL, 0, &len8, norm, lenn, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR)
		st = U_ZERO_ERROR;
	buf_reserve(out, (size_t)len8 + 1);
	u_strToUTF8(out->data, len8 + 1, &len8, norm, lenn, &st);
	wipe_free(norm, capn);
	if (U_FAILURE(st)) {
		log_error("icu_utf8_failed err=%s", u_errorName(st));
		return ERR_IO;
	}
	out->len = (size_t)len8;
	out->data[out->len] = '\0';
	return 0;
}
