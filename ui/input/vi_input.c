#include "vi_input.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "kv.h"

/*
 * How it works: the word is decomposed (ICU NFD) so that every letter is an
 * ASCII base (or đ) plus at most one letter mark (circumflex, breve, horn) and
 * one tone mark. The trailing run of such letters is parsed as a syllable:
 * initial consonant, vowel nucleus, final consonant, with the tone held by the
 * syllable rather than by a letter. A key edits that model; the model is then
 * drawn back (tone on the vowel the placement rule picks) and recomposed with
 * ICU NFC. No precomposed-letter tables of our own.
 */

enum mark { MARK_NONE = 0, MARK_CIRC, MARK_BREVE, MARK_HORN, MARK_STROKE };

/* Enough for "nghiêng" and a few letters more; longer runs are not Vietnamese and stay literal. */
#define VI_MAX_UNITS 12

struct vi_unit {
	char base;           /* 'a'..'z' */
	unsigned char mark;  /* enum mark */
	unsigned char tone;  /* 0 none, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng */
	unsigned char upper; /* 1: capital letter */
};

struct vi_syl {
	struct vi_unit u[VI_MAX_UNITS + 1]; /* +1: room for the key's own letter */
	int n;
	int tone;
	int ini; /* initial consonant: u[0, ini) */
	int nuc; /* nucleus: u[ini, nuc); final consonant: u[nuc, n) */
};

/* Combining marks in the order tones are numbered (sắc huyền hỏi ngã nặng). */
static const UChar tone_marks[6] = {0, 0x0301, 0x0300, 0x0309, 0x0303, 0x0323};
static const UChar letter_marks[4] = {0, 0x0302, 0x0306, 0x031B};

static int is_vowel(char b)
{
	return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u' || b == 'y';
}

/* Which marks each base letter can carry. */
static int mark_fits(char base, int mark)
{
	switch (mark) {
	case MARK_NONE:
		return 1;
	case MARK_CIRC:
		return base == 'a' || base == 'e' || base == 'o';
	case MARK_BREVE:
		return base == 'a';
	case MARK_HORN:
		return base == 'o' || base == 'u';
	case MARK_STROKE:
		return base == 'd';
	}
	return 0;
}

/* One NFD cluster (starter + combining marks) as a Vietnamese letter; 0 if it is not one. */
static int unit_from_cluster(const UChar *s, int32_t n, struct vi_unit *u)
{
	memset(u, 0, sizeof *u);
	UChar c = s[0];
	if (c >= 'a' && c <= 'z') {
		u->base = (char)c;
	} else if (c >= 'A' && c <= 'Z') {
		u->base = (char)(c - 'A' + 'a');
		u->upper = 1;
	} else if (c == 0x0111 || c == 0x0110) {
		u->base = 'd';
		u->mark = MARK_STROKE;
		u->upper = c == 0x0110;
	} else {
		return 0;
	}
	for (int32_t i = 1; i < n; i++) {
		int t = 0, m = 0;
		for (int k = 1; k < 6; k++)
			if (s[i] == tone_marks[k])
				t = k;
		for (int k = 1; k < 4; k++)
			if (s[i] == letter_marks[k])
				m = k;
		if (t && !u->tone)
			u->tone = (unsigned char)t;
		else if (m && !u->mark)
			u->mark = (unsigned char)m;
		else
			return 0;
	}
	if (!mark_fits(u->base, u->mark) || (u->tone && !is_vowel(u->base)))
		return 0;
	return 1;
}

/* Letter code for matching consonant clusters: 'D' stands for đ. */
static char unit_code(const struct vi_unit *u)
{
	return u->mark == MARK_STROKE ? 'D' : u->base;
}

static const char *const initials[] = {
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "D",
	"g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x",
};
static const char *const finals[] = {"c", "ch", "m", "n", "ng", "nh", "p", "t"};

/*
 * Vowel nuclei of Vietnamese: letter, then '^' circumflex, '(' breve, '+' horn.
 * "ie^" is iê. Unmarked letters typed so far match marked ones (ie matches iê
 * while the circumflex is still to come), so every prefix of a syllable being
 * typed is accepted.
 */
static const char *const nuclei[] = {
	"a", "a(", "a^", "e", "e^", "i", "o", "o^", "o+", "u", "u+", "y",
	"ai", "ao", "au", "ay", "a^u", "a^y", "eo", "e^u", "ia", "ie^", "iu", "oa", "oa(", "oe",
	"oi", "oo", "o^i", "o+i", "ua", "ua^", "ue^", "ui", "uo^", "uo+", "u+o+", "uy", "u+a",
	"u+i", "u+u", "ye^",
	"ie^u", "oai", "oay", "oeo", "ua^y", "uo^i", "u+o+i", "u+o+u", "uya", "uye^", "uyu", "ye^u",
};

static int nucleus_matches(const struct vi_unit *u, int n, const char *pat)
{
	int i = 0;
	for (const char *p = pat; *p; i++) {
		if (i >= n || u[i].base != *p++)
			return 0;
		int m = MARK_NONE;
		if (*p == '^')
			m = MARK_CIRC, p++;
		else if (*p == '(')
			m = MARK_BREVE, p++;
		else if (*p == '+')
			m = MARK_HORN, p++;
		if (u[i].mark != MARK_NONE && u[i].mark != m)
			return 0;
	}
	return i == n;
}

static int nucleus_ok(const struct vi_unit *u, int n)
{
	if (n == 0)
		return 1;
	for (size_t k = 0; k < sizeof nuclei / sizeof nuclei[0]; k++)
		if (nucleus_matches(u, n, nuclei[k]))
			return 1;
	return 0;
}

static int cluster_matches(const struct vi_unit *u, int n, const char *c)
{
	int len = (int)strlen(c);
	if (len > n)
		return 0;
	for (int i = 0; i < len; i++)
		if (unit_code(&u[i]) != c[i] || (u[i].mark != MARK_NONE && u[i].mark != MARK_STROKE))
			return 0;
	return 1;
}

/*
 * Split s into initial, nucleus and final, and move the tone from its letter
 * to the syllable. 1: a Vietnamese syllable or the start of one; 0: not.
 */
static int syl_parse(struct vi_syl *s)
{
	int toned = 0;
	s->tone = 0;
	for (int i = 0; i < s->n; i++) {
		if (s->u[i].tone) {
			toned++;
			s->tone = s->u[i].tone;
			s->u[i].tone = 0;
		}
	}
	if (toned > 1)
		return 0;

	s->ini = 0;
	for (size_t k = 0; k < sizeof initials / sizeof initials[0]; k++) {
		const char *c = initials[k];
		int len = (int)strlen(c);
		if (!cluster_matches(s->u, s->n, c))
			continue;
		/* gi and qu: the i/u belongs to the consonant only when a vowel follows (gìn, quá). */
		if ((!strcmp(c, "gi") || !strcmp(c, "qu")) && (len >= s->n || !is_vowel(s->u[len].base)))
			continue;
		s->ini = len;
		break;
	}
	if (s->ini == 0 && s->n > 0 && !is_vowel(s->u[0].base))
		return 0; /* f, j, w, z or a misplaced đ */

	int i = s->ini;
	while (i < s->n && is_vowel(s->u[i].base))
		i++;
	s->nuc = i;
	if (!nucleus_ok(&s->u[s->ini], s->nuc - s->ini))
		return 0;
	if (s->nuc == s->n)
		return 1;
	if (s->nuc == s->ini)
		return 0; /* consonants after consonants that are not a known initial */
	for (size_t k = 0; k < sizeof finals / sizeof finals[0]; k++)
		if ((int)strlen(finals[k]) == s->n - s->nuc &&
		    cluster_matches(&s->u[s->nuc], s->n - s->nuc, finals[k]))
			return 1;
	return 0;
}

/*
 * The vowel that carries the tone, old style: the last vowel with a letter
 * mark (ươ -> ơ, uyê -> ê, ưa -> ư); else the middle of three (oai, uya);
 * else of two the second when a final consonant follows (hoàn, huỳnh) and
 * the first when none does (hòa, thủy, khỏe, mùa, kìa). -1: no vowel.
 */
static int syl_tone_pos(const struct vi_syl *s)
{
	int a = s->ini, len = s->nuc - s->ini;
	if (len <= 0)
		return -1;
	for (int i = s->nuc - 1; i >= a; i--)
		if (s->u[i].mark != MARK_NONE)
			return i;
	if (len == 1)
		return a;
	if (len == 3)
		return a + 1;
	return s->nuc < s->n ? a + 1 : a;
}

/* Growable UTF-16 text. */
struct u16 {
	UChar *p;
	int32_t len, cap;
};

static void u16_put(struct u16 *t, const UChar *s, int32_t n)
{
	if (t->len + n > t->cap) {
		int32_t cap = t->cap ? t->cap : 64;
		while (cap < t->len + n)
			cap *= 2;
		t->p = xrealloc(t->p, (size_t)cap * sizeof(UChar));
		t->cap = cap;
	}
	if (n)
		memcpy(t->p + t->len, s, (size_t)n * sizeof(UChar));
	t->len += n;
}

static void u16_putc(struct u16 *t, UChar c)
{
	u16_put(t, &c, 1);
}

/* Normalize src into a fresh buffer (preflight, then fill). 0 or ERR_INVAL. */
static int u16_normalize(const UNormalizer2 *nz, const UChar *src, int32_t n, struct u16 *dst)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t need = unorm2_normalize(nz, src, n, NULL, 0, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return ERR_INVAL;
	dst->p = xmalloc((size_t)(need + 1) * sizeof(UChar));
	dst->cap = need + 1;
	st = U_ZERO_ERROR;
	dst->len = unorm2_normalize(nz, src, n, dst->p, dst->cap, &st);
	return U_FAILURE(st) ? ERR_INVAL : 0;
}

static void syl_draw(const struct vi_syl *s, struct u16 *t)
{
	int tp = s->tone ? syl_tone_pos(s) : -1;
	for (int i = 0; i < s->n; i++) {
		const struct vi_unit *u = &s->u[i];
		if (u->mark == MARK_STROKE) {
			u16_putc(t, u->upper ? 0x0110 : 0x0111);
			continue;
		}
		u16_putc(t, (UChar)(u->upper ? u->base - 'a' + 'A' : u->base));
		if (u->mark)
			u16_putc(t, letter_marks[u->mark]);
		if (i == tp)
			u16_putc(t, tone_marks[s->tone]);
	}
}

enum act {
	ACT_LITERAL,  /* word + key, untouched */
	ACT_MODIFIED, /* the syllable, redrawn; the key was consumed */
	ACT_LETTER,   /* the syllable with the key's letter added, redrawn */
	ACT_UNDO,     /* the syllable redrawn, then the key as typed */
};

static int lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static unsigned char is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Tone number for a tone key, 0 for the removal key, -1 for other keys. */
static int tone_for_key(enum vi_method m, int k)
{
	static const char telex[] = "zsfrxj";
	if (m == VI_VNI)
		return k >= '0' && k <= '5' ? k - '0' : -1;
	const char *p = k ? strchr(telex, k) : NULL;
	return p ? (int)(p - telex) : -1;
}

/* The mark a modifier key puts on base b (MARK_NONE: not on that letter). */
static int mark_for_key(enum vi_method m, int k, char b)
{
	if (m == VI_TELEX) {
		if ((k == 'a' || k == 'e' || k == 'o') && b == k)
			return MARK_CIRC;
		if (k == 'w')
			return b == 'a' ? MARK_BREVE : (b == 'o' || b == 'u') ? MARK_HORN : MARK_NONE;
		return MARK_NONE;
	}
	if (k == '6')
		return mark_fits(b, MARK_CIRC) ? MARK_CIRC : MARK_NONE;
	if (k == '7')
		return mark_fits(b, MARK_HORN) ? MARK_HORN : MARK_NONE;
	if (k == '8')
		return b == 'a' ? MARK_BREVE : MARK_NONE;
	return MARK_NONE;
}

static int is_mark_key(enum vi_method m, int k)
{
	return m == VI_TELEX ? (k == 'a' || k == 'e' || k == 'o' || k == 'w') : (k >= '6' && k <= '8');
}

/* A letter mark on the nucleus: ACT_MODIFIED, ACT_UNDO, ACT_LETTER (lone ư + w) or -1 (not applicable). */
static int syl_mark(struct vi_syl *s, enum vi_method m, int k)
{
	struct vi_unit *u = s->u;
	int a = s->ini, b = s->nuc;

	/*
	 * Horn on "uo" takes both letters when something follows (nguoiw -> ngươi,
	 * huongw -> hương); in an open syllable only the o, since Vietnamese writes
	 * uơ there (thuở, huơ) and ươ never ends a syllable. A u horned by hand
	 * keeps its horn (uwow -> ươ), and syl_fix_uo completes uơ to ươ as soon
	 * as a letter follows (thuow, n -> thươn).
	 */
	if ((m == VI_TELEX && k == 'w') || (m == VI_VNI && k == '7')) {
		for (int i = a; i + 1 < b; i++) {
			if (u[i].base != 'u' || u[i + 1].base != 'o')
				continue;
			int open = i + 2 == s->n;
			unsigned char tu = (u[i].mark == MARK_HORN || !open) ? MARK_HORN : MARK_NONE;
			if (u[i].mark == tu && u[i + 1].mark == MARK_HORN) {
				u[i].mark = u[i + 1].mark = MARK_NONE;
				return ACT_UNDO;
			}
			struct vi_unit save[2] = {u[i], u[i + 1]};
			u[i].mark = tu;
			u[i + 1].mark = MARK_HORN;
			if (nucleus_ok(&u[a], b - a))
				return ACT_MODIFIED;
			u[i] = save[0], u[i + 1] = save[1];
		}
	}
	/* The key again on a letter that already has its mark: undo. */
	for (int i = b - 1; i >= a; i--) {
		int want = mark_for_key(m, k, u[i].base);
		if (want == MARK_NONE || u[i].mark != want)
			continue;
		if (m == VI_TELEX && k == 'w' && u[i].base == 'u' && b - a == 1 && i == s->n - 1 && !s->tone) {
			/* A lone ư came from a lone w (w -> ư, ww -> w): the undo gives back w. */
			u[i].base = 'w';
			u[i].mark = MARK_NONE;
			return ACT_LETTER;
		}
		u[i].mark = MARK_NONE;
		return ACT_UNDO;
	}
	/* Otherwise the last letter the mark fits on and that leaves a real nucleus. */
	for (int i = b - 1; i >= a; i--) {
		int want = mark_for_key(m, k, u[i].base);
		if (want == MARK_NONE)
			continue;
		unsigned char save = u[i].mark;
		u[i].mark = (unsigned char)want;
		if (nucleus_ok(&u[a], b - a))
			return ACT_MODIFIED;
		u[i].mark = save;
	}
	return -1;
}

/* uơ followed by a letter is ươ (thuơn -> thươn, nguơi -> ngươi). */
static void syl_fix_uo(struct vi_syl *s)
{
	for (int i = s->ini; i + 1 < s->nuc; i++)
		if (s->u[i].base == 'u' && s->u[i].mark == MARK_NONE && s->u[i + 1].base == 'o' &&
		    s->u[i + 1].mark == MARK_HORN && i + 2 < s->n)
			s->u[i].mark = MARK_HORN;
}

/* Decide what key does to the parsed syllable s (valid says whether it parsed). */
static int syl_key(struct vi_syl *s, int valid, enum vi_method m, char key)
{
	int k = lower(key);
	if (!valid)
		return ACT_LITERAL;

	int tone = tone_for_key(m, k);
	if (tone >= 0 && s->nuc > s->ini) {
		if (tone == 0) {
			if (s->tone) {
				s->tone = 0;
				return ACT_MODIFIED;
			}
		} else if (s->tone == tone) {
			s->tone = 0;
			return ACT_UNDO;
		} else {
			s->tone = tone;
			return ACT_MODIFIED;
		}
	}

	int stroke_key = m == VI_TELEX ? 'd' : '9';
	if (k == stroke_key && s->ini > 0 && s->u[0].base == 'd') {
		if (s->u[0].mark == MARK_NONE) {
			s->u[0].mark = MARK_STROKE;
			return ACT_MODIFIED;
		}
		s->u[0].mark = MARK_NONE;
		return ACT_UNDO;
	}

	if (is_mark_key(m, k)) {
		int r = syl_mark(s, m, k);
		if (r >= 0)
			return r;
		if (m == VI_TELEX && k == 'w' && s->nuc == s->ini && s->n < VI_MAX_UNITS) {
			/* w with no vowel yet is ư (tw -> tư, w -> ư). */
			s->u[s->n++] = (struct vi_unit){.base = 'u', .mark = MARK_HORN, .upper = is_upper(key)};
			int t = s->tone;
			if (syl_parse(s)) {
				s->tone = t;
				return ACT_MODIFIED;
			}
			return ACT_LITERAL;
		}
	}

	/* A plain letter: keep the syllable model if the result is still Vietnamese. */
	if (k < 'a' || k > 'z' || s->n >= VI_MAX_UNITS)
		return ACT_LITERAL;
	int t = s->tone;
	s->u[s->n++] = (struct vi_unit){.base = (char)k, .upper = is_upper(key)};
	if (!syl_parse(s))
		return ACT_LITERAL;
	s->tone = t;
	syl_fix_uo(s);
	return ACT_LETTER;
}

/* Find the trailing run of Vietnamese letters in w and parse it into s. Returns its start in w. */
static int32_t syl_load(const struct u16 *w, struct vi_syl *s, int *valid)
{
	int32_t run = 0, i = 0;
	int count = 0;
	while (i < w->len) {
		int32_t start = i;
		UChar32 c;
		U16_NEXT(w->p, i, w->len, c);
		while (i < w->len) {
			int32_t j = i;
			UChar32 d;
			U16_NEXT(w->p, j, w->len, d);
			if (u_getCombiningClass(d) == 0)
				break;
			i = j;
		}
		struct vi_unit u;
		if (!unit_from_cluster(w->p + start, i - start, &u)) {
			run = i;
			count = 0;
			continue;
		}
		if (count < VI_MAX_UNITS)
			s->u[count] = u;
		count++;
		(void)c;
	}
	s->n = count <= VI_MAX_UNITS ? count : 0;
	*valid = count <= VI_MAX_UNITS && syl_parse(s);
	return run;
}

static void put_utf8(struct buf *out, const struct u16 *t)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t need = 0;
	u_strToUTF8(NULL, 0, &need, t->p, t->len, &st);
	buf_reserve(out, (size_t)need + 1);
	st = U_ZERO_ERROR;
	int32_t got = 0;
	u_strToUTF8(out->data + out->len, (int32_t)(out->cap - out->len), &got, t->p, t->len, &st);
	out->len += (size_t)got;
	out->data[out->len] = '\0';
}

int vi_input_key(enum vi_method m, const char *word, size_t n, char key, struct buf *out)
{
	if ((m != VI_TELEX && m != VI_VNI) || !out || (!word && n) || key < 0x20 || key > 0x7e)
		return ERR_INVAL;
	if (n > VI_INPUT_MAX_WORD)
		return ERR_TOOBIG;
	if (n && !utf8_valid(word, n))
		return ERR_INVAL;

	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st))
		return ERR_INVAL;

	int rc = ERR_INVAL;
	struct u16 raw = {0}, w = {0}, t = {0}, done = {0};
	raw.p = xmalloc((n + 1) * sizeof(UChar));
	raw.cap = (int32_t)n + 1;
	u_strFromUTF8(raw.p, raw.cap, &raw.len, word ? word : "", (int32_t)n, &st);
	if (U_FAILURE(st) || u16_normalize(nfd, raw.p, raw.len, &w))
		goto fail;

	struct vi_syl s;
	memset(&s, 0, sizeof s);
	int valid;
	int32_t run = syl_load(&w, &s, &valid);
	int act = syl_key(&s, valid, m, key);
	if (act == ACT_LITERAL) {
		u16_put(&t, w.p, w.len);
	} else {
		u16_put(&t, w.p, run);
		syl_draw(&s, &t);
	}
	if (act == ACT_LITERAL || act == ACT_UNDO)
		u16_putc(&t, (UChar)key);
	if (u16_normalize(nfc, t.p, t.len, &done))
		goto fail;
	put_utf8(out, &done);
	rc = act == ACT_MODIFIED ? VI_INPUT_MODIFIER : VI_INPUT_LETTER;
fail:
	free(raw.p);
	free(w.p);
	free(t.p);
	free(done.p);
	return rc;
}

int vi_input_keys(enum vi_method m, const char *keys, struct buf *out)
{
	if (!keys || !out)
		return ERR_INVAL;
	struct buf cur, next;
	buf_init(&cur);
	buf_init(&next);
	int rc = 0;
	for (const char *k = keys; *k; k++) {
		next.len = 0;
		rc = vi_input_key(m, cur.data, cur.len, *k, &next);
		if (rc < 0)
			goto fail;
		struct buf tmp = cur;
		cur = next;
		next = tmp;
	}
	buf_append(out, cur.data, cur.len);
	rc = 0;
fail:
	buf_finish(&cur);
	buf_finish(&next);
	return rc;
}

/* ---- the keyboard's tone and letter keys -------------------------------------------------------- */

int vi_input_tone(const char *word, size_t n, int tone, struct buf *out)
{
	static const char letter[6] = {0, 's', 'f', 'r', 'x', 'j'};
	if (tone < 1 || tone > 5 || !out)
		return ERR_INVAL;
	/* Take off any tone first (z), so the key sets its tone rather than undoing the same one. */
	struct buf plain, toned;
	buf_init(&plain);
	buf_init(&toned);
	int rc = vi_input_key(VI_TELEX, word, n, 'z', &plain);
	if (rc < 0)
		goto done;
	if (rc != VI_INPUT_MODIFIER) {
		plain.len = 0;
		buf_append(&plain, word ? word : "", n);
	}
	rc = vi_input_key(VI_TELEX, plain.data ? plain.data : "", plain.len, letter[tone], &toned);
	if (rc == VI_INPUT_MODIFIER)
		buf_append(out, toned.data, toned.len);
done:
	buf_finish_wipe(&plain);
	buf_finish_wipe(&toned);
	return rc;
}

/* Each key's letter (NFC, lower and upper) and the VNI digit that marks its plain letter. */
static const struct {
	const char *text[2];
	char vni;
	const char *forms; /* every NFC form of the letter, any tone, lower and upper */
} vi_letters[VI_L_COUNT] = {
	[VI_L_ACIRC] = {{"â", "Â"}, '6', "âấầẩẫậÂẤẦẨẪẬ"},
	[VI_L_ABREVE] = {{"ă", "Ă"}, '8', "ăắằẳẵặĂẮẰẲẴẶ"},
	[VI_L_ECIRC] = {{"ê", "Ê"}, '6', "êếềểễệÊẾỀỂỄỆ"},
	[VI_L_OCIRC] = {{"ô", "Ô"}, '6', "ôốồổỗộÔỐỒỔỖỘ"},
	[VI_L_OHORN] = {{"ơ", "Ơ"}, '7', "ơớờởỡợƠỚỜỞỠỢ"},
	[VI_L_UHORN] = {{"ư", "Ư"}, '7', "ưứừửữựƯỨỪỬỮỰ"},
	[VI_L_DSTROKE] = {{"đ", "Đ"}, '9', "đĐ"},
};

const char *vi_letter_text(enum vi_letter l, int upper)
{
	if ((int)l < 0 || l >= VI_L_COUNT)
		return NULL;
	return vi_letters[l].text[upper ? 1 : 0];
}

/* How many letters of s[0..n) are one of forms (each a two-byte or three-byte UTF-8 letter). */
static int count_forms(const char *s, size_t n, const char *forms)
{
	int c = 0;
	for (size_t i = 0; i < n;) {
		size_t len = 1;
		unsigned char b = (unsigned char)s[i];
		if (b >= 0xF0)
			len = 4;
		else if (b >= 0xE0)
			len = 3;
		else if (b >= 0xC0)
			len = 2;
		if (i + len > n)
			break;
		for (const char *f = forms; *f;) {
			size_t fl = ((unsigned char)*f >= 0xE0) ? 3 : 2;
			if (fl == len && !memcmp(s + i, f, len)) {
				c++;
				break;
			}
			f += fl;
		}
		i += len;
	}
	return c;
}

/* Code points in s[0..n) (valid UTF-8). */
static size_t count_cps(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

int vi_input_letter(const char *word, size_t n, enum vi_letter l, int upper, struct buf *out)
{
	if ((int)l < 0 || l >= VI_L_COUNT || !out)
		return ERR_INVAL;
	struct buf mod;
	buf_init(&mod);
	int rc = vi_input_key(VI_VNI, word, n, vi_letters[l].vni, &mod);
	if (rc < 0)
		goto done;
	/* Take VNI's edit only if it marked one more of this very letter and typed nothing (ơ on "Ngu" is not ư). */
	if (rc == VI_INPUT_MODIFIER && count_cps(mod.data, mod.len) == count_cps(word ? word : "", n) &&
	    count_forms(mod.data, mod.len, vi_letters[l].forms) == count_forms(word ? word : "", n, vi_letters[l].forms) + 1) {
		buf_append(out, mod.data, mod.len);
		rc = VI_INPUT_MODIFIER;
		goto done;
	}
	buf_append(out, word ? word : "", n);
	buf_puts(out, vi_letters[l].text[upper ? 1 : 0]);
	rc = VI_INPUT_LETTER;
done:
	buf_finish_wipe(&mod);
	return rc;
}
