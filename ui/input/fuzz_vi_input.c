/* Fuzz target for ui/input's Vietnamese engine: key strings through vi_input_key, output checked; the keyboard's tone and letter keys on every step. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "fuzz_check.h"
#include "kv.h"
#include "vi_input.h"

static int is_nfc(const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strFromUTF8(NULL, 0, &len, s, (int32_t)n, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return 0;
	UChar *u = malloc(((size_t)len + 1) * sizeof(UChar));
	if (!u)
		abort();
	st = U_ZERO_ERROR;
	u_strFromUTF8(u, len + 1, &len, s, (int32_t)n, &st);
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	UBool ok = U_SUCCESS(st) && unorm2_isNormalized(nfc, u, len, &st);
	free(u);
	return ok && U_SUCCESS(st);
}

/* The last base character of s once decomposed (NFD) and stripped of trailing combining marks. */
static UChar last_base(const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar u[64], d[256];
	int32_t len = 0;
	/* The last few code points are enough: a Vietnamese letter is at most three of them. */
	size_t from = n > 16 ? n - 16 : 0;
	while (from > 0 && ((unsigned char)s[from] & 0xC0) == 0x80)
		from--;
	u_strFromUTF8(u, 64, &len, s + from, (int32_t)(n - from), &st);
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
	int32_t dn = unorm2_normalize(nfd, u, len, d, 256, &st);
	if (U_FAILURE(st))
		return 0;
	while (dn > 0 && u_getCombiningClass(d[dn - 1]) != 0)
		dn--;
	return dn > 0 ? d[dn - 1] : 0;
}

static UChar fold(UChar c)
{
	return c >= 'A' && c <= 'Z' ? (UChar)(c - 'A' + 'a') : c;
}

static int is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Input: byte 0 picks the method (bit 0: VNI) and whether a starting word
 * follows (bit 1: bytes up to the first '\n', any bytes at all); every byte
 * after that is one key press, fed to the word the previous press produced.
 */
static size_t cps(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * The keyboard's tone and letter keys on the engine's own text: a tone changes
 * no letter count and writes nothing when it does not apply; a letter key
 * either marks a letter in place (same count) or appends exactly its letter.
 */
static void check_keyboard_keys(const char *w, size_t n, uint8_t seed)
{
	struct buf o;
	buf_init(&o);
	int rc = vi_input_tone(w, n, seed % 5 + 1, &o);
	if (rc == ERR_TOOBIG)
		FUZZ_CHECK(n > VI_INPUT_MAX_WORD);
	else if (rc == VI_INPUT_MODIFIER)
		FUZZ_CHECK(utf8_valid(o.data, o.len) && is_nfc(o.data, o.len) && cps(o.data, o.len) == cps(w, n));
	else
		FUZZ_CHECK(rc == VI_INPUT_LETTER && o.len == 0);
	o.len = 0;
	enum vi_letter l = (enum vi_letter)(seed % VI_L_COUNT);
	rc = vi_input_letter(w, n, l, seed & 8, &o);
	if (rc == ERR_TOOBIG) {
		FUZZ_CHECK(n > VI_INPUT_MAX_WORD);
	} else if (rc == VI_INPUT_MODIFIER) {
		FUZZ_CHECK(utf8_valid(o.data, o.len) && is_nfc(o.data, o.len) && cps(o.data, o.len) == cps(w, n));
	} else {
		const char *lt = vi_letter_text(l, seed & 8);
		FUZZ_CHECK(rc == VI_INPUT_LETTER && o.len == n + strlen(lt));
		FUZZ_CHECK(!memcmp(o.data, w, n) && !memcmp(o.data + n, lt, strlen(lt)));
	}
	buf_finish(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	enum vi_method m = (data[0] & 1) ? VI_VNI : VI_TELEX;
	size_t i = 1;
	struct buf cur, next, again;
	buf_init(&cur);
	buf_init(&next);
	buf_init(&again);
	int ours = 1; /* cur came from the engine (so it is NFC) */
	if (data[0] & 2) {
		const uint8_t *nl = memchr(data + 1, '\n', size - 1);
		size_t wlen = nl ? (size_t)(nl - data - 1) : size - 1;
		buf_append(&cur, data + 1, wlen);
		i = 1 + wlen + (nl != NULL);
		ours = 0;
	}
	for (; i < size; i++) {
		char key = (char)data[i];
		next.len = 0;
		int rc = vi_input_key(m, cur.data, cur.len, key, &next);
		if (data[i] < 0x20 || data[i] > 0x7e) {
			FUZZ_CHECK(rc == ERR_INVAL && next.len == 0);
			continue;
		}
		if (rc == ERR_TOOBIG) {
			FUZZ_CHECK(cur.len > VI_INPUT_MAX_WORD);
			cur.len = 0, ours = 1;
			continue;
		}
		if (rc == ERR_INVAL) {
			FUZZ_CHECK(!ours && !utf8_valid(cur.data, cur.len));
			FUZZ_CHECK(next.len == 0);
			cur.len = 0, ours = 1;
			continue;
		}
		FUZZ_CHECK(rc == VI_INPUT_LETTER || rc == VI_INPUT_MODIFIER);
		FUZZ_CHECK(next.len > 0 && next.data[next.len] == '\0');
		FUZZ_CHECK(utf8_valid(next.data, next.len));
		FUZZ_CHECK(is_nfc(next.data, next.len));
		/*
		 * A letter result ends with the key's letter, perhaps with the re-placed
		 * tone (qú + a -> quá); its case may be the undone letter's (ư + W -> w).
		 */
		if (rc == VI_INPUT_LETTER)
			FUZZ_CHECK(fold(last_base(next.data, next.len)) == fold((UChar)(uint8_t)key));
		/* Keys that are neither letters nor VNI digits only append (to NFC text). */
		if (ours && !is_letter(data[i]) && !(m == VI_VNI && key >= '0' && key <= '9')) {
			FUZZ_CHECK(rc == VI_INPUT_LETTER && next.len == cur.len + 1);
			FUZZ_CHECK(cur.len == 0 || !memcmp(next.data, cur.data, cur.len));
		}
		/* Pure: the same press gives the same text. */
		again.len = 0;
		FUZZ_CHECK(vi_input_key(m, cur.data, cur.len, key, &again) == rc);
		FUZZ_CHECK(again.len == next.len && !memcmp(again.data, next.data, next.len));
		struct buf t = cur;
		cur = next;
		next = t;
		ours = 1;
		check_keyboard_keys(cur.data, cur.len, data[i]);
	}
	buf_finish(&cur);
	buf_finish(&next);
	buf_finish(&again);
	return 0;
}
